"""A live key press costs the DB worker the operation alone. The timeline, the speaker
queue and the undo action take what they show from the operation's ``Changes`` (its new column
values, the undo state), not from reads queued behind it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from meeting_console.core import agenda, reads
from meeting_console.core.clock import FakeClock
from meeting_console.ui.main_window import MainWindow


def counting(runner: Any) -> list[str]:
    calls: list[str] = []
    call = runner.call

    def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__qualname__", repr(fn)))
        return call(fn, *args, **kwargs)

    runner.call = counted
    return calls


def reads_only(calls: list[str]) -> list[str]:
    """The calls that are not an operation (an operation may reach the worker another way)."""
    return [c for c in calls if "op_then_read" not in c]


def settle(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not window.runner._pending)


def test_next_item_is_one_worker_task_and_the_views_follow(qtbot, window: MainWindow, core,
                                                            clock: FakeClock, demo_id: int) -> None:
    panel = window.agenda
    panel.timer.stop()
    window.runner.run_sync(agenda.next_item, demo_id)  # the meeting is open, item 1 runs
    settle(qtbot, window)
    calls = counting(window.runner)
    clock.advance(minutes=5)
    window.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(lambda: panel.view.hasFocus())
    with qtbot.waitSignal(panel.loaded):
        qtbot.keyClick(panel.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert reads_only(calls) == [], calls  # the operation alone, no read behind it
    # and every view shows what a fresh read gives
    fresh = reads.agenda(core, demo_id)
    assert panel.items == fresh
    assert window.speakers.data is not None and window.speakers.data.agenda == fresh
    status = core.undo_status(demo_id)
    assert window.undo_action.text() == f"Undo {status.undo_label}" and window.undo_action.isEnabled()
    assert not window.redo_action.isEnabled()
    # undo: the same, and the redo action says what it would redo
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.redo_action.isEnabled())
    settle(qtbot, window)
    assert panel.items == reads.agenda(core, demo_id)
    assert window.redo_action.text() == f"Redo {core.undo_status(demo_id).redo_label}"


def test_call_next_and_reorder_patch_the_queue_without_reading(qtbot, window: MainWindow, core,
                                                               demo_id: int) -> None:
    panel = window.speakers
    queue = [s for s in reads.speakers(core, demo_id) if s.position is not None]
    window.runner.run_sync(agenda.start_item, queue[0].agenda_item_id)  # the discussion runs
    settle(qtbot, window)
    qtbot.waitUntil(lambda: panel.model.rowCount() > 2)
    calls = counting(window.runner)
    waiting = [r for r in panel.model.rows if r.position is not None]
    panel.select_id(waiting[0].id)
    with qtbot.waitSignal(panel.loaded):
        panel.move_selected(+1)
    settle(qtbot, window)
    with qtbot.waitSignal(panel.loaded):
        panel.call_next()
    settle(qtbot, window)
    assert reads_only(calls) == [], calls  # the two operations, no read
    fresh = {s.id: s for s in reads.speakers(core, demo_id)}
    assert {s.id: s for s in panel.data.speakers} == fresh


def test_call_next_renumbers_the_queue_on_screen(qtbot, window: MainWindow, core, demo_id: int) -> None:
    """The head called, every waiting speaker moves up one place: the "#" column of the rows
    below is announced as changed too (else the screen keeps the old numbers), not only the two
    rows the operation changed."""
    panel = window.speakers
    queue = [s for s in reads.speakers(core, demo_id) if s.position is not None]
    window.runner.run_sync(agenda.start_item, queue[0].agenda_item_id)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: panel.model.rowCount() > 3)
    changed: list[tuple[int, int, int, int]] = []
    panel.model.dataChanged.connect(
        lambda a, b, *_r: changed.append((a.row(), b.row(), a.column(), b.column())))
    with qtbot.waitSignal(panel.loaded):
        panel.call_next()
    settle(qtbot, window)
    rows = panel.model.rows
    waiting = [i for i, r in enumerate(rows) if r.position is not None]
    numbers = [panel.model.data(panel.model.index(i, 0)) for i in waiting]
    assert numbers == [str(n) for n in range(1, len(waiting) + 1)]
    for i in waiting:  # every waiting row's "#" was announced
        assert any(a <= i <= b and c0 == 0 for a, b, c0, _c1 in changed), (i, changed)


def test_the_meeting_start_is_patched_from_the_change_by_every_panel(qtbot, window: MainWindow, core,
                                                                       clock: FakeClock, demo_id: int) -> None:
    """The first "next item" opens the meeting: the window's status line, the backup state, the
    hall display's mode, the awards and the bridge points take the meeting's new status and
    start time from the change (none of them shows anything else that changed): no panel reads
    the meeting or its table again."""
    panel = window.agenda
    panel.timer.stop()
    settle(qtbot, window)
    calls = counting(window.runner)
    window.activateWindow()
    panel.view.setFocus()
    qtbot.waitUntil(lambda: panel.view.hasFocus())
    with qtbot.waitSignal(panel.loaded):
        qtbot.keyClick(panel.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert reads_only(calls) == [], calls
    fresh = reads.meeting(core, demo_id)
    assert fresh.status == "live"
    assert window.meeting == fresh
    assert window.awards.snap is not None and window.awards.snap.meeting == fresh
    assert panel.meeting == fresh and panel.items == reads.agenda(core, demo_id)
    # and an undo of the start (its journal entry restores the columns) is followed the same way
    calls.clear()
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.meeting is not None and window.meeting.status == "draft")
    settle(qtbot, window)
    assert window.meeting == reads.meeting(core, demo_id)
    assert window.awards.snap.meeting == window.meeting
