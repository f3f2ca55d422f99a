"""What the multi-console checks cost: the SQLite file watch (twice a second, on a thread of
its own), the expectation a speaker press carries, and a refusal that names who changed what
(it reads the journal). Prints figures; passes or fails nothing.

    /work/venv/bin/python benchmarks/sync_checks.py [--presses 200]

CPU time (time.thread_time / process_time) is reported beside wall time: the machine may be
shared, and CPU time per operation is what the check adds.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from machine_info import cpu_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from meeting_console.core import agenda, people, speakers  # noqa: E402
from meeting_console.core.api import Core  # noqa: E402
from meeting_console.core.clock import FakeClock  # noqa: E402
from meeting_console.core.concurrency import Conflict  # noqa: E402
from meeting_console.core.file_watch import check, identity  # noqa: E402
from tests.factories import small_meeting  # noqa: E402


def per_call(fn, n: int) -> tuple[float, float]:
    """(CPU µs, wall µs) per call, median of five rounds of n calls."""
    cpu, wall = [], []
    for _ in range(5):
        c0, w0 = time.thread_time(), time.perf_counter()
        for _ in range(n):
            fn()
        cpu.append((time.thread_time() - c0) / n * 1e6)
        wall.append((time.perf_counter() - w0) / n * 1e6)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=200)
    args = ap.parse_args()
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        from datetime import UTC, datetime

        clock = FakeClock(datetime(2022, 1, 14, 0, 30, tzinfo=UTC))
        path = Path(tmp) / "meetings.db"
        core = Core.open(str(path), clock=clock, seat="thư ký 1")
        other = Core.open(str(path), clock=clock, seat="thư ký 2")
        try:
            b = small_meeting(core)
            ident = identity(path)
            cpu, wall = per_call(lambda: check(path, ident), 400)
            print(f"file watch, one check: {cpu:.0f} µs CPU ({wall:.0f} µs wall); twice a second: "
                  f"{2 * cpu / 1e4:.3f} % of one core")

            agenda.start_item(core, b.items[1])
            n = args.presses
            for k in range(n + 2):
                person = people.add_person(core, b.meeting_id, f"Đại biểu {k}").result
                speakers.add_request(core, b.items[1], person)

            def press(expect: bool) -> float:
                cur = speakers.call_next(core, b.items[1])  # the floor, as a console shows it
                c0 = time.process_time()
                speakers.end_current(core, b.meeting_id, **({"expected_current": cur.result} if expect else {}))
                return (time.process_time() - c0) * 1e3

            plain = [press(False) for _ in range(n // 2)]
            checked = [press(True) for _ in range(n // 2)]
            print(f"'speech done' without / with the floor expectation: {statistics.median(plain):.2f} / "
                  f"{statistics.median(checked):.2f} ms CPU (median of {n // 2} each)")

            # a refusal names the seat and time: it reads the meeting's last journal entries
            cur = speakers.call_next(core, b.items[1]).result
            speakers.end_current(other, b.meeting_id, expected_current=cur)
            times = []
            for _ in range(50):
                c0 = time.process_time()
                try:
                    speakers.end_current(core, b.meeting_id, expected_current=cur)
                except Conflict:
                    pass
                times.append((time.process_time() - c0) * 1e3)
            print(f"a refused press (journal of {core.high_water()} entries read for who/when): "
                  f"{statistics.median(times):.2f} ms CPU")
        finally:
            other.close()
            core.close()


if __name__ == "__main__":
    main()
