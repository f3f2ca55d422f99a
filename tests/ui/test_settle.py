"""Start-up settles (ui/settle.py): the DB worker dry runs the live operations — nothing stored,
journaled or announced on the bus — then the start-up's objects are collected and frozen, and
the window says so (``MainWindow.settled``)."""

from __future__ import annotations

import gc

from meeting_console.core import agenda, reads
from meeting_console.ui import settle
from meeting_console.ui.bus import Runner
from meeting_console.ui.main_window import MainWindow


def _open(qtbot, core, demo_id: int) -> tuple[MainWindow, Runner, list[object]]:
    runner = Runner(core)
    announced: list[object] = []
    runner.operation_did_execute.connect(lambda ch, _i: announced.append(ch))
    w = MainWindow(runner, demo_id)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w, runner, announced


def test_the_window_settles_without_writing_or_announcing(qtbot, core, demo_id: int) -> None:
    top = core.high_water()
    before = [(i.id, i.status, i.actual_start) for i in reads.agenda(core, demo_id)]
    gc.unfreeze()
    w, runner, announced = _open(qtbot, core, demo_id)
    try:
        qtbot.waitUntil(w.is_settled, timeout=10_000)
        assert gc.get_freeze_count() > 0  # the start-up's objects are out of full collections
        assert core.high_water() == top
        assert [(i.id, i.status, i.actual_start) for i in reads.agenda(core, demo_id)] == before
        assert reads.meeting(core, demo_id).status == "draft"
        assert announced == []
        assert w.agenda.now_label.text().endswith("Not started · next: 1. Khai mạc hội nghị at ≈ 08:00")
        # and the first real key press works as ever
        w.agenda.next_item()
        qtbot.waitUntil(lambda: w.agenda.model.rows[0].item.status == "running")
        assert len(announced) == 1 and core.high_water() == top + 1
    finally:
        w.close()
        runner.shutdown()
        gc.unfreeze()


def test_warm_calls_are_the_first_key_presses(core, demo_id: int) -> None:
    calls = settle.warm_calls(core, demo_id)
    ops = [c[0] for c in calls]
    assert ops[:2] == [agenda.next_item, agenda.next_item]
    assert [getattr(op, "op_name", "") for op in ops[2:]] == [
        "speakers.move_request", "speakers.call_next", "endpoints.set_status"]
    assert settle.warm_up(core, demo_id) == 5
    core.role = "viewer"
    assert settle.warm_up(core, demo_id) == 0


def test_a_closed_meeting_has_nothing_to_warm(core, demo_id: int) -> None:
    agenda.next_item(core, demo_id)
    agenda.close_meeting(core, demo_id)
    assert settle.warm_calls(core, demo_id) == []



def test_the_first_next_item_and_its_read_back_compile_nothing(core, demo_id: int) -> None:
    """After the warm-up the first "next item" (the meeting's start) and the timeline's read
    back of the rows it changed run only statements compiled already."""
    from meeting_console.ui.agenda_panel import AgendaPanel

    settle.warm_up(core, demo_id)
    cache = core.db.engine._compiled_cache  # SQLAlchemy's LRU of compiled statements
    warmed = len(cache)
    changes = agenda.next_item(core, demo_id)
    meeting, rows = AgendaPanel.load_changed(core, demo_id, changes.rows["agenda_item"], True)
    assert meeting.status == "live" and [r.status for r in rows] == ["running"]
    assert len(cache) == warmed, "the first key press compiled a statement the warm-up had not"


def test_the_glyphs_of_the_first_press_are_drawn_once_start_up_is_over(qtbot, window: MainWindow,
                                                                       monkeypatch) -> None:
    """Once settled, the texts the first "next item" draws in bold for the first time (the row
    it starts, the digits of its times) have been drawn off screen in the timeline's and the
    chart's bold fonts; nothing on screen changes."""
    drawn: list[int] = []
    real = settle.warm_glyphs
    monkeypatch.setattr(settle, "warm_glyphs", lambda w: drawn.append(real(w)) or drawn[-1])
    qtbot.waitUntil(lambda: bool(window.agenda.model.rows))
    before = window.grab().toImage()
    window._settler._freeze()
    upcoming = next(r for r in window.agenda.model.rows if r.item.status == "pending")
    texts = 1 + sum(1 for text, _fg, _bg in upcoming.cells if text)
    assert drawn == [2 * texts]
    assert window.grab().toImage() == before
    assert settle.warm_glyphs(None) == 0  # no window: nothing to warm
