"""A table of 50,000 bridge points: paginates a page at a time with the header repeated on
every page, every row present once and in order, long names wrapped inside their cells.

Read back with poppler's pdftotext (installed by scripts/setup.sh): pypdf would take minutes
over 1,500 pages."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import insert

from meeting_console.core import meetings
from meeting_console.core.api import Core
from meeting_console.record import build_attendance_report
from meeting_console.store import models as m

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed"),
]

N = 50_000
HEADER = "STT Điểm cầu Chủ trì tại điểm cầu Đại biểu dự kiến"
LONG = ("Điểm cầu Ủy ban nhân dân xã Thượng Lâm, huyện Lâm Bình, tỉnh Tuyên Quang, tại hội "
        "trường nhà văn hóa thôn Nà Thuôn, kết nối qua đường truyền dự phòng")


def name(i: int) -> str:
    return LONG if i == 25_000 else f"Xã Hồng Quang số {i:05d}, huyện Chiêm Hóa"


def test_fifty_thousand_endpoints_paginate_with_the_header_on_every_page(
        core: Core, tmp_path: Path) -> None:
    mid = meetings.create_meeting(core, "Hội nghị toàn quốc", date(2026, 2, 7),
                                  city="Hà Nội", issuing_body="Ban Bí thư").result
    with core.db.sessions.begin() as s:  # bulk: 50,000 operations would take minutes
        s.execute(insert(m.Endpoint), [
            {"id": i, "name": name(i), "kind": "main_hall" if i == 1 else "commune",
             "code": f"E{i}", "address": "", "host_name": ""} for i in range(1, N + 1)])
        s.execute(insert(m.MeetingEndpoint), [
            {"meeting_id": mid, "endpoint_id": i, "position": i, "expected_delegates": 30,
             "host": "Đồng chí Bí thư Đảng ủy xã", "status": "not_connected"}
            for i in range(1, N + 1)])
    out = build_attendance_report(core, mid, tmp_path / "a.pdf")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = [" ".join(p.split()) for p in text.split("\f") if p.strip()]
    assert len(pages) > 1000
    table_pages = pages[1:]  # the first page: the heading, then the table's first rows
    assert all(p.count(HEADER) == 1 for p in table_pages)
    assert HEADER in pages[0]
    # every row once, in order: the row numbers run 1..N across the pages
    numbers = [int(x) for x in re.findall(r"(?:^|\s)(\d{1,5}) Xã Hồng Quang số", " ".join(pages))]
    assert len(numbers) == N - 1 and numbers == sorted(numbers)
    assert "Tổng cộng: 50.000 điểm cầu" in pages[-1] and "1.500.000" in pages[-1]
    # the long name wrapped over lines of its cell, read back whole (pypdf, on its page)
    at = next(i for i, p in enumerate(text.split("\f")) if "Thượng Lâm" in p)
    page = PdfReader(str(out)).pages[at].extract_text()
    assert LONG in " ".join(page.split())
    assert LONG not in page  # not on one line
