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
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

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
        self.painted_at = 0.0
        self.loop: QEventLoop | None = None

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if ev.type() == QEvent.Type.Paint and self.armed:
            self.painted_at = time.perf_counter()
            self.armed = False
            if self.loop is not None:
                # the paint itself is done when the event returns: quit right after it
                QTimer.singleShot(0, self.loop.quit)
        return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--panel", action="store_true", help="the agenda panel alone, not the main window")
    ap.add_argument("--db", default="", help="database folder (default: a temporary one)")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(dir=args.db or None)
    os.environ["XDG_CONFIG_HOME"] = str(Path(tmp.name) / "config")
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
    core = Core.open(str(Path(tmp.name) / "bench.db"), clock=clock, seat="bench")
    t0 = time.perf_counter()
    mid = meetings.create_meeting(core, "Kỳ họp thứ 200 nội dung", day).result
    for i in range(args.items):
        agenda.add_item(core, mid, f"Nội dung số {i + 1}: báo cáo, thảo luận và biểu quyết", number=str(i + 1),
                        planned_start=at_local(day, 8, 0, tz) if i == 0 else None, planned_minutes=3)
    seed_s = time.perf_counter() - t0

    runner = Runner(core)
    marks: dict[str, float] = {}
    # connected before any panel: notes when the operation's result reaches the GUI thread
    runner.operation_did_execute.connect(lambda *_: marks.setdefault("bus", time.perf_counter()))
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

    watch = PaintWatch()
    panel.view.viewport().installEventFilter(watch)

    def on_loaded() -> None:
        marks.setdefault("loaded", time.perf_counter())
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

    total, bus, loaded, cpu = [], [], [], []
    for press in range(args.items):
        clock.advance(minutes=3)
        marks.clear()
        loop = QEventLoop()
        watch.loop = loop
        watch.armed = False
        guard = QTimer()
        guard.setSingleShot(True)
        guard.timeout.connect(loop.quit)
        guard.start(10_000)
        start = time.perf_counter()
        cpu0 = time.process_time()
        QTest.keyClick(panel.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        loop.exec()
        cpu.append((time.process_time() - cpu0) * 1000)  # both threads, till the repaint
        if not guard.isActive():
            raise SystemExit(f"press {press + 1}: no repaint within 10 s")
        guard.stop()
        total.append((watch.painted_at - start) * 1000)
        bus.append((marks.get("bus", start) - start) * 1000)
        loaded.append((marks.get("loaded", start) - start) * 1000)
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
    print(f"agenda next item, {args.items} items, {where}, SQLite file in {tmp.name}")
    print(f"machine: {machine()}")
    print(f"seeding {args.items} items through the core: {seed_s:.1f} s")
    print(f"{'':34}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'mean':>8}  (ms, {len(total)} presses)")
    for label, vals in (("key -> operation done (bus)", bus), ("key -> rows in the model", loaded),
                        ("key -> view repainted", total), ("  CPU time of the process", cpu)):
        print(f"{label:34}{pct(vals, 50):8.1f}{pct(vals, 95):8.1f}{pct(vals, 99):8.1f}{max(vals):8.1f}"
              f"{statistics.mean(vals):8.1f}")
    print(f"{'DB worker reads per press':34}{tasks_per_press:8.2f}")
    print(f"{'tick (forecast, model, chart, paint)':34}{pct(ticks, 50):8.1f}{pct(ticks, 95):8.1f}"
          f"{pct(ticks, 99):8.1f}{max(ticks):8.1f}{statistics.mean(ticks):8.1f}  (ms, {len(ticks)} ticks)")
    tmp.cleanup()


if __name__ == "__main__":
    main()
