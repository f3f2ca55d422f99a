"""The live speaker queue: the seed discussion replayed with a fake clock, every queue operation
with its journal entry and undo, the edge cases of the issue, the budget arithmetic, and a
hypothesis state machine for the queue's invariants."""

from __future__ import annotations

import copy
import shutil
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import hypothesis.strategies as st
import pytest
import yaml
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from meeting_console.core import agenda, meeting_file, people, reads
from meeting_console.core import speakers as sp
from meeting_console.core.api import Core, Tx, operation
from meeting_console.core.clock import FakeClock
from meeting_console.core.speaker_budget import (
    item_time_left,
    queue_budget,
    speech_clock,
    speech_duration,
)
from meeting_console.core.timefmt import at_local
from meeting_console.errors import OperationRefused, UserError
from meeting_console.store import models as m
from tests.core.test_operations import roundtrip_undo, table_dump

TZ = "Asia/Ho_Chi_Minh"

# The discussion of the seed conference (9h00–10h35), the eight speakers in the article's order.
ARTICLE_ORDER = [
    "Vân Đình Thảo", "Nguyễn Việt Lâm", "Hoàng Anh Cương", "Nguyễn Văn Việt",
    "Giang Tuấn Anh", "Phạm Mạnh Duyệt", "Âu Thế Thái", "Nguyễn Hưng Vượng",
]  # fmt: skip


# --- helpers -----------------------------------------------------------------------------------


@operation("Test: set item status")
def _set_item_status(tx: Tx, item_id: int, status: str) -> None:
    """Stands in for the agenda's live operations (another module) in these tests."""
    item = tx.get(m.AgendaItem, item_id)
    tx.meeting_id = item.meeting_id
    item.status = status
    if status == "running" and item.actual_start is None:
        item.actual_start = tx.now
    if status in ("done", "skipped"):
        item.actual_end = tx.now


@operation("Test: set meeting status")
def _set_meeting_status(tx: Tx, meeting_id: int, status: str) -> None:
    meeting = tx.get(m.Meeting, meeting_id)
    tx.meeting_id = meeting_id
    meeting.status = status


@operation("Test: set endpoint status")
def _set_link(tx: Tx, meeting_endpoint_id: int, status: str) -> None:
    """A clerk's status change, as the endpoint module's ``set_status`` writes it."""
    me = tx.get(m.MeetingEndpoint, meeting_endpoint_id)
    tx.meeting_id = me.meeting_id
    if me.status != status:
        me.status = status
        me.status_since = tx.now
        tx.session.add(m.EndpointStatusEvent(meeting_endpoint_id=me.id, at=tx.now, status=status))


def demo(core: Core) -> int:
    from meeting_console.cli import demo_path

    return int(meeting_file.import_meeting(core, demo_path()).result)


def local(hh: int, mm: int, ss: int = 0) -> datetime:
    return at_local(datetime(2022, 1, 14).date(), hh, mm, TZ, ss)


def discussion(core: Core, mid: int) -> reads.AgendaItemInfo:
    return next(i for i in reads.agenda(core, mid) if i.kind == "discussion")


def queue(core: Core, item_id: int) -> list[str]:
    """Names of the waiting speakers of an item, in queue order."""
    rows = [s for s in _all(core) if s.agenda_item_id == item_id and s.position is not None]
    return [s.person_name for s in sorted(rows, key=lambda s: s.position or 0)]


_CORE_MEETING: dict[int, int] = {}


def _all(core: Core) -> tuple[reads.SpeakerInfo, ...]:
    return reads.speakers(core, _CORE_MEETING[id(core)])


def speaker(core: Core, name: str) -> reads.SpeakerInfo:
    return next(s for s in _all(core) if s.person_name == name)


def endpoint_id(core: Core, mid: int, name: str) -> int:
    return next(e.id for e in reads.endpoints(core, mid) if e.name == name)


@pytest.fixture
def mid(core: Core) -> int:
    meeting_id = demo(core)
    _CORE_MEETING[id(core)] = meeting_id
    return meeting_id


# --- the seed discussion ---------------------------------------------------------------------

# Illustrative times: the article gives the block (9h00–10h35) and the order, not each speech's
# times, nor where each speaker sat. The department directors speak from the main hall (the Tỉnh
# ủy bridge point), the Sơn Dương district chairman from his district's bridge point.
SCHEDULE = [
    # name, endpoint, start, end, pause (start, seconds)
    ("Vân Đình Thảo", "Tỉnh ủy", (9, 2, 0), (9, 13, 30), None),
    ("Nguyễn Việt Lâm", "Tỉnh ủy", (9, 14, 0), (9, 24, 40), None),
    ("Hoàng Anh Cương", "Tỉnh ủy", (9, 25, 10), (9, 36, 0), None),
    ("Nguyễn Văn Việt", "Tỉnh ủy", (9, 36, 30), (9, 48, 0), None),
    ("Giang Tuấn Anh", "Sơn Dương", (9, 48, 40), (10, 0, 30), ((9, 52, 0), 45)),
    ("Phạm Mạnh Duyệt", "Tỉnh ủy", (10, 1, 0), (10, 12, 10), None),
    ("Âu Thế Thái", "Tỉnh ủy", (10, 12, 10), (10, 23, 0), None),  # called straight on
    ("Nguyễn Hưng Vượng", "Tỉnh ủy", (10, 23, 30), (10, 34, 20), None),
]


def test_replay_of_the_seed_discussion(core: Core, clock: FakeClock, mid: int, tmp_path) -> None:
    item = discussion(core, mid)
    assert item.title == "Thảo luận"
    # the eight pre-registered speakers wait in the article's order from the start
    assert queue(core, item.id) == ARTICLE_ORDER
    eps = {name: endpoint_id(core, mid, name) for name in ("Tỉnh ủy", "Sơn Dương")}
    clock.set(local(8, 58))
    for name, ep, *_ in SCHEDULE:
        sp.update_request(core, speaker(core, name).id, meeting_endpoint_id=eps[ep])
    sp.set_item_speaking_minutes(core, item.id, 10)

    # at 9h00: eight speakers × 10 minutes fit in the 95 minutes before 10h35
    clock.set(local(9, 0))
    b = budget(core, mid, item.id)
    assert (b.waiting, b.need, b.left, b.fits) == (8, 8 * 600, 95 * 60, True)
    assert b.deadline == local(10, 35)

    previous = None
    for n, (name, _ep, start, end, pause) in enumerate(SCHEDULE):
        clock.set(local(*start))
        ch = sp.call_next(core, item.id)
        me = speaker(core, name)
        assert ch.result == me.id and me.status == "speaking"
        if previous is not None and SCHEDULE[n - 1][3] == start:
            # called straight on: the previous speech closes at the same instant
            assert "closes" in ch.label
            assert speaker(core, previous).actual_end == local(*start)
        if n == 0:
            # written during the speech
            sp.set_summary(core, me.id, "Báo cáo tiến độ công tác quy hoạch tỉnh; đề xuất đẩy mạnh chuyển đổi số.")
        if pause is not None:
            (at, seconds) = pause
            clock.set(local(*at))
            sp.pause_timer(core, me.id)
            clock.advance(seconds)
            sp.resume_timer(core, me.id)
        if n == 4:
            # 9h55: Giang Tuấn Anh has spoken 6:20 − 0:45 of his 10 minutes; three wait
            clock.set(local(9, 55))
            b = budget(core, mid, item.id)
            assert (b.waiting, b.current_left, b.need, b.left) == (3, 265, 3 * 600 + 265, 40 * 60)
            assert b.fits and b.queue_end == local(10, 29, 25)
        clock.set(local(*end))
        if n + 1 < len(SCHEDULE) and SCHEDULE[n + 1][2] == end:
            previous = name
            continue  # the next call closes this speech
        sp.end_speech(core, me.id)
        previous = name
    # written after the speech
    sp.set_summary(core, speaker(core, "Giang Tuấn Anh").id,
                   "Năm 2021 huyện có 20/22 chỉ tiêu đạt và vượt kế hoạch; thực hiện Nghị quyết 128.")

    speeches = [s for s in _all(core) if s.agenda_item_id == item.id]
    assert [s.person_name for s in sorted(speeches, key=lambda s: s.actual_start)] == ARTICLE_ORDER
    for name, ep, start, end, pause in SCHEDULE:
        s = speaker(core, name)
        assert s.status == "done" and s.position is None
        assert s.endpoint_name == ep
        assert (s.actual_start, s.actual_end) == (local(*start), local(*end))
        paused = pause[1] if pause else 0
        assert s.paused_seconds == paused
        assert speech_duration(s) == (local(*end) - local(*start)).total_seconds() - paused
    assert speaker(core, "Giang Tuấn Anh").paused_seconds == 45
    assert speech_duration(speaker(core, "Giang Tuấn Anh")) == 11 * 60 + 50 - 45
    assert speaker(core, "Vân Đình Thảo").summary.startswith("Báo cáo tiến độ")
    # every speech ended before 10h35, the queue is empty, nobody has the floor
    assert max(s.actual_end for s in speeches) <= local(10, 35)
    assert queue(core, item.id) == []
    with pytest.raises(OperationRefused, match="empty"):
        sp.call_next(core, item.id)
    # the journal tells the story: one entry per step, with its time
    labels = [e.label for e in reads.journal(core, mid)]
    assert "Call next speaker: Vân Đình Thảo" in labels
    assert "Call next speaker: Âu Thế Thái (closes Phạm Mạnh Duyệt)" in labels
    assert "Pause speaking timer: Giang Tuấn Anh" in labels
    # the speeches go into the meeting file export with their times and summaries
    out = tmp_path / "held.yaml"
    meeting_file.export_meeting(core, mid, out)
    doc = yaml.safe_load(out.read_text("utf-8"))
    exported = [s for s in doc["speakers"] if s.get("status") == "done"]
    assert len(exported) == 8
    giang = next(s for s in exported if s["person"] == "giang-tuan-anh")
    assert str(giang["actual_start"]).startswith("09:48:40") or "09:48:40" in str(giang["actual_start"])
    assert giang["paused_seconds"] == 45
    assert giang["summary"].startswith("Năm 2021")


def budget(core: Core, mid: int, item_id: int):
    snap = reads.snapshot(core, mid)
    item = snap.item(item_id)
    speeches = [s for s in snap.speakers if s.agenda_item_id == item_id]
    return queue_budget(item, speeches, snap.meeting.default_speaking_minutes, core.clock.now())


def test_budget_follows_the_discussion(core: Core, clock: FakeClock, mid: int) -> None:
    item = discussion(core, mid)
    # the default: 5 minutes per speaker (meeting default)
    clock.set(local(9, 0))
    b = budget(core, mid, item.id)
    assert (b.waiting, b.need, b.left) == (8, 40 * 60, 95 * 60)
    # at 10h00 nobody has spoken yet: 8 × 5 min no longer fits in the 35 min before 10h35
    clock.set(local(10, 0))
    b = budget(core, mid, item.id)
    assert b.left == 35 * 60 and b.need == 40 * 60 and not b.fits
    assert b.over == 5 * 60
    assert b.fair_share == pytest.approx(35 * 60 / 8)
    # a speaker at the head is called: the current speaker's remainder counts, not their limit
    first = sp.call_next(core, item.id).result
    clock.advance(120)
    b = budget(core, mid, item.id)
    assert b.waiting == 7 and b.current_left == 180 and b.need == 7 * 300 + 180
    assert b.left == 33 * 60
    # a per-speaker override and an extension count in the need
    sp.update_request(core, speaker(core, "Nguyễn Hưng Vượng").id, limit_minutes=8)
    sp.extend(core, first, 60)
    b = budget(core, mid, item.id)
    assert b.need == 6 * 300 + 480 + 240
    assert b.queue_end == clock.now() + timedelta(seconds=b.need)


def test_item_time_left_rules() -> None:
    now = datetime(2022, 1, 14, 3, 0, tzinfo=UTC)
    base = reads.AgendaItemInfo(
        id=1, meeting_id=1, position=1, number="5", title="Thảo luận", kind="discussion",
        presenter_id=None, presenter_text="", presenter_name="", planned_start=now - timedelta(minutes=10),
        planned_minutes=60, actual_start=None, actual_end=None, status="pending", paused_at=None,
        paused_seconds=0, extended_minutes=0, unplanned=False, speaking_minutes=None, notes="",
    )
    # not started by the agenda: the planned end
    assert item_time_left(base, [], now) == (50 * 60, now + timedelta(minutes=50))
    # before its planned start: the whole slot
    early = replace(base, planned_start=now + timedelta(minutes=30))
    assert item_time_left(early, [], now)[0] == 60 * 60
    # started late by the agenda, paused 5 minutes so far, extended 10
    running = replace(base, status="paused", actual_start=now - timedelta(minutes=20),
                      paused_at=now - timedelta(minutes=2), paused_seconds=180, extended_minutes=10)
    left, deadline = item_time_left(running, [], now)
    assert left == (70 - 20 + 5) * 60 and deadline == now + timedelta(minutes=55)
    assert item_time_left(replace(base, status="done", actual_end=now), [], now) == (0.0, now)
    assert item_time_left(replace(base, planned_minutes=0), [], now) == (None, None)
    assert queue_budget(replace(base, planned_minutes=0), [], 5, now).fits


def test_speech_clock_phases(core: Core, clock: FakeClock, mid: int) -> None:
    item = discussion(core, mid)
    sp.update_request(core, speaker(core, "Vân Đình Thảo").id, limit_minutes=1)
    rid = sp.call_next(core, item.id, start_timer=False).result

    def clock_of() -> object:
        return speech_clock(speaker(core, "Vân Đình Thảo"), clock.now(), None, 5)

    assert clock_of().phase == "waiting" and clock_of().elapsed == 0
    sp.start_timer(core, rid)
    clock.advance(29)
    assert clock_of().phase == "normal" and clock_of().remaining == 31
    clock.advance(1)
    assert clock_of().phase == "warning"
    sp.pause_timer(core, rid)
    clock.advance(100)
    c = clock_of()
    assert c.phase == "warning" and c.elapsed == 30 and c.paused == 100 and not c.running
    sp.resume_timer(core, rid)
    clock.advance(31)
    c = clock_of()
    assert c.phase == "overrun" and c.remaining == -1 and c.running
    sp.extend(core, rid, 60)
    assert clock_of().phase == "normal" and clock_of().limit == 120


# --- every operation: journaled, undoable -----------------------------------------------------


def test_queue_operations_undo_and_redo(core: Core, clock: FakeClock, mid: int) -> None:
    item = discussion(core, mid)
    other = next(i for i in reads.agenda(core, mid) if i.kind == "draft")
    ids = {s.person_name: s.id for s in _all(core)}
    clock.advance(60)
    roundtrip_undo(core, mid, sp.prioritize, ids["Giang Tuấn Anh"])
    assert queue(core, item.id)[0] == "Giang Tuấn Anh"
    roundtrip_undo(core, mid, sp.move_request, ids["Giang Tuấn Anh"], 7)
    assert queue(core, item.id)[-1] == "Giang Tuấn Anh"
    roundtrip_undo(core, mid, sp.move_to_item, ids["Âu Thế Thái"], other.id)
    assert queue(core, other.id) == ["Âu Thế Thái"] and "Âu Thế Thái" not in queue(core, item.id)
    ch = roundtrip_undo(core, mid, sp.call_next, item.id)
    assert ch.result == ids["Vân Đình Thảo"]
    clock.advance(30)
    roundtrip_undo(core, mid, sp.pause_timer, ch.result)
    clock.advance(12)
    roundtrip_undo(core, mid, sp.resume_timer, ch.result)
    assert speaker(core, "Vân Đình Thảo").paused_seconds == 12
    roundtrip_undo(core, mid, sp.extend, ch.result, 90)
    roundtrip_undo(core, mid, sp.set_summary, ch.result, "Tóm tắt  ý kiến")
    assert speaker(core, "Vân Đình Thảo").summary == "Tóm tắt  ý kiến"
    clock.advance(200)
    roundtrip_undo(core, mid, sp.end_speech, ch.result)
    roundtrip_undo(core, mid, sp.withdraw, ids["Nguyễn Việt Lâm"])
    assert speaker(core, "Nguyễn Việt Lâm").status == "withdrawn"
    roundtrip_undo(core, mid, sp.skip, ids["Hoàng Anh Cương"])
    roundtrip_undo(core, mid, sp.requeue, ids["Hoàng Anh Cương"])
    assert queue(core, item.id)[0] == "Hoàng Anh Cương"
    ch2 = roundtrip_undo(core, mid, sp.call_speaker, ids["Phạm Mạnh Duyệt"], start_timer=False)
    roundtrip_undo(core, mid, sp.start_timer, ch2.result)
    roundtrip_undo(core, mid, sp.set_item_speaking_minutes, item.id, 7)
    roundtrip_undo(core, mid, sp.register_new_speaker, item.id, "Nguyễn Mạnh Tuấn Anh",
                   posts=["Giám đốc Sở Tài chính"], source="floor", topic="Thu ngân sách")
    for s in _all(core):
        assert s.status != "speaking" or s.person_name == "Phạm Mạnh Duyệt"


def test_register_new_speaker_is_one_step(core: Core, mid: int) -> None:
    item = discussion(core, mid)
    before = table_dump(core)
    son_duong = endpoint_id(core, mid, "Sơn Dương")
    ch = sp.register_new_speaker(core, item.id, "  Hà  Trung   Kiên ", posts="Bí thư Huyện ủy Sơn Dương",
                                 meeting_endpoint_id=son_duong, source="endpoint", limit_minutes=7)
    s = next(x for x in _all(core) if x.id == ch.result)
    assert s.person_name == "Hà Trung Kiên" and s.person_posts == ("Bí thư Huyện ủy Sơn Dương",)
    assert s.endpoint_name == "Sơn Dương" and s.position == 9 and s.limit_minutes == 7
    person = next(p for p in reads.people(core, mid) if p.id == s.person_id)
    assert person.meeting_endpoint_id == son_duong
    assert ch.label == "Register new speaker: Hà Trung Kiên"
    core.undo(mid)
    assert table_dump(core) == before
    # the same name, typed without accents or with the other tone placement, is refused
    with pytest.raises(OperationRefused, match="participant already"):
        sp.register_new_speaker(core, item.id, "nguyen van son")
    with pytest.raises(OperationRefused, match="full_name"):
        sp.register_new_speaker(core, item.id, "   ")
    # registering someone who already waits in the same queue is refused
    with pytest.raises(OperationRefused, match="already in the queue"):
        sp.add_request(core, item.id, speaker(core, "Vân Đình Thảo").person_id)


def test_the_timer_key_and_done_act_on_whoever_has_the_floor(core: Core, clock: FakeClock, mid: int) -> None:
    item = discussion(core, mid)
    with pytest.raises(OperationRefused, match="no one has the floor"):
        sp.toggle_timer(core, mid)
    rid = sp.call_next(core, item.id, start_timer=False).result
    assert sp.toggle_timer(core, mid).result == "started"
    clock.advance(60)
    ch = sp.toggle_timer(core, mid)
    assert ch.result == "paused" and ch.label == "Pause speaking timer: Vân Đình Thảo"
    clock.advance(30)
    assert sp.toggle_timer(core, mid).result == "resumed"
    clock.advance(10)
    ch = sp.end_current(core, mid)
    assert ch.result == rid and ch.label == "Speech done: Vân Đình Thảo"
    s = speaker(core, "Vân Đình Thảo")
    assert s.paused_seconds == 30 and speech_duration(s) == 70
    with pytest.raises(OperationRefused, match="no one has the floor"):
        sp.end_current(core, mid)


def test_the_panel_read_matches_reads_and_follows_changes(core: Core, clock: FakeClock, mid: int) -> None:
    item = discussion(core, mid)
    view = sp.queue_view(core, mid)
    assert view.speakers == reads.speakers(core, mid)
    assert view.next_to_call(item.id).person_name == "Vân Đình Thảo"
    for step in (lambda: sp.call_next(core, item.id), lambda: sp.prioritize(core, speaker(core, "Âu Thế Thái").id),
                 lambda: sp.skip(core, speaker(core, "Nguyễn Việt Lâm").id), lambda: core.undo(mid)):
        clock.advance(5)
        ch = step()
        view = view.updated(sp.read_requests(core, mid, ch.rows["speaker_request"]))
        assert view.speakers == reads.speakers(core, mid)
    # a removed request is gone from the view
    ch = sp.remove_request(core, speaker(core, "Âu Thế Thái").id)
    view = view.updated(sp.read_requests(core, mid, ch.rows["speaker_request"]))
    assert view.speakers == reads.speakers(core, mid) and len(view.speakers) == 7
    # calling the head of a long queue changes two rows, whatever the queue's length
    ch = sp.call_next(core, item.id)
    assert set(ch.rows["speaker_request"]) == {speaker(core, "Vân Đình Thảo").id, ch.result}


# --- the edge cases -------------------------------------------------------------------


def test_call_next_with_an_empty_queue(core: Core, mid: int) -> None:
    closing = next(i for i in reads.agenda(core, mid) if i.kind == "closing")
    with pytest.raises(OperationRefused, match="queue of item 7 is empty"):
        sp.call_next(core, closing.id)


def test_a_second_speaker_closes_the_first(core: Core, clock: FakeClock, mid: int) -> None:
    item = discussion(core, mid)
    first = sp.call_next(core, item.id).result
    clock.advance(250)
    ch = sp.call_next(core, item.id)
    a, b = speaker(core, "Vân Đình Thảo"), speaker(core, "Nguyễn Việt Lâm")
    assert a.id == first and a.status == "done" and a.actual_end == b.actual_start == clock.now()
    assert b.status == "speaking" and ch.label == "Call next speaker: Nguyễn Việt Lâm (closes Vân Đình Thảo)"
    # the same from another item's queue: one floor per meeting
    other = next(i for i in reads.agenda(core, mid) if i.kind == "draft")
    lam = next(p for p in reads.people(core, mid) if p.full_name == "Chẩu Văn Lâm")
    sp.add_request(core, other.id, lam.id)
    clock.advance(10)
    sp.call_next(core, other.id)
    assert speaker(core, "Nguyễn Việt Lâm").status == "done"
    # a paused speaker is closed with the pause counted
    clock.advance(5)
    sp.pause_timer(core, speaker(core, "Chẩu Văn Lâm").id)
    clock.advance(40)
    sp.call_next(core, item.id)
    s = speaker(core, "Chẩu Văn Lâm")
    assert s.status == "done" and s.paused_seconds == 40 and speech_duration(s) == 5
    # a speaker called without the timer started is skipped (they never spoke), and can come back
    sp.call_next(core, item.id, start_timer=False)
    sp.call_next(core, item.id)
    assert speaker(core, "Nguyễn Văn Việt").status == "skipped"
    assert speaker(core, "Nguyễn Văn Việt").actual_start is None
    sp.requeue(core, speaker(core, "Nguyễn Văn Việt").id)
    assert queue(core, item.id)[0] == "Nguyễn Văn Việt"
    current = [s for s in _all(core) if s.status in ("speaking", "paused")]
    assert [s.person_name for s in current] == ["Giang Tuấn Anh"]


def test_a_closed_item_takes_no_speakers(core: Core, mid: int) -> None:
    item = discussion(core, mid)
    rid = sp.call_next(core, item.id).result
    sp.skip(core, speaker(core, "Âu Thế Thái").id)
    _set_item_status(core, item.id, "done")
    lam = next(p for p in reads.people(core, mid) if p.full_name == "Chẩu Văn Lâm")
    with pytest.raises(OperationRefused, match="closed"):
        sp.add_request(core, item.id, lam.id)
    with pytest.raises(OperationRefused, match="closed"):
        sp.call_next(core, item.id)
    with pytest.raises(OperationRefused, match="closed"):
        sp.requeue(core, speaker(core, "Âu Thế Thái").id)
    with pytest.raises(OperationRefused, match="closed"):
        sp.register_new_speaker(core, item.id, "Người Mới")
    other = next(i for i in reads.agenda(core, mid) if i.kind == "draft")
    _set_item_status(core, other.id, "skipped")
    with pytest.raises(OperationRefused, match="closed"):
        sp.move_to_item(core, speaker(core, "Nguyễn Việt Lâm").id, other.id)
    # the speech that runs on can still be ended
    sp.end_speech(core, rid)
    assert speaker(core, "Vân Đình Thảo").status == "done"


def test_a_paused_item_or_a_closed_meeting_gives_no_floor(core: Core, mid: int) -> None:
    item = discussion(core, mid)
    _set_item_status(core, item.id, "paused")
    with pytest.raises(OperationRefused, match="paused"):
        sp.call_next(core, item.id)
    _set_item_status(core, item.id, "running")
    _set_meeting_status(core, mid, "closed")
    with pytest.raises(OperationRefused, match="meeting is closed"):
        sp.call_next(core, item.id)


def test_a_person_who_has_spoken_cannot_be_removed(core: Core, clock: FakeClock, mid: int) -> None:
    item = discussion(core, mid)
    rid = sp.call_next(core, item.id).result
    clock.advance(60)
    sp.end_speech(core, rid)
    s = speaker(core, "Vân Đình Thảo")
    with pytest.raises(OperationRefused, match="has spoken"):
        people.remove_person(core, s.person_id)
    with pytest.raises(OperationRefused, match="has spoken"):
        sp.remove_request(core, rid)
    with pytest.raises(OperationRefused, match="has spoken"):
        sp.withdraw(core, rid)
    with pytest.raises(OperationRefused, match="has spoken"):
        sp.requeue(core, rid)


def test_removing_a_waiting_person_keeps_the_queue_contiguous(core: Core, mid: int) -> None:
    item = discussion(core, mid)
    people.remove_person(core, speaker(core, "Âu Thế Thái").person_id)
    assert "Âu Thế Thái" not in queue(core, item.id)
    assert [s.position for s in _all(core) if s.position is not None] == list(range(1, 8))


def test_drop_person_requests_closes_the_gap(core: Core, mid: int) -> None:
    @operation("Test: drop requests")
    def drop(tx: Tx, person_id: int) -> None:
        tx.meeting_id = mid
        sp.drop_person_requests(tx, person_id)

    item = discussion(core, mid)
    drop(core, speaker(core, "Âu Thế Thái").person_id)
    assert queue(core, item.id) == [n for n in ARTICLE_ORDER if n != "Âu Thế Thái"]
    assert [s.position for s in _all(core) if s.position is not None] == list(range(1, 8))


@pytest.mark.parametrize("bad", [0, -5, 241, "5", True])
def test_a_time_limit_of_zero_or_negative_is_refused(core: Core, mid: int, bad) -> None:
    item = discussion(core, mid)
    rid = speaker(core, "Vân Đình Thảo").id
    with pytest.raises(OperationRefused, match="limit_minutes"):
        sp.update_request(core, rid, limit_minutes=bad)
    with pytest.raises(OperationRefused, match="speaking_minutes"):
        sp.set_item_speaking_minutes(core, item.id, bad)
    lam = next(p for p in reads.people(core, mid) if p.full_name == "Chẩu Văn Lâm")
    with pytest.raises(OperationRefused, match="limit_minutes"):
        sp.add_request(core, item.id, lam.id, limit_minutes=bad)


def test_extensions_never_bring_the_limit_to_zero(core: Core, mid: int) -> None:
    rid = speaker(core, "Vân Đình Thảo").id
    sp.update_request(core, rid, limit_minutes=2)
    sp.extend(core, rid, -60)
    with pytest.raises(OperationRefused, match="zero or negative"):
        sp.extend(core, rid, -60)
    for bad in (0, 1.5, 7200):
        with pytest.raises(OperationRefused, match="extension"):
            sp.extend(core, rid, bad)
    assert speaker(core, "Vân Đình Thảo").extended_seconds == -60


def test_timer_operations_refuse_what_does_not_apply(core: Core, mid: int) -> None:
    item = discussion(core, mid)
    waiting = speaker(core, "Nguyễn Việt Lâm").id
    for op in (sp.start_timer, sp.pause_timer, sp.resume_timer, sp.end_speech):
        with pytest.raises(OperationRefused, match="does not have the floor"):
            op(core, waiting)
    rid = sp.call_next(core, item.id, start_timer=False).result
    with pytest.raises(OperationRefused, match="not started"):
        sp.pause_timer(core, rid)
    with pytest.raises(OperationRefused, match="never started"):
        sp.end_speech(core, rid)
    sp.start_timer(core, rid)
    with pytest.raises(OperationRefused, match="started already"):
        sp.start_timer(core, rid)
    with pytest.raises(OperationRefused, match="not paused"):
        sp.resume_timer(core, rid)
    sp.pause_timer(core, rid)
    with pytest.raises(OperationRefused, match="paused already"):
        sp.pause_timer(core, rid)
    with pytest.raises(OperationRefused, match="has the floor already"):
        sp.call_speaker(core, rid)
    with pytest.raises(OperationRefused, match="waiting"):
        sp.prioritize(core, rid)


# --- connection-aware turns -------------------------------------------------------------------


def test_a_lost_endpoint_holds_the_turn_and_returns_it(core: Core, clock: FakeClock, mid: int) -> None:
    item = discussion(core, mid)
    son_duong = endpoint_id(core, mid, "Sơn Dương")
    giang = speaker(core, "Giang Tuấn Anh").id
    sp.update_request(core, giang, meeting_endpoint_id=son_duong)
    sp.prioritize(core, giang)
    _set_link(core, son_duong, "lost")
    # calling them warns and offers to hold the turn; nothing changes
    before = table_dump(core)
    with pytest.raises(OperationRefused, match="Sơn Dương, whose link is lost: hold their turn"):
        sp.call_next(core, item.id)
    assert table_dump(core) == before
    with pytest.raises(OperationRefused, match="whose link is lost"):
        sp.call_speaker(core, giang)
    # held: the next reachable speaker has the floor, in the same step
    ch = sp.call_next(core, item.id, hold_lost=True)
    assert ch.result == speaker(core, "Vân Đình Thảo").id
    assert ch.label == "Call next speaker: Vân Đình Thảo; turn held: Giang Tuấn Anh"
    assert speaker(core, "Giang Tuấn Anh").status == "held"
    assert queue(core, item.id)[0] == "Giang Tuấn Anh"  # keeps the head while held
    # unstable is not back yet: the turn stays held
    clock.advance(30)
    _set_link(core, son_duong, "unstable")
    assert sp.return_held(core, mid).journal_id is None  # nothing to do: nothing journaled
    clock.advance(30)
    sp.call_next(core, item.id)  # the held speaker is passed over again, nothing asked
    assert speaker(core, "Nguyễn Việt Lâm").status == "speaking"
    assert queue(core, item.id)[:2] == ["Giang Tuấn Anh", "Hoàng Anh Cương"]
    sp.move_request(core, giang, 3)
    # back: the turn returns to the head of the queue, automatically (not on the undo stack)
    _set_link(core, son_duong, "connected")
    undo_before = core.undo_status(mid).undo_label
    ch = sp.return_held(core, mid)
    assert ch.result == [giang] and ch.label.startswith("Turn returns to the head of the queue: Giang")
    assert reads.journal(core, mid)[-1].automatic
    assert core.undo_status(mid).undo_label == undo_before
    assert queue(core, item.id)[0] == "Giang Tuấn Anh"
    assert speaker(core, "Giang Tuấn Anh").status == "queued"
    clock.advance(30)
    assert sp.call_next(core, item.id).result == giang


def test_a_call_returns_held_turns_first(core: Core, mid: int) -> None:
    item = discussion(core, mid)
    son_duong = endpoint_id(core, mid, "Sơn Dương")
    giang = speaker(core, "Giang Tuấn Anh").id
    sp.update_request(core, giang, meeting_endpoint_id=son_duong)
    _set_link(core, son_duong, "left")
    with pytest.raises(OperationRefused, match="no link to wait for|Sơn Dương is"):
        sp.hold(core, speaker(core, "Vân Đình Thảo").id)  # the main hall has no link to lose
    sp.hold(core, giang)
    _set_link(core, son_duong, "connected")
    # the UI missed the endpoint change: the next call returns the held turn first
    assert sp.call_next(core, item.id).result == giang


def test_only_held_turns_left(core: Core, mid: int) -> None:
    other = next(i for i in reads.agenda(core, mid) if i.kind == "draft")
    son_duong = endpoint_id(core, mid, "Sơn Dương")
    giang = speaker(core, "Giang Tuấn Anh").id
    sp.move_to_item(core, giang, other.id)
    sp.update_request(core, giang, meeting_endpoint_id=son_duong)
    _set_link(core, son_duong, "lost")
    with pytest.raises(OperationRefused, match="1 held turn"):
        sp.call_next(core, other.id, hold_lost=True)
    assert speaker(core, "Giang Tuấn Anh").status == "queued"  # refused: nothing changed


# --- the invariants, under random sequences --------------------------------------------------

NAMES = ["Chẩu Văn Lâm", "Lê Thị Kim Dung", "Nguyễn Văn Sơn", "Vân Đình Thảo", "Giang Tuấn Anh", "Âu Thế Thái"]


_TEMPLATE: list = []


def _machine_template() -> tuple[Path, tuple]:
    """One migrated database with the machine's meeting, copied for every example (fast)."""
    if not _TEMPLATE:
        from meeting_console.core import endpoints, meetings

        folder = Path(tempfile.mkdtemp(prefix="speaker-machine-"))
        c = Core.open(str(folder / "q.db"), clock=FakeClock(datetime(2022, 1, 14, 1, 0, tzinfo=UTC)))
        mid = meetings.create_meeting(c, "Hội nghị", datetime(2022, 1, 14).date()).result
        items = [agenda.add_item(c, mid, t, kind="discussion", planned_minutes=30).result
                 for t in ("Thảo luận 1", "Thảo luận 2")]
        eps = [endpoints.create_in_meeting(c, mid, n, kind="district").result for n in ("Sơn Dương", "Chiêm Hóa")]
        ppl = [people.add_person(c, mid, n, meeting_endpoint_id=(eps + [None])[i % 3]).result
               for i, n in enumerate(NAMES)]
        c.close()
        _TEMPLATE[:] = [folder / "q.db", (mid, items, eps, ppl)]
    return _TEMPLATE[0], _TEMPLATE[1]


class QueueMachine(RuleBasedStateMachine):
    """Random queue operations, endpoint losses, clock advances, undo and redo.

    The machine keeps its own account of each speech's timing (start, end, pause intervals),
    saved with every undoable step so that undo and redo restore it, and checks the store
    against it."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        self.clock = FakeClock(datetime(2022, 1, 14, 1, 0, tzinfo=UTC))
        template, ids = _machine_template()
        for f in template.parent.iterdir():
            shutil.copy(f, self.dir.name)
        self.core = Core.open(f"{self.dir.name}/{template.name}", clock=self.clock)
        self.mid, self.items, self.eps, self.people = ids
        self.timing: dict[int, dict] = {}  # request id → {start, end, pauses: [(a, b)], paused_at}
        self.undo_stack: list[tuple[dict, dict]] = []
        self.redo_stack: list[tuple[dict, dict]] = []
        self.rows: tuple[reads.SpeakerInfo, ...] = ()
        self.view = sp.queue_view(self.core, self.mid)  # kept up to date as the panel does

    def teardown(self) -> None:
        self.core.close()
        self.dir.cleanup()

    @initialize()
    def start(self) -> None:
        pass

    # -- plumbing

    def _speakers(self) -> tuple[reads.SpeakerInfo, ...]:
        # read once per step, by the invariant that runs after every step
        return self.rows

    def _current(self) -> reads.SpeakerInfo | None:
        cur = [s for s in self._speakers() if s.status in ("speaking", "paused")]
        return cur[0] if cur else None

    def _op(self, fn, *args, effect=None, **kwargs):
        before = copy.deepcopy(self.timing)
        cur = self._current()
        try:
            ch = fn(self.core, *args, **kwargs)
        except UserError:
            return None
        now = self.clock.now()
        self._follow(ch)
        if effect is not None:
            effect(ch, cur, now)
        if ch.journal_id is not None and not reads.journal(self.core, self.mid, limit=1)[-1].automatic:
            self.undo_stack.append((before, copy.deepcopy(self.timing)))
            self.redo_stack.clear()
        return ch

    def _follow(self, ch) -> None:
        """Update the kept view from the change alone, as the speaker panel does."""
        if ch.areas & {"agenda", "meeting", "people"}:
            self.view = sp.queue_view(self.core, self.mid)
            return
        ids = ch.rows.get("speaker_request", frozenset())
        if ids:
            self.view = self.view.updated(sp.read_requests(self.core, self.mid, ids))
        if "endpoints" in ch.areas:
            self.view = replace(self.view, links={**self.view.links, **sp.read_links(self.core, self.mid)})

    def _close(self, cur: reads.SpeakerInfo | None, now: datetime) -> None:
        """The model of closing whoever had the floor."""
        if cur is None or cur.actual_start is None:
            return
        t = self.timing[cur.id]
        if t["paused_at"] is not None:
            t["pauses"].append((t["paused_at"], now))
            t["paused_at"] = None
        t["end"] = now

    def _called(self, start_timer: bool):
        def effect(ch, cur, now) -> None:
            if cur is not None and cur.id != ch.result:
                self._close(cur, now)
            self.timing[ch.result] = {"start": now if start_timer else None, "end": None,
                                      "pauses": [], "paused_at": None}
        return effect

    def _pick(self, data: st.DataObject, rows) -> int | None:
        ids = [s.id for s in rows]
        return data.draw(st.sampled_from(ids)) if ids else None

    # -- rules

    @rule(person=st.integers(0, len(NAMES) - 1), item=st.integers(0, 1),
          limit=st.one_of(st.none(), st.integers(-1, 6)))
    def register(self, person: int, item: int, limit: int | None) -> None:
        self._op(sp.add_request, self.items[item], self.people[person], limit_minutes=limit)

    @rule(item=st.integers(0, 1), name=st.sampled_from(["Người Mới", "Nguyen Van Son", "Hà Giang"]))
    def register_new(self, item: int, name: str) -> None:
        self._op(sp.register_new_speaker, self.items[item], name, posts=["Đại biểu"])

    @rule(item=st.integers(0, 1), start_timer=st.booleans(), hold_lost=st.booleans())
    def call_next(self, item: int, start_timer: bool, hold_lost: bool) -> None:
        self._op(sp.call_next, self.items[item], start_timer=start_timer, hold_lost=hold_lost,
                 effect=self._called(start_timer))

    @rule(data=st.data(), start_timer=st.booleans())
    def call_speaker(self, data: st.DataObject, start_timer: bool) -> None:
        rid = self._pick(data, self._speakers())
        if rid is not None:
            self._op(sp.call_speaker, rid, start_timer=start_timer, effect=self._called(start_timer))

    @rule()
    def start_timer(self) -> None:
        cur = self._current()
        if cur is not None:
            def effect(ch, _cur, now) -> None:
                self.timing[cur.id]["start"] = now
            self._op(sp.start_timer, cur.id, effect=effect)

    @rule()
    def pause(self) -> None:
        cur = self._current()
        if cur is not None:
            def effect(ch, _cur, now) -> None:
                self.timing[cur.id]["paused_at"] = now
            self._op(sp.pause_timer, cur.id, effect=effect)

    @rule()
    def resume(self) -> None:
        cur = self._current()
        if cur is not None:
            def effect(ch, _cur, now) -> None:
                t = self.timing[cur.id]
                t["pauses"].append((t["paused_at"], now))
                t["paused_at"] = None
            self._op(sp.resume_timer, cur.id, effect=effect)

    @rule()
    def end(self) -> None:
        cur = self._current()
        if cur is not None:
            self._op(sp.end_speech, cur.id, effect=lambda ch, c, now: self._close(c, now))

    @rule(data=st.data(), seconds=st.integers(-400, 400))
    def extend(self, data: st.DataObject, seconds: int) -> None:
        rid = self._pick(data, self._speakers())
        if rid is not None:
            self._op(sp.extend, rid, seconds)

    @rule(data=st.data(), how=st.sampled_from(["withdraw", "skip", "requeue", "prioritize", "hold", "remove"]))
    def aside(self, data: st.DataObject, how: str) -> None:
        rid = self._pick(data, self._speakers())
        if rid is not None:
            self._op({"withdraw": sp.withdraw, "skip": sp.skip, "requeue": sp.requeue,
                      "prioritize": sp.prioritize, "hold": sp.hold, "remove": sp.remove_request}[how], rid)

    @rule(data=st.data(), index=st.integers(-1, 8))
    def move(self, data: st.DataObject, index: int) -> None:
        rid = self._pick(data, [s for s in self._speakers() if s.position is not None])
        if rid is not None:
            self._op(sp.move_request, rid, index)

    @rule(data=st.data(), item=st.integers(0, 1))
    def move_to_item(self, data: st.DataObject, item: int) -> None:
        rid = self._pick(data, self._speakers())
        if rid is not None:
            self._op(sp.move_to_item, rid, self.items[item])

    @rule(ep=st.integers(0, 1), status=st.sampled_from(["lost", "unstable", "connected", "left"]))
    def link(self, ep: int, status: str) -> None:
        self._op(_set_link, self.eps[ep], status)

    @rule()
    def return_held(self) -> None:
        self._op(sp.return_held, self.mid)

    @rule(seconds=st.integers(1, 400))
    def tick(self, seconds: int) -> None:
        self.clock.advance(seconds)

    @rule()
    def undo(self) -> None:
        if not self.core.undo_status(self.mid).can_undo or not self.undo_stack:
            return
        try:
            self._follow(self.core.undo(self.mid))
        except UserError:
            return
        before, after = self.undo_stack.pop()
        self.timing = copy.deepcopy(before)
        self.redo_stack.append((before, after))

    @rule()
    def redo(self) -> None:
        if not self.core.undo_status(self.mid).can_redo or not self.redo_stack:
            return
        try:
            self._follow(self.core.redo(self.mid))
        except UserError:
            return
        before, after = self.redo_stack.pop()
        self.timing = copy.deepcopy(after)
        self.undo_stack.append((before, after))

    # -- invariants

    @invariant()
    def queue_invariants(self) -> None:
        rows = self.rows = reads.speakers(self.core, self.mid)
        # the view kept from the changes alone is the store's
        fresh = sp.queue_view(self.core, self.mid)
        assert self.view.speakers == fresh.speakers == rows
        for s in rows:
            assert self.view.link_status(s) == fresh.link_status(s)
        # at most one current speaker
        assert len([s for s in rows if s.status in ("speaking", "paused")]) <= 1
        # queue positions contiguous; a position exactly while waiting
        for item in self.items:
            positions = sorted(s.position for s in rows if s.agenda_item_id == item and s.position is not None)
            assert positions == list(range(positions[0], positions[0] + len(positions))) if positions else True
        for s in rows:
            assert (s.position is not None) == (s.status in ("queued", "held")), s
        # every finished speech: start ≤ end, duration = speaking time minus pauses
        now = self.clock.now()
        for s in rows:
            if s.actual_start is None:
                assert s.status != "done" and s.actual_end is None
                continue
            t = self.timing[s.id]
            assert s.actual_start == t["start"]
            pauses = sum((b - a).total_seconds() for a, b in t["pauses"])
            if s.status == "done":
                assert s.actual_end == t["end"] and s.actual_start <= s.actual_end
                assert s.paused_seconds == pauses and s.paused_at is None
                assert speech_duration(s) == (t["end"] - t["start"]).total_seconds() - pauses
            else:
                assert s.status in ("speaking", "paused") and s.actual_end is None
                running = (now - t["paused_at"]).total_seconds() if t["paused_at"] else 0
                clock = speech_clock(s, now, None, 5)
                assert clock.elapsed == (now - t["start"]).total_seconds() - pauses - running


QueueMachine.TestCase.settings = settings(
    max_examples=30, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_queue_invariants = QueueMachine.TestCase
