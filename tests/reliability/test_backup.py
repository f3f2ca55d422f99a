"""Online backups while the console writes, rotation, privacy, and the verified restore."""

from __future__ import annotations

import os
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from meeting_console.core import agenda, meetings, reads
from meeting_console.core.api import Core
from meeting_console.core.verify import backup_problem, verify_path
from meeting_console.errors import StoreError
from meeting_console.store import backup
from meeting_console.store.models import JournalEntry
from tests.factories import Built
from tests.reliability.conftest import file_digest, mc, raw

History = tuple[Core, Built]
T = datetime(2022, 1, 14, 1, 0, tzinfo=UTC)


def mode(p: Path) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def top(core: Core) -> int:
    with core.reading() as s:
        return int(s.execute(select(func.max(JournalEntry.id))).scalar() or 0)


def test_backup_of_an_open_database_holds_the_last_commit(db_path: Path, history: History) -> None:
    core, built = history
    agenda.update_item(core, built.items[0], notes="ghi chú mới nhất")  # still in the WAL
    info = backup.backup_core(core, "start")
    assert info is not None and info.reason == "start"
    assert info.taken_at == core.clock.now()
    assert info.path.parent == backup.backup_dir(db_path)
    assert verify_path(info.path).sound
    copy = Core.open(str(info.path))
    try:
        assert top(copy) == top(core)
        item = next(i for i in reads.agenda(copy, built.meeting_id) if i.id == built.items[0])
        assert item.notes == "ghi chú mới nhất"
    finally:
        copy.close()
    # a self-contained file: no WAL beside it
    assert not Path(f"{info.path}-wal").exists()


def test_backups_are_owner_only(db_path: Path, history: History) -> None:
    info = backup.make_backup(db_path, reason="manual")
    assert mode(info.path) == 0o600
    assert mode(info.path.parent) == 0o700
    assert mode(backup.backup_root()) == 0o700


def test_backups_while_another_console_writes(db_path: Path, clock, history: History) -> None:
    core, built = history
    other = Core.open(str(db_path), clock=clock, seat="other")
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            meetings.update_meeting(other, built.meeting_id, summary=f"lần {n}")

    t = threading.Thread(target=write)
    t.start()
    try:
        infos = [backup.make_backup(db_path, reason="periodic", now=T + timedelta(minutes=5 * i))
                 for i in range(4)]
    finally:
        stop.set()
        t.join()
        other.close()
    for info in infos:
        assert verify_path(info.path).sound, info


def test_rotation_keeps_the_newest(tmp_path: Path, db_path: Path, history: History) -> None:
    folder = tmp_path / "bk"
    for i in range(15):
        backup.make_backup(db_path, reason="periodic", dest_dir=folder, now=T + timedelta(minutes=i),
                           keep_periodic=12, keep_marked=3)
    for i, reason in enumerate(["start", "manual", "close", "manual", "manual"]):
        backup.make_backup(db_path, reason=reason, dest_dir=folder, now=T + timedelta(hours=1, minutes=i),
                           keep_periodic=12, keep_marked=3)
    left = backup.list_backups(folder=folder)
    periodic = [b for b in left if b.reason == "periodic"]
    marked = [b for b in left if b.reason != "periodic"]
    assert len(periodic) == 12 and min(b.taken_at for b in periodic) == T + timedelta(minutes=3)
    assert [b.reason for b in marked] == ["manual", "manual", "close"]
    assert left == sorted(left, key=lambda b: b.taken_at, reverse=True)


def test_two_backups_in_one_second(db_path: Path, history: History) -> None:
    a = backup.make_backup(db_path, reason="manual", now=T)
    b = backup.make_backup(db_path, reason="manual", now=T)
    assert a.path != b.path and a.path.exists() and b.path.exists()
    assert len(backup.list_backups(db_path)) == 2


def test_restore_brings_back_the_backup_and_keeps_the_replaced(db_path: Path, clock,
                                                                history: History) -> None:
    core, built = history
    saved = backup.make_backup(db_path, reason="manual", now=T)
    saved_top = top(core)
    agenda.add_item(core, built.meeting_id, "Mục thêm sau bản sao")
    later_top = top(core)
    core.close()
    result = backup.restore(saved.path, db_path, check=backup_problem, now=T + timedelta(minutes=1))
    assert result.kept is not None and result.kept.reason == "before-restore"
    assert mode(db_path) & 0o077 == 0
    again = Core.open(str(db_path), clock=clock)
    try:
        assert top(again) == saved_top
        assert verify_path(db_path).sound
        assert all(i.title != "Mục thêm sau bản sao" for i in reads.agenda(again, built.meeting_id))
    finally:
        again.close()
    kept = Core.open(str(result.kept.path))
    try:
        assert top(kept) == later_top
    finally:
        kept.close()


def test_restore_refused_while_a_console_has_it_open(db_path: Path, history: History) -> None:
    core, built = history
    saved = backup.make_backup(db_path, reason="manual", now=T)
    agenda.add_item(core, built.meeting_id, "Mục mới")
    before = top(core)
    with pytest.raises(StoreError, match="open in a console"):
        backup.restore(saved.path, db_path, check=backup_problem)
    assert top(core) == before  # the console works on, untouched
    agenda.add_item(core, built.meeting_id, "Mục mới nữa")


def test_restore_refuses_a_backup_that_is_not_sound(db_path: Path, history: History) -> None:
    core, _ = history
    saved = backup.make_backup(db_path, reason="manual", now=T)
    with raw(saved.path) as conn:
        conn.execute("UPDATE meeting SET title='Sửa lén'")
    core.close()
    before = file_digest(db_path)
    with pytest.raises(StoreError, match="not restored: the backup is not sound"):
        backup.restore(saved.path, db_path, check=backup_problem)
    assert file_digest(db_path) == before
    assert not list(db_path.parent.glob(".*.tmp"))


def test_backup_of_what_is_not_a_database(tmp_path: Path) -> None:
    p = tmp_path / "notes.db"
    p.write_text("không phải cơ sở dữ liệu")
    with pytest.raises(StoreError, match="not an SQLite database"):
        backup.make_backup(p)
    with pytest.raises(StoreError, match="no such database"):
        backup.make_backup(tmp_path / "absent.db")
    assert backup.list_backups(p) == []


def test_cli_backup_and_list(db_path: Path, history: History, tmp_path: Path) -> None:
    history[0].close()
    p = mc("backup", db=db_path)
    assert p.returncode == 0, p.stderr
    made = Path(p.stdout.strip())
    assert made.exists() and verify_path(made).sound
    listing = mc("backup", "--list", db=db_path)
    assert listing.returncode == 0 and str(made) in listing.stdout and "\tmanual\t" in listing.stdout
    out = mc("backup", "-o", str(tmp_path / "here"), db=db_path)
    assert out.returncode == 0 and Path(out.stdout.strip()).parent == tmp_path / "here"
    pg = mc("backup", db=None, env={"MEETING_CONSOLE_DB": "postgresql+psycopg://u@127.0.0.1:1/x"})
    assert pg.returncode == 2 and "pg_dump" in pg.stderr and len(pg.stderr.strip().splitlines()) == 1


def test_database_and_its_write_ahead_log_are_owner_only(history: History, db_path: Path) -> None:
    core, built = history
    agenda.update_item(core, built.items[0], notes="ghi chú")  # the WAL and its index exist now
    for p in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        assert p.exists() and mode(p) & 0o077 == 0, (p, oct(mode(p)))
