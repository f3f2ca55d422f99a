"""The outage ledger and connection spans, computed from endpoint status events.

An outage opens when an endpoint enters ``lost`` or ``unstable`` and closes at the next
``connected`` (restored), ``left`` or ``not_connected`` event; one still open at the end of the
events has no end. Its severity is the worst status seen inside it (lost over unstable). Each
outage is tied to the agenda item and the speech running at the moment it began.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

OUTAGE_STATES = frozenset({"lost", "unstable"})
SEVERITY = {"unstable": 1, "lost": 2}


class Event(NamedTuple):
    """One status change (the fields of ``reads.StatusEventInfo`` the ledger needs; a tuple:
    a national meeting has a hundred thousand of them)."""

    meeting_endpoint_id: int
    at: datetime
    status: str


class Outage(NamedTuple):
    meeting_endpoint_id: int
    start: datetime
    end: datetime | None  # None: not restored by the last event
    severity: str  # "lost" | "unstable"
    ended_by: str  # "connected" | "left" | "not_connected" | "" (still open)
    item_id: int | None = None
    speech_id: int | None = None

    def seconds(self, until: datetime | None = None) -> float | None:
        end = self.end or until
        if end is None:
            return None
        return max((end - self.start).total_seconds(), 0.0)


class Span(NamedTuple):
    """When an endpoint was connected: from its first connection to when it left, or lost
    the link for good (``until`` None: connected to the end of the events)."""

    first_connected: datetime | None
    until: datetime | None


def outages_of(events: Iterable[Event]) -> list[Outage]:
    """Outages of one endpoint from its events in time order."""
    out: list[Outage] = []
    start: datetime | None = None
    severity = 0
    me_id = 0
    for ev in events:
        me_id = ev.meeting_endpoint_id
        if ev.status in OUTAGE_STATES:
            if start is None:
                start = ev.at
                severity = 0
            severity = max(severity, SEVERITY[ev.status])
        elif start is not None:
            out.append(Outage(me_id, start, ev.at, _sev(severity), ev.status))
            start = None
    if start is not None:
        out.append(Outage(me_id, start, None, _sev(severity), ""))
    return out


def _sev(level: int) -> str:
    return "lost" if level >= 2 else "unstable"


def span_of(events: Sequence[Event], outages: Sequence[Outage] = ()) -> Span:
    first = next((e.at for e in events if e.status == "connected"), None)
    if first is None:
        return Span(None, None)
    last = events[-1]
    if last.status in ("left", "not_connected"):
        return Span(first, last.at)
    if outages and outages[-1].end is None and outages[-1].severity == "lost":
        return Span(first, outages[-1].start)  # lost and never restored
    return Span(first, None)


class Timeline:
    """Which item and which speech ran at a moment: intervals sorted by start, found by
    bisection (items do not overlap; neither do speeches)."""

    def __init__(self, intervals: Iterable[tuple[datetime, datetime | None, int]]) -> None:
        rows = sorted(((s, e, i) for s, e, i in intervals), key=lambda r: r[0])
        self._starts = [r[0] for r in rows]
        self._rows = rows

    def at(self, moment: datetime) -> int | None:
        k = bisect.bisect_right(self._starts, moment) - 1
        if k < 0:
            return None
        start, end, ident = self._rows[k]
        if end is None or moment < end:
            return ident
        return None


def ledger(
    events: Iterable[Event], items: Timeline, speeches: Timeline
) -> tuple[dict[int, list[Outage]], dict[int, Span]]:
    """Outages and connection spans of every endpoint, from all events of a meeting
    (sorted by endpoint, then time)."""
    by_endpoint: dict[int, list[Event]] = {}
    for ev in events:
        by_endpoint.setdefault(ev.meeting_endpoint_id, []).append(ev)
    outages: dict[int, list[Outage]] = {}
    spans: dict[int, Span] = {}
    for me_id, evs in by_endpoint.items():
        evs.sort(key=lambda e: e.at)
        found = [
            Outage(o.meeting_endpoint_id, o.start, o.end, o.severity, o.ended_by,
                   items.at(o.start), speeches.at(o.start))
            for o in outages_of(evs)
        ]
        spans[me_id] = span_of(evs, found)
        if found:
            outages[me_id] = found
    return outages, spans
