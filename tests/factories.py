"""Small meetings built through the core operations, for tests."""

from __future__ import annotations

from dataclasses import dataclass

from meeting_console.core import agenda, awards, catalogue, endpoints, meetings, people, speakers
from meeting_console.core.api import Core
from meeting_console.core.timefmt import at_local

TZ = "Asia/Ho_Chi_Minh"


@dataclass
class Built:
    meeting_id: int
    items: list[int]
    people: dict[str, int]
    endpoints: dict[str, int]
    org: int
    requests: list[int]
    grants: list[int]


def small_meeting(core: Core) -> Built:
    from datetime import date

    day = date(2022, 1, 14)
    mid = meetings.create_meeting(
        core, "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 8", day,
        number="lần thứ 8", parent_body="ĐẢNG BỘ TỈNH TUYÊN QUANG", issuing_body="TỈNH ỦY",
        place="Hội trường Tỉnh ủy", city="Tuyên Quang", form="online",
    ).result
    eps = {
        name: endpoints.create_in_meeting(core, mid, name, kind=kind, code=code, expected_delegates=n).result
        for name, kind, code, n in [
            ("Tỉnh ủy", "main_hall", "TU", 80),
            ("Sơn Dương", "district", "SD", 25),
            ("Chiêm Hóa", "district", "CH", 20),
        ]
    }
    ppl = {
        "lam": people.add_person(core, mid, "Chẩu Văn Lâm", posts=["Bí thư Tỉnh ủy"], chair_order=1).result,
        "son": people.add_person(core, mid, "Nguyễn Văn Sơn", posts=["Chủ tịch UBND tỉnh"], chair_order=2).result,
        "anh": people.add_person(core, mid, "Giang Tuấn Anh", posts=["Chủ tịch UBND huyện Sơn Dương"],
                                 meeting_endpoint_id=eps["Sơn Dương"]).result,
        "thu": people.add_person(core, mid, "Nguyễn Thị Thư", posts=["Chuyên viên"], is_recorder=True).result,
    }
    org = people.add_organisation(core, mid, "Sở Văn hóa, Thể thao và Du lịch").result
    items = [
        agenda.add_item(core, mid, "Khai mạc hội nghị", number="1", kind="opening", presenter_id=ppl["lam"],
                        planned_start=at_local(day, 8, 0, TZ), planned_minutes=15).result,
        agenda.add_item(core, mid, "Thảo luận", number="2", kind="discussion", presenter_id=ppl["son"],
                        planned_start=at_local(day, 8, 15, TZ), planned_minutes=60).result,
        agenda.add_item(core, mid, "Bế mạc hội nghị", number="3", kind="closing", presenter_id=ppl["lam"],
                        planned_start=at_local(day, 9, 15, TZ), planned_minutes=15).result,
    ]
    reqs = [speakers.add_request(core, items[1], ppl["anh"], topic="Thu ngân sách").result]
    catalogue.seed_catalogue(core)
    types = {t.name: t.id for t in catalogue.award_types(core)}
    grants = [
        awards.add_grant(core, mid, types["Huân chương Lao động hạng Ba"], recipient_kind="collective",
                         recipient_org_id=org, presenter_id=ppl["lam"]).result,
    ]
    return Built(mid, items, ppl, eps, org, reqs, grants)
