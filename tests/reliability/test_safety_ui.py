"""Meeting › Check database, Back up now, Restore from backup, and the backups the console
takes by itself: through the main window, on a real database file."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qt_compat import qt_api

from meeting_console.core import agenda, reads
from meeting_console.core.api import Core
from meeting_console.core.verify import VerifyReport
from meeting_console.store import backup
from meeting_console.ui.bus import Runner
from meeting_console.ui.main_window import MainWindow
from meeting_console.ui.safety import CheckDatabaseDialog, RestoreDialog
from tests.factories import Built
from tests.reliability.conftest import raw

DOCS = Path(__file__).resolve().parents[2] / "docs"
SHOTS = os.environ.get("MC_SCREENSHOTS") == "1"  # write docs/ screenshots when asked


@pytest.fixture
def console(_template, db_path: Path, clock, qtbot) -> Iterator[tuple[MainWindow, Core, Built]]:
    shutil.copy(_template[0], db_path)
    built = _template[1]
    core = Core.open(str(db_path), clock=clock, seat="test")
    runner = Runner(core)
    window = MainWindow(runner, built.meeting_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window, core, built
    for dlg in window.findChildren(QMessageBox):
        dlg.close()
    window.safety.scheduler.shutdown()
    window.close()
    QApplication.processEvents()
    runner.shutdown()
    core.close()


def action(window: MainWindow, name: str):
    from PySide6.QtGui import QAction

    act = window.findChild(QAction, name)
    assert act is not None, name
    return act


def visible(window: MainWindow, cls, name: str = ""):
    found = [d for d in window.findChildren(cls) if d.isVisible() and (not name or d.objectName() == name)]
    return found[-1] if found else None


def test_meeting_menu_has_the_safety_actions(console) -> None:
    window, _, _ = console
    menu = window.menuBar().actions()[0].menu()
    names = [a.objectName() for a in menu.actions()]
    assert names.index("act-check-database") < names.index("act-backup") < names.index(
        "act-restore-backup") < names.index("act-quit")
    assert action(window, "act-backup").shortcut().toString() == "Ctrl+Alt+B"


def test_check_database_shows_sound(console, qtbot) -> None:
    window, _, _ = console
    action(window, "act-check-database").trigger()
    qtbot.waitUntil(lambda: visible(window, CheckDatabaseDialog) is not None)
    dlg = visible(window, CheckDatabaseDialog)
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=20000)
    assert dlg.report.sound
    assert "The database is sound" in dlg.headline.text()
    assert "journal entries replayed" in dlg.details.toPlainText()
    assert dlg.close_button.isEnabled() and not dlg.cancel_button.isEnabled()
    if SHOTS:
        dlg.grab().save(str(DOCS / "check-database.png"))
    dlg.accept()


def test_check_database_names_what_differs(console, db_path: Path, qtbot) -> None:
    window, _, built = console
    with raw(db_path) as conn:
        conn.execute("UPDATE agenda_item SET status='done' WHERE id=?", (built.items[1],))
    action(window, "act-check-database").trigger()
    qtbot.waitUntil(lambda: visible(window, CheckDatabaseDialog) is not None)
    dlg = visible(window, CheckDatabaseDialog)
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=20000)
    assert not dlg.report.sound
    assert "NOT sound" in dlg.headline.text()
    assert f"agenda_item #{built.items[1]} status is 'done' in the database" in dlg.details.toPlainText()
    if SHOTS:
        dlg.grab().save(str(DOCS / "check-database-not-sound.png"))
    dlg.accept()


def test_check_can_be_cancelled(console, qtbot) -> None:
    window, core, _ = console
    started = threading.Event()

    def slow_check(core, *, progress, cancel) -> VerifyReport:
        progress("journal", 10, 1000)
        started.set()
        cancel.wait(20)
        return VerifyReport(core.db.location, cancelled=cancel.is_set())

    dlg = CheckDatabaseDialog(core, window, check=slow_check)
    dlg.open()
    dlg.start()
    qtbot.waitUntil(lambda: dlg.bar.maximum() == 1000)
    assert dlg.stage.text() == "replaying the journal" and dlg.cancel_button.isEnabled()
    qtbot.mouseClick(dlg.cancel_button, qt_api.QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.report is not None)
    assert dlg.report.cancelled and "cancelled" in dlg.headline.text()
    dlg.accept()


def test_back_up_now(console, db_path: Path, qtbot) -> None:
    window, _, _ = console
    with qtbot.waitSignal(window.safety.scheduler.backed_up, timeout=20000) as got:
        action(window, "act-backup").trigger()
    info = got.args[0]
    assert info.reason == "manual" and info.path.exists()
    assert info in backup.list_backups(db_path)
    assert "Backup" in window.safety.scheduler.label.text()


def test_backups_at_start_and_close_and_while_live(console, db_path: Path, qtbot) -> None:
    window, core, built = console
    sched = window.safety.scheduler
    qtbot.waitUntil(lambda: built.meeting_id in sched._status)
    with qtbot.waitSignal(sched.backed_up, timeout=20000) as got:
        window.runner.run(agenda.start_meeting, built.meeting_id, initiator=window)
    assert got.args[0].reason == "start"
    qtbot.waitUntil(lambda: window.meeting is not None and window.meeting.status == "live")
    with qtbot.waitSignal(sched.backed_up, timeout=20000) as got:
        sched.tick()  # what the timer does every few minutes
    assert got.args[0].reason == "periodic"
    with qtbot.waitSignal(sched.backed_up, timeout=20000) as got:
        window.runner.run(agenda.close_meeting, built.meeting_id, initiator=window)
    assert got.args[0].reason == "close"
    assert {b.reason for b in backup.list_backups(db_path)} == {"start", "periodic", "close"}
    qtbot.waitUntil(lambda: window.meeting is not None and window.meeting.status == "closed")
    with qtbot.assertNotEmitted(sched.backed_up, wait=300):
        sched.tick()  # not live any more: no periodic backup


def test_backup_failure_shows_in_the_status_bar(console, qtbot, monkeypatch) -> None:
    window, _, _ = console
    from meeting_console.errors import StoreError

    def full(*_a, **_k):
        raise StoreError("meetings.db: the backup failed: the disk is full")

    monkeypatch.setattr(backup, "backup_core", full)
    with qtbot.waitSignal(window.safety.scheduler.failed, timeout=20000):
        action(window, "act-backup").trigger()
    label = window.safety.scheduler.label
    assert label.text() == "⚠ Backup failed" and "disk is full" in label.toolTip()


def test_a_backup_shown_in_the_bar_lays_out_nothing(console, qtbot, monkeypatch) -> None:
    """The backup label is as wide as its widest text from the start: a backup done (the start
    backup lands during the secretary's next key presses) or failed repaints the label alone,
    not the whole window, and its text is shown whole."""
    from PySide6.QtCore import QEvent, QObject

    from meeting_console.errors import StoreError

    class Layouts(QObject):
        count = 0

        def eventFilter(self, _obj, ev) -> bool:  # noqa: N802
            if ev.type() == QEvent.Type.LayoutRequest:
                Layouts.count += 1
            return False

    window, _, _ = console
    label = window.safety.scheduler.label
    for _i in range(5):
        QApplication.processEvents()
    layouts = Layouts()
    window.installEventFilter(layouts)
    with qtbot.waitSignal(window.safety.scheduler.backed_up, timeout=20000):
        action(window, "act-backup").trigger()
    for _i in range(5):
        QApplication.processEvents()
    assert label.text().startswith("Backup") and label.width() >= label.sizeHint().width()

    def full(*_a, **_k):
        raise StoreError("the disk is full")

    monkeypatch.setattr(backup, "backup_core", full)
    with qtbot.waitSignal(window.safety.scheduler.failed, timeout=20000):
        action(window, "act-backup").trigger()
    for _i in range(5):
        QApplication.processEvents()
    assert label.text() == "⚠ Backup failed" and label.width() >= label.sizeHint().width()
    assert Layouts.count == 0


def _restore_dialog(window: MainWindow, qtbot) -> RestoreDialog:
    action(window, "act-restore-backup").trigger()
    qtbot.waitUntil(lambda: visible(window, RestoreDialog) is not None)
    dlg = visible(window, RestoreDialog)
    qtbot.waitUntil(lambda: all(r.state != "checking" for r in dlg.model.rows), timeout=30000)
    return dlg


def test_restore_only_sound_backups_then_the_window_shows_the_restored_state(
        console, db_path: Path, qtbot, qtmodeltester) -> None:
    window, core, built = console
    good = backup.make_backup(db_path, reason="start")
    bad = backup.make_backup(db_path, reason="periodic")
    with raw(bad.path) as conn:
        conn.execute("UPDATE meeting SET title='Sửa lén'")
    with qtbot.waitSignal(window.runner.operation_did_execute, timeout=10000):
        window.runner.run(agenda.add_item, built.meeting_id, "Mục thêm sau bản sao", initiator=window)
    qtbot.waitUntil(lambda: any(getattr(r, "item", r).title == "Mục thêm sau bản sao"
                                for r in window.agenda.model.rows))
    dlg = _restore_dialog(window, qtbot)
    qtmodeltester.check(dlg.model)
    states = {r.info.path: r.state for r in dlg.model.rows}
    assert states == {good.path: "sound", bad.path: "unsound"}
    dlg.view.selectRow(dlg.model.row_of(next(r.id for r in dlg.model.rows if r.info.path == bad.path)))
    assert not dlg.restore_button.isEnabled()
    dlg.view.selectRow(dlg.model.row_of(next(r.id for r in dlg.model.rows if r.info.path == good.path)))
    assert dlg.restore_button.isEnabled()
    assert "Hội nghị" in dlg.detail.toPlainText()
    if SHOTS:
        dlg.grab().save(str(DOCS / "restore-backup.png"))
    dlg.restore_button.click()
    qtbot.waitUntil(lambda: visible(dlg, QMessageBox, "confirm-restore") is not None)
    visible(dlg, QMessageBox, "confirm-restore").button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: visible(window, QMessageBox, "restored") is not None, timeout=20000)
    qtbot.waitUntil(lambda: not any(getattr(r, "item", r).title == "Mục thêm sau bản sao"
                                    for r in window.agenda.model.rows))
    assert all(i.title != "Mục thêm sau bản sao" for i in reads.agenda(core, built.meeting_id))
    kept = [b for b in backup.list_backups(db_path) if b.reason == "before-restore"]
    assert len(kept) == 1
    # the console works on: an edit after the restore is stored and shown
    with qtbot.waitSignal(window.runner.operation_did_execute, timeout=10000):
        window.runner.run(agenda.add_item, built.meeting_id, "Mục sau khôi phục", initiator=window)
    assert any(i.title == "Mục sau khôi phục" for i in reads.agenda(core, built.meeting_id))


def test_restore_refused_while_another_console_has_it_open(console, db_path: Path, clock,
                                                           qtbot) -> None:
    window, core, built = console
    backup.make_backup(db_path, reason="manual")
    other = Core.open(str(db_path), clock=clock, seat="other")
    try:
        reads.meeting(other, built.meeting_id)  # holds a connection
        dlg = _restore_dialog(window, qtbot)
        dlg.view.selectRow(0)
        dlg.restore(dlg.selected())
        qtbot.waitUntil(lambda: "Not restored" in dlg.detail.toPlainText(), timeout=20000)
        assert "open in a console" in dlg.detail.toPlainText()
        dlg.reject()
    finally:
        other.close()
    # this console goes on with its database
    with qtbot.waitSignal(window.runner.operation_did_execute, timeout=10000):
        window.runner.run(agenda.add_item, built.meeting_id, "Vẫn làm việc", initiator=window)


def test_the_start_backup_waits_for_a_quiet_moment(console, db_path: Path, qtbot) -> None:
    """The start backup is not taken during the secretary's next key presses: each operation
    puts it off (QUIET_MS without one), LATEST_MS at most; one still waiting when the console
    closes is taken before it goes."""
    import time

    window, _core, built = console
    sched = window.safety.scheduler
    sched.QUIET_MS, sched.LATEST_MS = 400, 60_000
    qtbot.waitUntil(lambda: built.meeting_id in sched._status)
    taken: list[tuple[float, str]] = []
    sched.backed_up.connect(lambda info: taken.append((time.monotonic(), info.reason)))
    window.runner.run(agenda.start_meeting, built.meeting_id, initiator=window)
    qtbot.waitUntil(lambda: sched.waiting() == "start")
    # operations every 200 ms for a second: the backup waits
    for _ in range(5):
        qtbot.wait(200)
        window.runner.run(agenda.next_item, built.meeting_id, initiator=window)
    last_operation = time.monotonic()
    assert taken == [] and sched.waiting() == "start"
    qtbot.waitUntil(lambda: bool(taken), timeout=10_000)
    assert taken[0][1] == "start" and taken[0][0] - last_operation >= 0.3
    assert {b.reason for b in backup.list_backups(db_path)} == {"start"}
    # however busy the console, no longer than LATEST_MS
    sched.QUIET_MS, sched.LATEST_MS = 60_000, 500
    started = time.monotonic()
    sched.tick()
    qtbot.waitUntil(lambda: len(taken) == 2, timeout=10_000)
    assert taken[1][1] == "periodic" and 0.4 <= taken[1][0] - started < 5
    # one waiting when a backup is asked for by hand (or the meeting closes) is taken first
    sched.QUIET_MS, sched.LATEST_MS = 60_000, 60_000
    sched.tick()
    assert sched.waiting() == "periodic"
    action(window, "act-backup").trigger()
    assert sched.waiting() is None
    qtbot.waitUntil(lambda: len(taken) == 4, timeout=10_000)
    assert [r for _t, r in taken[2:]] == ["periodic", "manual"]
    # one still waiting when the window closes is taken before it goes
    sched.tick()
    assert sched.waiting() == "periodic"
    window.close()
    assert sched.waiting() is None
    assert [b.reason for b in backup.list_backups(db_path)].count("periodic") == 3
