"""The hall display's state: the demo meeting run live with a fake clock, each view with what it
shows, the timer ticking from held values, the display mode as an undoable operation, and the
read-only core of a display process."""

from __future__ import annotations

from datetime import timedelta

import hypothesis.strategies as hs
import pytest
from hypothesis import given
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from meeting_console.cli import demo_path
from meeting_console.core import agenda, ceremony, display, meeting_file, people, reads, speakers
from meeting_console.core.api import Core
from meeting_console.core.clock import FakeClock
from meeting_console.core.display import TimerState
from meeting_console.core.timefmt import hhmm
from meeting_console.errors import OperationRefused, StoreError, UserError

TZ = "Asia/Ho_Chi_Minh"


@pytest.fixture
def demo(core: Core) -> int:
    return int(meeting_file.import_meeting(core, demo_path()).result)


def items_of(core: Core, mid: int) -> list[reads.AgendaItemInfo]:
    return list(reads.agenda(core, mid))


def state(core: Core, mid: int) -> display.DisplayState:
    return display.display_state(core, mid, core.clock.now())


def to_discussion(core: Core, clock: FakeClock, mid: int) -> int:
    """Run the demo up to its discussion (item 5) and return the item id."""
    items = items_of(core, mid)
    for it in items[:4]:
        agenda.start_item(core, it.id)
        clock.advance(minutes=10)
    agenda.start_item(core, items[4].id)
    return items[4].id


# --- the views ---------------------------------------------------------------------------------


def test_before_the_meeting_the_first_item_and_its_planned_time(core: Core, demo: int) -> None:
    s = state(core, demo)
    assert s.view == "between" and s.mode == "live" and s.status == "draft"
    assert s.title == "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 8"
    assert s.parent_body == "ĐẢNG BỘ TỈNH TUYÊN QUANG" and s.issuing_body == "TỈNH ỦY"
    assert s.next_item is not None and s.next_item.label == "1. Khai mạc hội nghị"
    assert hhmm(s.next_item.planned_start, TZ) == "08:00"
    assert s.next_item.presenter == "Chẩu Văn Lâm"
    assert "Bí thư Tỉnh ủy" in s.next_item.presenter_posts
    assert s.after_next is not None and s.after_next.number == "2"
    assert s.item is None and s.speaker is None and s.ceremony is None
    assert s.clock_text == "07:30"  # the fake clock in the meeting's zone
    assert s.main_hall == "Tỉnh ủy"
    assert (s.items_done, s.items_total) == (0, 7)


def test_a_running_item_with_its_presenter_and_time(core: Core, clock: FakeClock,
                                                     demo: int) -> None:
    items = items_of(core, demo)
    agenda.next_item(core, demo)
    clock.advance(minutes=2)
    s = state(core, demo)
    assert s.view == "item"
    assert s.item is not None and s.item.id == items[0].id and s.item.status == "running"
    assert s.item.presenter == "Chẩu Văn Lâm"
    assert s.item.actual_start == clock.now() - timedelta(minutes=2)
    assert s.item.expected_end == s.item.actual_start + timedelta(minutes=15)
    assert s.next_item is not None and s.next_item.id == items[1].id

    agenda.pause_item(core, items[0].id)
    s = state(core, demo)
    assert s.view == "item" and s.item is not None and s.item.status == "paused"
    clock.advance(minutes=5)  # a recess does not eat the item's time
    assert state(core, demo).item.expected_end == s.item.expected_end + timedelta(minutes=5)


def test_an_item_presented_by_text_not_a_person(core: Core, clock: FakeClock, demo: int) -> None:
    items = items_of(core, demo)
    agenda.start_item(core, items[3].id)
    s = state(core, demo)
    assert s.item is not None and s.item.presenter == "Đồng chí Trưởng Ban Tổ chức Tỉnh ủy"
    assert s.item.presenter_posts == ()


def test_between_items_the_next_one_with_planned_and_projected_start(
        core: Core, clock: FakeClock, demo: int) -> None:
    items = items_of(core, demo)
    agenda.start_item(core, items[0].id)
    clock.advance(minutes=40)  # 25 minutes over
    agenda.close_item(core, items[0].id)
    s = state(core, demo)
    assert s.view == "between"
    assert s.next_item is not None and s.next_item.id == items[1].id
    assert hhmm(s.next_item.planned_start, TZ) == "08:15"
    assert s.next_item.projected_start == clock.now()  # it can start at once
    assert s.items_done == 1


def test_the_current_speaker_and_the_queue(core: Core, clock: FakeClock, demo: int) -> None:
    item = to_discussion(core, clock, demo)
    s = state(core, demo)
    assert s.view == "item" and s.speaker is None
    assert [x.name for x in s.next_speakers] == ["Vân Đình Thảo", "Nguyễn Việt Lâm",
                                                 "Hoàng Anh Cương"]
    assert s.waiting == 8
    speakers.call_next(core, item)
    s = state(core, demo)
    assert s.view == "speaker"
    assert s.speaker is not None and s.speaker.name == "Vân Đình Thảo"
    assert s.speaker.posts == ("Ủy viên BTV Tỉnh ủy", "Giám đốc Sở Kế hoạch và Đầu tư")
    assert s.speaker.endpoint == ""  # the main hall
    assert s.item is not None and s.item.id == item
    assert [x.name for x in s.next_speakers][0] == "Nguyễn Việt Lâm"
    assert s.waiting == 7
    assert s.timer is not None and s.timer.phase == "normal" and s.timer.text == "5:00"


def test_a_speaker_from_a_bridge_point(core: Core, clock: FakeClock, demo: int) -> None:
    to_discussion(core, clock, demo)
    anh = next(p for p in reads.people(core, demo) if p.full_name == "Giang Tuấn Anh")
    sd = next(e for e in reads.endpoints(core, demo) if e.name == "Sơn Dương")
    people.update_person(core, anh.id, meeting_endpoint_id=sd.id)
    req = next(r for r in reads.speakers(core, demo) if r.person_id == anh.id)
    speakers.update_request(core, req.id, meeting_endpoint_id=sd.id)
    speakers.call_speaker(core, req.id)
    s = state(core, demo)
    assert s.speaker is not None and s.speaker.name == "Giang Tuấn Anh"
    assert s.speaker.endpoint == "Sơn Dương"


def test_the_timer_ticks_from_held_values(core: Core, clock: FakeClock, demo: int) -> None:
    item = to_discussion(core, clock, demo)
    rid = speakers.call_next(core, item).result
    src = display.load(core, demo)
    t0 = clock.now()

    def at(seconds: float) -> TimerState:
        timer = display.state_at(src, t0 + timedelta(seconds=seconds)).timer
        assert timer is not None
        return timer

    assert (at(0).text, at(0).phase) == ("5:00", "normal")
    assert at(0.4).text == "5:00"  # a countdown shows the full minute first
    assert at(1).text == "4:59" and at(1).elapsed_text == "0:01"
    assert (at(269).text, at(269).phase) == ("0:31", "normal")
    assert (at(270).text, at(270).phase) == ("0:30", "warning")  # the last 30 seconds
    assert (at(300).text, at(300).phase) == ("0:00", "warning")
    assert (at(301).text, at(301).phase) == ("+0:01", "overrun")
    assert at(372).text == "+1:12" and at(372).fraction == 1.0
    assert at(150).fraction == pytest.approx(0.5)

    # a pause freezes the timer; an extension moves the limit
    clock.advance(100)
    speakers.pause_timer(core, rid)
    clock.advance(60)
    s = state(core, demo)
    assert s.timer is not None and s.timer.paused and not s.timer.running
    assert s.timer.elapsed == pytest.approx(100) and s.timer.text == "3:20"
    speakers.resume_timer(core, rid)
    speakers.extend(core, rid, 60)
    s = state(core, demo)
    assert s.timer is not None and s.timer.limit == 360 and s.timer.text == "4:20"
    assert s.headline()["paused"] is False


def test_a_speaker_called_before_the_timer_starts(core: Core, clock: FakeClock,
                                                  demo: int) -> None:
    item = to_discussion(core, clock, demo)
    speakers.call_next(core, item, start_timer=False)
    s = state(core, demo)
    assert s.view == "speaker" and s.timer is not None
    assert s.timer.phase == "waiting" and not s.timer.started and s.timer.limit_text == "5:00"


def test_the_ceremony_group_by_group(core: Core, clock: FakeClock, demo: int) -> None:
    items = items_of(core, demo)
    agenda.start_item(core, items[5].id)
    s = state(core, demo)
    assert s.view == "ceremony" and s.ceremony is not None
    ce = s.ceremony
    assert (ce.index, ce.count, ce.presented) == (1, 4, 0)
    assert ce.award_names == ("Huân chương Hồ Chí Minh",) and ce.authority == "Chủ tịch nước"
    assert ce.presenters == ("Lãnh đạo tỉnh",)
    (r,) = ce.recipients
    assert r.name == "Trần Hoài Quang" and r.posthumous and not r.collective
    assert r.received_by == "thân nhân đồng chí Trần Hoài Quang"
    assert r.post.startswith("nguyên Khu ủy viên Khu tự trị Việt Bắc")
    assert ce.next_award_names == ("Huân chương Lao động hạng Ba",)
    assert ce.next_recipients == ("Sở Văn hóa, Thể thao và Du lịch",)

    ceremony.present(core, demo)
    ce = state(core, demo).ceremony
    assert ce is not None and ce.index == 2 and ce.presented == 1
    assert ce.recipients[0].collective and ce.recipients[0].name == "Sở Văn hóa, Thể thao và Du lịch"
    ceremony.present(core, demo)
    ceremony.present(core, demo)
    ce = state(core, demo).ceremony
    assert ce is not None and ce.index == 4 and ce.next_award_names == ()
    assert [x.name for x in ce.recipients] == ["Chẩu Văn Lâm", "Phùng Tiến Quân",
                                               "Nguyễn Hồng Trang"]
    assert ce.presenters == ("Nguyễn Văn Sơn",)
    ceremony.present(core, demo)
    s = state(core, demo)
    assert s.view == "item" and s.ceremony is None  # every award presented

    core.undo(demo)  # the last group was not presented after all
    assert state(core, demo).view == "ceremony"


def test_a_speech_left_running_does_not_hide_the_next_item(core: Core, clock: FakeClock,
                                                           demo: int) -> None:
    items = items_of(core, demo)
    item = to_discussion(core, clock, demo)
    speakers.call_next(core, item)
    agenda.start_item(core, items[5].id)  # the chair moves on; the speech was not ended
    s = state(core, demo)
    assert s.view == "ceremony" and s.speaker is None
    agenda.close_item(core, items[5].id)
    s = state(core, demo)  # no item runs: the speech still on is what the hall sees
    assert s.view == "speaker" and s.item is not None and s.item.id == item


def test_the_closed_meeting(core: Core, clock: FakeClock, demo: int) -> None:
    item = to_discussion(core, clock, demo)
    speakers.call_next(core, item)
    clock.advance(minutes=3)
    agenda.close_meeting(core, demo)
    s = state(core, demo)
    assert s.view == "closed" and s.speaker is None and s.closed_at == clock.now()


def test_idle_when_nothing_is_left(core: Core, clock: FakeClock, demo: int) -> None:
    for it in items_of(core, demo):
        agenda.skip_item(core, it.id)
    s = state(core, demo)
    assert s.view == "idle" and s.next_item is None and s.items_done == 7


def test_the_headline_changes_with_the_meeting_not_with_the_clock(
        core: Core, clock: FakeClock, demo: int) -> None:
    item = to_discussion(core, clock, demo)
    speakers.call_next(core, item)
    src = display.load(core, demo)
    now = clock.now()
    first = display.state_at(src, now + timedelta(seconds=5))
    later = display.state_at(src, now + timedelta(seconds=65))
    assert first.timer.text != later.timer.text and first.clock_text != later.clock_text
    assert first.headline() == later.headline()
    assert display.state_at(src, now + timedelta(seconds=290)).headline()["timer"] == "warning"


def test_state_at_does_not_touch_the_database(core: Core, clock: FakeClock, demo: int) -> None:
    item = to_discussion(core, clock, demo)
    speakers.call_next(core, item)
    src = display.load(core, demo)
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(core.db.engine, "before_cursor_execute", seen)
    try:
        for k in range(120):
            display.state_at(src, clock.now() + timedelta(seconds=k))
    finally:
        event.remove(core.db.engine, "before_cursor_execute", seen)
    assert statements == []


# --- the display mode --------------------------------------------------------------------------


def test_display_mode_is_an_undoable_operation(core: Core, demo: int) -> None:
    before = len(reads.journal(core, demo))
    ch = display.set_display_mode(core, demo, "blank")
    assert ch.result == "blank" and "meeting" in ch.areas and ch.label == "Hall display: blank"
    assert state(core, demo).mode == "blank"
    entries = reads.journal(core, demo)
    assert len(entries) == before + 1 and entries[-1].op == "display.set_display_mode"
    assert core.undo_status(demo).undo_label == "Hall display: blank"
    # the same mode again changes nothing and journals nothing
    assert display.set_display_mode(core, demo, "blank").journal_id is None
    assert len(reads.journal(core, demo)) == before + 1
    core.undo(demo)
    assert state(core, demo).mode == "live"
    core.redo(demo)
    assert state(core, demo).mode == "blank"


def test_one_key_toggles_blank_and_logo(core: Core, demo: int) -> None:
    assert display.toggle_display_mode(core, demo, "blank").result == "blank"
    assert display.toggle_display_mode(core, demo, "blank").result == "live"
    assert display.toggle_display_mode(core, demo, "logo").result == "logo"
    assert display.toggle_display_mode(core, demo, "blank").result == "blank"
    assert reads.meeting(core, demo).display_mode == "blank"
    assert core.undo_status(demo).undo_label == "Hall display: blank"


def test_a_bad_mode_is_refused_with_the_field_name(core: Core, demo: int) -> None:
    with pytest.raises(OperationRefused, match="display_mode"):
        display.set_display_mode(core, demo, "dark")
    with pytest.raises(OperationRefused, match="display_mode"):
        display.toggle_display_mode(core, demo, "live ")
    assert reads.meeting(core, demo).display_mode == "live"


def test_an_unknown_mode_in_the_store_shows_live(core: Core, demo: int) -> None:
    src = display.load(core, demo)
    odd = type(src)(**{**src.__dict__, "meeting": type(src.meeting)(
        **{**src.meeting.__dict__, "display_mode": "party"})})
    assert display.state_at(odd, core.clock.now()).mode == "live"


# --- the display process's core ----------------------------------------------------------------


def test_the_display_core_reads_and_cannot_write(core: Core, demo: int) -> None:
    url = core.db.url
    ro = display.open_for_display(url, clock=core.clock)
    try:
        before = core.high_water()
        s = display.display_state(ro, demo, core.clock.now())
        assert s.view == "between" and ro.high_water() == before
        # refused by the database itself (SQLite query_only, a PostgreSQL read-only session;
        # the core reports the latter as a raw DBAPIError at the time of writing)
        with pytest.raises((StoreError, OperationRefused, DBAPIError)):
            display.set_display_mode(ro, demo, "blank")
        assert reads.meeting(core, demo).display_mode == "live"
        assert core.high_water() == before
        # the console's changes are seen at once
        display.set_display_mode(core, demo, "logo")
        assert ro.high_water() == before + 1
        assert display.display_state(ro, demo, core.clock.now()).mode == "logo"
    finally:
        ro.close()


def test_a_display_never_creates_a_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "none.db"
    with pytest.raises(UserError, match="no database there"):
        display.open_for_display(str(missing))
    assert not missing.exists()


# --- the timer's figure ------------------------------------------------------------------------


@given(elapsed=hs.floats(0, 20_000, allow_nan=False), limit=hs.integers(1, 14_400),
       started=hs.booleans())
def test_the_timer_figure_is_consistent(elapsed: float, limit: int, started: bool) -> None:
    if not started:
        elapsed = 0.0
    phase = ("waiting" if not started else "overrun" if elapsed > limit
             else "warning" if limit - elapsed <= 30 else "normal")
    t = TimerState(started, started, False, elapsed, limit, phase)
    text = t.text
    assert text.startswith("+") == (phase == "overrun")
    parts = [int(x) for x in text.lstrip("+").split(":")]
    value = sum(v * 60 ** i for i, v in enumerate(reversed(parts)))
    if phase == "overrun":
        assert value == int(elapsed - limit)
    else:
        assert 0 <= value - (limit - elapsed) < 1 + 1e-6  # rounded up, never below
    assert 0.0 <= t.fraction <= 1.0
