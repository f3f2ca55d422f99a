"""The DB worker: one thread that runs a console's core calls in the order they were asked for.

Operations that are waiting together when the worker comes to them (a clerk marking endpoints
faster than the database answers, while the write lock is held by another console) run as one
group: one transaction, one write lock, one commit (``Core.run_group``). Each is still its own
journal entry, checked against the state the ones before it left, and each caller's future is
resolved only after the commit that holds it returned — durability is that of one operation.
Reads and other calls are never overtaken: a group is made of consecutive operations only.

The UI's ``Runner`` runs everything through it; a headless console (the load benchmark's clerks)
may use it directly. No Qt here.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from meeting_console.core import status_group
from meeting_console.core.api import Core

# a bound on one transaction: what waits beyond it goes in the next group
MAX_GROUP = 200


@dataclass
class _Work:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    with_core: bool  # called as ``fn(core, …)``
    op: bool  # an ``@operation``: may run in a group
    future: Future[Any] = field(default_factory=Future)


class Worker:
    """``submit`` a call or ``submit_op`` an operation; each returns a ``Future``."""

    def __init__(self, core: Core, name: str = "db") -> None:
        self.core = core
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._work: deque[_Work] = deque()
        self.groups = 0  # transactions that held more than one operation (for figures)
        self._scheduled = False  # a turn is queued or running in the pool
        self._closed = False

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        """``fn(*args, **kwargs)`` on the worker thread, after everything asked for before."""
        return self._push(_Work(fn, args, kwargs, with_core=False, op=False))

    def submit_op(self, op: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        """The operation ``op(core, *args, **kwargs)``; its future gives its ``Changes``.
        (Any ``fn(core, …)`` may be given; only ``@operation``s are grouped.)"""
        return self._push(_Work(op, args, kwargs, with_core=True, op=hasattr(op, "op_body")))

    def _push(self, work: _Work) -> Future[Any]:
        with self._lock:
            if self._closed:  # refused: never left queued for a turn from before to run
                raise RuntimeError("cannot schedule new futures after shutdown")
            # one turn of the pool runs what is queued until the queue is empty: a call asked
            # for while the worker is busy (a clerk's marks during a transaction) costs no
            # thread wake-up of its own
            if not self._scheduled:
                self._pool.submit(self._turns)
                self._scheduled = True
            self._work.append(work)
        return work.future

    def _turns(self) -> None:
        while True:
            with self._lock:
                if not self._work:
                    self._scheduled = False
                    return
                batch = [self._work.popleft()]
                if batch[0].op:
                    while self._work and self._work[0].op and len(batch) < MAX_GROUP:
                        batch.append(self._work.popleft())
            try:
                self._run(batch)
            except BaseException:  # not the call's own error (that goes to its future)
                with self._lock:
                    self._scheduled = False
                raise

    def _run(self, batch: list[_Work]) -> None:
        if len(batch) == 1 and not (batch[0].op and self.core.lean_status and status_group.applies(
                [(batch[0].fn, batch[0].args, batch[0].kwargs)])):
            w = batch[0]
            if not w.future.set_running_or_notify_cancel():
                return
            try:
                args = (self.core, *w.args) if w.with_core else w.args
                result = w.fn(*args, **w.kwargs)
            except BaseException as exc:  # handed to the caller through the future
                w.future.set_exception(exc)
            else:
                w.future.set_result(result)
            return
        if len(batch) > 1:
            self.groups += 1
        live = [w for w in batch if w.future.set_running_or_notify_cancel()]
        try:
            outcomes = self.core.run_group([(w.fn, w.args, w.kwargs) for w in live])
        except BaseException as exc:  # nothing was acknowledged
            for w in live:
                w.future.set_exception(exc)
            return
        for w, out in zip(live, outcomes, strict=True):
            if isinstance(out, BaseException):
                w.future.set_exception(out)
            else:
                w.future.set_result(out)

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=wait)
