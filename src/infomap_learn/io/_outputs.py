"""Output files that appear whole or not at all.

Every file the library writes goes to a temporary file in the target's folder and is renamed
into place (``os.replace``, atomic on one file system) only when it is complete, so a run that
fails mid-write (disk full, a file-size limit, an interrupt) leaves the previous version
untouched and no file cut mid-line. :class:`OutputFiles` does the same for the several files
of one run: all of them are renamed into place only after every one is written. Errors name
the file the user asked for, not the temporary one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from os import PathLike
from pathlib import Path
from typing import IO

__all__ = ["OutputFiles", "open_output"]


def _temporary_next_to(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _named(error: OSError, target: Path) -> OSError:
    """The same kind of error, naming the target file and saying what was kept."""
    while isinstance(error.__cause__, OSError):  # named already, for a temporary file
        error = error.__cause__
    reason = error.strerror or str(error)
    return type(error)(
        error.errno, f"cannot write {target}: {reason} (nothing was replaced)"
    )


@contextmanager
def open_output(path: str | PathLike) -> Iterator[IO[str]]:
    r"""A text file to write ``path`` whole: renamed into place when the block ends.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with open_output(os.path.join(folder, "out.txt")) as fh:
    ...     _ = fh.write("complete\n")
    >>> os.listdir(folder)
    ['out.txt']
    """
    target = Path(path)
    temp = _temporary_next_to(target)
    try:
        with open(temp, "x", encoding="utf-8", newline="\n") as handle:
            yield handle
        os.replace(temp, target)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise _named(error, target) from error
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


class OutputFiles:
    """The files of one run: each written to a temporary file, all renamed together.

    Use as a context manager; :meth:`write` stages one file. When the block ends without
    an error, every staged file is renamed into place; on an error none is, and the
    temporary files are removed.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with OutputFiles() as files:
    ...     files.write(os.path.join(folder, "a.txt"), lambda p: open(p, "w").write("a"))
    ...     files.write(os.path.join(folder, "b.txt"), lambda p: open(p, "w").write("b"))
    >>> sorted(os.listdir(folder))
    ['a.txt', 'b.txt']
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []

    def write(self, path: str | PathLike, write: Callable[[Path], object]) -> None:
        """Stage ``path``: ``write`` is called with the temporary path to write to."""
        target = Path(path)
        temp = _temporary_next_to(target)
        self._staged.append((temp, target))
        try:
            write(temp)
        except OSError as error:
            raise _named(error, target) from error

    def __enter__(self) -> OutputFiles:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            for temp, target in self._staged:
                os.replace(temp, target)
        else:
            for temp, _ in self._staged:
                temp.unlink(missing_ok=True)
        self._staged.clear()
