"""The monitor's big batches written by a helper process: the same operation, the same journal."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from meeting_console.core import endpoints, meetings
from meeting_console.core.api import Core
from meeting_console.core.endpoints import BatchResult, MonitorBatch, Observed
from meeting_console.errors import NotFound
from meeting_console.monitor.writer_process import WRITER_FROM, BatchWriter
from meeting_console.store import models as m


def _meeting(core: Core, n: int) -> tuple[int, list[int]]:
    mid = meetings.create_meeting(core, "Hội nghị", date(2022, 1, 14)).result
    endpoints.add_endpoints(core, mid, endpoints.Listing(
        {"name": f"Xã {i} Sơn Dương", "kind": "commune", "code": f"XA{i:04d}", "monitored": True}
        for i in range(n)))
    return mid, [e.id for e in endpoints.rows(core, mid)]


def _batch(core: Core, ids: list[int], status: str) -> MonitorBatch:
    at = core.clock.now()
    return MonitorBatch(Observed(i, at, status, status == "connected", 21.5, f"feed: {status}") for i in ids)


def _events(core: Core) -> int:
    with core.reading() as s:
        return s.execute(select(func.count()).select_from(m.EndpointStatusEvent)).scalar_one()


def test_child_writes_the_batch_as_one_journaled_operation(core: Core) -> None:
    mid, ids = _meeting(core, WRITER_FROM + 20)
    writer = BatchWriter(core)
    assert BatchWriter.usable(core)
    writer.start()
    try:
        core.clock.advance(30)  # type: ignore[attr-defined]
        changes = writer.apply(mid, _batch(core, ids, "connected"))
        assert writer.remote == 1
        assert isinstance(changes.result, BatchResult) and changes.result.applied == len(ids)
        assert changes.journal_id is not None and changes.meeting_id == mid
        assert changes.rows["meeting_endpoint"] == frozenset(ids)
        assert len(changes.rows["endpoint_status_event"]) == len(ids)
        with core.reading() as s:
            entry = s.get(m.JournalEntry, changes.journal_id)
            assert entry is not None and entry.automatic and not entry.undoable
            assert entry.at == core.clock.now()  # the console's time, not the child's
            assert entry.seat == core.seat
            assert len(entry.changes) == 2 * len(ids)
        rows = endpoints.rows(core, mid)
        assert {e.status for e in rows} == {"connected"}
        assert {e.status_since for e in rows} == {core.clock.now()}
        assert _events(core) == len(ids)
        # a small batch is written here; the next big one by the child again
        small = writer.apply(mid, _batch(core, ids[:3], "lost"))
        assert writer.remote == 1 and small.result.applied == 3
        again = writer.apply(mid, _batch(core, ids, "lost"))
        assert writer.remote == 2 and again.result.applied == len(ids) - 3 and again.result.unchanged == 3
    finally:
        writer.close()


def test_a_refusal_comes_back_as_the_operation_raised_it(core: Core) -> None:
    mid, ids = _meeting(core, WRITER_FROM)
    writer = BatchWriter(core)
    writer.start()
    try:
        with pytest.raises(NotFound):
            writer.apply(mid + 99, _batch(core, ids, "connected"))
        assert writer.apply(mid, _batch(core, ids, "connected")).result.applied == len(ids)
        assert writer.remote == 1
    finally:
        writer.close()


def test_a_dead_child_leaves_the_writing_to_the_console(core: Core) -> None:
    mid, ids = _meeting(core, WRITER_FROM)
    writer = BatchWriter(core)
    writer.start()
    try:
        assert writer.apply(mid, _batch(core, ids, "connected")).result.applied == len(ids)
        assert writer._proc is not None
        writer._proc.kill()
        writer._proc.wait()
        changes = writer.apply(mid, _batch(core, ids, "lost"))
        assert changes.result.applied == len(ids) and changes.journal_id is not None
        assert writer.remote == 1
        assert _events(core) == 2 * len(ids)
    finally:
        writer.close()


def test_changes_cross_the_pipe_in_columns_unchanged(core: Core) -> None:
    import pickle

    from meeting_console.monitor.writer_process import _pack, _unpack

    mid, ids = _meeting(core, WRITER_FROM + 5)
    now = core.clock.now()
    batch = MonitorBatch(Observed(i, now, "connected" if k % 3 else "lost", k % 2 == 0, 20.0 + k, f"feed {k}",
                                  probe=k % 2 == 0) for k, i in enumerate(ids))
    changes = endpoints.apply_monitor_batch(core, mid, batch)
    assert isinstance(changes.result, BatchResult) and changes.result.changed
    assert _unpack(pickle.loads(pickle.dumps(_pack(changes)))) == changes
    # the rows' new values stay in columns: a mapping like the dict, read by row without dicts
    back = _unpack(pickle.loads(pickle.dumps(_pack(changes)))).result
    assert isinstance(back.changed, endpoints.ColumnRows)
    assert len(back.changed) == len(changes.result.changed) and list(back.changed) == list(changes.result.changed)
    assert {i: dict(zip(names, values, strict=True)) for i, names, values in back.changed.values_by_row()} \
        == changes.result.changed
    assert ids[0] in back.changed and -1 not in back.changed and back.changed[ids[0]] == changes.result.changed[ids[0]]
