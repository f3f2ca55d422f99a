"""The agenda timeline in the main window, driven by the keyboard alone: from the opening to
the closing of the demo meeting, with an accidental "next item" undone by Ctrl+Z."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox
from sqlalchemy import event

from meeting_console.core import agenda, reads
from meeting_console.core.clock import FakeClock
from meeting_console.core.timefmt import at_local
from meeting_console.ui.agenda_panel import (
    AMBER_BG,
    COL_LEFT,
    COL_START,
    COL_STATUS,
    COL_TITLE,
    RED_BG,
    RUNNING_BG,
    AgendaPanel,
)
from meeting_console.ui.form import FormDialog
from meeting_console.ui.main_window import MainWindow
from meeting_console.ui.table_model import IdRole

TZ = "Asia/Ho_Chi_Minh"
DAY = date(2022, 1, 14)
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def t(hhmm: str, second: int = 0) -> datetime:
    h, m = hhmm.split(":")
    return at_local(DAY, int(h), int(m), TZ, second)


def statuses(panel: AgendaPanel) -> list[str]:
    return [r.item.status for r in panel.model.rows]


def titles(panel: AgendaPanel) -> list[str]:
    return [r.item.title for r in panel.model.rows]


def key(qtbot, window: MainWindow, k: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key press where the secretary's focus is (the agenda list unless a dialog is open)."""
    target = QApplication.focusWidget() or window.agenda.view
    qtbot.keyClick(target, k, mods)


def type_text(text: str) -> None:
    """Type text into the focused widget, one key event per character, as a Vietnamese input
    method delivers it (QTest's keyClicks only knows ASCII)."""
    target = QApplication.focusWidget()
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(target, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def wait_statuses(qtbot, panel: AgendaPanel, expected: list[str]) -> None:
    qtbot.waitUntil(lambda: statuses(panel) == expected, timeout=5000)


def visible_dialog(qtbot, window: MainWindow, cls: type) -> object:
    found: list[object] = []

    def ready() -> bool:
        found[:] = [d for d in window.findChildren(cls) if d.isVisible()]
        return bool(found)

    qtbot.waitUntil(ready)
    return found[-1]


@pytest.fixture
def live(qtbot, window: MainWindow) -> MainWindow:
    window.activateWindow()
    window.agenda.view.setFocus()
    qtbot.waitUntil(lambda: window.isActiveWindow() and window.agenda.view.hasFocus())
    window.agenda.timer.stop()  # the test ticks by hand, with the fake clock
    return window


def test_the_whole_agenda_by_keyboard(qtbot, live: MainWindow, core, clock: FakeClock, demo_id: int) -> None:
    w, panel = live, live.agenda
    P, R, D, S = "pending", "running", "done", "skipped"
    assert statuses(panel) == [P] * 7
    assert panel.now_label.text().endswith("Not started · next: 1. Khai mạc hội nghị at ≈ 08:00")
    assert panel.end_label.text() == "Projected end 11:15 · planned end 11:15 · on time"

    # 8h01: Ctrl+Return opens the meeting with its first item
    clock.set(t("8:01"))
    key(qtbot, w, Qt.Key.Key_Return, CTRL)
    wait_statuses(qtbot, panel, [R] + [P] * 6)
    assert reads.meeting(core, demo_id).status == "live"
    qtbot.waitUntil(lambda: w.state_label.text().startswith("Live"))
    assert panel.selected_id() == panel.model.rows[0].id  # the running item is selected

    # 8h15: next; 8h16 a second Ctrl+Return by accident … and Ctrl+Z (the Edit menu's Undo)
    clock.set(t("8:15"))
    key(qtbot, w, Qt.Key.Key_Return, CTRL)
    wait_statuses(qtbot, panel, [D, R] + [P] * 5)
    clock.set(t("8:16"))
    key(qtbot, w, Qt.Key.Key_Return, CTRL)
    wait_statuses(qtbot, panel, [D, D, R] + [P] * 4)
    qtbot.waitUntil(lambda: w.undo_action.text().startswith("Undo Next item: 3. "))
    key(qtbot, w, Qt.Key.Key_Z, CTRL)
    wait_statuses(qtbot, panel, [D, R] + [P] * 5)
    second = reads.agenda(core, demo_id)[1]
    assert second.actual_end is None and second.actual_start == t("8:15")
    qtbot.waitUntil(lambda: w.redo_action.isEnabled())

    # 8h20: a recess of five minutes (Ctrl+P twice)
    clock.set(t("8:20"))
    key(qtbot, w, Qt.Key.Key_P, CTRL)
    wait_statuses(qtbot, panel, [D, "paused"] + [P] * 5)
    assert "recess since 08:20" in panel.now_label.text()
    clock.set(t("8:25"))
    key(qtbot, w, Qt.Key.Key_P, CTRL)
    wait_statuses(qtbot, panel, [D, R] + [P] * 5)
    assert reads.agenda(core, demo_id)[1].paused_seconds == 300

    # Ctrl+Shift+E: ten more minutes, typed into the dialog
    key(qtbot, w, Qt.Key.Key_E, CTRL | SHIFT)
    dlg = visible_dialog(qtbot, w, QInputDialog)
    assert dlg.intValue() == 5
    qtbot.waitUntil(lambda: dlg.isAncestorOf(QApplication.focusWidget()))
    key(qtbot, w, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(QApplication.focusWidget(), "10")
    key(qtbot, w, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: reads.agenda(core, demo_id)[1].extended_minutes == 10)
    qtbot.waitUntil(lambda: panel.model.rows[1].f.allowed_seconds == 30 * 60)

    # the arrow keys to item 4; Ctrl+K skips it, Ctrl+K again brings it back
    qtbot.waitUntil(lambda: panel.view.hasFocus())
    key(qtbot, w, Qt.Key.Key_Down)
    key(qtbot, w, Qt.Key.Key_Down)
    fourth = panel.model.rows[3].id
    assert panel.selected_id() == fourth
    key(qtbot, w, Qt.Key.Key_K, CTRL)
    wait_statuses(qtbot, panel, [D, R, P, S, P, P, P])
    key(qtbot, w, Qt.Key.Key_K, CTRL)
    wait_statuses(qtbot, panel, [D, R] + [P] * 5)

    # Ins: an unplanned item after item 4, typed into the form and confirmed with Enter
    key(qtbot, w, Qt.Key.Key_Insert)
    form = visible_dialog(qtbot, w, FormDialog)
    assert form.windowTitle().startswith("Insert item after 4. ")
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))
    type_text("Phát biểu của đại biểu Trung ương")
    key(qtbot, w, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(panel.model.rows) == 8)
    new = panel.model.rows[4]
    assert new.item.title == "Phát biểu của đại biểu Trung ương" and new.item.unplanned
    assert new.item.planned_minutes == 10
    assert panel.model.index(4, COL_TITLE).data() == "Phát biểu của đại biểu Trung ương"
    qtbot.waitUntil(lambda: panel.selected_id() == new.id)

    # Ctrl+Up twice: before item 4, then before item 3; a third would pass the running item
    panel.view.setFocus()
    key(qtbot, w, Qt.Key.Key_Up, CTRL)
    qtbot.waitUntil(lambda: panel.model.rows[3].id == new.id)
    qtbot.waitUntil(lambda: panel.selected_id() == new.id)
    key(qtbot, w, Qt.Key.Key_Up, CTRL)
    qtbot.waitUntil(lambda: panel.model.rows[2].id == new.id)
    qtbot.waitUntil(lambda: panel.selected_id() == new.id)
    key(qtbot, w, Qt.Key.Key_Up, CTRL)
    box = visible_dialog(qtbot, w, QMessageBox)
    assert "cannot move past item 2" in box.text() and "running" in box.text()
    qtbot.waitUntil(lambda: box.isAncestorOf(QApplication.focusWidget()))
    key(qtbot, w, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: panel.view.hasFocus())
    assert panel.model.rows[2].id == new.id

    # Ctrl+G back to the running item; then the rest of the morning, one key per item
    key(qtbot, w, Qt.Key.Key_G, CTRL)
    assert panel.selected_id() == panel.model.rows[1].id
    expected = [D, R] + [P] * 6
    for i, when in enumerate(["8:40", "8:50", "8:55", "9:05", "10:38", "11:02"], start=2):
        clock.set(t(when))
        key(qtbot, w, Qt.Key.Key_Return, CTRL)
        expected[i - 1], expected[i] = D, R
        wait_statuses(qtbot, panel, expected)
    assert panel.end_label.text().startswith("Projected end 11:1")
    clock.set(t("11:14"))
    key(qtbot, w, Qt.Key.Key_Return, CTRL)  # the last one: it only closes
    wait_statuses(qtbot, panel, [D] * 8)
    assert "no item left" in panel.now_label.text()

    # Ctrl+Shift+Return closes the meeting
    clock.set(t("11:15"))
    key(qtbot, w, Qt.Key.Key_Return, CTRL | SHIFT)
    qtbot.waitUntil(lambda: panel.meeting is not None and panel.meeting.status == "closed")
    mt = reads.meeting(core, demo_id)
    assert (mt.actual_start, mt.actual_end) == (t("8:01"), t("11:15"))
    assert panel.now_label.text().endswith("Meeting closed at 11:15 · held 08:01–11:15 (3:14:00)")
    assert panel.end_label.text() == "Ended 11:15 · planned end 11:15 · on time"
    got = [(i.title[:12], i.actual_start, i.actual_end) for i in reads.agenda(core, demo_id)]
    assert got[2] == ("Phát biểu củ", t("8:40"), t("8:50"))
    assert got[-1][1:] == (t("11:02"), t("11:14"))
    qtbot.waitUntil(lambda: w.undo_action.text() == "Undo Close meeting")


def test_the_timeline_ticks_without_the_database(qtbot, live: MainWindow, core, clock: FakeClock,
                                                demo_id: int) -> None:
    panel = live.agenda
    clock.set(t("8:00"))
    agenda.next_item(core, demo_id)
    panel.refresh()
    qtbot.waitUntil(lambda: statuses(panel)[0] == "running")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_a) -> None:
        statements.append(statement)

    event.listen(core.db.engine, "before_cursor_execute", count)
    try:
        seen = []
        for second in range(0, 16 * 60, 30):  # a quarter of an hour, tick by tick
            clock.set(t("8:00", 0).replace(minute=second // 60, second=second % 60))
            panel.tick()
            seen.append((panel.model.index(0, COL_LEFT).data(),
                         panel.model.index(0, COL_LEFT).data(Qt.ItemDataRole.BackgroundRole)))
        # and the real timer fires too
        with qtbot.waitSignal(panel.timer.timeout, timeout=3000):
            panel.timer.start()
    finally:
        event.remove(core.db.engine, "before_cursor_execute", count)
    assert statements == []
    assert seen[0][0] == "15:00"
    assert seen[27] == ("1:30", RUNNING_BG)
    assert seen[28][0] == "1:00" and seen[28][1] == AMBER_BG  # the last minute
    assert seen[29][0] == "0:30" and seen[29][1] == AMBER_BG
    assert seen[31][0] == "+0:30 over" and seen[31][1] == RED_BG  # past the end
    assert panel.end_label.text() == "Projected end 11:15 · planned end 11:15 · on time"
    clock.set(t("8:20"))
    panel.tick()
    assert "+5:00 over time" in panel.now_label.text()
    assert panel.end_label.text() == "Projected end 11:20 · planned end 11:15 · 5:00 late"
    assert panel.advice_label.text().startswith("To end on time every remaining item must be 3% shorter: 2. ")
    assert panel.status_box.property("state") == "late"
    # pending rows show their projected starts and how much they must give up
    assert panel.model.index(1, COL_START).data() == "≈ 08:20"
    assert panel.model.index(1, COL_LEFT).data().startswith("cut ")


def test_the_model_passes_the_model_tester_and_drag_and_drop_moves(qtbot, qtmodeltester, live: MainWindow,
                                                                  core, clock: FakeClock, demo_id: int) -> None:
    panel = live.agenda
    clock.set(t("8:00"))
    agenda.next_item(core, demo_id)
    panel.refresh()
    qtbot.waitUntil(lambda: statuses(panel)[0] == "running")
    qtmodeltester.check(panel.model)
    m = panel.model
    assert not (m.flags(m.index(0, 0)) & Qt.ItemFlag.ItemIsDragEnabled)  # running: stays
    assert m.flags(m.index(5, 0)) & Qt.ItemFlag.ItemIsDragEnabled
    awards = m.rows[5].id
    data = m.mimeData([m.index(5, 0)])
    # dropped onto row 2 (item 3): it goes before it
    assert not m.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, m.index(2, 0))
    qtbot.waitUntil(lambda: m.rows[2].id == awards)
    assert [i.id for i in reads.agenda(core, demo_id)][2] == awards
    # a drop above the running item is refused by the core, with a message
    data = m.mimeData([m.index(4, 0)])
    m.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, m.index(-1, -1))
    box = visible_dialog(qtbot, live, QMessageBox)
    assert "cannot move past item 1" in box.text()
    box.close()


def test_every_live_action_has_its_shortcut_in_menu_and_tooltip(live: MainWindow) -> None:
    panel = live.agenda
    menu = live.findChild(type(live.menuBar().actions()[0].menu()), "menu-AgendaPanel")
    in_menu = {a.text(): a.shortcut().toString() for a in menu.actions() if not a.isSeparator()}
    assert in_menu == {
        "Start / next item": "Ctrl+Return", "Start selected item": "Ctrl+Alt+Return",
        "Close running item": "Ctrl+.", "Pause / resume (recess)": "Ctrl+P",
        "Extend running item…": "Ctrl+Shift+E", "Skip / restore item": "Ctrl+K",
        "Insert item after…": "Ins", "Insert item before…": "Shift+Ins", "Edit…": "F2",
        "Remove": "Del", "Move up": "Ctrl+Up", "Move down": "Ctrl+Down",
        "Go to running item": "Ctrl+G", "Start meeting": "Ctrl+Shift+S",
        "Close meeting": "Ctrl+Shift+Return",
    }
    for a in panel.menu_actions():
        if not a.isSeparator():
            assert a.toolTip().endswith(f"({a.shortcut().toString()})"), a.text()
    # no clash with any other key of the window: a window-wide key of the agenda is used
    # nowhere else, and no window-wide key elsewhere takes one of the agenda's local keys
    wide = (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut)
    mine = set(panel.actions())
    for other in live.findChildren(QAction):
        if other in mine or other.isSeparator():
            continue
        for a in mine:
            shared = set(a.shortcuts()) & set(other.shortcuts())
            if shared and (a.shortcutContext() in wide or other.shortcutContext() in wide):
                raise AssertionError(f"{a.text()!r} and {other.text()!r} share {shared}")


def test_refusal_from_the_keyboard_changes_nothing(qtbot, live: MainWindow, core, demo_id: int) -> None:
    hw = core.high_water()
    key(qtbot, live, Qt.Key.Key_P, CTRL)  # nothing is running yet
    box = visible_dialog(qtbot, live, QMessageBox)
    assert box.text() == "no item is running; there is nothing to pause"
    qtbot.waitUntil(lambda: box.isAncestorOf(QApplication.focusWidget()))
    key(qtbot, live, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: live.agenda.view.hasFocus())
    key(qtbot, live, Qt.Key.Key_Return, CTRL | SHIFT)
    qtbot.waitUntil(lambda: any("has not started" in b.text() for b in live.findChildren(QMessageBox)
                                if b.isVisible()))
    assert core.high_water() == hw


def test_past_midnight_times_are_marked(qtbot, live: MainWindow, core, clock: FakeClock, demo_id: int) -> None:
    panel = live.agenda
    clock.set(t("23:50"))
    agenda.next_item(core, demo_id)
    panel.refresh()
    qtbot.waitUntil(lambda: statuses(panel)[0] == "running")
    assert panel.model.index(1, COL_START).data() == "≈ 00:05 (+1)"
    assert panel.model.index(0, COL_STATUS).data() == "▶ Running"


def test_chart_shows_every_item_and_tells_its_times(qtbot, live: MainWindow, core, clock: FakeClock,
                                                    demo_id: int) -> None:
    panel = live.agenda
    dock = live.docks["agenda-chart"]
    assert dock.windowTitle() == "Planned vs actual" and dock.widget() is panel._chart_area
    clock.set(t("8:00"))
    agenda.next_item(core, demo_id)
    clock.set(t("8:17"))
    agenda.next_item(core, demo_id)
    panel.refresh()
    qtbot.waitUntil(lambda: statuses(panel)[1] == "running")
    chart = panel.chart
    assert len(chart.bars) == 7 and chart.bars[0].over and chart.bars[1].actual_start == t("8:17")
    assert chart.tooltip_for(chart.bars[0]).splitlines() == [
        "1. Khai mạc hội nghị", "Planned: 08:00–08:15", "Actual: 08:00–08:17", "Deviation: +2:00"]
    image = chart.grab()
    assert not image.isNull() and image.height() == chart.sizeHint().height()
    # the running item's strip is highlighted (band colour under the label column)
    y = 24 + 22 * 1 + 11
    assert image.toImage().pixelColor(QPoint(2, y)).name() == "#fff4c2"


def test_screenshot(qtbot, live: MainWindow, core, clock: FakeClock, demo_id: int, tmp_path: Path) -> None:
    """The demo replayed to about 9h20, as docs/agenda.png shows it (written there when
    MEETING_CONSOLE_SCREENSHOTS is set)."""
    for when in ["8:01", "8:17", "8:38", "8:52", "9:04"]:
        clock.set(t(when))
        live.runner.run_sync(agenda.next_item, demo_id)
    clock.set(t("9:20", 37))
    # the agenda with its chart: the other docks closed (View menu), as a secretary running
    # the agenda may keep it
    for name, dock in live.docks.items():
        dock.setVisible(name == "agenda-chart")
    live.resize(1400, 860)
    qtbot.waitUntil(lambda: statuses(live.agenda)[4] == "running")
    qtbot.waitUntil(lambda: live.state_label.text().startswith("Live"))
    live.resizeDocks([live.docks["agenda-chart"]], [300], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: live.agenda.chart.isVisible())
    qtbot.waitUntil(lambda: live.agenda._chart_area.viewport().height() >= 200)
    live.agenda.tick()
    lines = (live.agenda.now_label, live.agenda.end_label, live.agenda.advice_label)
    qtbot.waitUntil(lambda: all(w.height() == w.heightForWidth(w.width()) for w in lines))  # laid out
    out = Path(os.environ["MEETING_CONSOLE_SCREENSHOTS"]) if os.environ.get("MEETING_CONSOLE_SCREENSHOTS") \
        else tmp_path
    assert live.grab().save(str(out / "agenda.png"))
    assert live.agenda.end_label.text() == "Projected end 11:19 · planned end 11:15 · 4:00 late"
    ids = [live.agenda.model.index(r, 0).data(IdRole) for r in range(live.agenda.model.rowCount())]
    assert ids == [i.id for i in reads.agenda(core, demo_id)]


def test_changes_from_another_console_and_partial_reloads_stay_exact(qtbot, live: MainWindow, core, clock,
                                                                   demo_id: int, db_path: Path) -> None:
    """The panel re-reads only the rows an operation touched; after operations of this
    console and of another one (arriving through the journal), it holds what a full read gives."""
    from meeting_console.core.api import Core

    panel, runner = live.agenda, live.runner
    runner.watch_external()
    other = Core.open(str(db_path), clock=clock, seat="second console")
    try:
        ids = [i.id for i in reads.agenda(core, demo_id)]
        clock.set(t("8:00"))
        agenda.next_item(other, demo_id)  # the other console opens the meeting
        qtbot.waitUntil(lambda: statuses(panel)[0] == "running", timeout=5000)
        assert panel.meeting.status == "live"
        clock.set(t("8:10"))
        runner.run(agenda.insert_item, ids[2], "Đột xuất", planned_minutes=5)
        qtbot.waitUntil(lambda: len(panel.model.rows) == 8)
        agenda.move_item(other, ids[5], 2)
        agenda.skip_item(other, ids[6])
        qtbot.waitUntil(lambda: [r.id for r in panel.model.rows][2] == ids[5]
                        and statuses(panel)[-1] == "skipped", timeout=5000)
        runner.run(agenda.remove_item, ids[3])
        qtbot.waitUntil(lambda: len(panel.model.rows) == 7)
        qtbot.waitUntil(lambda: panel.items == reads.agenda(core, demo_id))
        assert [r.item for r in panel.model.rows] == list(reads.agenda(core, demo_id))
    finally:
        other.close()


def test_a_jump_of_the_system_clock_is_reported(qtbot, live: MainWindow, core, clock: FakeClock,
                                                demo_id: int) -> None:
    panel = live.agenda
    panel.detect_clock_jumps = True  # on for the system clock; here the fake one "jumps"
    panel.tick()
    clock.advance(3600)  # an hour in no time: the system time was changed
    panel.tick()
    assert panel.advice_label.text().startswith("The system clock jumped +1:00:00 at 08:30:00")
    assert panel.advice_label.isVisibleTo(panel)


def test_chart_of_a_past_meeting_projected_to_today_draws_few_ticks(qtbot, live: MainWindow,
                                                                   clock: FakeClock) -> None:
    """The demo opened years after its date: the pending items project to today, so the axis
    spans years. It is drawn in whole days, a tick every 56 px or more (it once drew a tick
    every six hours: thousands of labels, seconds of painting at start-up)."""
    chart = live.agenda.chart
    clock.set(datetime(2026, 11, 26, 9, 30, tzinfo=clock.now().tzinfo))
    live.agenda.tick()
    qtbot.waitUntil(lambda: chart.forecast is not None and chart.forecast.now.year == 2026)
    lo, hi = chart._span()
    step = chart._step(hi - lo)
    assert step >= 24 * 60 and step % (24 * 60) == 0
    ticks = (hi - lo).total_seconds() / 60 / step
    assert ticks <= chart.width() / 56 + 1
    assert chart._tick_label(lo, step) == lo.astimezone(chart.tz).strftime("%d/%m" if step < 180 * 24 * 60
                                                                         else "%m/%Y")
    assert not chart.grab().isNull()


def test_chart_legend_wraps_to_the_width(qtbot, live: MainWindow, core, clock: FakeClock, demo_id: int) -> None:
    """A narrow dock (or the longer Vietnamese words) wraps the legend onto more lines, and the
    chart asks for the height they take: nothing is drawn past the right edge."""
    from PySide6.QtGui import QFontMetrics

    clock.set(t("8:00"))
    live.runner.run_sync(agenda.next_item, demo_id)
    shown = live.agenda.chart
    qtbot.waitUntil(lambda: shown.forecast is not None)
    from meeting_console.ui.agenda_chart import AgendaChart

    chart = AgendaChart()  # the same data, at the widths asked
    qtbot.addWidget(chart)
    chart.set_data(shown.bars, shown.forecast, shown.tz.key)
    heights = {}
    for width in (1200, 330):
        chart.resize(width, chart.height())
        layout = chart._legend_layout(chart.forecast, 0)
        fm = QFontMetrics(chart._small_font())
        assert chart.width() == width
        assert all(x + 23 + fm.horizontalAdvance(text) <= width for _k, _s, text, x, _y in layout), layout
        heights[width] = chart.sizeHint().height()
        assert {text for *_r, text, _x, _y in layout} >= {"planned", "actual", "projected"}
    assert heights[330] > heights[1200]
