"""The outage ledger: intervals from status events, tied to the agenda item and speaker of the
moment; a state machine checks that intervals stay disjoint whatever clerks and monitor do."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from meeting_console.core import endpoints, meetings, outages, reads, vocab
from meeting_console.core.api import Core, Tx, operation
from meeting_console.core.clock import FakeClock
from meeting_console.core.endpoints import MonitorBatch, Observed
from meeting_console.core.outages import Interval, intervals
from meeting_console.errors import UserError
from meeting_console.store import models as m
from tests.factories import small_meeting

T = datetime(2022, 1, 14, 1, 0, tzinfo=UTC)  # 08:00 in Tuyên Quang


def at(minutes: float) -> datetime:
    return T + timedelta(minutes=minutes)


@operation("Test: held times")
def held(tx: Tx, model: str, row_id: int, **fields: Any) -> None:
    """Test-only: set actual times on an item or a speech (the live agenda and speaker
    operations are another module's business)."""
    obj = tx.get({"item": m.AgendaItem, "speech": m.SpeakerRequest}[model], row_id)
    for k, v in fields.items():
        setattr(obj, k, v)


# --- intervals from events ------------------------------------------------------------------


def test_intervals_open_close_severity_and_endpoints_apart() -> None:
    ev = [
        (1, at(0), "connected", True),
        (1, at(1), "unstable", True),
        (1, at(2), "lost", True),
        (1, at(5), "connected", True),
        (1, at(9), "lost", False),  # the clerk's, still open
        (2, at(0), "connected", True),
        (2, at(3), "unstable", True),
        (2, at(4), "connected", True),
        (2, at(6), "lost", True),
        (2, at(7), "left", False),
        (3, at(2), "lost", True),  # open at the end of endpoint 3 …
        (4, at(3), "connected", True),  # … not closed by another endpoint's event
    ]
    assert intervals(ev) == [
        Interval(1, at(1), at(5), "lost", "connected", True),
        Interval(1, at(9), None, "lost", "", False),
        Interval(2, at(3), at(4), "unstable", "connected", True),
        Interval(2, at(6), at(7), "lost", "left", True),
        Interval(3, at(2), None, "lost", "", True),
    ]
    assert intervals([]) == []
    assert Interval(1, at(1), at(5), "lost", "connected", True).seconds() == 240
    assert Interval(1, at(9), None, "lost", "", False).seconds(at(10)) == 60
    assert Interval(1, at(9), None, "lost", "", False).seconds() is None


def test_same_rules_as_the_record_ledger() -> None:
    from meeting_console.record.ledger import Event, outages_of

    ev = [(7, at(i), s, True) for i, s in enumerate(
        ["connected", "unstable", "connected", "lost", "unstable", "not_connected", "lost", "left", "lost"])]
    mine = [(iv.start, iv.end, iv.severity, iv.ended_by) for iv in intervals(ev)]
    theirs = [(o.start, o.end, o.severity, o.ended_by) for o in outages_of(Event(a, b, c) for a, b, c, _ in ev)]
    assert mine == theirs


# --- the ledger of a meeting ----------------------------------------------------------------------


def test_ledger_ties_outages_to_item_and_speaker(core: Core, clock: FakeClock) -> None:
    b = small_meeting(core)
    mid = b.meeting_id
    lb = endpoints.create_in_meeting(core, mid, "Lâm Bình", kind="district", code="LB").result
    opening, discussion, closing = b.items
    held(core, "item", opening, status="done", actual_start=at(0), actual_end=at(15))
    held(core, "item", discussion, status="running", actual_start=at(15))
    held(core, "speech", b.requests[0], status="done", actual_start=at(20), actual_end=at(27))
    endpoints.set_monitoring(core, mid, True)

    def monitor(minute: float, me_id: int, status: str) -> None:
        clock.set(at(minute))
        endpoints.apply_monitor_batch(core, mid, MonitorBatch([Observed(me_id, at(minute), status)]))

    for me in (b.endpoints["Tỉnh ủy"], b.endpoints["Sơn Dương"], lb):
        monitor(-5, me, "connected")
    monitor(12, lb, "unstable")   # during the opening, lasts into the discussion
    monitor(14, lb, "lost")
    monitor(17, lb, "connected")
    monitor(22, b.endpoints["Sơn Dương"], "lost")  # during Giang Tuấn Anh's speech
    monitor(23, b.endpoints["Sơn Dương"], "connected")
    clock.set(at(30))
    endpoints.set_status(core, lb, "lost", detail="phone: power cut")  # the clerk's, still open

    ledger = outages.meeting_ledger(core, mid)
    rows = [(o.endpoint_name, o.start, o.end, o.severity, o.automatic,
             o.item.label if o.item else None, o.speech.label if o.speech else None,
             [a.label for a in o.items]) for o in ledger]
    assert rows == [
        ("Lâm Bình", at(12), at(17), "lost", True, "1. Khai mạc hội nghị", None,
         ["1. Khai mạc hội nghị", "2. Thảo luận"]),
        ("Sơn Dương", at(22), at(23), "lost", True, "2. Thảo luận", "Giang Tuấn Anh", ["2. Thảo luận"]),
        ("Lâm Bình", at(30), None, "lost", False, "2. Thảo luận", None, ["2. Thảo luận"]),
    ]
    assert ledger[1].speeches[0].label == "Giang Tuấn Anh"
    assert ledger[0].seconds() == 300 and ledger[2].seconds(at(32)) == 120

    assert [o.start for o in outages.endpoint_ledger(core, lb)] == [at(12), at(30)]
    tot = outages.totals(core, mid)
    assert set(tot) == {lb, b.endpoints["Sơn Dương"]}
    assert (tot[lb].count, tot[lb].closed_seconds, tot[lb].open_since) == (2, 300, at(30))
    assert tot[lb].seconds(at(31)) == 360
    assert outages.totals(core, mid, [b.endpoints["Sơn Dương"]])[b.endpoints["Sơn Dương"]].seconds(at(99)) == 60
    # the record's ledger, built from the same events, agrees
    from meeting_console.record import source

    rec = source.load(core, mid)
    assert [(o.meeting_endpoint_id, o.start, o.end, o.severity) for o in rec.all_outages] == [
        (o.meeting_endpoint_id, o.start, o.end, o.severity) for o in ledger]


def test_ledger_of_unknown_ids(core: Core) -> None:
    import pytest

    from meeting_console.errors import NotFound

    with pytest.raises(NotFound):
        outages.meeting_ledger(core, 12345)
    with pytest.raises(NotFound):
        outages.endpoint_ledger(core, 12345)


# --- invariants under random clerk / monitor / undo sequences ---------------------------------------

STATUSES = st.sampled_from(vocab.ENDPOINT_STATUSES)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        import tempfile

        self.dir = tempfile.TemporaryDirectory()
        self.clock = FakeClock(T)
        self.core = Core.open(f"{self.dir.name}/m.db", clock=self.clock)
        self.mid = meetings.create_meeting(self.core, "Hội nghị", date(2022, 1, 14)).result
        self.eps = [endpoints.create_in_meeting(self.core, self.mid, n, monitored=True).result
                    for n in ("Tỉnh ủy", "Sơn Dương", "Chiêm Hóa")]

    def teardown(self) -> None:
        self.core.close()
        self.dir.cleanup()

    @initialize()
    def start(self) -> None:
        pass

    def _op(self, fn: Any, *args: Any, **kwargs: Any) -> None:
        try:
            fn(self.core, *args, **kwargs)
        except UserError:
            pass

    @rule(seconds=st.integers(0, 120))
    def wait(self, seconds: int) -> None:
        self.clock.advance(seconds)

    @rule(i=st.integers(0, 2), status=STATUSES)
    def clerk_status(self, i: int, status: str) -> None:
        self._op(endpoints.set_status, self.eps[i], status)

    @rule(i=st.integers(0, 2))
    def release(self, i: int) -> None:
        self._op(endpoints.release_override, self.eps[i])

    @rule(changes=st.lists(st.tuples(st.integers(0, 2), STATUSES, st.integers(-30, 0)), max_size=6))
    def monitor(self, changes: list[tuple[int, str, int]]) -> None:
        now = self.clock.now()
        batch = MonitorBatch(Observed(self.eps[i], now + timedelta(seconds=d), s) for i, s, d in changes)
        self._op(endpoints.apply_monitor_batch, self.mid, batch)

    @rule()
    def undo(self) -> None:
        # undo the clerks' steps, not the set-up (meeting and endpoints)
        if self.core.undo_status(self.mid).undo_label not in ("New endpoint in meeting", "New meeting"):
            self._op(lambda core: core.undo(self.mid))

    @rule()
    def redo(self) -> None:
        self._op(lambda core: core.redo(self.mid))

    @invariant()
    def status_is_the_last_event(self) -> None:
        for e in reads.endpoints(self.core, self.mid):
            evs = reads.status_events(self.core, e.id)
            if evs:
                assert (e.status, e.status_since) == (evs[-1].status, evs[-1].at)
            else:
                assert (e.status, e.status_since) == ("not_connected", None)
            assert all(a.at <= b.at for a, b in zip(evs, evs[1:], strict=False))

    @invariant()
    def outages_disjoint_and_in_order(self) -> None:
        ledger = outages.meeting_ledger(self.core, self.mid)
        by_ep: dict[int, list[outages.Outage]] = {}
        for o in ledger:
            by_ep.setdefault(o.meeting_endpoint_id, []).append(o)
        tot = outages.totals(self.core, self.mid)
        for me_id, lst in by_ep.items():
            for a, b in zip(lst, lst[1:], strict=False):
                assert a.end is not None and a.end <= b.start
            assert all(o.end is not None for o in lst[:-1])
            assert tot[me_id].count == len(lst)
            assert tot[me_id].closed_seconds == sum(o.seconds() or 0 for o in lst if o.end is not None)
            current = next(e for e in reads.endpoints(self.core, self.mid) if e.id == me_id)
            assert (lst[-1].end is None) == (current.status in outages.OUTAGE_STATES)
        assert set(tot) == set(by_ep)
        # the same totals one event at a time (how the panel follows the monitor's batches)
        for e in reads.endpoints(self.core, self.mid):
            t = outages.NO_OUTAGES
            for ev in reads.status_events(self.core, e.id):
                t = t.after(ev.at, ev.status)
            assert t == tot.get(e.id, outages.NO_OUTAGES)


TestLedgerMachine = LedgerMachine.TestCase
TestLedgerMachine.settings = settings(max_examples=15, stateful_step_count=20, deadline=None,
                                      suppress_health_check=[HealthCheck.too_slow])
