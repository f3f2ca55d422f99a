"""The speaker queue in the main window, driven from the keyboard: register (search as you type,
and a new name with post), reorder, chair priority, call next, the timer and its colours, the
summary, done, and the main window's Undo of an accidental "call next"; drag and drop; a lost
endpoint's held turn; the models pass qtmodeltester."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from meeting_console.core import endpoints, reads
from meeting_console.core import speakers as sp
from meeting_console.core.api import Core
from meeting_console.core.clock import FakeClock
from meeting_console.core.timefmt import at_local
from meeting_console.ui.main_window import MainWindow
from meeting_console.ui.speaker_register import PeoplePickModel, RegisterSpeakerDialog
from meeting_console.ui.speakers_panel import SpeakersPanel

TZ = "Asia/Ho_Chi_Minh"


def local(hh: int, mm: int, ss: int = 0):
    from datetime import date

    return at_local(date(2022, 1, 14), hh, mm, TZ, ss)


def rows(core: Core, mid: int) -> dict[str, reads.SpeakerInfo]:
    return {s.person_name: s for s in reads.speakers(core, mid)}


def waiting(core: Core, mid: int) -> list[str]:
    rs = [s for s in reads.speakers(core, mid) if s.position is not None]
    return [s.person_name for s in sorted(rs, key=lambda s: s.position or 0)]


def shown(panel: SpeakersPanel) -> list[str]:
    return [panel.model.index(r, 1).data() for r in range(panel.model.rowCount())]


@pytest.fixture
def panel(qtbot, window: MainWindow) -> SpeakersPanel:
    window.activateWindow()
    window.docks["speakers"].raise_()
    p = window.speakers
    qtbot.waitUntil(lambda: p.model.rowCount() == 8)
    p.view.setFocus()
    return p


def key(qtbot, widget, k, mod=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(widget, k, mod)


def type_text(widget, text: str) -> None:
    """Type text as a keyboard layout would deliver it (QTest's keyClicks takes ASCII only)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def back_to(qtbot, window: MainWindow, widget) -> None:
    """After a dialog: the main window active again, the focus where the secretary left it."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    widget.setFocus()


def dialog(qtbot, window: MainWindow) -> RegisterSpeakerDialog:
    found: list[RegisterSpeakerDialog] = []

    def visible() -> bool:
        found[:] = [d for d in window.findChildren(RegisterSpeakerDialog) if d.isVisible()]
        return bool(found)

    qtbot.waitUntil(visible)
    return found[-1]


def test_a_discussion_by_keyboard(qtbot, window: MainWindow, panel: SpeakersPanel, core: Core,
                                  clock: FakeClock, demo_id: int) -> None:
    mid = demo_id
    clock.set(local(9, 0))
    view = panel.view
    assert shown(panel)[0] == "Vân Đình Thảo"
    # register a participant: Ins, type without accents, Enter
    key(qtbot, view, Qt.Key.Key_Insert)
    dlg = dialog(qtbot, window)
    qtbot.keyClicks(dlg.search, "chau lam")
    assert dlg.model.shown and dlg.model.shown[0].full_name == "Chẩu Văn Lâm"
    key(qtbot, dlg.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: waiting(core, mid)[-1:] == ["Chẩu Văn Lâm"])
    qtbot.waitUntil(lambda: not dlg.isVisible())
    back_to(qtbot, window, view)
    # a new name with post, from the window-wide key
    key(qtbot, view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dlg = dialog(qtbot, window)
    type_text(dlg.search, "Hà Trung Kiên")
    assert dlg.chosen() == (None, True)  # nobody matches: the "new participant" row
    key(qtbot, dlg.search, Qt.Key.Key_Return)  # to the post
    assert dlg.new_post.hasFocus() and dlg.new_name.text() == "Hà Trung Kiên"
    type_text(dlg.new_post, "Giám đốc Sở Tài chính")
    key(qtbot, dlg.new_post, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: waiting(core, mid)[-1:] == ["Hà Trung Kiên"])
    qtbot.waitUntil(lambda: not dlg.isVisible())
    back_to(qtbot, window, view)
    kien = rows(core, mid)["Hà Trung Kiên"]
    assert kien.person_posts == ("Giám đốc Sở Tài chính",) and kien.source == "advance"
    # the new request is selected: reorder it up with Ctrl+Up, then put Chẩu Văn Lâm next
    qtbot.waitUntil(lambda: panel.selected_id() == kien.id)
    key(qtbot, view, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: waiting(core, mid)[-2:] == ["Hà Trung Kiên", "Chẩu Văn Lâm"])
    assert panel.selected_id() == kien.id  # the selection follows the moved speaker
    panel.select_id(rows(core, mid)["Chẩu Văn Lâm"].id)
    key(qtbot, view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: waiting(core, mid)[0] == "Chẩu Văn Lâm")
    qtbot.waitUntil(lambda: shown(panel)[0] == "Chẩu Văn Lâm")
    # call next (F5): the chair's priority speaker has the floor; the pane shows him
    key(qtbot, view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: rows(core, mid)["Chẩu Văn Lâm"].status == "speaking")
    pane = panel.pane
    qtbot.waitUntil(lambda: pane.name.text() == "Chẩu Văn Lâm")
    assert "Bí thư Tỉnh ủy" in pane.posts.text() and "Tỉnh ủy" in pane.endpoint.text()
    assert pane.next_lines[0].text().startswith("1. Vân Đình Thảo")
    assert pane.next_lines[2].text().startswith("3. Hoàng Anh Cương")
    # the timer: F6 pauses and resumes; the pause total shows
    clock.advance(30)
    key(qtbot, view, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: rows(core, mid)["Chẩu Văn Lâm"].status == "paused")
    clock.advance(20)
    key(qtbot, view, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: rows(core, mid)["Chẩu Văn Lâm"].status == "speaking")
    qtbot.waitUntil(lambda: pane.pauses.text() == "Pauses in total: 0:20")
    # green, then amber in the last 30 s of the five minutes, then red past them
    pane.tick()
    assert pane.phase == "normal" and pane.timer.text() == "0:30"
    clock.advance(4 * 60 + 1)
    pane.tick()
    assert pane.phase == "warning" and pane.timer.text() == "4:31"
    clock.advance(30)
    pane.tick()
    assert pane.phase == "overrun" and "0:01 over" in pane.limit.text()
    # F8: one more minute, green again with 0:59 left
    key(qtbot, view, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: rows(core, mid)["Chẩu Văn Lâm"].extended_seconds == 60)
    qtbot.waitUntil(lambda: pane.phase == "normal")
    assert "of 6:00 · 0:59 left" in pane.limit.text()
    # the summary: F9 goes to the editor; F7 ends the speech and keeps what was written
    key(qtbot, view, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: pane.summary.hasFocus())
    type_text(pane.summary, "Đề nghị các đại biểu tập trung thảo luận.")
    clock.advance(15)
    key(qtbot, pane.summary, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: rows(core, mid)["Chẩu Văn Lâm"].status == "done")
    lam = rows(core, mid)["Chẩu Văn Lâm"]
    assert lam.summary == "Đề nghị các đại biểu tập trung thảo luận."
    assert lam.actual_start == local(9, 0) and lam.paused_seconds == 20
    assert (lam.actual_end - lam.actual_start).total_seconds() - lam.paused_seconds == 30 + 241 + 30 + 15
    qtbot.waitUntil(lambda: pane.name.text() == "No one has the floor")
    # F5, then F5 again by accident: the main window's Undo gives the floor back
    view.setFocus()
    clock.advance(40)
    key(qtbot, view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: rows(core, mid)["Vân Đình Thảo"].status == "speaking")
    thao_start = clock.now()
    clock.advance(3)
    key(qtbot, view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: rows(core, mid)["Nguyễn Việt Lâm"].status == "speaking")
    assert rows(core, mid)["Vân Đình Thảo"].status == "done"
    qtbot.waitUntil(lambda: window.undo_action.text()
                    == "Undo Call next speaker: Nguyễn Việt Lâm (closes Vân Đình Thảo)")
    key(qtbot, view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: rows(core, mid)["Vân Đình Thảo"].status == "speaking")
    thao = rows(core, mid)["Vân Đình Thảo"]
    assert thao.actual_start == thao_start and thao.actual_end is None
    assert waiting(core, mid)[0] == "Nguyễn Việt Lâm"
    qtbot.waitUntil(lambda: pane.name.text() == "Vân Đình Thảo")
    # finished turns, then the current speaker, then the queue
    qtbot.waitUntil(lambda: shown(panel)[:3] == ["Chẩu Văn Lâm", "Vân Đình Thảo", "Nguyễn Việt Lâm"])
    assert [panel.model.index(r, 0).data() for r in range(3)] == ["", "▶", "1"]


def test_models_pass_the_model_tester(qtmodeltester, qtbot, panel: SpeakersPanel, core: Core,
                                      demo_id: int) -> None:
    qtmodeltester.check(panel.model)
    people = reads.people(core, demo_id)
    pick = PeoplePickModel(people, {e.id: e.name for e in reads.endpoints(core, demo_id)})
    qtmodeltester.check(pick)
    pick.set_query("son duong")  # accents optional: the Sơn Dương chairman by his post
    assert [p.full_name for p in pick.shown] == ["Giang Tuấn Anh"]
    assert pick.rowCount() == 2  # and the "new participant" row
    qtmodeltester.check(pick)


def test_drag_and_drop_reorders(qtbot, panel: SpeakersPanel, core: Core, demo_id: int) -> None:
    model = panel.model
    assert model.flags(model.index(3, 0)) & Qt.ItemFlag.ItemIsDragEnabled
    data = model.mimeData([model.index(5, 0)])  # Phạm Mạnh Duyệt
    assert model.canDropMimeData(data, Qt.DropAction.MoveAction, 1, 0, QModelIndex())
    assert model.dropMimeData(data, Qt.DropAction.MoveAction, 1, 0, QModelIndex())  # before row 1
    qtbot.waitUntil(lambda: waiting(core, demo_id)[:3] == ["Vân Đình Thảo", "Phạm Mạnh Duyệt", "Nguyễn Việt Lâm"])
    qtbot.waitUntil(lambda: shown(panel)[1] == "Phạm Mạnh Duyệt")
    # dropped on the empty area: to the end
    data = model.mimeData([model.index(0, 0)])
    model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    qtbot.waitUntil(lambda: waiting(core, demo_id)[-1] == "Vân Đình Thảo")
    assert not model.removeRows(0, 1)  # a move never deletes rows in the view


def test_a_lost_endpoint_holds_the_turn(qtbot, window: MainWindow, panel: SpeakersPanel, core: Core,
                                        demo_id: int) -> None:
    mid = demo_id
    son_duong = next(e.id for e in reads.endpoints(core, mid) if e.name == "Sơn Dương")
    giang = rows(core, mid)["Giang Tuấn Anh"].id
    runner = panel.runner
    runner.run_sync(sp.update_request, giang, meeting_endpoint_id=son_duong)
    runner.run_sync(sp.prioritize, giang)
    runner.run_sync(endpoints.set_status, son_duong, "lost")
    qtbot.waitUntil(lambda: "Lost" in (panel.model.index(0, 3).data() or ""))
    assert panel.model.index(0, 3).data(Qt.ItemDataRole.ForegroundRole) is not None
    # F5 warns and offers to hold the turn
    key(qtbot, panel.view, Qt.Key.Key_F5)
    box: list[QMessageBox] = []
    qtbot.waitUntil(lambda: bool(box.extend(b for b in panel.findChildren(QMessageBox)
                                            if b.objectName() == "hold-turn" and b.isVisible()) or box))
    assert "Sơn Dương" in box[0].text()
    hold = next(b for b in box[0].buttons() if box[0].buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    hold.click()
    qtbot.waitUntil(lambda: rows(core, mid)["Vân Đình Thảo"].status == "speaking")
    assert rows(core, mid)["Giang Tuấn Anh"].status == "held"
    qtbot.waitUntil(lambda: panel.pane.next_lines[0].text().startswith("1. Giang Tuấn Anh")
                    and "held (link lost)" in panel.pane.next_lines[0].text())
    # the link is back: the panel returns the turn to the head of the queue by itself
    runner.run(endpoints.set_status, son_duong, "connected")
    qtbot.waitUntil(lambda: rows(core, mid)["Giang Tuấn Anh"].status == "queued")
    assert waiting(core, mid)[0] == "Giang Tuấn Anh"
    entry = reads.journal(core, mid)[-1]
    assert entry.automatic and entry.label.startswith("Turn returns to the head of the queue")
    qtbot.waitUntil(lambda: window.undo_action.text() == "Undo Status of Sơn Dương: connected")


def test_summary_is_saved_when_leaving_the_editor(qtbot, window: MainWindow, panel: SpeakersPanel,
                                                  core: Core, clock: FakeClock, demo_id: int) -> None:
    runner = panel.runner
    rid = runner.run_sync(sp.call_next, reads.speakers(core, demo_id)[0].agenda_item_id).result
    clock.advance(timedelta(minutes=3).total_seconds())
    runner.run_sync(sp.end_speech, rid)
    # after the speech: the pane offers the last speech's summary
    qtbot.waitUntil(lambda: panel.pane.target_id == rid)
    assert "Vân Đình Thảo" in panel.pane.summary_title.text()
    panel.focus_summary()
    type_text(panel.pane.summary, "Chuyển đổi số")
    panel.view.setFocus()  # leaving the editor saves
    qtbot.waitUntil(lambda: rows(core, demo_id)["Vân Đình Thảo"].summary == "Chuyển đổi số")
    assert reads.journal(core, demo_id)[-1].label == "Speech summary: Vân Đình Thảo"


def test_refusals_are_shown(qtbot, window: MainWindow, panel: SpeakersPanel, demo_id: int) -> None:
    closing = next(i for i in panel.data.agenda if i.kind == "closing")
    panel.item_box.setCurrentIndex(panel.item_box.findData(closing.id))
    panel.item_box.activated.emit(panel.item_box.currentIndex())
    assert panel.model.rowCount() == 0
    key(qtbot, panel.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: any(b.isVisible() and "empty" in b.text()
                                for b in QApplication.topLevelWidgets() + panel.findChildren(QMessageBox)
                                if isinstance(b, QMessageBox)))


def test_a_move_shows_the_rows_read_with_the_operation(qtbot, window: MainWindow, panel: SpeakersPanel,
                                                       core: Core, demo_id: int) -> None:
    """The requests a queue operation changed are read back in the operation's own worker task:
    the queue updates when the change is announced, with no read of its own queued behind the
    other panels' (and the rows are those a full read gives)."""
    calls: list[str] = []
    original = window.runner.call

    def spy(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(getattr(fn, "__qualname__", ""))
        return original(fn, *args, **kwargs)

    window.runner.call = spy  # type: ignore[method-assign]
    second = panel.model.rows[1].id
    panel.select_id(second)
    key(qtbot, panel.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: waiting(core, demo_id)[2] == rows(core, demo_id)[shown(panel)[2]].person_name
                    and panel.model.rows[2].id == second)
    assert not [c for c in calls if c.startswith("SpeakersPanel._on_changes")]
    assert not [c for c in calls if c.startswith("SpeakersPanel.load")]
    assert panel._prefetched == {}
    fresh = sp.queue_view(core, demo_id)
    assert panel.model.rows == tuple(panel.queue_rows(fresh, panel.item_id))


def test_agenda_changes_reach_the_queue_without_reading_it_all(qtbot, window: MainWindow, panel: SpeakersPanel,
                                                              core: Core, clock: FakeClock, demo_id: int) -> None:
    """"Next item", an inserted item and a move in the agenda: the queue reads back only the
    items (and the meeting) that changed, and holds what a full read gives."""
    from meeting_console.core import agenda

    calls: list[str] = []
    original = window.runner.call

    def spy(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(getattr(fn, "__qualname__", ""))
        return original(fn, *args, **kwargs)

    window.runner.call = spy  # type: ignore[method-assign]
    ids = [i.id for i in reads.agenda(core, demo_id)]
    clock.set(local(8, 0))
    window.runner.run(agenda.next_item, demo_id)  # opens the meeting: meeting and item rows
    qtbot.waitUntil(lambda: panel.data is not None and panel.data.meeting.status == "live"
                    and panel.data.agenda[0].status == "running")
    window.runner.run(agenda.insert_item, ids[3], "Đột xuất", planned_minutes=5)
    qtbot.waitUntil(lambda: panel.data is not None and len(panel.data.agenda) == 8)
    window.runner.run(agenda.move_item, ids[5], 2)
    qtbot.waitUntil(lambda: panel.data is not None and panel.data.agenda[2].id == ids[5])
    assert not [c for c in calls if c.startswith("SpeakersPanel.load")]
    fresh = sp.queue_view(core, demo_id)
    assert panel.data.meeting == fresh.meeting and panel.data.agenda == fresh.agenda
    assert panel.data.speakers == fresh.speakers
    assert panel.model.rows == tuple(panel.queue_rows(fresh, panel.item_id))


def test_next_item_elsewhere_leaves_the_queue_shown_and_keeps_what_the_view_worked_out(
        qtbot, window: MainWindow, panel: SpeakersPanel, core: Core, clock: FakeClock, demo_id: int) -> None:
    """"Next item" on items whose queue is not shown: the queue, the pane and the budget are not
    shown again (nothing they show changed), the view held follows the agenda (equal to a fresh
    read) and keeps the per-item queues it worked out; once the shown item runs, it is shown."""
    from meeting_console.core import agenda

    ids = [i.id for i in reads.agenda(core, demo_id)]
    clock.set(local(8, 0))
    qtbot.waitUntil(lambda: panel.data is not None)
    shown = panel.item_id
    assert shown is not None and shown != ids[0]
    panel.data.waiting(shown)  # the view works out its queues
    shows: list[int | None] = []
    original = panel._show_item

    def spy() -> None:
        shows.append(panel.item_id)
        original()

    panel._show_item = spy  # type: ignore[method-assign]
    budget, rows = panel.budget.text(), panel.model.rows
    window.runner.run(agenda.next_item, demo_id)  # opens the meeting: the general path
    qtbot.waitUntil(lambda: panel.data.agenda[0].status == "running")
    shows.clear()
    assert ids.index(shown) >= 3
    for n in range(1, ids.index(shown)):
        clock.advance(minutes=5)
        window.runner.run(agenda.next_item, demo_id)
        qtbot.waitUntil(lambda n=n: panel.data.agenda[n].status == "running")
        assert shows == [] and "_by_item" in panel.data.__dict__
        assert panel.model.rows == rows and panel.budget.text() == budget
        assert panel.pane.view is panel.data
        fresh = sp.queue_view(core, demo_id)
        assert panel.data.agenda == fresh.agenda and panel.data.speakers == fresh.speakers
        assert panel.data.waiting(shown) == fresh.waiting(shown)
    clock.advance(minutes=5)
    window.runner.run(agenda.next_item, demo_id)  # the shown item runs: its budget changes
    qtbot.waitUntil(lambda: panel.data.item(shown).status == "running")
    assert shows == [shown]
    qtbot.waitUntil(lambda: panel.budget.text() != budget)
    fresh = sp.queue_view(core, demo_id)
    assert panel.model.rows == tuple(panel.queue_rows(fresh, shown))


def test_the_columns_a_call_changes_are_wide_enough_from_the_start(qtbot, window: MainWindow,
                                                                    panel: SpeakersPanel, core: Core,
                                                                    clock: FakeClock, demo_id: int) -> None:
    """The queue is sized to its contents when first shown: every request waiting, none started.
    The status, limit, start and time-spoken columns must still show a speaker's "Speaking",
    start time and time spoken whole (they were cut to "Spea…" at the first call)."""
    view = panel.view
    model = panel.model
    assert all(r.status == "queued" and r.actual_start is None for r in reads.speakers(core, demo_id))
    clock.set(local(9, 3, 30))
    key(qtbot, view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: any(r.status == "speaking" for r in reads.speakers(core, demo_id)))
    first = next(r for r in reads.speakers(core, demo_id) if r.status == "speaking")
    sp.extend(core, first.id, 600)
    clock.set(local(9, 59, 58))
    key(qtbot, view, Qt.Key.Key_F5)  # the first done, with 56:28 spoken; the second speaking
    qtbot.waitUntil(lambda: rows(core, demo_id)[first.person_name].status == "done")
    qtbot.waitUntil(lambda: model.data(model.index(model.row_of(first.id), 7)) != "")
    for col in (4, 5, 6, 7):
        need = view.sizeHintForColumn(col)  # the widest of the texts shown now, as the view measures
        assert view.columnWidth(col) >= need, (model.headerData(col, Qt.Orientation.Horizontal), need)
