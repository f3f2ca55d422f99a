"""Benchmark of several consoles on one PostgreSQL database. Prints figures; passes nothing.

    /work/venv/bin/python benchmarks/multi_console.py [--db postgresql+psycopg://…]
        [--changes 200] [--clerks 20] [--rate 100] [--seconds 30]

1. Change-to-visible latency between two consoles: a writer process changes an endpoint's
   status every 50 ms; this process is the other console (a ``Runner`` with LISTEN/NOTIFY, no
   polling); the time from the writer's commit returning to the change arriving on this
   console's change bus (both on CLOCK_MONOTONIC, one machine).
2. Load: ``--clerks`` clerk processes each send ``--rate`` status changes per second for
   ``--seconds`` through its console's DB worker (``core.worker``: the marks queued while a
   transaction runs commit together in the next, each its own journal entry and acknowledged
   only after that commit); then checks that every acknowledged change is in the journal under
   its seat and as a status event, and that the following console heard of them all. Figures:
   the rate achieved, how long a clerk waited for each acknowledgement, CPU per change of the
   clerks, of the server and of the following console.

Without ``--db`` a throwaway cluster is started (Debian's postgresql package, as for the tests)
with an office server's durability settings (fsync, synchronous_commit and full-page writes on;
the tests' cluster has them off); the settings in force are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def server_cpu(data: Path) -> float:
    """CPU seconds used so far by a local cluster: the postmaster, its live backends, and the
    backends it reaped (counted in its children's times)."""
    pm = int((data / "postmaster.pid").read_text().split()[0])
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            f = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(f[1])
        if pid == pm:
            total += sum(int(x) for x in f[11:15])  # utime stime cutime cstime
        elif ppid == pm:
            total += int(f[11]) + int(f[12])
    return total / tick


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))]


# --- the other processes --------------------------------------------------------------------


def writer(url: str, me_id: int, changes: int) -> None:
    """Console A: one status change every 50 ms; prints journal id and commit time."""
    from meeting_console.core import endpoints
    from meeting_console.core.api import Core

    core = Core.open(url, seat="clerk-A", role="clerk")
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()
    for n in range(changes):
        ch = endpoints.set_status(core, me_id, ("lost", "connected")[n % 2])
        print(json.dumps([ch.journal_id, time.monotonic()]), flush=True)
        time.sleep(0.05)
    core.close()


def clerk(url: str, seat: str, me_id: int, rate: float, seconds: float) -> None:
    """A clerk's console marking ``rate`` status changes a second (paced, like key presses:
    each is asked of the console's DB worker — ``core.worker.Worker``, what the UI's ``Runner``
    runs on — without waiting for the one before). The worker groups the marks queued while
    the previous transaction ran into one transaction (group commit); each is acknowledged
    when the commit that holds it returned. The Qt signal that carries the acknowledgement to
    a window's panels is the only part of a console's path not taken here."""
    from meeting_console.core import endpoints, status_group
    from meeting_console.core.api import Core
    from meeting_console.core.worker import Worker

    status_group.trace = []
    core = Core.open(url, seat=seat, role="clerk", endpoint_ids=frozenset({me_id}))
    worker = Worker(core)
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()
    acked: list[int] = []
    errors: list[str] = []
    waits: list[float] = []

    def done(asked: float, f: object) -> None:
        err = f.exception()  # type: ignore[attr-defined]
        if err is not None:  # counted and reported: nothing acknowledged
            errors.append(type(err).__name__)
            return
        acked.append(f.result().journal_id)  # type: ignore[attr-defined]
        waits.append(time.monotonic() - asked)

    cpu0 = time.process_time()
    start = time.monotonic()
    due = start
    n = 0
    futures = []
    total = round(rate * seconds)  # each mark at its time (start + n / rate); late ones at once
    while n < total:
        asked = time.monotonic()
        f = worker.submit_op(endpoints.set_status, me_id, ("lost", "connected")[n % 2])
        f.add_done_callback(lambda f, asked=asked: done(asked, f))
        futures.append(f)
        n += 1
        due += 1 / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    sent_s = time.monotonic() - start
    in_window = len(acked)
    for f in futures:  # what is still queued is waited for (and counted)
        f.exception()
    worker.shutdown()
    print(json.dumps({"acked": acked, "errors": errors, "elapsed": time.monotonic() - start,
                      "in_window": in_window, "sent_s": sent_s, "waits": waits, "groups": worker.groups,
                      "cpu": time.process_time() - cpu0, "trace": status_group.trace}), flush=True)
    core.close()


def spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.Popen([sys.executable, __file__, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=env)


def line(p: subprocess.Popen[str]) -> object:
    assert p.stdout is not None
    out = p.stdout.readline()
    if not out:
        raise SystemExit(f"a console process ended early (code {p.wait()})")
    return json.loads(out)


def go(p: subprocess.Popen[str]) -> None:
    assert p.stdin is not None
    p.stdin.write("go\n")
    p.stdin.flush()


# --- this console ---------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", help="a PostgreSQL URL (default: a throwaway cluster)")
    ap.add_argument("--changes", type=int, default=200)
    ap.add_argument("--clerks", type=int, default=20)
    ap.add_argument("--rate", type=float, default=100)
    ap.add_argument("--seconds", type=float, default=30)
    a = ap.parse_args()

    from PySide6.QtCore import QCoreApplication, QEventLoop
    from sqlalchemy import text

    from benchmarks.agenda_next_item import machine
    from meeting_console.cli import demo_path
    from meeting_console.core import endpoints, meeting_file, reads
    from meeting_console.core.api import Core
    from meeting_console.ui.bus import EXTERNAL, Runner

    server = None
    url = a.db
    if url is None:
        from tests.pgserver import PgServer

        server = PgServer(durable=True).start()
        server.admin('CREATE DATABASE "bench"')
        url = server.url("bench")
    app = QCoreApplication.instance() or QCoreApplication([])
    core = Core.open(url, seat="thư ký")
    try:
        mid = int(meeting_file.import_meeting(core, demo_path()).result)
        specs = [{"name": f"Điểm cầu thử {i:02d}"} for i in range(a.clerks)]
        endpoints.add_endpoints(core, mid, specs)
        me_ids = [e.id for e in endpoints.rows(core, mid)]
        print(machine())
        with core.reading() as s:
            settings = ", ".join(f"{k}={s.execute(text(f'SHOW {k}')).scalar()}" for k in
                                 ("server_version", "fsync", "synchronous_commit", "full_page_writes"))
        print(f"PostgreSQL {'throwaway cluster' if server else url.split('@')[-1]}: {settings}")

        # 1. latency
        runner = Runner(core)
        # other consoles' entries read in one poll reach the bus as one change (ui.bus.merge_external)
        # whose journal id is the last one's, in journal order: an entry has arrived once a
        # change with its id or a later one has
        bus: list[tuple[int, float]] = []
        runner.operation_did_execute.connect(
            lambda ch, who: who == EXTERNAL and ch.journal_id is not None
            and bus.append((ch.journal_id, time.monotonic())))

        def arrivals(ids: set[int]) -> dict[int, float]:
            out: dict[int, float] = {}
            todo = sorted(ids)
            k = 0
            for jid, t in sorted(bus, key=lambda e: e[1]):
                while k < len(todo) and todo[k] <= jid:
                    out[todo[k]] = t
                    k += 1
            return out
        runner.watch_external()
        loop = QEventLoop()
        deadline = time.monotonic() + 10
        while not runner._listener.connected.is_set() and time.monotonic() < deadline:
            loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        runner._watch_timer.stop()  # NOTIFY only: no safety-net polling in the figures
        w = spawn("--writer", url, str(me_ids[0]), str(a.changes))
        line(w)
        go(w)
        committed: dict[int, float] = {}
        import threading

        def read_writer() -> None:
            assert w.stdout is not None
            for out in w.stdout:
                jid, t = json.loads(out)
                committed[jid] = t

        t = threading.Thread(target=read_writer, daemon=True)
        t.start()
        while w.poll() is None or not set(committed) <= set(arrivals(set(committed))):
            loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            if w.poll() is not None and time.monotonic() > deadline + 60:
                break
        t.join(5)
        arrived = arrivals(set(committed))
        lat = [(arrived[j] - committed[j]) * 1000 for j in committed if j in arrived]
        print(f"change-to-visible, console A commit → console B's change bus, {len(lat)} changes "
              f"({len(committed) - len(lat)} not seen): median {statistics.median(lat):.1f} ms, "
              f"p99 {pct(lat, 99):.1f} ms, max {max(lat):.1f} ms")

        # 2. load: clerks at a steady rate, a console following them
        bus.clear()
        entries0 = runner.external_entries
        hw0 = core.high_water()
        clerks = [spawn("--clerk", url, f"clerk-{i + 1:02d}", str(me_ids[10 + i]), str(a.rate), str(a.seconds))
                  for i in range(a.clerks)]
        for c in clerks:
            line(c)
        srv0 = server_cpu(server.data) if server else None
        cpu0 = time.process_time()
        t0 = time.monotonic()
        for c in clerks:
            go(c)
        results: list[dict] = [None] * len(clerks)  # type: ignore[list-item]

        def collect(i: int, c: subprocess.Popen[str]) -> None:
            results[i] = line(c)  # type: ignore[assignment]

        threads = [threading.Thread(target=collect, args=(i, c), daemon=True) for i, c in enumerate(clerks)]
        for th in threads:
            th.start()
        while any(th.is_alive() for th in threads):
            loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        wall = time.monotonic() - t0
        acked = {j for r in results for j in r["acked"]}
        # the follower drains what is left
        runner._poll_external()
        end = time.monotonic() + 30
        while not acked <= set(arrivals(acked)) and time.monotonic() < end:
            loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        arrived = arrivals(acked)
        follower_cpu = time.process_time() - cpu0
        srv_cpu = server_cpu(server.data) - srv0 if server and srv0 is not None else None
        errors = [e for r in results for e in r["errors"]]
        journal = reads.journal(core, mid)
        in_journal = {e.id for e in journal if e.id > hw0}
        by_seat_ok = all(
            {e.id for e in journal if e.seat == f"clerk-{i + 1:02d}" and e.id > hw0} == set(r["acked"])
            for i, r in enumerate(results))
        events = sum(len(reads.status_events(core, me_ids[10 + i])) for i in range(a.clerks))
        wanted = a.clerks * a.rate * a.seconds
        print(f"load: {a.clerks} clerk processes × {a.rate:g}/s × {a.seconds:g} s = {wanted:,.0f} wanted; "
              f"{len(acked):,} acknowledged in {wall:.1f} s ({len(acked) / wall:,.0f}/s achieved), "
              f"{len(errors)} refused/failed")
        print(f"  lost: {len(acked - in_journal)} acknowledged but not in the journal; journal by seat "
              f"{'matches' if by_seat_ok else 'DIFFERS'}; status events {events:,} (≥ acknowledged); "
              f"the following console heard {len(acked & set(arrived)):,} of {len(acked):,} "
              f"({runner.external_entries - entries0:,} entries in {len(bus):,} changes on its bus)")
        waits = [w * 1000 for r in results for w in r["waits"]]
        n = max(1, len(acked))
        sent = max(r["sent_s"] for r in results)
        print(f"  every clerk sent its {a.rate * a.seconds:,.0f} marks within {sent:.2f} s; "
              f"{sum(r['in_window'] for r in results):,} acknowledged by the time each had sent its last; a clerk waited "
              f"for an acknowledgement median {statistics.median(waits):.0f} ms, p99 {pct(waits, 99):.0f} ms; "
              f"{sum(r['groups'] for r in results):,} group transactions")
        tr = [t for r in results for t in r.get("trace") or []]
        if tr:
            took = [(c - s) * 1000 for s, c, _n, _again in tr]
            print(f"  {len(tr):,} transactions of a clerk's marks, {sum(t[2] for t in tr) / len(tr):.1f} marks each, "
                  f"each median {statistics.median(took):.1f} ms, p99 {pct(took, 99):.1f} ms (read, plan, wait for the "
                  f"lock, write, commit); {sum(1 for t in tr if t[3]):,} planned again under the lock")
        print(f"  CPU per change: clerks {1000 * sum(r['cpu'] for r in results) / n:.2f} ms, "
              + (f"server {1000 * srv_cpu / n:.2f} ms, " if srv_cpu is not None else "")
              + f"following console {1000 * follower_cpu / n:.2f} ms")
        runner.shutdown()
        for c in [w, *clerks]:
            c.wait(30)
        del app
    finally:
        core.close()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--writer":
        writer(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--clerk":
        clerk(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]))
    else:
        main()
