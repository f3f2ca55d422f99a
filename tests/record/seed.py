"""The seed article's conference (Tuyên Quang, 14/01/2022), built with the core operations,
and a replay of it as held, driven by a fake clock.

Everything here comes from the article (shared/seed/000_c7236aa0111db4a9.txt) except what it
does not say and a record needs: the record number, the recorder, delegate counts, the actual
times (close to the announced ones), and the connection incidents. Those are marked INVENTED.

Held data (actual times, speeches, presentations, status events) is set by ``set_fields`` and
``add_status_event``, test-only operations that write the ORM directly: the live operations
that will set them belong to other issues.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from meeting_console.core import agenda, awards, endpoints, meetings, people, reads, speakers
from meeting_console.core.api import Core, Tx, operation
from meeting_console.store import models as m

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2022, 1, 14)

MODELS = {
    "meeting": m.Meeting,
    "agenda_item": m.AgendaItem,
    "speaker_request": m.SpeakerRequest,
    "award_grant": m.AwardGrant,
    "meeting_endpoint": m.MeetingEndpoint,
    "person": m.Person,
    "endpoint": m.Endpoint,
    "organisation": m.Organisation,
}


def at(hhmm: str, seconds: int = 0) -> datetime:
    h, mi = (int(x) for x in hhmm.split(":"))
    return datetime(DAY.year, DAY.month, DAY.day, h, mi, seconds, tzinfo=TZ)


@operation("Test: set fields")
def set_fields(tx: Tx, table: str, row_id: int, **values: Any) -> None:
    obj = tx.get(MODELS[table], row_id)
    tx.meeting_id = getattr(obj, "meeting_id", None) or (row_id if table == "meeting" else None)
    for k, v in values.items():
        setattr(obj, k, v)


@operation("Test: endpoint status")
def add_status_event(tx: Tx, meeting_endpoint_id: int, when: datetime, status: str) -> None:
    me = tx.get(m.MeetingEndpoint, meeting_endpoint_id)
    tx.meeting_id = me.meeting_id
    tx.add(m.EndpointStatusEvent(meeting_endpoint_id=meeting_endpoint_id, at=when,
                                 status=status, automatic=True))
    me.status = status
    me.status_since = when


@operation("Test: award type")
def add_award_type(tx: Tx, name: str, precedence: int, authority: str, category: str) -> int:
    from sqlalchemy import select

    found = tx.session.scalars(select(m.AwardType).where(m.AwardType.name == name)).first()
    if found is not None:
        return found.id
    return tx.add(m.AwardType(name=name, precedence=precedence, authority=authority,
                              category=category, authority_kind="other")).id


# --- the article's facts --------------------------------------------------------------

TITLE = "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 8"
NUMBER = "12-BB/TU"  # INVENTED

ENDPOINTS = [  # name, kind, host, expected (INVENTED counts)
    ("Tỉnh ủy", "main_hall", "Chẩu Văn Lâm", 60),
    ("UBND tỉnh", "provincial", "Nguyễn Mạnh Tuấn", 40),
    ("thành phố Tuyên Quang", "district", "", 30),
    ("Lâm Bình", "district", "", 25),
    ("Na Hang", "district", "", 25),
    ("Chiêm Hóa", "district", "", 30),
    ("Hàm Yên", "district", "", 30),
    ("Yên Sơn", "district", "", 30),
    ("Sơn Dương", "district", "", 35),
    ("Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh", "bloc", "", 20),
]

PEOPLE = [  # name, posts, endpoint, chair order
    ("Chẩu Văn Lâm", ["ủy viên BCH Trung ương Đảng", "Bí thư Tỉnh ủy",
                      "Trưởng Đoàn ĐBQH tỉnh Tuyên Quang"], "Tỉnh ủy", 1),
    ("Lê Thị Kim Dung", ["Phó Bí thư Thường trực Tỉnh ủy", "Chủ tịch HĐND tỉnh"], "Tỉnh ủy", 2),
    ("Nguyễn Văn Sơn", ["Phó Bí thư Tỉnh ủy", "Chủ tịch UBND tỉnh"], "Tỉnh ủy", 3),
    ("Nguyễn Hồng Trang", ["Ủy viên BTV Tỉnh ủy", "Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy"],
     "Tỉnh ủy", None),
    ("Vân Đình Thảo", ["Ủy viên BTV Tỉnh ủy", "Giám đốc Sở Kế hoạch và Đầu tư"], "Tỉnh ủy", None),
    ("Nguyễn Việt Lâm", ["Tỉnh ủy viên", "Giám đốc Sở Giao thông vận tải"], "Tỉnh ủy", None),
    ("Hoàng Anh Cương", ["Tỉnh ủy viên", "Giám đốc Sở Công Thương"], "Tỉnh ủy", None),
    ("Nguyễn Văn Việt", ["Tỉnh ủy viên", "Giám đốc Sở Nông nghiệp và Phát triển nông thôn"],
     "Tỉnh ủy", None),
    ("Nguyễn Mạnh Tuấn", ["Phó Chủ tịch UBND tỉnh"], "UBND tỉnh", None),
    ("Giang Tuấn Anh", ["Phó Bí thư Huyện ủy", "Chủ tịch UBND huyện Sơn Dương"], "Sơn Dương", None),
    ("Phạm Mạnh Duyệt", ["Tỉnh ủy viên", "Giám đốc Sở Tài nguyên và Môi trường"], "Tỉnh ủy", None),
    ("Âu Thế Thái", ["Tỉnh ủy viên", "Phó Trưởng ban Thường trực Ban Tổ chức Tỉnh ủy"],
     "Tỉnh ủy", None),
    ("Nguyễn Hưng Vượng", ["Ủy viên Ban Thường vụ Tỉnh ủy", "Trưởng Ban Dân vận Tỉnh ủy",
                           "Chủ tịch Ủy ban MTTQ tỉnh"], "Tỉnh ủy", None),
    ("Âu Thị Mai", ["Tỉnh ủy viên", "Giám đốc Sở Văn hóa, Thể thao và Du lịch"], "Tỉnh ủy", None),
    ("Phùng Tiến Quân", ["Ủy viên BTV Tỉnh ủy", "Trưởng Ban Nội chính Tỉnh ủy",
                         "Trưởng Ban pháp chế HĐND tỉnh"], "Tỉnh ủy", None),
]
RECORDER = ("Hoàng Thị Minh Thư", ["Chuyên viên Văn phòng Tỉnh ủy"])  # INVENTED
POSTHUMOUS = "Trần Hoài Quang"
POSTHUMOUS_POST = ("nguyên Khu ủy viên Khu tự trị Việt Bắc, nguyên Bí thư Tỉnh ủy Tuyên Quang, "
                   "nguyên Bí thư Tỉnh ủy Hà Giang")
COLLECTIVE = "Sở Văn hóa, Thể thao và Du lịch"

ITEMS = [  # planned time, minutes, kind, title, presenter (person or text)
    ("8:00", 15, "opening", "Khai mạc hội nghị", "Chẩu Văn Lâm"),
    ("8:15", 20, "report",
     "Báo cáo công tác lãnh đạo thực hiện nhiệm vụ phát triển kinh tế - xã hội, quốc phòng, an "
     "ninh, xây dựng Đảng năm 2021; phương hướng, nhiệm vụ năm 2022", "Lê Thị Kim Dung"),
    ("8:35", 15, "report",
     "Báo cáo công tác kiểm tra, giám sát năm 2021; phương hướng, nhiệm vụ năm 2022",
     "Nguyễn Hồng Trang"),
    ("8:50", 10, "draft",
     "Dự thảo Kế hoạch của BCH Đảng bộ tỉnh thực hiện Kết luận số 21 của BCH Trung ương khóa "
     "XIII về đẩy mạnh xây dựng, chỉnh đốn Đảng và hệ thống chính trị",
     "=Trưởng Ban Tổ chức Tỉnh ủy"),
    ("9:00", 95, "discussion", "Thảo luận", "Nguyễn Văn Sơn"),
    ("10:35", 25, "commendation", "Công tác thi đua khen thưởng", ""),
    ("11:00", 10, "closing", "Bế mạc hội nghị", "Chẩu Văn Lâm"),
]

DISCUSSION = [  # speaker, endpoint, summary (from the article)
    ("Vân Đình Thảo", "Tỉnh ủy",
     "báo cáo tiến độ công tác quy hoạch tỉnh, giải ngân vốn đầu tư công; đề xuất đẩy mạnh "
     "chuyển đổi số."),
    ("Nguyễn Việt Lâm", "Tỉnh ủy",
     "giải pháp đẩy nhanh tiến độ các dự án giao thông trọng điểm của tỉnh."),
    ("Hoàng Anh Cương", "Tỉnh ủy",
     "đề xuất thành lập Làng văn hóa các dân tộc miền núi phía Bắc."),
    ("Nguyễn Văn Việt", "Tỉnh ủy", "đẩy mạnh tái cơ cấu ngành nông nghiệp."),
    ("Giang Tuấn Anh", "Sơn Dương",
     "năm 2021, huyện có 20/22 chỉ tiêu đạt và vượt kế hoạch đề ra."),
    ("Phạm Mạnh Duyệt", "Tỉnh ủy", "tháo gỡ vướng mắc trong giải phóng mặt bằng."),
    ("Âu Thế Thái", "Tỉnh ủy",
     "giao 244 việc đột phá cho 76 đồng chí; đề xuất quy định giao việc đột phá."),
    ("Nguyễn Hưng Vượng", "Tỉnh ủy",
     "xúc tiến thương mại; thực hiện “3 cùng”; đề án xóa nhà tạm, dột nát cho hộ nghèo."),
]

AWARD_TYPES = [  # name, precedence, authority, category
    ("Huân chương Hồ Chí Minh", 20, "Chủ tịch nước", "order"),
    ("Huân chương Lao động hạng Ba", 130, "Chủ tịch nước", "order"),
    ("Bằng khen của Thủ tướng Chính phủ", 500, "Thủ tướng Chính phủ", "certificate"),
    ("Kỷ niệm chương “Vì sự phát triển phụ nữ Việt Nam”", 800,
     "Trung ương Hội LHPN Việt Nam", "commemorative"),
]

GRANTS = [  # award, recipient (person or =organisation), post, posthumous, received by, presenter
    ("Huân chương Hồ Chí Minh", POSTHUMOUS, POSTHUMOUS_POST, True,
     "Thân nhân đồng chí Trần Hoài Quang", "=Lãnh đạo tỉnh"),
    ("Huân chương Lao động hạng Ba", "=" + COLLECTIVE, "", False, "", "Chẩu Văn Lâm"),
    ("Bằng khen của Thủ tướng Chính phủ", "Âu Thị Mai",
     "Tỉnh ủy viên, Giám đốc Sở Văn hóa, Thể thao và Du lịch", False, "", "Nguyễn Văn Sơn"),
    ("Kỷ niệm chương “Vì sự phát triển phụ nữ Việt Nam”", "Chẩu Văn Lâm",
     "Ủy viên BCH Trung ương Đảng, Bí thư Tỉnh ủy, Trưởng Đoàn đại biểu Quốc hội tỉnh", False, "",
     "Nguyễn Văn Sơn"),
    ("Kỷ niệm chương “Vì sự phát triển phụ nữ Việt Nam”", "Phùng Tiến Quân",
     "Ủy viên BTV Tỉnh ủy, Trưởng Ban Nội chính Tỉnh ủy, Trưởng Ban pháp chế HĐND tỉnh", False,
     "", "Nguyễn Văn Sơn"),
    ("Kỷ niệm chương “Vì sự phát triển phụ nữ Việt Nam”", "Nguyễn Hồng Trang",
     "Ủy viên BTV Tỉnh ủy, Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy", False, "", "Nguyễn Văn Sơn"),
]

CLOSING = (
    "Kết luận hội nghị, đồng chí Bí thư Tỉnh ủy Chẩu Văn Lâm nhấn mạnh, năm 2022 có ý nghĩa rất "
    "quan trọng, là năm tạo nền tảng để thực hiện thắng lợi các nhiệm vụ của giai đoạn 2020-2025."
)


@dataclass
class Seeded:
    meeting_id: int
    endpoints: dict[str, int] = field(default_factory=dict)  # name → meeting endpoint id
    people: dict[str, int] = field(default_factory=dict)
    items: list[int] = field(default_factory=list)
    speeches: list[int] = field(default_factory=list)
    grants: list[int] = field(default_factory=list)


def seed_article(core: Core, *, body_type: str = "party", language: str = "vi") -> Seeded:
    """The conference as planned (a draft meeting)."""
    mid = meetings.create_meeting(
        core, TITLE, DAY, parent_body="Đảng bộ tỉnh Tuyên Quang", issuing_body="Tỉnh ủy",
        body_type=body_type, record_number=NUMBER, place="Hội trường Tỉnh ủy Tuyên Quang",
        city="Tuyên Quang", form="online", language=language,
    ).result
    s = Seeded(mid)
    for name, kind, host, expected in ENDPOINTS:
        s.endpoints[name] = endpoints.create_in_meeting(
            core, mid, name, kind=kind, host=host, expected_delegates=expected).result
    for name, posts, ep, chair in PEOPLE:
        s.people[name] = people.add_person(
            core, mid, name, posts=posts, meeting_endpoint_id=s.endpoints[ep],
            chair_order=chair, category="member").result
    s.people[RECORDER[0]] = people.add_person(
        core, mid, RECORDER[0], posts=RECORDER[1], category="staff", is_recorder=True).result
    s.people[POSTHUMOUS] = people.add_person(core, mid, POSTHUMOUS, category="invited").result
    org = people.add_organisation(core, mid, COLLECTIVE).result
    for hhmm, minutes, kind, title, presenter in ITEMS:
        fields: dict[str, Any] = {"kind": kind, "planned_start": at(hhmm),
                                  "planned_minutes": minutes}
        if presenter.startswith("="):
            fields["presenter_text"] = presenter[1:]
        elif presenter:
            fields["presenter_id"] = s.people[presenter]
        s.items.append(agenda.add_item(core, mid, title, **fields).result)
    discussion = s.items[4]
    for name, ep, _summary in DISCUSSION:
        s.speeches.append(speakers.add_request(
            core, discussion, s.people[name], meeting_endpoint_id=s.endpoints[ep]).result)
    types = {n: add_award_type(core, n, p, a, c).result for n, p, a, c in AWARD_TYPES}
    for group, (award, recipient, post, posthumous, received_by, presenter) in enumerate(GRANTS):
        fields: dict[str, Any] = {"recipient_post": post, "posthumous": posthumous,
                                  "received_by": received_by, "agenda_item_id": s.items[5],
                                  "group_no": min(group, 3) + 1}
        if recipient.startswith("="):
            fields.update(recipient_kind="collective", recipient_org_id=org)
        else:
            fields.update(recipient_kind="individual", recipient_person_id=s.people[recipient])
        if presenter.startswith("="):
            fields["presenter_text"] = presenter[1:]
        else:
            fields["presenter_id"] = s.people[presenter]
        s.grants.append(awards.add_grant(core, mid, types[award], **fields).result)
    return s


# --- the replay --------------------------------------------------------------------------

ACTUAL = [  # item index → actual start, end (INVENTED, close to the announced times)
    ("8:00", "8:14"), ("8:14", "8:36"), ("8:36", "8:51"), ("8:51", "9:01"),
    ("9:01", "10:37"), ("10:37", "11:01"), ("11:01", "11:10"),
]
SPEECH_TIMES = [("9:05", "9:15"), ("9:15", "9:25"), ("9:25", "9:35"), ("9:35", "9:45"),
                ("9:45", "9:57"), ("9:57", "10:07"), ("10:07", "10:20"), ("10:20", "10:35")]
PRESENTED = ["10:40", "10:45", "10:50", "10:55", "10:55", "10:55"]
# (endpoint, time, status) INVENTED incidents: Lâm Bình lost during the 2nd speech; Na Hang
# unstable then lost during the ceremony; Hàm Yên lost near the end and never came back.
INCIDENTS = [
    ("Lâm Bình", "9:18", "lost"), ("Lâm Bình", "9:23", "connected"),
    ("Na Hang", "10:41", "unstable"), ("Na Hang", "10:42", "lost"),
    ("Na Hang", "10:47", "connected"),
    ("Hàm Yên", "11:05", "lost"),
]


def hold(core: Core, meeting_id: int, clock: Any = None) -> None:
    """Replay the conference as held, in time order: connections, items, speeches, awards,
    incidents, closing. Works on any meeting shaped like the article (seven items, the
    discussion fifth, six grants, the article's bridge points): the one ``seed_article``
    builds, or the demo file imported. With a ``clock`` the journal gets the replay's times."""
    snap = reads.snapshot(core, meeting_id)
    eps = {e.name.casefold(): e for e in snap.endpoints}
    items = [i.id for i in snap.agenda]
    discussion = [r.id for r in snap.speakers if r.agenda_item_id == items[4]]
    grants = [g.id for g in snap.grants]
    steps: list[tuple[datetime, int, Any]] = []

    def step(when: datetime, fn: Any, *args: Any, **kw: Any) -> None:
        steps.append((when, len(steps), lambda: fn(core, *args, **kw)))

    for e in snap.endpoints:
        step(at("7:45"), add_status_event, e.id, at("7:45"), "connected")
        step(at("7:50"), set_fields, "meeting_endpoint", e.id,
             present_delegates=max(e.expected_delegates - 1, 0))
    for p in snap.people:
        if p.category == "staff" or any(g.posthumous and g.recipient_person_id == p.id
                                        for g in snap.grants):
            continue
        main = p.meeting_endpoint_id in (None, eps["tỉnh ủy"].id)
        step(at("7:55"), set_fields, "person", p.id, attendance="in_person" if main else "online")
    step(at("8:00"), set_fields, "meeting", meeting_id, status="live", actual_start=at("8:00"))
    for item, (start, end) in zip(items, ACTUAL, strict=True):
        step(at(start), set_fields, "agenda_item", item, status="running",
             actual_start=at(start))
        step(at(end), set_fields, "agenda_item", item, status="done", actual_end=at(end))
    for j, (a, b) in enumerate(SPEECH_TIMES):
        step(at(a, 1), set_fields, "speaker_request", discussion[j], status="speaking",
             position=None, actual_start=at(a, 1))
        step(at(b), set_fields, "speaker_request", discussion[j], status="done",
             actual_end=at(b), summary=DISCUSSION[j][2])
    for g, hhmm in zip(grants, PRESENTED, strict=True):
        step(at(hhmm), set_fields, "award_grant", g, presented_at=at(hhmm))
    for ep, hhmm, status in INCIDENTS:
        step(at(hhmm), add_status_event, eps[ep.casefold()].id, at(hhmm), status)
    for e in snap.endpoints:
        if e.name != "Hàm Yên":
            step(at("11:10", 30), add_status_event, e.id, at("11:10", 30), "left")
    fields: dict[str, Any] = {"status": "closed", "actual_end": at("11:10")}
    if not snap.meeting.closing_remarks:
        fields["closing_remarks"] = CLOSING
    step(at("11:10"), set_fields, "meeting", meeting_id, **fields)
    for when, _n, run in sorted(steps, key=lambda x: (x[0], x[1])):
        if clock is not None:
            clock.set(when)
        run()
