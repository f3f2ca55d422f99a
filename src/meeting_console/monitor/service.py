"""The Monitor: probes the monitored endpoints of one meeting, polls its status feed, runs the
hysteresis per endpoint and hands the outcome, once per flush interval, to ``apply`` — in the
console that is ONE ``core.endpoints.apply_monitor_batch`` operation on the DB worker.

Direct probes are spread evenly over the probe interval (1,000 endpoints every 5 s means one
probe start every 5 ms, not a burst of 1,000), at most ``concurrency`` at a time, never two at
once for the same endpoint. An endpoint with an address is probed directly (its state machine
here); one without an address is followed through the feed by its code: the feed is read, compared
and run through those endpoints' state machines by ``feed_process.Follower`` — in a helper process
for big feeds, a worker thread for small ones — told the stored statuses after each batch (a
clerk's manual status holds in the store; the monitor resumes once it is released).

What is written: status changes (always), and the probe result (ok, latency, detail) of a
direct probe when it flips, of every endpoint every ``persist_s`` seconds — the live values go
to ``on_live`` for the panel, so the journal does not grow by one row per endpoint per
interval. A flush of thousands of observations is written as several operations of at most
``max_batch`` each.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from array import array
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import repeat
from operator import attrgetter
from typing import Any

from meeting_console.core.clock import Clock
from meeting_console.core.endpoints import (
    Address,
    AddressError,
    BatchResult,
    MonitorBatch,
    MonitorSetup,
    Observed,
    parse_address,
)
from meeting_console.errors import StoreError, UserError
from meeting_console.i18n import _
from meeting_console.monitor import feed as feeds
from meeting_console.monitor import http
from meeting_console.monitor.feed_process import FeedDiffer, FollowAnswer, ids_of, indices_of
from meeting_console.monitor.hysteresis import Hysteresis
from meeting_console.monitor.probes import ProbeResult, detail_text, probe

log = logging.getLogger(__name__)

FEED_MAX_BYTES = 32 * 1024 * 1024
ApplyFn = Callable[[MonitorBatch], Awaitable[BatchResult]]


@dataclass
class _Target:
    id: int
    name: str
    code: str | None
    address: Address | None
    machine: Hysteresis
    manual: bool
    db_status: str
    running: bool = False
    persisted_ok: bool | None = None
    persisted_at: float = -1e9


@dataclass
class MonitorStatus:
    """What the console shows about the monitor itself."""

    running: bool = False
    direct: int = 0  # endpoints probed by address
    via_feed: int = 0  # endpoints followed through the feed
    unusable: dict[int, str] = field(default_factory=dict)  # id → why (bad address, no code)
    rounds: int = 0
    probes: int = 0
    skipped_busy: int = 0  # a probe still running when the next was due
    feed_url: str = ""
    feed_ok_at: datetime | None = None
    feed_error: str = ""
    feed_entries: int = 0
    feed_unmatched: int = 0  # codes in the feed that no followed endpoint has
    feed_duplicates: list[str] = field(default_factory=list)
    feed_problems: list[str] = field(default_factory=list)
    feed_problem_count: int = 0
    batches: int = 0
    last_batch_changes: int = 0
    store_error: str = ""


class Monitor:
    def __init__(self, setup: MonitorSetup, *, clock: Clock, apply: ApplyFn,
                 on_live: Callable[[dict[int, ProbeResult]], None] | None = None,
                 on_status: Callable[[MonitorStatus], None] | None = None,
                 flush_s: float = 1.0, concurrency: int = 256, persist_s: float = 300.0,
                 feed_max_bytes: int = FEED_MAX_BYTES, max_batch: int = 1000,
                 feed_process_from: int = 2000) -> None:
        self.clock = clock
        self.apply = apply
        self.on_live = on_live
        self.on_status = on_status
        self.flush_s = flush_s
        self.persist_s = persist_s
        self.max_batch = max_batch
        self.feed_process_from = feed_process_from
        self._small_differ: FeedDiffer | None = None  # the feed's machines in this process
        self._big_differ: FeedDiffer | None = None  # … in a helper process (big feeds)
        self._stored: dict[int, str] = {}  # feed endpoints' statuses as the last batches left them
        self._held: set[int] = set()  # … those of them under a clerk's manual status
        self.feed_max_bytes = feed_max_bytes
        self.status = MonitorStatus()
        self.live: dict[int, ProbeResult] = {}
        self._live_changed: dict[int, ProbeResult] = {}
        self._targets: dict[int, _Target] = {}
        self._direct: list[_Target] = []
        self._feed_by_code: dict[str, list[_Target]] = {}
        self._feed_codes: list[str] = []
        self._feed_ids: set[int] = set()
        self._direct_ids: set[int] = set()
        self._pending: list[Observed] = []
        self._dirty: set[int] = set()
        self._sem = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self.update(setup)

    # --- configuration ---------------------------------------------------------------------

    def update(self, setup: MonitorSetup) -> None:
        """New settings or targets (a clerk edited endpoints, released an override, undid)."""
        self.setup = setup
        self.interval_s = float(setup.interval_s)
        self.timeout_s = float(min(setup.timeout_s, setup.interval_s))
        try:
            self.feed_address = parse_address(setup.feed_url) if setup.feed_url else None
            if self.feed_address is not None and self.feed_address.scheme not in ("http", "https"):
                raise AddressError(_("the status feed must be an http:// or https:// URL"))
            feed_problem = ""
        except AddressError as exc:
            self.feed_address, feed_problem = None, _("status feed URL refused: {why}").format(
                why=exc)
        self.status.feed_url = setup.feed_url
        self.status.feed_error = feed_problem
        old = self._targets
        new: dict[int, _Target] = {}
        unusable: dict[int, str] = {}
        for t in setup.targets:
            address = None
            if t.address:
                try:
                    address = parse_address(t.address)
                except AddressError as exc:
                    unusable[t.id] = str(exc)
                    continue
            elif not t.code:
                unusable[t.id] = _("no address and no code: nothing to monitor")
                continue
            elif self.feed_address is None:
                unusable[t.id] = _("no address, and the meeting has no usable status feed")
                continue
            prev = old.get(t.id)
            if prev is not None and prev.address == address and prev.code == t.code:
                prev.name, prev.manual, prev.db_status = t.name, t.manual_override, t.status
                m = prev.machine
                m.fail_threshold, m.recover_threshold = setup.fail_threshold, setup.recover_threshold
                new[t.id] = prev
            else:
                machine = Hysteresis(setup.fail_threshold, setup.recover_threshold, t.status)
                new[t.id] = _Target(t.id, t.name, t.code, address, machine, t.manual_override, t.status)
            if new[t.id].machine.observed and new[t.id].machine.state != t.status:
                self._dirty.add(t.id)
        self._targets = new
        self._direct = [t for t in new.values() if t.address is not None]
        by_code: dict[str, list[_Target]] = {}
        for t in new.values():
            if t.address is None and t.code:
                by_code.setdefault(t.code, []).append(t)
        self._feed_by_code = by_code
        self._feed_codes = list(by_code)
        self._feed_ids = {t.id for ts in by_code.values() for t in ts}
        self._direct_ids = {t.id for t in self._direct}
        self._stored, self._held = {}, set()  # the setup's statuses are the latest
        for f in (self._small_differ, self._big_differ):
            if f is not None:
                f.setup(*self._follow_setup())
        self.status.unusable = unusable
        self.status.direct = sum(1 for t in new.values() if t.address is not None)
        self.status.via_feed = len(new) - self.status.direct
        self._wake.set()

    # --- running ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Run until ``stop()``; what was seen is written before it returns."""
        self.status.running = True
        self._stop.clear()
        probing = [asyncio.create_task(c) for c in (self._direct_loop(), self._feed_loop())]
        flushing = asyncio.create_task(self._flush_loop())
        try:
            await self._stop.wait()
        finally:
            self._stop.set()
            for t in probing + list(self._tasks):
                t.cancel()
            await asyncio.gather(*probing, *self._tasks, return_exceptions=True)
            # the flush loop is not cancelled in the middle of a write: it finishes its round
            await asyncio.gather(flushing, return_exceptions=True)
            self.status.running = False
            try:
                await self.flush()
            except Exception:  # stopping must not raise
                log.exception("last monitor flush failed")
            if self._big_differ is not None:
                await asyncio.to_thread(self._big_differ.close)
                self._big_differ = None
            self._small_differ = None
            self._report()

    def stop(self) -> None:
        self._stop.set()

    async def _sleep_until(self, deadline: float) -> None:
        delay = deadline - time.monotonic()
        if delay > 0:
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
            except TimeoutError:
                pass

    async def _direct_loop(self) -> None:
        while True:
            start = time.monotonic()
            interval = self.interval_s
            targets = self._direct
            slot = interval / len(targets) if targets else 0.0
            for i, t in enumerate(targets):
                delay = start + i * slot - time.monotonic()
                if delay > 0.02:  # start probes in small groups, evenly over the interval
                    await asyncio.sleep(delay)
                if self._targets.get(t.id) is not t:
                    continue
                if t.running:
                    self.status.skipped_busy += 1
                    continue
                t.running = True
                task = asyncio.create_task(self._probe(t))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            self.status.rounds += 1
            await self._sleep_until(start + interval)

    async def _probe(self, t: _Target) -> None:
        try:
            async with self._sem:
                assert t.address is not None
                result = await probe(t.address, self.timeout_s)
            self.status.probes += 1
            self._observe(t, result, self.clock.now(), time.monotonic())
        finally:
            t.running = False

    def _observe(self, t: _Target, result: ProbeResult, at: datetime, mono: float) -> Observed | None:
        """Run one result through the endpoint's state machine; what must be written, if any."""
        self.live[t.id] = result
        self._live_changed[t.id] = result
        if result.ok is None:
            return None
        new = t.machine.observe(result.ok, degraded=result.degraded)
        persist = result.ok != t.persisted_ok or mono - t.persisted_at >= self.persist_s
        if new is None and not persist:
            return None
        if persist:
            self._persisted(t, result.ok, mono)
        obs = Observed(t.id, at, new, result.ok, result.latency_ms, result.detail, probe=persist)
        self._pending.append(obs)
        return obs

    def _persisted(self, t: _Target, ok: bool | None, mono: float) -> None:
        # the first time, a random phase: 50,000 endpoints must not all persist together
        first = t.persisted_ok is None
        t.persisted_ok = ok
        t.persisted_at = mono - (random.uniform(0, self.persist_s) if first else 0.0)

    # --- the feed --------------------------------------------------------------------------

    async def _feed_loop(self) -> None:
        while True:
            start = time.monotonic()
            address = self.feed_address
            if address is not None and self._feed_by_code:
                try:
                    await self._poll_feed(address)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # a bug or an odd reply must not stop the polling
                    log.exception("status feed poll failed")
                    self.status.feed_error = _("status feed unusable: {why}").format(
                        why=f"{type(exc).__name__}: {exc}")
            self._report()
            await self._sleep_until(start + self.interval_s)

    def _follow_setup(self) -> tuple[int, int, int, list[tuple[int, str, str, bool]]]:
        """What the feed's state machines need: thresholds, how many codes a poll has their probe
        details kept, and each followed endpoint with its status as stored (the latest known)."""
        setup, stored, held = self.setup, self._stored, self._held
        share = round(len(self._feed_codes) * self.interval_s / self.persist_s) if self.persist_s > 0 \
            else len(self._feed_codes)
        targets = [(t.id, c, stored.get(t.id, t.db_status), t.id in held if t.id in stored else t.manual)
                   for c, ts in self._feed_by_code.items() for t in ts]
        return setup.fail_threshold, setup.recover_threshold, max(1, share), targets

    def _differ(self) -> FeedDiffer:
        """Where the feed is read, compared and run through the endpoints' state machines: a
        helper process for big feeds (that work would otherwise hold the interpreter lock the
        UI needs), this process (a worker thread) for small ones."""
        big = len(self._feed_codes) >= self.feed_process_from
        f = self._big_differ if big else self._small_differ
        if f is None:
            f = FeedDiffer(in_process=not big, restore=self._follow_setup)
            f.setup(*self._follow_setup())
            if big:
                self._big_differ = f
            else:
                self._small_differ = f
        return f

    async def _poll_feed(self, address: Address) -> None:
        st = self.status
        timeout = max(self.interval_s, self.timeout_s)
        try:
            differ = self._differ()
            answer = await asyncio.to_thread(differ.follow, address, timeout, self.feed_max_bytes)
        except (http.HttpError, feeds.FeedError) as exc:
            st.feed_error = _("status feed unusable: {why}").format(why=detail_text(str(exc)))
            return
        at = self.clock.now()
        self._take(answer, at)
        diff = answer.diff
        st.feed_error = ""
        st.feed_ok_at = at
        st.feed_entries = diff.entries
        st.feed_unmatched = max(diff.entries - diff.matched, 0)
        st.feed_duplicates = diff.duplicates
        st.feed_problems = diff.problems
        st.feed_problem_count = diff.problem_count

    def _take(self, answer: FollowAnswer, at: datetime) -> None:
        """What the feed's machines decided, from columns: the live values and the observations
        to write, built by ``map`` and ``zip`` (no loop of the interpreter per endpoint)."""
        res = answer.results
        live = dict(zip(ids_of(answer.live_ids), map(res.__getitem__, indices_of(answer.live_idx)), strict=True))
        r = list(map(res.__getitem__, indices_of(answer.obs_idx)))
        out = list(map(Observed, ids_of(answer.obs_ids), repeat(at), answer.obs_status,
                       map(attrgetter("ok"), r), map(attrgetter("latency_ms"), r), map(attrgetter("detail"), r),
                       map(bool, answer.obs_probe)))
        self._hand_over(out, live)

    def _hand_over(self, out: list[Observed], live: dict[int, ProbeResult]) -> None:
        # list.extend and dict.update are single steps for the interpreter: safe from a thread
        self._pending.extend(out)
        self.live.update(live)
        self._live_changed.update(live)

    # --- flushing --------------------------------------------------------------------------

    async def _flush_loop(self) -> None:
        while not self._stop.is_set():
            try:
                await asyncio.wait_for(self._stop.wait(), self.flush_s)
            except TimeoutError:
                pass
            try:
                await self.flush()
            except Exception:
                log.exception("monitor flush failed")

    async def flush(self) -> None:
        """Hand everything seen since the last flush to ``apply`` as one batch."""
        if self._live_changed and self.on_live is not None:
            changed, self._live_changed = self._live_changed, {}
            self.on_live(changed)
        else:
            self._live_changed = {}
        pending, self._pending = self._pending, []
        if self._dirty:
            named = {o.meeting_endpoint_id for o in pending if o.status is not None}
            now = self.clock.now()
            for tid in self._dirty:
                t = self._targets.get(tid)
                if t and not t.manual and t.machine.observed and t.machine.state != t.db_status \
                        and tid not in named:
                    pending.append(Observed(tid, now, t.machine.state, probe=False, detail="monitor resumes"))
            self._dirty.clear()
        # in operations of at most max_batch observations: each is one transaction and one
        # journal entry whose size (serialised in one go, holding the interpreter) stays small
        for start in range(0, len(pending), self.max_batch):
            chunk = pending[start : start + self.max_batch]
            if not await self._apply_chunk(chunk):
                self._pending[:0] = pending[start:]  # busy or full: the rest waits for the next flush
                break
        self._report()

    async def _apply_chunk(self, chunk: list[Observed]) -> bool:
        try:
            result = await self.apply(MonitorBatch(chunk))
        except StoreError as exc:
            self.status.store_error = str(exc)
            return False
        except UserError as exc:
            self.status.store_error = str(exc)
            log.warning("monitor batch refused: %s", exc)
            return True
        self.status.store_error = ""
        self.status.batches += 1
        self.status.last_batch_changes = result.applied
        statuses, overrides = result.statuses, result.overrides
        for tid in self._direct_ids & statuses.keys():  # the feed's endpoints: their machines' side
            t = self._targets.get(tid)
            if t is None:
                continue
            stored = statuses[tid]
            t.db_status = stored
            t.manual = tid in overrides
            if not t.manual and t.machine.observed and t.machine.state != stored:
                self._dirty.add(tid)
        if self._feed_ids and not self._feed_ids.isdisjoint(statuses):
            # set and dict operations in C: nothing per endpoint for the interpreter here
            self._stored.update(statuses)
            self._held -= statuses.keys()
            self._held |= overrides
            ids = array("q", statuses).tobytes()
            held = array("q", overrides).tobytes()
            for f in (self._small_differ, self._big_differ):
                if f is not None:
                    f.stored(ids, list(statuses.values()), held)
        return True

    def _report(self) -> None:
        if self.on_status is not None:
            self.on_status(replace(self.status))
