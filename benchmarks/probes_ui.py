"""Benchmark: direct probes of 1,000 endpoints every 5 s, with the endpoint panel on screen.
Prints figures; passes or fails nothing.

    /work/venv/bin/python benchmarks/probes_ui.py [--endpoints 1000] [--seconds 40]

A peer process listens on TCP ports on 127.0.0.1 (a real accept for each probe); 90 % of the
endpoints point at listening ports, 10 % at ports bound but not listening (refused). Halfway
through, the peer stops listening on a third of its ports (those endpoints go down: a burst of
status changes through hysteresis, the batch writer, the bus and the panel), and later listens
again. The console runs as it does for a clerk: the qasync loop, the monitor on its own thread,
the DB worker, the panel. A 5 ms precise Qt timer measures how late the UI thread runs (stall).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))


PEER = textwrap.dedent('''
    import select, socket, sys
    n = int(sys.argv[1])
    socks = []
    for _ in range(n):
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0)); s.listen(64); s.setblocking(False); socks.append(s)
    print(" ".join(str(s.getsockname()[1]) for s in socks), flush=True)
    down = set()
    import threading
    def control():
        for line in sys.stdin:
            cmd, k = line.split()
            k = int(k)
            if cmd == "down":
                for i in range(k):
                    down.add(i); socks[i].close()
            elif cmd == "up":
                for i in sorted(down):
                    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(("127.0.0.1", int(ports[i]))); s.listen(64); s.setblocking(False)
                    socks[i] = s
                down.clear()
    ports = [s.getsockname()[1] for s in socks]
    threading.Thread(target=control, daemon=True).start()
    while True:
        live = [s for i, s in enumerate(socks) if i not in down]
        try:
            r, _, _ = select.select(live, [], [], 0.1)
        except (OSError, ValueError):
            continue
        for s in r:
            try:
                c, _ = s.accept(); c.close()
            except OSError:
                pass
''')


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoints", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=40.0)
    args = ap.parse_args()
    from agenda_next_item import machine
    from endpoints_scale import DISTRICTS, StallMeter, helper_cpu, panel_on_screen, pct, rss

    from meeting_console.core import endpoints, meetings
    from meeting_console.core.api import Core
    from meeting_console.core.clock import SystemClock

    n = args.endpoints
    listening = n * 9 // 10
    print(f"probes_ui: {n} endpoints probed directly over TCP every 5 s, for {args.seconds:g} s")
    print(f"machine: {machine()}")
    peer = subprocess.Popen([sys.executable, "-c", PEER, str(listening)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    ports = [int(p) for p in peer.stdout.readline().split()]  # type: ignore[union-attr]
    closed = []
    for _ in range(n - listening):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        closed.append(s)
    addresses = [f"tcp://127.0.0.1:{p}" for p in ports] + \
                [f"tcp://127.0.0.1:{s.getsockname()[1]}" for s in closed]

    tmp = tempfile.mkdtemp(prefix="mc-probes-")
    core = Core.open(f"{tmp}/probes.db", clock=SystemClock(), seat="bench")
    mid = meetings.create_meeting(core, "Hội nghị (benchmark đo trực tiếp)", date.today(),
                                  probe_interval_s=5, probe_timeout_s=1, probe_fail_threshold=2,
                                  probe_recover_threshold=2).result
    endpoints.add_endpoints(core, mid, endpoints.Listing(
        {"name": f"Điểm cầu {i:04d} {DISTRICTS[i % len(DISTRICTS)]}", "kind": "commune",
         "address": addresses[i], "expected_delegates": 20, "monitored": True} for i in range(n)))

    app, loop, runner, win, panel = panel_on_screen(core)
    meter = StallMeter()

    async def wait(pred, timeout: float = 120.0) -> float:  # type: ignore[no-untyped-def]
        t0 = time.monotonic()
        while not pred():
            if time.monotonic() - t0 > timeout:
                raise TimeoutError("benchmark step did not finish")
            await asyncio.sleep(0.02)
        return time.monotonic() - t0

    def count(status: str) -> int:
        return sum(1 for e in panel.emodel.rows if e.status == status)

    async def scenario() -> None:
        panel.meeting_id = mid
        panel.refresh()
        await wait(lambda: panel.emodel.rowCount() == n)
        cpu0, ui0, helpers0 = time.process_time(), time.thread_time(), helper_cpu({peer.pid})
        meter.start()
        panel.toggle_monitoring()
        took = await wait(lambda: count("connected") == listening)
        print(f"  first rounds: {listening} connected, {n - listening} refused, shown after {took:.1f} s")
        third = listening // 3
        await asyncio.sleep(max(0.0, args.seconds / 2 - took))
        peer.stdin.write(f"down {third}\n")  # type: ignore[union-attr]
        peer.stdin.flush()  # type: ignore[union-attr]
        took = await wait(lambda: count("connected") == listening - third)
        print(f"  {third} peers stop listening: all shown down after {took:.1f} s")
        peer.stdin.write(f"up {third}\n")  # type: ignore[union-attr]
        peer.stdin.flush()  # type: ignore[union-attr]
        took = await wait(lambda: count("connected") == listening)
        print(f"  and back: all shown connected after {took:.1f} s")
        stalls = meter.stop()
        cpu, ui_cpu = time.process_time() - cpu0, time.thread_time() - ui0
        helpers = helper_cpu({peer.pid}) - helpers0
        mon = panel.monitor.monitor
        assert mon is not None
        print(f"  monitor: {mon.status.rounds} rounds, {mon.status.probes} probes, "
              f"{mon.status.skipped_busy} skipped (still busy), {mon.status.batches} batches written")
        print(f"  CPU: console process {cpu:.1f} s (UI thread {ui_cpu:.1f} s), its helper processes {helpers:.1f} s")
        print(f"  UI stall ({len(stalls)} ticks of 5 ms): p50 {pct(stalls, 50):.1f} ms, "
              f"p99 {pct(stalls, 99):.1f} ms, max {max(stalls):.1f} ms")
        cur, peak = rss()
        print(f"  memory: RSS {cur:.0f} MB, peak {peak:.0f} MB")
        panel.monitor.stop()
        await wait(lambda: not panel.monitor.running, timeout=30)

    try:
        loop.run_until_complete(scenario())
    finally:
        peer.kill()
        peer.wait()
        for s in closed:
            s.close()
        runner.shutdown()
        core.close()
        loop.close()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
