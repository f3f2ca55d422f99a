"""SIGKILL at random moments: nothing acknowledged is lost, nothing is half-applied.

One campaign (module fixture) of at least 200 kills over two lanes working in parallel, each a
zygote process forking workers that drive random operations through the core; see
``crash_harness`` for the protocol and the checks made after every kill.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from meeting_console.core import reads
from meeting_console.core.api import Core
from tests.reliability import crash_harness
from tests.reliability.conftest import raw

KILLS = int(os.environ.get("MC_CRASH_KILLS", "200"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> tuple[crash_harness.Stats, Path]:
    workdir = tmp_path_factory.mktemp("crash")
    stats = crash_harness.run_campaign(workdir, kills=KILLS, lanes=2, seed=8)
    summary = {k: v for k, v in stats.__dict__.items() if k not in ("ops", "failures")}
    (workdir / "stats.json").write_text(json.dumps(summary, indent=1))
    print(f"\ncrash campaign: {json.dumps(summary)}; {len(stats.ops)} distinct operations")
    return stats, workdir


def test_nothing_acknowledged_is_lost(campaign: tuple[crash_harness.Stats, Path]) -> None:
    stats, _ = campaign
    assert stats.failures == []
    assert stats.kills >= KILLS >= 1
    assert stats.losses == 0 and stats.unsound == 0
    assert stats.acknowledged >= stats.kills  # the workers did work between kills
    # on every database, not only the first: a worker refused everything (a Core opened on
    # a replaced file) would kill idle processes and prove nothing
    assert stats.databases >= 2 and stats.idle_databases == 0
    # the one commit a kill may swallow before its acknowledgement, never more
    assert stats.unacknowledged_commits <= stats.kills
    assert stats.console_opens >= stats.kills // 3


def test_the_campaign_drives_live_operations(campaign: tuple[crash_harness.Stats, Path]) -> None:
    stats, _ = campaign
    names = set(stats.ops)
    assert len(names) >= 15, sorted(names)
    assert {"undo"} <= names
    areas = {n.split(".")[0] for n in names if "." in n}
    assert {"agenda", "endpoints", "people", "meetings"} <= areas, sorted(areas)
    assert not [e for e in stats.errors if "Integrity" in e or "Operational" in e], stats.errors


def test_console_window_opens_after_the_last_kill(campaign: tuple[crash_harness.Stats, Path],
                                                  tmp_path: Path, qtbot, clock) -> None:
    from meeting_console.ui.bus import Runner
    from meeting_console.ui.main_window import MainWindow

    _, workdir = campaign
    db = tmp_path / "after-kill.db"
    for suffix in ("", "-wal", "-shm"):  # the database as the kill left it, WAL included
        src = Path(f"{workdir / 'lane0' / 'crash.db'}{suffix}")
        if src.exists():
            shutil.copy(src, f"{db}{suffix}")
    from PySide6.QtWidgets import QApplication

    core = Core.open(str(db), clock=clock)
    runner = Runner(core)
    window = None
    try:
        mid = reads.latest_meeting_id(core)
        window = MainWindow(runner, mid)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        if mid is not None:
            assert reads.meeting(core, mid).title in window.windowTitle()
            qtbot.waitUntil(lambda: window.agenda.model.rowCount() == len(reads.agenda(core, mid)))
    finally:
        if window is not None:
            window.close()
        QApplication.processEvents()  # let zero-delay refreshes run before the worker stops
        runner.shutdown()
        core.close()


def test_the_checks_have_teeth(tmp_path: Path) -> None:
    """A database changed behind the journal fails the check a kill is followed by."""
    db = tmp_path / "t.db"
    crash_harness.make_template(str(db))
    assert crash_harness.check(str(db), "all").startswith("OK")
    with raw(db) as conn:
        conn.execute("UPDATE agenda_item SET status='done' WHERE id=(SELECT min(id) FROM agenda_item)")
    assert crash_harness.check(str(db), "none").startswith("BAD")
