"""``Core.dry_run``: live operations run as they would (reads, flushed rows, journal entries)
in a transaction that is always rolled back — nothing stored, nothing journaled, nothing
announced — and what stays is SQLAlchemy's cache of compiled statements (the start-up warm-up
of ``ui/settle.py``). On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

from meeting_console.core import agenda, endpoints, reads, speakers
from meeting_console.core.api import Changes, Core
from meeting_console.core.changes import AGENDA
from meeting_console.core.follow import ChangeListener
from meeting_console.errors import NotFound
from meeting_console.store import models as m
from tests.factories import small_meeting


def _dump(core: Core) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    with core.reading() as s:
        for model in (m.Meeting, m.AgendaItem, m.SpeakerRequest, m.MeetingEndpoint, m.EndpointStatusEvent,
                      m.JournalEntry):
            cols = [c.key for c in model.__table__.columns]
            rows = s.query(model).order_by(model.id).all()
            out[model.__tablename__] = [tuple(getattr(r, c) for c in cols) for r in rows]
    return out


def _live_calls(b: Any) -> list[tuple[Any, tuple[Any, ...], dict[str, Any]]]:
    return [(agenda.next_item, (b.meeting_id,), {}),   # starts the meeting and the first item
            (agenda.next_item, (b.meeting_id,), {}),   # closes it and starts the second
            (speakers.call_next, (b.items[1],), {}),
            (endpoints.set_status, (b.endpoints["Sơn Dương"], "connected"), {})]


def test_dry_run_writes_nothing_and_keeps_the_statements(core: Core) -> None:
    b = small_meeting(core)
    before = _dump(core)
    undo = core.undo_status(b.meeting_id)
    cache = core.db.engine._compiled_cache  # SQLAlchemy's LRU of compiled statements
    n0 = len(cache)

    out = core.dry_run(_live_calls(b))

    assert [type(o) for o in out] == [Changes] * 4, out
    assert AGENDA in out[0].areas and out[0].journal_id is None
    assert out[1].rows["agenda_item"], "the second saw the first's state (closed one, started the next)"
    assert _dump(core) == before
    assert core.undo_status(b.meeting_id) == undo
    assert len(cache) > n0
    # and the real operations still do what they did, with nothing left to compile: the dry
    # run staged them as ``run`` stages one operation (the lean write path included)
    warmed = len(cache)
    assert [o.journal_id is not None for o in
            (op(core, *a, **kw) for op, a, kw in _live_calls(b))] == [True] * 4
    assert len(cache) == warmed, "a real operation compiled a statement the dry run had not"
    assert reads.agenda(core, b.meeting_id)[1].status == "running"


def test_dry_run_goes_on_after_a_refusal_and_releases_the_write_lock(core: Core) -> None:
    b = small_meeting(core)
    before = _dump(core)
    out = core.dry_run([(agenda.close_item, (10_000,), {}), (agenda.next_item, (b.meeting_id,), {})])
    assert isinstance(out[0], NotFound) and isinstance(out[1], Changes)
    assert _dump(core) == before
    # the write lock is free: a real operation (another thread, as another console would) commits
    done: list[Any] = []
    t = threading.Thread(target=lambda: done.append(agenda.next_item(core, b.meeting_id)))
    t.start()
    t.join(30)
    assert done and done[0].journal_id is not None


def test_dry_run_announces_nothing(core: Core) -> None:
    """No NOTIFY on PostgreSQL and no journal entry a follower could see on either backend."""
    b = small_meeting(core)
    top = core.high_water()
    woken: list[threading.Event] = [threading.Event(), threading.Event(), threading.Event()]
    count = [0]

    def wake() -> None:
        woken[min(count[0], 2)].set()
        count[0] += 1

    listener = ChangeListener(core, wake)
    listener.start()
    try:
        if listener.supported:
            assert woken[0].wait(30)  # listening: it wakes once to catch up
        core.dry_run(_live_calls(b))
        assert core.changes_since(top) == (top, [])
        agenda.next_item(core, b.meeting_id)  # a real one: announced
        if listener.supported:
            assert woken[1].wait(30)
            assert count[0] == 2, "the dry run's NOTIFY would have arrived before the real one's"
        assert len(core.changes_since(top)[1]) == 1
    finally:
        listener.stop()


def test_a_viewer_dry_runs_nothing(core: Core) -> None:
    b = small_meeting(core)
    core.role = "viewer"
    assert core.dry_run(_live_calls(b)) == []
