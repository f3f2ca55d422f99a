"""The forecast: planned slots, projected starts and end, overrun, shrink advice, chart data.

Pure functions over hand-built rows; no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from meeting_console.core import forecast as fc
from meeting_console.core.reads import AgendaItemInfo
from meeting_console.core.timefmt import at_local

TZ = "Asia/Ho_Chi_Minh"
DAY = date(2022, 1, 14)


def t(hhmm: str, day: date = DAY) -> datetime:
    h, m = hhmm.split(":")
    sec = 0
    if m.count(".") == 1:
        m, s = m.split(".")
        sec = int(s)
    return at_local(day, int(h), int(m), TZ, sec)


def item(id_: int, minutes: int, start: str | None = None, *, status: str = "pending",
         actual: tuple[str | None, str | None] = (None, None), paused_at: str | None = None,
         paused_seconds: int = 0, extended: int = 0, unplanned: bool = False,
         day: date = DAY) -> AgendaItemInfo:
    return AgendaItemInfo(
        id=id_, meeting_id=1, position=id_, number=str(id_), title=f"Item {id_}", kind="other",
        presenter_id=None, presenter_text="", presenter_name="",
        planned_start=t(start, day) if start else None, planned_minutes=minutes,
        actual_start=t(actual[0], day) if actual[0] else None,
        actual_end=t(actual[1], day) if actual[1] else None,
        status=status, paused_at=t(paused_at, day) if paused_at else None,
        paused_seconds=paused_seconds, extended_minutes=extended, unplanned=unplanned,
        speaking_minutes=None, notes="",
    )


def article_plan() -> list[AgendaItemInfo]:
    """The seed conference's programme: 8h00, 8h15, 8h35, 8h50, 9h00, 10h35, 11h00 (+15)."""
    return [
        item(1, 15, "8:00"), item(2, 20, "8:15"), item(3, 15, "8:35"), item(4, 10, "8:50"),
        item(5, 95, "9:00"), item(6, 25, "10:35"), item(7, 15, "11:00"),
    ]


def starts(f: fc.Forecast) -> list[datetime | None]:
    return [x.start for x in f.items]


# --- the plan ---------------------------------------------------------------------------


def test_planned_slots_chain_missing_starts_and_leave_out_unplanned() -> None:
    items = [item(1, 15, "8:00"), item(2, 20), item(3, 5, unplanned=True), item(4, 10),
             item(5, 10, "9:00")]
    slots = fc.planned_slots(items)
    assert slots[1] == fc.PlannedSlot(t("8:00"), t("8:15"))
    assert slots[2] == fc.PlannedSlot(t("8:15"), t("8:35"))
    assert slots[3] == fc.PlannedSlot(None, None)  # inserted live: not part of the plan
    assert slots[4] == fc.PlannedSlot(t("8:35"), t("8:45"))
    assert slots[5] == fc.PlannedSlot(t("9:00"), t("9:10"))


def test_first_item_without_a_time_has_no_slot_until_one_is_given() -> None:
    slots = fc.planned_slots([item(1, 15), item(2, 10, "8:30"), item(3, 5)])
    assert slots[1] == fc.PlannedSlot(None, None)
    assert slots[3] == fc.PlannedSlot(t("8:40"), t("8:45"))


def test_overlapping_planned_times_are_reported_and_do_not_pull_items_earlier() -> None:
    items = [item(1, 30, "8:00"), item(2, 20, "8:20"), item(3, 10, "8:40")]
    f = fc.forecast(items, t("7:00"))
    assert f.overlaps == (fc.Overlap(2, 1, 600.0),)
    # the projection follows the durations: 8:00–8:30, 8:30–8:50, 8:50–9:00
    assert starts(f) == [t("8:00"), t("8:30"), t("8:50")]
    assert f.planned_end == t("8:50")
    assert f.projected_end == t("9:00")
    assert f.overrun_seconds == 600


# --- before the meeting -----------------------------------------------------------------


def test_before_the_start_the_projection_is_the_plan() -> None:
    f = fc.forecast(article_plan(), t("7:30"))
    assert starts(f) == [t(x) for x in ("8:00", "8:15", "8:35", "8:50", "9:00", "10:35", "11:00")]
    assert f.planned_start == t("8:00")
    assert f.planned_end == f.projected_end == t("11:15")
    assert f.overrun_seconds == 0
    assert f.shrink_ratio is None
    assert f.current_id is None
    assert all(x.projected for x in f.items)


def test_a_late_opening_pushes_everything() -> None:
    f = fc.forecast(article_plan(), t("8:05"))
    assert f.items[0].start == t("8:05")
    assert f.items[-1].start == t("11:05")
    assert f.projected_end == t("11:20")
    assert f.overrun_seconds == 300
    total = (15 + 20 + 15 + 10 + 95 + 25 + 15) * 60
    assert f.shrink_ratio == pytest.approx(300 / total)
    assert sum(x.shrink_seconds for x in f.items) == pytest.approx(300)
    assert f.items[4].shrink_seconds == pytest.approx(300 * 95 * 60 / total)


def test_a_live_meeting_does_not_wait_for_the_planned_start() -> None:
    plan = article_plan()
    f = fc.forecast(plan, t("7:50"), meeting_status="live")
    assert f.items[0].start == t("7:50")
    assert f.projected_end == t("11:05")
    assert f.overrun_seconds == -600


# --- while an item runs -----------------------------------------------------------------


def running_second(now: str, *, extended: int = 0, paused_at: str | None = None,
                   paused_seconds: int = 0) -> fc.Forecast:
    plan = article_plan()
    plan[0] = replace(plan[0], status="done", actual_start=t("8:00"), actual_end=t("8:14"))
    plan[1] = replace(plan[1], status="paused" if paused_at else "running",
                      actual_start=t("8:14"), extended_minutes=extended,
                      paused_at=t(paused_at) if paused_at else None, paused_seconds=paused_seconds)
    return fc.forecast(plan, t(now), meeting_status="live")


def test_done_item_deviation_and_running_countdown() -> None:
    f = running_second("8:20")
    done, run = f.items[0], f.items[1]
    assert done.deviation_seconds == -60  # 14 minutes for 15 planned
    assert done.actual_seconds == 14 * 60
    assert done.start_drift_seconds == 0 and done.end_drift_seconds == -60
    assert f.current_id == 2
    assert run.elapsed_seconds == 360
    assert run.remaining_seconds == 14 * 60
    assert run.alert == fc.NORMAL
    assert run.end == t("8:34") and run.end_projected
    assert f.items[2].start == t("8:34")  # the next one follows without waiting for 8:35
    assert f.projected_end == t("11:14")
    assert f.overrun_seconds == -60  # a minute saved
    assert f.shrink_ratio is None


@pytest.mark.parametrize("now, remaining, state", [
    ("8:32.59", 61, fc.NORMAL), ("8:33", 60, fc.LAST), ("8:33.30", 30, fc.LAST),
    ("8:34", 0, fc.LAST), ("8:34.01", -1, fc.OVER), ("8:40", -360, fc.OVER),
])
def test_countdown_turns_amber_in_the_last_minute_and_red_past_the_end(
        now: str, remaining: int, state: str) -> None:
    run = running_second(now).items[1]
    assert run.remaining_seconds == remaining
    assert run.alert == state


def test_an_overrun_moves_the_rest_and_says_how_much_each_item_must_shrink() -> None:
    f = running_second("8:44")  # planned 20 min, running 30
    run = f.items[1]
    assert run.remaining_seconds == -600
    assert run.end == t("8:44")  # it ends any moment now
    assert f.items[2].start == t("8:44")
    assert f.projected_end == t("11:24")
    assert f.overrun_seconds == 540
    pending = (15 + 10 + 95 + 25 + 15) * 60
    assert f.shrink_ratio == pytest.approx(540 / pending)
    assert run.shrink_seconds == 0  # nothing left of it to cut
    assert f.items[4].shrink_seconds == pytest.approx(95 * 60 * 540 / pending)
    assert f.can_catch_up and f.late


def test_the_rest_of_the_running_item_counts_among_what_can_shrink() -> None:
    plan = article_plan()
    plan = [replace(x, status="done", actual_start=t(a), actual_end=t(b))
            for x, (a, b) in zip(plan[:6], [("8:00", "8:15"), ("8:15", "8:35"), ("8:35", "8:50"),
                                            ("8:50", "9:00"), ("9:00", "10:35"), ("10:35", "11:05")],
                                 strict=True)] + [plan[6]]
    plan[6] = replace(plan[6], status="running", actual_start=t("11:05"))
    f = fc.forecast(plan, t("11:06"), meeting_status="live")
    assert f.projected_end == t("11:20")
    assert f.remaining_seconds == 14 * 60
    assert f.items[6].shrink_seconds == pytest.approx(300)
    assert f.shrink_ratio == pytest.approx(300 / 840)


def test_an_extension_adds_to_the_allowed_time() -> None:
    f = running_second("8:30", extended=10)
    assert f.items[1].allowed_seconds == 30 * 60
    assert f.items[1].remaining_seconds == 14 * 60
    assert f.projected_end == t("11:24")


def test_a_pause_freezes_the_countdown_and_moves_the_end() -> None:
    f = running_second("8:30", paused_at="8:24")
    run = f.items[1]
    assert run.status == "paused"
    assert run.elapsed_seconds == 600
    assert run.paused_seconds == 360
    assert run.remaining_seconds == 600
    assert run.end == t("8:40")
    f2 = running_second("8:40", paused_at="8:24", paused_seconds=120)
    assert f2.items[1].elapsed_seconds == 480  # 10 min, 2 of them paused before
    assert f2.items[1].paused_seconds == 120 + 16 * 60
    assert f2.items[1].end == t("8:52")


def test_a_clock_behind_the_recorded_start_never_gives_negative_times() -> None:
    f = running_second("8:10")  # four minutes before the running item's recorded start
    run = f.items[1]
    assert run.elapsed_seconds == 0
    assert run.remaining_seconds == 20 * 60
    assert run.end == t("8:34")
    assert all(x.start is None or x.end is None or x.start <= x.end for x in f.items)


# --- breaks, skipped and unplanned items ------------------------------------------------


def test_planned_breaks_are_kept_and_skipped_items_take_no_time() -> None:
    items = [item(1, 30, "8:00", status="done", actual=("8:00", "8:40")),
             item(2, 20, "8:45"),  # a 15-minute break before it
             item(3, 30, "9:05"),
             item(4, 10, "9:35")]
    f = fc.forecast(items, t("8:41"), meeting_status="live")
    assert starts(f)[1:] == [t("8:55"), t("9:15"), t("9:45")]
    assert f.overrun_seconds == 600
    skipped = items[:2] + [replace(items[2], status="skipped"), items[3]]
    f = fc.forecast(skipped, t("8:41"), meeting_status="live")
    assert f.items[2].start is None and f.items[2].end is None
    assert f.items[3].start == t("9:15")
    assert f.projected_end == t("9:25")
    assert f.overrun_seconds == -1200
    assert f.items[2].shrink_seconds == 0


def test_a_break_in_progress_is_not_shortened_by_the_projection() -> None:
    items = [item(1, 30, "8:00", status="done", actual=("8:00", "8:30")), item(2, 20, "8:45")]
    f = fc.forecast(items, t("8:35"), meeting_status="live")
    assert f.items[1].start == t("8:45")
    f = fc.forecast(items, t("8:50"), meeting_status="live")
    assert f.items[1].start == t("8:50")  # the break ran long: the item starts now at the earliest


def test_unplanned_items_take_time_but_not_plan() -> None:
    items = [item(1, 15, "8:00", status="running", actual=("8:00", None)),
             item(2, 10, unplanned=True), item(3, 15, "8:15")]
    f = fc.forecast(items, t("8:05"), meeting_status="live")
    assert f.items[1].planned_start is None
    assert f.items[1].start == t("8:15")
    assert f.items[2].start == t("8:25")
    assert f.planned_end == t("8:30")
    assert f.projected_end == t("8:40")
    assert f.overrun_seconds == 600


def test_items_started_out_of_order_leave_the_pending_ones_for_after() -> None:
    items = [item(1, 10, "8:00", status="done", actual=("8:00", "8:10")),
             item(2, 10, "8:10"),
             item(3, 10, "8:20", status="running", actual=("8:10", None)),
             item(4, 10, "8:30")]
    f = fc.forecast(items, t("8:12"), meeting_status="live")
    assert f.items[2].end == t("8:20")
    assert f.items[1].start == t("8:20")  # after the running item, not before it
    assert f.items[3].start == t("8:30")
    assert f.projected_end == t("8:40")


def test_cannot_catch_up_when_the_overrun_exceeds_what_is_left() -> None:
    items = [item(1, 60, "8:00", status="running", actual=("8:00", None)), item(2, 5, "9:00")]
    f = fc.forecast(items, t("9:20"), meeting_status="live")
    assert f.overrun_seconds == 20 * 60
    assert f.shrink_ratio == pytest.approx(4.0)
    assert not f.can_catch_up
    assert f.items[1].shrink_seconds == 300  # the whole item, no more


def test_nothing_left_and_late() -> None:
    items = [item(1, 60, "8:00", status="running", actual=("8:00", None))]
    f = fc.forecast(items, t("9:05"), meeting_status="live")
    assert f.shrink_ratio == float("inf")
    assert not f.can_catch_up


# --- a closed meeting, midnight ---------------------------------------------------------


def test_a_closed_meeting_projects_nothing() -> None:
    items = [item(1, 15, "8:00", status="done", actual=("8:00", "8:20")),
             item(2, 15, "8:15", status="skipped")]
    f = fc.forecast(items, t("9:00"), meeting_status="closed", meeting_end=t("8:21"))
    assert f.closed
    assert f.projected_end == t("8:21")
    assert f.overrun_seconds == -540
    assert f.shrink_ratio is None
    assert f.items[1].start is None


def test_a_meeting_past_midnight() -> None:
    night, next_day = date(2022, 1, 14), date(2022, 1, 15)
    items = [item(1, 45, "23:30", status="done", actual=("23:30", "0:20"), day=night),
             item(2, 30, "0:15", day=night)]
    # the second item's planned time is the next day: build it explicitly
    items[0] = replace(items[0], actual_end=t("0:20", next_day))
    items[1] = replace(items[1], planned_start=t("0:15", next_day))
    f = fc.forecast(items, t("0:22", next_day), meeting_status="live")
    assert f.items[0].deviation_seconds == 5 * 60
    assert f.items[1].start == t("0:22", next_day)
    assert f.projected_end == t("0:52", next_day)
    assert f.planned_end == t("0:45", next_day)
    assert f.overrun_seconds == 7 * 60


# --- chart data -------------------------------------------------------------------------


def test_chart_bars_split_the_running_item_into_actual_and_projected() -> None:
    plan = article_plan()
    plan[0] = replace(plan[0], status="done", actual_start=t("8:00"), actual_end=t("8:17"))
    plan[1] = replace(plan[1], status="running", actual_start=t("8:17"))
    f = fc.forecast(plan, t("8:27"), meeting_status="live")
    bars = fc.chart_bars(plan, f)
    assert [b.label for b in bars][:2] == ["1. Item 1", "2. Item 2"]
    b0, b1, b2 = bars[:3]
    assert (b0.actual_start, b0.actual_end, b0.late) == (t("8:00"), t("8:17"), True)
    assert (b1.actual_start, b1.actual_end) == (t("8:17"), t("8:27"))
    assert (b1.projected_start, b1.projected_end) == (t("8:27"), t("8:37"))
    assert b1.late
    assert b2.actual_start is None and (b2.projected_start, b2.projected_end) == (t("8:37"), t("8:52"))
    span = fc.chart_span(bars, f.now)
    assert span == (t("8:00"), t("11:17"))


def test_chart_span_is_none_without_times_and_at_least_the_minimum() -> None:
    assert fc.chart_span(fc.chart_bars([item(1, 10)], fc.forecast([item(1, 10)], t("8:00"))),
                         None) == (t("8:00"), t("8:30"))
    assert fc.chart_span([]) is None


# --- properties -------------------------------------------------------------------------

STATUS_RUNS = st.lists(st.tuples(st.integers(0, 90), st.integers(0, 30), st.booleans()),
                       min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(durations=STATUS_RUNS, done_count=st.integers(0, 12), running=st.booleans(),
       over=st.integers(-3600, 7200), skips=st.sets(st.integers(0, 11)))
def test_projection_properties(durations: list[tuple[int, int, bool]], done_count: int,
                               running: bool, over: int, skips: set[int]) -> None:
    """Projected starts never go back in time, nothing pending starts before now, every item
    ends after it starts, and the projected end is the last end."""
    base = t("8:00")
    items: list[AgendaItemInfo] = []
    planned = base
    actual = base
    done_count = min(done_count, len(durations))
    for i, (minutes, gap, unplanned) in enumerate(durations, start=1):
        planned += timedelta(minutes=gap)
        it = item(i, minutes, unplanned=unplanned)
        it = replace(it, planned_start=None if unplanned else planned)
        if not unplanned:
            planned += timedelta(minutes=minutes)
        if i <= done_count:
            end = actual + timedelta(minutes=minutes) + timedelta(seconds=over // 4)
            end = max(end, actual)
            it = replace(it, status="done", actual_start=actual, actual_end=end)
            actual = end
        elif i == done_count + 1 and running:
            it = replace(it, status="running", actual_start=actual)
        elif i - 1 in skips:
            it = replace(it, status="skipped")
        items.append(it)
    now = actual + timedelta(seconds=max(over, 0))
    f = fc.forecast(items, now, meeting_status="live")
    pending = [x for x in f.items if x.status == "pending"]
    assert all(x.start is not None and x.start >= now for x in pending)
    for a, b in zip(pending, pending[1:], strict=False):
        assert a.end is not None and b.start is not None and a.end <= b.start
    for x in f.items:
        if x.start is not None and x.end is not None:
            assert x.start <= x.end
        assert x.shrink_seconds >= 0
        if x.status in fc.CURRENT:
            assert x.end is not None and x.end >= now
    ends = [x.end for x in f.items if x.end is not None]
    assert f.projected_end == (max(ends) if ends else None)
    if f.shrink_ratio is not None and f.can_catch_up:
        assert sum(x.shrink_seconds for x in f.items) == pytest.approx(f.overrun_seconds)
