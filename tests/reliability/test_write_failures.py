"""When a write fails — disk full, database locked by another process, read-only — the
operation is refused with a clear message, nothing is half-written, the UI shows what is really
stored, and work resumes once the cause is gone."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from meeting_console.cli import demo_path
from meeting_console.core import agenda, meeting_file, meetings, reads
from meeting_console.core.api import Core
from meeting_console.core.verify import STATE_TABLES, verify, verify_path
from meeting_console.errors import StoreError
from meeting_console.store import backup, engine
from tests.factories import Built, small_meeting

History = tuple[Core, Built]


def stored(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table (journal included), read beside the console (WAL)."""
    conn = sqlite3.connect(str(db), timeout=10)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
                for t in [*(t.name for t in STATE_TABLES), "journal"]}
    finally:
        conn.close()


# --- disk full ------------------------------------------------------------------------------


@contextlib.contextmanager
def page_limit(core: Core, extra_pages: int) -> Iterator[None]:
    """SQLite's own disk-full: no connection may grow the file past ``extra_pages`` more."""
    with core.db.engine.connect() as conn:
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar())

    def limit(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count={pages + extra_pages}")

    core.db.engine.dispose()
    event.listen(core.db.engine, "connect", limit)
    try:
        yield
    finally:
        event.remove(core.db.engine, "connect", limit)
        core.db.engine.dispose()


def test_disk_full_refuses_then_resumes(history: History, db_path: Path) -> None:
    core, built = history
    before = stored(db_path)
    with page_limit(core, 1):
        # the store's refusal reaches the user as it is: the file is not at fault
        with pytest.raises(StoreError, match=r"the disk is full; nothing was changed"):
            meeting_file.import_meeting(core, demo_path())
        with pytest.raises(StoreError, match="disk is full"):
            for n in range(200):  # small changes fill the last free page too
                agenda.add_item(core, built.meeting_id, f"Mục {n} " + "nội dung dài " * 40)
        after_refusals = stored(db_path)
        # every operation either went in whole (with its journal entry) or not at all
        assert len(after_refusals["journal"]) - len(before["journal"]) == n
        assert reads.meeting(core, built.meeting_id).title  # reads still work
    assert verify(core).sound
    jid = meeting_file.import_meeting(core, demo_path()).journal_id  # space again: it works
    assert jid is not None and verify(core).sound


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A real 3 MB filesystem (tmpfs), where the machine lets us mount one."""
    where = tmp_path / "small"
    where.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs",
                               str(where)], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot mount a small filesystem here: {exc}")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=30)


def fill(where: Path) -> Path:
    filler = where / "filler"
    with filler.open("wb") as fh:
        with contextlib.suppress(OSError):
            while True:
                fh.write(b"\0" * 16384)
                fh.flush()
    return filler


def test_really_full_filesystem(small_fs: Path, clock) -> None:
    db = small_fs / "meetings.db"
    core = Core.open(str(db), clock=clock)
    try:
        built = small_meeting(core)
        before = stored(db)
        filler = fill(small_fs)
        with pytest.raises(StoreError, match="the disk is full; nothing was changed"):
            meeting_file.import_meeting(core, demo_path())
        with pytest.raises(StoreError, match="the disk is full; nothing was changed"):
            agenda.add_item(core, built.meeting_id, "Mục", notes="ghi chú " * 2000)
        assert stored(db) == before
        # a backup onto the full disk fails cleanly too: a message, no half file
        with pytest.raises(StoreError, match="disk is full"):
            backup.make_backup(db, reason="manual", dest_dir=small_fs / "backups")
        assert not [p for p in (small_fs / "backups").iterdir()]
        filler.unlink()
        meeting_file.import_meeting(core, demo_path())
        agenda.add_item(core, built.meeting_id, "Mục sau khi dọn đĩa")
        assert verify(core).sound
    finally:
        core.close()


# --- locked by another process --------------------------------------------------------------

LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
conn.close()
"""


@contextlib.contextmanager
def locked(db: Path) -> Iterator[None]:
    """Another process holds the write lock (BEGIN IMMEDIATE) until the block ends."""
    proc = subprocess.Popen([sys.executable, "-c", LOCKER, str(db)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        yield
    finally:
        assert proc.stdin is not None
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait(timeout=30)


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """A busy timeout of 0.3 s instead of 5 s, for consoles opened after this fixture."""
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 300)


def test_locked_database_refuses_then_resumes(short_wait: None, _template, db_path: Path,
                                              clock) -> None:
    shutil.copy(_template[0], db_path)
    built = _template[1]
    core = Core.open(str(db_path), clock=clock)
    try:
        before = stored(db_path)
        with locked(db_path):
            with pytest.raises(StoreError, match=r"the database is busy \(locked by another console\)"):
                agenda.update_item(core, built.items[0], title="Khai mạc (sửa)")
            with pytest.raises(StoreError, match="busy"):
                core.undo(built.meeting_id)
            # readers never wait for a writer under WAL: the console still shows the meeting
            assert reads.snapshot(core, built.meeting_id).meeting.id == built.meeting_id
            assert stored(db_path) == before
        agenda.update_item(core, built.items[0], title="Khai mạc (sửa)")
        assert next(i for i in reads.agenda(core, built.meeting_id)
                    if i.id == built.items[0]).title == "Khai mạc (sửa)"
        assert verify(core).sound
    finally:
        core.close()


def test_read_only_database_refuses_then_resumes(history: History, db_path: Path) -> None:
    """A file that turns read-only under a running console (a chmod does not bite files
    already open, so SQLite is told directly: query_only), then writable again."""
    core, built = history
    before = stored(db_path)

    def read_only(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.execute("PRAGMA query_only=ON")

    core.db.engine.dispose()
    event.listen(core.db.engine, "connect", read_only)
    try:
        with pytest.raises(StoreError, match="the database is read-only; nothing was changed"):
            meetings.update_meeting(core, built.meeting_id, place="Hội trường B")
        assert stored(db_path) == before
    finally:
        event.remove(core.db.engine, "connect", read_only)
        core.db.engine.dispose()
    meetings.update_meeting(core, built.meeting_id, place="Hội trường B")
    assert reads.meeting(core, built.meeting_id).place == "Hội trường B"


def test_read_only_file_is_refused_at_start_with_its_name(history: History, db_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    history[0].close()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == db_path and mode == os.W_OK
                        else real_access(p, mode))
    with pytest.raises(StoreError, match=f"{db_path.name}: is read-only"):
        Core.open(str(db_path))
    monkeypatch.undo()
    Core.open(str(db_path)).close()
    assert verify_path(db_path).sound


# --- what the UI shows ----------------------------------------------------------------------


def test_ui_shows_what_is_stored_when_a_write_fails(short_wait: None, _template, db_path: Path,
                                                    clock, qtbot) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from meeting_console.ui.bus import Runner
    from meeting_console.ui.main_window import MainWindow

    shutil.copy(_template[0], db_path)
    built = _template[1]
    core = Core.open(str(db_path), clock=clock)
    runner = Runner(core)
    window = MainWindow(runner, built.meeting_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    item = built.items[0]
    old = next(i for i in reads.agenda(core, built.meeting_id) if i.id == item).title

    def shown_title() -> str:
        row = window.agenda.model.row_of(item)
        shown = window.agenda.model.row_at(row) if row is not None else None
        return "" if shown is None else getattr(shown, "item", shown).title  # timeline rows wrap items

    def refusals() -> list[QMessageBox]:
        return [b for b in window.findChildren(QMessageBox, "refusal") if b.isVisible()]

    try:
        qtbot.waitUntil(lambda: shown_title() == old)
        with locked(db_path):
            with qtbot.waitSignal(runner.operation_failed, timeout=10000) as failed:
                runner.run(agenda.update_item, item, title="Tiêu đề mới", initiator=window)
            assert "locked by another console" in failed.args[0]
            qtbot.waitUntil(lambda: bool(refusals()))
            assert "locked by another console" in refusals()[0].text()
            window.agenda.refresh()
            qtbot.waitUntil(lambda: not window.agenda._loading)
            assert shown_title() == old  # no phantom change
        for box in refusals():
            box.close()
        runner.run(agenda.update_item, item, title="Tiêu đề mới", initiator=window)
        qtbot.waitUntil(lambda: shown_title() == "Tiêu đề mới")
    finally:
        window.close()
        QApplication.processEvents()
        runner.shutdown()
        core.close()
