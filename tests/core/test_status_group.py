"""The lean path of a group of status marks (``core.status_group``) writes exactly what the ORM
path writes: the same outcomes, tables, status events, journal entries with their row images,
and the same undo; on SQLite and PostgreSQL (this module runs on both in every run)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from meeting_console.core import endpoints, reads
from meeting_console.core.api import Core
from meeting_console.core.worker import Worker
from meeting_console.errors import OperationRefused
from tests.core.test_group_commit import EVENT, events
from tests.factories import small_meeting


@pytest.fixture(params=["sqlite", "postgresql"])
def pair(request: pytest.FixtureRequest, tmp_path, clock) -> Iterator[tuple[Core, Core]]:
    """Two empty databases on one backend, one clock: the first takes the lean path, the
    second the ORM's."""
    cores: list[Core] = []
    names: list[str] = []
    srv = request.getfixturevalue("pg_server") if request.param == "postgresql" else None
    for k in range(2):
        if srv is not None:
            names.append(srv.take_database(template="mc_template"))
            cores.append(Core.open(srv.url(names[-1]), clock=clock, seat="clerk-1"))
        else:
            cores.append(Core.open(str(tmp_path / f"db{k}.db"), clock=clock, seat="clerk-1"))
    cores[1].lean_status = False
    try:
        yield cores[0], cores[1]
    finally:
        for c in cores:
            c.close()
        for n in names:
            srv.give_back(n)


def marks(b: Any) -> list[tuple[Any, tuple[Any, ...], dict[str, Any]]]:
    sd, ch, tu = b.endpoints["Sơn Dương"], b.endpoints["Chiêm Hóa"], b.endpoints["Tỉnh ủy"]
    s = endpoints.set_status
    return [
        (s, (sd, "connected"), {}),
        (s, (sd, "lost"), {"detail": "mất tiếng  "}),
        (s, (ch, "unstable"), {}),
        (s, (sd, "lost"), {}),  # no change: no journal entry
        (s, (sd, "rebooting"), {}),  # refused: not a status
        (s, (999_999, "lost"), {}),  # refused: no such endpoint
        (s, (ch, "connected"), {"expected": "lost"}),  # refused: another status by hand meanwhile
        (s, (ch, "connected"), {"expected": "unstable"}),
        (s, (sd,), {}),  # a wrong call
        (s, (tu, "connected"), {"expected": "not_connected", "detail": "Hoà"}),
        (s, (sd, "connected"), {"detail": "x" * 501}),  # refused: too long
        (s, (sd, "connected"), {}),
    ]


def outcome(out: Any) -> Any:
    if isinstance(out, BaseException):
        return ("refused", type(out).__name__, str(out))
    return (out.journal_id, out.label, out.meeting_id, out.areas, out.undo, out.result,
            {t: ids if t != EVENT else len(ids) for t, ids in out.rows.items()},
            {t: v for t, v in out.updates.items()})


def journal(core: Core, mid: int) -> list[dict[str, Any]]:
    """Every column of the meeting's journal; status event ids by rank (a PostgreSQL sequence
    leaves gaps)."""
    ranks: dict[int, int] = {}

    def norm(c: dict[str, Any]) -> dict[str, Any]:
        if c["t"] != EVENT:
            return c
        r = ranks.setdefault(c["id"], len(ranks))
        return {**c, "id": r, **({"a": {**c["a"], "id": r}} if "a" in c else {}),
                **({"b": {**c["b"], "id": r}} if "b" in c else {})}

    from sqlalchemy import select

    from meeting_console.store.models import JournalEntry as J

    with core.reading() as s:
        rows = s.execute(select(J.__table__).where(J.meeting_id == mid).order_by(J.id)).mappings().all()
    return [{**r, "changes": [norm(c) for c in r["changes"]]} for r in rows]


def same_state(a: Core, b: Core, ma: int, mb: int) -> None:
    assert journal(a, ma) == journal(b, mb)
    assert reads.endpoints(a, ma) == reads.endpoints(b, mb)
    for e in reads.endpoints(a, ma):
        assert events(a, e.id) == events(b, e.id)


def test_lean_group_writes_what_the_orm_writes(pair: tuple[Core, Core], monkeypatch: pytest.MonkeyPatch) -> None:
    from meeting_console.core import status_group

    lean, orm = pair
    taken: list[bool] = []
    real = status_group.run
    monkeypatch.setattr(status_group, "run", lambda c, calls: taken.append((out := real(c, calls)) is not None) or out)
    a, b = small_meeting(lean), small_meeting(orm)
    assert a.endpoints == b.endpoints
    # a manual status set before, and a time that runs backwards (kept at status_since)
    for core in pair:
        endpoints.set_status(core, a.endpoints["Chiêm Hóa"], "lost")
    lean.clock.advance(minutes=-5)  # one clock for both
    calls = marks(a)
    grouped = lean.run_group(calls)
    reference = orm.run_group(calls)
    assert taken == [True]  # the lean path ran (and only for the lean core)
    assert [outcome(o) for o in grouped] == [outcome(o) for o in reference]
    assert sum(not isinstance(o, BaseException) and o.journal_id is not None for o in grouped) == 6
    same_state(lean, orm, a.meeting_id, b.meeting_id)
    # undo and redo take them back and forth alike
    for step in range(8):
        ua, ub = lean.undo_status(a.meeting_id), orm.undo_status(b.meeting_id)
        assert ua == ub
        if not ua.can_undo:
            break
        assert outcome(lean.undo(a.meeting_id))[1:] == outcome(orm.undo(b.meeting_id))[1:]
        same_state(lean, orm, a.meeting_id, b.meeting_id)
        if step == 2:
            lean.redo(a.meeting_id)
            orm.redo(b.meeting_id)
            same_state(lean, orm, a.meeting_id, b.meeting_id)


def test_lean_single_marks_and_a_clerks_scope(pair: tuple[Core, Core]) -> None:
    lean, orm = pair
    a, b = small_meeting(lean), small_meeting(orm)
    sd, ch = a.endpoints["Sơn Dương"], a.endpoints["Chiêm Hóa"]
    outs = []
    for core in pair:
        clerk = Core.open(core.db.url, clock=core.clock, seat="clerk-2", role="clerk", endpoint_ids=frozenset({sd}))
        clerk.lean_status = core.lean_status
        try:
            one = clerk.run_group([(endpoints.set_status, (sd, "unstable"), {})])
            group = clerk.run_group([(endpoints.set_status, (sd, "lost"), {}),
                                     (endpoints.set_status, (ch, "lost"), {}),  # not this clerk's
                                     (endpoints.set_status, (sd, "connected"), {})])
            outs.append([outcome(o) for o in [*one, *group]])
        finally:
            clerk.close()
    assert outs[0] == outs[1]
    assert outs[0][2][0] == "refused" and "not one of this clerk's endpoints" in outs[0][2][2]
    same_state(lean, orm, a.meeting_id, b.meeting_id)


def test_a_viewer_is_refused_the_lean_way_too(pair: tuple[Core, Core]) -> None:
    core = pair[0]
    b = small_meeting(core)
    viewer = Core.open(core.db.url, clock=core.clock, seat="hall", role="viewer")
    try:
        out = viewer.run_group([(endpoints.set_status, (b.endpoints["Sơn Dương"], "lost"), {})] * 2)
        assert all(isinstance(o, OperationRefused) for o in out)
    finally:
        viewer.close()


def test_worker_sends_a_single_mark_the_lean_way(pair: tuple[Core, Core], monkeypatch: pytest.MonkeyPatch) -> None:
    from meeting_console.core import status_group

    core = pair[0]
    b = small_meeting(core)
    ran: list[int] = []
    real = status_group.run
    monkeypatch.setattr(status_group, "run", lambda c, calls: ran.append(len(calls)) or real(c, calls))
    worker = Worker(core)
    try:
        ch = worker.submit_op(endpoints.set_status, b.endpoints["Sơn Dương"], "lost").result(timeout=30)
        with pytest.raises(OperationRefused):
            worker.submit_op(endpoints.set_status, b.endpoints["Sơn Dương"], "rebooting").result(timeout=30)
    finally:
        worker.shutdown()
    assert ran == [1, 1]
    assert ch.journal_id == core.high_water()
    assert [e.status for e in reads.status_events(core, b.endpoints["Sơn Dương"])][-1] == "lost"


@pytest.mark.parametrize("pair", ["postgresql"], indirect=True)  # SQLite plans under its lock
def test_rows_changed_between_planning_and_the_lock(pair: tuple[Core, Core], monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL the group is planned before the lock; when another console changes the
    rows meanwhile, nothing planned is written and the group is planned again under the lock:
    the outcome is that of the marks run after the other console's change."""
    from meeting_console.core import status_group

    lean, orm = pair
    assert lean.is_postgres
    a, b = small_meeting(lean), small_meeting(orm)
    sd, ch = a.endpoints["Sơn Dương"], a.endpoints["Chiêm Hóa"]
    other = Core.open(lean.db.url, clock=lean.clock, seat="clerk-9")
    real = status_group._Plan.run
    calls: list[int] = []

    def run(plan: Any, rows: Any, event_ids: Any = None) -> None:
        if not calls:  # the first planning: another console writes before the lock is taken
            endpoints.set_status(other, sd, "unstable")
        calls.append(1)
        real(plan, rows, event_ids)

    try:
        monkeypatch.setattr(status_group._Plan, "run", run)
        marks = [(endpoints.set_status, (sd, "lost"), {}), (endpoints.set_status, (ch, "lost"), {}),
                 (endpoints.set_status, (sd, "connected"), {"expected": "not_connected"})]
        grouped = lean.run_group(marks)
        monkeypatch.setattr(status_group._Plan, "run", real)
        orm_other = Core.open(orm.db.url, clock=orm.clock, seat="clerk-9")
        orm_other.lean_status = False
        try:
            endpoints.set_status(orm_other, sd, "unstable")
        finally:
            orm_other.close()
        reference = orm.run_group(marks)
    finally:
        other.close()
    assert len(calls) == 2  # planned again under the lock
    assert [outcome(o) for o in grouped] == [outcome(o) for o in reference]
    assert isinstance(grouped[2], OperationRefused)  # it was marked unstable by hand meanwhile
    same_state(lean, orm, a.meeting_id, b.meeting_id)
