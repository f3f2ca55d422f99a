"""The table building blocks: line breaking, and text drawn by the fast path reads back."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.platypus import SimpleDocTemplate

from meeting_console.record import fonts
from meeting_console.record.flowables import Measure, PagedTable

fonts.register()
M = Measure.of(fonts.SERIF, 9)
LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐỳýỷỹỵ0123456789–-/,."


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=LETTERS + "   \n", max_size=120), st.floats(min_value=8, max_value=300))
def test_lines_fit_and_keep_every_character(text: str, room: float) -> None:
    lines = M.lines(text, room)
    for line in lines:
        assert M.width(line) <= room + 1e-6 or len(line) == 1
        assert line == line.strip()
    assert "".join("".join(lines).split()) == "".join(text.split())
    assert len(lines) >= text.count("\n") + 1


def test_lines_break_at_spaces_then_dashes() -> None:
    assert M.lines("Xã Thượng Lâm, huyện Lâm Bình", 1000) == ["Xã Thượng Lâm, huyện Lâm Bình"]
    assert M.lines("10h41–10h47", M.width("10h41–") + 1) == ["10h41–", "10h47"]
    assert M.lines("a\n\nb", 100) == ["a", "", "b"]


def test_paged_table_text_reads_back_with_repeated_header() -> None:
    rows = [[str(i), f"Xã Hồng Quang số {i}, huyện Chiêm Hóa, tỉnh Tuyên Quang", "Đỗ Thị Thủy"]
            for i in range(1, 301)]
    table = PagedTable(["STT", "Điểm cầu", "Chủ trì"], rows, [40, 150, 100],
                       font=fonts.SERIF, bold_font=fonts.SERIF_BOLD, size=9,
                       aligns=["CENTER", "LEFT", "LEFT"], total=["Tổng cộng", "", "300"],
                       total_span=2)
    buf = io.BytesIO()
    SimpleDocTemplate(buf, initialFontName=fonts.SERIF).build([table])
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(buf).pages]
    assert len(pages) > 3
    assert all(p.startswith("STT Điểm cầu Chủ trì") for p in pages)
    text = " ".join(pages)
    for i in (1, 150, 300):
        assert f"{i} Xã Hồng Quang số {i}, huyện Chiêm Hóa, tỉnh Tuyên Quang Đỗ Thị Thủy" in text
    assert text.endswith("Tổng cộng 300")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=LETTERS + "   \n", max_size=120), st.floats(min_value=8, max_value=300))
def test_a_cell_breaks_as_its_lines(text: str, room: float) -> None:
    """A table cell (measured word by word, one line kept whole when it fits) is broken as
    ``lines`` breaks it."""
    joined, count = M.cell(text, room, {})
    lines = M.lines(text, room) if text else [""]
    assert joined.split("\n") == lines
    assert count == len(lines)
