"""Crash harness: random live operations through the core, killed with SIGKILL at random moments.

Three roles, one file:

- the **worker** drives random operations (every registered core operation whose arguments it
  can make up, plus undo, redo and the import of the demo meeting) through ``Core`` and writes
  ``A <journal id> <op>`` to the pipe after each commit, an acknowledgement as a console would
  show "done";
- the **zygote** (``python -m tests.reliability.crash_harness zygote``) imports everything once
  and forks a worker per round, so a kill costs a fork instead of a Python start; it also runs
  the checks after each kill (``verify`` and opening the database as the console does);
- the **orchestrator** (``run_campaign``, in the test or the soak script) tells zygotes to start
  workers, kills each worker at a random moment, and checks: every acknowledged operation is in
  the journal with its name, at most one operation beyond the last acknowledgement committed
  (the one whose "done" the kill swallowed), ``verify`` finds the database sound (so nothing is
  half-applied: the tables are exactly what the journal's complete entries build) and the
  console opens it and reads every meeting.

Operations join by themselves: any ``@operation`` whose required parameters have names the
worker knows (``meeting_id``, ``item_id``, ``request_id``, ``index``, ``title`` …) is driven.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import random
import selectors
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

# --- the worker (inside a forked child) ------------------------------------------------------

NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thu Hà", "Hoàng Đức Dũng",
         "Vũ Thị Lan", "Đặng Quốc Hùng", "Bùi Minh Tâm", "Đỗ Thị Hoà", "Ma Văn Sơn"]
WORDS = ["Báo cáo", "tình hình", "kinh tế", "xã hội", "năm 2022", "điểm cầu", "Sơn Dương",
         "Chiêm Hóa", "thảo luận", "kết luận", "ngân sách", "Na Hang", "Lâm Bình", "Hàm Yên"]
POOLS = {  # parameter name → table whose ids it takes
    "meeting_id": "meeting", "item_id": "agenda_item", "anchor_id": "agenda_item",
    "request_id": "speaker_request", "person_id": "person", "meeting_endpoint_id": "meeting_endpoint",
    "endpoint_id": "endpoint", "grant_id": "award_grant", "organisation_id": "organisation",
    "type_id": "award_type", "award_type_id": "award_type",
}
UPDATES = {  # operations taking **fields: fields worth changing
    "agenda.update_item": {"notes": "text", "title": "title", "planned_minutes": "minutes"},
    "meetings.update_meeting": {"summary": "text", "place": "text"},
    "people.update_person": {"note": "text", "attendance": "attendance", "posts": "posts"},
    "people.update_organisation": {"note": "text"},
    "endpoints.update_participation": {"note": "text", "expected_delegates": "count"},
    "endpoints.edit_endpoint": {"address": "text", "note": "text"},
    "endpoints.update_directory_endpoint": {"address": "text"},
    "speakers.update_request": {"topic": "text"},
    "awards.update_grant": {"citation": "text", "decision_number": "text"},
    "catalogue.update_award_type": {"authority": "text"},
}
WEIGHTS = {"meetings.delete_meeting": 0.1, "meetings.create_meeting": 0.3,
           "catalogue.seed_catalogue": 0.1, "catalogue.remove_award_type": 0.2}
EXTRA_WEIGHTS = {"undo": 4.0, "redo": 2.0, "import_demo": 0.4}


def _text(rng: random.Random, n: int = 4) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, n)))


def _value(kind: str, rng: random.Random) -> Any:
    from meeting_console.core import vocab

    return {
        "text": lambda: _text(rng),
        "title": lambda: _text(rng, 6).capitalize(),
        "name": lambda: f"{rng.choice(NAMES)} {rng.randint(1, 999)}",
        "minutes": lambda: rng.randint(1, 30),
        "seconds": lambda: rng.choice([30, 60, 120]),
        "count": lambda: rng.randint(0, 60),
        "index": lambda: rng.randint(0, 6),
        "steps": lambda: rng.choice([-1, 1]),
        "status": lambda: rng.choice(vocab.ENDPOINT_STATUSES),
        "attendance": lambda: rng.choice(vocab.ATTENDANCE),
        "posts": lambda: [_text(rng, 3)],
        "bool": lambda: rng.random() < 0.5,
        "present": lambda: rng.choice([None, rng.randint(0, 40)]),
        "mode": lambda: rng.choice(["live", "blank", "logo"]),
        "date": lambda: date(2022, 1, 14),
    }[kind]()


PARAM_KINDS = {
    "title": "title", "name": "name", "full_name": "name", "note": "text", "host": "text",
    "summary": "text", "topic": "text", "detail": "text", "index": "index", "minutes": "minutes",
    "seconds": "seconds", "steps": "steps", "status": "status", "monitored": "bool",
    "present": "present", "mode": "mode", "meeting_date": "date",
}


@dataclass
class Recipe:
    name: str
    op: Any
    params: list[tuple[str, str]]  # (name, pool table or value kind), the required ones
    weight: float


def recipes() -> list[Recipe]:
    """Every registered operation whose required arguments the worker can make up."""
    import importlib
    import pkgutil

    import meeting_console.core as core_pkg
    from meeting_console.core.api import OPERATIONS

    for mod in pkgutil.iter_modules(core_pkg.__path__):
        with contextlib.suppress(Exception):  # a module being written by a colleague
            importlib.import_module(f"meeting_console.core.{mod.name}")
    out: list[Recipe] = []
    for name, op in sorted(OPERATIONS.items()):
        body = getattr(op, "__wrapped__", None)
        if body is None:
            continue
        params: list[tuple[str, str]] = []
        usable = True
        for p in list(inspect.signature(body).parameters.values())[1:]:
            if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL) or p.default is not p.empty:
                continue
            if p.name in POOLS:
                params.append((p.name, "pool:" + POOLS[p.name]))
            elif p.name in PARAM_KINDS:
                params.append((p.name, PARAM_KINDS[p.name]))
            else:
                usable = False
        if usable:
            out.append(Recipe(name, op, params, WEIGHTS.get(name, 1.0)))
    return out


def _ids(core: Any, table: str) -> list[int]:
    from sqlalchemy import text

    with core.reading() as s:
        return [int(r[0]) for r in s.execute(text(f"SELECT id FROM {table}"))]


def _out(line: str) -> None:
    os.write(1, (line.rstrip("\n") + "\n").encode("utf-8", "replace")[:4000])


def worker(core: Any, seed: int, max_ops: int, *, say: bool = True) -> None:
    """Random operations until ``max_ops`` or the kill; one line per outcome.

    ``core`` was opened by the zygote before the fork, with no connection left open (SQLite
    connections must not cross a fork); its engine's statement cache is warm, so a short-lived
    worker spends its time on operations rather than on compiling SQL."""
    from meeting_console.cli import demo_path
    from meeting_console.core import meeting_file
    from meeting_console.errors import UserError

    out = _out if say else (lambda line: None)
    rng = random.Random(seed)
    core.seat = f"crash-{seed}"
    out("OPEN")
    table = recipes()
    choices = [r.name for r in table] + list(EXTRA_WEIGHTS)
    weights = [r.weight for r in table] + list(EXTRA_WEIGHTS.values())
    by_name = {r.name: r for r in table}
    demo = demo_path()
    for _ in range(max_ops):
        name = rng.choices(choices, weights)[0]
        try:
            if name in ("undo", "redo"):
                mids = _ids(core, "meeting")
                if not mids:
                    continue
                mid = rng.choice(mids)
                changes = core.undo(mid) if name == "undo" else core.redo(mid)
            elif name == "import_demo":
                changes = meeting_file.import_meeting(core, demo)
            else:
                r = by_name[name]
                args = []
                for pname, kind in r.params:
                    if kind.startswith("pool:"):
                        pool = _ids(core, kind[5:])
                        if not pool:
                            raise LookupError(pname)
                        args.append(rng.choice(pool))
                    else:
                        args.append(_value(kind, rng))
                kwargs = {}
                for fname, kind in UPDATES.get(name, {}).items():
                    if rng.random() < 0.6:
                        kwargs[fname] = _value(kind, rng)
                changes = r.op(core, *args, **kwargs)
        except LookupError:
            continue
        except UserError:
            out(f"R {name}")
            continue
        except Exception as exc:  # a bug worth reporting, not a reason to stop
            out(f"E {name} {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            continue
        if changes.journal_id is not None:
            out(f"A {changes.journal_id} {name}")
        else:
            out(f"N {name}")
    out("DONE")


# --- the zygote -----------------------------------------------------------------------------


def make_template(path: str) -> None:
    """A database with the catalogue, a small meeting and the demo meeting."""
    from meeting_console.cli import demo_path
    from meeting_console.core import meeting_file
    from meeting_console.core.api import Core
    from tests.factories import small_meeting

    core = Core.open(path, seat="template")
    try:
        small_meeting(core)
        if demo_path().exists():
            meeting_file.import_meeting(core, demo_path())
    finally:
        core.close()


def check(db: str, console: str) -> str:
    """After a kill: verify; then, when asked, open it as the console does and read its latest
    meeting whole (``console="latest"``) or every meeting (``"all"``)."""
    from meeting_console.core import reads
    from meeting_console.core.api import Core
    from meeting_console.core.verify import verify_path

    report = verify_path(db)
    if not report.sound:
        return "BAD " + json.dumps(report.lines())
    ids: list[int | None] = []
    if console != "none":
        core = Core.open(db, seat="check")
        try:
            latest = reads.latest_meeting_id(core)
            ids = [m.id for m in reads.list_meetings(core)] if console == "all" else [latest]
            for mid in ids:
                if mid is not None:
                    reads.snapshot(core, mid)
        finally:
            core.close()
    return f"OK {report.entries} {report.rows} {len(ids)}"


def zygote() -> None:
    # import what every worker needs, once, before any fork
    from meeting_console.core import verify  # noqa: F401
    from meeting_console.core.api import Core

    recipes()
    cores: dict[str, Any] = {}
    _out("READY")
    for line in sys.stdin:
        cmd, *args = line.split()
        try:
            if cmd == "run":
                core = cores.get(args[0])
                if core is None:
                    core = cores[args[0]] = Core.open(args[0], seat="crash")
                core.db.engine.dispose()  # no connection crosses the fork
                pid = os.fork()
                if pid == 0:
                    code = 0
                    try:
                        signal.signal(signal.SIGINT, signal.SIG_DFL)
                        worker(core, int(args[1]), int(args[2]))
                    except BaseException as exc:
                        _out(f"E worker {type(exc).__name__}: {exc}")
                        code = 1
                    finally:
                        os._exit(code)
                _out(f"PID {pid}")
            elif cmd == "warm":
                # a few hundred operations in the zygote itself, before the lane starts, so
                # the engine every worker inherits has its statements compiled already
                core = cores.get(args[0])
                if core is None:
                    core = cores[args[0]] = Core.open(args[0], seat="crash")
                worker(core, int(args[1]), int(args[2]), say=False)
                core.db.engine.dispose()
                _out("WARM")
            elif cmd == "forget":
                # the orchestrator is about to put a fresh database at this path: the Core
                # opened on the old file would refuse every commit (the file at its path is
                # no longer the one it opened), so the next run opens the new file
                core = cores.pop(args[0], None)
                if core is not None:
                    core.close()
                _out("FORGOT")
            elif cmd == "reap":
                _, status = os.waitpid(int(args[0]), 0)
                _out(f"REAPED {args[0]} {status}")
            elif cmd == "template":
                make_template(args[0])
                _out("TEMPLATE")
            elif cmd == "check":
                cpu = time.process_time()
                result = check(args[0], args[1])
                _out(f"CHECK {result} cpu={time.process_time() - cpu:.3f}")
            elif cmd == "quit":
                break
        except Exception as exc:
            _out(f"FAIL {cmd} {type(exc).__name__}: {exc}")


# --- the orchestrator -----------------------------------------------------------------------


@dataclass
class Stats:
    kills: int = 0
    rounds: int = 0
    acknowledged: int = 0
    refused: int = 0
    unchanged: int = 0
    unacknowledged_commits: int = 0  # committed, killed before saying so (allowed: at most 1)
    losses: int = 0  # acknowledged but not in the journal: must stay 0
    unsound: int = 0  # verify failed or the console could not open: must stay 0
    databases: int = 0
    idle_databases: int = 0  # databases on which no operation was acknowledged: must stay 0
    console_opens: int = 0  # checks that also opened the database as the console does
    entries_checked: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # unexpected exceptions in operations
    failures: list[str] = field(default_factory=list)
    ops: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    run_seconds: float = 0.0  # workers running until killed
    check_seconds: float = 0.0  # verify and the console opening, after each kill

    def merge(self, other: Stats) -> None:
        for f in ("kills", "rounds", "acknowledged", "refused", "unchanged",
                  "unacknowledged_commits", "losses", "unsound", "databases", "idle_databases",
                  "entries_checked", "console_opens",
                  "run_seconds", "check_seconds"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        for k, v in other.errors.items():
            self.errors[k] = self.errors.get(k, 0) + v
        for k, v in other.ops.items():
            self.ops[k] = self.ops.get(k, 0) + v
        self.failures.extend(other.failures)


class Zygote:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
        env.pop("QT_QPA_PLATFORM", None)
        self.stderr = (workdir / "zygote.stderr").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_harness", "zygote"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, cwd=ROOT, env=env,
        )
        assert self.proc.stdout is not None
        self._fd = self.proc.stdout.fileno()
        self._buf = b""
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._fd, selectors.EVENT_READ)
        self.expect("READY", timeout=120)

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def lines(self, deadline: float) -> list[str]:
        """Lines available until ``deadline`` (at least one read attempt)."""
        out: list[str] = []
        while True:
            while b"\n" in self._buf:
                line, self._buf = self._buf.split(b"\n", 1)
                out.append(line.decode("utf-8", "replace"))
            if out:
                return out
            wait = deadline - time.monotonic()
            if wait <= 0 or not self._sel.select(wait):
                return out
            chunk = os.read(self._fd, 65536)
            if not chunk:
                raise RuntimeError(f"zygote died: {self._stderr_tail()}")
            self._buf += chunk

    def expect(self, prefix: str, timeout: float = 120, sink: list[str] | None = None) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines(deadline):
                if line.startswith(prefix):
                    return line
                if line.startswith("FAIL"):
                    raise RuntimeError(line)
                if sink is not None:
                    sink.append(line)
        raise TimeoutError(f"no {prefix!r} from the zygote in {timeout} s: {self._stderr_tail()}")

    def _stderr_tail(self) -> str:
        self.stderr.flush()
        try:
            return (self.workdir / "zygote.stderr").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("quit")
            self.proc.wait(timeout=10)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._sel.close()
        self.stderr.close()


def _journal(db: Path, above: int) -> dict[int, str]:
    conn = sqlite3.connect(str(db), timeout=10)
    try:
        return {int(i): str(op) for i, op in
                conn.execute("SELECT id, op FROM journal WHERE id > ?", (above,))}
    finally:
        conn.close()


def _top(db: Path) -> int:
    conn = sqlite3.connect(str(db), timeout=10)
    try:
        return int(conn.execute("SELECT coalesce(max(id), 0) FROM journal").fetchone()[0])
    finally:
        conn.close()


def _campaign_lane(lane: int, kills: int, workdir: Path, seed: int, kills_per_db: int,
                   stats: Stats, stop: threading.Event, warm_ops: int,
                   stop_on_unsound: bool) -> None:
    rng = random.Random(seed)
    z = Zygote(workdir)
    try:
        template = workdir / "template.db"
        z.send(f"template {template}")
        z.expect("TEMPLATE")
        db = workdir / "crash.db"
        shutil.copy(template, db)
        n_done = 0
        fresh = True
        db_acks = -1  # acknowledgements on the database in use (-1: none in use yet)
        while n_done < kills and not stop.is_set():
            if fresh or n_done % kills_per_db == 0:
                fresh = False
                if db_acks == 0:
                    stats.idle_databases += 1
                z.send(f"forget {db}")
                z.expect("FORGOT")
                for suffix in ("", "-wal", "-shm"):
                    with contextlib.suppress(FileNotFoundError):
                        Path(f"{db}{suffix}").unlink()
                shutil.copy(template, db)
                stats.databases += 1
                db_acks = 0
                # the first warm-up compiles the statements; later ones need only reach the
                # new file's engine
                ops = warm_ops if stats.databases == 1 else warm_ops // 3
                z.send(f"warm {db} {seed + stats.databases} {ops}")
                z.expect("WARM")
            before = _top(db)
            t_run = time.monotonic()
            z.send(f"run {db} {rng.randrange(1 << 30)} 100000")
            pid = int(z.expect("PID").split()[1])
            seen: list[str] = []
            # kill after k acknowledgements and a little more, or after a plain delay
            k = rng.choice([0, 0, 1, 1, 2, 3, 5])
            deadline = time.monotonic() + (rng.uniform(0, 0.15) if k == 0 else 10)
            while time.monotonic() < deadline:
                seen.extend(z.lines(deadline))
                if k and sum(1 for s in seen if s.startswith("A ")) >= k:
                    extra = time.monotonic() + rng.uniform(0, 0.02)
                    while time.monotonic() < extra:
                        seen.extend(z.lines(extra))
                    break
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            z.send(f"reap {pid}")
            z.expect(f"REAPED {pid}", sink=seen)
            stats.run_seconds += time.monotonic() - t_run
            stats.rounds += 1
            if "DONE" in seen:
                continue
            stats.kills += 1
            n_done += 1
            acked: dict[int, str] = {}
            for s in seen:
                kind, _, rest = s.partition(" ")
                if kind == "A":
                    jid, _, name = rest.partition(" ")
                    acked[int(jid)] = name
                    stats.ops[name] = stats.ops.get(name, 0) + 1
                elif kind == "R":
                    stats.refused += 1
                elif kind == "N":
                    stats.unchanged += 1
                elif kind == "E":
                    key = rest[:160]
                    stats.errors[key] = stats.errors.get(key, 0) + 1
            stats.acknowledged += len(acked)
            db_acks += len(acked)
            entries = _journal(db, before)
            for jid, name in acked.items():
                op = entries.get(jid)
                expected = {"undo", "redo"} if name in ("undo", "redo") else None
                if op is None or (expected is None and name != "import_demo" and op != name):
                    stats.losses += 1
                    stats.failures.append(f"lane {lane} kill {n_done}: acknowledged #{jid} "
                                          f"{name} is {'missing' if op is None else op}")
            extra = sorted(set(entries) - set(acked))
            stats.unacknowledged_commits += len(extra)
            if len(extra) > 1 or (extra and acked and extra[0] < max(acked)):
                stats.failures.append(f"lane {lane} kill {n_done}: unacknowledged commits {extra} "
                                      f"(acknowledged up to {max(acked, default=before)})")
            t_check = time.monotonic()
            console = "all" if n_done % 10 == 0 else "latest" if n_done % 3 == 0 else "none"
            z.send(f"check {db} {console}")
            stats.console_opens += console != "none"
            result = z.expect("CHECK ")[len("CHECK "):]
            stats.check_seconds += time.monotonic() - t_check
            if not result.startswith("OK"):
                stats.unsound += 1
                stats.failures.append(f"lane {lane} kill {n_done}: {result[:3000]}")
                keep = workdir / f"unsound-{n_done}.db"
                shutil.copy(db, keep)
                if stop_on_unsound:
                    stop.set()
                else:  # go on with a fresh database
                    fresh = True
            else:
                stats.entries_checked += int(result.split()[1])
        if db_acks == 0:
            stats.idle_databases += 1
    finally:
        z.close()


def run_campaign(workdir: Path, *, kills: int, lanes: int = 2, seed: int = 8,
                 kills_per_db: int = 25, warm_ops: int = 150,
                 stop_on_unsound: bool = True) -> Stats:
    """``kills`` SIGKILLs spread over ``lanes`` zygotes working in parallel, each on its own
    database (fresh from a template every ``kills_per_db`` kills, to keep checks short)."""
    started = time.monotonic()
    total = Stats()
    per_lane = [kills // lanes + (1 if i < kills % lanes else 0) for i in range(lanes)]
    lane_stats = [Stats() for _ in range(lanes)]
    errors: list[BaseException] = []
    stop = threading.Event()

    def lane(i: int) -> None:
        try:
            d = workdir / f"lane{i}"
            d.mkdir(parents=True, exist_ok=True)
            _campaign_lane(i, per_lane[i], d, seed * 1000 + i, kills_per_db, lane_stats[i], stop,
                           warm_ops, stop_on_unsound)
        except BaseException as exc:
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=lane, args=(i,), name=f"crash-lane-{i}") for i in range(lanes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    for s in lane_stats:
        total.merge(s)
    total.seconds = time.monotonic() - started
    return total


if __name__ == "__main__":
    if sys.argv[1:] == ["zygote"]:
        zygote()
    else:
        raise SystemExit("usage: python -m tests.reliability.crash_harness zygote")
