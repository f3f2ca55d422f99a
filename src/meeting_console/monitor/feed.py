"""The status feed: one HTTP(S) URL returning, as JSON, the state of many endpoints at once
(the way an MCU's management API lists its participants). Format: docs/status-feed.md.

Parsing takes the ``endpoints`` array in slices of about 128 KB (cut between two entries and
checked by the JSON parser itself) instead of one ``json.loads`` of the whole reply: a 10 MB
feed is parsed in a worker thread without holding the interpreter for the whole parse, so the
UI thread keeps getting its turns.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from meeting_console.core.text import nfc

FORMAT = "meeting-console-status-feed"
VERSION = 1
STATES = ("connected", "degraded", "connecting", "disconnected")
_STATE_SET = frozenset(STATES)
MAX_PROBLEMS_KEPT = 20
_WS = re.compile(r"[ \t\n\r]*")
SLICE = 128 * 1024


class FeedError(Exception):
    """The reply as a whole is unusable (not JSON, wrong shape); ``str()`` says where."""


class FeedEntry(NamedTuple):
    state: str
    latency_ms: float | None = None
    loss_pct: float | None = None
    detail: str = ""

    @property
    def up(self) -> bool:
        return self.state in ("connected", "degraded")


@dataclass
class FeedReport:
    entries: dict[Any, Any] = field(default_factory=dict)  # code → the entry as sent
    duplicates: list[str] = field(default_factory=list)  # codes listed more than once
    problems: list[str] = field(default_factory=list)  # the first few bad entries, explained
    problem_count: int = 0
    generated_at: str = ""
    _normalised: dict[str, Any] | None = None

    def problem(self, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(message)


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line} column {col}"


class _Walker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.dec = json.JSONDecoder()

    def skip(self) -> None:
        self.pos = _WS.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos : self.pos + 1]

    def expect(self, chars: str, what: str) -> str:
        ch = self.peek()
        if not ch or ch not in chars:
            found = repr(ch) if ch else "the end of the reply"
            raise FeedError(f"invalid JSON at {_where(self.text, self.pos)}: expected {what}, found {found}")
        self.pos += 1
        return ch

    def value(self) -> Any:
        self.skip()
        try:
            value, self.pos = self.dec.raw_decode(self.text, self.pos)
        except json.JSONDecodeError as exc:
            raise FeedError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
        return value


def parse_feed(data: bytes) -> FeedReport:
    """Read a feed reply. Raises ``FeedError`` when it is not a feed at all; entries that are
    wrong (no code, unknown state …) are skipped and counted in ``problems``; a code listed
    twice keeps its first entry and is named in ``duplicates``."""
    try:
        return _parse_feed(data)
    except RecursionError:
        raise FeedError("invalid JSON: values nested too deeply") from None
    except FeedError:
        raise
    except ValueError as exc:  # json's other refusals, e.g. an integer of more than 4300 digits
        raise FeedError(f"invalid JSON: {str(exc).splitlines()[0][:120]}") from None


def _parse_feed(data: bytes) -> FeedReport:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedError(f"the feed is not UTF-8 text (byte {exc.start})") from None
    w = _Walker(text)
    if not w.peek():
        raise FeedError("the feed is empty")
    w.expect("{", "a JSON object '{'")
    report = FeedReport()
    seen_endpoints = False
    if w.peek() == "}":
        w.pos += 1
    else:
        while True:
            if w.peek() != '"':
                w.expect('"', "a key in quotes")
            key = w.value()
            if not isinstance(key, str):
                raise FeedError(f"invalid JSON at {_where(text, w.pos)}: object keys are strings")
            w.expect(":", "':'")
            if key == "endpoints":
                seen_endpoints = True
                _entries(w, report)
            else:
                _header(key, w.value(), report)
            if w.expect(",}", "',' or '}'") == "}":
                break
    if w.peek():
        raise FeedError(f"invalid JSON at {_where(text, w.pos)}: extra data after the object")
    if not seen_endpoints:
        raise FeedError('not a status feed: no "endpoints" list (see docs/status-feed.md)')
    return report


def _header(key: str, value: Any, report: FeedReport) -> None:
    if key == "format" and value != FORMAT:
        raise FeedError(f'not a status feed: "format" is {str(value)[:40]!r}, expected {FORMAT!r}')
    if key == "version" and value != VERSION:
        raise FeedError(f"feed version {str(value)[:20]!r} is not supported (version {VERSION} is)")
    if key == "generated_at" and isinstance(value, str):
        report.generated_at = value[:40]


def _number(value: Any, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if low <= value <= high else None


def _entries(w: _Walker, report: FeedReport) -> None:
    w.expect("[", 'a list "[" after "endpoints"')
    if w.peek() == "]":
        w.pos += 1
        return
    n = 0
    entries = report.entries
    text = w.text
    while True:
        # fast path: a slice of whole entries in one C-speed parse, cut after a "}," (or a
        # ","). A cut inside a string or a nested value leaves the slice unbalanced, so the
        # parser refuses it; then a shorter slice, and at last one entry at a time.
        w.skip()
        chunk = _slice(text, w.pos)
        if chunk is not None:
            values, w.pos = chunk
            if not _add_all(values, entries, report):
                for k, raw in enumerate(values, start=n + 1):
                    _entry(k, raw, entries, report)
            n += len(values)
            continue
        n += 1
        _entry(n, w.value(), entries, report)
        if w.expect(",]", "',' or ']'") == "]":
            return


def _slice(text: str, pos: int) -> tuple[list[Any], int] | None:
    end = min(len(text), pos + SLICE)
    for _ in range(6):
        cut = text.rfind("},", pos, end)
        cut = cut + 1 if cut >= 0 else text.rfind(",", pos, end)
        if cut <= pos:
            return None
        try:
            return json.loads("[" + text[pos:cut] + "]"), cut + 1
        except json.JSONDecodeError:
            end = pos + (cut - pos) // 2
    return None


def _add_all(values: list[Any], entries: dict[Any, Any], report: FeedReport) -> bool:
    """A slice of good entries in one dict comprehension (the first of a code listed twice
    wins); False when one entry is not an object with a code (then one by one)."""
    try:
        found = {raw["code"]: raw for raw in reversed(values)}
    except (TypeError, KeyError, IndexError):
        return False
    if len(found) != len(values):
        from collections import Counter

        report.duplicates.extend(str(c)[:100] for c, k in Counter(raw["code"] for raw in values).items()
                                 for _ in range(k - 1))
    for c in entries.keys() & found.keys():
        report.duplicates.append(str(c)[:100])
        del found[c]
    entries.update(found)
    return True


def _entry(n: int, raw: Any, entries: dict[Any, Any], report: FeedReport) -> None:
    # only what every entry needs; the rest is checked for the entries a meeting follows
    try:
        code = raw["code"]
        if code in entries:
            report.duplicates.append(str(code)[:100])
        else:
            entries[code] = raw
    except (TypeError, KeyError, IndexError):
        report.problem(f"entry {n}: not an object with a code")


def entry_of(raw: Any) -> FeedEntry | str:
    """The checked entry, or what is wrong with it."""
    state = raw.get("state")
    if state not in _STATE_SET:
        return f"unknown state {str(state)[:30]!r} in the feed"
    latency = raw.get("latency_ms")
    if latency is not None:
        latency = _number(latency, 0, 3_600_000)
    loss = raw.get("loss_pct")
    if loss is not None:
        loss = _number(loss, 0, 100)
    detail = raw.get("detail")
    if detail is not None:
        detail = nfc(detail)[:200] if detail.__class__ is str else ""
    return FeedEntry(state, latency, loss, detail or "")


def lookup(report: FeedReport, code: str) -> Any:
    """The raw entry for an endpoint code (codes compared in NFC, without surrounding spaces)."""
    raw = report.entries.get(code)
    if raw is None and report.entries:
        if report._normalised is None:
            report._normalised = {
                nfc(k).strip(): v for k, v in reversed(report.entries.items())
                if isinstance(k, str) and (not k.isascii() or k != k.strip())
            }
        raw = report._normalised.get(code)
    return raw
