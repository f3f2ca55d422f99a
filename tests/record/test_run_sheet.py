"""The MC's run sheet (kịch bản): its text, read back from the PDF."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from meeting_console.cli import demo_path
from meeting_console.core import award_import, awards, ceremony, meeting_file, reads
from meeting_console.core.api import Core
from meeting_console.errors import UserError
from meeting_console.record.run_sheet import build_run_sheet
from tests.record.conftest import pdf_pages, pdf_text

SHEETS = Path(__file__).resolve().parents[1] / "bad_inputs" / "spreadsheets"
PHU_NU = "Kỷ niệm chương “Vì sự phát triển phụ nữ Việt Nam”"


@pytest.fixture
def demo(core: Core) -> int:
    return int(meeting_file.import_meeting(core, demo_path()).result)


def sheet_text(core: Core, mid: int, tmp_path: Path) -> str:
    path = build_run_sheet(core, mid, tmp_path / "kich-ban.pdf")
    assert path.read_bytes().startswith(b"%PDF")
    return pdf_text(path)


def test_the_demo_ceremony_as_the_mc_reads_it(core: Core, demo: int, tmp_path: Path) -> None:
    text = sheet_text(core, demo, tmp_path)
    assert "KỊCH BẢN TRAO KHEN THƯỞNG" in text
    assert "Tuyên Quang, ngày 14 tháng 01 năm 2022" in text
    expected = [
        # the article's sentences, with the conferring authority from the catalogue
        "1. Huân chương Hồ Chí Minh (truy tặng)",
        "Truy tặng Huân chương Hồ Chí Minh của Chủ tịch nước cho đồng chí Trần Hoài Quang, "
        "nguyên Khu ủy viên Khu tự trị Việt Bắc, nguyên Bí thư Tỉnh ủy Tuyên Quang, nguyên Bí thư "
        "Tỉnh ủy Hà Giang đã có công lao to lớn và nhiều thành tích xuất sắc trong công tác, "
        "đóng góp vào sự nghiệp cách mạng của Đảng và của dân tộc.",
        "Trân trọng kính mời thân nhân đồng chí Trần Hoài Quang lên nhận Huân chương Hồ Chí Minh.",
        "Trân trọng kính mời Lãnh đạo tỉnh lên trao Huân chương Hồ Chí Minh cho thân nhân đồng "
        "chí Trần Hoài Quang.",
        "2. Huân chương Lao động hạng Ba",
        "Trao Huân chương Lao động hạng Ba của Chủ tịch nước cho Sở Văn hóa, Thể thao và Du lịch "
        "đã có thành tích xuất sắc trong triển khai, tổ chức, thực hiện phong trào Toàn dân đoàn "
        "kết xây dựng đời sống văn hóa giai đoạn 2000 – 2020, góp phần vào sự nghiệp xây dựng "
        "CNXH và bảo vệ Tổ quốc.",
        "Trân trọng kính mời đại diện Sở Văn hóa, Thể thao và Du lịch lên nhận Huân chương Lao "
        "động hạng Ba.",
        "Trân trọng kính mời đồng chí Chẩu Văn Lâm, ủy viên BCH Trung ương Đảng, Bí thư Tỉnh ủy, "
        "Trưởng Đoàn ĐBQH tỉnh Tuyên Quang, lên trao Huân chương Lao động hạng Ba cho Sở Văn "
        "hóa, Thể thao và Du lịch.",
        "3. Bằng khen của Thủ tướng Chính phủ",
        "Trao Bằng khen của Thủ tướng Chính phủ cho đồng chí Âu Thị Mai, Tỉnh ủy viên, Giám đốc "
        "Sở Văn hóa, Thể thao và Du lịch đã có thành tích xuất sắc",
        "Trân trọng kính mời đồng chí Nguyễn Văn Sơn, Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh, "
        "lên trao Bằng khen của Thủ tướng Chính phủ cho đồng chí Âu Thị Mai.",
        f"4. {PHU_NU} — 3 người nhận",
        f"Trao {PHU_NU} của Trung ương Hội Liên hiệp Phụ nữ Việt Nam cho các đồng chí đã có "
        "nhiều thành tích, đóng góp cho sự bình đẳng và phát triển phụ nữ Việt Nam, gồm: Đồng "
        "chí Chẩu Văn Lâm, Ủy viên BCH Trung ương Đảng, Bí thư Tỉnh ủy, Trưởng Đoàn đại biểu "
        "Quốc hội tỉnh; Phùng Tiến Quân, Ủy viên BTV Tỉnh ủy, Trưởng Ban Nội chính Tỉnh ủy, "
        "Trưởng Ban pháp chế HĐND tỉnh; Nguyễn Hồng Trang, Ủy viên BTV Tỉnh ủy, Chủ nhiệm Ủy ban "
        "Kiểm tra Tỉnh ủy.",
        "Trân trọng kính mời các đồng chí Chẩu Văn Lâm, Phùng Tiến Quân và Nguyễn Hồng Trang lên "
        f"nhận {PHU_NU}.",
        "Trân trọng kính mời đồng chí Nguyễn Văn Sơn, Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh, "
        f"lên trao {PHU_NU} cho các đồng chí.",
    ]
    at = -1
    for sentence in expected:
        found = text.find(sentence, at + 1)
        assert found > at, f"not found in order: {sentence!r}"
        at = found
    assert "Đã trao lúc" not in text  # nothing presented yet


def test_decisions_are_announced_before_presidential_awards(core: Core, demo: int,
                                                           tmp_path: Path) -> None:
    for g in reads.grants(core, demo):
        awards.remove_grant(core, g.id)
    award_import.import_grants(core, demo, SHEETS / "good.xlsx")  # with decision numbers
    text = sheet_text(core, demo, tmp_path)
    assert ("Xin trân trọng công bố Quyết định số 1530/QĐ-CTN ngày 05/10/2021 của Chủ tịch "
            "nước về việc truy tặng Huân chương Hồ Chí Minh. Truy tặng Huân chương Hồ Chí Minh"
            in text)
    assert ("Xin trân trọng công bố Quyết định số 1920/QĐ-TTg ngày 12/11/2021 của Thủ tướng "
            "Chính phủ về việc tặng Bằng khen của Thủ tướng Chính phủ." in text)
    # a central body's commemorative medal: the decision is cited, not proclaimed
    assert ("Theo Quyết định số 88/QĐ-TWHLHPN ngày 28/12/2021 của Trung ương Hội Liên hiệp Phụ "
            f"nữ Việt Nam. Trao {PHU_NU}" in text)


def test_the_sheet_follows_the_ceremony_as_adjusted_and_as_held(core: Core, demo: int,
                                                               clock, tmp_path: Path) -> None:
    snap = reads.snapshot(core, demo)
    chiem_hoa = next(e.id for e in snap.endpoints if e.name == "Chiêm Hóa")
    ids = [gr.grant_ids for gr in ceremony.ceremony(core, demo).groups]
    awards.update_grant(core, ids[2][0], meeting_endpoint_id=chiem_hoa)
    ceremony.move_group(core, ids[2][0], -2)  # the Bằng khen first
    clock.set(datetime(2022, 1, 14, 3, 37, tzinfo=UTC))
    ceremony.present(core, demo)
    text = sheet_text(core, demo, tmp_path)
    assert text.index("1. Bằng khen của Thủ tướng Chính phủ") < text.index(
        "2. Huân chương Hồ Chí Minh")
    assert ("cho đồng chí Âu Thị Mai, Tỉnh ủy viên, Giám đốc Sở Văn hóa, Thể thao và Du lịch "
            "(tại điểm cầu Chiêm Hóa) đã có" in text)
    assert ("Trân trọng kính mời đồng chí Âu Thị Mai tại điểm cầu Chiêm Hóa nhận Bằng khen của "
            "Thủ tướng Chính phủ." in text)
    assert "Đã trao lúc 10:37." in text


def test_pages_and_fonts(core: Core, demo: int, tmp_path: Path) -> None:
    path = build_run_sheet(core, demo, tmp_path / "kb.pdf")
    pages = pdf_pages(path)
    assert len(pages) == 2
    data = path.read_bytes()
    assert b"LiberationSerif" in data  # the shipped font, embedded: every letter prints


def test_unwritable_target_is_a_user_error(core: Core, demo: int, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        build_run_sheet(core, demo, tmp_path / "missing" / "kb.pdf")
    assert not (tmp_path / "missing").exists()
