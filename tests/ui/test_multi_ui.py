"""Several consoles in the UI: what the user saw goes with the action; a console that acted on
a state another console already changed is told the current state and changes nothing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QSpinBox

from meeting_console.core import agenda, endpoints, reads
from meeting_console.core.api import Core
from meeting_console.ui.form import FormDialog
from meeting_console.ui.main_window import MainWindow
from tests.ui.test_agenda_ui import visible_dialog
from tests.ui.test_endpoints_ui import by_name, dialog, focus_panel


def test_next_item_after_another_console_moved_on(qtbot, window: MainWindow, core: Core, demo_id: int,
                                                  db_path: Path) -> None:
    panel = window.agenda
    panel.timer.stop()
    ids = [i.id for i in reads.agenda(core, demo_id)]
    agenda.next_item(core, demo_id)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.forecast is not None and panel.forecast.current_id == ids[0])
    other = Core.open(str(db_path), clock=core.clock, seat="thư ký 2")
    try:
        agenda.next_item(other, demo_id)  # this console has not heard of it yet (no watch)
    finally:
        other.close()
    hw = core.high_water()
    window.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(lambda: panel.view.hasFocus())
    qtbot.keyClick(panel.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    box = visible_dialog(qtbot, window, QMessageBox)
    second = reads.agenda(core, demo_id)[1]
    assert box.text().startswith("the agenda moved on at another console: item 2. ")
    assert second.title[:20] in box.text() and "Nothing was changed" in box.text()
    assert core.high_water() == hw  # the second item was not skipped
    assert [i.status for i in reads.agenda(core, demo_id)][:3] == ["done", "running", "pending"]
    box.close()
    # once the panel shows the current state, the key goes on from there
    panel.refresh()
    qtbot.waitUntil(lambda: panel.forecast is not None and panel.forecast.current_id == ids[1])
    panel.next_item()
    qtbot.waitUntil(lambda: [i.status for i in reads.agenda(core, demo_id)][:3] == ["done", "done", "running"])


def test_two_clerks_enter_the_present_count(qtbot, window: MainWindow, core: Core, demo_id: int,
                                            db_path: Path) -> None:
    panel = focus_panel(qtbot, window, "Sơn Dương")
    sd = by_name(core, demo_id)["Sơn Dương"].id
    qtbot.keyClick(panel.view, Qt.Key.Key_F3)
    dlg = dialog(qtbot, FormDialog)
    # while the form is open, the other clerk enters the count
    other = Core.open(str(db_path), clock=core.clock, seat="clerk-2", role="clerk")
    try:
        endpoints.set_present(other, sd, 30, seen={"present_delegates": None})
    finally:
        other.close()
    spin = dlg.widgets["present"]
    assert isinstance(spin, QSpinBox)
    spin.setValue(33)
    dlg.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "present delegates is now 30" in dlg.error.text())
    assert dlg.isVisible()  # the input is kept; the user decides
    assert by_name(core, demo_id)["Sơn Dương"].present_delegates == 30
    dlg.reject()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)


# --- roles --------------------------------------------------------------------------------


def seat_window(qtbot, core: Core, demo_id: int, **seat) -> MainWindow:
    from meeting_console.ui.bus import Runner

    runner = Runner(Core(core.db, clock=core.clock, **seat))
    w = MainWindow(runner, demo_id)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def close(qtbot, w: MainWindow) -> None:
    """The window closes, what the runner still delivers reaches live widgets, then the runner
    stops (else a late delivery lands in the next test's event loop, on deleted widgets)."""
    w.close()
    qtbot.waitUntil(lambda: w.runner._pending == 0, timeout=10000)
    w.runner.shutdown()
    QApplication.processEvents()


def enabled(panel) -> dict[str, bool]:
    return {a.text(): a.isEnabled() for a in panel.actions()}


def test_a_viewer_sees_every_change_action_disabled(qtbot, core: Core, demo_id: int, tmp_path: Path) -> None:
    w = seat_window(qtbot, core, demo_id, seat="màn hình", role="viewer")
    try:
        for panel in w.panels:
            acts = enabled(panel)
            allowed = {t for t, on in acts.items() if on}
            assert allowed <= {"Go to running item", "Group by kind", "Search", "Export run sheet (PDF)…",
                               "Save Excel template…"}, (type(panel).__name__, allowed)
        assert not w.undo_action.isEnabled() and not w.findChild(type(w.undo_action), "act-new").isEnabled()
        assert w.seat.seat_label.text() == "Seat: màn hình (viewer)"
        hw = core.high_water()
        w.agenda.view.setFocus()
        qtbot.keyClick(w.agenda.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        w.runner._pool.submit(lambda: None).result()  # anything queued has run
        assert core.high_water() == hw
        # a panel enabling an action on selection does not enable it for the viewer
        w.awards.act_present.setEnabled(True)
        assert not w.awards.act_present.isEnabled()
        w.grab().save(str(tmp_path / "viewer.png"))
    finally:
        close(qtbot, w)


def test_a_clerk_has_the_endpoint_and_attendance_actions(qtbot, core: Core, demo_id: int) -> None:
    w = seat_window(qtbot, core, demo_id, seat="clerk-1", role="clerk")
    try:
        assert not any(enabled(w.agenda).values()) or set(t for t, on in enabled(w.agenda).items() if on) == {
            "Go to running item"}
        assert not any(on for t, on in enabled(w.speakers).items())
        ep = enabled(w.endpoints)
        assert ep["Present…"] and ep["Roll call…"] and ep["Note…"] and ep["Release to monitor"]
        assert all(a.isEnabled() for a in w.endpoints.status_actions.values())
        people = enabled(w.people)
        assert people["Add person"] and not people["Add organisation"]
        assert w.undo_action.text()  # undo stays (the core checks the rows)
        assert not w.findChild(type(w.undo_action), "act-details").isEnabled()
        # and the clerk's work goes through
        panel = focus_panel(qtbot, w, "Sơn Dương")
        qtbot.keyClick(panel.view, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: by_name(core, demo_id)["Sơn Dương"].status == "lost")
        assert reads.journal(core, demo_id)[-1].seat == "clerk-1"
    finally:
        close(qtbot, w)


# --- connection loss ----------------------------------------------------------------------


def test_connection_loss_shown_refused_and_caught_up(qtbot, pg_server, clock, tmp_path: Path) -> None:
    """PostgreSQL: the listening connection is killed, then the server stops and starts again."""
    from meeting_console.cli import demo_path
    from meeting_console.core import meeting_file
    from meeting_console.ui.bus import Runner, offline_refusal

    name = pg_server.new_database(template="mc_template")
    core = Core.open(pg_server.url(name), clock=clock, seat="thư ký")
    other = Core.open(pg_server.url(name), clock=clock, seat="thư ký 2")
    runner = Runner(core)
    try:
        demo_id = int(meeting_file.import_meeting(core, demo_path()).result)
        w = MainWindow(runner, demo_id)
        qtbot.addWidget(w)
        w.show()
        w.agenda.timer.stop()
        runner.watch_external()
        qtbot.waitUntil(runner._listener.connected.is_set, timeout=10000)
        runner._watch_timer.stop()  # no polling: only NOTIFY or the catch-up bring changes
        banner = w.seat.banner
        assert banner.isHidden() and w.seat.link_label.text() == "● Connected"

        # 1. the link drops: shown at once; the other console writes while this one is deaf
        assert pg_server.terminate(name, "starts_with(upper(query), 'LISTEN')") == 1
        qtbot.waitUntil(lambda: not banner.isHidden(), timeout=5000)
        assert w.seat.link_label.text() == "● Not connected" and not runner.online
        errors: list[str] = []
        runner.run(agenda.next_item, demo_id, on_error=errors.append)
        qtbot.waitUntil(lambda: errors == [offline_refusal()])
        agenda.next_item(other, demo_id)  # its NOTIFY is lost to this console
        w.grab().save(str(tmp_path / "connection-lost.png"))
        qtbot.waitUntil(lambda: banner.isHidden(), timeout=10000)
        qtbot.waitUntil(lambda: w.agenda.forecast is not None and w.agenda.forecast.current_id is not None,
                        timeout=10000)  # caught up from the journal
        assert [i.status for i in reads.agenda(core, demo_id)][0] == "running"

        # 2. the server stops: operations are refused, nothing is claimed; it starts again
        hw = core.high_water()
        pg_server.stop_server()
        try:
            qtbot.waitUntil(lambda: not banner.isHidden(), timeout=10000)
            errors.clear()
            runner.run(agenda.next_item, demo_id, on_error=errors.append)
            qtbot.waitUntil(lambda: len(errors) == 1)
            assert "nothing was done" in errors[0]
        finally:
            pg_server.start_server()
        qtbot.waitUntil(lambda: banner.isHidden(), timeout=15000)
        assert core.high_water() == hw
        done: list[object] = []
        runner.run(agenda.next_item, demo_id, on_done=done.append)
        qtbot.waitUntil(lambda: len(done) == 1, timeout=10000)
        qtbot.waitUntil(lambda: [r.item.status for r in w.agenda.model.rows][:2] == ["done", "running"])
        close(qtbot, w)
    finally:
        runner.shutdown()
        other.close()
        core.close()
        pg_server.drop_database(name)


def test_viewer_window_on_a_select_only_role(qtbot, pg_server, clock) -> None:
    from meeting_console.cli import demo_path
    from meeting_console.core import meeting_file
    from meeting_console.ui.bus import Runner
    from tests.core.test_readonly_role import read_only_url

    name = pg_server.new_database(template="mc_template")
    owner = Core.open(pg_server.url(name), clock=clock, seat="thư ký")
    runner = None
    try:
        demo_id = int(meeting_file.import_meeting(owner, demo_path()).result)
        viewer = Core.open(read_only_url(pg_server, name), clock=clock, seat="màn hình", role="viewer")
        runner = Runner(viewer)
        failures: list[str] = []
        runner.operation_failed.connect(lambda msg, _who: failures.append(msg))
        w = MainWindow(runner, demo_id)
        qtbot.addWidget(w)
        w.show()
        runner.watch_external()
        qtbot.waitUntil(lambda: len(w.agenda.model.rows) == 7)
        agenda.next_item(owner, demo_id)
        qtbot.waitUntil(lambda: [r.item.status for r in w.agenda.model.rows][0] == "running", timeout=10000)
        assert not failures and not w.undo_action.isEnabled()
        qtbot.waitUntil(lambda: runner._pending == 0, timeout=10000)
        w.close()
    finally:
        if runner is not None:
            runner.shutdown()
            runner.core.close()
        owner.close()
        pg_server.drop_database(name)


def test_password_prompt_dialog(qtbot, pg_server, monkeypatch, tmp_path: Path) -> None:
    """No password in the URL, PGPASSWORD or .pgpass: the window's start asks in a dialog."""
    import argparse

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from meeting_console.cli import open_core
    from meeting_console.ui.password import ask_password
    from tests.store.test_credentials import SECRET, locked_db  # noqa: F401 (the fixture)

    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    url = locked_db.__wrapped__(pg_server)
    shown: list[str] = []

    def answer() -> None:
        dlg = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QInputDialog) and w.isVisible()), None)
        if dlg is None:
            QTimer.singleShot(20, answer)
            return
        shown.append(dlg.labelText())
        assert dlg.textEchoMode() == QLineEdit.EchoMode.Password
        dlg.setTextValue(SECRET)
        dlg.accept()

    QTimer.singleShot(0, answer)
    core = open_core(argparse.Namespace(db=url, seat="thư ký", role="secretariat", command="open"),
                     ask=ask_password)
    core.close()
    assert shown and "no password supplied" in shown[0]


def test_monitor_keeps_its_batch_while_not_connected(qtbot, runner) -> None:
    """A monitor batch refused because the console is offline is kept (a store error, retried
    at the next flush), not dropped as a refusal would be."""
    from meeting_console.core.endpoints import MonitorBatch
    from meeting_console.errors import StoreError
    from meeting_console.ui.endpoint_monitor import MonitorController

    ctl = MonitorController(runner)
    ctl.meeting_id = 1
    runner._go_offline("test")
    got: list[object] = []
    ctl._write_batch(MonitorBatch([]), lambda result, error: got.append(error))
    qtbot.waitUntil(lambda: bool(got))
    assert isinstance(got[0], StoreError)
