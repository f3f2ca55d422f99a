"""Benchmark of the session record: prints figures, passes or fails nothing.

    /work/venv/bin/python benchmarks/record_bench.py [--endpoints 31000]

1. the demo meeting (resources/demo) imported, its record (the planned programme), then
   replayed as held (tests/record/seed.py) and its record (the minutes);
2. a synthetic national-scale meeting: 31,000 bridge points with connection incidents,
   60 agenda items, 800 speeches, 300 awards, held, and its record.

Each record is built in a fresh child process, so its time and peak resident memory are the
record's own (the parent's seeding is not counted).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from machine_info import cpu_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 2, 7)

DISTRICTS = ["Lâm Bình", "Na Hang", "Chiêm Hóa", "Hàm Yên", "Yên Sơn", "Sơn Dương",
             "Thành phố Tuyên Quang", "Bắc Quang", "Vị Xuyên", "Đồng Văn", "Mèo Vạc"]
COMMUNES = ["Thượng Lâm", "Khuôn Hà", "Lăng Can", "Phúc Yên", "Xuân Lập", "Hồng Quang",
            "Bình An", "Thổ Bình", "Năng Khả", "Sơn Phú", "Đà Vị", "Yên Hoa", "Minh Quang",
            "Phúc Sơn", "Tân Trào", "Hợp Thành", "Kháng Nhật", "Đồng Quý", "Ỷ La", "Nhữ Khê"]
PROVINCES = ["Tuyên Quang", "Hà Giang", "Thái Nguyên", "Phú Thọ", "Lào Cai", "Yên Bái",
             "Cao Bằng", "Bắc Kạn", "Lạng Sơn", "Điện Biên", "Sơn La", "Hòa Bình"]
GIVEN = ["Văn Lâm", "Thị Kim Dung", "Văn Sơn", "Hồng Trang", "Đình Thảo", "Việt Lâm",
         "Anh Cương", "Mạnh Tuấn", "Tuấn Anh", "Mạnh Duyệt", "Thế Thái", "Hưng Vượng",
         "Thị Mai", "Tiến Quân", "Thị Thủy", "Quốc Hòa"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý", "Âu", "Chẩu", "Giang", "Phùng", "Vân"]


def local(h: int, m: int = 0, s: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, h, m, s, tzinfo=TZ)


def machine() -> str:
    cpu = cpu_model()
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu}), " \
           f"Python {platform.python_version()}"


# --- one build, in a child process ----------------------------------------------------------


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def build_one(db: str, meeting_id: int, out: str, kind: str) -> None:
    from meeting_console.core.api import Core
    from meeting_console.record import build_attendance_report, build_record

    core = Core.open(db)
    fn = build_attendance_report if kind == "attendance" else build_record
    c0 = cpu()
    t0 = time.perf_counter()
    fn(core, meeting_id, out)
    seconds = time.perf_counter() - t0
    cpu_seconds = cpu() - c0
    from pypdf import PdfReader

    pages = len(PdfReader(out).pages)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"seconds": seconds, "cpu": cpu_seconds, "peak_rss_mb": rss, "pages": pages,
                      "bytes": os.path.getsize(out)}))


def measure(db: Path, meeting_id: int, out: Path, kind: str = "record") -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--one", str(db), str(meeting_id), str(out), kind],
        capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- the demo ----------------------------------------------------------------------------


def demo(folder: Path) -> tuple[Path, int, int]:
    from meeting_console.core.api import Core
    from meeting_console.core.clock import FakeClock
    from meeting_console.core.meeting_file import import_meeting
    from meeting_console.paths import resource as res
    from tests.record import seed

    db = folder / "demo.db"
    clock = FakeClock(seed.at("7:00"))
    core = Core.open(str(db), clock=clock)
    planned = import_meeting(core, res("demo", "tuyen-quang-2022-01-14.yaml")).result
    held = import_meeting(core, res("demo", "tuyen-quang-2022-01-14.yaml")).result
    seed.hold(core, held, clock)
    core.close()
    return db, planned, held


# --- the national-scale meeting ----------------------------------------------------------


def national(folder: Path, n_endpoints: int, *, items: int = 60, speeches: int = 800,
             grants: int = 300) -> tuple[Path, int, dict[str, int]]:
    """Seed with the core's create operations for the meeting and the catalogue, and bulk
    inserts for the held data (one transaction: the live operations would take hours)."""
    from sqlalchemy import insert

    from meeting_console.core import catalogue, meetings
    from meeting_console.core.api import Core
    from meeting_console.store import models as m

    rnd = random.Random(20260207)
    db = folder / "national.db"
    core = Core.open(str(db))
    catalogue.seed_catalogue(core)
    mid = meetings.create_meeting(
        core, "Hội nghị toàn quốc nghiên cứu, học tập, quán triệt Nghị quyết Đại hội XIV của Đảng",
        DAY, parent_body="BAN CHẤP HÀNH TRUNG ƯƠNG", issuing_body="BAN BÍ THƯ",
        record_number="01-BB/TW", place="Hội trường Diên Hồng, Nhà Quốc hội", city="Hà Nội",
        form="hybrid", summary="Quán triệt Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV.",
    ).result
    counts = {"endpoints": n_endpoints, "items": items, "speeches": speeches, "grants": grants}
    with core.db.sessions.begin() as s:
        meeting = s.get(m.Meeting, mid)
        meeting.status = "closed"
        meeting.actual_start = local(7, 58)
        meeting.actual_end = local(17, 41)
        meeting.closing_remarks = "Kết luận hội nghị. " * 40
        # bridge points
        s.execute(insert(m.Endpoint), [
            {"id": i + 1, "name": ("Hội trường Diên Hồng" if i == 0 else
                                   f"Xã {COMMUNES[i % 20]} số {i:05d}, huyện {DISTRICTS[i % 11]}, "
                                   f"tỉnh {PROVINCES[i % 12]}"),
             "kind": "main_hall" if i == 0 else "commune", "code": f"EP{i:05d}", "address": "",
             "host_name": ""}
            for i in range(n_endpoints)])
        s.execute(insert(m.MeetingEndpoint), [
            {"id": i + 1, "meeting_id": mid, "endpoint_id": i + 1, "position": i + 1,
             "expected_delegates": 60, "present_delegates": 60 - i % 7,
             "host": f"{FAMILY[i % 18]} {GIVEN[i % 16]}", "status": "left"}
            for i in range(n_endpoints)])
        events = []
        n_out = 0
        for i in range(n_endpoints):
            me = i + 1
            t = local(7, 30) + timedelta(seconds=rnd.randrange(1800))
            events.append((me, t, "connected"))
            for _k in range(rnd.choice((0, 0, 1, 1, 2, 3))):
                t = t + timedelta(minutes=rnd.randrange(5, 120))
                if t > local(17, 30):
                    break
                bad = rnd.choice(("lost", "unstable"))
                events.append((me, t, bad))
                n_out += 1
                if bad == "unstable" and rnd.random() < 0.3:
                    t = t + timedelta(seconds=rnd.randrange(10, 60))
                    events.append((me, t, "lost"))
                if rnd.random() < 0.01:
                    break  # never restored
                t = t + timedelta(seconds=rnd.randrange(20, 900))
                events.append((me, t, "connected"))
            else:
                events.append((me, local(17, 42), "left"))
        s.execute(insert(m.EndpointStatusEvent), [
            {"meeting_endpoint_id": me, "at": at, "status": st, "automatic": True, "detail": ""}
            for me, at, st in events])
        counts["status events"] = len(events)
        counts["outages (about)"] = n_out
        # people: speakers and recipients
        people = []
        for i in range(speeches // 2 + grants):
            people.append({
                "id": i + 1, "meeting_id": mid,
                "full_name": f"{FAMILY[i % 18]} {GIVEN[(i * 7) % 16]} {i}",
                "posts": [f"Bí thư Tỉnh ủy {PROVINCES[i % 12]}", "Ủy viên Trung ương Đảng"],
                "category": "member", "chair_order": 1 if i == 0 else None,
                "is_recorder": i == 1, "meeting_endpoint_id": 1 + (i * 37) % n_endpoints,
                "attendance": "online", "absence_reason": "", "note": ""})
        s.execute(insert(m.Person), people)
        s.execute(insert(m.Organisation), [
            {"id": i + 1, "meeting_id": mid, "name": f"Sở Văn hóa, Thể thao và Du lịch tỉnh {i}",
             "note": ""} for i in range(grants // 3)])
        # agenda: 60 items of 9–10 minutes from 8:00
        t = local(8, 0)
        rows = []
        for i in range(items):
            actual = t + timedelta(minutes=rnd.randrange(-1, 3))
            rows.append({"id": i + 1, "meeting_id": mid, "position": i + 1, "number": str(i + 1),
                         "title": f"Nội dung {i + 1}: báo cáo chuyên đề về xây dựng Đảng, phát "
                                  f"triển kinh tế - xã hội của các địa phương, nhóm {i % 9}",
                         "kind": "discussion", "presenter_id": 1 + i % 50, "presenter_text": "",
                         "planned_start": t, "planned_minutes": 9, "actual_start": actual,
                         "actual_end": actual + timedelta(minutes=9, seconds=30),
                         "status": "done", "paused_seconds": 0, "extended_minutes": 0,
                         "unplanned": False, "notes": ""})
            t += timedelta(minutes=10)
        s.execute(insert(m.AgendaItem), rows)
        per = speeches // items + 1
        reqs = []
        for k in range(speeches):
            item = rows[k // per]
            start = item["actual_start"] + timedelta(seconds=20 + (k % per) * 40)
            reqs.append({"meeting_id": mid, "agenda_item_id": item["id"],
                         "person_id": 1 + k % (speeches // 2),
                         "meeting_endpoint_id": 1 + (k * 91) % n_endpoints, "topic": "",
                         "source": "endpoint", "position": None, "status": "done",
                         "actual_start": start, "actual_end": start + timedelta(seconds=38),
                         "paused_seconds": 0, "extended_seconds": 0,
                         "summary": "Phát biểu ý kiến về việc quán triệt, triển khai nghị quyết "
                                    "tại địa phương; đề xuất, kiến nghị với Trung ương."})
        s.execute(insert(m.SpeakerRequest), reqs)
        types = [t.id for t in s.query(m.AwardType).order_by(m.AwardType.precedence)][:40]
        gs = []
        for k in range(grants):
            collective = k % 3 == 0
            gs.append({"meeting_id": mid, "award_type_id": types[k * len(types) // grants],
                       "recipient_kind": "collective" if collective else "individual",
                       "recipient_person_id": None if collective else speeches // 2 + 1 + k,
                       "recipient_org_id": 1 + k // 3 if collective else None,
                       "recipient_post": "" if collective else "Giám đốc Sở",
                       "posthumous": False, "received_by": "", "presenter_id": 1,
                       "presenter_text": "", "decision_number": f"{k + 1}/QĐ-CTN",
                       "citation": "", "group_no": k + 1, "ceremony_position": k + 1,
                       "presented_at": local(16, 0) + timedelta(seconds=20 * k),
                       "meeting_endpoint_id": 1})
        s.execute(insert(m.AwardGrant), gs)
    core.close()
    return db, mid, counts


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        build_one(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoints", type=int, default=31_000)
    ap.add_argument("--keep", help="folder to keep the PDFs in")
    args = ap.parse_args()
    import timeit

    calib = min(timeit.repeat("sum(range(10**6))", number=5, repeat=5)) / 5 * 1000
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at start; "
          f"sum(range(10**6)) takes {calib:.0f} ms here (an idle desktop core: about 10-15)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db, planned, held = demo(folder)
        for label, mid in (("demo, planned programme", planned), ("demo, held (minutes)", held)):
            r = measure(db, mid, folder / f"demo-{mid}.pdf")
            print(f"{label:30s} {r['seconds']:6.2f} s (CPU {r['cpu']:6.2f} s)  "
                  f"{r['pages']:5d} pages  peak RSS {r['peak_rss_mb']:4.0f} MB")
        t0 = time.perf_counter()
        db, mid, counts = national(folder, args.endpoints)
        print(f"national-scale meeting seeded in {time.perf_counter() - t0:.1f} s: "
              + ", ".join(f"{v} {k}" for k, v in counts.items()))
        for kind in ("record", "attendance"):
            r = measure(db, mid, folder / f"national-{kind}.pdf", kind)
            print(f"{'national, ' + kind:30s} {r['seconds']:6.2f} s (CPU {r['cpu']:6.2f} s)  "
                  f"{r['pages']:5d} pages  peak RSS {r['peak_rss_mb']:4.0f} MB  "
                  f"{r['bytes'] / 1e6:.1f} MB file")


if __name__ == "__main__":
    main()
