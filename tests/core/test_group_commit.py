"""Group commit (``Core.run_group``, ``core.worker.Worker``): operations queued together run in
one transaction, and the journal, the tables and each caller's outcome are exactly what
running them one by one gives; on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from meeting_console.core import agenda, endpoints, reads
from meeting_console.core.api import Core, operation
from meeting_console.core.worker import Worker
from meeting_console.errors import OperationRefused
from meeting_console.store import models as m
from tests.factories import small_meeting


@pytest.fixture
def twin(core: Core, request: pytest.FixtureRequest, tmp_path) -> Iterator[Core]:
    """A second, empty database on the same backend with the same clock."""
    if core.is_postgres:
        srv = request.getfixturevalue("pg_server")
        name = srv.take_database(template="mc_template")
        other = Core.open(srv.url(name), clock=core.clock, seat="test")
        yield other
        other.close()
        srv.give_back(name)
    else:
        other = Core.open(str(tmp_path / "twin.db"), clock=core.clock, seat="test")
        yield other
        other.close()


def script(b: Any) -> list[tuple[Any, tuple[Any, ...], dict[str, Any]]]:
    sd, ch, tu = b.endpoints["Sơn Dương"], b.endpoints["Chiêm Hóa"], b.endpoints["Tỉnh ủy"]
    return [
        (endpoints.set_status, (sd, "connected"), {}),
        (endpoints.set_status, (sd, "lost"), {"detail": "mất tiếng"}),
        (endpoints.set_present, (sd, 18), {}),
        (endpoints.set_status, (ch, "unstable"), {}),
        (endpoints.set_status, (sd, "lost"), {}),  # no change: no journal entry
        (endpoints.set_status, (sd, "rebooting"), {}),  # refused: not a status
        (endpoints.set_note, (ch, "tiếng nhỏ"), {}),
        (endpoints.release_override, (sd,), {}),
        (endpoints.set_status, (sd, "connected"), {}),
        (endpoints.set_status, (tu, "connected"), {"expected": "not_connected"}),
    ]


# Status events are new rows: on PostgreSQL a group run again after a refusal has used
# sequence numbers (a sequence does not roll back), so their ids are compared by rank.
EVENT = "endpoint_status_event"


def journal_rows(core: Core, mid: int) -> list[tuple[Any, ...]]:
    ranks: dict[int, int] = {}

    def norm(ch: dict[str, Any]) -> dict[str, Any]:
        if ch["t"] != EVENT:
            return ch
        rank = ranks.setdefault(ch["id"], len(ranks))
        out = {**ch, "id": rank}
        if "a" in ch:
            out["a"] = {**ch["a"], "id": rank}
        if "b" in ch:
            out["b"] = {**ch["b"], "id": rank}
        return out

    return [(e.id, e.seat, e.op, e.label, e.kind, [norm(c) for c in e.changes]) for e in reads.journal(core, mid)]


def outcome(out: Any) -> Any:
    if isinstance(out, Exception):
        return ("refused", str(out))
    return (out.journal_id, out.label, {t: ids if t != EVENT else len(ids) for t, ids in out.rows.items()})


def events(core: Core, me_id: int) -> list[tuple[Any, ...]]:
    return [(e.at, e.status, e.automatic, e.detail) for e in reads.status_events(core, me_id)]


@pytest.mark.parametrize("with_flush", [False, True])
def test_a_group_is_what_one_by_one_gives(core: Core, twin: Core, with_flush: bool) -> None:
    a, b = small_meeting(core), small_meeting(twin)
    calls = script(a)
    if with_flush:  # an operation that flushes (a new row) sends the group to a flush each
        calls.insert(3, (endpoints.create_in_meeting, (a.meeting_id, "Na Hang"), {"kind": "district"}))
    one_by_one = []
    for op, args, kwargs in calls:
        try:
            one_by_one.append(op(twin, *args, **kwargs))
        except OperationRefused as exc:
            one_by_one.append(exc)
    grouped = core.run_group(calls)
    if with_flush and core.is_postgres:  # the new endpoint's ids too went through a rerun
        def shape(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
            return [(*r[:5], [(c["t"], c["op"], sorted(c.get("a", {}))) for c in r[5]]) for r in rows]

        assert [outcome(o)[:2] for o in grouped] == [outcome(o)[:2] for o in one_by_one]
        assert shape(journal_rows(core, a.meeting_id)) == shape(journal_rows(twin, b.meeting_id))
        return
    assert [outcome(o) for o in grouped] == [outcome(o) for o in one_by_one]
    assert journal_rows(core, a.meeting_id) == journal_rows(twin, b.meeting_id)
    assert reads.endpoints(core, a.meeting_id) == reads.endpoints(twin, b.meeting_id)
    for e in reads.endpoints(core, a.meeting_id):
        assert events(core, e.id) == events(twin, e.id)
    # undo takes them back one by one, as after single operations
    while core.undo_status(a.meeting_id).can_undo:
        core.undo(a.meeting_id)
        twin.undo(b.meeting_id)
        assert reads.endpoints(core, a.meeting_id) == reads.endpoints(twin, b.meeting_id)


def test_group_journal_ids_follow_the_queue_and_notify_once(core: Core) -> None:
    b = small_meeting(core)
    hw = core.high_water()
    sd = b.endpoints["Sơn Dương"]
    out = core.run_group([(endpoints.set_status, (sd, s), {}) for s in ["lost", "connected"] * 20])
    assert [o.journal_id for o in out] == list(range(hw + 1, hw + 41))
    assert core.high_water() == hw + 40
    assert [e.status for e in reads.status_events(core, sd)][-40:] == ["lost", "connected"] * 20


def test_a_clerk_group_outside_the_clerks_endpoints(core: Core) -> None:
    b = small_meeting(core)
    sd, ch = b.endpoints["Sơn Dương"], b.endpoints["Chiêm Hóa"]
    clerk = Core.open(core.db.url, clock=core.clock, seat="clerk-1", role="clerk", endpoint_ids=frozenset({sd}))
    try:
        out = clerk.run_group([(endpoints.set_status, (sd, "lost"), {}),
                               (endpoints.set_status, (ch, "lost"), {}),  # not this clerk's
                               (endpoints.set_status, (sd, "connected"), {}),
                               (agenda.next_item, (b.meeting_id,), {})])  # not a clerk's
        assert not isinstance(out[0], Exception) and not isinstance(out[2], Exception)
        assert isinstance(out[1], OperationRefused) and "not one of this clerk's endpoints" in str(out[1])
        assert isinstance(out[3], OperationRefused)
        assert {e.seat for e in reads.journal(core, b.meeting_id) if e.id in (out[0].journal_id, out[2].journal_id)} == {"clerk-1"}
        assert next(e for e in reads.endpoints(core, b.meeting_id) if e.id == ch).status == "not_connected"
    finally:
        clerk.close()


def test_worker_groups_what_queues_up_and_keeps_reads_in_order(core: Core) -> None:
    b = small_meeting(core)
    sd = b.endpoints["Sơn Dương"]
    worker = Worker(core)
    try:
        gate = threading.Event()
        worker.submit(gate.wait)  # the worker is busy: what follows queues up
        ops = [worker.submit_op(endpoints.set_status, sd, s) for s in ["lost", "connected"] * 5]
        seen = worker.submit(lambda: next(e.status for e in reads.endpoints(core, b.meeting_id) if e.id == sd))
        later = worker.submit_op(endpoints.set_status, sd, "unstable")
        bad = worker.submit_op(endpoints.set_status, sd, "rebooting")
        gate.set()
        ids = [f.result(timeout=30).journal_id for f in ops]
        assert ids == sorted(ids) and len(set(ids)) == 10
        assert seen.result(timeout=30) == "connected"  # read after the ten, before the eleventh
        assert later.result(timeout=30).journal_id == ids[-1] + 1
        with pytest.raises(OperationRefused):
            bad.result(timeout=30)
        assert worker.groups >= 1
    finally:
        worker.shutdown()


@operation("a value the database cannot take")
def _bad_since(tx: Any, me_id: int) -> None:
    # a bug in an operation: the wrong type, found only when the row is written
    tx.get(m.MeetingEndpoint, me_id).status_since = "09:00"


def test_an_operation_failing_at_the_groups_flush_fails_alone(core: Core) -> None:
    """The group is flushed once at the end: an error there is one operation's, not the
    group's (one by one, the others would have been stored and acknowledged)."""
    b = small_meeting(core)
    sd = b.endpoints["Sơn Dương"]
    hw = core.high_water()
    out = core.run_group([(endpoints.set_status, (sd, "lost"), {}), (_bad_since, (sd,), {}),
                          (endpoints.set_status, (sd, "connected"), {})])
    assert not isinstance(out[0], BaseException) and not isinstance(out[2], BaseException)
    assert isinstance(out[1], Exception)
    assert [o.journal_id for o in (out[0], out[2])] == [hw + 1, hw + 2]
    assert [e.status for e in reads.status_events(core, sd)][-2:] == ["lost", "connected"]


def test_an_operation_refused_at_shutdown_is_not_run_after_all(core: Core) -> None:
    """An operation asked for once the worker is shutting down is refused to its caller; it
    must not be run by a turn still queued from before (stored though its caller was told no)."""
    b = small_meeting(core)
    sd, ch = b.endpoints["Sơn Dương"], b.endpoints["Chiêm Hóa"]
    worker = Worker(core)
    gate = threading.Event()
    worker.submit(gate.wait)
    queued = [worker.submit_op(endpoints.set_status, sd, s) for s in ("lost", "connected")]
    worker.shutdown(wait=False)  # closing while the worker is busy: the queue is still to run
    try:
        with pytest.raises(RuntimeError):
            worker.submit_op(endpoints.set_status, ch, "lost")
    finally:
        gate.set()
        worker.shutdown()
    assert [f.result(timeout=30).label for f in queued]  # what was queued before is done
    assert next(e for e in reads.endpoints(core, b.meeting_id) if e.id == ch).status == "not_connected"
