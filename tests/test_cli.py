"""The command line, run as a user runs it: a real process, exit codes, one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from meeting_console import __version__


def mc(*args: str, db: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "meeting_console"]
    if db is not None:
        cmd += ["--db", str(db)]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def one_line_error(p: subprocess.CompletedProcess[str]) -> str:
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert "Traceback" not in p.stderr
    return lines[0]


def test_version() -> None:
    p = mc("--version")
    assert p.returncode == 0 and p.stdout.strip() == f"meeting-console {__version__}"


def test_import_list_export_roundtrip(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    p = mc("import", "--demo", db=db)
    assert p.returncode == 0, p.stderr
    mid = p.stdout.strip()
    assert mid.isdigit()
    listing = mc("list", db=db)
    assert listing.returncode == 0
    assert listing.stdout.strip() == f"{mid}\t2022-01-14\tdraft\tHội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 8"
    out = tmp_path / "out.yaml"
    assert mc("export", mid, "-o", str(out), db=db).returncode == 0
    again = mc("import", str(out), db=db)
    assert again.returncode == 0 and again.stdout.strip() != mid
    # exporting the re-imported meeting gives the same file
    out2 = tmp_path / "out2.yaml"
    assert mc("export", again.stdout.strip(), "-o", str(out2), db=db).returncode == 0
    assert out.read_text(encoding="utf-8") == out2.read_text(encoding="utf-8")


def test_env_variable_names_the_database(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    assert mc("import", "--demo", env={"MEETING_CONSOLE_DB": str(db)}).returncode == 0
    assert db.exists()


@pytest.mark.parametrize("args, message", [
    (("export", "99", "-o", "x.yaml"), "unknown meeting id 99"),
    (("export", "abc", "-o", "x.yaml"), "meeting id must be a number"),
    (("export", "1"), "required: -o/--output"),
    (("frobnicate",), "invalid choice"),
    (("import", "missing.yaml"), "missing.yaml"),
])
def test_user_errors_are_one_line_exit_2(tmp_path: Path, args, message) -> None:
    db = tmp_path / "t.db"
    assert mc("list", db=db).returncode == 0
    before = db.read_bytes()
    line = one_line_error(mc(*args, db=db))
    assert message in line
    assert db.read_bytes() == before


def test_bad_database_paths(tmp_path: Path) -> None:
    assert "is a directory" in one_line_error(mc("list", db=tmp_path))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00\x01 not sqlite at all" * 100)
    assert "not an SQLite file" in one_line_error(mc("list", db=junk))
    assert junk.read_bytes() == b"\x00\x01 not sqlite at all" * 100


def test_bad_meeting_file_names_file_line_field(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: meeting-console/1\nmeeting:\n  title: X\n  date: 2022-02-31\n", encoding="utf-8")
    line = one_line_error(mc("import", str(bad), db=db))
    assert "bad.yaml:4" in line and "date" in line
    assert mc("list", db=db).stdout == ""
