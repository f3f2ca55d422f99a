"""Reading a big status feed in a helper process.

A feed of 50,000 endpoints is 3–4 MB of JSON every second. Parsing it and comparing it with the
last one is pure Python work; in the console's process it would compete for the interpreter lock
with the UI thread and the DB worker, and every cell the table paints would wait for it. So the
fetch (``fetch_poll``: the HTTP GET itself, so the megabytes never enter the console's process),
the parse and the comparison run in a child process that remembers the last reply and answers only
what the monitor needs: the entries whose state changed since the last poll, and the entries it
asks for by code (machines still counting, probe details due). The monitor's hysteresis stays in
the console (it is cheap for the few thousand that change).

Used through ``FeedDiffer``, whose calls block: run them in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import pickle
import sys
from array import array
from dataclasses import dataclass, field, replace
from typing import Any

from meeting_console.core.text import nfc
from meeting_console.monitor import feed as feeds
from meeting_console.monitor.helper import HelperProcess, child_main, recv, send

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


# --- the child process: ``python -m meeting_console.monitor.feed_process`` -----------------
# (its life cycle and the framed pickles on its pipes: ``monitor.helper``)


def serve(inp: Any, out: Any) -> None:
    differ = Differ()
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
        try:
            if kind == "fetch":  # the helper reads the feed itself: the body never enters the console
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

    def __init__(self, *, in_process: bool = False) -> None:
        self._local: Differ | None = Differ() if in_process or getattr(sys, "frozen", False) else None
        self._helper = HelperProcess("meeting_console.monitor.feed_process")
        self._codes: list[str] = []

    def _ensure(self) -> None:
        if self._local is not None or self._helper.alive:
            return
        self._helper.kill()  # one that died: its pipes closed
        try:
            self._helper.spawn()
            self._helper.send(("codes", self._codes))
        except Exception:
            self._helper.kill()
            self._local = Differ()
            self._local.set_codes(self._codes)

    def set_codes(self, codes: list[str]) -> None:
        self._codes = list(codes)
        if self._local is not None:
            self._local.set_codes(self._codes)
        elif self._helper.alive:
            try:
                self._helper.send(("codes", self._codes))
            except OSError:
                self._helper.kill()

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
            self._helper.send(msg)
            kind, value = self._helper.recv()
        except (EOFError, OSError, pickle.UnpicklingError):
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
