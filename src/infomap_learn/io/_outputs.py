"""Output files that appear whole or not at all.

Every file the library writes goes to a temporary file in the target's folder and is renamed
into place (``os.replace``, atomic on one file system) only when it is complete, so a run that
fails mid-write (disk full, a file-size limit, an interrupt) leaves the previous version
untouched and no file cut mid-line. :class:`OutputFiles` does the same for the several files
of one run: all of them are renamed into place only after every one is written. Errors name
the file the user asked for, not the temporary one.
"""

from __future__ import annotations

import errno
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
        try:
            if kind is None:
                self._replace_all()
        finally:
            for temp, _ in self._staged:
                temp.unlink(missing_ok=True)
            self._staged.clear()

    def _replace_all(self) -> None:
        """Rename every staged file into place; if one cannot be, put back the files
        replaced before it, so that the run's files change together or not at all."""
        replaced: list[tuple[Path, Path | None]] = []  # (target, its previous version)
        target = None
        try:
            for _, target in self._staged:
                if target.is_dir():
                    raise IsADirectoryError(errno.EISDIR, "it is a directory", str(target))
            for temp, target in self._staged:
                previous = None
                if os.path.lexists(target):
                    previous = _temporary_next_to(target)
                    os.replace(target, previous)
                try:
                    os.replace(temp, target)
                except OSError:
                    if previous is not None:
                        os.replace(previous, target)
                    raise
                replaced.append((target, previous))
        except OSError as error:
            for placed, previous in reversed(replaced):
                if previous is None:
                    placed.unlink(missing_ok=True)
                else:
                    os.replace(previous, placed)
            raise _named(error, target) from error
        for _, previous in replaced:
            if previous is not None:
                previous.unlink(missing_ok=True)
