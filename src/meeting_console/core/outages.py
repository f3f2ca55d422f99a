"""The outage ledger: when each endpoint lost its link, for how long, and what the meeting was
doing meanwhile (agenda item, speaker) — from the status events the journal recorded.

An outage opens when an endpoint enters ``lost`` or ``unstable`` and closes at its next
``connected``, ``left`` or ``not_connected`` event; one still open has no end. Its severity is
the worst status inside it (lost over unstable). The same rules as ``record.ledger``, so the panel
and the minutes agree; this module adds the names and times a reader needs.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from meeting_console.core.api import Core
from meeting_console.errors import NotFound
from meeting_console.i18n import _
from meeting_console.store import models as m

OUTAGE_STATES = frozenset({"lost", "unstable"})
_SEVERITY = {"unstable": 1, "lost": 2}


@dataclass(frozen=True)
class Interval:
    """One outage of one endpoint, from its events alone."""

    meeting_endpoint_id: int
    start: datetime
    end: datetime | None  # None: still open at the last event
    severity: str  # "lost" | "unstable"
    ended_by: str  # "connected" | "left" | "not_connected" | "" (still open)
    automatic: bool  # opened by the monitor (False: a clerk's status)

    def seconds(self, until: datetime | None = None) -> float | None:
        end = self.end or until
        if end is None:
            return None
        return max((end - self.start).total_seconds(), 0.0)


def intervals(events: Iterable[tuple[int, datetime, str, bool]]) -> list[Interval]:
    """Outages from status events ``(meeting_endpoint_id, at, status, automatic)`` sorted by
    endpoint then time (events of several endpoints may come one endpoint after another)."""
    out: list[Interval] = []
    cur_id: int | None = None
    start: datetime | None = None
    severity = 0
    auto = False
    for me_id, at, status, automatic in events:
        if me_id != cur_id:
            if cur_id is not None and start is not None:
                out.append(Interval(cur_id, start, None, _sev(severity), "", auto))
            cur_id, start = me_id, None
        if status in OUTAGE_STATES:
            if start is None:
                start, severity, auto = at, 0, automatic
            severity = max(severity, _SEVERITY[status])
        elif start is not None:
            out.append(Interval(me_id, start, at, _sev(severity), status, auto))
            start = None
    if cur_id is not None and start is not None:
        out.append(Interval(cur_id, start, None, _sev(severity), "", auto))
    return out


def _sev(level: int) -> str:
    return "lost" if level >= 2 else "unstable"


@dataclass(frozen=True)
class Totals:
    """An endpoint's outages so far: how many, the time of the closed ones, and when the
    open one (if any) began — its time grows with the clock."""

    count: int = 0
    closed_seconds: float = 0.0
    open_since: datetime | None = None

    def seconds(self, now: datetime) -> float:
        extra = (now - self.open_since).total_seconds() if self.open_since is not None else 0.0
        return self.closed_seconds + max(extra, 0.0)

    def after(self, at: datetime, status: str) -> Totals:
        """The totals once one more status event (later than the others) is counted: the
        same rules as ``intervals``, one event at a time."""
        if status in OUTAGE_STATES:
            return self if self.open_since is not None else Totals(self.count + 1, self.closed_seconds, at)
        if self.open_since is None:
            return self
        return Totals(self.count, self.closed_seconds + max((at - self.open_since).total_seconds(), 0.0), None)


NO_OUTAGES = Totals()


def _events(s: object, meeting_id: int, ids: Sequence[int] | None) -> list[tuple[int, datetime, str, bool]]:
    ev = m.EndpointStatusEvent
    q = (select(ev.meeting_endpoint_id, ev.at, ev.status, ev.automatic)
         .join(m.MeetingEndpoint, m.MeetingEndpoint.id == ev.meeting_endpoint_id)
         .where(m.MeetingEndpoint.meeting_id == meeting_id)
         .order_by(ev.meeting_endpoint_id, ev.at, ev.id))
    if ids is None:
        return [tuple(r) for r in s.execute(q)]  # type: ignore[attr-defined, misc]
    out: list[tuple[int, datetime, str, bool]] = []
    ids = sorted(set(ids))
    for i in range(0, len(ids), 900):
        out.extend(tuple(r) for r in s.execute(q.where(ev.meeting_endpoint_id.in_(ids[i : i + 900]))))  # type: ignore[attr-defined, misc]
    return out


def totals(core: Core, meeting_id: int, ids: Iterable[int] | None = None) -> dict[int, Totals]:
    """Outage count and time per endpoint (only endpoints that had one; all of the meeting,
    or those of ``ids``)."""
    with core.reading() as s:
        found = intervals(_events(s, meeting_id, None if ids is None else list(ids)))
    out: dict[int, Totals] = {}
    for iv in found:
        t = out.get(iv.meeting_endpoint_id, NO_OUTAGES)
        if iv.end is None:
            out[iv.meeting_endpoint_id] = Totals(t.count + 1, t.closed_seconds, iv.start)
        else:
            out[iv.meeting_endpoint_id] = Totals(t.count + 1, t.closed_seconds + (iv.seconds() or 0.0),
                                                 t.open_since)
    return out


# --- what the meeting was doing ------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """An agenda item or a speech that ran for a while."""

    id: int
    label: str  # "2. Thảo luận" / "Giang Tuấn Anh"
    start: datetime
    end: datetime | None


class Timeline:
    """Which items (or speeches) ran during a span: they do not overlap each other, so a sorted
    list and bisection find them."""

    def __init__(self, activities: Iterable[Activity]) -> None:
        self.rows = sorted(activities, key=lambda a: (a.start, a.id))
        self._starts = [a.start for a in self.rows]

    def at(self, moment: datetime) -> Activity | None:
        k = bisect.bisect_right(self._starts, moment) - 1
        if k < 0:
            return None
        a = self.rows[k]
        return a if a.end is None or moment < a.end else None

    def during(self, start: datetime, end: datetime | None) -> tuple[Activity, ...]:
        hi = len(self.rows) if end is None else bisect.bisect_left(self._starts, end)
        return tuple(a for a in self.rows[:hi] if a.end is None or a.end > start)


@dataclass(frozen=True)
class Outage:
    """One line of the ledger: "Lâm Bình lost 10:42–10:47 during 2. Thảo luận (Giang Tuấn Anh)"."""

    meeting_endpoint_id: int
    endpoint_name: str
    start: datetime
    end: datetime | None
    severity: str
    ended_by: str
    automatic: bool
    item: Activity | None  # the agenda item running when the outage began
    speech: Activity | None  # the speech under way when it began
    items: tuple[Activity, ...]  # every item it overlapped
    speeches: tuple[Activity, ...]  # every speech it overlapped

    def seconds(self, until: datetime | None = None) -> float | None:
        end = self.end or until
        if end is None:
            return None
        return max((end - self.start).total_seconds(), 0.0)


def _timelines(s: object, meeting_id: int) -> tuple[Timeline, Timeline]:
    it = m.AgendaItem
    items = [
        Activity(i, f"{n}. {t}" if n else t, a, e)
        for i, n, t, a, e in s.execute(  # type: ignore[attr-defined]
            select(it.id, it.number, it.title, it.actual_start, it.actual_end)
            .where(it.meeting_id == meeting_id, it.actual_start.is_not(None)))
    ]
    sr = m.SpeakerRequest
    speeches = [
        Activity(i, name, a, e)
        for i, name, a, e in s.execute(  # type: ignore[attr-defined]
            select(sr.id, m.Person.full_name, sr.actual_start, sr.actual_end)
            .join(m.Person, m.Person.id == sr.person_id)
            .where(sr.meeting_id == meeting_id, sr.actual_start.is_not(None)))
    ]
    return Timeline(items), Timeline(speeches)


def _ledger(s: object, meeting_id: int, ids: Sequence[int] | None) -> tuple[Outage, ...]:
    items, speeches = _timelines(s, meeting_id)
    names = dict(s.execute(  # type: ignore[attr-defined]
        select(m.MeetingEndpoint.id, m.Endpoint.name)
        .join(m.Endpoint, m.Endpoint.id == m.MeetingEndpoint.endpoint_id)
        .where(m.MeetingEndpoint.meeting_id == meeting_id)).all())
    out = [
        Outage(iv.meeting_endpoint_id, names.get(iv.meeting_endpoint_id, ""), iv.start, iv.end,
               iv.severity, iv.ended_by, iv.automatic, items.at(iv.start), speeches.at(iv.start),
               items.during(iv.start, iv.end), speeches.during(iv.start, iv.end))
        for iv in intervals(_events(s, meeting_id, ids))
    ]
    out.sort(key=lambda o: (o.start, o.meeting_endpoint_id))
    return tuple(out)


def meeting_ledger(core: Core, meeting_id: int) -> tuple[Outage, ...]:
    """Every outage of the meeting in time order (for the record and the detail pane)."""
    with core.reading() as s:
        if s.get(m.Meeting, meeting_id) is None:
            raise NotFound(_("unknown meeting id {meeting_id}").format(meeting_id=meeting_id))
        return _ledger(s, meeting_id, None)


def endpoint_ledger(core: Core, meeting_endpoint_id: int) -> tuple[Outage, ...]:
    """The outages of one endpoint in time order."""
    with core.reading() as s:
        me = s.get(m.MeetingEndpoint, meeting_endpoint_id)
        if me is None:
            raise NotFound(_("unknown meeting endpoint id {meeting_endpoint_id}").format(meeting_endpoint_id=meeting_endpoint_id))
        return _ledger(s, me.meeting_id, [meeting_endpoint_id])
