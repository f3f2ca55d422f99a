"""WAL checkpoints off the commits' path (store.checkpoint): no commit of the console runs one;
the checkpoint thread does, at a pause or past the hard limit; closing leaves a clean file."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from meeting_console.core import agenda, meetings
from meeting_console.core.api import Core
from meeting_console.store.checkpoint import Checkpointer
from meeting_console.store.engine import open_database


def wait_for(cond: Callable[[], bool], limit_s: float = 30.0) -> bool:
    """Wait for a background thread's work (not a timing check: the limit is only a guard)."""
    end = time.monotonic() + limit_s
    pause = threading.Event()
    while not cond():
        if time.monotonic() > end:
            return False
        pause.wait(0.01)
    return True


def _fill(core: Core, items: int) -> int:
    mid = meetings.create_meeting(core, "Kỳ họp", date(2022, 1, 14)).result
    for i in range(items):
        agenda.add_item(core, mid, f"Nội dung số {i + 1}: báo cáo, thảo luận và biểu quyết " * 8, planned_minutes=3)
    return mid


def test_console_connections_never_checkpoint_in_a_commit(db_path: Path) -> None:
    core = Core.open(str(db_path))
    ck = core.db.checkpointer
    assert ck is not None
    ck.stop()  # the thread is off: whatever the log holds now, the commits left there
    try:
        with core.db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        _fill(core, 400)
        backlog = ck.backlog()
        assert backlog is not None and backlog > 1000  # SQLite's default would have run one at 1000
        busy, frames, done = ck.checkpoint()
        assert busy == 0 and done == frames and ck.backlog() == 0
    finally:
        core.close()


def test_the_thread_checkpoints_at_a_pause(db_path: Path) -> None:
    core = Core.open(str(db_path))
    ck = core.db.checkpointer
    assert ck is not None
    try:
        ck.pages, ck.idle_s = 50, 0.05
        _fill(core, 60)
        assert wait_for(lambda: ck.checkpoints >= 1 and (ck.backlog() or 0) < 50)
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as ro:  # readers see every row
            assert ro.execute("SELECT count(*) FROM agenda_item").fetchone()[0] == 60
    finally:
        core.close()


def test_hard_limit_checkpoints_while_writes_go_on(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE t (x TEXT)")
    ck = Checkpointer(str(path), pages=20, hard_pages=100, idle_s=3600.0)  # never a pause
    try:
        for i in range(400):
            conn.execute("INSERT INTO t VALUES (?)", ("x" * 3000 + str(i),))
            ck.wrote()
            if ck.checkpoints:
                break
        assert wait_for(lambda: ck.checkpoints >= 1)
        assert (ck.backlog() or 0) < 400
    finally:
        ck.stop()
        conn.close()


def test_close_leaves_a_clean_file(db_path: Path) -> None:
    core = Core.open(str(db_path))
    assert core.db.checkpointer is not None
    core.db.checkpointer.stop()
    _fill(core, 300)
    core.close()
    wal = Path(f"{db_path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as ro:
        assert ro.execute("SELECT count(*) FROM agenda_item").fetchone()[0] == 300
        assert ro.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_moved_or_deleted_file_is_left_alone(db_path: Path, tmp_path: Path) -> None:
    db = open_database(str(db_path))
    ck = db.checkpointer
    assert ck is not None
    try:
        moved = tmp_path / "moved.db"
        db_path.rename(moved)
        assert ck.checkpoint() is None
        assert not db_path.exists()  # never created where the database was
        db_path.write_bytes(b"")  # another file at the path
        assert ck.checkpoint() is None
    finally:
        db.dispose()


def test_postgresql_and_memory_have_none() -> None:
    db = open_database("sqlite:///:memory:")
    try:
        assert db.checkpointer is None
    finally:
        db.dispose()
