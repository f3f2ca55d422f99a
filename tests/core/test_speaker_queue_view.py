"""A queue view patched with the requests an operation changed (``QueueView.updated``) shows
what a fresh read shows: rows in speech order, each item's requests and queue, the current
speaker, the queue's waiting need — also when worked out on the old view and carried over."""

from __future__ import annotations

from typing import Any

from meeting_console.core import agenda, meetings
from meeting_console.core import speakers as sp
from meeting_console.core.api import Core
from meeting_console.core.speaker_budget import waiting_need
from meeting_console.store import models as m


def _queue(core: Core, n: int) -> tuple[int, int]:
    from datetime import date

    mid = meetings.create_meeting(core, "Hội nghị", date(2022, 1, 14), form="online").result
    item = agenda.add_item(core, mid, "Thảo luận", kind="discussion", planned_minutes=90).result
    for i in range(n):
        pid = _person(core, mid, f"Đại biểu {i + 1}")
        sp.add_request(core, item, pid, limit_minutes=(i % 3) + 3 if i % 2 else None)
    return mid, item


def _person(core: Core, mid: int, name: str) -> int:
    from meeting_console.core.api import Tx, operation

    @operation("test: person")
    def add(tx: Tx) -> int:
        tx.meeting_id = mid
        return tx.add(m.Person(meeting_id=mid, full_name=name, posts=[], category="member",
                               is_recorder=False, attendance="in_person")).id

    return int(add(core).result)


def _warm(view: sp.QueueView, item: int) -> None:
    # what a panel and its pane work out on a view, to be carried over by ``updated``
    view.waiting(item)
    view.waiting_need(item)
    _ = view.current


def _same(view: sp.QueueView, fresh: sp.QueueView, item: int) -> None:
    assert view.speakers == fresh.speakers
    assert view.of_item(item) == fresh.of_item(item)
    assert view.waiting(item) == fresh.waiting(item)
    assert view.current == fresh.current
    assert view.next_to_call(item) == fresh.next_to_call(item)
    it = fresh.item(item)
    assert view.waiting_need(item) == waiting_need(it, fresh.of_item(item), fresh.meeting.default_speaking_minutes)
    assert {s.id: i for i, s in enumerate(view.speakers)} == view._index


def _step(core: Core, mid: int, item: int, view: sp.QueueView, op: Any, *args: Any, **kwargs: Any) -> sp.QueueView:
    _warm(view, item)
    changes = op(core, *args, **kwargs)
    ids = changes.rows.get("speaker_request", frozenset())
    patched = view.updated(sp.read_requests(core, mid, ids))
    _same(patched, sp.queue_view(core, mid), item)
    return patched


def test_a_patched_view_equals_a_fresh_read(core: Core) -> None:
    mid, item = _queue(core, 12)
    view = sp.queue_view(core, mid)
    cur = None
    for _ in range(3):  # calls: the head leaves, the floor passes on
        view = _step(core, mid, item, view, sp.call_next, item, expected_current=cur)
        cur = view.current.id if view.current else None
    waiting = view.waiting(item)
    view = _step(core, mid, item, view, sp.move_request, waiting[2].id, 3)  # a move down
    view = _step(core, mid, item, view, sp.move_request, view.waiting(item)[5].id, 1)  # and up
    view = _step(core, mid, item, view, sp.prioritize, view.waiting(item)[-1].id)
    view = _step(core, mid, item, view, sp.extend, view.waiting(item)[0].id, 120)
    view = _step(core, mid, item, view, sp.toggle_timer, mid)  # paused
    view = _step(core, mid, item, view, sp.toggle_timer, mid)  # resumed
    view = _step(core, mid, item, view, sp.end_current, mid)
    view = _step(core, mid, item, view, sp.skip, view.waiting(item)[1].id)
    view = _step(core, mid, item, view, sp.requeue,
                 next(s.id for s in view.of_item(item) if s.status == "skipped"))
    view = _step(core, mid, item, view, sp.call_next, item)
    assert view.current is not None


def test_a_queue_whose_head_is_called_changes_two_rows(core: Core) -> None:
    mid, item = _queue(core, 30)
    sp.call_next(core, item)
    changes = sp.call_next(core, item)
    assert len(changes.rows["speaker_request"]) == 2  # the one who spoke, the one called
    positions = [s.position for s in sp.queue_view(core, mid).waiting(item)]
    assert positions == list(range(positions[0], positions[0] + 28))  # contiguous, from 3


def test_the_budget_rows_give_the_budget_of_all_the_items_requests(core: Core, clock: Any) -> None:
    """``budget_rows`` leaves out the first speech where the item's time does not follow from
    it (an item started or planned): the budget is the one worked out over every request."""
    from datetime import timedelta

    from meeting_console.core.speaker_budget import queue_budget

    mid, item = _queue(core, 6)

    def check() -> None:
        view = sp.queue_view(core, mid)
        it = view.item(item)
        now = clock.now()
        assert queue_budget(it, view.budget_rows(item), view.meeting.default_speaking_minutes, now,
                            waiting=view.waiting_need(item)) \
            == queue_budget(it, view.of_item(item), view.meeting.default_speaking_minutes, now)

    check()  # neither started nor planned, no speech
    sp.call_next(core, item)
    clock.advance(minutes=2)
    check()  # its time starts with the first speech
    sp.call_next(core, item)
    clock.advance(minutes=3)
    check()
    agenda.update_item(core, item, planned_start=clock.now() - timedelta(minutes=10))
    check()  # planned
    agenda.start_item(core, item)
    clock.advance(minutes=1)
    check()  # started
