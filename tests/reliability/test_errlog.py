"""The log file: where it is, who can read it, what it keeps out."""

from __future__ import annotations

import logging
import os
import stat
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from meeting_console import errlog


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    path = errlog.setup_logging()
    yield path
    logger = logging.getLogger("meeting_console")
    for h in list(logger.handlers):
        logger.removeHandler(h)
        h.close()
    errlog._handler = None


def read(path: Path) -> str:
    for h in logging.getLogger("meeting_console").handlers:
        h.flush()
    return path.read_text(encoding="utf-8")


def test_log_file_in_the_user_log_directory_owner_only(log_path: Path) -> None:
    assert str(log_path).startswith(os.environ["XDG_STATE_HOME"])
    logging.getLogger("meeting_console.test").warning("probe %s answered after %d ms", "tcp", 12)
    assert "probe tcp answered after 12 ms" in read(log_path)
    assert stat.S_IMODE(os.stat(log_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(log_path.parent).st_mode) == 0o700
    assert errlog.log_file() == log_path


def test_no_names_from_a_failed_statement(log_path: Path) -> None:
    try:
        raise IntegrityError("INSERT INTO person (full_name, posts) VALUES (?, ?)",
                             ("Chẩu Văn Lâm", '["Bí thư Tỉnh ủy"]'), Exception("UNIQUE constraint failed"))
    except IntegrityError:
        logging.getLogger("meeting_console.ui.bus").exception("core call failed (op %s)", "people.add_person")
    logging.getLogger("meeting_console").error("refused: endpoint named 'Sơn Dương' on item %d", 3)
    text = read(log_path)
    assert "people.add_person" in text and "UNIQUE constraint failed" in text and "item 3" in text
    for personal in ("Chẩu", "Lâm", "Bí thư", "Sơn Dương"):
        assert personal not in text
    assert "[parameters: redacted]" in text


def test_rotation_keeps_files_private(log_path: Path) -> None:
    log = logging.getLogger("meeting_console.test")
    line = "x" * 1000
    for _ in range(errlog.MAX_BYTES // 1000 + 50):
        log.info(line)
    rotated = log_path.with_name(log_path.name + ".1")
    assert rotated.exists()
    assert stat.S_IMODE(os.stat(rotated).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(log_path).st_mode) == 0o600


def test_setting_up_twice_does_not_double_lines(log_path: Path) -> None:
    errlog.setup_logging()
    logging.getLogger("meeting_console").warning("once")
    assert read(log_path).count("once") == 1


def test_exception_hook_logs_and_the_console_goes_on(log_path: Path, qapp) -> None:
    from meeting_console.ui.app import install_excepthook

    old = sys.excepthook
    install_excepthook()
    try:
        try:
            raise ZeroDivisionError("division by zero in the forecast")
        except ZeroDivisionError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = old
    text = read(log_path)
    assert "unexpected error" in text and "ZeroDivisionError: division by zero in the forecast" in text
