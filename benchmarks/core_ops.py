"""Benchmark: the DB worker's CPU for the three hot live operations, at the core level (no Qt):
"next item" on a 200-item agenda (with the agenda panel's read-back of the changed rows, as
``AgendaPanel.perform_live`` does on the worker), ``move_request`` and ``call_next`` on a queue
of 500 requests. Each operation is one journaled transaction (SQLite, synchronous=FULL, WAL).

Prints, per operation, the thread's CPU time (``time.thread_time``) and the wall time per call:
p50/p95/p99/mean. Nothing passes or fails on time.

    /work/venv/bin/python benchmarks/core_ops.py [--items 200] [--requests 500] [--runs 200]
        [--profile tottime|cumulative] [--only next|move|call]
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import functools
import itertools
import os
import platform
import pstats
import statistics
import tempfile
import time
from datetime import UTC, date, datetime

from machine_info import cpu_model

from meeting_console.core import agenda, meetings, reads
from meeting_console.core import speakers as sp
from meeting_console.core.api import Core, Tx, operation
from meeting_console.core.clock import FakeClock
from meeting_console.core.timefmt import at_local
from meeting_console.store import models as m

TZ = "Asia/Ho_Chi_Minh"


@operation("Benchmark: register speakers")
def _register_many(tx: Tx, meeting_id: int, item_id: int, n: int) -> None:
    tx.meeting_id = meeting_id
    for i in range(n):
        p = m.Person(meeting_id=meeting_id, full_name=f"Nguyễn Văn Sơn {i + 1}", posts=[f"Đại biểu số {i + 1}"],
                     category="member", is_recorder=False, attendance="in_person")
        tx.session.add(p)
        tx.session.flush()
        tx.session.add(m.SpeakerRequest(
            meeting_id=meeting_id, agenda_item_id=item_id, person_id=p.id, position=i + 1,
            status="queued", source="advance", requested_at=tx.now, paused_seconds=0,
            extended_seconds=0, topic=f"Ý kiến {i + 1}"))
    tx.session.flush()


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[max(0, min(len(s) - 1, int(round(p / 100 * (len(s) - 1)))))]


def report(name: str, cpu: list[float], wall: list[float]) -> None:
    print(f"  {name:<34} n={len(cpu):<4} CPU p50 {pct(cpu, 50):5.2f}  p95 {pct(cpu, 95):5.2f}  "
          f"p99 {pct(cpu, 99):5.2f}  mean {statistics.fmean(cpu):5.2f} ms │ wall p50 {pct(wall, 50):5.2f}  "
          f"p99 {pct(wall, 99):5.2f} ms")


# --callgrind: each operation's loop runs inside a C function of its own, which valgrind's
# ``--collect-atstart=no --toggle-collect=NAME`` counts alone (instructions: not disturbed by
# the other programs on the machine, as CPU times are)
CALLGRIND = {"next": "functools_reduce", "move": "starmap_next", "call": "accumulate_next"}


def counted(kind: str, fn, n: int) -> None:  # type: ignore[no-untyped-def]
    if kind == "next":
        functools.reduce(lambda _a, i: fn(i), range(n), None)
    elif kind == "move":
        collections.deque(itertools.starmap(fn, ((i,) for i in range(n))), maxlen=0)
    else:
        collections.deque(itertools.accumulate(range(n), lambda _a, i: fn(i)), maxlen=0)


def timed(fn, n: int, prof: cProfile.Profile | None, kind: str = "", callgrind: bool = False):  # type: ignore[no-untyped-def]
    if callgrind:
        counted(kind, fn, n)
        return [0.0], [0.0]
    cpu, wall = [], []
    for i in range(n):
        if prof is not None:
            prof.enable()
        c, w = time.thread_time(), time.perf_counter()
        fn(i)
        cpu.append((time.thread_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
        if prof is not None:
            prof.disable()
    return cpu, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--meetings", type=int, default=1,
                    help="agendas of --items each; 'next item' goes through them one after the other")
    ap.add_argument("--profile", choices=("tottime", "cumulative"))
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--only", choices=("next", "move", "call"))
    ap.add_argument("--callgrind", action="store_true",
                    help="run under valgrind --tool=callgrind --collect-atstart=no with "
                         "--toggle-collect= functools_reduce (next item), starmap_next (move), "
                         "accumulate_next (call next); each one's inclusive count is its loop's")
    args = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="core-ops-")
    clock = FakeClock(datetime(2022, 1, 14, 0, 30, tzinfo=UTC))
    core = Core.open(os.path.join(folder, "bench.db"), clock=clock, seat="bench")
    day = date(2022, 1, 14)
    agendas = []
    for _k in range(args.meetings):
        mid = meetings.create_meeting(core, "Kỳ họp thứ 200 nội dung", day).result
        for i in range(args.items):
            agenda.add_item(core, mid, f"Nội dung số {i + 1}: báo cáo, thảo luận và biểu quyết",
                            number=str(i + 1), planned_start=at_local(day, 8, 0, TZ) if i == 0 else None,
                            planned_minutes=3)
        agendas.append(mid)
    mid2 = meetings.create_meeting(core, "Hội nghị (hàng đợi)", day).result
    item2 = agenda.add_item(core, mid2, "Thảo luận", kind="discussion", planned_minutes=600,
                            planned_start=at_local(day, 8, 0, TZ)).result
    _register_many(core, mid2, item2, args.requests)
    agenda.start_meeting(core, mid2)
    agenda.start_item(core, item2)
    # the agenda's meeting started, its first item running (press #1's one-time costs are not
    # what this measures)
    for mid in agendas:
        agenda.next_item(core, mid)
    mid = agendas[0]
    # warm: the compiled statements cached, as the console's start-up dry run leaves them
    agenda.next_item(core, mid)
    core.undo(mid)
    sp.call_next(core, item2)
    core.undo(mid2)

    prof = cProfile.Profile(time.thread_time) if args.profile else None
    results = []
    runs = min(args.runs, (args.items - 3) * args.meetings)

    if args.only in (None, "next"):
        current = {mid: next(r.id for r in reads.agenda(core, mid) if r.status == "running")
                   for mid in agendas}
        per = args.items - 3

        def next_press(i: int) -> None:
            mid = agendas[i // per]
            ch = agenda.next_item(core, mid, expected_current=current[mid])
            current[mid] = ch.result
            ids = ch.rows.get("agenda_item", frozenset())
            # AgendaPanel.perform_live: the changed rows (and the meeting when it changed) read
            # back, unless the change itself carries their new values (agenda_panel._patchable)
            ups = ch.updates.get("agenda_item") if ch.updates else None
            patchable = bool(ups) and set(ch.rows) <= {"agenda_item"} and set(ups) == ids \
                and all(agenda.ITEM_PATCH_FIELDS.issuperset(u) for u in ups.values())
            if not patchable and ch.journal_id is not None and ids and "people" not in ch.areas:
                (reads.meeting(core, mid) if "meeting" in ch.areas else None,
                 agenda.read_items(core, mid, ids))
            clock.advance(seconds=20)

        results.append(("next item (as perform_live)", *timed(next_press, runs, prof, "next", args.callgrind)))

    if args.only in (None, "move"):
        ids = [s.id for s in reads.speakers(core, mid2) if s.status == "queued"]
        half = len(ids) // 2
        target = ids[half]

        def move_press(i: int) -> None:
            # one place down, then back up (the speaker benchmark's Ctrl+Down, Ctrl+Up)
            sp.move_request(core, target, half + (1 if i % 2 == 0 else 0), seen={"status": "queued"})
            clock.advance(seconds=1)

        results.append(("move_request (reorder)", *timed(move_press, args.runs, prof, "move", args.callgrind)))

    if args.only in (None, "call"):
        cur = [None]

        def call_press(_i: int) -> None:
            ch = sp.call_next(core, item2, start_timer=True, expected_current=cur[0])
            cur[0] = ch.result if isinstance(ch.result, int) else None
            clock.advance(seconds=20)

        # the current speaker's id: what call_next returns
        results.append(("call_next", *timed(call_press, min(args.runs, args.requests - 1), prof, "call", args.callgrind)))

    print(f"Core operations benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"  machine: {os.cpu_count()} CPU(s), {cpu_model()}; Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"  agenda of {args.items} items, queue of {args.requests} requests; SQLite {core.db.location}")
    for name, cpu, wall in results:
        report(name, cpu, wall)
    if prof is not None:
        prof.dump_stats("/tmp/coreop/last.prof")
        pstats.Stats(prof).sort_stats(args.profile).print_stats(args.top)


if __name__ == "__main__":
    main()
