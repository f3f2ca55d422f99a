"""The forecast keeps what does not move between calls (the plan; done, skipped and pending
items' forecasts): whatever the agenda does — ticks, next item, pauses, extensions, skips, moves,
the meeting's close — each call gives exactly what the forecast computed from scratch gives
(``reference_forecast``: the implementation before pending items' forecasts were kept)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import hypothesis.strategies as st
from hypothesis import given, settings

from meeting_console.core import forecast as fc
from meeting_console.core.reads import AgendaItemInfo

T0 = datetime(2022, 1, 14, 1, 0, tzinfo=UTC)


def reference_forecast(items: Sequence[AgendaItemInfo], now: datetime, *, meeting_status: str = "",
                       meeting_end: datetime | None = None) -> fc.Forecast:
    """The timeline at ``now``. ``items`` in agenda order; ``meeting_status`` "closed" stops
    every projection (the meeting's ``meeting_end`` is then the end)."""
    slots = fc.planned_slots(items)
    gaps = fc._gaps(items, slots)
    overlapping = fc.overlaps(items, slots)
    planned_ends = [s.end for s in slots.values() if s.end is not None]
    planned_starts = [s.start for s in slots.values() if s.start is not None]
    planned_start = min(planned_starts) if planned_starts else None
    planned_end = max(planned_ends) if planned_ends else None
    closed = meeting_status == "closed"
    started_any = meeting_status in ("live", "closed") or any(it.status in fc.STARTED for it in items)

    # started items: their own times; the current one ends when its allowed time runs out
    ends: dict[int, datetime] = {}
    elapsed: dict[int, tuple[float, float]] = {}
    current: AgendaItemInfo | None = None
    last_end: datetime | None = None
    for it in items:
        if it.status not in fc.STARTED or it.actual_start is None:
            continue
        e = fc._elapsed(it, now)
        elapsed[it.id] = e
        allowed = (it.planned_minutes + it.extended_minutes) * 60
        if it.status == "done":
            end = it.actual_end or it.actual_start
        else:
            current = it
            end = max(now, it.actual_start) + timedelta(seconds=max(allowed - e[0], 0.0))
            if closed:
                end = max(now, it.actual_start)
        ends[it.id] = end
        last_end = end if last_end is None else max(last_end, end)

    # pending items one after another, from the current item's end (or the last end, or now)
    starts: dict[int, datetime] = {}
    carry = 0.0
    cursor = last_end
    if not closed:
        for it in items:
            if it.status == "skipped":
                carry += gaps[it.id]
                continue
            if it.status != "pending":
                continue
            gap = gaps[it.id] + carry
            carry = 0.0
            if cursor is None:
                # nothing has happened yet: a meeting opens at its planned time, not before
                planned = slots[it.id].start if not started_any else None
                start = max(now, planned) if planned is not None else now
            else:
                start = max(now, cursor + timedelta(seconds=gap))
            starts[it.id] = start
            ends[it.id] = start + timedelta(minutes=it.planned_minutes + it.extended_minutes)
            cursor = ends[it.id]

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
            if it.status == "pending":
                pool[it.id] = float((it.planned_minutes + it.extended_minutes) * 60)
            elif it.status in fc.CURRENT and it.id in elapsed:
                allowed = (it.planned_minutes + it.extended_minutes) * 60
                pool[it.id] = max(allowed - elapsed[it.id][0], 0.0)
    total = sum(pool.values())
    ratio: float | None = None
    if overrun is not None and overrun > 0 and not closed:
        ratio = overrun / total if total > 0 else float("inf")

    out = []
    for it in items:
        slot = slots[it.id]
        allowed = (it.planned_minutes + it.extended_minutes) * 60
        start = it.actual_start if it.status in fc.STARTED else starts.get(it.id)
        end = ends.get(it.id)
        el, paused = elapsed.get(it.id, (None, 0.0))
        remaining = allowed - el if it.status in fc.CURRENT and el is not None else None
        deviation = None
        if it.status == "done" and it.actual_start and it.actual_end:
            deviation = (it.actual_end - it.actual_start).total_seconds() - it.planned_minutes * 60
        shrink = 0.0
        if ratio is not None and it.id in pool:
            shrink = pool[it.id] * min(ratio, 1.0)
        out.append(fc.ItemForecast(
            id=it.id,
            status=it.status,
            planned_start=slot.start,
            planned_end=slot.end,
            allowed_seconds=allowed,
            start=start,
            end=end,
            projected=it.status == "pending" and start is not None,
            end_projected=(it.status == "pending" or it.status in fc.CURRENT) and end is not None,
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
    return fc.Forecast(
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




def make_items(plan: list[tuple[int, int | None, bool]]) -> list[AgendaItemInfo]:
    return [AgendaItemInfo(
        id=i + 1, meeting_id=1, position=i + 1, number=str(i + 1), title=f"Item {i + 1}", kind="other",
        presenter_id=None, presenter_text="", presenter_name="",
        planned_start=T0 + timedelta(minutes=start) if start is not None else None, planned_minutes=minutes,
        actual_start=None, actual_end=None, status="pending", paused_at=None, paused_seconds=0,
        extended_minutes=0, unplanned=unplanned, speaking_minutes=None, notes="")
        for i, (minutes, start, unplanned) in enumerate(plan)]


def step(items: list[AgendaItemInfo], action: str, k: int, now: datetime) -> list[AgendaItemInfo]:
    """One change as the live operations make it (unchanged items stay the same objects)."""
    out = list(items)
    cur = next((i for i, it in enumerate(out) if it.status in fc.CURRENT), None)
    pend = [i for i, it in enumerate(out) if it.status == "pending"]
    if action == "next":
        if cur is not None:
            it = out[cur]
            paused = it.paused_seconds + (int((now - it.paused_at).total_seconds()) if it.paused_at else 0)
            out[cur] = replace(it, status="done", actual_end=now, paused_at=None, paused_seconds=paused)
        if pend:
            out[pend[0]] = replace(out[pend[0]], status="running", actual_start=now)
    elif action == "pause" and cur is not None:
        it = out[cur]
        if it.status == "running":
            out[cur] = replace(it, status="paused", paused_at=now)
        else:
            out[cur] = replace(it, status="running", paused_at=None,
                               paused_seconds=it.paused_seconds + int((now - it.paused_at).total_seconds()))
    elif action == "extend" and cur is not None:
        out[cur] = replace(out[cur], extended_minutes=out[cur].extended_minutes + 1 + k % 5)
    elif action == "skip" and pend:
        i = pend[k % len(pend)]
        out[i] = replace(out[i], status="skipped")
    elif action == "move" and len(pend) > 1:
        i, j = pend[k % len(pend)], pend[(k + 1) % len(pend)]
        out[i], out[j] = out[j], out[i]
        out = [it if it.position == n else replace(it, position=n) for n, it in enumerate(out, start=1)]
    elif action == "minutes" and pend:
        i = pend[k % len(pend)]
        out[i] = replace(out[i], planned_minutes=1 + (out[i].planned_minutes + k) % 40)
    return out


ACTIONS = st.sampled_from(["tick", "tick", "tick", "next", "next", "pause", "extend", "skip", "move", "minutes"])


@settings(max_examples=150, deadline=None)
@given(plan=st.lists(st.tuples(st.integers(1, 30), st.one_of(st.none(), st.integers(0, 240)), st.booleans()),
                     min_size=1, max_size=10),
       script=st.lists(st.tuples(ACTIONS, st.integers(0, 50), st.integers(0, 900)), max_size=30),
       close_at_end=st.booleans())
def test_kept_forecasts_equal_the_forecast_from_scratch(
        plan: list[tuple[int, int | None, bool]], script: list[tuple[str, int, int]], close_at_end: bool) -> None:
    items = make_items(plan)
    now = T0 - timedelta(minutes=10)
    status = "draft"
    for action, k, seconds in script:
        now += timedelta(seconds=seconds)
        if action != "tick":
            items = step(items, action, k, now)
            status = "live"
        got = fc.forecast(items, now, meeting_status=status)
        assert got == reference_forecast(items, now, meeting_status=status), action
        again = fc.forecast(items, now, meeting_status=status)  # every kept value used
        assert again == got
    if close_at_end:
        items = step(items, "next", 0, now)
        got = fc.forecast(items, now + timedelta(minutes=1), meeting_status="closed", meeting_end=now)
        assert got == reference_forecast(items, now + timedelta(minutes=1), meeting_status="closed",
                                         meeting_end=now)


def test_a_press_that_moves_no_projection_builds_no_pending_forecast_again() -> None:
    """Items of three minutes pressed on every three minutes: the pending items' forecasts
    are the very objects of the press before."""
    items = make_items([(3, 0 if i == 0 else None, False) for i in range(8)])
    now = T0
    items = step(items, "next", 0, now)
    before = fc.forecast(items, now, meeting_status="live")
    now += timedelta(minutes=3)
    items = step(items, "next", 0, now)
    after = fc.forecast(items, now, meeting_status="live")
    assert after == reference_forecast(items, now, meeting_status="live")
    assert all(a is b for a, b in zip(before.items[2:], after.items[2:], strict=True))
