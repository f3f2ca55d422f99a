"""The undo/redo state an operation returns in its ``Changes`` is what ``undo_status`` reads
after it: the console shows it without a second read after every key press."""

from __future__ import annotations

from meeting_console.core import agenda
from meeting_console.core.api import Core
from tests.factories import small_meeting


def same_as_read(core: Core, changes) -> None:  # type: ignore[no-untyped-def]
    assert changes.undo is not None
    assert changes.undo == core.undo_status(changes.meeting_id)


def test_operations_undo_and_redo_carry_the_undo_status(core: Core) -> None:
    b = small_meeting(core)
    mid = b.meeting_id
    same_as_read(core, agenda.next_item(core, mid))
    same_as_read(core, agenda.next_item(core, mid))
    # undo twice, redo once: the redo label is there, and the undo label steps back
    same_as_read(core, core.undo(mid))
    after_undo = core.undo(mid)
    same_as_read(core, after_undo)
    assert after_undo.undo.can_redo
    redone = core.redo(mid)
    same_as_read(core, redone)
    assert redone.undo.can_redo and redone.undo.can_undo
    # a new operation clears the redo
    ch = agenda.next_item(core, mid)
    same_as_read(core, ch)
    assert ch.undo.undo_label == ch.label and not ch.undo.can_redo


def test_another_seat_keeps_its_own_undo(core: Core) -> None:
    b = small_meeting(core)
    other = Core(core.db, clock=core.clock, seat="other seat")
    ch = agenda.next_item(other, b.meeting_id)
    same_as_read(other, ch)
    assert core.undo_status(b.meeting_id) != ch.undo  # this seat's last operation is older
