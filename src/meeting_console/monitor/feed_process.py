"""Reading a big status feed in a helper process.

A feed of 50,000 endpoints is 3–4 MB of JSON every second. Parsing it and comparing it with the
last one is pure Python work; in the console's process it would compete for the interpreter lock
with the UI thread and the DB worker, and every cell the table paints would wait for it. So the
parse and the comparison run in a child process that remembers the last reply and answers only
what the monitor needs: the entries whose state changed since the last poll, and the entries it
asks for by code (machines still counting, probe details due). The monitor's hysteresis stays in
the console (it is cheap for the few thousand that change).

Used through ``FeedDiffer``, whose calls block: run them in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field
from typing import Any

from meeting_console.core.text import nfc
from meeting_console.monitor import feed as feeds

Entry = tuple[str, float | None, float | None, str] | str | None  # checked entry, or why not, or absent


@dataclass
class FeedDiff:
    changed: dict[str, Entry] = field(default_factory=dict)  # codes whose state changed
    wanted: dict[str, Entry] = field(default_factory=dict)  # the codes asked for
    matched: int = 0  # followed codes the feed lists
    entries: int = 0
    duplicates: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0


class Differ:
    """The comparison itself (what the child process runs; usable in-process too)."""

    def __init__(self) -> None:
        self.codes: set[str] = set()
        self.prev: dict[str, Any] = {}

    def set_codes(self, codes: list[str]) -> None:
        self.codes = set(codes)
        self.prev = {c: v for c, v in self.prev.items() if c in self.codes}

    def poll(self, body: bytes, wanted: list[str]) -> FeedDiff:
        report = feeds.parse_feed(body)
        if report.problem_count and not report.entries:
            raise feeds.FeedError(f"no usable entry ({report.problem_count} bad ones, e.g. {report.problems[0]})")
        entries = report.entries
        codes = self.codes
        missing = codes - entries.keys()
        alias: dict[str, Any] = {}
        if missing:  # written differently (NFD, spaces)? else really absent
            odd = {nfc(k).strip(): k for k in entries
                   if isinstance(k, str) and (not k.isascii() or k != k.strip())}
            alias = {c: odd[c] for c in missing if c in odd}
        get = entries.get

        def entry(c: str) -> Entry:
            raw = get(alias.get(c, c))
            if raw is None:
                return None
            e = feeds.entry_of(raw) if isinstance(raw, dict) else "not an object"
            return e if isinstance(e, str) else (e.state, e.latency_ms, e.loss_pct, e.detail)

        if alias:
            now = {c: ((r := get(alias.get(c, c))) is not None and r.get("state")) for c in codes}
        else:
            now = {c: ((r := get(c)) is not None and r.get("state")) for c in codes}
        prev = self.prev
        changed = [c for c, state in now.items() if prev.get(c, "?") != state]
        prev.update((c, now[c]) for c in changed)
        return FeedDiff(
            changed={c: entry(c) for c in changed},
            wanted={c: entry(c) for c in wanted if c in codes},
            matched=len(codes) - len(missing) + len(alias),
            entries=len(entries),
            duplicates=sorted(set(report.duplicates))[:20],
            problems=report.problems,
            problem_count=report.problem_count,
        )


def _serve(conn: Any) -> None:  # the child process
    differ = Differ()
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        kind = msg[0]
        if kind == "stop":
            return
        if kind == "codes":
            differ.set_codes(msg[1])
            continue
        try:
            conn.send(("ok", differ.poll(msg[1], msg[2])))
        except feeds.FeedError as exc:
            conn.send(("error", str(exc)))
        except Exception as exc:  # a bug must not kill the helper
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class FeedDiffer:
    """A ``Differ`` in a child process (spawned, so nothing of the console's Qt state is
    copied); falls back to running in-process if the child cannot be started or dies."""

    def __init__(self, *, in_process: bool = False) -> None:
        self._local: Differ | None = Differ() if in_process else None
        self._proc: Any = None
        self._conn: Any = None
        self._codes: list[str] = []

    def _ensure(self) -> None:
        if self._local is not None or (self._proc is not None and self._proc.is_alive()):
            return
        try:
            ctx = multiprocessing.get_context("spawn")
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(child,), daemon=True, name="meeting-console-feed")
            proc.start()
            child.close()
            self._proc, self._conn = proc, parent
            parent.send(("codes", self._codes))
        except Exception:  # no child processes here (sandbox, frozen app …): do it ourselves
            self._local = Differ()
            self._local.set_codes(self._codes)

    def set_codes(self, codes: list[str]) -> None:
        self._codes = list(codes)
        if self._local is not None:
            self._local.set_codes(self._codes)
        elif self._conn is not None:
            try:
                self._conn.send(("codes", self._codes))
            except OSError:
                self._proc = None

    def poll(self, body: bytes, wanted: list[str]) -> FeedDiff:
        """Blocking: parse and compare one reply. Raises ``FeedError`` for an unusable one."""
        self._ensure()
        if self._local is not None:
            return self._local.poll(body, wanted)
        try:
            self._conn.send(("poll", body, wanted))
            kind, value = self._conn.recv()
        except (EOFError, OSError):
            self._proc = None  # the child died: a new one next time (it starts with no memory)
            raise feeds.FeedError("the feed reader stopped; it restarts at the next poll") from None
        if kind == "error":
            raise feeds.FeedError(value)
        return value

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.send(("stop",))
            except OSError:
                pass
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            self._proc.join(2)
            if self._proc.is_alive():
                self._proc.kill()
            self._proc = None
