"""Crash soak: the test suite's crash harness, run longer. Prints figures, passes or fails nothing.

    /work/venv/bin/python benchmarks/soak.py [--kills 2000] [--lanes 2] [--dir DIR] [--seed 1]

Each lane is a zygote process that forks workers driving random operations (every registered
core operation it can make arguments for, undo, redo, the import of the demo meeting) through
the core; the soak kills each worker with SIGKILL at a random moment, then checks that every
acknowledged operation is in the journal, that at most the one unacknowledged commit the kill
swallowed is there beyond them, that ``verify`` finds the database sound (integrity, foreign
keys, the journal replayed onto an empty database equals every table) and that the console
opens it. See tests/reliability/crash_harness.py.

Then it measures ``verify`` itself on a long journal (``--journal`` entries).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from machine_info import cpu_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def machine() -> str:
    cpu = cpu_model()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, load average {load:.1f} at start")


def soak(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    from tests.reliability.crash_harness import run_campaign

    stats = run_campaign(workdir / "crash", kills=args.kills, lanes=args.lanes, seed=args.seed,
                         kills_per_db=args.kills_per_db, stop_on_unsound=False)
    if stats.unsound and args.keep:
        for bad in (workdir / "crash").glob("lane*/unsound-*.db"):
            target = Path(args.keep) / f"{bad.parent.name}-{bad.name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(bad.read_bytes())
    return {
        "kills": stats.kills,
        "operations acknowledged": stats.acknowledged,
        "operations refused (nothing changed)": stats.refused,
        "operations without change": stats.unchanged,
        "commits the kill swallowed the acknowledgement of": stats.unacknowledged_commits,
        "acknowledged operations lost": stats.losses,
        "checks that found the database not sound": stats.unsound,
        "checks that also opened the console's reads": stats.console_opens,
        "journal entries replayed by the checks": stats.entries_checked,
        "databases": stats.databases,
        "distinct operations acknowledged": len(stats.ops),
        "unexpected exceptions in operations": sum(stats.errors.values()),
        "wall seconds": round(stats.seconds, 1),
        "failures": stats.failures[:20],
        "errors": dict(list(stats.errors.items())[:10]),
    }


def verify_speed(entries: int, workdir: Path) -> dict[str, object]:
    """``verify`` on a database with ``entries`` journal entries of live-meeting edits."""
    from meeting_console.cli import demo_path
    from meeting_console.core import agenda, endpoints, meeting_file, reads
    from meeting_console.core.api import Core
    from meeting_console.core.verify import verify_path

    path = workdir / "long-journal.db"
    core = Core.open(str(path), seat="bench")
    mid = int(meeting_file.import_meeting(core, demo_path()).result)
    items = [i.id for i in reads.agenda(core, mid)]
    eps = [e.id for e in reads.endpoints(core, mid)]
    # no syncs while seeding (the seeding is not what is measured)
    from sqlalchemy import event

    core.db.engine.dispose()
    event.listen(core.db.engine, "connect", lambda c, r: c.execute("PRAGMA synchronous=OFF"))
    for n in range(entries):
        if n % 3 == 0:
            endpoints.set_note(core, eps[n % len(eps)], f"ghi chú {n}")
        elif n % 3 == 1:
            agenda.update_item(core, items[n % len(items)], notes=f"diễn biến {n}")
        else:
            endpoints.set_present(core, eps[n % len(eps)], n % 40)
    core.close()
    started = time.perf_counter()
    report = verify_path(path)
    full = time.perf_counter() - started
    started = time.perf_counter()
    quick = verify_path(path, quick=True)
    quick_s = time.perf_counter() - started
    return {"journal entries": report.entries, "rows": report.rows, "sound": report.sound,
            "verify seconds": round(full, 2), "verify --quick seconds": round(quick_s, 2),
            "entries per second": round(report.entries / full), "file MB":
            round(path.stat().st_size / 1_048_576, 1), "quick sound": quick.sound}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kills", type=int, default=2000)
    p.add_argument("--lanes", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--kills-per-db", type=int, default=50)
    p.add_argument("--journal", type=int, default=20_000, help="entries for the verify timing")
    p.add_argument("--dir", help="work folder (default: a temporary one)")
    p.add_argument("--keep", help="folder to copy any database a check found not sound into")
    args = p.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="mc-soak-") as tmp:
        workdir = Path(args.dir) if args.dir else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("XDG_DATA_HOME", str(workdir / "data"))
        figures = soak(args, workdir)
        print("crash soak:")
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        if args.journal:
            print("verify on a long journal:")
            print(json.dumps(verify_speed(args.journal, workdir), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
