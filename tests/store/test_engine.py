"""Opening databases: pragmas, migrations, and every kind of bad database file."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from meeting_console.core.api import Core
from meeting_console.errors import StoreError
from meeting_console.store.engine import head_revision, open_database, resolve_url


def test_new_database_pragmas_and_schema(db_path: Path) -> None:
    db = open_database(str(db_path))
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
            tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"meeting", "agenda_item", "endpoint", "meeting_endpoint", "endpoint_status_event", "person",
                "organisation", "speaker_request", "award_type", "award_grant", "journal"} <= tables
    finally:
        db.dispose()


def test_head_revision_constant_matches_the_migrations() -> None:
    from meeting_console.store.engine import HEAD_REVISION

    assert head_revision() == HEAD_REVISION


def test_database_file_is_owner_only(db_path: Path) -> None:
    open_database(str(db_path)).dispose()
    assert stat.S_IMODE(os.stat(db_path).st_mode) & 0o077 == 0


def test_reopen_keeps_data(db_path: Path, clock) -> None:
    from datetime import date

    from meeting_console.core import meetings, reads

    c = Core.open(str(db_path), clock=clock)
    mid = meetings.create_meeting(c, "Hội nghị", date(2022, 1, 14)).result
    c.close()
    c2 = Core.open(str(db_path), clock=clock)
    assert reads.meeting(c2, mid).title == "Hội nghị"
    c2.close()


def test_url_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"
    assert resolve_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("MEETING_CONSOLE_DB", str(tmp_path / "env.db"))
    assert resolve_url(None).endswith("env.db")
    monkeypatch.delenv("MEETING_CONSOLE_DB")
    assert resolve_url(None).endswith("meetings.db")


def _unchanged(path: Path):
    before = path.read_bytes() if path.is_file() else None

    def check() -> None:
        if before is not None:
            assert path.read_bytes() == before

    return check


def test_directory_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        open_database(str(tmp_path))


def test_not_sqlite_refused(tmp_path: Path) -> None:
    p = tmp_path / "notes.db"
    p.write_text("Biên bản hội nghị\n")
    check = _unchanged(p)
    with pytest.raises(StoreError, match="not an SQLite file"):
        open_database(str(p))
    check()


def test_corrupted_refused(tmp_path: Path) -> None:
    p = tmp_path / "bad.db"
    open_database(str(p)).dispose()
    data = bytearray(p.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page after the header
    p.write_bytes(bytes(data))
    check = _unchanged(p)
    with pytest.raises(StoreError, match=r"bad\.db"):
        open_database(str(p))
    check()


def test_read_only_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CI runs as root, where file modes do not bite; the check goes through os.access, so
    the test makes os.access say what a read-only file says to a normal user."""
    p = tmp_path / "ro.db"
    open_database(str(p)).dispose()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path) == p and mode == os.W_OK
                        else real_access(path, mode))
    check = _unchanged(p)
    with pytest.raises(StoreError, match="read-only"):
        open_database(str(p))
    check()


def test_newer_version_refused(tmp_path: Path) -> None:
    p = tmp_path / "newer.db"
    open_database(str(p)).dispose()
    con = sqlite3.connect(p)
    con.execute("UPDATE alembic_version SET version_num='9999_from_the_future'")
    con.commit()
    con.close()
    check = _unchanged(p)
    with pytest.raises(StoreError, match="newer version"):
        open_database(str(p))
    check()


def test_foreign_sqlite_database_refused(tmp_path: Path) -> None:
    p = tmp_path / "other.db"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not a Meeting Console database"):
        open_database(str(p))


def test_missing_folder_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        open_database(str(tmp_path / "nowhere" / "m.db"))
