"""Seats and roles: the core refuses what a role may not do; each seat undoes its own work."""

from __future__ import annotations

from datetime import date

import pytest

from meeting_console.core import agenda, endpoints, meetings, reads
from meeting_console.core.api import Core
from meeting_console.errors import OperationRefused
from tests.factories import small_meeting


def other_core(core: Core, **kw) -> Core:
    return Core(core.db, clock=core.clock, **kw)


def test_viewer_cannot_change_anything(core: Core) -> None:
    b = small_meeting(core)
    viewer = other_core(core, seat="màn hình", role="viewer")
    hw = core.high_water()
    with pytest.raises(OperationRefused, match="viewer"):
        meetings.update_meeting(viewer, b.meeting_id, place="X")
    with pytest.raises(OperationRefused, match="viewer"):
        viewer.undo(b.meeting_id)
    assert core.high_water() == hw
    assert reads.meeting(viewer, b.meeting_id).title  # reading is fine


def test_clerk_changes_endpoints_not_the_agenda(core: Core) -> None:
    b = small_meeting(core)
    clerk = other_core(core, seat="clerk-1", role="clerk")
    endpoints.update_participation(clerk, b.endpoints["Sơn Dương"], present_delegates=20)
    with pytest.raises(OperationRefused, match="clerk seat may not change agenda_item"):
        agenda.update_item(clerk, b.items[0], title="X")
    assert reads.agenda(core, b.meeting_id)[0].title == "Khai mạc hội nghị"


def test_clerk_limited_to_some_endpoints(core: Core) -> None:
    b = small_meeting(core)
    clerk = other_core(core, seat="clerk-2", role="clerk",
                       endpoint_ids=frozenset({b.endpoints["Sơn Dương"]}))
    endpoints.update_participation(clerk, b.endpoints["Sơn Dương"], present_delegates=21)
    with pytest.raises(OperationRefused, match="not one of this clerk's endpoints"):
        endpoints.update_participation(clerk, b.endpoints["Chiêm Hóa"], present_delegates=3)


def test_unknown_role_refused(core: Core) -> None:
    with pytest.raises(OperationRefused, match="role"):
        other_core(core, role="chairman")


def test_each_seat_undoes_its_own_operations(core: Core) -> None:
    mid = meetings.create_meeting(core, "Họp", date(2022, 1, 14)).result
    a = other_core(core, seat="A")
    b = other_core(core, seat="B")
    meetings.update_meeting(a, mid, place="Hà Nội")
    meetings.update_meeting(b, mid, city="Tuyên Quang")
    assert a.undo_status(mid).undo_label == "Edit meeting details"
    a.undo(mid)  # takes back A's edit, not B's later one
    m = reads.meeting(core, mid)
    assert (m.place, m.city) == ("", "Tuyên Quang")
    assert not a.undo_status(mid).can_undo
    assert b.undo_status(mid).can_undo
    entries = reads.journal(core, mid)
    assert [(e.seat, e.kind) for e in entries[-3:]] == [("A", "op"), ("B", "op"), ("A", "undo")]


def test_undo_refused_when_another_seat_built_on_it(core: Core) -> None:
    mid = meetings.create_meeting(core, "Họp", date(2022, 1, 14)).result
    a = other_core(core, seat="A")
    b = other_core(core, seat="B")
    item = agenda.add_item(a, mid, "Khai mạc").result
    agenda.update_item(b, item, title="Khai mạc hội nghị")
    with pytest.raises(OperationRefused):
        a.undo(mid)
    assert reads.agenda(core, mid)[0].title == "Khai mạc hội nghị"
