"""Output folders are replaced as a whole, and what a killed writer left beside them is recovered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from linkage.workspace import atomic_output_dir


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _write(out: Path, text: str) -> None:
    with atomic_output_dir(out) as tmp:
        (tmp / "a.txt").write_text(text)
        (tmp / "b.txt").write_text(text)


def test_a_failure_keeps_the_previous_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, "v1")
    with pytest.raises(RuntimeError), atomic_output_dir(out) as tmp:
        (tmp / "a.txt").write_text("v2")
        raise RuntimeError("boom")
    assert (out / "a.txt").read_text() == "v1" and (out / "b.txt").read_text() == "v1"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_leftovers_of_a_killed_writer_are_cleared(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, "v1")
    pid = _dead_pid()
    half = tmp_path / f".out.tmp-{pid}-abc"
    half.mkdir()
    (half / "a.txt").write_text("half")
    _write(out, "v2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert (out / "a.txt").read_text() == "v2"


def test_a_previous_result_moved_aside_is_put_back(tmp_path: Path) -> None:
    """Killed between moving the old folder aside and moving the new one in: `out` is missing, the old
    complete result sits in `.out.old-PID-…`; the next writer restores it before anything else."""
    out = tmp_path / "out"
    pid = _dead_pid()
    old = tmp_path / f".out.old-{pid}-xyz"
    old.mkdir()
    (old / "a.txt").write_text("v1")
    with pytest.raises(RuntimeError), atomic_output_dir(out):
        raise RuntimeError("the next run fails too")
    assert (out / "a.txt").read_text() == "v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_live_writers_folder_is_left_alone(tmp_path: Path) -> None:
    import os

    out = tmp_path / "out"
    busy = tmp_path / f".out.tmp-{os.getppid()}-live"
    busy.mkdir()
    _write(out, "v1")
    assert busy.exists()
