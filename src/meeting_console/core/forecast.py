"""Planned vs actual: each item's planned slot, its actual or projected times, the projected end
of the meeting, the overrun, and how much the remaining items must shrink to end on time.

Pure functions over ``AgendaItemInfo`` rows (in agenda order) and a moment: no database, no Qt,
so the timeline can recompute every second from the rows it already holds, and the PDF record
draws its chart from the same ``chart_bars``.

The projection model, chosen to match how a chair runs a meeting:

* the running item ends when its allowed time (planned + extended minutes, pauses not counted)
  runs out, or now if it has already overrun;
* pending items follow one another in agenda order after the running item (or after the last
  finished one, or from now), keeping the planned breaks between items but never waiting for
  their planned start, except that a meeting not yet started opens at its planned time;
* skipped items take no time; unplanned items (inserted live) take their minutes but are not
  part of the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from meeting_console.core.reads import AgendaItemInfo

STARTED = frozenset({"running", "paused", "done"})
CURRENT = frozenset({"running", "paused"})
LAST_MINUTE = 60.0  # seconds left when the countdown turns amber

# countdown alerts
NORMAL = "normal"
LAST = "last_minute"
OVER = "overrun"


def alert(remaining_seconds: float | None) -> str:
    """How the countdown of the running item should look: normal, last minute, overrun."""
    if remaining_seconds is None or remaining_seconds > LAST_MINUTE:
        return NORMAL
    return LAST if remaining_seconds >= 0 else OVER


@dataclass(frozen=True)
class PlannedSlot:
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class Overlap:
    """Two consecutive planned items whose planned times overlap."""

    item_id: int
    previous_id: int
    seconds: float  # how long item starts before the previous one's planned end


def planned_slots(items: Sequence[AgendaItemInfo]) -> dict[int, PlannedSlot]:
    """Each item's planned start and end: its own planned start, else the previous planned
    item's end (durations chained). Unplanned items have no slot and do not move the chain."""
    out: dict[int, PlannedSlot] = {}
    cursor: datetime | None = None
    for it in items:
        if it.unplanned:
            out[it.id] = PlannedSlot(None, None)
            continue
        start = it.planned_start or cursor
        end = start + timedelta(minutes=it.planned_minutes) if start is not None else None
        out[it.id] = PlannedSlot(start, end)
        if end is not None:
            cursor = end
    return out


def overlaps(items: Sequence[AgendaItemInfo],
             slots: dict[int, PlannedSlot] | None = None) -> tuple[Overlap, ...]:
    """Planned items that start before the previous planned item ends."""
    slots = planned_slots(items) if slots is None else slots
    out = []
    prev: AgendaItemInfo | None = None
    for it in items:
        slot = slots[it.id]
        if slot.start is None:
            continue
        if prev is not None:
            pend = slots[prev.id].end
            if pend is not None and slot.start < pend:
                out.append(Overlap(it.id, prev.id, (pend - slot.start).total_seconds()))
        prev = it
    return tuple(out)


def _gaps(items: Sequence[AgendaItemInfo], slots: dict[int, PlannedSlot]) -> dict[int, float]:
    """The planned break before each planned item (seconds, never negative): the time between
    its planned start and the end of everything planned before it. Taken in the order of the
    planned times, not of the agenda, so that an item moved live does not turn the hours
    between its old slot and its new place into a "break"."""
    out: dict[int, float] = {it.id: 0.0 for it in items}
    timed = sorted(
        ((slots[it.id].start, slots[it.id].end, n, it.id) for n, it in enumerate(items)
         if slots[it.id].start is not None),
        key=lambda x: (x[0], x[2]),
    )
    latest: datetime | None = None
    for start, end, _n, id_ in timed:
        assert start is not None and end is not None
        if latest is not None:
            out[id_] = max((start - latest).total_seconds(), 0.0)
        latest = end if latest is None else max(latest, end)
    return out


class ItemForecast(NamedTuple):
    """One item's times at the forecast's moment. (A named tuple rather than a dataclass: the
    timeline builds two hundred of them every second.)"""

    id: int
    status: str
    planned_start: datetime | None
    planned_end: datetime | None
    allowed_seconds: int  # planned + extended minutes
    start: datetime | None  # actual start, else projected (see ``projected``)
    end: datetime | None  # actual end, else projected
    projected: bool  # start/end of a pending item are projections
    end_projected: bool  # the end is a projection (pending, running or paused)
    elapsed_seconds: float | None  # time on the item, pauses excluded (running/paused/done)
    paused_seconds: float  # pauses so far, the current one included
    remaining_seconds: float | None  # running/paused: allowed - elapsed (< 0: overrun)
    deviation_seconds: float | None  # done: actual duration (pauses included) - planned
    start_drift_seconds: float | None  # start - planned start (actual or projected)
    end_drift_seconds: float | None  # end - planned end
    shrink_seconds: float  # how much shorter this item must be for the meeting to end on time

    @property
    def alert(self) -> str:
        return alert(self.remaining_seconds) if self.status in CURRENT else NORMAL

    @property
    def actual_seconds(self) -> float | None:
        """Done: the duration, pauses included."""
        if self.status == "done" and self.start and self.end:
            return (self.end - self.start).total_seconds()
        return None


@dataclass(frozen=True)
class Forecast:
    now: datetime
    items: tuple[ItemForecast, ...]
    current_id: int | None  # the running or paused item
    planned_start: datetime | None
    planned_end: datetime | None
    projected_end: datetime | None  # the actual end once the meeting is closed
    overrun_seconds: float | None  # projected end - planned end (> 0 late, < 0 early)
    shrink_ratio: float | None  # share of the remaining time to cut (> 1: cannot catch up)
    remaining_seconds: float  # time the remaining work is projected to take
    overlaps: tuple[Overlap, ...]
    closed: bool

    @cached_property
    def _by_id(self) -> dict[int, ItemForecast]:
        return {f.id: f for f in self.items}

    def item(self, item_id: int) -> ItemForecast | None:
        return self._by_id.get(item_id)

    @property
    def current(self) -> ItemForecast | None:
        return None if self.current_id is None else self.item(self.current_id)

    @property
    def late(self) -> bool:
        return (self.overrun_seconds or 0) > 0

    @property
    def can_catch_up(self) -> bool:
        return self.shrink_ratio is not None and self.shrink_ratio <= 1.0


def _elapsed(it: AgendaItemInfo, now: datetime) -> tuple[float, float]:
    """(time on the item without pauses, pauses so far) for a started item."""
    assert it.actual_start is not None
    if it.status == "done" and it.actual_end is not None:
        until = it.actual_end
    elif it.status == "paused" and it.paused_at is not None:
        until = it.paused_at
    else:
        until = now
    paused = float(it.paused_seconds)
    if it.status == "paused" and it.paused_at is not None:
        paused += max((now - it.paused_at).total_seconds(), 0.0)
    gross = max((until - it.actual_start).total_seconds(), 0.0)
    return max(gross - it.paused_seconds, 0.0), paused


# The plan (slots, breaks, overlaps) changes only when an item's planned time, minutes or
# place does, not when the agenda runs: kept for the last plan seen. Done and skipped items'
# forecasts do not depend on the moment: kept by item id. A pending item's forecast depends on
# the moment only through its projected start and end and its share of the cut: kept by item id
# with them, so a tick or a press that does not move the projections builds none of the
# pending items' forecasts again (and the timeline compares the very objects it holds).
# (Values only; safe across threads, an entry being replaced whole.)
_PLAN: list[Any] = [None, None]
_HELD: dict[int, tuple[AgendaItemInfo, PlannedSlot, ItemForecast]] = {}
_PENDING: dict[int, tuple[AgendaItemInfo, PlannedSlot, datetime | None, datetime | None, float, ItemForecast]] = {}


_PLAN_KEY = attrgetter("id", "planned_start", "planned_minutes", "unplanned")  # what the plan depends on


def _plan(items: Sequence[AgendaItemInfo]) -> tuple[
        dict[int, PlannedSlot], dict[int, float], tuple[Overlap, ...], datetime | None, datetime | None]:
    key = tuple(map(_PLAN_KEY, items))
    memo = _PLAN[0]
    if memo is not None and memo[0] == key:
        return memo[1]  # type: ignore[no-any-return]
    slots = planned_slots(items)
    planned_ends = [s.end for s in slots.values() if s.end is not None]
    planned_starts = [s.start for s in slots.values() if s.start is not None]
    value = (slots, _gaps(items, slots), overlaps(items, slots),
             min(planned_starts) if planned_starts else None, max(planned_ends) if planned_ends else None)
    _PLAN[0] = (key, value)
    return value


def forecast(items: Sequence[AgendaItemInfo], now: datetime, *, meeting_status: str = "",
             meeting_end: datetime | None = None) -> Forecast:
    """The timeline at ``now``. ``items`` in agenda order; ``meeting_status`` "closed" stops
    every projection (the meeting's ``meeting_end`` is then the end)."""
    slots, gaps, overlapping, planned_start, planned_end = _plan(items)
    closed = meeting_status == "closed"
    started_any = meeting_status in ("live", "closed") or any(it.status in STARTED for it in items)

    # started items: their own times; the current one ends when its allowed time runs out
    ends: dict[int, datetime] = {}
    elapsed: dict[int, tuple[float, float]] = {}
    current: AgendaItemInfo | None = None
    last_end: datetime | None = None
    for it in items:
        if it.status not in STARTED or it.actual_start is None:
            continue
        if it.status == "done":
            # (a done item's time on it is worked out below, only if its forecast is not kept)
            end = it.actual_end or it.actual_start
        else:
            e = _elapsed(it, now)
            elapsed[it.id] = e
            allowed = (it.planned_minutes + it.extended_minutes) * 60
            current = it
            end = max(now, it.actual_start) + timedelta(seconds=max(allowed - e[0], 0.0))
            if closed:
                end = max(now, it.actual_start)
        ends[it.id] = end
        last_end = end if last_end is None else max(last_end, end)

    # pending items one after another, from the current item's end (or the last end, or now)
    # (a meeting running late moves every pending item at each press and tick: this loop and
    # the one building their forecasts below run for some two hundred items, in plain locals)
    starts: dict[int, datetime] = {}
    carry = 0.0
    cursor = last_end
    if not closed:
        for it in items:
            status = it.status
            if status == "pending":
                gap = gaps[it.id] + carry
                carry = 0.0
                if cursor is None:
                    # nothing has happened yet: a meeting opens at its planned time, not before
                    planned = slots[it.id].start if not started_any else None
                    start = max(now, planned) if planned is not None else now
                else:
                    start = cursor + timedelta(seconds=gap) if gap else cursor
                    if start <= now:  # (as max(now, start): now when they are equal)
                        start = now
                starts[it.id] = start
                cursor = ends[it.id] = start + timedelta(minutes=it.planned_minutes + it.extended_minutes)
            elif status == "skipped":
                carry += gaps[it.id]

    if closed:
        projected_end = meeting_end or (max(ends.values()) if ends else None)
    else:
        projected_end = max(ends.values()) if ends else None
    overrun = (projected_end - planned_end).total_seconds() \
        if projected_end is not None and planned_end is not None else None

    # what is left to do, and how much of it must go for the meeting to end on time
    pool: dict[int, float] = {}
    if not closed:
        for it in items:
            status = it.status
            if status == "pending":
                pool[it.id] = float((it.planned_minutes + it.extended_minutes) * 60)
            elif status in CURRENT and it.id in elapsed:
                allowed = (it.planned_minutes + it.extended_minutes) * 60
                pool[it.id] = max(allowed - elapsed[it.id][0], 0.0)
    total = sum(pool.values())
    ratio: float | None = None
    if overrun is not None and overrun > 0 and not closed:
        ratio = overrun / total if total > 0 else float("inf")

    out: list[ItemForecast] = []
    append = out.append
    held = _HELD
    pending = _PENDING
    new = tuple.__new__
    cut = min(ratio, 1.0) if ratio is not None else None
    for it in items:
        iid = it.id
        slot = slots[iid]
        status = it.status
        if status == "pending":
            start = starts.get(iid)
            end = ends.get(iid)
            shrink = pool[iid] * cut if cut is not None and iid in pool else 0.0
            # the same item, slot, projected times and cut give the same forecast as last time
            phit = pending.get(iid)
            if phit is not None and (phit[0] is it or phit[0] == it) and (phit[1] is slot or phit[1] == slot) \
                    and phit[2] == start and phit[3] == end and phit[4] == shrink:
                append(phit[5])
                continue
            ps, pe = slot.start, slot.end
            f = new(ItemForecast, (
                iid, status, ps, pe, (it.planned_minutes + it.extended_minutes) * 60, start, end,
                start is not None, end is not None, None, 0.0, None, None,
                (start - ps).total_seconds() if start is not None and ps is not None else None,
                (end - pe).total_seconds() if end is not None and pe is not None else None,
                shrink))
            append(f)
            if len(pending) > 4096:
                pending.clear()
            pending[iid] = (it, slot, start, end, shrink, f)
            continue
        if status == "skipped" or (status == "done" and it.actual_end is not None):
            # a done or skipped item's times do not move with ``now``: the same as last time
            # when the item and its slot are (a timeline recomputes every second)
            hit = held.get(iid)
            if hit is not None and (hit[0] is it or hit[0] == it) and (hit[1] is slot or hit[1] == slot):
                append(hit[2])
                continue
        allowed = (it.planned_minutes + it.extended_minutes) * 60
        start = it.actual_start if status in STARTED else starts.get(iid)
        end = ends.get(iid)
        shrink = 0.0
        if cut is not None and iid in pool:
            shrink = pool[iid] * cut
        if status == "done" and it.actual_start is not None and iid not in elapsed:
            elapsed[iid] = _elapsed(it, now)
        el, paused = elapsed.get(iid, (None, 0.0))
        remaining = allowed - el if status in CURRENT and el is not None else None
        deviation = None
        if status == "done" and it.actual_start and it.actual_end:
            deviation = (it.actual_end - it.actual_start).total_seconds() - it.planned_minutes * 60
        append(ItemForecast(
            id=iid,
            status=status,
            planned_start=slot.start,
            planned_end=slot.end,
            allowed_seconds=allowed,
            start=start,
            end=end,
            projected=False,
            end_projected=status in CURRENT and end is not None,
            elapsed_seconds=el,
            paused_seconds=paused,
            remaining_seconds=remaining,
            deviation_seconds=deviation,
            start_drift_seconds=(start - slot.start).total_seconds()
            if start is not None and slot.start is not None else None,
            end_drift_seconds=(end - slot.end).total_seconds()
            if end is not None and slot.end is not None else None,
            shrink_seconds=shrink,
        ))
        if status == "skipped" or (status == "done" and it.actual_end is not None):
            if len(held) > 4096:
                held.clear()
            held[iid] = (it, slot, out[-1])
    return Forecast(
        now=now,
        items=tuple(out),
        current_id=current.id if current is not None else None,
        planned_start=planned_start,
        planned_end=planned_end,
        projected_end=projected_end,
        overrun_seconds=overrun,
        shrink_ratio=ratio,
        remaining_seconds=total,
        overlaps=overlapping,
        closed=closed,
    )


# --- the planned-vs-actual chart, as data (drawn by the UI widget and by the PDF record) --


class ChartBar(NamedTuple):
    """One strip of the chart: the planned bar above, the actual (or projected) bar below."""

    id: int
    label: str
    status: str
    unplanned: bool
    planned_start: datetime | None
    planned_end: datetime | None
    actual_start: datetime | None
    actual_end: datetime | None  # a running item: up to now
    projected_start: datetime | None  # pending items, and the rest of the running one
    projected_end: datetime | None
    late: bool  # ended (or is projected to end) after its planned end
    over: bool  # took longer than planned (done), or is past its allowed time (running)


def item_label(it: AgendaItemInfo, index: int | None = None) -> str:
    number = it.number or (str(index) if index is not None else str(it.position))
    return f"{number}. {it.title}"


def chart_bar(it: AgendaItemInfo, f: ItemForecast, now: datetime, index: int | None = None) -> ChartBar:
    """The strip of one item (``index``: its 1-based place, for an unnumbered label)."""
    actual_end = it.actual_end
    proj_start = proj_end = None
    if it.status in CURRENT and it.actual_start is not None:
        actual_end = max(now, it.actual_start)
        if f.end is not None and f.end > actual_end:
            proj_start, proj_end = actual_end, f.end
    elif it.status == "pending":
        proj_start, proj_end = f.start, f.end
    end = f.end
    late = end is not None and f.planned_end is not None and end > f.planned_end
    if it.status == "done":
        over = (f.deviation_seconds or 0) > 0
    elif it.status in CURRENT:
        over = (f.remaining_seconds or 0) < 0
    else:
        over = False
    return ChartBar(it.id, item_label(it, index), it.status, it.unplanned, f.planned_start,
                    f.planned_end, it.actual_start, actual_end, proj_start, proj_end, late, over)


def chart_bars(items: Sequence[AgendaItemInfo], fc: Forecast) -> tuple[ChartBar, ...]:
    """The chart's strips, in agenda order."""
    return tuple(chart_bar(it, f, fc.now, n)
                 for n, (it, f) in enumerate(zip(items, fc.items, strict=True), start=1))


def bar_extent(b: ChartBar) -> tuple[datetime, datetime] | None:
    """A strip's earliest and latest moment (None when it has no time)."""
    moments = [t for t in (b.planned_start, b.planned_end, b.actual_start, b.actual_end,
                           b.projected_start, b.projected_end) if t is not None]
    return (min(moments), max(moments)) if moments else None


def span_of_extents(extents: Iterable[tuple[datetime, datetime] | None], now: datetime | None = None,
                    minimum: timedelta = timedelta(minutes=30)) -> tuple[datetime, datetime] | None:
    """``chart_span`` from the strips' ``bar_extent`` (a chart keeps those of unchanged strips)."""
    pairs = [e for e in extents if e is not None]
    if not pairs:
        return None
    lo, hi = min(map(itemgetter(0), pairs)), max(map(itemgetter(1), pairs))
    if now is not None and lo <= now <= hi + minimum:
        hi = max(hi, now)
    if hi - lo < minimum:
        hi = lo + minimum
    return lo, hi


def chart_span(bars: Iterable[ChartBar], now: datetime | None = None,
               minimum: timedelta = timedelta(minutes=30)) -> tuple[datetime, datetime] | None:
    """The time range the chart must show (None when nothing has a time)."""
    return span_of_extents(map(bar_extent, bars), now, minimum)
