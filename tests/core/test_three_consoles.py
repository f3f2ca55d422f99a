"""Three console processes (the secretariat and two clerks) on one PostgreSQL database, acting at
once on the same endpoints and agenda: every console converges on the same state, no
acknowledged operation is lost, each seat's journal entries are its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from meeting_console.cli import demo_path
from meeting_console.core import endpoints, meeting_file, reads
from meeting_console.core.api import Core
from tests.console_driver import View

ROOT = Path(__file__).resolve().parents[2]
SEATS = [("thư ký", "secretariat"), ("clerk-1", "clerk"), ("clerk-2", "clerk")]


def spawn(url: str, seat: str, role: str, mid: int, seed: int, steps: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.console_driver", url, seat, role, str(mid), str(seed), str(steps)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)


def ask(p: subprocess.Popen[str], line: str | None = None) -> dict:
    assert p.stdin is not None and p.stdout is not None
    if line is not None:
        p.stdin.write(line + "\n")
        p.stdin.flush()
    out = p.stdout.readline()
    assert out, f"console process ended (code {p.wait(timeout=30)})"
    return json.loads(out)


def test_three_console_processes_converge(pg_server, clock) -> None:
    name = pg_server.new_database(template="mc_template")
    url = pg_server.url(name)
    core = Core.open(url, clock=clock, seat="setup")
    procs: list[subprocess.Popen[str]] = []
    try:
        mid = int(meeting_file.import_meeting(core, demo_path()).result)
        procs = [spawn(url, seat, role, mid, seed, 60) for seed, (seat, role) in enumerate(SEATS)]
        assert all(ask(p) == {"ready": True} for p in procs)
        for p in procs:  # go together
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        done = [ask(p) for p in procs]
        reports = [ask(p, "report") for p in procs]
        for p in procs:
            assert p.wait(timeout=60) == 0

        # converged: the three views (kept up from the journal) and a fresh read agree
        fresh = View(core, mid)
        assert all(r["high_water"] == fresh.high_water for r in reports)
        assert all(r["view"] == fresh.as_json() for r in reports)
        assert len([s for s in fresh.items.values() if s in ("running", "paused")]) <= 1

        print("acked", [len(d["acked"]) for d in done], "conflicts", [d["conflicts"] for d in done],
              "refused", [d["refused"] for d in done])
        # conflicts did happen, and were refused rather than written over
        assert sum(d["conflicts"] for d in done) > 0, done

        # no acknowledged operation lost; each seat's journal entries are exactly its own
        journal = {e.id: e for e in reads.journal(core, mid)}
        for (seat, _role), d in zip(SEATS, done, strict=True):
            acked = {jid: label for jid, label in d["acked"]}
            assert acked, seat
            for jid, label in acked.items():
                e = journal[jid]
                assert (e.seat, e.label, e.kind, e.undone) == (seat, label, "op", False)
            assert {e.id for e in journal.values() if e.seat == seat} == set(acked)

        # the endpoint ledger holds: each status is its last status event
        for e in endpoints.rows(core, mid):
            events = reads.status_events(core, e.id)
            if events:
                assert events[-1].status == e.status
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        core.close()
        pg_server.drop_database(name)
