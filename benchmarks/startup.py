"""Start-up time: process start → main window painted with the demo meeting, next to a bare
PySide6 QMainWindow measured in the same run. Prints figures; passes or fails nothing.

    python benchmarks/startup.py [--runs 15] [--source]

The package's bytecode is compiled first, as an installed console has it (pip, PyInstaller):
with PYTHONDONTWRITEBYTECODE set and a source checkout every start compiled ~70 modules
(``--source`` measures that case). Besides the wall time, the CPU time of the process up to the
paint is printed: on a machine shared with other work it moves far less than the wall time.

The console paints its first screen (the meeting read with sqlite3, ``store.quickread``) before
SQLAlchemy and the Core load; it then opens the Core and builds the panels. The time until then
("ready": every action available) is printed too.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine_info import cpu_model

BARE = r"""
import time, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(1400, 860)
class F(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint and o is w:
            w.removeEventFilter(self)
            QTimer.singleShot(0, lambda: (print(f"painted {time.time():.6f} cpu {time.process_time():.6f}",
                                              flush=True), app.quit()))
        return False
f = F(); w.installEventFilter(f); w.show(); app.exec()
"""


def measure(cmd: list[str], env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Per event ("painted", "ready"): wall time from the process start, and the process's CPU
    time till then."""
    t0 = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    found = {}
    for line in out.stdout.splitlines():
        words = line.split()
        if len(words) == 4 and words[0] in ("painted", "ready"):
            found[words[0]] = (float(words[1]) - t0, float(words[3]))
    if "painted" not in found:
        raise RuntimeError(f"no paint reported: {out.stdout!r} {out.stderr[-500:]!r}")
    return found


def _figures(label: str, runs: list[tuple[float, float]]) -> str:
    walls = [w for w, _ in runs]
    return (f"{label}median {statistics.median(walls) * 1000:.0f} ms  (min {min(walls) * 1000:.0f}, "
            f"max {max(walls) * 1000:.0f})")




def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--source", action="store_true", help="do not compile the package's bytecode first")
    args = ap.parse_args()
    if not args.source:
        import compileall

        import meeting_console

        compileall.compile_dir(str(Path(meeting_console.__file__).parent), quiet=1)
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "MEETING_CONSOLE_EXIT_AFTER_PAINT": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        env["XDG_CONFIG_HOME"] = tmp
        db = Path(tmp) / "bench.db"
        subprocess.run([sys.executable, "-m", "meeting_console", "--db", str(db), "import", "--demo"],
                       check=True, capture_output=True, env=env)
        console = [sys.executable, "-m", "meeting_console", "--db", str(db)]
        bare = [sys.executable, "-c", BARE]
        measure(console, env), measure(bare, env)  # warm the file cache
        c_runs, b_runs = [], []
        for _ in range(args.runs):  # interleaved, so both see the same machine load
            c_runs.append(measure(console, env))
            b_runs.append(measure(bare, env))
    c_ready = [r["ready"] for r in c_runs if "ready" in r]
    c_runs_p, b_runs_p = [r["painted"] for r in c_runs], [r["painted"] for r in b_runs]
    c_times, b_times = [w for w, _ in c_runs_p], [w for w, _ in b_runs_p]
    c_cpu, b_cpu = [c for _, c in c_runs_p], [c for _, c in b_runs_p]
    cm, bm = statistics.median(c_times), statistics.median(b_times)
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}, "
          f"platform {env['QT_QPA_PLATFORM']}")
    print(f"runs: {args.runs} each, interleaved; bytecode {'not compiled' if args.source else 'compiled'}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"bare PySide6 QMainWindow: median {bm * 1000:.0f} ms  (min {min(b_times) * 1000:.0f}, "
          f"max {max(b_times) * 1000:.0f})")
    print(f"console on the demo:      median {cm * 1000:.0f} ms  (min {min(c_times) * 1000:.0f}, "
          f"max {max(c_times) * 1000:.0f})")
    print(f"ratio console / bare: {cm / bm:.2f}x")
    cc, bc = statistics.median(c_cpu), statistics.median(b_cpu)
    print(f"CPU time to the paint: console median {cc * 1000:.0f} ms, bare {bc * 1000:.0f} ms, "
          f"ratio {cc / bc:.2f}x")
    if c_ready:
        print(_figures("console ready (Core open, every panel built and read): ", c_ready)
              + f"; CPU median {statistics.median(c for _, c in c_ready) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
