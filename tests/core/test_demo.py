"""The demo meeting tells what the article tells: every check below compares the imported
meeting with sentences copied verbatim from the live report of 14 January 2022."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from meeting_console.core import catalogue, meeting_file, reads
from meeting_console.core.api import Core
from meeting_console.paths import resource

DEMO = resource("demo", "tuyen-quang-2022-01-14.yaml")
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# --- the article, verbatim -----------------------------------------------------------------

LEAD = (
    "Trực tiếp- Sáng 14 - 1, Ban Thường vụ Tỉnh ủy tổ chức Hội nghị Ban Chấp hành Đảng bộ "
    "tỉnh lần thứ 8. Hội nghị được tổ chức trực tuyến từ điểm cầu Tỉnh ủy tới điểm cầu UBND "
    "tỉnh, các huyện ủy, thành ủy, Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh."
)
CHAIRS = (
    "Chủ trì tại điểm cầu Tỉnh ủy có các đồng chí: Chẩu Văn Lâm, ủy viên BCH Trung ương "
    "Đảng, Bí thư Tỉnh ủy, Trưởng Đoàn ĐBQH tỉnh Tuyên Quang; Lê Thị Kim Dung, Phó Bí thư "
    "Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh; Nguyễn Văn Sơn, Phó Bí thư Tỉnh ủy, Chủ tịch "
    "UBND tỉnh."
)
HEADINGS = [
    "8h00: Khai mạc hội nghị",
    "8h15: Báo cáo công tác lãnh đạo thực hiện nhiệm vụ phát triển kinh tế - xã hội, quốc "
    "phòng, an ninh, xây dựng Đảng năm 2021; phương hướng, nhiệm vụ năm 2022.",
    "8h35: Báo cáo công tác kiểm tra, giám sát năm 2021; phương hướng, nhiệm vụ năm 2022",
    "8h50: Dự thảo Kế hoạch của BCH Đảng bộ tỉnh thực hiện Kết luận số 21 của BCH Trung ương "
    "khóa XIII về đẩy mạnh xây dựng, chính đốn Đảng và hệ thống chính trị; kiên quyết ngăn "
    "chặn, đẩy lùi, xử lý nghiêm cán bộ, đảng viên suy thoái về tư tưởng chính trị, đạo đức, "
    "lối sống, biểu hiện “tự diễn biến”, “tự chuyển hóa”",
    "9h00: Thảo luận",
    "10h35: Công tác thi đua khen thưởng",
    "11h00: Bế mạc hội nghị",
]
PRESENTERS = [
    "Đồng chí Bí thư Tỉnh ủy Chẩu Văn Lâm phát biểu khai mạc hội nghị.",
    "Đồng chí Phó Bí thư Thường trực Tỉnh ủy Lê Thị Kim Dung trình bày báo cáo.",
    "Đồng chí Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy Nguyễn Hồng Trang trình bày Báo cáo.",
    "Đồng chí Trưởng Ban Tổ chức Tỉnh ủy trình bày Dự thảo.",
    "Định hướng thảo luận, đồng chí Chủ tịch UBND tỉnh Nguyễn Văn Sơn đề nghị",
    None,
    "Kết luận hội nghị, đồng chí Bí thư Tỉnh ủy Chẩu Văn Lâm nhấn mạnh",
]
KINDS = ["opening", "report", "report", "draft", "discussion", "commendation", "closing"]
SPEECHES = [  # the opening words of each speech in the discussion, in the article's order
    "Đồng chí Vân Đình Thảo, Ủy viên BTV Tỉnh ủy, Giám đốc Sở Kế hoạch và Đầu tư báo cáo",
    "Đồng chí Nguyễn Việt Lâm, Tỉnh ủy viên, Giám đốc Sở Giao thông vận tải thảo luận",
    "Đồng chí Hoàng Anh Cương, Tỉnh ủy viên, Giám đốc Sở Công Thương cho biết",
    "Đồng chí Nguyễn Văn Việt, Tỉnh ủy viên, Giám đốc Sở Nông nghiệp và Phát triển nông thôn "
    "đề nghị",
    "Đồng chí Giang Tuấn Anh, Phó Bí thư Huyện ủy, Chủ tịch UBND huyện Sơn Dương cho biết",
    "Đồng chí Phạm Mạnh Duyệt, Tỉnh ủy viên, Giám đốc Sở Tài nguyên và Môi trường báo cáo",
    "Đồng chí Âu Thế Thái, Tỉnh ủy viên, Phó Trưởng ban Thường trực Ban Tổ chức Tỉnh ủy báo cáo",
    "Đồng chí Nguyễn Hưng Vượng, Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Dân vận Tỉnh ủy, "
    "Chủ tịch Ủy ban MTTQ tỉnh đề xuất",
]
ENDPOINT_CAPTIONS = [  # every bridge point the article names
    "điểm cầu Tỉnh ủy",
    "điểm cầu UBND tỉnh",
    "Điểm cầu Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh.",
    "Điểm cầu thành phố Tuyên Quang.",
    "Điểm cầu Sơn Dương.",
    "Điểm cầu Chiêm Hóa.",
    "Điểm cầu Lâm Bình.",
    "Điểm cầu Hàm Yên.",
    "Điểm cầu Yên Sơn.",
    "Điểm cầu Na Hang.",
]
ENDPOINT_KINDS = ["main_hall", "provincial", "bloc"] + ["district"] * 7
UBND_HOST = "Phó Chủ tịch UBND tỉnh Nguyễn Mạnh Tuấn chủ trì tại điểm cầu UBND tỉnh."
HCM = (
    "Truy tặng Huân chương Hồ Chí Minh của Chủ tịch nước cho đồng chí Trần Hoài Quang, nguyên "
    "Khu ủy viên Khu tự trị Việt Bắc, nguyên Bí thư Tỉnh ủy Tuyên Quang, nguyên Bí thư Tỉnh ủy "
    "Hà Giang đã có công lao to lớn và nhiều thành tích xuất sắc trong công tác, đóng góp vào "
    "sự nghiệp cách mạng của Đảng và của dân tộc."
)
HCM_GIVEN = (
    "Lãnh đạo tỉnh trao Huân chương Hồ Chí Minh của Chủ tịch nước cho thân nhân đồng chí "
    "Trần Hoài Quang."
)
LD3 = (
    "Trao Huân chương Lao động hạng Ba cho Sở Văn hóa, Thể thao và Du lịch đã có thành tích "
    "xuất sắc trong triển khai, tổ chức, thực hiện phong trào Toàn dân đoàn kết xây dựng đời "
    "sống văn hóa giai đoạn 2000 – 2020, góp phần vào sự nghiệp xây dựng CNXH và bảo vệ Tổ "
    "quốc."
)
LD3_GIVEN = (
    "Đồng chí Bí thư Tỉnh ủy Chẩu Văn Lâm trao Huân chương Lao động hạng Ba cho Sở Văn hóa, "
    "Thể thao và Du lịch."
)
BK = (
    "Trao Bằng khen của Thủ tướng Chính phủ cho đồng chí Âu Thị Mai, Tỉnh ủy viên, Giám đốc Sở "
    "Văn hóa, Thể thao và Du lịch đã có thành tích xuất sắc trong triển khai, tổ chức, thực "
    "hiện phong trào Toàn dân đoàn kết xây dựng đời sống văn hóa giai đoạn 2000 – 2020."
)
BK_GIVEN = (
    "Đồng chí Chủ tịch UBND tỉnh Nguyễn Văn Sơn trao Bằng khen của Thủ tướng Chính phủ cho "
    "đồng chí Âu Thị Mai,"
)
KNC = (
    "Trao Kỷ niệm chương “Vì sự phát triển phụ nữ Việt Nam” của Trung ương Hội LHPN Việt Nam "
    "cho các đồng chí đã có nhiều thành tích, đóng góp cho sự bình đẳng và phát triển phụ nữ "
    "Việt Nam, gồm: Đồng chí Chẩu Văn Lâm, Ủy viên BCH Trung ương Đảng, Bí thư Tỉnh ủy, "
    "Trưởng Đoàn đại biểu Quốc hội tỉnh; Phùng Tiến Quân, Ủy viên BTV Tỉnh ủy, Trưởng Ban Nội "
    "chính Tỉnh ủy, Trưởng Ban pháp chế HĐND tỉnh; Nguyễn Hồng Trang, Ủy viên BTV Tỉnh ủy, "
    "Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy."
)
KNC_GIVEN = (
    "Đồng chí Chủ tịch UBND tỉnh Nguyễn Văn Sơn trao Kỷ niệm chương “Vì sự phát triển phụ "
    "nữ Việt Nam”"
)


@pytest.fixture
def snap(core: Core) -> reads.MeetingSnapshot:
    mid = meeting_file.import_meeting(core, DEMO).result
    return reads.snapshot(core, mid)


def local(value):  # type: ignore[no-untyped-def]
    return value.astimezone(TZ)


def test_meeting_details(snap: reads.MeetingSnapshot) -> None:
    mt = snap.meeting
    assert mt.title == "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 8"
    assert f"tổ chức {mt.title}." in LEAD
    assert mt.number == "lần thứ 8" and mt.number in mt.title
    assert mt.parent_body == "ĐẢNG BỘ TỈNH TUYÊN QUANG"
    assert mt.issuing_body == "TỈNH ỦY"
    assert mt.body_type == "party"
    assert mt.date == date(2022, 1, 14)
    assert mt.city == "Tuyên Quang"
    assert "điểm cầu Tỉnh ủy" in mt.place
    assert mt.timezone == "Asia/Ho_Chi_Minh"
    assert mt.form == "online" and "trực tuyến" in LEAD
    assert mt.status == "draft"
    assert mt.summary in LEAD
    assert mt.closing_remarks.startswith(PRESENTERS[-1])
    assert mt.record_number == ""  # the article gives none
    assert snap.recorder is None


def test_nothing_has_happened_yet(snap: reads.MeetingSnapshot) -> None:
    assert snap.meeting.actual_start is None and snap.meeting.actual_end is None
    assert all(i.actual_start is None and i.status == "pending" for i in snap.agenda)
    assert all(s.actual_start is None and s.status == "queued" for s in snap.speakers)
    assert all(g.presented_at is None for g in snap.grants)
    assert all(e.status == "not_connected" for e in snap.endpoints)


def test_chairs_in_the_articles_order_with_their_posts(snap: reads.MeetingSnapshot) -> None:
    chairs = snap.chairs
    assert [p.full_name for p in chairs] == ["Chẩu Văn Lâm", "Lê Thị Kim Dung", "Nguyễn Văn Sơn"]
    written = "; ".join(f"{p.full_name}, {', '.join(p.posts)}" for p in chairs)
    assert f"có các đồng chí: {written}." in CHAIRS
    assert all(p.meeting_endpoint_id == snap.endpoints[0].id for p in chairs)


def test_agenda_items_times_and_presenters(snap: reads.MeetingSnapshot) -> None:
    assert len(snap.agenda) == 7
    for item, heading, presenter, kind in zip(
        snap.agenda, HEADINGS, PRESENTERS, KINDS, strict=True
    ):
        start = local(item.planned_start)
        assert start.date() == date(2022, 1, 14)
        assert heading == f"{start.hour}h{start.minute:02d}: {item.title}"
        assert item.kind == kind
        if presenter is None:
            assert item.presenter_id is None and item.presenter_text == ""
        elif item.presenter_id is None:
            assert f"{item.presenter_text} trình bày" in presenter
        else:
            assert item.presenter_name in presenter
    for item, following in zip(snap.agenda, snap.agenda[1:], strict=False):
        assert (
            item.planned_start + timedelta(minutes=item.planned_minutes) == following.planned_start
        )
    assert snap.agenda[-1].planned_minutes == 15
    assert [i.presenter_name for i in snap.agenda] == [
        "Chẩu Văn Lâm",
        "Lê Thị Kim Dung",
        "Nguyễn Hồng Trang",
        "Đồng chí Trưởng Ban Tổ chức Tỉnh ủy",
        "Nguyễn Văn Sơn",
        "",
        "Chẩu Văn Lâm",
    ]


def test_every_endpoint_the_article_names(snap: reads.MeetingSnapshot) -> None:
    assert len(snap.endpoints) == len(ENDPOINT_CAPTIONS)
    for ep, caption, kind in zip(snap.endpoints, ENDPOINT_CAPTIONS, ENDPOINT_KINDS, strict=True):
        assert caption.rstrip(".").lower().endswith(f"điểm cầu {ep.name}".lower()), ep.name
        assert ep.kind == kind
        assert ep.code and ep.expected_delegates > 0  # illustrative counts
    codes = [e.code for e in snap.endpoints]
    assert len(set(codes)) == len(codes)
    ubnd = snap.endpoints[1]
    assert ubnd.name == "UBND tỉnh"
    assert f"{ubnd.host} chủ trì tại điểm cầu {ubnd.name}." == UBND_HOST
    tuan = next(p for p in snap.people if p.full_name == "Nguyễn Mạnh Tuấn")
    assert tuan.meeting_endpoint_id == ubnd.id
    assert f"{tuan.posts[0]} {tuan.full_name} chủ trì" in UBND_HOST


def test_discussion_speakers_in_order_with_posts(snap: reads.MeetingSnapshot) -> None:
    discussion = snap.agenda[4]
    assert [s.agenda_item_id for s in snap.speakers] == [discussion.id] * 8
    assert [s.position for s in snap.speakers] == list(range(1, 9))
    for speaker, speech in zip(snap.speakers, SPEECHES, strict=True):
        assert speech.startswith(
            f"Đồng chí {speaker.person_name}, {', '.join(speaker.person_posts)} "
        )
        # the article places no speaker at an endpoint: empty means the main hall
        assert speaker.meeting_endpoint_id is None and speaker.endpoint_name == ""
        assert speaker.topic


def _authority(core: Core, name: str) -> catalogue.AwardTypeInfo:
    return next(t for t in catalogue.award_types(core) if t.name == name)


def test_awards_with_recipients_presenters_and_authorities(
    core: Core, snap: reads.MeetingSnapshot
) -> None:
    g = snap.grants
    assert [x.award_name for x in g] == [
        "Huân chương Hồ Chí Minh",
        "Huân chương Lao động hạng Ba",
        "Bằng khen của Thủ tướng Chính phủ",
    ] + ["Kỷ niệm chương “Vì sự phát triển phụ nữ Việt Nam”"] * 3
    commendation = snap.agenda[5]
    assert all(x.agenda_item_id == commendation.id for x in g)
    assert [x.ceremony_position for x in g] == [1, 2, 3, 4, 5, 6]
    # presented from the highest rank down (the article's order is the legal one)
    assert [x.award_precedence for x in g] == sorted(x.award_precedence for x in g)

    hcm = g[0]
    assert hcm.posthumous and HCM.startswith("Truy tặng ")
    assert (
        f"{hcm.award_name} của {hcm.authority} cho đồng chí {hcm.recipient_name}, "
        f"{hcm.recipient_post} {hcm.citation}." in HCM
    )
    assert hcm.received_by == "thân nhân đồng chí Trần Hoài Quang"
    assert (
        f"{hcm.presenter_name} trao {hcm.award_name} của {hcm.authority} cho "
        f"{hcm.received_by}." == HCM_GIVEN
    )
    assert hcm.presenter_id is None and hcm.presenter_text == "Lãnh đạo tỉnh"
    assert snap.person(hcm.recipient_person_id).posts == (
        "nguyên Khu ủy viên Khu tự trị Việt Bắc",
        "nguyên Bí thư Tỉnh ủy Tuyên Quang",
        "nguyên Bí thư Tỉnh ủy Hà Giang",
    )
    assert hcm.authority == "Chủ tịch nước"

    ld3 = g[1]
    assert ld3.recipient_kind == "collective" and ld3.recipient_post == ""
    assert f"Trao {ld3.award_name} cho {ld3.recipient_name} {ld3.citation}." == LD3
    assert (
        f"Đồng chí Bí thư Tỉnh ủy {ld3.presenter_name} trao {ld3.award_name} cho "
        f"{ld3.recipient_name}." == LD3_GIVEN
    )
    assert ld3.authority == "Chủ tịch nước"

    bk = g[2]
    assert (
        f"Trao {bk.award_name} cho đồng chí {bk.recipient_name}, {bk.recipient_post} "
        f"{bk.citation}." == BK
    )
    assert BK_GIVEN.startswith(
        f"Đồng chí Chủ tịch UBND tỉnh {bk.presenter_name} trao "
        f"{bk.award_name} cho đồng chí {bk.recipient_name},"
    )
    assert bk.authority == "Thủ tướng Chính phủ" and bk.award_name.endswith(bk.authority)
    mai = snap.person(bk.recipient_person_id)
    assert mai.organisation == ld3.recipient_name

    knc = g[3:]
    assert len({x.group_no for x in knc}) == 1
    assert len({x.group_no for x in g}) == 4  # the others are presented one by one
    listed = "; ".join(f"{x.recipient_name}, {x.recipient_post}" for x in knc)
    assert f"gồm: Đồng chí {listed}." in KNC
    assert all(f"cho các đồng chí {x.citation}, gồm:" in KNC for x in knc)
    assert all(x.presenter_name == "Nguyễn Văn Sơn" for x in knc)
    assert KNC_GIVEN.startswith(
        f"Đồng chí Chủ tịch UBND tỉnh {knc[0].presenter_name} trao {knc[0].award_name}"
    )
    kind = _authority(core, knc[0].award_name)
    assert kind.authority_kind == "central" and "Phụ nữ Việt Nam" in kind.authority
    assert f"{knc[0].award_name} của Trung ương Hội LHPN Việt Nam" in KNC


def test_every_text_is_nfc(snap: reads.MeetingSnapshot) -> None:
    texts = [snap.meeting.title, snap.meeting.summary, snap.meeting.closing_remarks]
    texts += [p.full_name for p in snap.people] + [t for p in snap.people for t in p.posts]
    texts += [i.title for i in snap.agenda] + [e.name for e in snap.endpoints]
    texts += [x for g in snap.grants for x in (g.citation, g.recipient_post, g.received_by)]
    for value in texts:
        assert unicodedata.is_normalized("NFC", value), value
    raw = DEMO.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", raw)
