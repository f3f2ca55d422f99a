"""Stale requests refused for the speaker queue, the awards ceremony, agenda items and the
meeting details: the losing console is told which seat changed what, when; nothing changed.

Each console is its own ``Core`` on the same database (SQLite or PostgreSQL: see conftest)."""

from __future__ import annotations

import pytest

from meeting_console.core import agenda, awards, catalogue, ceremony, meetings, reads, speakers
from meeting_console.core.api import Core
from meeting_console.core.concurrency import Conflict
from tests.core.test_concurrency import at_once, console, split
from tests.factories import small_meeting


@pytest.fixture
def two(core: Core):
    a, c = console(core, "thư ký 1"), console(core, "thư ký 2")
    yield a, c
    a.close()
    c.close()


def _live(core: Core):
    b = small_meeting(core)
    agenda.start_item(core, b.items[1])
    second = speakers.add_request(core, b.items[1], b.people["son"], topic="Đầu tư công").result
    return b, [b.requests[0], second]


def _request(core: Core, mid: int, rid: int) -> reads.SpeakerInfo:
    return next(r for r in reads.speakers(core, mid) if r.id == rid)


def test_two_seats_call_next_speaker_at_once(core: Core, two) -> None:
    b, (first, second) = _live(core)
    a, c = two
    hw = core.high_water()
    wins, losses = split(at_once(
        lambda: speakers.call_next(a, b.items[1], expected_current=None),
        lambda: speakers.call_next(c, b.items[1], expected_current=None),
    ))
    assert len(wins) == 1 and len(losses) == 1 and isinstance(losses[0], Conflict)
    assert core.high_water() == hw + 1
    msg = str(losses[0])
    assert "the floor changed at another console (by seat thư ký" in msg
    assert "Giang Tuấn Anh has the floor now" in msg and "this console showed no one with the floor" in msg
    # the second speaker still waits: no one was skipped
    assert _request(core, b.meeting_id, second).status == "queued"
    # with what is shown now, the next press goes on
    speakers.call_next(c, b.items[1], expected_current=first)
    assert _request(core, b.meeting_id, second).status == "speaking"


def test_timer_key_pressed_at_two_seats(core: Core, two) -> None:
    b, (first, _second) = _live(core)
    speakers.call_next(core, b.items[1], start_timer=True)
    a, c = two
    wins, losses = split(at_once(
        lambda: speakers.toggle_timer(a, b.meeting_id, expected_current=first, expected_state="speaking"),
        lambda: speakers.toggle_timer(c, b.meeting_id, expected_current=first, expected_state="speaking"),
    ))
    assert [w.result for w in wins] == ["paused"] and isinstance(losses[0], Conflict)
    assert "Giang Tuấn Anh has the floor now (paused)" in str(losses[0])
    assert _request(core, b.meeting_id, first).status == "paused"  # not paused and resumed again


def test_speech_done_at_two_seats_ends_only_the_speech_shown(core: Core) -> None:
    b, (first, second) = _live(core)
    speakers.call_next(core, b.items[1])
    speakers.end_current(core, b.meeting_id, expected_current=first)
    speakers.call_next(core, b.items[1])
    with pytest.raises(Conflict, match="Nguyễn Văn Sơn has the floor now"):
        speakers.end_current(core, b.meeting_id, expected_current=first)
    assert _request(core, b.meeting_id, second).status == "speaking"


@pytest.mark.parametrize("op", ["pause_timer", "end_speech"])
def test_timer_of_a_request_shown_in_another_state(core: Core, two, op: str) -> None:
    b, (first, _s) = _live(core)
    speakers.call_next(core, b.items[1])
    a, c = two
    speakers.pause_timer(a, first, seen={"status": "speaking"})
    with pytest.raises(Conflict, match=r"status is now paused \(you saw speaking\)"):
        getattr(speakers, op)(c, first, seen={"status": "speaking"})


def test_reorder_and_priority_on_a_stale_queue(core: Core, two) -> None:
    b, (first, second) = _live(core)
    a, c = two
    seen = {"status": "queued", "position": _request(core, b.meeting_id, second).position}
    speakers.prioritize(a, second, seen=seen)
    with pytest.raises(Conflict) as info:
        speakers.move_request(c, second, 0, seen=seen)
    assert "Nguyễn Văn Sơn was changed meanwhile at another console (by seat thư ký 1 at 07:30:00" in str(info.value)
    assert "position is now" in str(info.value)
    with pytest.raises(Conflict):
        speakers.prioritize(c, second, seen=seen)
    fresh = _request(core, b.meeting_id, second)
    speakers.move_request(c, second, 1, seen={"status": fresh.status, "position": fresh.position})
    assert [r.id for r in sorted(reads.speakers(core, b.meeting_id), key=lambda r: r.position or 0)] == [first, second]


@pytest.mark.parametrize("op", ["withdraw", "skip", "hold"])
def test_put_aside_a_speaker_another_seat_called(core: Core, two, op: str) -> None:
    b, (first, _s) = _live(core)
    a, c = two
    speakers.call_speaker(a, first, seen={"status": "queued"})
    with pytest.raises(Conflict, match=r"status is now speaking \(you saw queued\)"):
        getattr(speakers, op)(c, first, seen={"status": "queued"})


def test_two_secretaries_write_the_same_summary(core: Core, two) -> None:
    b, (first, _s) = _live(core)
    a, c = two
    speakers.set_summary(a, first, "Đồng chí nêu ba kiến nghị.", seen="")
    with pytest.raises(Conflict) as info:
        speakers.set_summary(c, first, "Đồng chí phát biểu về thu ngân sách.", seen="")
    assert "Summary of Giang Tuấn Anh was changed meanwhile at another console (by seat thư ký 1" in str(info.value)
    assert _request(core, b.meeting_id, first).summary == "Đồng chí nêu ba kiến nghị."
    # from the text now stored, the second secretary's own text goes in
    speakers.set_summary(c, first, "Đồng chí nêu ba kiến nghị. Thu ngân sách.", seen="Đồng chí nêu ba kiến nghị.")
    assert _request(core, b.meeting_id, first).summary.endswith("Thu ngân sách.")


def test_speaker_request_edit_merges_fields(core: Core, two) -> None:
    b, (first, _s) = _live(core)
    a, c = two
    seen = {"topic": "Thu ngân sách", "requested_minutes": None}
    speakers.update_request(a, first, seen=seen, topic="Thu ngân sách 2022", requested_minutes=None)
    speakers.update_request(c, first, seen=seen, topic="Thu ngân sách", requested_minutes=7)
    r = _request(core, b.meeting_id, first)
    assert (r.topic, r.requested_minutes) == ("Thu ngân sách 2022", 7)
    with pytest.raises(Conflict, match="topic is now Thu ngân sách 2022"):
        speakers.update_request(c, first, seen=seen, topic="Khác")


def test_agenda_item_edit_conflict(core: Core, two) -> None:
    b = small_meeting(core)
    a, c = two
    seen = {"title": "Thảo luận", "notes": ""}
    agenda.update_item(a, b.items[1], seen=seen, title="Thảo luận tại hội trường", notes="")
    agenda.update_item(c, b.items[1], seen=seen, title="Thảo luận", notes="mời phát biểu")  # merges
    with pytest.raises(Conflict, match=r"item 2\. Thảo luận tại hội trường was changed meanwhile .*by seat thư ký 1"):
        agenda.update_item(c, b.items[1], seen=seen, title="Thảo luận tổ")
    item = next(i for i in reads.agenda(core, b.meeting_id) if i.id == b.items[1])
    assert (item.title, item.notes) == ("Thảo luận tại hội trường", "mời phát biểu")


def test_meeting_details_conflict(core: Core, two) -> None:
    b = small_meeting(core)
    a, c = two
    seen = {"place": "Hội trường Tỉnh ủy"}
    meetings.update_meeting(a, b.meeting_id, seen=seen, place="Hội trường A")
    with pytest.raises(Conflict, match=r"place is now Hội trường A \(you saw Hội trường Tỉnh ủy\)"):
        meetings.update_meeting(c, b.meeting_id, seen=seen, place="Hội trường B")
    assert reads.meeting(core, b.meeting_id).place == "Hội trường A"


def test_two_seats_press_presented_at_once(core: Core, two) -> None:
    b = small_meeting(core)
    types = {t.name: t.id for t in catalogue.award_types(core)}
    awards.add_grant(core, b.meeting_id, types["Bằng khen của Thủ tướng Chính phủ"],
                     recipient_person_id=b.people["anh"])
    a, c = two
    first = ceremony.ceremony(core, b.meeting_id).current.grant_ids
    hw = core.high_water()
    wins, losses = split(at_once(
        lambda: ceremony.present(a, b.meeting_id, first[0], expected_ids=list(first), despite_cautions=True),
        lambda: ceremony.present(c, b.meeting_id, first[0], expected_ids=list(first), despite_cautions=True),
    ))
    assert len(wins) == 1 and isinstance(losses[0], Conflict), losses
    assert core.high_water() == hw + 1
    assert "was presented at 07:30 already (by seat thư ký" in str(losses[0])
    # the next group is not presented by the second press
    assert sum(g.presented_at is not None for g in reads.grants(core, b.meeting_id)) == len(first)


def test_present_a_group_regrouped_meanwhile(core: Core, two) -> None:
    b = small_meeting(core)
    types = {t.name: t.id for t in catalogue.award_types(core)}
    g2 = awards.add_grant(core, b.meeting_id, types["Bằng khen của Thủ tướng Chính phủ"],
                          recipient_person_id=b.people["anh"], presenter_id=b.people["lam"]).result
    a, c = two
    shown = ceremony.ceremony(core, b.meeting_id).current.grant_ids
    ceremony.join_previous_group(a, g2)
    with pytest.raises(Conflict, match=r"now has 2 award\(s\) \(this console showed 1\)"):
        ceremony.present(c, b.meeting_id, shown[0], expected_ids=list(shown), despite_cautions=True)


def test_award_edit_and_reorder_conflicts(core: Core, two) -> None:
    b = small_meeting(core)
    types = {t.name: t.id for t in catalogue.award_types(core)}
    g2 = awards.add_grant(core, b.meeting_id, types["Bằng khen của Thủ tướng Chính phủ"],
                          recipient_person_id=b.people["anh"]).result
    a, c = two
    g = next(x for x in reads.grants(core, b.meeting_id) if x.id == g2)
    awards.update_grant(a, g2, seen={"citation": g.citation}, citation="Đã có thành tích xuất sắc")
    with pytest.raises(Conflict, match="citation is now Đã có thành tích xuất sắc"):
        awards.update_grant(c, g2, seen={"citation": g.citation}, citation="Thành tích tiêu biểu")
    seen = {"group_no": g.group_no, "ceremony_position": g.ceremony_position}
    ceremony.move_group(a, g2, -1, seen=seen)
    with pytest.raises(Conflict, match="by seat thư ký 1"):
        ceremony.move_group(c, g2, -1, seen=seen)


@pytest.mark.parametrize("op, field", [("set_note", "note"), ("set_host", "host")])
def test_two_clerks_write_the_endpoint_note_or_host(core: Core, two, op: str, field: str) -> None:
    from meeting_console.core import endpoints

    b = small_meeting(core)
    sd = b.endpoints["Sơn Dương"]
    a, c = two
    getattr(endpoints, op)(a, sd, "Giang Tuấn Anh", seen="")
    with pytest.raises(Conflict) as info:
        getattr(endpoints, op)(c, sd, "Nguyễn Văn Sơn", seen="")
    assert f"{field} is now Giang Tuấn Anh (you saw —)" in str(info.value)
    assert "(by seat thư ký 1 at 07:30:00" in str(info.value)
    getattr(endpoints, op)(c, sd, "Nguyễn Văn Sơn", seen="Giang Tuấn Anh")
    e = next(e for e in reads.endpoints(core, b.meeting_id) if e.id == sd)
    assert getattr(e, field) == "Nguyễn Văn Sơn"
