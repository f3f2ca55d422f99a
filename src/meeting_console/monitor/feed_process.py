"""Reading a big status feed in a helper process.

A feed of 50,000 endpoints is 3–4 MB of JSON every second. Parsing it and comparing it with the
last one is pure Python work; in the console's process it would compete for the interpreter lock
with the UI thread and the DB worker, and every cell the table paints would wait for it. So the
fetch (``fetch_poll``: the HTTP GET itself, so the megabytes never enter the console's process),
the parse and the comparison run in a child process that remembers the last reply and answers only
what the monitor needs: the entries whose state changed since the last poll, and the entries it
asks for by code (machines still counting, probe details due). The followed endpoints' state
machines (the hysteresis) run there too (``Follower``): the console receives only what must be
written and the live values, in columns.

Used through ``FeedDiffer``, whose calls block: run them in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import pickle
import sys
import threading
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from meeting_console.core.text import nfc
from meeting_console.monitor import feed as feeds
from meeting_console.monitor.helper import HelperProcess, child_main, recv, send
from meeting_console.monitor.hysteresis import Hysteresis
from meeting_console.monitor.probes import ProbeResult

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


    def fetch_poll(self, address: Any, timeout: float, max_bytes: int, wanted: list[str]) -> FeedDiff:
        """GET the feed (``monitor.http``: same limits, same refusals), then ``poll`` it.
        Raises ``FeedError`` for an unusable reply, an HTTP failure included."""
        import asyncio

        from meeting_console.monitor import http

        try:
            reply = asyncio.run(http.get(address, timeout=timeout, max_bytes=max_bytes))
        except http.HttpError as exc:
            raise feeds.FeedError(str(exc)) from None
        if not 200 <= reply.status < 300:
            raise feeds.FeedError(f"the feed answered HTTP {reply.status} {reply.reason}".rstrip())
        return self.poll(reply.body, wanted)


# --- a diff on the pipe, in columns -------------------------------------------------------
# Unpickling is one C call that holds the interpreter lock all along: a diff of 5,000 changed
# entries as a dict of tuples took the console 30–45 ms to unpickle on a busy machine (and
# a young-generation collection of the tuples right after), every second, while the UI thread
# waited. In columns — the codes as one string, the states as one byte each, the numbers as
# arrays of doubles — it unpickles in well under a millisecond; the dict is then rebuilt in
# plain Python, where the lock is handed over as usual.

_SEP = "\x1f"  # between codes (a code holding it is sent as a plain dict)
_ABSENT, _WHY = 255, 254  # an entry the feed does not list; a refused one (its text in ``texts``)
_NONE = float("nan")  # a number the entry does not give (the feed's numbers are finite)


def pack_entries(entries: dict[str, Entry]) -> tuple[Any, ...]:
    codes = list(entries)
    joined = _SEP.join(codes)
    if joined.count(_SEP) != len(codes) - 1:
        return ("dict", entries)
    states: list[str] = []
    index: dict[str, int] = {}
    kinds = bytearray()
    lat, loss = array("d"), array("d")
    texts: dict[int, str] = {}
    for k, c in enumerate(codes):
        e = entries[c]
        if e is None or isinstance(e, str):
            kinds.append(_ABSENT if e is None else _WHY)
            lat.append(_NONE)
            loss.append(_NONE)
            if e is not None:
                texts[k] = e
            continue
        state, la, lo, detail = e
        j = index.get(state)
        if j is None:
            j = index[state] = len(states)
            states.append(state)
        if j >= _WHY or (la is not None and la != la) or (lo is not None and lo != lo):
            return ("dict", entries)  # not what a checked entry holds: as it is
        kinds.append(j)
        lat.append(_NONE if la is None else la)
        loss.append(_NONE if lo is None else lo)
        if detail:
            texts[k] = detail
    return ("cols", joined, bytes(kinds), states, lat.tobytes(), loss.tobytes(), texts)


def unpack_entries(packed: tuple[Any, ...]) -> dict[str, Entry]:
    if packed[0] == "dict":
        return packed[1]  # type: ignore[no-any-return]
    _cols, joined, kinds, states, lat_b, loss_b, texts = packed
    if not kinds:
        return {}
    lat, loss = array("d"), array("d")
    lat.frombytes(lat_b)
    loss.frombytes(loss_b)
    get = texts.get
    out: dict[str, Entry] = {
        c: (states[kind], None if la != la else la, None if lo != lo else lo, get(k, ""))
        if kind < _WHY else (None if kind == _ABSENT else texts[k])
        for k, (c, kind, la, lo) in enumerate(zip(joined.split(_SEP), kinds, lat.tolist(), loss.tolist(),
                                                  strict=True))}
    return out


def pack_diff(diff: FeedDiff) -> tuple[Any, ...]:
    return ("diff", replace(diff, changed={}, wanted={}), pack_entries(diff.changed), pack_entries(diff.wanted))


def unpack_diff(packed: Any) -> Any:
    if not (isinstance(packed, tuple) and packed and packed[0] == "diff"):
        return packed
    _diff, bare, changed, wanted = packed
    return replace(bare, changed=unpack_entries(changed), wanted=unpack_entries(wanted))


# --- the hysteresis of feed-followed endpoints, where the feed is read ---------------------
# In a storm (5,000 of 50,000 endpoints flipping every second) running the state machines in the
# console was 20–150 ms of Python a poll on the monitor's thread, holding the interpreter lock in
# slices while the UI thread painted (every cell painted waited for the lock). So the machines
# live next to the feed: ``Follower`` keeps one per followed endpoint (N failures → lost,
# M successes → back, the meeting's thresholds), the endpoints' stored statuses and clerks'
# overrides as the console last wrote them, and answers only what must be written (status
# changes, probe details due now and then, "monitor resumes" after an override is released) and
# the live values for the panel — in columns. A clerk's manual status still wins in the store
# (``apply_monitor_batch`` never changes an overridden endpoint); the follower only learns the
# outcome (``stored``) to know when the monitor must resume.

ABSENT_RESULT = ProbeResult(False, None, "not listed by the status feed")
RESUMES = ProbeResult(None, None, "monitor resumes")


def result_of(entry: Entry) -> ProbeResult:
    if entry is None:
        return ABSENT_RESULT
    if isinstance(entry, str):
        return ProbeResult(False, None, entry)
    state, latency, _loss, detail = entry
    text = f"feed: {state}" + (f", {detail}" if detail else "")
    return ProbeResult(state in ("connected", "degraded"), latency, text, state == "degraded")


def _settled(machine: Hysteresis, ok: bool, degraded: bool) -> bool:
    """Whether the same result again would change nothing (the machine has arrived)."""
    if ok and not degraded:
        return machine.state == "connected"
    if ok:
        return machine.state == "unstable"
    return machine.state in ("lost", "not_connected", "left")


class _Followed:
    __slots__ = ("id", "code", "machine", "db_status", "manual", "persisted")

    def __init__(self, tid: int, code: str, machine: Hysteresis, db_status: str, manual: bool) -> None:
        self.id, self.code, self.machine = tid, code, machine
        self.db_status, self.manual = db_status, manual
        self.persisted = False  # its probe details written once since it is followed


@dataclass
class FollowAnswer:
    """One poll's outcome, in columns. ``results``: the distinct probe results of the poll
    (the last one is ``RESUMES``); ``live_*``: every endpoint looked at, with the index of its
    result; ``obs_*``: what must be written — id, new status or None, result index, whether the
    probe details are kept."""

    diff: FeedDiff
    results: list[ProbeResult]
    live_ids: bytes = b""
    live_idx: bytes = b""
    obs_ids: bytes = b""
    obs_status: list[str | None] = field(default_factory=list)
    obs_idx: bytes = b""
    obs_probe: bytes = b""


def ids_of(data: bytes) -> list[int]:
    a = array("q")
    a.frombytes(data)
    return a.tolist()


def indices_of(data: bytes) -> list[int]:
    a = array("i")
    a.frombytes(data)
    return a.tolist()


class Follower:
    """The feed's endpoints' state machines and the feed comparison (what the child runs; usable
    in this process too for small feeds)."""

    def __init__(self) -> None:
        self.differ = Differ()
        self.targets: dict[int, _Followed] = {}
        self.by_code: dict[str, list[_Followed]] = {}
        self.codes: list[str] = []
        self.unsettled: set[str] = set()
        self.dirty: set[int] = set()
        self.share = 1
        self.cursor = 0

    def setup(self, fail: int, recover: int, share: int,
              targets: list[tuple[int, str, str, bool]]) -> None:
        """The followed endpoints: (id, code, stored status, manual override); a machine is kept
        for an endpoint whose code did not change (new thresholds apply to it at once)."""
        old = self.targets
        new: dict[int, _Followed] = {}
        fresh: set[str] = set()
        for tid, code, status, manual in targets:
            prev = old.get(tid)
            if prev is not None and prev.code == code:
                prev.db_status, prev.manual = status, manual
                m = prev.machine
                m.fail_threshold, m.recover_threshold = fail, recover
                new[tid] = prev
            else:
                new[tid] = _Followed(tid, code, Hysteresis(fail, recover, status), status, manual)
                fresh.add(code)
            if new[tid].machine.observed and new[tid].machine.state != status:
                self.dirty.add(tid)
        by_code: dict[str, list[_Followed]] = {}
        for t in new.values():
            by_code.setdefault(t.code, []).append(t)
        self.targets, self.by_code, self.share = new, by_code, max(1, share)
        self.dirty &= new.keys()
        if list(by_code) != self.codes:
            self.codes = list(by_code)
            self.differ.set_codes(self.codes)
        # a new or changed endpoint is looked at again at the next poll whatever the feed says
        self.unsettled = (self.unsettled | fresh) & by_code.keys()

    def stored(self, ids: bytes, statuses: list[str], overrides: bytes) -> None:
        """What the store holds after a batch (a clerk's status may have held): the monitor
        resumes an endpoint whose machine disagrees, unless a clerk's override holds it."""
        held = set(ids_of(overrides))
        targets, dirty = self.targets, self.dirty
        for tid, status in zip(ids_of(ids), statuses, strict=True):
            t = targets.get(tid)
            if t is None:
                continue
            t.db_status, t.manual = status, tid in held
            if not t.manual and t.machine.observed and t.machine.state != status:
                dirty.add(tid)

    def follow_body(self, body: bytes) -> FollowAnswer:
        return self._follow(lambda wanted: self.differ.poll(body, wanted))

    def follow(self, address: Any, timeout: float, max_bytes: int) -> FollowAnswer:
        return self._follow(lambda wanted: self.differ.fetch_poll(address, timeout, max_bytes, wanted))

    def _follow(self, poll: Any) -> FollowAnswer:
        codes = self.codes
        cursor = self.cursor % max(len(codes), 1)
        due = set(codes[cursor : cursor + self.share])  # probe details kept now and then, a slice a poll
        diff = poll(list(self.unsettled | due))  # raises FeedError: then nothing moved
        self.cursor = cursor + self.share
        by_code, unsettled = self.by_code, self.unsettled
        changed, wanted = diff.changed, diff.wanted
        look = set(changed) | unsettled
        results: list[ProbeResult] = []
        index: dict[Any, int] = {}  # a feed's entries repeat (a state, a few latencies)
        live_ids, live_idx, obs_ids, obs_idx = array("q"), array("i"), array("q"), array("i")
        obs_status: list[str | None] = []
        obs_probe = bytearray()
        for c in look | due:
            entry = changed[c] if c in changed else wanted.get(c)
            try:
                k = index[entry]
            except KeyError:
                k = index[entry] = len(results)
                results.append(result_of(entry))
            except TypeError:  # not hashable: as it is
                k = len(results)
                results.append(result_of(entry))
            result = results[k]
            ok, degraded = bool(result.ok), result.degraded
            targets = by_code.get(c, ())
            looked = c in look
            for t in targets:
                live_ids.append(t.id)
                live_idx.append(k)
                new = t.machine.observe(ok, degraded=degraded) if looked else None
                persist = c in due or not t.persisted
                if persist:
                    t.persisted = True
                if new is not None or persist:
                    obs_ids.append(t.id)
                    obs_status.append(new)
                    obs_idx.append(k)
                    obs_probe.append(persist)
                    if new is not None:
                        self.dirty.discard(t.id)
            if looked:
                if len(targets) == 1:
                    settled = _settled(targets[0].machine, ok, degraded)
                else:
                    settled = all(_settled(t.machine, ok, degraded) for t in targets)
                if settled:
                    unsettled.discard(c)
                else:
                    unsettled.add(c)
        resumes = len(results)
        results.append(RESUMES)
        for tid in self.dirty:
            t = self.targets.get(tid)
            if t and not t.manual and t.machine.observed and t.machine.state != t.db_status:
                obs_ids.append(tid)
                obs_status.append(t.machine.state)
                obs_idx.append(resumes)
                obs_probe.append(False)
        self.dirty.clear()
        return FollowAnswer(diff, results, live_ids.tobytes(), live_idx.tobytes(), obs_ids.tobytes(),
                            obs_status, obs_idx.tobytes(), bytes(obs_probe))


# --- the child process: ``python -m meeting_console.monitor.feed_process`` -----------------
# (its life cycle and the framed pickles on its pipes: ``monitor.helper``)


def serve(inp: Any, out: Any) -> None:
    follower = Follower()
    differ = follower.differ
    while True:
        try:
            msg = recv(inp)
        except (EOFError, OSError):
            return
        kind = msg[0]
        if kind == "stop":
            return
        if kind == "codes":
            differ.set_codes(msg[1])
            continue
        if kind == "setup":
            follower.setup(*msg[1:])
            continue
        if kind == "stored":
            follower.stored(*msg[1:])
            continue
        try:
            if kind == "follow":  # the feed read, compared and run through the state machines here
                send(out, ("ok", follower.follow(*msg[1:])))
            elif kind == "fetch":  # the helper reads the feed itself: the body never enters the console
                send(out, ("ok", pack_diff(differ.fetch_poll(*msg[1:]))))
            else:
                send(out, ("ok", pack_diff(differ.poll(msg[1], msg[2]))))
        except feeds.FeedError as exc:
            send(out, ("error", str(exc)))
        except Exception as exc:  # a bug must not kill the helper
            send(out, ("error", f"{type(exc).__name__}: {exc}"))


class FeedDiffer:
    """A ``Differ`` in a child process; falls back to running in this process when no child
    can be started (a frozen build, a sandbox) — correct either way, only slower for the UI."""

    def __init__(self, *, in_process: bool = False,
                 restore: Callable[[], tuple[Any, ...]] | None = None) -> None:
        """``restore``: the follower's setup as of now (the stored statuses the console knows),
        sent to a new child when the last one died — its state machines start again from there."""
        self._follower: Follower | None = Follower() if in_process or getattr(sys, "frozen", False) else None
        self._local: Differ | None = self._follower.differ if self._follower is not None else None
        self._helper = HelperProcess("meeting_console.monitor.feed_process")
        self._codes: list[str] = []
        self._setup: tuple[Any, ...] | None = None
        self._restore = restore
        self._sending = threading.Lock()  # setup/stored from the monitor's loop, polls from a thread
        self.restarts = 0
        # setup and stored statuses, said on the monitor's loop, wait here for the next poll (on
        # its worker thread): a message of 50,000 statuses written to a busy child's pipe would
        # block the loop; in order, before the poll, as the child would have read them anyway
        # (list.append and list.pop(0) are single steps for the interpreter: safe across threads)
        self._inbox: list[tuple[Any, ...]] = []

    def _ensure(self) -> None:
        if self._local is not None or self._helper.alive:
            return
        died = self._helper.proc is not None  # (one whose death ``_ask`` saw is counted already)
        restarted = died or self.restarts > 0
        self.restarts += died
        self._helper.kill()  # one that died: its pipes closed
        if restarted and self._setup is not None and self._restore is not None:
            self._setup = self._restore()  # the latest statuses: what waited is in it
            self._inbox.clear()
        else:  # the setup sent at the start is the latest: only what came after it still waits
            kinds = [m[0] for m in self._inbox]
            if "setup" in kinds:
                del self._inbox[: len(kinds) - kinds[::-1].index("setup")]
        try:
            with self._sending:
                self._helper.spawn()
                self._helper.send(("codes", self._codes))
                if self._setup is not None:
                    self._helper.send(("setup", *self._setup))
        except Exception:
            self._helper.kill()
            self._follower = Follower()
            self._local = self._follower.differ
            self._local.set_codes(self._codes)
            if self._setup is not None:
                self._inbox[:0] = [("setup", *self._setup)]

    def _tell(self, msg: tuple[Any, ...]) -> None:
        """A message with no answer to a running child (one not running learns it at its start)."""
        if not self._helper.alive:
            return
        try:
            with self._sending:
                self._helper.send(msg)
        except OSError:
            self._helper.kill()

    def setup(self, fail: int, recover: int, share: int, targets: list[tuple[int, str, str, bool]]) -> None:
        """The followed endpoints and the thresholds (see ``Follower.setup``); takes effect at
        the next poll."""
        self._setup = (fail, recover, share, targets)
        self._codes = list(dict.fromkeys(t[1] for t in targets))
        self._inbox.append(("setup", *self._setup))

    def stored(self, ids: bytes, statuses: list[str], overrides: bytes) -> None:
        """What a batch left in the store (see ``Follower.stored``); told at the next poll."""
        self._inbox.append(("stored", ids, statuses, overrides))

    def follow(self, address: Any, timeout: float, max_bytes: int) -> FollowAnswer:
        """Blocking: the helper GETs the feed, compares it and runs the state machines; only what
        must be written and the live values come back. Raises ``FeedError``."""
        self._ensure()
        follower = self._follower
        while self._inbox:
            msg = self._inbox.pop(0)
            if follower is not None:
                getattr(follower, msg[0])(*msg[1:])
            else:
                self._tell(msg)
        if follower is not None:
            return follower.follow(address, timeout, max_bytes)
        return self._ask(("follow", address, timeout, max_bytes))  # type: ignore[return-value]

    def set_codes(self, codes: list[str]) -> None:
        self._codes = list(codes)
        if self._local is not None:
            self._local.set_codes(self._codes)
        else:
            self._tell(("codes", self._codes))

    def poll(self, body: bytes, wanted: list[str]) -> FeedDiff:
        """Blocking: parse and compare one reply. Raises ``FeedError`` for an unusable one."""
        self._ensure()
        if self._local is not None:
            return self._local.poll(body, wanted)
        return self._ask(("poll", body, wanted))

    def fetch_poll(self, address: Any, timeout: float, max_bytes: int, wanted: list[str]) -> FeedDiff:
        """Blocking: the helper GETs the feed and compares it (the console's process then never
        reads, copies or pickles the megabytes of the reply: only the changes come back).
        Raises ``FeedError`` for an unusable reply or an HTTP failure."""
        self._ensure()
        if self._local is not None:
            return self._local.fetch_poll(address, timeout, max_bytes, wanted)
        return self._ask(("fetch", address, timeout, max_bytes, wanted))

    def _ask(self, msg: tuple[Any, ...]) -> FeedDiff:
        try:
            with self._sending:
                self._helper.send(msg)
            kind, value = self._helper.recv()
        except (EOFError, OSError, pickle.UnpicklingError):
            self.restarts += 1
            self._helper.kill()  # a new child next time (it starts with no memory: all counts as new)
            raise feeds.FeedError("the feed reader stopped; it restarts at the next poll") from None
        if kind == "error":
            raise feeds.FeedError(value)
        return unpack_diff(value)  # type: ignore[no-any-return]

    def close(self) -> None:
        self._helper.stop(2)


if __name__ == "__main__":
    # by the module's real name, so what is sent back unpickles as feed_process.FeedDiff
    from meeting_console.monitor import feed_process

    child_main(feed_process.serve)
