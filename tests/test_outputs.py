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


def test_a_target_that_cannot_be_replaced_leaves_every_file_as_it_was(tmp_path):
    first, blocked, last = tmp_path / "a.tree", tmp_path / "a.clu", tmp_path / "a.ftree"
    first.write_text("old tree\n")
    last.write_text("old ftree\n")
    blocked.mkdir()  # (a folder where the run's .clu should go)
    with pytest.raises(IsADirectoryError, match=f"cannot write {blocked}: it is a directory"):
        with OutputFiles() as files:
            for path in (first, blocked, last):
                files.write(path, lambda p: p.write_text("new\n"))
    assert (first.read_text(), last.read_text()) == ("old tree\n", "old ftree\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.clu", "a.ftree", "a.tree"]


def test_a_rename_failing_midway_puts_back_the_files_replaced_before(tmp_path, monkeypatch):
    import os

    paths = [tmp_path / f"a.{ext}" for ext in ("tree", "clu", "ftree")]
    for path in paths[:2]:
        path.write_text("old\n")
    real_replace = os.replace

    def failing_replace(source, target):
        if str(target).endswith("a.ftree") and str(source).endswith(".tmp"):
            raise OSError(errno.EIO, "Input/output error")
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match=f"cannot write {paths[2]}: Input/output error"):
        with OutputFiles() as files:
            for path in paths:
                files.write(path, lambda p: p.write_text("new\n"))
    assert [p.read_text() for p in paths[:2]] == ["old\n", "old\n"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.clu", "a.tree"]
