"""Benchmark of the live agenda: "next item" from the key press to the repainted view, on a
meeting of 200 agenda items. Prints figures; passes or fails nothing.

    /work/venv/bin/python benchmarks/agenda_next_item.py [--items 200] [--window/--panel]

What one press measures, as the secretary meets it: Ctrl+Return reaches the agenda's shortcut,
the operation runs on the DB worker (one transaction + journal entry, a real SQLite file, its
fsync included) and the rows it changed are read back in the same worker task, the change goes
out on the bus, the panel merges the rows, recomputes the forecast and updates the model, and
the view's viewport paints. The clock is stopped at the first paint after the rows changed.
By default the whole main window runs (its other panels refresh on the same bus and share the
worker); ``--panel`` measures the agenda panel alone. The one-second tick (no DB) is timed too.
A p99 of 200 presses is their third-slowest: run the script several times.

Besides the percentiles it prints where the slow presses went: per press the DB worker's time
(wall and its thread's CPU), the commit within it, whether that commit ran a WAL checkpoint
(read from the ``-shm`` file's backfill counter), the GUI thread's CPU and the time spent in
garbage collections; then the slowest presses one by one.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import struct
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from machine_info import cpu_model  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def machine() -> str:
    cpu = cpu_model()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    import PySide6

    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu}), "
            f"load {load:.1f}; Python {platform.python_version()}, PySide6 {PySide6.__version__}")


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))
    return s[k]


class PaintWatch(QObject):
    """Notes the time of each paint of the viewport; quits a loop at the first paint after
    ``armed`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = False
        self.painted_at = self.paint_began = 0.0
        self.loop: QEventLoop | None = None

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if ev.type() == QEvent.Type.Paint and self.armed:
            self.paint_began = time.perf_counter()
            self.armed = False
            # the paint, and the window's whole frame with it, is done when the event loop
            # turns again: the clock stops there
            QTimer.singleShot(0, self._done)
        return False

    def _done(self) -> None:
        self.painted_at = time.perf_counter()
        if self.loop is not None:
            self.loop.quit()


def shm_backfill(db: str) -> int:
    """The WAL's backfill counter in the ``-shm`` file (WalCkptInfo.nBackfill): it grows when a
    checkpoint copies frames into the database file, so a press that made it grow ran one."""
    try:
        with open(db + "-shm", "rb") as fh:
            head = fh.read(100)
    except OSError:
        return -1
    return struct.unpack_from("=I", head, 96)[0] if len(head) >= 100 else -1


class Probe:
    """Per press: the DB worker's turns (wall, thread CPU), commits, garbage collections."""

    def __init__(self) -> None:
        self.reset()
        self._gc_start: dict[int, float] = {}
        self._commit_start = 0.0
        gc.callbacks.append(self._gc)

    def reset(self) -> None:
        self.worker_wall = self.worker_cpu = self.commit = self.gc_ui = self.gc_worker = 0.0
        self.gc_full = 0
        self.tasks: list[str] = []

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        me = threading.get_ident()
        if phase == "start":
            self._gc_start[me] = time.perf_counter()
            return
        ms = (time.perf_counter() - self._gc_start.pop(me, time.perf_counter())) * 1000
        if info.get("generation") == 2:
            self.gc_full += 1
        if me == threading.main_thread().ident:
            self.gc_ui += ms
        else:
            self.gc_worker += ms

    def wrap_turn(self, turn):  # noqa: ANN001, ANN201
        def timed(*a: object) -> None:
            for work in (a[0] if a and isinstance(a[0], list) else ()):
                fn = getattr(work, "fn", None)
                self.tasks.append(getattr(fn, "__qualname__", "?").replace(".<locals>", ""))
            w, c = time.perf_counter(), time.thread_time()
            try:
                turn(*a)
            finally:
                self.worker_wall += (time.perf_counter() - w) * 1000
                self.worker_cpu += (time.thread_time() - c) * 1000
        return timed

    def commit_started(self, *_a: object) -> None:
        self._commit_start = time.perf_counter()

    def commit_done(self, *_a: object) -> None:
        if self._commit_start:
            self.commit += (time.perf_counter() - self._commit_start) * 1000
            self._commit_start = 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--press-every", type=float, default=180.0, metavar="S",
                    help="seconds on the clock between presses (default 180: the items' planned three "
                         "minutes, so no projection moves; e.g. 200: every item runs late and each press "
                         "moves every pending item's projected times, as in a real meeting)")
    ap.add_argument("--panel", action="store_true", help="the agenda panel alone, not the main window")
    ap.add_argument("--db", default="", help="database folder (default: a temporary one)")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="profile the GUI thread's presses (cProfile) and print its N heaviest functions")
    ap.add_argument("--profile-press", type=int, default=0, metavar="K",
                    help="with --profile: profile press K only (e.g. 1: the first-time costs)")
    ap.add_argument("--apart", action="store_true",
                    help="presses minutes apart, as in a meeting: before each press the last one's "
                         "status-bar message has gone (its 4 s timeout) and the event loop has idled")
    ap.add_argument("--profile-sort", default="cumulative", metavar="KEY",
                    help="with --profile: pstats' sort key (e.g. tottime)")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(dir=args.db or None)
    os.environ["XDG_CONFIG_HOME"] = str(Path(tmp.name) / "config")
    from meeting_console.ui.app import serial_fills

    serial_fills()  # as the console does (MEETING_CONSOLE_QT_GUI_POOL=1: Qt's pool of painters)
    app = QApplication.instance() or QApplication([])

    from meeting_console.core import agenda, meetings
    from meeting_console.core.api import Core
    from meeting_console.core.clock import FakeClock
    from meeting_console.core.timefmt import at_local
    from meeting_console.ui.agenda_panel import AgendaPanel
    from meeting_console.ui.bus import Runner
    from meeting_console.ui.main_window import MainWindow

    tz = "Asia/Ho_Chi_Minh"
    day = date(2022, 1, 14)
    clock = FakeClock(datetime(2022, 1, 14, 0, 30, tzinfo=UTC))
    db_path = str(Path(tmp.name) / "bench.db")
    core = Core.open(db_path, clock=clock, seat="bench")
    t0 = time.perf_counter()
    mid = meetings.create_meeting(core, "Kỳ họp thứ 200 nội dung", day).result
    for i in range(args.items):
        agenda.add_item(core, mid, f"Nội dung số {i + 1}: báo cáo, thảo luận và biểu quyết", number=str(i + 1),
                        planned_start=at_local(day, 8, 0, tz) if i == 0 else None, planned_minutes=3)
    seed_s = time.perf_counter() - t0

    runner = Runner(core)
    probe = Probe()
    runner._pool._run = probe.wrap_turn(runner._pool._run)  # type: ignore[method-assign]
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    event.listen(core.db.engine, "commit", probe.commit_started)
    event.listen(Session, "after_commit", probe.commit_done)
    marks: dict[str, float] = {}
    # connected before any panel: notes when the operation's result reaches the GUI thread
    def on_bus(*_a: object) -> None:
        marks.setdefault("bus", time.perf_counter())
        marks.setdefault("bus_cpu", time.thread_time())

    runner.operation_did_execute.connect(on_bus)
    if args.panel:
        panel = AgendaPanel(runner)
        top = panel
        panel.set_meeting(mid)
        panel.refresh_now()
    else:
        top = MainWindow(runner, mid)
        panel = top.agenda
    top.resize(1500, 950)
    top.show()
    top.activateWindow()
    panel.timer.stop()  # only the key presses repaint
    for _ in range(50):
        app.processEvents()
    panel.view.setFocus()
    for _ in range(20):
        app.processEvents()
    settle_ms = 0.0
    if not args.panel:
        # as the secretary meets the console: its start-up is over (ui/settle.py: the live
        # operations warmed on the DB worker, the start-up's objects collected and frozen)
        t_settle = time.perf_counter()
        waiting = QEventLoop()
        top.settled.connect(waiting.quit)
        QTimer.singleShot(30_000, waiting.quit)
        if not top.is_settled():
            waiting.exec()
        if not top.is_settled():
            raise SystemExit("the main window did not settle within 30 s")
        settle_ms = (time.perf_counter() - t_settle) * 1000
    # what the application's running event loop has done long before a first key press: the
    # objects Qt deleted later (each layout of the main window leaves a property animation per
    # dock) are gone. (processEvents, above, leaves them to the next QEventLoop: the first
    # press's, where they cost some 2 ms.)
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    watch = PaintWatch()
    panel.view.viewport().installEventFilter(watch)

    def on_loaded() -> None:
        marks.setdefault("loaded", time.perf_counter())
        marks.setdefault("loaded_cpu", time.thread_time())
        watch.armed = True  # the rows are in the model: the next paint shows them

    panel.loaded.connect(on_loaded)

    # reads a press queues on the DB worker besides its operation (panels reading rows back)
    tasks = [0]
    plain_call = runner.call

    def counted_call(*a: object, **k: object) -> object:
        if "op_then_read" not in getattr(a[0], "__qualname__", ""):
            tasks[0] += 1
        return plain_call(*a, **k)  # type: ignore[arg-type]

    runner.call = counted_call  # type: ignore[method-assign]

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    total, bus, loaded, began, cpu = [], [], [], [], []
    detail: list[dict[str, Any]] = []
    for press in range(args.items):
        clock.advance(args.press_every)
        if args.apart and not args.panel:
            top.statusBar().clearMessage()  # what its timeout does, seconds after the last press
            for _ in range(3):
                app.processEvents()
            app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        marks.clear()
        probe.reset()
        backfill0 = shm_backfill(db_path)
        ui0 = time.thread_time()
        loop = QEventLoop()
        watch.loop = loop
        watch.armed = False
        guard = QTimer()
        guard.setSingleShot(True)
        guard.timeout.connect(loop.quit)
        guard.start(10_000)
        start = time.perf_counter()
        cpu0 = time.process_time()
        profiling = profiler is not None and args.profile_press in (0, press + 1)
        if profiling:
            profiler.enable()
        QTest.keyClick(panel.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        loop.exec()
        if profiling:
            profiler.disable()
        cpu.append((time.process_time() - cpu0) * 1000)  # both threads, till the repaint
        ui1 = time.thread_time()
        ui_cpu = (ui1 - ui0) * 1000
        if not guard.isActive():
            raise SystemExit(f"press {press + 1}: no repaint within 10 s")
        guard.stop()
        total.append((watch.painted_at - start) * 1000)
        bus.append((marks.get("bus", start) - start) * 1000)
        loaded.append((marks.get("loaded", start) - start) * 1000)
        began.append((watch.paint_began - start) * 1000)
        detail.append({"press": press + 1, "total": total[-1], "bus": bus[-1], "worker": probe.worker_wall,
                       "worker_cpu": probe.worker_cpu, "commit": probe.commit, "ui_cpu": ui_cpu,
                       "gc": probe.gc_ui + probe.gc_worker,
                       "ui_key": (marks.get("bus_cpu", ui0) - ui0) * 1000,
                       "ui_merge": (marks.get("loaded_cpu", ui1) - marks.get("bus_cpu", ui0)) * 1000,
                       "ui_paint": (ui1 - marks.get("loaded_cpu", ui1)) * 1000, "gc_full": probe.gc_full,
                       "checkpoint": float(shm_backfill(db_path) > backfill0 >= 0),
                       "tasks": ", ".join(probe.tasks)})
        running = [r.item.number for r in panel.model.rows if r.item.status == "running"]
        expected = str(press + 1)
        assert running == [expected], (running, expected)

    tasks_per_press = tasks[0] / max(len(total), 1)
    # the one-second tick: forecast + model + chart, no database
    ticks = []
    for _ in range(200):
        clock.advance(1)
        s = time.perf_counter()
        panel.tick()
        app.processEvents()  # paints what the tick made dirty
        ticks.append((time.perf_counter() - s) * 1000)

    runner.shutdown()
    core.close()
    where = "main window" if not args.panel else "agenda panel alone"
    print(f"agenda next item, {args.items} items, {where}, a press every {args.press_every:g} s on the clock"
          + (" (presses apart: the last message gone)" if args.apart else "") + ", "
          f"SQLite file in {tmp.name}")
    print(f"machine: {machine()}")
    print(f"seeding {args.items} items through the core: {seed_s:.1f} s"
          + (f"; window shown until settled: {settle_ms:.0f} ms" if not args.panel else ""))
    print(f"{'':34}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'mean':>8}  (ms, {len(total)} presses)")
    for label, vals in (("key -> operation done (bus)", bus), ("key -> rows in the model", loaded),
                        ("key -> the view's paint begins", began), ("key -> view repainted", total), ("  CPU time of the process", cpu)):
        print(f"{label:34}{pct(vals, 50):8.1f}{pct(vals, 95):8.1f}{pct(vals, 99):8.1f}{max(vals):8.1f}"
              f"{statistics.mean(vals):8.1f}")
    print(f"{'DB worker reads per press':34}{tasks_per_press:8.2f}")
    print(f"{'tick (forecast, model, chart, paint)':34}{pct(ticks, 50):8.1f}{pct(ticks, 95):8.1f}"
          f"{pct(ticks, 99):8.1f}{max(ticks):8.1f}{statistics.mean(ticks):8.1f}  (ms, {len(ticks)} ticks)")
    print_detail(detail)
    if profiler is not None:
        import pstats

        print("GUI thread during the presses (cProfile; its own overhead included):")
        pstats.Stats(profiler).sort_stats(args.profile_sort).print_stats(r"meeting_console|PySide6", args.profile)
    tmp.cleanup()


def print_detail(detail: list[dict[str, Any]]) -> None:
    def col(key: str) -> list[float]:
        return [d[key] for d in detail]

    print(f"{'':34}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'mean':>8}  (ms, a press)")
    for label, key in (("DB worker turn(s), wall", "worker"), ("DB worker thread CPU", "worker_cpu"),
                       ("  its commit(s), wall", "commit"), ("GUI thread CPU", "ui_cpu"),
                       ("  key press until the bus", "ui_key"), ("  bus until rows in the model", "ui_merge"),
                       ("  then until painted", "ui_paint"),
                       ("garbage collection", "gc")):
        vals = col(key)
        print(f"{label:34}{pct(vals, 50):8.1f}{pct(vals, 95):8.1f}{pct(vals, 99):8.1f}{max(vals):8.1f}"
              f"{statistics.mean(vals):8.1f}")
    firsts = detail[:2]
    print("GUI thread CPU of presses #1, #2 (ms; the one-off costs): "
          + ", ".join(f"{d['ui_cpu']:.1f}" for d in firsts)
          + "; key -> view repainted: " + ", ".join(f"{d['total']:.1f}" for d in firsts))
    ck = [d for d in detail if d["checkpoint"]]
    print(f"presses whose commit ran a WAL checkpoint: {len(ck)}"
          + "".join(f"; #{d['press']:.0f}: commit {d['commit']:.1f}, press {d['total']:.1f} ms" for d in ck))
    print(f"presses with a full (generation 2) garbage collection: {sum(1 for d in detail if d['gc_full'])}")
    print("slowest presses:  press  total    bus  worker(cpu)  commit  GUI cpu     gc  checkpoint")
    def line(d: dict[str, Any]) -> None:
        print(f"{'':17}{d['press']:6.0f}{d['total']:7.1f}{d['bus']:7.1f}{d['worker']:7.1f}({d['worker_cpu']:4.1f})"
              f"{d['commit']:8.1f}{d['ui_cpu']:9.1f}{d['gc']:7.1f}  {'yes' if d['checkpoint'] else '   '}"
              f"  DB worker ran: {d['tasks']}")

    for d in sorted(detail, key=lambda d: -d["total"])[:6]:
        line(d)
    # on a loaded machine the wall times above are mostly waiting for a CPU: the presses that
    # cost the most CPU (GUI thread + DB worker) show the one-off costs whatever the load
    print("most CPU (GUI + DB worker):")
    for d in sorted(detail, key=lambda d: -(d["ui_cpu"] + d["worker_cpu"]))[:6]:
        line(d)


if __name__ == "__main__":
    main()
