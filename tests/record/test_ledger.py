"""The outage ledger computed from status events (pure functions, no PDF)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from meeting_console.record.ledger import Event, Timeline, ledger, outages_of, span_of
from tests.record.seed import at

ME = 7


def ev(hhmm: str, status: str, me: int = ME) -> Event:
    return Event(me, at(hhmm), status)


def test_lost_then_connected_is_one_outage() -> None:
    out = outages_of([ev("7:45", "connected"), ev("9:18", "lost"), ev("9:23", "connected")])
    assert [(o.start, o.end, o.severity, o.ended_by) for o in out] == [
        (at("9:18"), at("9:23"), "lost", "connected")
    ]
    assert out[0].seconds() == 300


def test_unstable_then_lost_merges_with_the_worst_severity() -> None:
    out = outages_of([ev("7:45", "connected"), ev("10:41", "unstable"), ev("10:42", "lost"),
                      ev("10:47", "connected")])
    assert len(out) == 1
    assert (out[0].start, out[0].end, out[0].severity) == (at("10:41"), at("10:47"), "lost")


def test_unstable_only_is_an_unstable_outage() -> None:
    out = outages_of([ev("7:45", "connected"), ev("8:10", "unstable"), ev("8:11", "connected")])
    assert [(o.severity, o.end) for o in out] == [("unstable", at("8:11"))]


def test_outage_ended_by_leaving_and_open_outage() -> None:
    left = outages_of([ev("7:45", "connected"), ev("10:00", "lost"), ev("10:05", "left")])
    assert [(o.end, o.ended_by) for o in left] == [(at("10:05"), "left")]
    still = outages_of([ev("7:45", "connected"), ev("11:05", "lost")])
    assert [(o.start, o.end, o.ended_by) for o in still] == [(at("11:05"), None, "")]
    assert still[0].seconds() is None
    assert still[0].seconds(until=at("11:10")) == 300


def test_several_outages_and_repeated_states() -> None:
    out = outages_of([ev("7:45", "connected"), ev("8:00", "lost"), ev("8:01", "lost"),
                      ev("8:02", "connected"), ev("8:03", "connected"), ev("9:00", "unstable"),
                      ev("9:04", "connected")])
    assert [(o.start, o.end) for o in out] == [(at("8:00"), at("8:02")), (at("9:00"), at("9:04"))]


def test_span_of_connection() -> None:
    events = [ev("7:45", "connected"), ev("9:18", "lost"), ev("9:23", "connected"),
              ev("11:10", "left")]
    assert span_of(events) == span_of(events, outages_of(events))
    assert (span_of(events).first_connected, span_of(events).until) == (at("7:45"), at("11:10"))
    lost = [ev("7:45", "connected"), ev("11:05", "lost")]
    assert span_of(lost, outages_of(lost)).until == at("11:05")
    assert span_of([ev("7:45", "not_connected")]).first_connected is None


def test_outages_tied_to_the_item_and_speech_running_when_they_began() -> None:
    items = Timeline([(at("9:01"), at("10:37"), 5), (at("10:37"), at("11:01"), 6),
                      (at("11:01"), None, 7)])
    speeches = Timeline([(at("9:05"), at("9:15"), 50), (at("9:15", 1), at("9:25"), 51)])
    events = [ev("7:45", "connected"), ev("9:18", "lost"), ev("9:23", "connected"),
              ev("7:45", "connected", 8), ev("10:41", "unstable", 8), ev("10:47", "connected", 8),
              ev("7:45", "connected", 9), ev("11:05", "lost", 9), ev("7:45", "connected", 10),
              ev("7:50", "lost", 10), ev("7:52", "connected", 10)]
    outages, spans = ledger(events, items, speeches)
    assert [(o.item_id, o.speech_id) for o in outages[ME]] == [(5, 51)]
    assert [(o.item_id, o.speech_id) for o in outages[8]] == [(6, None)]
    assert [(o.item_id, o.speech_id) for o in outages[9]] == [(7, None)]  # item still open
    assert [(o.item_id, o.speech_id) for o in outages[10]] == [(None, None)]  # before opening
    assert set(spans) == {ME, 8, 9, 10}


STATUSES = st.sampled_from(["connected", "unstable", "lost", "left", "not_connected"])


@given(st.lists(STATUSES, max_size=40))
def test_outages_are_disjoint_ordered_and_inside_the_events(statuses: list[str]) -> None:
    t0 = at("7:00")
    events = [Event(ME, t0 + timedelta(minutes=i), s) for i, s in enumerate(statuses)]
    out = outages_of(events)
    bad = sum(1 for a, b in zip(["connected", *statuses], statuses, strict=False)
              if b in ("lost", "unstable") and a not in ("lost", "unstable"))
    assert len(out) == bad
    last: datetime | None = None
    for o in out:
        assert last is None or o.start >= last
        assert o.end is None or o.end > o.start
        last = o.end or o.start
    assert all(o.end is not None for o in out[:-1])
