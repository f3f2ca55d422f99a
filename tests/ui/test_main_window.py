"""The main window on the demo meeting: real views over the store, edits through the UI."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPlainTextEdit, QSpinBox

from meeting_console.core import reads
from meeting_console.ui.form import FormDialog
from meeting_console.ui.main_window import MainWindow, settings
from meeting_console.ui.table_model import IdRole


def _dialog(qtbot, window: MainWindow) -> FormDialog:
    found: list[FormDialog] = []

    def visible() -> bool:
        found[:] = [d for d in window.findChildren(FormDialog) if d.isVisible()]
        return bool(found)

    qtbot.waitUntil(visible)
    return found[-1]


def _select(panel, id_: int) -> None:
    panel.select_id(id_)
    panel.view.setFocus()


def test_window_shows_the_demo(window: MainWindow, demo_id: int, core) -> None:
    snap = reads.snapshot(core, demo_id)
    assert "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 8" in window.windowTitle()
    assert window.agenda.model.rowCount() == len(snap.agenda) == 7
    assert window.endpoints.model.rowCount() == len(snap.endpoints) == 10
    assert window.awards.model.rowCount() == len(snap.grants)
    assert window.speakers.model.rowCount() == len(snap.speakers) == 8
    titles = [window.agenda.model.index(r, 3).data() for r in range(7)]
    assert titles[0] == "Khai mạc hội nghị" and titles[-1] == "Bế mạc hội nghị"
    assert window.db_label.text().endswith(core.db.location)
    assert window.clock_label.text() == "07:30:00"  # the fake clock, in the meeting's zone


def test_edit_agenda_item_through_the_ui(qtbot, window: MainWindow, demo_id: int, core) -> None:
    item = reads.agenda(core, demo_id)[0]
    _select(window.agenda, item.id)
    qtbot.keyClick(window.agenda.view, Qt.Key.Key_F2)
    dlg = _dialog(qtbot, window)
    title = dlg.widgets["title"]
    assert isinstance(title, QPlainTextEdit)
    title.setPlainText("Khai mạc hội nghị (điều chỉnh)")
    minutes = dlg.widgets["planned_minutes"]
    assert isinstance(minutes, QSpinBox)
    minutes.setValue(20)
    dlg.buttons.accepted.emit()
    qtbot.waitUntil(lambda: reads.agenda(core, demo_id)[0].title == "Khai mạc hội nghị (điều chỉnh)")
    assert reads.agenda(core, demo_id)[0].planned_minutes == 20
    qtbot.waitUntil(lambda: window.agenda.model.index(0, 3).data() == "Khai mạc hội nghị (điều chỉnh)")
    # one undoable step, named in the Edit menu; Ctrl+Z undoes it
    qtbot.waitUntil(lambda: window.undo_action.text() == "Undo Edit agenda item")
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: reads.agenda(core, demo_id)[0].title == "Khai mạc hội nghị")
    assert reads.agenda(core, demo_id)[0].planned_minutes == item.planned_minutes


def test_edit_endpoint_through_the_ui(qtbot, window: MainWindow, demo_id: int, core) -> None:
    ep = next(e for e in reads.endpoints(core, demo_id) if e.name == "Sơn Dương")
    _select(window.endpoints, ep.id)
    qtbot.keyClick(window.endpoints.view, Qt.Key.Key_F2)
    dlg = _dialog(qtbot, window)
    present = dlg.widgets["present_delegates"]
    assert isinstance(present, QSpinBox)
    present.setValue(31)
    host = dlg.widgets["host"]
    assert isinstance(host, QLineEdit)
    host.setText("Đồng chí Giang Tuấn Anh")
    dlg.buttons.accepted.emit()
    qtbot.waitUntil(lambda: next(e for e in reads.endpoints(core, demo_id) if e.id == ep.id).present_delegates == 31)
    assert next(e for e in reads.endpoints(core, demo_id) if e.id == ep.id).host == "Đồng chí Giang Tuấn Anh"


def test_refused_edit_keeps_the_dialog_open(qtbot, window: MainWindow, demo_id: int, core) -> None:
    ep = next(e for e in reads.endpoints(core, demo_id) if e.name == "Sơn Dương")
    _select(window.endpoints, ep.id)
    qtbot.keyClick(window.endpoints.view, Qt.Key.Key_F2)
    dlg = _dialog(qtbot, window)
    name = dlg.widgets["name"]
    assert isinstance(name, QLineEdit)
    name.setText("Chiêm Hóa")  # taken by another endpoint
    dlg.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "exists already" in dlg.error.text())
    assert dlg.isVisible()
    assert next(e for e in reads.endpoints(core, demo_id) if e.id == ep.id).name == "Sơn Dương"


def test_edit_award_through_the_ui(qtbot, window: MainWindow, demo_id: int, core) -> None:
    grant = reads.grants(core, demo_id)[1]
    qtbot.waitUntil(lambda: window.awards.snap is not None)
    _select(window.awards, grant.id)
    window.awards.edit_selected()
    dlg = _dialog(qtbot, window)
    number = dlg.widgets["decision_number"]
    assert isinstance(number, QLineEdit)
    number.setText("1234/QĐ-CTN")
    presenter = dlg.widgets["presenter_id"]
    assert isinstance(presenter, QComboBox)
    son = next(p for p in reads.people(core, demo_id) if p.full_name == "Nguyễn Văn Sơn")
    presenter.setCurrentIndex(presenter.findData(son.id))
    dlg.buttons.accepted.emit()
    qtbot.waitUntil(lambda: reads.grants(core, demo_id)[1].decision_number == "1234/QĐ-CTN")
    assert reads.grants(core, demo_id)[1].presenter_name == "Nguyễn Văn Sơn"
    qtbot.waitUntil(lambda: window.awards.model.index(1, 6).data() == "Nguyễn Văn Sơn")


def test_meeting_details_dialog(qtbot, window: MainWindow, demo_id: int, core) -> None:
    window.edit_details()
    dlg = _dialog(qtbot, window)
    place = dlg.widgets["place"]
    assert isinstance(place, QLineEdit)
    place.setText("Hội trường Tỉnh ủy Tuyên Quang")
    dlg.buttons.accepted.emit()
    qtbot.waitUntil(lambda: reads.meeting(core, demo_id).place == "Hội trường Tỉnh ủy Tuyên Quang")
    qtbot.waitUntil(lambda: "Hội trường Tỉnh ủy Tuyên Quang" in window.state_label.text())


def test_layout_is_remembered(qtbot, window: MainWindow) -> None:
    window.docks["endpoints"].setFloating(True)
    window.close()
    assert settings().value("window/state") is not None
    w2 = MainWindow(window.runner, window.meeting_id)
    qtbot.addWidget(w2)
    assert w2.docks["endpoints"].isFloating()


def test_change_from_another_process_arrives_on_the_bus(qtbot, window: MainWindow, db_path) -> None:
    """A second console (another process) writes; this window hears of it on the bus. How soon
    is the benchmarks' business (display_bench.py, multi_console.py): the wait here is only a
    guard, long enough for a loaded machine (1.5 s once was not)."""
    window.runner.watch_external()
    seen: list = []
    window.runner.operation_did_execute.connect(lambda ch, who: seen.append((ch, who)))
    code = (
        "from datetime import date\n"
        "from meeting_console.core.api import Core\n"
        "from meeting_console.core import meetings\n"
        f"c = Core.open({str(db_path)!r}, seat='clerk')\n"
        "meetings.create_meeting(c, 'Họp từ máy khác', date(2022, 2, 1))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    qtbot.waitUntil(lambda: any(who == "external" for _ch, who in seen), timeout=15_000)
    assert any(who == "external" and "meeting" in ch.areas for ch, who in seen)


def test_new_meeting_from_the_menu(qtbot, window: MainWindow, core) -> None:
    window.new_meeting()
    dlg = _dialog(qtbot, window)
    title = dlg.widgets["title"]
    assert isinstance(title, QLineEdit)
    title.setText("Hội nghị lần thứ 9")
    dlg.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "Hội nghị lần thứ 9" in window.windowTitle())
    assert any(m.title == "Hội nghị lần thứ 9" for m in reads.list_meetings(core))
    assert window.agenda.model.rowCount() == 0


def test_models_pass_the_model_tester(qtmodeltester, window: MainWindow) -> None:
    for panel in window.panels:
        qtmodeltester.check(panel.model)


def test_ids_are_exposed_by_role(window: MainWindow, demo_id: int, core) -> None:
    ids = [window.agenda.model.index(r, 0).data(IdRole) for r in range(window.agenda.model.rowCount())]
    assert ids == [i.id for i in reads.agenda(core, demo_id)]
    assert date(2022, 1, 14) == reads.meeting(core, demo_id).date


def test_the_window_fits_an_office_screen(qtbot, window, core, demo_id) -> None:
    """1366×768 (the smallest office laptop screen) less a taskbar: no dock may ask more (the
    current speaker's pane once asked 800 px of height by itself), even live, in Vietnamese
    and with a long item title on the agenda's status lines."""
    from meeting_console.core import agenda, reads
    from meeting_console.ui.language import switch_language

    first = reads.agenda(core, demo_id)[0]
    window.runner.run_sync(agenda.update_item, first.id, title="Khai mạc hội nghị " * 12)
    window.runner.run_sync(agenda.next_item, demo_id)
    qtbot.waitUntil(lambda: "Khai mạc hội nghị Khai mạc" in window.agenda.now_label.text())
    switch_language(window, "vi", save=False)
    try:
        qtbot.waitUntil(lambda: "còn" in window.agenda.now_label.text())
        need = window.minimumSizeHint()
        assert need.width() <= 1366 and need.height() <= 720, need
        window.resize(1366, 720)
        qtbot.waitUntil(lambda: window.height() <= 720)
    finally:
        switch_language(window, "en", save=False)


@pytest.mark.parametrize("size", [(1366, 720), (1600, 1000)])
def test_no_stale_tab_bar_shows_through_the_docks(qtbot, runner, demo_id: int, size: tuple[int, int]) -> None:
    """QMainWindow leaves a second tab bar for each group of the right column where its first
    layout put it, visible for good; it showed through the docks (at 1366×768, across the
    speaker queue's toolbar). Visible now: one tab bar a group, against the bottom edge of its
    dock, and its tabs still switch the docks."""
    from PySide6.QtWidgets import QTabBar

    window = MainWindow(runner, demo_id)
    qtbot.addWidget(window)
    window.resize(*size)  # (sized before it is shown, as a console opens on a saved geometry)
    window.show()
    # right after the first turns of the event loop: a later layout (the panels' sizes once
    # read, some 0.4 s on) hides the stale bars on some paths, not on others (the screenshot
    # script's window kept them)
    for _ in range(3):
        QApplication.processEvents()
    shown = [b for b in window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
             if b.isVisible()]
    groups = [("Speakers", "Awards"), ("Endpoints", "People"), ("Current speaker", "Endpoint detail")]
    assert sorted(tuple(b.tabText(i) for i in range(b.count())) for b in shown) == sorted(groups)
    for bar in shown:
        dock = next(d for d in window.docks.values() if d.windowTitle() == bar.tabText(bar.currentIndex()))
        assert (bar.x(), bar.y()) == (dock.x(), dock.y() + dock.height()), bar.tabText(0)
    bar = next(b for b in shown if b.tabText(0) == "Endpoints")
    bar.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.docks["people"].visibleRegion().boundingRect().height() > 0)
    bar.setCurrentIndex(0)
    qtbot.waitUntil(lambda: window.docks["endpoints"].visibleRegion().boundingRect().height() > 0)


def test_saving_shows_for_a_write_that_takes_time(qtbot, window: MainWindow) -> None:
    """'Saving…' appears while the DB worker is still busy after a moment, and goes when it is
    done; the label keeps its size (a setText does not lay out the window)."""
    import threading

    size = window.busy_label.size()
    release = threading.Event()
    window.runner.call(lambda: release.wait(30))
    qtbot.waitUntil(lambda: window.busy_label.text() in ("Đang lưu…", "Saving…"), timeout=15_000)
    assert window.busy_label.size() == size
    release.set()
    qtbot.waitUntil(lambda: window.busy_label.text() == "", timeout=15_000)
    assert window.busy_label.size() == size
    assert window.clock_label.minimumWidth() == window.clock_label.maximumWidth()
