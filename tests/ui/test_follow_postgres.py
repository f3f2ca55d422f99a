"""On PostgreSQL a console hears of another console's change through LISTEN/NOTIFY."""

from __future__ import annotations

import subprocess
import sys
import time

from meeting_console.core.api import Core
from meeting_console.ui.bus import EXTERNAL, Runner


def test_change_in_another_process_arrives_fast(qtbot, pg_server, clock) -> None:
    name = pg_server.new_database(template="mc_template")
    url = pg_server.url(name)
    core = Core.open(url, clock=clock, seat="thư ký")
    runner = Runner(core)
    try:
        runner.watch_external()
        qtbot.waitUntil(runner._listener.connected.is_set, timeout=5000)
        runner._watch_timer.stop()  # no polling: only the NOTIFY can bring the change
        seen = []
        runner.operation_did_execute.connect(lambda ch, who: seen.append((time.monotonic(), ch, who)))
        code = (
            "import time\nfrom datetime import date\n"
            "from meeting_console.core.api import Core\nfrom meeting_console.core import meetings\n"
            f"c = Core.open({url!r}, seat='clerk')\n"
            "t = time.monotonic(); meetings.create_meeting(c, 'Họp từ máy khác', date(2022, 2, 1))\n"
            "print(time.monotonic())\n"
        )
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        # the GUI loop keeps running while the other console works
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=60000)
        assert proc.returncode == 0
        qtbot.waitUntil(lambda: any(who == EXTERNAL for _t, _c, who in seen), timeout=3000)
        (_t, changes, _who) = next(x for x in seen if x[2] == EXTERNAL)
        assert "meeting" in changes.areas
        # the latency itself is measured in benchmarks/sync_latency.py, not asserted here
    finally:
        runner.shutdown()
        core.close()
        pg_server.drop_database(name)
