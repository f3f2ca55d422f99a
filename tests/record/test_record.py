"""The session record read back from the PDF: header lines, every fact of the seed meeting
with its diacritics, embedded fonts, page numbers, the planned programme, NFC output."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from meeting_console.core import reads
from meeting_console.core.api import Core
from meeting_console.core.clock import FakeClock
from meeting_console.errors import NotFound
from meeting_console.record import build_attendance_report, build_awards_list, build_record
from meeting_console.record import styles as rst
from tests.record import article, seed
from tests.record.conftest import pdf_pages, pdf_text


@pytest.fixture(scope="module")
def held_core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Core, seed.Seeded]]:
    """The article's meeting, seeded and replayed as held once for the module."""
    clock = FakeClock(seed.at("7:00"))
    core = Core.open(str(tmp_path_factory.mktemp("held") / "meetings.db"), clock=clock)
    s = seed.seed_article(core)
    seed.hold(core, s.meeting_id, clock)
    yield core, s
    core.close()


@pytest.fixture(scope="module")
def held_pdf(held_core: tuple[Core, seed.Seeded],
             tmp_path_factory: pytest.TempPathFactory) -> Path:
    core, s = held_core
    return build_record(core, s.meeting_id, tmp_path_factory.mktemp("pdf") / "bien-ban.pdf")


def top_margin_texts(path: Path) -> list[list[str]]:
    """Per page, the texts drawn in the top margin (where the page number goes)."""
    out = []
    for page in PdfReader(str(path)).pages:
        height = float(page.mediabox.height)
        found: list[str] = []

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float,
                  found: list[str] = found, height: float = height) -> None:
            y = tm[5] * cm[3] + cm[5]
            if text.strip() and y > height - rst.TOP:
                found.append(text.strip())

        page.extract_text(visitor_text=visit)
        out.append(found)
    return out


def test_held_record_header_and_title(held_pdf: Path) -> None:
    out = held_pdf
    assert out.name == "bien-ban.pdf" and out.is_absolute()
    first = [" ".join(line.split()) for line in pdf_pages(out)[0].splitlines()]
    for line in ["ĐẢNG BỘ TỈNH TUYÊN QUANG", "TỈNH ỦY", "*", "Số 12-BB/TU",
                 "ĐẢNG CỘNG SẢN VIỆT NAM", article.DATE, "BIÊN BẢN",
                 "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 8"]:
        assert line in first, line
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in pdf_text(out)
    assert "CHƯƠNG TRÌNH" not in pdf_text(out)


def test_held_record_has_every_fact_of_the_article(held_pdf: Path) -> None:
    text = pdf_text(held_pdf)
    for fact in [*article.NAMES, *article.POSTS, *article.ENDPOINTS, *article.AWARDS,
                 *article.TIMES, *article.ITEMS, article.COLLECTIVE, article.POSTHUMOUS]:
        assert fact in text, fact
    # section 1: actual opening, place, form
    assert "Thời gian: bắt đầu vào hồi 8 giờ 00, ngày 14 tháng 01 năm 2022." in text
    assert "Địa điểm: Hội trường Tỉnh ủy Tuyên Quang." in text
    assert "Hình thức: trực tuyến từ điểm cầu Tỉnh ủy tới 9 điểm cầu." in text
    # section 2: chairs in order, recorder
    chairs = [text.index(n) for n in ("Chủ trì:", "Chẩu Văn Lâm", "Lê Thị Kim Dung",
                                      "Nguyễn Văn Sơn")]
    assert chairs == sorted(chairs)
    assert "Thư ký (người ghi biên bản): Hoàng Thị Minh Thư, Chuyên viên Văn phòng Tỉnh ủy." in text
    # section 3: attendance per person and per bridge point, totals
    assert "Đại biểu chính thức: có mặt 15/15" in text
    assert "Lâm Bình 24/25 7h45–11h10 9h18–9h23 mất tín hiệu" in text
    assert "Na Hang 24/25 7h45–11h10 10h41–10h47 mất tín hiệu" in text
    assert "Hàm Yên 29/30 7h45–11h05 11h05 mất tín hiệu, chưa khôi phục" in text
    assert "Tổng cộng: 10 điểm cầu 315/325" in text
    # section 4: every item with planned and actual times, in order
    def clock(hhmm: str) -> str:
        h, mi = hhmm.split(":")
        return f"{int(h)} giờ {mi}"

    for title, (start, end) in zip(article.ITEMS, seed.ACTUAL, strict=True):
        assert title in text
        assert f"thực tế {clock(start)} – {clock(end)}" in text
    assert ("Thời gian: dự kiến 8 giờ 15 (20 phút); thực tế 8 giờ 14 – 8 giờ 36 (22 phút)."
            in text)
    assert ("Thời gian: dự kiến 9 giờ 00 (1 giờ 35 phút); thực tế 9 giờ 01 – 10 giờ 37 "
            "(1 giờ 36 phút)." in text)
    assert "Trình bày: Trưởng Ban Tổ chức Tỉnh ủy." in text
    positions = [text.index(f"{n}. {t}") for n, t in enumerate(article.ITEMS, start=1)]
    assert positions == sorted(positions)
    # the speeches: speaker, post, endpoint, start–end, duration, summary, in order
    assert ("1. Vân Đình Thảo, Ủy viên BTV Tỉnh ủy, Giám đốc Sở Kế hoạch và Đầu tư, tại điểm "
            "cầu Tỉnh ủy, 9h05 – 9h15, 10 phút: báo cáo tiến độ công tác quy hoạch tỉnh" in text)
    assert ("5. Giang Tuấn Anh, Phó Bí thư Huyện ủy, Chủ tịch UBND huyện Sơn Dương, tại điểm cầu "
            "Sơn Dương, 9h45 – 9h57, 12 phút: năm 2021, huyện có 20/22 chỉ tiêu" in text)
    speeches = [text.index(f"{n}. {name}") for n, (name, _e, _s) in
                enumerate(seed.DISCUSSION, start=1)]
    assert speeches == sorted(speeches)
    # section 5: the ceremony in order, with its times
    assert "Hội nghị đã trao khen thưởng cho 6 cá nhân, tập thể theo thứ tự sau." in text
    for hhmm in ("10h40", "10h45", "10h50", "10h55"):
        assert hhmm in text
    assert "nhận thay: Thân nhân đồng chí Trần Hoài Quang" in text
    awards_at = [text.index(a) for a in article.AWARDS]
    assert awards_at == sorted(awards_at)
    # sections 6 and 7
    assert seed.CLOSING in text
    assert "Hội nghị kết thúc vào hồi 11 giờ 10, ngày 14 tháng 01 năm 2022./." in text
    assert ("NGƯỜI GHI BIÊN BẢN (Ký, ghi rõ họ tên) Hoàng Thị Minh Thư "
            "CHỦ TRÌ HỘI NGHỊ (Ký, ghi rõ họ tên) Chẩu Văn Lâm" in text)
    # section 8: the annex, chart and ledger
    assert "PHỤ LỤC" in text
    assert "Thời gian dự kiến và thực tế của các nội dung" in text
    assert "3 sự cố tại 3 điểm cầu; tổng thời gian gián đoạn 16 phút." in text
    assert "1 Lâm Bình mất tín hiệu 9h18–9h23 5 phút 5. Thảo luận Nguyễn Việt Lâm" in text
    assert "2 Na Hang mất tín hiệu 10h41–10h47 6 phút 6. Công tác thi đua" in text
    assert "3 Hàm Yên mất tín hiệu, chưa khôi phục 11h05– 5 phút 7. Bế mạc hội nghị" in text


def test_sections_are_in_order(held_pdf: Path) -> None:
    text = pdf_text(held_pdf)
    heads = ["I. THỜI GIAN, ĐỊA ĐIỂM, HÌNH THỨC", "II. CHỦ TRÌ VÀ THƯ KÝ",
             "III. THÀNH PHẦN THAM DỰ", "IV. DIỄN BIẾN HỘI NGHỊ",
             "V. CÔNG TÁC THI ĐUA, KHEN THƯỞNG", "VI. KẾT LUẬN HỘI NGHỊ", "NGƯỜI GHI BIÊN BẢN",
             "PHỤ LỤC", "Sổ theo dõi sự cố kết nối các điểm cầu"]
    at = [text.index(h) for h in heads]
    assert at == sorted(at)


def test_fonts_are_embedded_liberation_serif(held_pdf: Path) -> None:
    reader = PdfReader(str(held_pdf))
    seen = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            seen.add(str(font["/BaseFont"]))
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]  # TrueType program inside
            assert "/ToUnicode" in font  # text can be searched and extracted
    assert seen
    assert all("LiberationSerif" in name for name in seen), seen
    assert any("LiberationSerif-Bold" in n for n in seen)
    assert any("LiberationSerif-Italic" in n for n in seen)


def test_pages_are_numbered_from_page_two(held_pdf: Path) -> None:
    tops = top_margin_texts(held_pdf)
    assert len(tops) >= 3
    assert tops[0] == []
    for n, found in enumerate(tops[1:], start=2):
        assert found == [str(n)]


def test_state_body_gets_the_state_header(core: Core, clock: FakeClock, tmp_path: Path) -> None:
    s = seed.seed_article(core, body_type="state")
    seed.hold(core, s.meeting_id, clock)
    pages = pdf_pages(build_record(core, s.meeting_id, tmp_path / "r.pdf"))
    first = [" ".join(line.split()) for line in pages[0].splitlines()]
    for line in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Số: 12-BB/TU", article.DATE, "BIÊN BẢN"]:
        assert line in first, line
    text = " ".join(" ".join(pages).split())
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in text
    assert "*" not in first
    assert "THƯ KÝ" in text and "CHỦ TỌA" in text


def test_draft_meeting_prints_the_planned_programme(core: Core, tmp_path: Path) -> None:
    s = seed.seed_article(core)
    out = build_record(core, s.meeting_id, tmp_path / "chuong-trinh.pdf")
    text = pdf_text(out)
    assert "CHƯƠNG TRÌNH HỘI NGHỊ" in text
    assert "(Chương trình dự kiến; hội nghị chưa diễn ra)" in text
    for absent in ["BIÊN BẢN", "Số 12-BB/TU", "kết thúc vào hồi", "NGƯỜI GHI BIÊN BẢN",
                   "PHỤ LỤC", "thực tế", "Giờ trao", "có mặt", "Ý kiến phát biểu"]:
        assert absent not in text, absent
    for fact in [*article.NAMES, *article.POSTS, *article.ENDPOINTS, *article.AWARDS,
                 *article.TIMES, *article.ITEMS]:
        assert fact in text, fact
    assert "Thời gian: 8 giờ 00, ngày 14 tháng 01 năm 2022." in text
    assert "Thời gian: 8 giờ 15 – 8 giờ 35 (20 phút)." in text
    assert "IV. CHƯƠNG TRÌNH" in text
    assert "Đăng ký phát biểu: 1. Vân Đình Thảo" in text
    assert "V. KHEN THƯỞNG TẠI HỘI NGHỊ" in text
    assert "Hội nghị dự kiến có 10 điểm cầu, 325 đại biểu." in text
    assert "Đại biểu dự kiến" in text


def test_english_labels(core: Core, clock: FakeClock, tmp_path: Path) -> None:
    s = seed.seed_article(core, language="en")
    seed.hold(core, s.meeting_id, clock)
    text = pdf_text(build_record(core, s.meeting_id, tmp_path / "r.pdf"))
    for phrase in ["COMMUNIST PARTY OF VIETNAM", "Tuyên Quang, 14 January 2022", "MINUTES",
                   "Time: opened at 8:00, 14 January 2022.", "PROCEEDINGS", "ANNEX",
                   "The meeting closed at 11:10, 14 January 2022./."]:
        assert phrase in text, phrase
    assert "BIÊN BẢN" not in text


def test_nfd_text_is_printed_as_nfc(core: Core, tmp_path: Path) -> None:
    s = seed.seed_article(core)
    name = "Nguyễn Thị Thuỷ Hoà"
    nfd = unicodedata.normalize("NFD", name)
    assert nfd != name
    pid = s.people["Nguyễn Hồng Trang"]
    # NFD that slipped past the entry points (an old database, a direct SQL edit)
    seed.set_fields(core, "person", pid, full_name=nfd,
                    posts=[unicodedata.normalize("NFD", "Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy")])
    seed.set_fields(core, "meeting", s.meeting_id,
                    title=unicodedata.normalize("NFD", "Hội nghị Ban Chấp hành lần thứ 8"))
    text = pdf_text(build_record(core, s.meeting_id, tmp_path / "r.pdf"))
    assert name in text
    assert "Hội nghị Ban Chấp hành lần thứ 8" in text
    assert "Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy" in text
    assert not any(unicodedata.combining(c) for c in text)


def test_unknown_meeting(core: Core, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        build_record(core, 999, tmp_path / "r.pdf")
    assert list(tmp_path.iterdir()) == [tmp_path / "meetings.db"] or not list(
        tmp_path.glob("*.pdf"))


def test_empty_meeting_leaves_parts_out(core: Core, tmp_path: Path) -> None:
    from datetime import date

    from meeting_console.core import meetings

    mid = meetings.create_meeting(core, "Họp giao ban", date(2022, 3, 7), form="in_person").result
    text = pdf_text(build_record(core, mid, tmp_path / "r.pdf"))
    assert "CHƯƠNG TRÌNH HỘI NGHỊ" in text
    assert "Họp giao ban" in text
    assert "Ngày 07 tháng 3 năm 2022" in text  # no city: the date alone, capitalised
    assert "I. THỜI GIAN, ĐỊA ĐIỂM, HÌNH THỨC" in text
    for absent in ["II.", "THÀNH PHẦN", "KHEN THƯỞNG", "-BB/", "PHỤ LỤC"]:
        assert absent not in text, absent


def test_attendance_report_and_awards_list(held_core: tuple[Core, seed.Seeded],
                                          tmp_path: Path) -> None:
    core, held = held_core
    att = pdf_text(build_attendance_report(core, held.meeting_id, tmp_path / "a.pdf"))
    assert "BÁO CÁO THÀNH PHẦN THAM DỰ" in att
    for fact in [*article.ENDPOINTS, "Đại biểu chính thức: có mặt 15/15",
                 "Tổng cộng: 10 điểm cầu 315/325", "9h18–9h23 mất tín hiệu"]:
        assert fact in att, fact
    assert "Thảo luận" in att  # the outage ledger ties incidents to the item
    assert "BIÊN BẢN" not in att and "Ý kiến phát biểu" not in att
    aw = pdf_text(build_awards_list(core, held.meeting_id, tmp_path / "k.pdf"))
    assert "DANH SÁCH KHEN THƯỞNG" in aw
    for fact in [*article.AWARDS, article.COLLECTIVE, article.POSTHUMOUS, "Chủ tịch nước",
                 "Thủ tướng Chính phủ", "Trung ương Hội LHPN Việt Nam", "10h40", "10h55"]:
        assert fact in aw, fact
    order = [aw.index(a) for a in article.AWARDS]
    assert order == sorted(order)
    assert "Đại biểu chính thức" not in aw


def test_progress_is_reported(held_core: tuple[Core, seed.Seeded], tmp_path: Path) -> None:
    core, held = held_core
    calls: list[tuple[int, int, str]] = []
    build_record(core, held.meeting_id, tmp_path / "r.pdf",
                 progress=lambda d, t, w: calls.append((d, t, w)))
    assert calls[0] == (0, 1, "reading")
    assert calls[-1] == (1, 1, "done")
    pages = [c for c in calls if c[2] == "pages"]
    assert pages and all(0 < d <= t for d, t, _w in pages)
    assert [d for d, _t, _w in pages] == sorted(d for d, _t, _w in pages)


def test_distribution_list_under_the_signatures(held_core: tuple[Core, seed.Seeded],
                                                 tmp_path: Path) -> None:
    core, held = held_core
    # a Party body: "Nơi nhận:" underlined, items closed by commas, the filing copy last
    text = pdf_text(build_record(core, held.meeting_id, tmp_path / "r.pdf", distribution=[
        "- Ban Thường vụ Tỉnh ủy;", "Các đồng chí Tỉnh ủy viên", "  ", "Các huyện ủy, thành ủy."]))
    expected = ("Nơi nhận: - Ban Thường vụ Tỉnh ủy, - Các đồng chí Tỉnh ủy viên, "
                "- Các huyện ủy, thành ủy, - Lưu: VT, hồ sơ hội nghị.")
    assert expected in text
    assert text.index("CHỦ TRÌ HỘI NGHỊ") < text.index("Nơi nhận:") < text.index("PHỤ LỤC")
    # no list given: the filing copy alone; a list that names it is not given a second one
    text = pdf_text(build_record(core, held.meeting_id, tmp_path / "r2.pdf"))
    assert "Nơi nhận: - Lưu: VT, hồ sơ hội nghị." in text
    text = pdf_text(build_record(core, held.meeting_id, tmp_path / "r3.pdf",
                                 distribution=["Thường trực Tỉnh ủy", "Lưu Văn phòng Tỉnh ủy"]))
    assert "Nơi nhận: - Thường trực Tỉnh ủy, - Lưu Văn phòng Tỉnh ủy." in text
    assert "hồ sơ hội nghị" not in text


def test_distribution_list_stored_with_the_meeting(held_core: tuple[Core, seed.Seeded],
                                                   tmp_path: Path) -> None:
    """The list kept in the meeting's details (one recipient a line, as typed in Meeting ›
    Details or a meeting file) prints without being given again; a list given wins."""
    from meeting_console.core import meeting_file, meetings

    core, held = held_core
    meetings.update_meeting(core, held.meeting_id,
                            distribution="Ban Thường vụ Tỉnh ủy\nCác đồng chí Tỉnh ủy viên\n")
    text = pdf_text(build_record(core, held.meeting_id, tmp_path / "r.pdf"))
    assert "Nơi nhận: - Ban Thường vụ Tỉnh ủy, - Các đồng chí Tỉnh ủy viên, - Lưu: VT, hồ sơ hội nghị." in text
    text = pdf_text(build_record(core, held.meeting_id, tmp_path / "r2.pdf", distribution=["UBND tỉnh"]))
    assert "Nơi nhận: - UBND tỉnh, - Lưu: VT, hồ sơ hội nghị." in text
    # and it travels in the meeting file
    meeting_file.export_meeting(core, held.meeting_id, tmp_path / "m.yaml")
    assert "Các đồng chí Tỉnh ủy viên" in (tmp_path / "m.yaml").read_text(encoding="utf-8")
    again = meeting_file.import_meeting(core, tmp_path / "m.yaml").result
    assert reads.meeting(core, again).distribution == reads.meeting(core, held.meeting_id).distribution


def test_distribution_list_of_a_state_body(core: Core, clock: FakeClock, tmp_path: Path) -> None:
    s = seed.seed_article(core, body_type="state")
    seed.hold(core, s.meeting_id, clock)
    text = pdf_text(build_record(core, s.meeting_id, tmp_path / "r.pdf",
                                 distribution=["UBND tỉnh", "Sở Nội vụ"]))
    assert "Nơi nhận: - UBND tỉnh; - Sở Nội vụ; - Lưu: VT, hồ sơ hội nghị." in text


def test_programme_has_no_distribution_list(core: Core, tmp_path: Path) -> None:
    s = seed.seed_article(core)
    text = pdf_text(build_record(core, s.meeting_id, tmp_path / "p.pdf", distribution=["X"]))
    assert "Nơi nhận" not in text


def test_counts_are_written_the_vietnamese_way() -> None:
    from meeting_console.record.labels import Labels

    assert Labels("vi").num(31000) == "31.000" and Labels("vi").num(999) == "999"
    assert Labels("en").num(1_441_200) == "1,441,200"
    assert Labels("vi")("form_online", main="Trung ương", n=Labels("vi").num(30999)) == (
        "Hình thức: trực tuyến từ điểm cầu Trung ương tới 30.999 điểm cầu.")
