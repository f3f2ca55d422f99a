"""Benchmark of the endpoint panel at national scale. Prints figures; passes or fails nothing.

    /work/venv/bin/python benchmarks/endpoints_scale.py [--endpoints 50000] [--rate 5000] [--seconds 10]
        [--template /tmp/scale-template.db] [--turns] [--gil-watch]

--template: the meeting and its endpoints are built once into that file and copied for later
runs (the build takes 20–50 s); --turns: the storm's 10 worst event-loop turns, with what ran in
each on the UI thread and on the other threads (``turn_trace.py``; its wrappers cost a little
time of their own: compare stall figures from runs without it).

1. A meeting with N endpoints (one bulk operation, a real SQLite file).
2. The endpoint panel loads them (worker read + model + first paint).
3. Filtering N rows: typing queries into the model (the filter pass, the layout change and the
   repaint of the view).
4. The storm: a status-feed server in another process lists all N endpoints; after a warm-up
   it flips RATE of them at each poll (connected ⇄ disconnected). The console polls every
   second (N=1, M=1: every flip is a status change) through the real path — the feed fetched,
   parsed, compared and run through the endpoints' state machines (hysteresis) in the feed
   helper process, its answer taken in columns on the monitor's own thread, the batch written by the writer helper as ONE journaled ``apply_monitor_batch``
   per second (the DB worker waits for it), the change bus, a partial reload of the panel. Meanwhile a 5 ms
   Qt timer measures how late the UI thread's event loop runs (the stall). At the end every
   status change is counted in the database and in the journal.
5. Resident memory (VmRSS, and the peak VmHWM) of the console process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from PySide6.QtCore import QElapsedTimer, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402

DISTRICTS = ["Sơn Dương", "Chiêm Hóa", "Hàm Yên", "Na Hang", "Lâm Bình", "Yên Sơn", "thành phố Tuyên Quang",
             "Bắc Quang", "Đồng Văn", "Mèo Vạc", "Hoàng Su Phì", "Xín Mần", "Quản Bạ", "Vị Xuyên"]

FEED_SERVER = textwrap.dedent('''
    import json, sys, threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    n, rate = int(sys.argv[1]), int(sys.argv[2])
    codes = [f"XA{i:06d}" for i in range(n)]
    up = [True] * n
    state = {"storm": False, "cursor": 0, "flips": 0, "polls": 0, "body": b""}
    lock = threading.Lock()
    # an MCU answers from memory: each entry's JSON is kept, only flipped ones are redone
    def part(i):
        return json.dumps({"code": codes[i], "state": "connected" if up[i] else "disconnected",
                           "latency_ms": 20 + i % 80})
    parts = [part(i) for i in range(n)]
    def render():
        return ('{"format": "meeting-console-status-feed", "version": 1, "endpoints": ['
                + ", ".join(parts) + "]}").encode()
    state["body"] = render()
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_GET(self):
            if self.path == "/start":
                state["storm"] = True; body = b"ok"
            elif self.path == "/stop":
                state["storm"] = False; body = b"ok"
            elif self.path == "/stats":
                body = json.dumps({"flips": state["flips"], "polls": state["polls"]}).encode()
            else:
                with lock:
                    body = state["body"]
                    state["polls"] += 1
                    if state["storm"]:  # the next poll sees RATE more changes
                        c = state["cursor"]
                        for k in range(rate):
                            j = (c + k) % n
                            up[j] = not up[j]
                            parts[j] = part(j)
                        state["cursor"] = (c + rate) % n
                        state["flips"] += rate
                        state["body"] = render()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *a):
            pass
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()
''')


def rss() -> tuple[float, float]:
    vals = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            k, v = line.split(":")
            vals[k] = int(v.split()[0]) / 1024
    return vals.get("VmRSS", 0.0), vals.get("VmHWM", 0.0)


def helper_cpu(exclude: set[int] = frozenset()) -> float:  # type: ignore[assignment]
    """CPU seconds (user + system) used so far by this process's child processes still running
    (the feed reader, the batch writer), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    me = str(os.getpid())
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) in exclude:
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:  # ppid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))] if s else 0.0


class GilWatch:
    """--gil-watch: a thread that sleeps 1 ms at a time; when it wakes much later, some thread
    held the interpreter lock (or the machine was busy) meanwhile. The frames of the other threads
    at that moment (the culprit has usually just finished its long step) are tallied."""

    def __init__(self, late_ms: float = 12.0) -> None:
        import collections
        import threading

        self.late_ms = late_ms
        self.hits: collections.Counter[str] = collections.Counter()
        self.worst: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gil-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import threading
        import traceback

        me = threading.get_ident()
        names = {}
        last = time.perf_counter()
        while not self._stop.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            late = (now - last) * 1000 - 1
            last = now
            if late < self.late_ms:
                continue
            names = {t.ident: t.name for t in threading.enumerate()}
            where = []
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                st = traceback.extract_stack(frame)[-3:]
                if st and st[-1].name in ("wait", "_worker", "select", "run_forever"):
                    continue  # idle: waiting, not holding
                where.append(f"[{names.get(ident, ident)}] " + " < ".join(
                    f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(st)))
            key = "\n      ".join(sorted(where))
            self.hits[key] += 1
            self.worst.append((late, key))
            last = time.perf_counter()

    def report(self) -> None:
        print(f"  gil-watch: {len(self.worst)} wakes late by >= {self.late_ms:g} ms; worst:")
        for late, key in sorted(self.worst, reverse=True)[:8]:
            print(f"    {late:.0f} ms:\n      {key}")


class StallMeter:
    """A 5 ms precise Qt timer: how much later than due each tick runs is the UI stall."""

    PERIOD_MS = 5

    def __init__(self, trace: object = None) -> None:
        self.trace = trace
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(self.PERIOD_MS)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.last = 0
        self.stalls: list[float] = []

    def start(self) -> None:
        self.stalls.clear()
        self.clock.start()
        self.last = self.clock.nsecsElapsed()
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed()
        late = max(0.0, (now - self.last) / 1e6 - self.PERIOD_MS)
        self.stalls.append(late)
        self.last = now
        if self.trace is not None:
            self.trace.tick(late)  # type: ignore[attr-defined]

    def stop(self) -> list[float]:
        self.timer.stop()
        return list(self.stalls)


def panel_on_screen(core: object) -> tuple[QApplication, asyncio.AbstractEventLoop, object, QMainWindow, object]:
    """The endpoint panel in a window on screen, under the qasync loop, as a clerk has it."""
    import qasync

    from meeting_console.ui.bus import Runner
    from meeting_console.ui.endpoints_panel import EndpointsPanel

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    runner = Runner(core)
    win = QMainWindow()
    panel = EndpointsPanel(runner)
    win.setCentralWidget(panel)
    win.resize(1500, 900)
    win.show()
    return app, loop, runner, win, panel


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoints", type=int, default=50_000)
    ap.add_argument("--rate", type=int, default=5000)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--gil-watch", action="store_true", help="name what held the interpreter lock")
    ap.add_argument("--turns", action="store_true",
                    help="list the worst event-loop turns of the storm with what ran in them (turn_trace.py)")
    ap.add_argument("--template", default="",
                    help="a database file: built there once (meeting and endpoints), copied for each later run")
    args = ap.parse_args()
    from agenda_next_item import machine  # the shared machine line

    from meeting_console.core import endpoints, meetings
    from meeting_console.core.api import Core
    from meeting_console.core.clock import SystemClock

    n = args.endpoints
    print(f"endpoints_scale: {n} endpoints, storm {args.rate} changes per poll (1 poll/s) for {args.seconds:g} s")
    print(f"machine: {machine()}")

    feed = subprocess.Popen([sys.executable, "-c", FEED_SERVER, str(n), str(args.rate)],
                            stdout=subprocess.PIPE, text=True)
    port = int(feed.stdout.readline())  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"

    tmp = tempfile.mkdtemp(prefix="mc-endpoints-")
    template = Path(args.template) if args.template else None
    if template is not None and template.exists():
        import shutil

        shutil.copyfile(template, f"{tmp}/scale.db")
        core = Core.open(f"{tmp}/scale.db", clock=SystemClock(), seat="bench")
        from meeting_console.core import reads

        mid = reads.list_meetings(core)[0].id
        meetings.update_meeting(core, mid, status_feed_url=f"{base}/feed")
        print(f"  build: {n} endpoints copied from {template}")
    else:
        core = Core.open(f"{tmp}/scale.db", clock=SystemClock(), seat="bench")
        mid = meetings.create_meeting(core, "Hội nghị toàn quốc (benchmark)", date.today(),
                                      probe_interval_s=1, probe_timeout_s=1, probe_fail_threshold=1,
                                      probe_recover_threshold=1, status_feed_url=f"{base}/feed").result
        specs = endpoints.Listing(
            {"name": f"Xã {i:05d} {DISTRICTS[i % len(DISTRICTS)]}", "kind": "commune", "code": f"XA{i:06d}",
             "expected_delegates": 10 + i % 40, "monitored": True}
            for i in range(n))
        t0 = time.perf_counter()
        endpoints.add_endpoints(core, mid, specs)
        print(f"  build: add {n} endpoints in one operation: {time.perf_counter() - t0:.2f} s")
        if template is not None:
            import shutil

            core.close()
            shutil.copyfile(f"{tmp}/scale.db", template)
            core = Core.open(f"{tmp}/scale.db", clock=SystemClock(), seat="bench")

    trace = None
    if args.turns:
        from turn_trace import TurnTrace

        trace = TurnTrace()
        trace.install()  # before the panel is built: its connections go through the wrappers

    app, loop, runner, win, panel = panel_on_screen(core)
    meter = StallMeter(trace)

    async def wait(pred, timeout: float = 600.0, step: float = 0.01) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while not pred():
            if time.monotonic() > deadline:
                raise TimeoutError("benchmark step did not finish")
            await asyncio.sleep(step)

    async def scenario() -> None:
        # --- load ---
        got = []
        panel.loaded.connect(lambda: got.append(time.perf_counter()))
        t0 = time.perf_counter()
        panel.meeting_id = mid
        panel.refresh()
        await wait(lambda: bool(got))
        app.processEvents()
        t_paint = time.perf_counter()
        print(f"  load: panel shows {panel.emodel.rowCount()} rows: {got[0] - t0:.2f} s "
              f"(read on the worker + model), first paint {t_paint - t0:.2f} s; RSS {rss()[0]:.0f} MB")

        # --- filter ---
        model_ms: list[float] = []
        total_ms: list[float] = []
        for q in ["son duong", "chiem hoa", "xa 0123", "xa 4", "zzz", "hoang su phi", "", "dong van",
                  "yen", ""] * 2:
            app.processEvents()
            t = time.perf_counter()
            panel.emodel.set_filter(query=q)  # the filter pass and the view's layout change
            t1 = time.perf_counter()
            panel.view.viewport().repaint()  # and the rows on screen painted
            t2 = time.perf_counter()
            model_ms.append((t1 - t) * 1000)
            total_ms.append((t2 - t) * 1000)
        print(f"  filter {n} rows: filter + layout change median {statistics.median(model_ms):.1f} ms, "
              f"max {max(model_ms):.1f} ms; with the repaint median {statistics.median(total_ms):.1f} ms, "
              f"max {max(total_ms):.1f} ms")
        panel.emodel.set_filter(query="")

        # --- warm-up: everything connected through the feed ---
        panel.toggle_monitoring()
        t = time.perf_counter()
        await wait(lambda: sum(1 for e in panel.emodel.rows if e.status == "connected") == n)
        print(f"  warm-up: all {n} connected through the feed (first batch of {n} changes) in "
              f"{time.perf_counter() - t:.1f} s; RSS {rss()[0]:.0f} MB, peak {rss()[1]:.0f} MB")
        mon = panel.monitor.monitor
        assert mon is not None

        # --- the storm ---
        with core.reading() as s:
            from sqlalchemy import func, select

            from meeting_console.store import models as m

            ev0 = s.execute(select(func.count()).select_from(m.EndpointStatusEvent)).scalar_one()
            j0 = s.execute(select(func.max(m.JournalEntry.id))).scalar_one()
        batches0 = mon.status.batches
        cpu0, ui0, helpers0 = time.process_time(), time.thread_time(), helper_cpu({feed.pid})
        watch = GilWatch() if args.gil_watch else None
        if watch is not None:
            watch.start()
        meter.start()
        if trace is not None:
            trace.on = True
        await asyncio.to_thread(urllib.request.urlopen, f"{base}/start")
        t_start = time.perf_counter()
        await asyncio.sleep(args.seconds)
        await asyncio.to_thread(urllib.request.urlopen, f"{base}/stop")
        t_stop = time.perf_counter()
        stalls = meter.stop()
        if trace is not None:
            trace.on = False
        if watch is not None:
            watch.stop()
        storm_cpu, storm_ui = time.process_time() - cpu0, time.thread_time() - ui0
        storm_helpers = helper_cpu({feed.pid}) - helpers0
        stats = json.loads((await asyncio.to_thread(urllib.request.urlopen, f"{base}/stats")).read())
        flips = stats["flips"]

        def events_now() -> int:
            with core.reading() as s:
                return s.execute(select(func.count()).select_from(m.EndpointStatusEvent)).scalar_one() - ev0

        t_drain = time.perf_counter()
        # a count of the events table every 0.25 s (it runs on the UI thread: kept rare)
        await wait(lambda: events_now() >= flips, timeout=300, step=0.25)
        drained = time.perf_counter() - t_drain
        # CPU time is the figure to compare on a shared machine (wall times stretch with its load)
        cpu = time.process_time() - cpu0
        ui_cpu = time.thread_time() - ui0
        helpers = helper_cpu({feed.pid}) - helpers0
        with core.reading() as s:
            entries = s.execute(select(m.JournalEntry.label, m.JournalEntry.automatic)
                                .where(m.JournalEntry.id > j0)).all()
        changes_in_journal = sum(int(label.split()[1]) for label, auto in entries
                                 if auto and label.startswith("Monitor: "))
        events = events_now()
        dur = t_stop - t_start
        print(f"  storm: {flips} status flips served in {dur:.1f} s = {flips / dur:.0f} changes/s; "
              f"{events} status events written, {changes_in_journal} counted in {len(entries)} journal "
              f"entries (all automatic: {all(a for _l, a in entries)}); last batch written {drained:.1f} s "
              f"after the storm; {mon.status.batches - batches0} batches")
        print(f"  CPU during the storm's {dur:.0f} s: console process {storm_cpu:.1f} s (UI thread {storm_ui:.1f} s), "
              f"its helper processes {storm_helpers:.1f} s; until the last batch was written: "
              f"{cpu:.1f} s (UI thread {ui_cpu:.1f} s), helpers {helpers:.1f} s")
        print(f"  UI stall during the storm ({len(stalls)} ticks of 5 ms): p50 {pct(stalls, 50):.1f} ms, "
              f"p99 {pct(stalls, 99):.1f} ms, max {max(stalls):.1f} ms")
        if watch is not None:
            watch.report()
        if trace is not None:
            trace.report()
        with core.reading() as s:
            lost_db = s.execute(select(func.count()).select_from(m.MeetingEndpoint)
                                .where(m.MeetingEndpoint.status == "lost")).scalar_one()
        t_catch = time.perf_counter()
        await wait(lambda: panel.emodel.counts.get("lost", 0) == lost_db, timeout=120)
        print(f"  panel caught up {time.perf_counter() - t_catch:.1f} s later: {panel.summary.text()}")
        cur, peak = rss()
        print(f"  memory: RSS {cur:.0f} MB now, peak {peak:.0f} MB")
        panel.monitor.stop()
        await wait(lambda: not panel.monitor.running, timeout=30)

    try:
        loop.run_until_complete(scenario())
    finally:
        feed.terminate()
        runner.shutdown()
        core.close()
        loop.close()  # qasync's executor threads (asyncio.to_thread) end here, not at exit
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
