"""Every editing operation: what it changes, its journal entry, its undo and redo."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from meeting_console.core import agenda, awards, endpoints, meetings, people, reads, speakers
from meeting_console.core.api import OPERATIONS, Core
from meeting_console.errors import NotFound, OperationRefused
from meeting_console.store.models import Base, JournalEntry
from tests.factories import small_meeting


def table_dump(core: Core) -> dict[str, list[tuple]]:
    """Every row of every domain table (the journal aside), for before/after comparisons."""
    out = {}
    with core.db.engine.connect() as conn:
        for t in Base.metadata.sorted_tables:
            if t.name == "journal":
                continue
            out[t.name] = [tuple(r) for r in conn.execute(select(t).order_by(t.c.id))]
    return out


def last_entry(core: Core) -> reads.JournalInfo:
    with core.reading() as s:
        e = s.scalars(select(JournalEntry).order_by(JournalEntry.id.desc()).limit(1)).one()
        return reads._info(reads.JournalInfo, e)


def roundtrip_undo(core: Core, meeting_id: int | None, op, *args, **kwargs):
    """Run op, check its journal entry, undo it (state as before), redo it (state as after)."""
    before = table_dump(core)
    changes = op(core, *args, **kwargs)
    after = table_dump(core)
    assert after != before, f"{op.op_name} changed nothing"
    entry = last_entry(core)
    assert entry.op == op.op_name
    assert entry.kind == "op"
    assert entry.meeting_id == meeting_id
    assert entry.at == core.clock.now()
    assert entry.seat == "test"
    assert entry.changes, "journal entry without row images"
    assert changes.journal_id == entry.id
    status = core.undo_status(meeting_id)
    assert status.undo_label == entry.label
    core.undo(meeting_id)
    assert table_dump(core) == before
    assert core.undo_status(meeting_id).redo_label == entry.label
    core.redo(meeting_id)
    assert table_dump(core) == after
    return changes


def test_every_operation_is_registered() -> None:
    names = set(OPERATIONS)
    for expected in ["meetings.create_meeting", "meetings.update_meeting", "meetings.delete_meeting",
                     "agenda.add_item", "agenda.update_item", "agenda.remove_item", "agenda.move_item",
                     "endpoints.create_in_meeting", "endpoints.edit_endpoint", "endpoints.remove_from_meeting",
                     "people.add_person", "people.update_person", "people.remove_person",
                     "speakers.add_request", "speakers.update_request", "speakers.move_request",
                     "awards.add_grant", "awards.update_grant", "awards.remove_grant"]:
        assert expected in names


def test_create_meeting_undo_redo(core: Core) -> None:
    before = table_dump(core)
    ch = meetings.create_meeting(core, "Họp thử", date(2022, 1, 14), place="Hà Nội")
    mid = ch.result
    assert reads.meeting(core, mid).title == "Họp thử"
    core.undo(mid)
    assert table_dump(core) == before
    core.redo(mid)
    assert reads.meeting(core, mid).place == "Hà Nội"


def test_update_meeting(core: Core) -> None:
    b = small_meeting(core)
    roundtrip_undo(core, b.meeting_id, meetings.update_meeting, b.meeting_id, title="Hội nghị mới",
                   form="hybrid", closing_remarks="Kết luận.\nĐoạn hai.")
    m = reads.meeting(core, b.meeting_id)
    assert (m.title, m.form, m.closing_remarks) == ("Hội nghị mới", "hybrid", "Kết luận.\nĐoạn hai.")


def test_text_enters_as_nfc(core: Core) -> None:
    import unicodedata

    b = small_meeting(core)
    nfd = unicodedata.normalize("NFD", "Chiêm Hóa Tuyên Quang")
    meetings.update_meeting(core, b.meeting_id, place=nfd)
    assert reads.meeting(core, b.meeting_id).place == unicodedata.normalize("NFC", nfd)
    assert reads.meeting(core, b.meeting_id).place != nfd


@pytest.mark.parametrize("fields, message", [
    ({"form": "telepathy"}, "form"),
    ({"title": ""}, "title"),
    ({"timezone": "Mars/Base"}, "time zone"),
    ({"default_speaking_minutes": 0}, "default_speaking_minutes"),
    ({"colour": "red"}, "colour"),
    ({"place": "Hà\u202eNội"}, "place"),
])
def test_update_meeting_refuses_bad_values(core: Core, fields, message) -> None:
    b = small_meeting(core)
    before = table_dump(core)
    with pytest.raises(OperationRefused, match=message):
        meetings.update_meeting(core, b.meeting_id, **fields)
    assert table_dump(core) == before


def test_delete_meeting_undo_restores_everything(core: Core) -> None:
    b = small_meeting(core)
    roundtrip_undo(core, b.meeting_id, meetings.delete_meeting, b.meeting_id)
    with pytest.raises(NotFound):
        reads.meeting(core, b.meeting_id)
    core.undo(b.meeting_id)
    snap = reads.snapshot(core, b.meeting_id)
    assert len(snap.agenda) == 3 and len(snap.people) == 4 and len(snap.grants) == 1


def test_agenda_operations(core: Core) -> None:
    b = small_meeting(core)
    mid = b.meeting_id
    ch = roundtrip_undo(core, mid, agenda.add_item, mid, "Báo cáo", index=1, kind="report", planned_minutes=20)
    titles = [i.title for i in reads.agenda(core, mid)]
    assert titles == ["Khai mạc hội nghị", "Báo cáo", "Thảo luận", "Bế mạc hội nghị"]
    assert [i.position for i in reads.agenda(core, mid)] == [1, 2, 3, 4]
    roundtrip_undo(core, mid, agenda.update_item, ch.result, title="Báo cáo chính trị", presenter_id=b.people["son"])
    assert reads.agenda(core, mid)[1].presenter_name == "Nguyễn Văn Sơn"
    roundtrip_undo(core, mid, agenda.move_item, ch.result, 3)
    assert [i.title for i in reads.agenda(core, mid)][-1] == "Báo cáo chính trị"
    roundtrip_undo(core, mid, agenda.remove_item, ch.result)
    assert [i.position for i in reads.agenda(core, mid)] == [1, 2, 3]


def test_agenda_refusals(core: Core) -> None:
    b = small_meeting(core)
    other = meetings.create_meeting(core, "Khác", date(2022, 2, 1)).result
    stranger = people.add_person(core, other, "Người ngoài").result
    with pytest.raises(OperationRefused, match="presenter"):
        agenda.update_item(core, b.items[0], presenter_id=stranger)
    with pytest.raises(OperationRefused, match="planned_minutes"):
        agenda.update_item(core, b.items[0], planned_minutes=-5)
    with pytest.raises(NotFound):
        agenda.update_item(core, 9999, title="x")


def test_endpoint_operations(core: Core) -> None:
    b = small_meeting(core)
    mid = b.meeting_id
    ch = roundtrip_undo(core, mid, endpoints.create_in_meeting, mid, "Na Hang", kind="district", code="NH",
                        expected_delegates=18)
    roundtrip_undo(core, mid, endpoints.edit_endpoint, ch.result, name="Huyện Na Hang", present_delegates=17,
                   host="Ông Hà")
    e = next(e for e in reads.endpoints(core, mid) if e.id == ch.result)
    assert (e.name, e.present_delegates, e.host) == ("Huyện Na Hang", 17, "Ông Hà")
    roundtrip_undo(core, mid, endpoints.update_participation, ch.result, note="Đường truyền yếu")
    with pytest.raises(OperationRefused, match="exists already"):
        endpoints.edit_endpoint(core, ch.result, name="Sơn Dương")
    with pytest.raises(OperationRefused, match="code"):
        endpoints.create_in_meeting(core, mid, "Lâm Bình", code="SD")
    roundtrip_undo(core, mid, endpoints.remove_from_meeting, ch.result)
    # the directory keeps the endpoint for other meetings
    assert any(d.name == "Huyện Na Hang" for d in reads.directory(core))


def test_people_operations(core: Core) -> None:
    b = small_meeting(core)
    mid = b.meeting_id
    ch = roundtrip_undo(core, mid, people.add_person, mid, "Âu Thị Mai",
                        posts=["Tỉnh ủy viên", "Giám đốc Sở Văn hóa, Thể thao và Du lịch"], is_recorder=True)
    # only one recorder
    assert [p.full_name for p in reads.people(core, mid) if p.is_recorder] == ["Âu Thị Mai"]
    roundtrip_undo(core, mid, people.update_person, ch.result, posts=["Giám đốc Sở"], chair_order=3)
    roundtrip_undo(core, mid, people.remove_person, ch.result)
    # a presenter removed keeps their name on the item
    roundtrip_undo(core, mid, people.remove_person, b.people["son"])
    assert reads.agenda(core, mid)[1].presenter_name == "Nguyễn Văn Sơn"


def test_speaker_operations(core: Core) -> None:
    b = small_meeting(core)
    mid = b.meeting_id
    r2 = roundtrip_undo(core, mid, speakers.add_request, b.items[1], b.people["lam"], topic="Chỉ đạo").result
    assert [s.position for s in reads.speakers(core, mid)] == [1, 2]
    roundtrip_undo(core, mid, speakers.move_request, r2, 0)
    assert [s.person_name for s in reads.speakers(core, mid)] == ["Chẩu Văn Lâm", "Giang Tuấn Anh"]
    roundtrip_undo(core, mid, speakers.update_request, r2, limit_minutes=7, summary="Tóm tắt")
    with pytest.raises(OperationRefused, match="limit_minutes"):
        speakers.update_request(core, r2, limit_minutes=0)
    roundtrip_undo(core, mid, speakers.remove_request, r2)
    assert [s.position for s in reads.speakers(core, mid)] == [1]
    # the request took the person's endpoint by default
    assert reads.speakers(core, mid)[0].endpoint_name == "Sơn Dương"


def test_award_operations(core: Core) -> None:
    from meeting_console.core import catalogue

    b = small_meeting(core)
    mid = b.meeting_id
    types = {t.name: t.id for t in catalogue.award_types(core)}
    g = roundtrip_undo(core, mid, awards.add_grant, mid, types["Huân chương Hồ Chí Minh"],
                       recipient_person_id=b.people["lam"], posthumous=True,
                       received_by="thân nhân đồng chí").result
    roundtrip_undo(core, mid, awards.update_grant, g, decision_number="123/QĐ-CTN")
    with pytest.raises(OperationRefused, match="received by"):
        awards.update_grant(core, g, received_by="")
    with pytest.raises(OperationRefused, match="collective"):
        awards.add_grant(core, mid, types["Huân chương Lao động hạng Ba"], recipient_kind="collective",
                         recipient_org_id=b.org, recipient_post="Giám đốc")
    roundtrip_undo(core, mid, awards.remove_grant, g)
    with pytest.raises(OperationRefused, match="receives an award"):
        people.remove_organisation(core, b.org)


def test_undo_across_meetings_is_separate(core: Core) -> None:
    a = meetings.create_meeting(core, "A", date(2022, 1, 1)).result
    b = meetings.create_meeting(core, "B", date(2022, 1, 2)).result
    meetings.update_meeting(core, a, place="Hà Nội")
    meetings.update_meeting(core, b, place="Huế")
    core.undo(a)
    assert reads.meeting(core, a).place == ""
    assert reads.meeting(core, b).place == "Huế"


def test_new_operation_clears_redo(core: Core) -> None:
    mid = meetings.create_meeting(core, "A", date(2022, 1, 1)).result
    meetings.update_meeting(core, mid, place="1")
    core.undo(mid)
    assert core.undo_status(mid).can_redo
    meetings.update_meeting(core, mid, place="2")
    assert not core.undo_status(mid).can_redo
    with pytest.raises(OperationRefused, match="nothing to redo"):
        core.redo(mid)


def test_undo_and_redo_are_journaled_never_deleted(core: Core) -> None:
    mid = meetings.create_meeting(core, "A", date(2022, 1, 1)).result
    meetings.update_meeting(core, mid, place="1")
    core.undo(mid)
    core.redo(mid)
    kinds = [e.kind for e in reads.journal(core, mid)]
    assert kinds == ["op", "op", "undo", "redo"]


def test_undo_refused_when_another_seat_changed_the_row(core: Core, db_path) -> None:
    mid = meetings.create_meeting(core, "A", date(2022, 1, 1)).result
    meetings.update_meeting(core, mid, place="1")
    # another console writes the same field outside this journal's undo chain
    with core.db.engine.begin() as conn:
        conn.execute(text("UPDATE meeting SET place='khác' WHERE id=:i"), {"i": mid})
    with pytest.raises(OperationRefused, match="changed since"):
        core.undo(mid)
    assert reads.meeting(core, mid).place == "khác"


def test_changes_since_reports_other_processes(core: Core, db_path, clock) -> None:
    other = Core.open(core.db.url, clock=clock, seat="clerk")  # the same database, another console
    try:
        hw = core.high_water()
        mid = meetings.create_meeting(other, "Từ máy khác", date(2022, 1, 3)).result
        top, changes = core.changes_since(hw)
        assert top > hw
        assert changes[-1].meeting_id == mid and "meeting" in changes[-1].areas
    finally:
        other.close()
