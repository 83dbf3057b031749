"""Outputs appear whole or not at all, and errors name the file the user asked for."""

from __future__ import annotations

import errno

import pytest

from infomap_learn.io._outputs import OutputFiles, open_output


def test_open_output_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "out.tree"
    target.write_text("old\n")
    with pytest.raises(RuntimeError, match="interrupted"):
        with open_output(target) as fh:
            fh.write("half a li")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.tree"]


def test_output_files_publish_all_or_none(tmp_path):
    first, second = tmp_path / "a.clu", tmp_path / "a.tree"
    first.write_text("old a\n")
    second.write_text("old b\n")

    def disk_full(path):
        with open(path, "w") as fh:
            fh.write("partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match=f"cannot write {second}: No space left on device"):
        with OutputFiles() as files:
            files.write(first, lambda p: p.write_text("new a\n"))
            files.write(second, disk_full)
    assert (first.read_text(), second.read_text()) == ("old a\n", "old b\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.clu", "a.tree"]
    with OutputFiles() as files:
        files.write(first, lambda p: p.write_text("new a\n"))
        files.write(second, lambda p: p.write_text("new b\n"))
    assert (first.read_text(), second.read_text()) == ("new a\n", "new b\n")


def test_unwritable_folder_is_named(tmp_path):
    target = tmp_path / "missing" / "out.clu"
    with pytest.raises(FileNotFoundError, match=f"cannot write {target}"):
        with open_output(target) as fh:
            fh.write("x")
