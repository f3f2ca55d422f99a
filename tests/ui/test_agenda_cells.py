"""The timeline works out a row's cells in one call (``AgendaPanel._row_cells``): they are what
the column specs (``_cell_specs``, one function per column and per colour) give, for every
state an item goes through — pending and projected, running, in its last minute, over time,
paused, extended, done early and late, skipped, unplanned, cut advice, the meeting closed."""

from __future__ import annotations

from meeting_console.core import agenda, reads
from meeting_console.core.clock import FakeClock
from meeting_console.core.timefmt import at_local
from meeting_console.ui.agenda_panel import AgendaPanel, _Src
from meeting_console.ui.main_window import MainWindow


def check(qtbot, panel: AgendaPanel, core, demo_id: int) -> int:  # type: ignore[no-untyped-def]
    panel.refresh()
    fresh = reads.agenda(core, demo_id)
    qtbot.waitUntil(lambda: panel.items == fresh)
    panel.tick()
    assert panel.forecast is not None and panel.meeting is not None
    day = panel.meeting.date
    for it, f, row in zip(panel.items, panel.forecast.items, panel.model.rows, strict=True):
        src = _Src(it, f)
        by_specs = tuple((text(src), fg(src), bg(src)) for _h, text, fg, bg, _a in panel._specs)
        assert panel._row_cells(it, f, day) == by_specs, (it.status, f)
        assert row.cells == by_specs, (it.status, f)  # as the timeline built it (a moved row: its
        # first cells kept from before)
    return len(panel.items)


def test_a_rows_cells_are_what_the_column_specs_give(qtbot, window: MainWindow, core, clock: FakeClock,
                                                     demo_id: int) -> None:
    panel = window.agenda
    panel.timer.stop()
    day = reads.meeting(core, demo_id).date
    clock.set(at_local(day, 7, 50, panel.tz))
    check(qtbot, panel, core, demo_id)  # not started: planned and projected
    agenda.next_item(core, demo_id)
    check(qtbot, panel, core, demo_id)
    allowed = panel.forecast.current.allowed_seconds  # type: ignore[union-attr]
    clock.advance(seconds=allowed - 30)
    check(qtbot, panel, core, demo_id)  # the last minute (amber)
    clock.advance(minutes=2)
    check(qtbot, panel, core, demo_id)  # over time: every pending row moves (its first cells kept)
    clock.advance(minutes=25)
    check(qtbot, panel, core, demo_id)  # over time (red), the meeting late: cut advice
    agenda.extend_current(core, demo_id, 5)
    agenda.toggle_pause(core, demo_id)
    clock.advance(minutes=3)
    check(qtbot, panel, core, demo_id)  # paused and extended
    agenda.toggle_pause(core, demo_id)
    agenda.next_item(core, demo_id)  # item 1 done late
    clock.advance(minutes=2)
    items = reads.agenda(core, demo_id)
    agenda.skip_item(core, items[3].id)
    agenda.insert_item(core, items[2].id, "Ý kiến đột xuất", after=True, planned_minutes=5)
    check(qtbot, panel, core, demo_id)  # skipped, unplanned
    agenda.next_item(core, demo_id)  # item 2 done early
    clock.advance(minutes=1)
    check(qtbot, panel, core, demo_id)
    agenda.close_meeting(core, demo_id)
    clock.advance(minutes=10)
    assert check(qtbot, panel, core, demo_id) > 5  # closed
