"""Files and folders appear whole or not at all."""

import os
import subprocess
import sys

import pytest

from clvmodels.atomic import atomic_directory, atomic_open, is_staging, remove_stale_staging


def test_atomic_open_replaces_only_on_success(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_open(path) as handle:
            handle.write("new, half")
            raise RuntimeError("boom")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]
    with atomic_open(path) as handle:
        handle.write("new")
    assert path.read_text() == "new"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_atomic_open_refuses_a_folder(tmp_path):
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        with atomic_open(tmp_path):
            pass


def test_new_folder_appears_with_all_its_files_or_not_at_all(tmp_path):
    target = tmp_path / "deep" / "results"
    with pytest.raises(RuntimeError):
        with atomic_directory(target) as staging:
            (staging / "a.csv").write_text("1")
            assert not target.exists()
            raise RuntimeError("failed before b.csv")
    assert not target.exists()
    assert os.listdir(tmp_path / "deep") == []
    with atomic_directory(target) as staging:
        (staging / "a.csv").write_text("1")
        (staging / "b.csv").write_text("2")
        assert not target.exists()
    assert sorted(os.listdir(target)) == ["a.csv", "b.csv"]
    assert os.listdir(tmp_path / "deep") == ["results"]


def test_existing_folder_keeps_its_files_until_the_new_ones_are_complete(tmp_path):
    (tmp_path / "a.csv").write_text("old a")
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(RuntimeError):
        with atomic_directory(tmp_path) as staging:
            (staging / "a.csv").write_text("new a")
            raise RuntimeError("failed")
    assert (tmp_path / "a.csv").read_text() == "old a"
    assert sorted(os.listdir(tmp_path)) == ["a.csv", "notes.txt"]
    with atomic_directory(tmp_path) as staging:
        (staging / "a.csv").write_text("new a")
    assert (tmp_path / "a.csv").read_text() == "new a"
    assert sorted(os.listdir(tmp_path)) == ["a.csv", "notes.txt"]


def test_a_file_in_the_way_is_refused_before_any_work(tmp_path):
    (tmp_path / "results").write_text("not a folder")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        with atomic_directory(tmp_path / "results"):
            pytest.fail("the block must not run")


def test_replace_leaves_exactly_the_new_files(tmp_path):
    for name in ("a.csv", "old.csv"):
        (tmp_path / name).write_text("old")
    (tmp_path / "old_folder").mkdir()
    with atomic_directory(tmp_path, replace=True) as staging:
        (staging / "a.csv").write_text("new a")
    assert sorted(os.listdir(tmp_path)) == ["a.csv"]
    assert (tmp_path / "a.csv").read_text() == "new a"


def test_replace_with_a_rule_removes_only_what_it_names(tmp_path):
    for name in ("table_old.csv", "notes.txt"):
        (tmp_path / name).write_text("old")
    with atomic_directory(tmp_path, replace=lambda name: name.startswith("table_")) as staging:
        (staging / "table_new.csv").write_text("new")
    assert sorted(os.listdir(tmp_path)) == ["notes.txt", "table_new.csv"]


def test_staging_of_ended_processes_is_removed(tmp_path):
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    target = tmp_path / "results"
    target.mkdir()
    dead = [target / f".results.{ended.pid}-0123abcd.tmp", tmp_path / ".results.89abcdef.tmp"]
    live = target / f".results.{os.getpid()}-cafef00d.tmp"
    for folder in [*dead, live]:
        folder.mkdir()
        (folder / "x").write_text("x")
    assert is_staging(live, "results") and not is_staging(target / "x.tmp")
    with atomic_directory(target) as staging:
        (staging / "a.csv").write_text("1")
    assert not any(folder.exists() for folder in dead) and live.exists()
    assert remove_stale_staging(target) == []  # the live one stays
