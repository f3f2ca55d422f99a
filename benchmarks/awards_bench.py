"""Awards at scale: a large provincial year-end ceremony list through the Excel import, the
ordering, the live "presented" key and the run sheet. Prints figures; asserts nothing.

    python benchmarks/awards_bench.py [rows]

A province's year-end conference rarely presents more than a few hundred awards; the default
2,000 rows is a margin. Times are wall-clock on this machine (median of the repeats).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from machine_info import cpu_model  # noqa: E402

from meeting_console.cli import demo_path
from meeting_console.core import award_import, awards, catalogue, ceremony, meeting_file, reads
from meeting_console.core.api import Core
from meeting_console.core.clock import FakeClock
from meeting_console.record.run_sheet import build_run_sheet

HEADINGS = ["STT", "Hình thức khen thưởng", "Cá nhân/Tập thể", "Họ và tên / Tên tập thể",
            "Chức vụ, đơn vị", "Người trao", "Thành tích", "Nhóm trao"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hòa", "Hương", "Lâm", "Mai", "Nam",
         "Phúc", "Quang", "Sơn", "Thảo", "Trang", "Tuấn", "Việt", "Yến"]


def workbook(path: Path, rows: int, types: list[str]) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADINGS)
    for n in range(rows):
        name = (f"{SURNAMES[n % len(SURNAMES)]} {MIDDLE[(n // 11) % len(MIDDLE)]} "
                f"{GIVEN[(n // 88) % len(GIVEN)]} {n // 1672 or ''}").strip()
        award = types[(n * 7) % len(types)]
        group = (n // 3) + 1 if "Kỷ niệm chương" in award else None
        ws.append([n + 1, award, "Cá nhân", name, "Chuyên viên", "Nguyễn Văn Sơn",
                   "đã có thành tích xuất sắc trong công tác năm 2021", group])
    wb.save(path)


def timed(fn, repeat: int = 1) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    cpu = cpu_model()
    print(f"machine: {cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as d:
        core = Core.open(str(Path(d) / "bench.db"),
                         clock=FakeClock(datetime(2022, 1, 14, 3, 35, tzinfo=UTC)))
        mid = int(meeting_file.import_meeting(core, demo_path()).result)
        types = [t.name for t in catalogue.award_types(core)][:60:3]
        book = Path(d) / "list.xlsx"
        workbook(book, rows, types)
        print(f"award list: {rows} rows, {book.stat().st_size // 1024} KiB, "
              f"{len(types)} award types")
        t, sheet = timed(lambda: award_import.check_sheet(core, mid, book))
        assert not sheet.problems, sheet.problems[:3]  # type: ignore[attr-defined]
        print(f"check the workbook (read + match, nothing written): {t * 1000:8.0f} ms")
        t, ch = timed(lambda: award_import.import_grants(core, mid, book))
        n = len(reads.grants(core, mid))
        groups = len(ceremony.ceremony(core, mid).groups)
        print(f"import (check + one operation, {n} grants, {groups} presentations): "
              f"{t * 1000:8.0f} ms")
        t, _ = timed(lambda: ceremony.ceremony(core, mid), repeat=5)
        print(f"read the ceremony (snapshot + groups + cautions):      {t * 1000:8.0f} ms")
        ids = [g.grant_ids for g in ceremony.ceremony(core, mid).groups]
        ceremony.move_group(core, ids[-1][0], -(len(ids) - 1))
        t, _ = timed(lambda: ceremony.order_by_precedence(core, mid))
        print(f"order by precedence (after one hand move):             {t * 1000:8.0f} ms")
        t, _ = timed(lambda: ceremony.present(core, mid, despite_cautions=True), repeat=9)
        print(f"the 'presented' key (one operation):                   {t * 1000:8.0f} ms")
        t, _ = timed(lambda: core.undo(mid), repeat=3)
        print(f"undo of 'presented':                                   {t * 1000:8.0f} ms")
        t, _ = timed(lambda: awards.add_grant(core, mid, ch.result and  # type: ignore[union-attr]
                                              reads.grants(core, mid)[0].award_type_id,
                                              recipient_person_id=reads.grants(core, mid)[0]
                                              .recipient_person_id))
        print(f"add one award into {n} (placed by precedence):       {t * 1000:8.0f} ms")
        pdf = Path(d) / "kich-ban.pdf"
        t, _ = timed(lambda: build_run_sheet(core, mid, pdf))
        from pypdf import PdfReader

        pages = len(PdfReader(str(pdf)).pages)
        print(f"run sheet PDF ({groups} presentations, {pages} pages):        "
              f"{t * 1000:8.0f} ms")
        core.close()
    national()


def national(count: int = 20_000) -> None:
    """The demo's four presentations in a meeting with ``count`` bridge points: the ceremony
    reads only its recipients' endpoints."""
    from meeting_console.core import endpoints

    with tempfile.TemporaryDirectory() as d:
        core = Core.open(str(Path(d) / "national.db"),
                         clock=FakeClock(datetime(2022, 1, 14, 3, 35, tzinfo=UTC)))
        mid = int(meeting_file.import_meeting(core, demo_path()).result)
        specs = endpoints.Listing({"name": f"Xã {n:05d}", "kind": "commune", "code": f"X{n:05d}"}
                                  for n in range(count))
        endpoints.add_endpoints(core, mid, specs)
        print(f"national meeting: {len(reads.endpoints(core, mid))} endpoints, "
              f"{len(reads.grants(core, mid))} grants")
        t, _ = timed(lambda: reads.snapshot(core, mid), repeat=3)
        print(f"whole-meeting snapshot (what the panel would read):    {t * 1000:8.0f} ms")
        t, _ = timed(lambda: ceremony.ceremony(core, mid), repeat=5)
        print(f"read the ceremony (recipients' endpoints only):        {t * 1000:8.0f} ms")
        t, _ = timed(lambda: ceremony.present(core, mid), repeat=4)
        print(f"the 'presented' key:                                   {t * 1000:8.0f} ms")
        core.close()


if __name__ == "__main__":
    main()
