"""The hall display's costs: reading a meeting, one tick (pure, no database), one tick with its
repaint at 1080p and 4K, for the demo and for a large meeting; and how fast a display process
follows a console process on the same database. Prints figures; passes or fails nothing.

    python benchmarks/display_bench.py [--changes 20] [--no-process]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from machine_info import cpu_model  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from meeting_console.cli import demo_path  # noqa: E402
from meeting_console.core import (  # noqa: E402
    agenda,
    awards,
    catalogue,
    display,
    endpoints,
    meeting_file,
    meetings,
    people,
    reads,
    speakers,
)
from meeting_console.core.api import Core  # noqa: E402
from meeting_console.core.clock import FakeClock  # noqa: E402


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def show(label: str, seconds: list[float], unit: str = "ms") -> None:
    k = 1e3 if unit == "ms" else 1e6
    s = sorted(seconds)
    p95 = s[min(len(s) - 1, int(len(s) * 0.95))]
    print(f"  {label:44s} median {statistics.median(s) * k:9.2f} {unit}   "
          f"p95 {p95 * k:9.2f} {unit}   n={len(s)}")


def big_meeting(core: Core) -> int:
    """60 items, 2,000 people, 5,000 endpoints, 1,500 speech requests, 300 awards."""
    day = datetime(2022, 1, 14).date()
    mid = meetings.create_meeting(core, "Hội nghị trực tuyến toàn tỉnh (đo tải)", day,
                                  parent_body="ĐẢNG BỘ TỈNH TUYÊN QUANG", issuing_body="TỈNH ỦY").result
    endpoints.add_endpoints(core, mid, [
        {"name": f"Điểm cầu xã số {k}", "kind": "commune", "code": f"X{k}"} for k in range(5000)])
    ppl = []
    for k in range(2000):
        ppl.append(people.add_person(core, mid, f"Nguyễn Văn Đại Biểu {k}",
                                     posts=["Bí thư Đảng ủy xã", "Chủ tịch HĐND xã"]).result)
    items = [agenda.add_item(core, mid, f"Nội dung thảo luận số {k}", number=str(k + 1),
                             kind="discussion", planned_minutes=30).result for k in range(60)]
    for k in range(1500):
        speakers.add_request(core, items[k % 3], ppl[k])
    catalogue.seed_catalogue(core)
    type_id = catalogue.award_types(core)[10].id
    for k in range(300):
        awards.add_grant(core, mid, type_id, recipient_person_id=ppl[k], group_no=k // 5 + 1)
    agenda.start_item(core, items[0])
    speakers.call_next(core, items[0])
    return mid


def in_process(core: Core, mid: int, label: str) -> None:
    from PySide6.QtWidgets import QApplication

    from meeting_console.ui.bus import Runner
    from meeting_console.ui.display import HallDisplay

    app = QApplication.instance() or QApplication([])
    print(f"{label}:")
    show("load (one read of the meeting)", timed(lambda: display.load(core, mid), 20))
    src = display.load(core, mid)
    t0 = core.clock.now()
    k = iter(range(10**9))
    show("state_at (one tick, no database)",
         timed(lambda: display.state_at(src, t0 + timedelta(seconds=next(k))), 2000), "µs")
    runner = Runner(core)
    try:
        for w, h in ((1920, 1080), (3840, 2160)):
            d = HallDisplay(runner, mid)
            d.resize(w, h)
            d.show()
            deadline = time.time() + 30
            while d.state is None and time.time() < deadline:
                app.processEvents()
                time.sleep(0.005)

            def second(d: HallDisplay = d) -> None:
                core.clock.advance(1)  # type: ignore[attr-defined]
                d.tick()
                app.processEvents()  # paints what changed: the timer (and the clock)

            def whole(d: HallDisplay = d) -> None:
                d.repaint()

            second()  # warm the text-fitting cache
            show(f"a second's tick + paint at {w}×{h} ({d.state.view})", timed(second, 60))
            show(f"a whole repaint at {w}×{h} (view change)", timed(whole, 30))
            d.close()
            d.deleteLater()
            app.processEvents()
    finally:
        runner.shutdown()


def across_processes(changes: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "meetings.db"
        core = Core.open(str(db), seat="console")
        mid = int(meeting_file.import_meeting(core, demo_path()).result)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        t_start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "meeting_console", "display", "--db", str(db),
             "--print-states", "--window", str(mid)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8",
            env=env)
        lines: queue.Queue[tuple[float, dict]] = queue.Queue()

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith("{"):
                    lines.put((time.monotonic(), json.loads(line)))

        threading.Thread(target=read, daemon=True).start()
        try:
            first_at, _first = lines.get(timeout=120)
            print("display process following a console process (same SQLite file):")
            print(f"  {'start to first state on screen':44s} {first_at - t_start:9.2f} s")
            follow = []
            for k in range(changes):
                mode = "blank" if k % 2 == 0 else "live"
                display.set_display_mode(core, mid, mode)
                t = time.monotonic()
                while True:
                    at, state = lines.get(timeout=30)
                    if state["mode"] == mode:
                        follow.append(at - t)
                        break
            show("change committed → shown by the display", follow)
            print(f"  {'max':44s} {max(follow) * 1e3:9.2f} ms")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            core.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--changes", type=int, default=20)
    ap.add_argument("--no-process", action="store_true")
    args = ap.parse_args()
    import PySide6

    print(f"machine: {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, "
          f"PySide6 {PySide6.__version__}, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        clock = FakeClock(datetime(2022, 1, 14, 2, 0, tzinfo=UTC))
        core = Core.open(str(Path(tmp) / "bench.db"), clock=clock, seat="bench")
        demo = int(meeting_file.import_meeting(core, demo_path()).result)
        its = reads.agenda(core, demo)
        agenda.start_item(core, its[4].id)
        speakers.call_next(core, its[4].id)
        in_process(core, demo, "demo meeting (7 items, 8 speakers, 6 awards), a speaker on")
        t = time.perf_counter()
        big = big_meeting(core)
        print(f"(large meeting built in {time.perf_counter() - t:.1f} s)")
        in_process(core, big, "large meeting (60 items, 2,000 people, 5,000 endpoints, "
                              "1,500 requests, 300 awards)")
        core.close()
    if not args.no_process:
        across_processes(args.changes)


if __name__ == "__main__":
    main()
