"""``meeting-console record MEETING -o FILE.pdf [--to RECIPIENT …]``: headless, exit 0 with
the file written, exit 2 with one line and no file when it cannot be written."""

from __future__ import annotations

from pathlib import Path

import pytest

from meeting_console import cli
from meeting_console.core.api import Core
from meeting_console.core.clock import FakeClock
from tests.record import seed
from tests.record.conftest import pdf_text


def test_record_command_with_distribution(core: Core, clock: FakeClock, db_path: Path,
                                          tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    s = seed.seed_article(core)
    seed.hold(core, s.meeting_id, clock)
    db = str(db_path)
    out = tmp_path / "bien-ban.pdf"
    code = cli.main(["--db", db, "record", str(s.meeting_id), "-o", str(out),
                     "--to", "Ban Thường vụ Tỉnh ủy", "--to", "Lưu Văn phòng Tỉnh ủy"])
    assert code == 0, capsys.readouterr().err
    text = pdf_text(out)
    assert "BIÊN BẢN" in text
    assert "Nơi nhận: - Ban Thường vụ Tỉnh ủy, - Lưu Văn phòng Tỉnh ủy." in text


def test_record_command_into_a_missing_folder(core: Core, db_path: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    s = seed.seed_article(core)
    target = tmp_path / "no" / "such" / "r.pdf"
    code = cli.main(["--db", str(db_path), "record", str(s.meeting_id),
                     "-o", str(target)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "does not exist" in err and "Traceback" not in err
    assert not target.parent.exists()
