"""The endpoint panel over the demo meeting, by keyboard: clerk status keys, present/note/host,
roll call, accent-insensitive search, grouping and sorting, the detail pane, live monitoring
under a qasync loop against a real TCP peer; the model under ``qtmodeltester``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import replace

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QSpinBox

from meeting_console.core import agenda, endpoints, reads
from meeting_console.core.api import Core
from meeting_console.core.endpoints import MonitorBatch, Observed
from meeting_console.core.reads import MeetingEndpointInfo
from meeting_console.core.text import fold
from meeting_console.ui.endpoint_model import (
    NAME,
    OUTAGES,
    PRESENT,
    STATUS,
    EndpointModel,
    IdRole,
    KindRole,
    Loaded,
    search_key,
    search_keys,
)
from meeting_console.ui.endpoints_panel import EndpointsPanel, load_all
from meeting_console.ui.form import FormDialog
from meeting_console.ui.main_window import MainWindow
from meeting_console.ui.roll_call import RollCallDialog

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
NONE = Qt.KeyboardModifier.NoModifier


def by_name(core: Core, mid: int) -> dict[str, MeetingEndpointInfo]:
    return {e.name: e for e in reads.endpoints(core, mid)}


def shown_names(panel: EndpointsPanel) -> list[str]:
    return [panel.emodel.info(i).name for i in panel.emodel.shown_ids()]  # type: ignore[union-attr]


def type_text(text: str) -> None:
    """Type into the focused widget one key event per character (as an input method does)."""
    target = QApplication.focusWidget()
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(target, QKeyEvent(kind, 0, NONE, ch))


def focus_panel(qtbot, window: MainWindow, name: str) -> EndpointsPanel:
    panel = window.endpoints
    window.docks["endpoints"].raise_()
    me_id = next(i for i in panel.emodel.shown_ids() if panel.emodel.info(i).name == name)  # type: ignore[union-attr]
    panel.select_id(me_id)
    panel.view.setFocus()
    qtbot.waitUntil(lambda: panel.view.hasFocus() or QApplication.focusWidget() is panel.view)
    return panel


def refocus(qtbot, window: MainWindow) -> None:
    """Back to the panel's list after a dialog closed (the window becomes active again)."""
    window.activateWindow()
    window.endpoints.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.endpoints.view)


def dialog(qtbot, cls: type) -> object:
    found: list[object] = []

    def visible() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, cls) and w.isVisible()]
        return bool(found)

    qtbot.waitUntil(visible)
    return found[-1]


# --- the model -----------------------------------------------------------------------------------


def test_model_passes_the_model_tester_flat_grouped_filtered_and_live(qtbot, qtmodeltester, window: MainWindow,
                                                                       core: Core, demo_id: int) -> None:
    model = EndpointModel()
    model.load(load_all(core, demo_id))
    qtmodeltester.check(model)  # stays attached: the changes below are checked too
    model.sort(STATUS, Qt.SortOrder.DescendingOrder)
    model.set_grouped(True)
    heads = model.group_rows()
    assert [model.index(r, 0).data(KindRole) for r in heads] == ["main_hall", "provincial", "district", "bloc"]
    assert [model.index(r, NAME).data() for r in heads] == [
        "Main hall (1)", "Provincial People's Committee (1)", "City / district (7)", "Bloc committee (1)"]
    assert model.rowCount() == 10 + 4 and model.index(heads[2], 0).data(IdRole) is None
    model.set_filter(query="son")
    assert [model.index(r, NAME).data() for r in range(model.rowCount())] == [
        "City / district (2)", "Yên Sơn", "Sơn Dương"]  # descending: ties on status by name, descending
    model.set_filter(query="")
    model.set_grouped(False)
    sd = next(e for e in model.rows if e.name == "Sơn Dương")
    endpoints.set_status(core, sd.id, "lost")
    rows = endpoints.rows(core, demo_id, [sd.id])
    assert model.update_rows(rows, {}, search_keys(rows), [sd.id])
    assert model.index_of(sd.id, STATUS).data() == "Lost"
    model.set_filter(status="problems")
    assert model.shown_ids() == [sd.id]
    from meeting_console.monitor.probes import ProbeResult

    model.set_filter(status="all")
    model.set_live({sd.id: ProbeResult(False, None, "TCP: connection refused")})
    assert model.index_of(sd.id, 7).data() == "✗ TCP: connection refused"
    model.load(load_all(core, demo_id))


def test_search_key_is_fold() -> None:
    for text in ("Sơn Dương", "Chiêm Hóa", "Chiêm Hoá", "ĐẢNG ỦY  Khối", "Thuỷ\u00a0Hoà", "İstanbul ß", ""):
        assert search_key(text) == fold(text)


@settings(max_examples=300)
@given(st.text())
def test_search_key_equals_fold_on_any_text(text: str) -> None:
    assert search_key(text) == fold(text)


# --- search, filter, sort, group ----------------------------------------------------------------------


def test_accent_insensitive_search_typed_in_the_panel(qtbot, window: MainWindow) -> None:
    panel = window.endpoints
    window.docks["endpoints"].raise_()
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_F, CTRL)  # Ctrl+F: to the search box
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.search)
    qtbot.keyClicks(panel.search, "son duong")
    qtbot.waitUntil(lambda: shown_names(panel) == ["Sơn Dương"])
    assert panel.shown.text() == "1 of 10"
    panel.search.clear()
    qtbot.keyClicks(panel.search, "CHIEM HOA")
    qtbot.waitUntil(lambda: shown_names(panel) == ["Chiêm Hóa"])
    panel.search.clear()
    type_text("chiêm hoá")  # the other tone placement
    qtbot.waitUntil(lambda: shown_names(panel) == ["Chiêm Hóa"])
    panel.search.clear()
    qtbot.keyClicks(panel.search, "duong son")  # words in any order
    qtbot.waitUntil(lambda: shown_names(panel) == ["Sơn Dương"])
    panel.search.clear()
    qtbot.keyClicks(panel.search, "LB")  # by code too
    qtbot.waitUntil(lambda: shown_names(panel) == ["Lâm Bình"])
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)  # Enter: to the first match
    qtbot.waitUntil(lambda: panel.selected_row() is not None and panel.selected_row().name == "Lâm Bình")
    panel.search.clear()
    qtbot.waitUntil(lambda: len(shown_names(panel)) == 10)


def test_filter_sort_and_group_keep_the_selection(qtbot, window: MainWindow, core: Core, demo_id: int) -> None:
    eps = by_name(core, demo_id)
    now = core.clock.now()
    endpoints.apply_monitor_batch(core, demo_id, MonitorBatch(
        [Observed(e.id, now, "connected") for e in eps.values()]
        + [Observed(eps["Na Hang"].id, now, "lost"), Observed(eps["Hàm Yên"].id, now, "unstable")]))
    window.endpoints.refresh()  # written past the runner: no bus event
    panel = focus_panel(qtbot, window, "Hàm Yên")
    qtbot.waitUntil(lambda: "lost now 1 · unstable 1" in panel.summary.text())
    assert panel.summary.text().startswith("Connected 9/10")
    panel.status_box.setCurrentIndex(panel.status_box.findData("problems"))
    qtbot.waitUntil(lambda: sorted(shown_names(panel)) == ["Hàm Yên", "Na Hang"])
    panel.status_box.setCurrentIndex(panel.status_box.findData("all"))
    panel.view.horizontalHeader().setSortIndicator(STATUS, Qt.SortOrder.AscendingOrder)  # as a click does
    assert shown_names(panel)[:2] == ["Na Hang", "Hàm Yên"]  # lost first, then unstable
    assert panel.selected_row().name == "Hàm Yên"
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_G, ALT)  # group by kind
    qtbot.waitUntil(lambda: panel.emodel.grouped)
    assert panel.emodel.rowCount() == 14  # a header row per kind
    assert panel.selected_row().name == "Hàm Yên"
    district = panel.emodel.group_rows()[2]
    assert panel.emodel.index(district, 0).data() == "City / district (7)"
    assert panel.emodel.index(district, STATUS).data() == "6/7 connected · 1 lost"
    qtbot.keyClick(panel.view, Qt.Key.Key_G, ALT)
    qtbot.waitUntil(lambda: not panel.emodel.grouped)
    assert panel.emodel.rowCount() == 10
    assert panel.selected_row().name == "Hàm Yên"


# --- the clerk's keys ------------------------------------------------------------------------------------


def test_status_keys_release_present_note_host(qtbot, window: MainWindow, core: Core, demo_id: int) -> None:
    panel = focus_panel(qtbot, window, "Sơn Dương")
    sd = by_name(core, demo_id)["Sơn Dương"].id
    qtbot.keyClick(panel.view, Qt.Key.Key_3, CTRL)  # lost
    qtbot.waitUntil(lambda: by_name(core, demo_id)["Sơn Dương"].status == "lost")
    qtbot.waitUntil(lambda: panel.emodel.index_of(sd, STATUS).data() == "Lost")
    assert by_name(core, demo_id)["Sơn Dương"].manual_override
    qtbot.waitUntil(lambda: window.undo_action.text() == "Undo Status of Sơn Dương: lost")
    qtbot.keyClick(panel.view, Qt.Key.Key_1, CTRL)  # connected
    qtbot.waitUntil(lambda: by_name(core, demo_id)["Sơn Dương"].status == "connected")
    qtbot.keyClick(panel.view, Qt.Key.Key_R, CTRL)  # back to the monitor
    qtbot.waitUntil(lambda: not by_name(core, demo_id)["Sơn Dương"].manual_override)
    assert [e.status for e in reads.status_events(core, sd)] == ["lost", "connected"]

    qtbot.keyClick(panel.view, Qt.Key.Key_F3)
    dlg = dialog(qtbot, FormDialog)
    spin = dlg.widgets["present"]
    assert isinstance(spin, QSpinBox)
    spin.setValue(33)
    dlg.buttons.accepted.emit()
    qtbot.waitUntil(lambda: by_name(core, demo_id)["Sơn Dương"].present_delegates == 33)
    qtbot.waitUntil(lambda: panel.emodel.index_of(sd, PRESENT).data() == "33 / 35")

    refocus(qtbot, window)
    qtbot.keyClick(panel.view, Qt.Key.Key_F4)
    dlg = dialog(qtbot, FormDialog)
    note = dlg.widgets["note"]
    assert isinstance(note, QPlainTextEdit)
    note.setPlainText("Tiếng rè, đã báo kỹ thuật")
    dlg.buttons.accepted.emit()
    qtbot.waitUntil(lambda: by_name(core, demo_id)["Sơn Dương"].note == "Tiếng rè, đã báo kỹ thuật")

    refocus(qtbot, window)
    qtbot.keyClick(panel.view, Qt.Key.Key_F4, SHIFT)
    dlg = dialog(qtbot, FormDialog)
    host = dlg.widgets["host"]
    assert isinstance(host, QLineEdit)
    host.setText("Đồng chí Giang Tuấn Anh")
    dlg.buttons.accepted.emit()
    qtbot.waitUntil(lambda: by_name(core, demo_id)["Sơn Dương"].host == "Đồng chí Giang Tuấn Anh")
    qtbot.waitUntil(lambda: window.undo_action.text() == "Undo Host at Sơn Dương: Đồng chí Giang Tuấn Anh")
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: by_name(core, demo_id)["Sơn Dương"].host == "")


def test_roll_call_by_keyboard_over_the_demo_endpoints(qtbot, window: MainWindow, core: Core, demo_id: int) -> None:
    panel = window.endpoints
    window.docks["endpoints"].raise_()
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_L, CTRL)
    dlg = dialog(qtbot, RollCallDialog)
    assert isinstance(dlg, RollCallDialog)
    names = [e.name for e in reads.endpoints(core, demo_id)]
    expected = {e.name: e.expected_delegates for e in reads.endpoints(core, demo_id)}
    assert dlg.progress.text() == "0 of 10 answered · 10 not answered"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dlg.present)
    answers: dict[str, tuple[str, int]] = {}
    for k, name in enumerate(names):
        qtbot.waitUntil(lambda n=name: dlg.name.text() == n)
        if name == "Hàm Yên":
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageDown)  # no answer yet: skip
            continue
        count = expected[name] - k % 3
        status = "connected"
        if name == "Lâm Bình":
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2, CTRL)  # answered by phone: unstable
            status = "unstable"
        assert QApplication.focusWidget() is dlg.present
        qtbot.keyClicks(dlg.present, str(count))  # the number replaces the suggestion
        qtbot.keyClick(dlg.present, Qt.Key.Key_Return)
        answers[name] = (status, count)
    # back at the one that did not answer; the list shows who is missing
    qtbot.waitUntil(lambda: dlg.name.text() == "Hàm Yên")
    assert dlg.waiting_title.text() == "Not answered (1)"
    assert dlg.progress.text() == "9 of 10 answered · 1 not answered"
    qtbot.waitUntil(lambda: sum(e.roll_call_at is not None for e in reads.endpoints(core, demo_id)) == 9)
    for name, (status, count) in answers.items():
        e = by_name(core, demo_id)[name]
        assert (e.status, e.present_delegates, e.roll_call_at) == (status, count, core.clock.now()), name
    assert by_name(core, demo_id)["Hàm Yên"].roll_call_at is None
    qtbot.waitUntil(lambda: "roll call: 1 not answered" in panel.summary.text())
    # Hàm Yên answers at last; everyone has answered
    qtbot.keyClicks(dlg.present, "30")
    qtbot.keyClick(dlg.present, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dlg.name.text() == "Everyone has answered.")
    qtbot.waitUntil(lambda: by_name(core, demo_id)["Hàm Yên"].present_delegates == 30)
    qtbot.waitUntil(lambda: dlg.waiting_title.text() == "Not answered (0)")
    # each answer is one undoable step: undo the last, Hàm Yên has not answered again
    qtbot.waitUntil(lambda: window.undo_action.text() == "Undo Roll call: Hàm Yên")
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: dlg.waiting_title.text() == "Not answered (1)")
    qtbot.keyClick(dlg.present, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dlg.isVisible())


def test_roll_call_new_round(qtbot, window: MainWindow, core: Core, demo_id: int) -> None:
    for e in reads.endpoints(core, demo_id)[:4]:
        endpoints.roll_call(core, e.id, present=5)
    panel = window.endpoints
    panel.refresh()
    qtbot.waitUntil(lambda: "roll call: 6 not answered" in panel.summary.text())
    panel.open_roll_call()
    dlg = dialog(qtbot, RollCallDialog)
    assert dlg.progress.text() == "4 of 10 answered · 6 not answered"
    assert dlg.name.text() == reads.endpoints(core, demo_id)[4].name  # the first not answered
    from PySide6.QtWidgets import QMessageBox

    qtbot.waitUntil(lambda: QApplication.focusWidget() is dlg.present)
    qtbot.keyClick(dlg.present, Qt.Key.Key_N, CTRL | SHIFT)
    box = dialog(qtbot, QMessageBox)
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: all(e.roll_call_at is None for e in reads.endpoints(core, demo_id)))
    qtbot.waitUntil(lambda: dlg.progress.text() == "0 of 10 answered · 10 not answered")
    dlg.close()


# --- the detail pane -------------------------------------------------------------------------------------


def test_detail_pane_shows_history_and_outages_with_what_the_meeting_was_doing(
        qtbot, window: MainWindow, core: Core, demo_id: int) -> None:
    clock = core.clock
    lb = by_name(core, demo_id)["Lâm Bình"].id
    endpoints.set_monitoring(core, demo_id, True, [lb])
    endpoints.apply_monitor_batch(core, demo_id, MonitorBatch([Observed(lb, clock.now(), "connected")]))
    items = reads.agenda(core, demo_id)
    clock.advance(minutes=30)  # 08:00
    agenda.start_item(core, items[0].id)
    clock.advance(minutes=5)
    endpoints.apply_monitor_batch(core, demo_id, MonitorBatch([Observed(lb, clock.now(), "unstable", False, None, "TCP: connection refused")]))
    clock.advance(seconds=20)
    endpoints.apply_monitor_batch(core, demo_id, MonitorBatch([Observed(lb, clock.now(), "lost", False, None, "TCP: connection refused")]))
    clock.advance(minutes=3)
    endpoints.apply_monitor_batch(core, demo_id, MonitorBatch([Observed(lb, clock.now(), "connected", True, 12.0, "TCP connected in 12 ms")]))
    panel = window.endpoints
    panel.refresh()
    qtbot.waitUntil(lambda: panel.emodel.info(lb) is not None and panel.emodel.info(lb).status == "connected")
    panel.select_id(lb)
    detail = panel.detail
    qtbot.waitUntil(lambda: detail.outages.rowCount() == 1 and detail.events.rowCount() == 4)
    assert detail.outages.index(0, 0).data() == "08:05:00"
    assert detail.outages.index(0, 1).data() == "08:08:20"
    assert detail.outages.index(0, 2).data() == "3:20"
    assert detail.outages.index(0, 3).data() == "Lost"
    assert detail.outages.index(0, 4).data() == "Khai mạc hội nghị"
    assert detail.events.index(0, 1).data() == "Connected" and detail.events.index(0, 2).data() == "monitor"
    assert "Lâm Bình" in detail.head.text() and "Outages: 1 · 3:20 in total" in detail.head.text()
    assert panel.emodel.index_of(lb, OUTAGES).data() == "1 · 3:20"
    # a clerk's status: a second outage, still open, ticking
    clock.advance(minutes=1)
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_3, CTRL)
    qtbot.waitUntil(lambda: detail.outages.rowCount() == 2)
    assert detail.outages.index(0, 1).data() == "still out" and detail.outages.index(0, 6).data() == "clerk"
    qtbot.waitUntil(lambda: panel.emodel.index_of(lb, OUTAGES).data().startswith("2 · ") and
                    panel.emodel.index_of(lb, OUTAGES).data().endswith("●"))


# --- live monitoring under qasync ----------------------------------------------------------------------------


@pytest.fixture
def qloop(qapp) -> Iterator[asyncio.AbstractEventLoop]:
    """pytest-qt does not drive qasync's loop: the tests run their scenario with
    ``loop.run_until_complete``, which runs Qt's event loop as the console does."""
    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.set_event_loop(None)
    loop.close()  # now, while its Qt objects live (closed at exit, after Qt, it raises)


async def until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


def test_live_monitoring_takes_an_endpoint_down_and_up(qtbot, qloop, window: MainWindow, core: Core,
                                                       demo_id: int) -> None:
    from meeting_console.core import meetings
    from tests.monitor.peers import TcpListener

    # probes and the hysteresis run in real time; the fake clock only stamps the events
    meetings.update_meeting(core, demo_id, probe_interval_s=1, probe_timeout_s=1, probe_fail_threshold=2,
                            probe_recover_threshold=1)
    lst = TcpListener().open()
    sd = by_name(core, demo_id)["Sơn Dương"].id
    endpoints.edit_endpoint(core, sd, address=lst.address, monitored=True)
    panel = window.endpoints
    panel.refresh()
    panel.monitor.flush_s = 0.2

    async def scenario() -> None:
        await until(lambda: panel.emodel.info(sd) is not None and panel.emodel.info(sd).monitored)
        panel.view.setFocus()
        qtbot.keyClick(panel.view, Qt.Key.Key_M, CTRL)  # start monitoring
        await until(lambda: panel.act_monitor.isChecked())
        await until(lambda: panel.emodel.index_of(sd, STATUS).data() == "Connected")
        assert "1 probed directly" in panel.monitor_line.text()
        assert panel.emodel.index_of(sd, 7).data().startswith("✓")
        lst.close()
        await until(lambda: panel.emodel.index_of(sd, STATUS).data() == "Lost")
        await until(lambda: "lost now 1" in panel.summary.text())
        lst.open()
        await until(lambda: panel.emodel.index_of(sd, STATUS).data() == "Connected")
        qtbot.keyClick(panel.view, Qt.Key.Key_M, CTRL)  # stop
        await until(lambda: not panel.act_monitor.isChecked() and not panel.monitor.running)

    try:
        qloop.run_until_complete(scenario())
    finally:
        lst.close()
        panel.monitor.stop()
    evs = reads.status_events(core, sd)
    assert [(e.status, e.automatic) for e in evs] == [
        ("connected", True), ("unstable", True), ("lost", True), ("connected", True)]
    assert panel.monitor_line.text() == "Monitoring is off (Ctrl+M starts it)."
    # the monitor's changes are not on the clerk's undo stack
    assert not core.undo_status(demo_id).undo_label.startswith("Monitor")


# --- scale -------------------------------------------------------------------------------------------------


def test_fifty_thousand_rows_filter_and_update(qtbot, qtmodeltester) -> None:
    base = MeetingEndpointInfo(0, 1, 0, "", "commune", None, "", 0, 12, None, "", "not_connected", None,
                               False, False, None, None, None, None, "", "")
    names = ["Sơn Dương", "Chiêm Hóa", "Hàm Yên", "Na Hang", "Lâm Bình", "Yên Sơn"]
    rows = tuple(replace(base, id=i, endpoint_id=i, position=i, name=f"Xã {i} {names[i % 6]}", code=f"C{i}")
                 for i in range(1, 50_001))
    model = EndpointModel()
    model.load(Loaded("Asia/Ho_Chi_Minh", rows, {}, search_keys(rows)))
    model.set_filter(query="son duong")
    assert model.shown_count() == sum(1 for i in range(1, 50_001) if i % 6 == 0)  # "Sơn Dương" only
    model.set_filter(query="xa 4999 chiem hoa")
    assert [model.info(i).name for i in model.shown_ids()] == [
        f"Xã {i} Chiêm Hóa" for i in range(1, 50_001) if "4999" in str(i) and i % 6 == 1]
    model.set_filter(query="")
    changed = [replace(rows[i], status="lost", status_since=None) for i in range(0, 50_000, 10)]
    assert model.update_rows(changed, {}, search_keys(changed), [r.id for r in changed])
    assert sum(1 for e in model.rows if e.status == "lost") == 5000
    model.sort(STATUS)
    assert model.info(model.shown_ids()[0]).status == "lost"
    assert model.rowCount() == 50_000


def test_monitor_batches_are_followed_without_reading_back(qtbot, window: MainWindow, core: Core,
                                                          demo_id: int, monkeypatch) -> None:
    """A batch's result carries what it wrote: the panel applies it (rows and outage totals)
    and ends exactly where a fresh load would be."""
    import meeting_console.ui.endpoints_panel as ep

    panel = window.endpoints
    reads_back: list[int] = []
    real = ep.load_some
    monkeypatch.setattr(ep, "load_some", lambda *a: reads_back.append(1) or real(*a))
    eps = list(by_name(core, demo_id).values())
    clock = core.clock
    for k, status in enumerate(["connected", "unstable", "lost", "connected", "left"]):
        clock.advance(seconds=30)
        batch = MonitorBatch(Observed(e.id, clock.now(), status if j % (k + 1) == 0 else "connected",
                                      status == "connected", 9.0, f"round {k}") for j, e in enumerate(eps))
        window.runner.run(endpoints.apply_monitor_batch, demo_id, batch)
    qtbot.waitUntil(lambda: core.high_water() > 0 and not window.runner._pending and not panel._follow_in
                    and not panel._follow_queue,
                    timeout=10000)
    fresh = EndpointModel()
    fresh.load(load_all(core, demo_id))
    assert panel.emodel.rows == fresh.rows
    assert panel.emodel.totals == fresh.totals
    assert {k: v for k, v in panel.emodel.counts.items() if v} == fresh.counts
    assert panel.emodel.present_sum == fresh.present_sum
    assert reads_back == []


# --- the picture in the README ---------------------------------------------------------------------------


def test_screenshot(qtbot, window: MainWindow, core: Core, demo_id: int, tmp_path) -> None:
    """The demo's bridge points at about 9h20, as docs/endpoints.png shows them (written there
    when MEETING_CONSOLE_SCREENSHOTS is set): roll call answered, one link lost since 9h17 after
    a short drop at 8h05, one unstable, one not yet answered."""
    import os
    from pathlib import Path

    clock = core.clock
    eps = by_name(core, demo_id)
    clock.advance(minutes=15)  # 07:45: the roll call before the opening
    for n, e in enumerate(eps.values()):
        if n == len(eps) - 1:
            continue  # one point has not answered yet
        endpoints.roll_call(core, e.id, status="connected",
                            present=max(0, (e.expected_delegates or 0) - n % 3))
        clock.advance(seconds=40)
    names = list(eps)

    def local(h: int, m: int, s: int = 0) -> None:  # Asia/Ho_Chi_Minh is UTC+7
        clock.set(clock.now().replace(hour=h - 7, minute=m, second=s))

    local(8, 1)
    window.runner.run_sync(agenda.next_item, demo_id)
    local(8, 5)
    endpoints.set_status(core, eps[names[2]].id, "lost", detail="mất tín hiệu")
    clock.advance(minutes=2, seconds=30)
    endpoints.set_status(core, eps[names[2]].id, "connected")
    for h, m in [(8, 17), (8, 38), (8, 52), (9, 4)]:
        local(h, m)
        window.runner.run_sync(agenda.next_item, demo_id)
    local(9, 17)
    endpoints.set_status(core, eps[names[2]].id, "lost", detail="mất tín hiệu")
    endpoints.set_status(core, eps[names[5]].id, "unstable", detail="hình ảnh giật")
    local(9, 20, 12)
    for name, dock in window.docks.items():
        dock.setVisible(name == "endpoints")
    window.resize(1600, 900)
    window.resizeDocks([window.docks["endpoints"]], [1000], Qt.Orientation.Horizontal)
    window.agenda.refresh()
    qtbot.waitUntil(lambda: window.state_label.text().startswith("Live"))
    panel = window.endpoints
    panel.refresh()
    qtbot.waitUntil(lambda: panel.emodel.info(eps[names[2]].id) is not None
                    and panel.emodel.info(eps[names[2]].id).status == "lost")
    panel.select_id(eps[names[2]].id)
    qtbot.waitUntil(lambda: panel.detail.outages.rowCount() == 2)
    assert panel.emodel.index_of(eps[names[2]].id, STATUS).data() is not None
    out = Path(os.environ["MEETING_CONSOLE_SCREENSHOTS"]) if os.environ.get("MEETING_CONSOLE_SCREENSHOTS") \
        else tmp_path
    assert window.grab().save(str(out / "endpoints.png"))


def test_painting_a_cell_never_shows_the_previous_cells_icon_or_colour(qtbot, window: MainWindow, core: Core,
                                                                       demo_id: int) -> None:
    """The delegate fills one role buffer cell after cell (``multiData``): a lost point's red
    icon and colour stay in its status cell and do not leak into the next row's name."""
    from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

    eps = by_name(core, demo_id)
    endpoints.set_status(core, eps["UBND tỉnh"].id, "lost")
    panel = window.endpoints
    panel.refresh()
    qtbot.waitUntil(lambda: panel.emodel.info(eps["UBND tỉnh"].id).status == "lost")
    model = panel.emodel
    delegate = QStyledItemDelegate()
    seen = []
    for row in range(model.rowCount()):
        for col in range(model.columnCount()):
            opt = QStyleOptionViewItem()
            delegate.initStyleOption(opt, model.index(row, col))
            seen.append((model.info(model.shown_ids()[row]).name, col, opt.icon.isNull(),
                         opt.backgroundBrush.style() != Qt.BrushStyle.NoBrush))
    for name, col, no_icon, background in seen:
        assert no_icon == (col != STATUS), (name, col)
        assert background == (name == "UBND tỉnh"), (name, col)


def test_monitor_runs_on_its_own_thread_and_closing_writes_what_it_saw(qtbot, window: MainWindow, core: Core,
                                                                      demo_id: int) -> None:
    """No qasync loop needed: the probes run on the monitor's own thread and loop. Closing the
    console stops it and writes its last observations before the window goes."""
    import threading

    from meeting_console.core import meetings
    from tests.monitor.peers import TcpListener

    meetings.update_meeting(core, demo_id, probe_interval_s=1, probe_timeout_s=1, probe_fail_threshold=1,
                            probe_recover_threshold=1)
    lst = TcpListener().open()
    try:
        sd = by_name(core, demo_id)["Sơn Dương"].id
        endpoints.edit_endpoint(core, sd, address=lst.address, monitored=True)
        panel = window.endpoints
        panel.refresh()
        panel.monitor.flush_s = 60.0  # nothing written until the monitor stops
        qtbot.waitUntil(lambda: panel.emodel.info(sd) is not None and panel.emodel.info(sd).monitored)
        panel.toggle_monitoring()
        qtbot.waitUntil(lambda: panel.monitor.running)
        thread = panel.monitor._thread
        assert thread is not None and thread is not threading.main_thread() and thread.is_alive()
        qtbot.waitUntil(lambda: panel.monitor.monitor.status.probes >= 1, timeout=15000)
        assert list(reads.status_events(core, sd)) == []
        window.close()
        assert not thread.is_alive() and not panel.monitor.running
        assert [(e.status, e.automatic) for e in reads.status_events(core, sd)] == [("connected", True)]
    finally:
        lst.close()
