"""Regenerate the award-list workbooks used by tests/core/test_award_import.py.

    python tests/bad_inputs/spreadsheets/make_bad.py

``good.xlsx`` is the seed article's commendation (10h35) as a secretariat would list it,
deliberately NOT in ceremony order; the decision numbers and dates are INVENTED (the article
gives none). Every other file breaks it in one way. ``password_protected.xlsx`` needs the
msoffcrypto-tool package to regenerate (a development tool, not a dependency).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HEADINGS = ["STT", "Hình thức khen thưởng", "Cá nhân/Tập thể", "Họ và tên / Tên tập thể",
            "Chức vụ, đơn vị", "Truy tặng", "Người nhận thay", "Người trao", "Số quyết định",
            "Ngày quyết định", "Thành tích", "Điểm cầu", "Nhóm trao"]
PHU_NU = "Kỷ niệm chương “Vì sự phát triển phụ nữ Việt Nam”"
CITATION_VH = ("đã có thành tích xuất sắc trong triển khai, tổ chức, thực hiện phong trào Toàn "
               "dân đoàn kết xây dựng đời sống văn hóa giai đoạn 2000 – 2020")
CITATION_PN = ("đã có nhiều thành tích, đóng góp cho sự bình đẳng và phát triển phụ nữ "
               "Việt Nam")
GOOD: list[list[Any]] = [
    [1, PHU_NU, "Cá nhân", "Chẩu Văn Lâm",
     "Ủy viên BCH Trung ương Đảng, Bí thư Tỉnh ủy, Trưởng Đoàn đại biểu Quốc hội tỉnh",
     None, None, "Nguyễn Văn Sơn", "88/QĐ-TWHLHPN", "28/12/2021", CITATION_PN, None, 4],
    [2, "Bằng khen của Thủ tướng Chính phủ", "Cá nhân", "Âu Thị Mai",
     "Tỉnh ủy viên, Giám đốc Sở Văn hóa, Thể thao và Du lịch", None, None,
     "Đồng chí Nguyễn Văn Sơn", "1920/QĐ-TTg", datetime(2021, 11, 12), CITATION_VH, None, None],
    [3, "Huân chương Hồ Chí Minh", "Cá nhân", "Trần Hoài Quang",
     "nguyên Khu ủy viên Khu tự trị Việt Bắc, nguyên Bí thư Tỉnh ủy Tuyên Quang, nguyên Bí thư "
     "Tỉnh ủy Hà Giang", "x", "thân nhân đồng chí Trần Hoài Quang", "Lãnh đạo tỉnh",
     "1530/QĐ-CTN", "05/10/2021",
     "đã có công lao to lớn và nhiều thành tích xuất sắc trong công tác, đóng góp vào sự "
     "nghiệp cách mạng của Đảng và của dân tộc", None, None],
    [4, PHU_NU, "Cá nhân", "Phùng Tiến Quân",
     "Ủy viên BTV Tỉnh ủy, Trưởng Ban Nội chính Tỉnh ủy, Trưởng Ban pháp chế HĐND tỉnh",
     None, None, "Nguyễn Văn Sơn", "88/QĐ-TWHLHPN", "28/12/2021", CITATION_PN, None, 4],
    [5, "Huân chương Lao động hạng Ba", "Tập thể", "Sở Văn hóa, Thể thao và Du lịch", None,
     None, None, "Chẩu Văn Lâm", "1610/QĐ-CTN", "20/10/2021",
     CITATION_VH + ", góp phần vào sự nghiệp xây dựng CNXH và bảo vệ Tổ quốc", None, None],
    [6, PHU_NU, "Cá nhân", "Nguyễn Hồng Trang",
     "Ủy viên BTV Tỉnh ủy, Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy", None, None, "Nguyễn Văn Sơn",
     "88/QĐ-TWHLHPN", "28/12/2021", CITATION_PN, None, 4],
]
COL = {h: i for i, h in enumerate(HEADINGS)}


def workbook_bytes(rows: Sequence[Sequence[Any]], headings: Sequence[str] = HEADINGS,
                   edit: Callable[[Any], None] | None = None) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Khen thưởng"
    if headings:
        ws.append(list(headings))
    for r in rows:
        ws.append(list(r))
    if edit is not None:
        edit(ws)
    fixed = datetime(2024, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def changed(row: int, heading: str, value: Any) -> list[list[Any]]:
    rows = [list(r) for r in GOOD]
    rows[row][COL[heading]] = value
    return rows


def _tcvn3(text: str) -> str:
    from meeting_console.core.text import encode_legacy

    return encode_legacy(text, "TCVN3").decode("cp1252", errors="replace")


def _vni(text: str) -> str:
    from meeting_console.core.text import encode_legacy

    return encode_legacy(text, "VNI").decode("cp1252", errors="replace")


def _merge(ws: Any) -> None:
    ws.merge_cells("H5:H7")  # one presenter written once for three rows


def files() -> dict[str, bytes]:
    good = workbook_bytes(GOOD)
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    out = {
        "good.xlsx": good,
        "unknown_award.xlsx": workbook_bytes(changed(4, "Hình thức khen thưởng",
                                                     "Huân chương Lao đông hạng 3")),
        "posthumous_without_receiver.xlsx": workbook_bytes(changed(2, "Người nhận thay", None)),
        "collective_with_post.xlsx": workbook_bytes(changed(4, "Chức vụ, đơn vị", "Giám đốc")),
        "duplicates.xlsx": workbook_bytes([*GOOD, [7, *GOOD[3][1:]]]),
        "not_a_spreadsheet.xlsx": "Danh sách khen thưởng\nTrần Hoài Quang\n".encode(),
        "word_document.xlsx": docx.getvalue(),
        "legacy_xls.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"Workbook",
        "truncated.xlsx": good[: len(good) // 2],
        "merged_cells.xlsx": workbook_bytes(GOOD, edit=_merge),
        "empty_sheet.xlsx": workbook_bytes([], headings=[]),
        "headings_only.xlsx": workbook_bytes([]),
        "mojibake_tcvn3.xlsx": workbook_bytes(changed(2, "Họ và tên / Tên tập thể",
                                                      _tcvn3("Trần Hoài Quang"))),
        "mojibake_vni.xlsx": workbook_bytes(changed(1, "Chức vụ, đơn vị", _vni(
            "Tỉnh ủy viên, Giám đốc Sở Văn hóa, Thể thao và Du lịch"))),
        "missing_award_column.xlsx": workbook_bytes(
            [r[:1] + r[2:] for r in GOOD], headings=HEADINGS[:1] + HEADINGS[2:]),
    }
    return out


def encrypted(data: bytes, password: str = "khenthuong") -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def main() -> None:
    for name, data in files().items():
        (HERE / name).write_bytes(data)
        print(name)
    try:
        (HERE / "password_protected.xlsx").write_bytes(encrypted(files()["good.xlsx"]))
        print("password_protected.xlsx")
    except ImportError:
        print("password_protected.xlsx kept (install msoffcrypto-tool to regenerate)")


if __name__ == "__main__":
    main()
