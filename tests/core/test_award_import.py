"""Excel import of award lists: the good file, each bad case, all-or-nothing, undo."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from meeting_console.cli import demo_path
from meeting_console.core import award_import as ai
from meeting_console.core import awards, catalogue, ceremony, meeting_file, reads
from meeting_console.core.api import Core
from meeting_console.paths import resource
from tests.bad_inputs.spreadsheets.make_bad import GOOD, HEADINGS, PHU_NU, workbook_bytes

FILES = Path(__file__).resolve().parents[1] / "bad_inputs" / "spreadsheets"


@pytest.fixture
def mid(core: Core) -> int:
    """The demo meeting with its awards taken out: the list comes from the spreadsheet."""
    meeting = int(meeting_file.import_meeting(core, demo_path()).result)
    for g in reads.grants(core, meeting):
        awards.remove_grant(core, g.id)
    return meeting


def write(tmp_path: Path, rows, headings=HEADINGS, name: str = "list.xlsx", edit=None) -> Path:
    p = tmp_path / name
    p.write_bytes(workbook_bytes(rows, headings, edit))
    return p


def problems(core: Core, mid: int, path: Path) -> list[str]:
    before = (core.high_water(), reads.grants(core, mid), reads.people(core, mid))
    with pytest.raises(ai.SpreadsheetRefused) as refused:
        ai.import_grants(core, mid, path)
    assert (core.high_water(), reads.grants(core, mid), reads.people(core, mid)) == before
    assert "nothing was imported" in str(refused.value)
    return [str(p) for p in refused.value.problems]


# --- the good file -------------------------------------------------------------------------


def test_good_file_comes_out_in_precedence_order_with_its_groups(core: Core, mid: int) -> None:
    people_before = len(reads.people(core, mid))
    ch = ai.import_grants(core, mid, FILES / "good.xlsx")
    assert ch.label == "Import 6 awards from good.xlsx"
    cer = ceremony.ceremony(core, mid)
    assert [(g.award_names, g.recipients, g.presenter_names) for g in cer.groups] == [
        (("Huân chương Hồ Chí Minh",), ("Trần Hoài Quang",), ("Lãnh đạo tỉnh",)),
        (("Huân chương Lao động hạng Ba",), ("Sở Văn hóa, Thể thao và Du lịch",),
         ("Chẩu Văn Lâm",)),
        (("Bằng khen của Thủ tướng Chính phủ",), ("Âu Thị Mai",), ("Nguyễn Văn Sơn",)),
        ((PHU_NU,), ("Chẩu Văn Lâm", "Phùng Tiến Quân", "Nguyễn Hồng Trang"),
         ("Nguyễn Văn Sơn",)),
    ]
    hcm, ld3, bk = (gr.grants[0] for gr in cer.groups[:3])
    assert hcm.posthumous and hcm.received_by == "thân nhân đồng chí Trần Hoài Quang"
    assert hcm.presenter_id is None and hcm.presenter_text == "Lãnh đạo tỉnh"
    assert (hcm.decision_number, hcm.decision_date.isoformat()) == ("1530/QĐ-CTN", "2021-10-05")
    assert (bk.decision_date.isoformat(), bk.presenter_name) == ("2021-11-12", "Nguyễn Văn Sơn")
    assert ld3.recipient_kind == "collective" and ld3.recipient_post == ""
    assert ld3.citation.endswith("bảo vệ Tổ quốc")
    # the recipients were matched to the meeting's people and organisation: nobody added
    assert len(reads.people(core, mid)) == people_before
    assert len(reads.organisations(core, mid)) == 1
    # one operation: one undo takes it all back
    core.undo(mid)
    assert reads.grants(core, mid) == ()


def test_new_recipients_become_guests_and_the_list_order_holds(core: Core, mid: int,
                                                               tmp_path: Path) -> None:
    rows = [
        [1, "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh", "Tập thể", "Huyện ủy Lâm Bình", None,
         None, None, "Nguyễn Văn Sơn", None, None, "", "Lâm Bình", None],
        [2, "bằng khen của chủ tịch uỷ ban nhân dân tỉnh", "", "Đ/c Hà Thị Hoà",
         "Bí thư Chi bộ thôn Nà Tông", None, None, "Lãnh đạo tỉnh", None, None, "", "LB", None],
        [3, "Huân chương Lao động hạng Nhì", "CN", "Ma Văn Tuấn", "Chủ tịch UBND xã",
         None, None, None, None, None, "", None, None],
    ]
    ai.import_grants(core, mid, write(tmp_path, rows))
    grants = reads.grants(core, mid)
    assert [(g.award_name, g.recipient_name) for g in grants] == [
        ("Huân chương Lao động hạng Nhì", "Ma Văn Tuấn"),
        ("Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh", "Huyện ủy Lâm Bình"),
        ("Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh", "Hà Thị Hoà"),
    ]
    assert [g.endpoint_name for g in grants] == ["", "Lâm Bình", "Lâm Bình"]
    hoa = next(p for p in reads.people(core, mid) if p.full_name == "Hà Thị Hoà")
    assert (hoa.category, hoa.posts) == ("invited", ("Bí thư Chi bộ thôn Nà Tông",))
    assert "row 3" in hoa.note


def test_the_template_has_every_column_and_imports_nothing_but_a_clear_message(
        core: Core, mid: int, tmp_path: Path) -> None:
    template = resource("awards", "grants-template.xlsx")
    wb = openpyxl.load_workbook(template)
    assert [c.value for c in wb.worksheets[0][1]] == [c.heading for c in ai.COLUMNS]
    names = [r[0].value for r in wb["Danh mục"].iter_rows(min_row=2)]
    assert names == [e.name for e in catalogue.load_catalogue()]
    assert problems(core, mid, template) == [
        "row 2: the sheet “Khen thưởng” has headings but no awards under them"]
    # the template filled in imports
    ws = wb.worksheets[0]
    for row in GOOD:
        ws.append(row)
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    assert len(ai.import_grants(core, mid, filled).result) == 6


def test_template_regenerates_identically(tmp_path: Path) -> None:
    names = [e.name for e in catalogue.load_catalogue()]
    fresh = ai.write_template(tmp_path / "t.xlsx", names)
    shipped = resource("awards", "grants-template.xlsx")
    with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(shipped) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            if name != "docProps/core.xml":  # openpyxl stamps the save time
                assert a.read(name) == b.read(name), name


def test_english_headings_any_order(core: Core, mid: int, tmp_path: Path) -> None:
    headings = ["Recipient", "Award", "Posthumous", "Received by", "Group"]
    rows = [["Trần Hoài Quang", "Huân chương Hồ Chí Minh", True, "thân nhân", None]]
    ai.import_grants(core, mid, write(tmp_path, rows, headings))
    (g,) = reads.grants(core, mid)
    assert g.posthumous and g.received_by == "thân nhân"


# --- each bad case -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("unknown_award.xlsx", ["row 6, column B (Hình thức khen thưởng): “Huân chương Lao đông "
                            "hạng 3” is not in the award catalogue; did you mean “Huân chương "
                            "Lao động hạng Ba”?"]),
    ("posthumous_without_receiver.xlsx", [
        "row 4, column G (Người nhận thay): a posthumous award needs the relative or "
        "representative who receives it (e.g. “thân nhân đồng chí …”)"]),
    ("collective_with_post.xlsx", [
        "row 6, column E (Chức vụ, đơn vị): “Giám đốc”: a collective has no post; leave it "
        "empty, or mark the row “Cá nhân” if it is a person"]),
    ("duplicates.xlsx", [
        "row 8, column D (Họ và tên / Tên tập thể): duplicate: " + PHU_NU
        + " to Phùng Tiến Quân is already in row 5"]),
    ("not_a_spreadsheet.xlsx", [
        "this is not an Excel workbook (.xlsx); save the list from Excel as .xlsx"]),
    ("word_document.xlsx", ["this is a Word document, not an Excel workbook (.xlsx)"]),
    ("legacy_xls.xlsx", [
        "this is an old Excel 97–2003 workbook (.xls); save it as .xlsx and import again"]),
    ("truncated.xlsx", ["the workbook is damaged (not a readable .xlsx)"]),
    ("password_protected.xlsx", [
        "the workbook is password-protected (encrypted); open it in Excel, remove the password "
        "(File › Info › Protect Workbook), save it and import again"]),
    ("merged_cells.xlsx", [
        "row 5, column H (Người trao): merged cells H5:H7: one award per row, one value per cell; unmerge "
        "them and fill in every cell"]),
    ("empty_sheet.xlsx", ["the sheet “Khen thưởng” is empty: no headings, no awards; start "
                          "from the template (grants-template.xlsx)"]),
    ("headings_only.xlsx", ["row 2: the sheet “Khen thưởng” has headings but no awards under "
                            "them"]),
    ("missing_award_column.xlsx", ["row 1: no column “Hình thức khen thưởng” (Award) in row 1"]),
    ("mojibake_tcvn3.xlsx", [
        "row 4, column D (Họ và tên / Tên tập thể): “TrÇn Hoµi Quang” looks like text typed in "
        "TCVN3 (ABC) and read as Unicode (it would read “Trần Hoài Quang”); convert the file to "
        "Unicode (e.g. UniKey's converter) and import again"]),
])
def test_bad_file(core: Core, mid: int, name: str, expected: list[str]) -> None:
    assert problems(core, mid, FILES / name) == expected


def test_vni_mojibake_is_named(core: Core, mid: int) -> None:
    (msg,) = problems(core, mid, FILES / "mojibake_vni.xlsx")
    assert msg.startswith("row 3, column E (Chức vụ, đơn vị): “Tænh uûy vieân")
    assert "typed in VNI-Windows" in msg and "“Tỉnh ủy viên, Giám đốc Sở" in msg


def test_every_bad_row_is_reported_and_nothing_imported(core: Core, mid: int,
                                                        tmp_path: Path) -> None:
    rows = [list(r) for r in GOOD]
    rows[0][9] = "31/02/2021"  # no such day
    rows[1][12] = "nhóm 2"
    rows[2][5] = "có lẽ"
    rows[3][11] = "Chiêm Hoá huyện"
    rows[4][5] = "x"  # a posthumous collective
    rows[5][3] = "Nguyễn Hồng\u202eTrang"
    rows.append([7, "Huân chương Hồ Chí Minh", "Tổ chức", "Ai đó"] + [None] * 9)
    rows.append([8, None, None, None, None, None, None, None, None, None, "chỉ có thành tích"])
    rows.append([None] * 13)  # blank rows are skipped
    rows.append([10, "Giấy khen", "Cá nhân", "Trần Hoài Quang"] + [None] * 9)
    got = problems(core, mid, write(tmp_path, rows))
    assert got == [
        "row 2, column J (Ngày quyết định): “31/02/2021” is not a date; write it as 05/01/2022",
        "row 3, column M (Nhóm trao): “nhóm 2” is not a group number (1, 2, 3 …)",
        "row 4, column F (Truy tặng): “có lẽ”: write x (or “có”) for a posthumous award, leave "
        "it empty otherwise",
        "row 5, column L (Điểm cầu): “Chiêm Hoá huyện” is not an endpoint of this meeting; did "
        "you mean “Chiêm Hóa”?",
        "row 6, column F (Truy tặng): only an individual can be honoured posthumously",
        "row 7, column D (Họ và tên / Tên tập thể): contains a bidirectional control character "
        "(U+202E) at position 12",
        "row 8, column C (Cá nhân/Tập thể): “Tổ chức”: write “Cá nhân” or “Tập thể”",
        "row 9, column B (Hình thức khen thưởng): empty: which award (as in the catalogue)?",
        "row 9, column D (Họ và tên / Tên tập thể): empty: who receives the award?",
    ]


def test_duplicate_of_an_award_already_in_the_meeting(core: Core, mid: int) -> None:
    ai.import_grants(core, mid, FILES / "good.xlsx")
    got = problems(core, mid, FILES / "good.xlsx")
    assert len(got) == 6
    assert got[0] == ("row 2, column D (Họ và tên / Tên tập thể): duplicate: " + PHU_NU
                      + " to Chẩu Văn Lâm is already among this meeting's awards (no. 4)")


def test_one_group_one_presenter(core: Core, mid: int, tmp_path: Path) -> None:
    rows = [list(r) for r in GOOD]
    rows[3][7] = "Chẩu Văn Lâm"
    assert problems(core, mid, write(tmp_path, rows)) == [
        "row 5, column H (Người trao): group 4 is presented together, by one presenter; "
        "row 2 names another"]


def test_unknown_heading_suggests(core: Core, mid: int, tmp_path: Path) -> None:
    headings = [*HEADINGS[:4], "Chuc vu don vi"]
    rows = [r[:5] for r in GOOD]
    assert problems(core, mid, write(tmp_path, rows, headings)) == [
        "row 1, column E: unknown column heading “Chuc vu don vi”; did you mean “Chức vụ, đơn vị”?"]


def test_zip_bomb_and_missing_file(core: Core, mid: int, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (ai.MAX_UNPACKED + 1))
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(buf.getvalue())
    assert problems(core, mid, bomb) == [
        f"the workbook would unpack to more than {ai.MAX_UNPACKED // 1_048_576} MB; refused"]
    assert problems(core, mid, tmp_path / "nope.xlsx") == ["no such file"]
    assert problems(core, mid, tmp_path) == ["this is a folder, not a workbook"]


def test_refusal_names_the_first_problem_and_counts_the_rest(core: Core, mid: int) -> None:
    with pytest.raises(ai.SpreadsheetRefused) as refused:
        ai.import_grants(core, mid, FILES / "merged_cells.xlsx")
    assert str(refused.value).startswith(
        "merged_cells.xlsx: row 5, column H (Người trao): merged cells H5:H7")
    assert (refused.value.line, refused.value.field) == (5, "Người trao")


def test_names_match_without_accents_or_curly_quotes(core: Core, mid: int,
                                                     tmp_path: Path) -> None:
    rows = [[1, 'Ky niem chuong "Vi su phat trien phu nu Viet Nam"', "ca nhan", "phung tien quan",
             None, None, None, "nguyen van son", None, None, None, "ch", None]]
    ai.import_grants(core, mid, write(tmp_path, rows))
    (g,) = reads.grants(core, mid)
    assert (g.award_name, g.recipient_name, g.presenter_name, g.endpoint_name) == (
        PHU_NU, "Phùng Tiến Quân", "Nguyễn Văn Sơn", "Chiêm Hóa")


def test_a_title_block_above_the_headings_is_skipped(core: Core, mid: int,
                                                     tmp_path: Path) -> None:
    """Official lists open with a merged title; the headings follow a few rows down."""
    def title(ws) -> None:
        ws.insert_rows(1, 3)
        ws["A1"] = "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"
        ws.merge_cells("A1:M1")
        ws["A2"] = "(Kèm theo Tờ trình số 12/TTr-TU)"
        ws.merge_cells("A2:M2")

    rows = [list(r) for r in GOOD]
    assert len(ai.import_grants(core, mid, write(tmp_path, rows, edit=title)).result) == 6
    core.undo(mid)
    rows[2][6] = None  # posthumous without the receiving relative: row 4 + 3 title rows
    assert problems(core, mid, write(tmp_path, rows, edit=title)) == [
        "row 7, column G (Người nhận thay): a posthumous award needs the relative or "
        "representative who receives it (e.g. “thân nhân đồng chí …”)"]


def test_problems_speak_vietnamese(core: Core, mid: int, tmp_path: Path) -> None:
    """In Vietnamese the same problems read in Vietnamese, row and column included."""
    from meeting_console import i18n

    rows = [list(r) for r in GOOD]
    rows[0][9] = "31/02/2021"
    rows[4][5] = "x"  # a posthumous collective
    i18n.set_language("vi")
    try:
        with pytest.raises(ai.SpreadsheetRefused) as refused:
            ai.import_grants(core, mid, write(tmp_path, rows))
        assert [str(p) for p in refused.value.problems] == [
            "dòng 2, cột J (Ngày quyết định): “31/02/2021” không phải ngày tháng; hãy ghi theo "
            "dạng 05/01/2022",
            "dòng 6, cột F (Truy tặng): chỉ cá nhân mới được truy tặng",
        ]
        assert str(refused.value).endswith("(và 1 lỗi khác); chưa nhập dữ liệu nào")
        (missing,) = ai.check_sheet(core, mid, FILES / "missing_award_column.xlsx").problems
        assert str(missing) == "dòng 1: dòng 1 không có cột “Hình thức khen thưởng” (Award)"
    finally:
        i18n.set_language("en")
