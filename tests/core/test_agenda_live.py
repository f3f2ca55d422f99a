"""The live agenda through the core operations: the seed conference replayed at the article's
times, the refusals, undo, and a state machine for the timeline's invariants."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, date, datetime, timedelta

import hypothesis.strategies as st
import pytest
import yaml
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from meeting_console.cli import demo_path
from meeting_console.core import agenda, meeting_file, meetings, reads
from meeting_console.core import forecast as fc
from meeting_console.core.api import Core
from meeting_console.core.clock import FakeClock
from meeting_console.core.timefmt import at_local, hhmm
from meeting_console.errors import OperationRefused, UserError
from tests.core.test_operations import roundtrip_undo, table_dump

TZ = "Asia/Ho_Chi_Minh"
DAY = date(2022, 1, 14)


def t(hhmm_: str, day: date = DAY) -> datetime:
    h, m = hhmm_.split(":")
    return at_local(day, int(h), int(m), TZ)


def demo(core: Core) -> int:
    return meeting_file.import_meeting(core, str(demo_path())).result


def items(core: Core, mid: int) -> tuple[reads.AgendaItemInfo, ...]:
    return reads.agenda(core, mid)


def forecast(core: Core, mid: int) -> fc.Forecast:
    mt = reads.meeting(core, mid)
    return fc.forecast(items(core, mid), core.clock.now(), meeting_status=mt.status,
                       meeting_end=mt.actual_end)


def local(dt: datetime | None) -> str:
    return hhmm(dt, TZ)


def span(it: reads.AgendaItemInfo) -> tuple[str, str, str]:
    return it.status, local(it.actual_start), local(it.actual_end)


def refused(core: Core, op, *args, match: str, **kwargs) -> None:
    """The operation is refused with a message matching ``match`` and changes nothing."""
    before, hw = table_dump(core), core.high_water()
    with pytest.raises(OperationRefused, match=match):
        op(core, *args, **kwargs)
    assert table_dump(core) == before
    assert core.high_water() == hw


# --- the seed conference, at the article's times --------------------------------------------

# The article's blocks: 8h00 opening, 8h15 and 8h35 reports, 8h50 draft, 9h00 discussion,
# 10h35 awards, 11h00 closing. Each item ends when the next one starts. The article does not
# say when the conference ended: 11h12 is INVENTED (three minutes before the planned 11h15).
ARTICLE = ["08:00", "08:15", "08:35", "08:50", "09:00", "10:35", "11:00"]
CLOSED_AT = "11:12"


def test_replay_of_the_seed_conference(core: Core, clock: FakeClock) -> None:
    mid = demo(core)
    ids = [it.id for it in items(core, mid)]
    assert len(ids) == 7

    # 7h30, before the opening: the projection is the plan
    f = forecast(core, mid)
    assert [local(x.start) for x in f.items] == ARTICLE
    assert local(f.planned_end) == local(f.projected_end) == "11:15"
    assert f.overrun_seconds == 0

    # 8h00: one key opens the meeting and the first item
    clock.set(t("8:00"))
    ch = agenda.next_item(core, mid)
    assert ch.result == ids[0]
    assert ch.label == "Next item: 1. Khai mạc hội nghị"
    mt = reads.meeting(core, mid)
    assert (mt.status, local(mt.actual_start)) == ("live", "08:00")

    # 8h10: ten minutes into the opening, five left, the end as planned
    clock.set(t("8:10"))
    f = forecast(core, mid)
    assert f.current_id == ids[0]
    assert f.current.elapsed_seconds == 600 and f.current.remaining_seconds == 300
    assert f.current.alert == fc.NORMAL
    assert local(f.projected_end) == "11:15" and f.overrun_seconds == 0
    clock.set(t("8:14") + timedelta(seconds=30))
    assert forecast(core, mid).current.alert == fc.LAST

    for when, expected in zip(ARTICLE[1:], ids[1:], strict=True):
        clock.set(t(when))
        assert agenda.next_item(core, mid).result == expected
        if when == "09:00":
            # the four items before the discussion, each exactly on time
            f = forecast(core, mid)
            for x in f.items[:4]:
                assert x.deviation_seconds == 0
                assert x.start_drift_seconds == 0 and x.end_drift_seconds == 0
            assert local(f.projected_end) == "11:15"
        if when == "10:35":
            # 9h20 has passed: check the discussion as it stood then is on record now
            disc = items(core, mid)[4]
            assert span(disc) == ("done", "09:00", "10:35")

    # 11h05, in the closing: the projection holds the planned end
    clock.set(t("11:05"))
    f = forecast(core, mid)
    assert f.current_id == ids[6]
    assert f.current.remaining_seconds == 600
    assert local(f.projected_end) == "11:15" and f.overrun_seconds == 0

    clock.set(t(CLOSED_AT))
    ch = agenda.close_meeting(core, mid)
    assert ch.result == 0 and ch.label == "Close meeting"

    # every actual time and deviation
    got = [span(it) for it in items(core, mid)]
    ends = ARTICLE[1:] + [CLOSED_AT]
    assert got == [("done", a, b) for a, b in zip(ARTICLE, ends, strict=True)]
    f = forecast(core, mid)
    assert [x.deviation_seconds for x in f.items] == [0, 0, 0, 0, 0, 0, -180]
    assert [x.start_drift_seconds for x in f.items] == [0] * 7
    assert f.closed
    mt = reads.meeting(core, mid)
    assert (mt.status, local(mt.actual_start), local(mt.actual_end)) == ("closed", "08:00", "11:12")
    assert local(f.projected_end) == "11:12" and f.overrun_seconds == -180

    # the journal tells the same story, each entry at its time
    live = [e for e in reads.journal(core, mid) if e.op.startswith("agenda.")]
    assert [(local(e.at), e.label.split(":")[0]) for e in live] == [
        *((local(t(a)), "Next item") for a in ARTICLE), (CLOSED_AT, "Close meeting"),
    ]


def test_replay_with_the_middle_stand_still_at_nine_twenty(core: Core, clock: FakeClock) -> None:
    """The projected end at 9h20, twenty minutes into the 95-minute discussion."""
    mid = demo(core)
    for when in ARTICLE[:5]:
        clock.set(t(when))
        agenda.next_item(core, mid)
    clock.set(t("9:20"))
    f = forecast(core, mid)
    disc = f.current
    assert disc.elapsed_seconds == 20 * 60
    assert disc.remaining_seconds == 75 * 60
    assert [local(x.start) for x in f.items[5:]] == ["10:35", "11:00"]
    assert local(f.projected_end) == "11:15"


def test_a_day_with_drift_recess_and_extension(core: Core, clock: FakeClock) -> None:
    """The same programme as it might have gone: a late opening, a recess in the discussion,
    an extension; the projected end and the shrink advice follow every change."""
    mid = demo(core)
    ids = [it.id for it in items(core, mid)]
    clock.set(t("8:03"))
    agenda.next_item(core, mid)  # opening, 3 minutes late
    f = forecast(core, mid)
    assert local(f.projected_end) == "11:18" and f.overrun_seconds == 180
    clock.set(t("8:20"))
    agenda.next_item(core, mid)  # report 1 at 8:20 (opening took 17 instead of 15)
    clock.set(t("8:40"))
    agenda.next_item(core, mid)
    clock.set(t("8:55"))
    agenda.next_item(core, mid)
    clock.set(t("9:05"))
    agenda.next_item(core, mid)  # discussion at 9:05
    assert local(forecast(core, mid).projected_end) == "11:20"

    clock.set(t("9:30"))
    ch = agenda.toggle_pause(core, mid)  # recess
    assert ch.result == "paused" and ch.label.startswith("Pause (recess) 5.")
    clock.set(t("9:40"))
    f = forecast(core, mid)
    assert f.current.elapsed_seconds == 25 * 60  # frozen at the pause
    assert f.current.paused_seconds == 600
    assert local(f.projected_end) == "11:30"
    assert f.overrun_seconds == 900
    # 15 min late: what is left is 70 min of discussion + 25 + 15 = 110 min
    assert f.shrink_ratio == pytest.approx(15 / 110)
    assert f.item(ids[5]).shrink_seconds == pytest.approx(25 * 60 * 15 / 110)
    assert agenda.toggle_pause(core, mid).result == "running"
    assert items(core, mid)[4].paused_seconds == 600

    clock.set(t("10:40"))
    f = forecast(core, mid)
    assert f.current.remaining_seconds == 10 * 60
    ch = agenda.extend_current(core, mid, 10)
    assert ch.result == ids[4] and ch.label == "Extend 5. Thảo luận by 10 min"
    f = forecast(core, mid)
    assert f.current.remaining_seconds == 20 * 60
    assert local(f.projected_end) == "11:40"

    clock.set(t("11:02"))
    agenda.next_item(core, mid)  # awards at 11:02
    clock.set(t("11:25"))
    agenda.next_item(core, mid)  # closing at 11:25
    f = forecast(core, mid)
    assert local(f.projected_end) == "11:40" and f.overrun_seconds == 25 * 60
    clock.set(t("11:38"))
    agenda.close_meeting(core, mid)
    f = forecast(core, mid)
    got = [(local(x.start), local(x.end), x.deviation_seconds) for x in f.items]
    assert got == [
        ("08:03", "08:20", 120), ("08:20", "08:40", 0), ("08:40", "08:55", 0),
        ("08:55", "09:05", 0), ("09:05", "11:02", (117 - 95) * 60), ("11:02", "11:25", -120),
        ("11:25", "11:38", -120),
    ]
    disc = items(core, mid)[4]
    assert disc.extended_minutes == 10 and disc.paused_seconds == 600
    assert f.overrun_seconds == 23 * 60


def test_the_held_meeting_feeds_the_export(core: Core, clock: FakeClock, tmp_path) -> None:
    mid = demo(core)
    for when in ARTICLE:
        clock.set(t(when))
        agenda.next_item(core, mid)
    clock.set(t(CLOSED_AT))
    agenda.close_meeting(core, mid)
    path = meeting_file.export_meeting(core, mid, tmp_path / "held.yaml")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["meeting"]["status"] == "closed"
    assert [(a.get("status"), a.get("actual_start"), a.get("actual_end")) for a in doc["agenda"]][0] \
        == ("done", "08:00", "08:15")
    again = meeting_file.import_meeting(core, str(path)).result
    assert [span(i) for i in items(core, again)] == [span(i) for i in items(core, mid)]
    # and the session record reads the same times
    from meeting_console.record import source

    src = source.load(core, mid)
    assert [(local(i.actual_start), local(i.actual_end)) for i in src.snap.agenda] == \
        list(zip(ARTICLE, ARTICLE[1:] + [CLOSED_AT], strict=True))
    assert (local(src.meeting.actual_start), local(src.meeting.actual_end)) == ("08:00", CLOSED_AT)


# --- each operation: what it does, its journal entry, undo and redo ---------------------------


def test_every_live_operation_round_trips_through_undo(core: Core, clock: FakeClock) -> None:
    mid = demo(core)
    ids = [it.id for it in items(core, mid)]
    clock.set(t("7:58"))
    roundtrip_undo(core, mid, agenda.start_meeting, mid)
    clock.set(t("8:00"))
    roundtrip_undo(core, mid, agenda.start_item, ids[0])
    clock.advance(minutes=1)
    roundtrip_undo(core, mid, agenda.pause_item, ids[0])
    clock.advance(minutes=1)
    roundtrip_undo(core, mid, agenda.resume_item, ids[0])
    clock.advance(minutes=1)
    roundtrip_undo(core, mid, agenda.toggle_pause, mid)
    clock.advance(minutes=1)
    roundtrip_undo(core, mid, agenda.toggle_pause, mid)
    roundtrip_undo(core, mid, agenda.extend_item, ids[0], 5)
    roundtrip_undo(core, mid, agenda.extend_current, mid, 2)
    roundtrip_undo(core, mid, agenda.skip_item, ids[2])
    roundtrip_undo(core, mid, agenda.unskip_item, ids[2])
    new = roundtrip_undo(core, mid, agenda.insert_item, ids[0], "Phát biểu của khách mời",
                         after=True, planned_minutes=5).result
    roundtrip_undo(core, mid, agenda.move_item, new, 3)
    roundtrip_undo(core, mid, agenda.update_item, ids[0], title="Khai mạc")
    clock.advance(minutes=5)
    roundtrip_undo(core, mid, agenda.next_item, mid)
    clock.advance(minutes=5)
    roundtrip_undo(core, mid, agenda.close_item, ids[1])
    clock.advance(minutes=5)
    roundtrip_undo(core, mid, agenda.close_meeting, mid)


def test_undo_of_an_accidental_next_item_restores_the_running_item(core: Core, clock: FakeClock) -> None:
    mid = demo(core)
    clock.set(t("8:00"))
    agenda.next_item(core, mid)
    clock.set(t("8:05"))
    agenda.next_item(core, mid)  # pressed by accident
    assert core.undo_status(mid).undo_label == "Next item: 2. " + items(core, mid)[1].title[:59] + "…"
    core.undo(mid)
    first, second = items(core, mid)[:2]
    assert span(first) == ("running", "08:00", "")
    assert span(second) == ("pending", "", "")
    clock.set(t("8:15"))
    agenda.next_item(core, mid)
    assert span(items(core, mid)[0]) == ("done", "08:00", "08:15")


def test_starting_an_item_closes_the_running_one_first(core: Core, clock: FakeClock) -> None:
    mid = demo(core)
    ids = [it.id for it in items(core, mid)]
    clock.set(t("8:00"))
    agenda.start_item(core, ids[0])
    clock.set(t("8:12"))
    ch = agenda.start_item(core, ids[4])  # straight to the discussion
    assert ch.label == "Start item 5. Thảo luận"
    got = items(core, mid)
    assert span(got[0]) == ("done", "08:00", "08:12")
    assert span(got[4]) == ("running", "08:12", "")
    # next takes the first pending item in agenda order
    clock.set(t("8:30"))
    assert agenda.next_item(core, mid).result == ids[1]


def test_a_paused_item_closed_counts_its_pause(core: Core, clock: FakeClock) -> None:
    mid = demo(core)
    clock.set(t("8:00"))
    agenda.next_item(core, mid)
    clock.set(t("8:05"))
    agenda.toggle_pause(core, mid)
    clock.set(t("8:25"))
    agenda.next_item(core, mid)  # the recess ends with the item
    first = items(core, mid)[0]
    assert span(first) == ("done", "08:00", "08:25")
    assert first.paused_seconds == 20 * 60 and first.paused_at is None


def test_the_last_item_closes_with_next_then_the_meeting(core: Core, clock: FakeClock) -> None:
    mid = demo(core)
    ids = [it.id for it in items(core, mid)]
    clock.set(t("8:00"))
    agenda.start_item(core, ids[6])
    for i in ids[:6]:
        agenda.skip_item(core, i)
    clock.set(t("8:10"))
    ch = agenda.next_item(core, mid)
    assert ch.result is None and ch.label == "Close item 7. Bế mạc hội nghị (the last one)"
    refused(core, agenda.next_item, mid, match="none is pending; close the meeting")
    agenda.close_meeting(core, mid)
    assert reads.meeting(core, mid).status == "closed"


def test_closing_marks_pending_items_not_taken_up(core: Core, clock: FakeClock) -> None:
    mid = demo(core)
    clock.set(t("8:00"))
    agenda.next_item(core, mid)
    clock.set(t("8:30"))
    ch = agenda.close_meeting(core, mid)
    assert ch.result == 6 and ch.label == "Close meeting (6 item(s) not taken up)"
    got = items(core, mid)
    assert span(got[0]) == ("done", "08:00", "08:30")
    assert {it.status for it in got[1:]} == {"skipped"}
    core.undo(mid)
    got = items(core, mid)
    assert span(got[0]) == ("running", "08:00", "")
    assert {it.status for it in got[1:]} == {"pending"}
    assert reads.meeting(core, mid).status == "live"


def test_insert_unplanned_before_and_after(core: Core, clock: FakeClock) -> None:
    mid = demo(core)
    ids = [it.id for it in items(core, mid)]
    before = agenda.insert_item(core, ids[1], "Kiểm tra thành phần", planned_minutes=5).result
    assert [it.id for it in items(core, mid)][:3] == [ids[0], before, ids[1]]
    assert not items(core, mid)[1].unplanned  # the meeting is still a plan
    clock.set(t("8:00"))
    agenda.next_item(core, mid)
    after = agenda.insert_item(core, ids[0], "Phát biểu  chào mừng\u0301", after=True,
                               planned_minutes=5).result
    got = items(core, mid)
    assert [it.id for it in got][:3] == [ids[0], after, before]
    assert got[1].unplanned and got[1].status == "pending"
    assert got[1].title == "Phát biểu  chào mừng\u0301".replace("g\u0301", "ǵ")  # NFC
    assert [it.position for it in got] == list(range(1, len(got) + 1))
    # the unplanned item takes time but is no part of the plan
    f = forecast(core, mid)
    assert f.item(after).planned_start is None
    assert local(f.item(after).start) == "08:15"
    assert local(f.planned_end) == "11:15"
    # both inserted items take their five minutes; the one inserted into the plan before the
    # start overlaps the planned 8h15 of the next item, and the forecast says so
    assert local(f.projected_end) == "11:25"
    assert [(o.item_id, o.previous_id, o.seconds) for o in f.overlaps] == [(ids[1], before, 300)]


def test_reorder_moves_pending_items_among_themselves(core: Core, clock: FakeClock) -> None:
    mid = demo(core)
    ids = [it.id for it in items(core, mid)]
    clock.set(t("8:00"))
    agenda.next_item(core, mid)
    clock.set(t("8:15"))
    agenda.next_item(core, mid)
    agenda.move_item(core, ids[5], 2)  # the awards before the inspection report
    assert [it.id for it in items(core, mid)] == [ids[0], ids[1], ids[5], ids[2], ids[3], ids[4], ids[6]]
    f = forecast(core, mid)
    assert local(f.item(ids[5]).start) == "08:35"


def test_editing_title_and_presenter_while_live(core: Core, clock: FakeClock) -> None:
    mid = demo(core)
    ids = [it.id for it in items(core, mid)]
    people = {p.full_name: p.id for p in reads.people(core, mid)}
    clock.set(t("8:00"))
    agenda.next_item(core, mid)
    agenda.update_item(core, ids[0], title="Khai mạc Hội nghị", presenter_id=people["Lê Thị Kim Dung"])
    first = items(core, mid)[0]
    assert (first.title, first.presenter_name) == ("Khai mạc Hội nghị", "Lê Thị Kim Dung")
    agenda.update_item(core, ids[0], presenter_id=None, presenter_text="Đồng chí Bí thư Tỉnh ủy")
    assert items(core, mid)[0].presenter_name == "Đồng chí Bí thư Tỉnh ủy"
    # a pending item's plan can still change
    agenda.update_item(core, ids[3], planned_minutes=20)
    assert local(forecast(core, mid).projected_end) == "11:25"


# --- refusals -----------------------------------------------------------------------------


def test_refusals(core: Core, clock: FakeClock) -> None:
    mid = demo(core)
    ids = [it.id for it in items(core, mid)]
    refused(core, agenda.close_meeting, mid, match="has not started")
    refused(core, agenda.toggle_pause, mid, match="no item is running")
    refused(core, agenda.extend_current, mid, 5, match="no item is running")
    refused(core, agenda.close_item, ids[0], match="is pending, not running; nothing to close")
    refused(core, agenda.pause_item, ids[0], match="only a running item can pause")
    refused(core, agenda.resume_item, ids[0], match="not paused")
    refused(core, agenda.unskip_item, ids[0], match="not skipped")
    clock.set(t("8:00"))
    agenda.next_item(core, mid)
    refused(core, agenda.start_meeting, mid, match="already running since 08:00")
    refused(core, agenda.start_item, ids[0], match="already running")
    refused(core, agenda.skip_item, ids[0], match="running; close it instead")
    refused(core, agenda.extend_item, ids[1], 5, match="only the running item can be extended")
    refused(core, agenda.extend_item, ids[0], 0, match="1 to 240 minutes")
    refused(core, agenda.extend_item, ids[0], 241, match="1 to 240 minutes")
    refused(core, agenda.extend_item, ids[0], "5", match="whole number")
    refused(core, agenda.move_item, ids[0], 3, match="is running; only pending items can be reordered")
    refused(core, agenda.insert_item, ids[0], "X", match="cannot insert before item 1")
    refused(core, agenda.update_item, ids[0], planned_minutes=30, match="planned_minutes: item 1")
    refused(core, agenda.remove_item, ids[0], match="only a pending item can be removed")
    clock.set(t("8:15"))
    agenda.next_item(core, mid)
    # done items stay where they were, and nothing passes over them
    refused(core, agenda.move_item, ids[0], 4, match="is done; only pending items can be reordered")
    refused(core, agenda.move_item, ids[4], 0, match="cannot move past item 2.*running")
    refused(core, agenda.start_item, ids[0], match="was held 08:00–08:15; it cannot start again")
    refused(core, agenda.insert_item, ids[0], "X", after=True, match="which is done")
    refused(core, agenda.skip_item, ids[0], match="is done; only a pending item")
    refused(core, agenda.update_item, ids[0], planned_start=t("8:05"), match="planned_start")
    agenda.skip_item(core, ids[6])
    refused(core, agenda.skip_item, ids[6], match="skipped already")
    # a clock set back behind what is on record
    clock.set(t("8:10"))
    for op, arg in ((agenda.next_item, mid), (agenda.toggle_pause, mid), (agenda.close_item, ids[1]),
                    (agenda.start_item, ids[3]), (agenda.close_meeting, mid)):
        refused(core, op, arg, match=r"clock reads 08:10:00, earlier than the start of item 2 \(08:15:00\)")
    clock.set(t("8:20"))
    agenda.close_meeting(core, mid)
    # a closed meeting
    refused(core, agenda.start_item, ids[3], match="cannot start item 4.*closed at 08:20")
    refused(core, agenda.next_item, mid, match="meeting was closed")
    refused(core, agenda.start_meeting, mid, match="meeting was closed")
    refused(core, agenda.close_meeting, mid, match="already closed")
    refused(core, agenda.add_item, mid, "X", match="cannot add an item")
    refused(core, agenda.insert_item, ids[3], "X", match="cannot insert an item")
    refused(core, agenda.toggle_pause, mid, match="meeting was closed")
    refused(core, agenda.unskip_item, ids[3], match="cannot restore")
    # unknown ids
    with pytest.raises(UserError, match="unknown agenda item id 999"):
        agenda.start_item(core, 999)
    with pytest.raises(UserError, match="unknown meeting id 999"):
        agenda.next_item(core, 999)


def test_a_meeting_past_midnight(core: Core, clock: FakeClock) -> None:
    night = date(2022, 1, 14)
    mid = meetings.create_meeting(core, "Phiên họp đêm", night).result
    a = agenda.add_item(core, mid, "Thảo luận", planned_start=at_local(night, 23, 30, TZ),
                        planned_minutes=45).result
    b = agenda.add_item(core, mid, "Biểu quyết", planned_minutes=30).result
    clock.set(at_local(night, 23, 35, TZ))
    agenda.next_item(core, mid)
    clock.set(at_local(date(2022, 1, 15), 0, 25, TZ))
    agenda.next_item(core, mid)
    f = forecast(core, mid)
    assert f.item(a).deviation_seconds == 5 * 60
    assert f.item(b).start == at_local(date(2022, 1, 15), 0, 25, TZ)
    assert f.projected_end == at_local(date(2022, 1, 15), 0, 55, TZ)
    assert f.overrun_seconds == 10 * 60
    clock.set(at_local(date(2022, 1, 15), 0, 50, TZ))
    agenda.close_meeting(core, mid)
    mt = reads.meeting(core, mid)
    assert mt.actual_end - mt.actual_start == timedelta(minutes=75)


# --- invariants ---------------------------------------------------------------------------


# many small databases: in memory-backed storage when the system has it
FAST_TMP = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


class LiveAgendaMachine(RuleBasedStateMachine):
    """Random live operations, clock moves (sometimes backwards), undo and redo. After every
    step: at most one running item, actual times never overlap, done items start ≤ end."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.TemporaryDirectory(dir=FAST_TMP)
        self.clock = FakeClock(datetime(2022, 1, 14, 0, 55, tzinfo=UTC))
        self.core = Core.open(f"{self.dir.name}/m.db", clock=self.clock)
        self.mid = meetings.create_meeting(self.core, "Hội nghị", date(2022, 1, 14)).result
        for i in range(4):
            agenda.add_item(self.core, self.mid, f"Nội dung {i + 1}", planned_minutes=10,
                            planned_start=at_local(DAY, 8, 10 * i, TZ) if i == 0 else None)
        self.undoable = self.redoable = 0

    def teardown(self) -> None:
        self.core.close()
        self.dir.cleanup()

    def ids(self) -> list[int]:
        return [it.id for it in reads.agenda(self.core, self.mid)]

    def _op(self, fn, *args, **kwargs) -> bool:
        before, hw = reads.snapshot(self.core, self.mid), self.core.high_water()
        try:
            changes = fn(self.core, *args, **kwargs)
        except UserError:
            assert reads.snapshot(self.core, self.mid) == before  # a refusal changes nothing
            assert self.core.high_water() == hw
            return False
        if fn not in (self._undo, self._redo) and changes.journal_id is not None:
            self.undoable += 1  # the machine's own steps: undo never reaches the set-up
            self.redoable = 0
        return True

    def _undo(self, core: Core):
        return core.undo(self.mid)

    def _redo(self, core: Core):
        return core.redo(self.mid)

    @rule(seconds=st.integers(-120, 1800))
    def tick(self, seconds: int) -> None:
        self.clock.advance(seconds)  # sometimes back: the system time was changed

    @rule()
    def next_item(self) -> None:
        self._op(agenda.next_item, self.mid)

    @precondition(lambda self: self.ids())
    @rule(data=st.data())
    def start_item(self, data: st.DataObject) -> None:
        self._op(agenda.start_item, data.draw(st.sampled_from(self.ids())))

    @precondition(lambda self: self.ids())
    @rule(data=st.data())
    def close_item(self, data: st.DataObject) -> None:
        self._op(agenda.close_item, data.draw(st.sampled_from(self.ids())))

    @rule()
    def pause(self) -> None:
        self._op(agenda.toggle_pause, self.mid)

    @rule(minutes=st.integers(-1, 20))
    def extend(self, minutes: int) -> None:
        self._op(agenda.extend_current, self.mid, minutes)

    @precondition(lambda self: self.ids())
    @rule(data=st.data())
    def skip(self, data: st.DataObject) -> None:
        self._op(agenda.skip_item, data.draw(st.sampled_from(self.ids())))

    @precondition(lambda self: self.ids())
    @rule(data=st.data())
    def unskip(self, data: st.DataObject) -> None:
        self._op(agenda.unskip_item, data.draw(st.sampled_from(self.ids())))

    @precondition(lambda self: 0 < len(self.ids()) < 9)
    @rule(data=st.data(), after=st.booleans())
    def insert(self, data: st.DataObject, after: bool) -> None:
        self._op(agenda.insert_item, data.draw(st.sampled_from(self.ids())), "Đột xuất",
                 after=after, planned_minutes=5)

    @precondition(lambda self: self.ids())
    @rule(data=st.data(), index=st.integers(0, 9))
    def move(self, data: st.DataObject, index: int) -> None:
        self._op(agenda.move_item, data.draw(st.sampled_from(self.ids())), index)

    @rule()
    def close_meeting(self) -> None:
        self._op(agenda.close_meeting, self.mid)

    @precondition(lambda self: self.undoable > 0)
    @rule()
    def undo(self) -> None:
        if self._op(self._undo):
            self.undoable -= 1
            self.redoable += 1

    @precondition(lambda self: self.redoable > 0)
    @rule()
    def redo(self) -> None:
        if self._op(self._redo):
            self.redoable -= 1
            self.undoable += 1

    @invariant()
    def timeline_is_sound(self) -> None:
        its = reads.agenda(self.core, self.mid)
        mt = reads.meeting(self.core, self.mid)
        current = [it for it in its if it.status in ("running", "paused")]
        assert len(current) <= 1, "more than one running item"
        for it in its:
            if it.status == "done":
                assert it.actual_start is not None and it.actual_end is not None
                assert it.actual_start <= it.actual_end
            elif it.status in ("running", "paused"):
                assert it.actual_start is not None and it.actual_end is None
                assert (it.paused_at is not None) == (it.status == "paused")
            else:
                assert it.actual_start is None and it.actual_end is None
        spans = sorted((it.actual_start, it.actual_end or datetime.max.replace(tzinfo=UTC))
                       for it in its if it.actual_start is not None)
        for (_a0, a1), (b0, _b1) in zip(spans, spans[1:], strict=False):
            assert a1 <= b0, "actual times overlap"
        assert [it.position for it in its] == list(range(1, len(its) + 1))
        if mt.status == "closed":
            assert not current and all(it.status != "pending" for it in its)
            assert mt.actual_end is not None and all(
                it.actual_end <= mt.actual_end for it in its if it.actual_end is not None)
        if mt.status == "draft":
            assert all(it.status in ("pending", "skipped") for it in its)
        if mt.actual_start is not None:
            assert all(it.actual_start >= mt.actual_start for it in its if it.actual_start)
        # the forecast of any reachable state is well formed
        f = fc.forecast(its, self.clock.now(), meeting_status=mt.status, meeting_end=mt.actual_end)
        assert sum(1 for x in f.items if x.status in fc.CURRENT) == len(current)
        for x in f.items:
            if x.start is not None and x.end is not None:
                assert x.start <= x.end


LiveAgendaMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_live_agenda_invariants = LiveAgendaMachine.TestCase


def test_read_items_gives_the_same_rows_as_the_agenda_read(core: Core, clock: FakeClock) -> None:
    mid = demo(core)
    full = items(core, mid)
    some = [full[0].id, full[3].id, 99999]
    got = agenda.read_items(core, mid, some)
    assert got == (full[0], full[3])
    assert got[0].presenter_name == "Chẩu Văn Lâm"
    assert got[1].presenter_name == "Đồng chí Trưởng Ban Tổ chức Tỉnh ủy"
    assert agenda.read_items(core, mid, []) == ()
    other = meetings.create_meeting(core, "Khác", DAY).result
    assert agenda.read_items(core, other, some) == ()  # rows of another meeting stay out
