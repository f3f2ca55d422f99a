"""An operation that only updates rows is written without the ORM's unit of work
(``journal.write_updates``, ``Core.lean_writes``): the same outcomes, tables, journal entries with
their row images, and the same undo and redo as the ORM's flush; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from meeting_console.core import agenda, reads, speakers
from meeting_console.core import journal as jr
from meeting_console.core.api import Core
from tests.factories import small_meeting


@pytest.fixture(params=["sqlite", "postgresql"])
def pair(request: pytest.FixtureRequest, tmp_path, clock) -> Iterator[tuple[Core, Core]]:
    """Two empty databases on one backend, one clock: the first writes updates the lean way,
    the second through the ORM's flush."""
    cores: list[Core] = []
    names: list[str] = []
    srv = request.getfixturevalue("pg_server") if request.param == "postgresql" else None
    for k in range(2):
        if srv is not None:
            names.append(srv.take_database(template="mc_template"))
            cores.append(Core.open(srv.url(names[-1]), clock=clock, seat="thư ký"))
        else:
            cores.append(Core.open(str(tmp_path / f"db{k}.db"), clock=clock, seat="thư ký"))
    cores[1].lean_writes = False
    try:
        yield cores[0], cores[1]
    finally:
        for c in cores:
            c.close()
        for n in names:
            srv.give_back(n)


def outcome(out: Any) -> Any:
    if isinstance(out, BaseException):
        return ("refused", type(out).__name__, str(out))
    return (out.label, out.meeting_id, out.areas, out.undo, out.result, out.rows, out.updates,
            out.journal_id is not None)


def journal(core: Core, mid: int) -> list[dict[str, Any]]:
    """Every column of the meeting's journal but the id (a PostgreSQL sequence may differ);
    an entry's row changes by table and id (the session's set of changed objects has no order)."""
    from sqlalchemy import select

    from meeting_console.store.models import JournalEntry as J

    with core.reading() as s:
        rows = s.execute(select(J.__table__).where(J.meeting_id == mid).order_by(J.id)).mappings().all()
    ids = {r["id"]: k for k, r in enumerate(rows)}
    return [{**r, "id": None, "target_id": ids.get(r["target_id"]),
             "changes": sorted(r["changes"], key=lambda c: (c["t"], c["id"]))} for r in rows]


def same_state(a: Core, b: Core, mid: int) -> None:
    assert journal(a, mid) == journal(b, mid)
    assert reads.snapshot(a, mid) == reads.snapshot(b, mid)
    assert reads.agenda(a, mid) == reads.agenda(b, mid)
    assert reads.speakers(a, mid) == reads.speakers(b, mid)


def run(core: Core, op: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return op(core, *args, **kwargs)
    except Exception as exc:  # a refusal is an outcome too
        return exc


def test_live_operations_write_what_the_orm_writes(pair: tuple[Core, Core], monkeypatch: pytest.MonkeyPatch) -> None:
    lean, orm = pair
    built = [small_meeting(c) for c in pair]
    assert built[0] == built[1]
    b = built[0]
    mid, items = b.meeting_id, b.items
    for core in pair:
        for key in ("lam", "son", "thu"):
            speakers.add_request(core, items[1], b.people[key], topic=f"Ý kiến {key}")
    queue = [r.id for r in reads.speakers(lean, mid) if r.status == "queued"]
    assert queue == [r.id for r in reads.speakers(orm, mid) if r.status == "queued"]
    lean_writes: list[str] = []
    real = jr.write_updates
    monkeypatch.setattr(jr, "write_updates", lambda s, ch, e: lean_writes.append(e.op) or real(s, ch, e))
    steps: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = [
        (agenda.next_item, (mid,), {"expected_current": None}),  # the meeting starts too
        (agenda.next_item, (mid,), {"expected_current": None}),  # refused: the agenda moved on
        (agenda.toggle_pause, (mid,), {}),
        (agenda.toggle_pause, (mid,), {}),
        (agenda.next_item, (mid,), {"expected_current": items[0]}),
        (speakers.move_request, (queue[1], 2), {"seen": {"status": "queued"}}),  # Ctrl+Down
        (speakers.move_request, (queue[1], 1), {"seen": {"status": "queued"}}),  # Ctrl+Up
        (speakers.move_request, (queue[1], 3), {"seen": {"status": "queued"}}),  # to the end
        (speakers.move_request, (queue[1], 0), {"seen": {"status": "queued"}}),
        (speakers.move_request, (queue[2], 1), {"seen": {"status": "speaking"}}),  # refused: seen
        (speakers.move_request, (queue[2], 2), {}),
        (speakers.call_next, (items[1],), {"expected_current": None}),
        (speakers.call_next, (items[1],), {"expected_current": None}),  # refused: the floor moved
        (speakers.extend, (queue[1], 60), {}),
        (agenda.extend_current, (mid, 5), {}),
        (agenda.update_item, (items[2],), {"title": "Bế mạc  hội nghị"}),
        (speakers.call_next, (items[1],), {"start_timer": False}),
        (agenda.next_item, (mid,), {}),
        (agenda.next_item, (mid,), {}),  # closes the last one
        (agenda.next_item, (mid,), {}),  # refused: nothing left
    ]
    for op, args, kwargs in steps:
        lean.clock.advance(seconds=47)  # one clock for both
        got, want = run(lean, op, *args, **kwargs), run(orm, op, *args, **kwargs)
        assert outcome(got) == outcome(want), op.op_name
        same_state(lean, orm, mid)
    assert len(lean_writes) >= 10 and {"agenda.next_item", "speakers.move_request",
                                       "speakers.call_next"} <= set(lean_writes)
    # undo and redo take them back and forth alike
    for step in range(12):
        ua, ub = lean.undo_status(mid), orm.undo_status(mid)
        assert ua == ub
        if not ua.can_undo:
            break
        assert outcome(lean.undo(mid)) == outcome(orm.undo(mid))
        same_state(lean, orm, mid)
        if step in (2, 5):
            assert outcome(lean.redo(mid)) == outcome(orm.redo(mid))
            same_state(lean, orm, mid)


def test_an_update_the_database_refuses_is_refused_and_nothing_is_written(pair: tuple[Core, Core]) -> None:
    """A value the database will not take (a NOT NULL column): refused like the ORM's flush
    refuses it, no row changed and no journal entry."""
    from meeting_console.core.api import Tx, operation
    from meeting_console.store import models as m

    @operation("Break an item")
    def _break(tx: Tx, item_id: int) -> None:
        item = tx.get(m.AgendaItem, item_id)
        tx.meeting_id = item.meeting_id
        item.title = None

    outs = []
    for core in pair:
        b = small_meeting(core)
        hw = core.high_water()
        outs.append(type(run(core, _break, b.items[0])).__name__)
        assert core.high_water() == hw
        assert reads.agenda(core, b.meeting_id)[0].title == "Khai mạc hội nghị"
        agenda.next_item(core, b.meeting_id)  # and the next operation goes on as usual
        assert core.high_water() == hw + 1
    assert outs[0] == outs[1] == "OperationRefused"
