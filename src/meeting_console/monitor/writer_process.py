"""Writing the monitor's big batches in a helper process.

A storm of status changes (5,000 a second over 50,000 endpoints) is written as one
``apply_monitor_batch`` operation per thousand observations. Even lean, each is tens of
milliseconds of Python (reading the rows, the row images for the journal, the status events)
on the console's DB worker thread, and every call the UI thread makes into Python while it
runs waits for the interpreter lock: the panel stutters. So the operation itself runs in a
child process with its own connection to the same database file — the same core operation,
one transaction and one journal entry, acknowledged only after its commit — and the DB worker
only waits for the answer (blocked on a pipe, without the lock). The ``Changes`` come back as
from a local operation and go on the change bus as usual (SQLite allows one writer at a time:
the worker waits meanwhile, so this console's operations stay in order).

Used through ``BatchWriter``, whose ``apply`` blocks: call it on the DB worker. If the child
cannot be started or dies, the batch is written in this process (re-applying a batch that the
child did commit changes nothing: the endpoints have those values already).
"""

from __future__ import annotations

import pickle
import sys
import threading
from array import array
from datetime import datetime
from operator import attrgetter
from typing import Any

from meeting_console.core.changes import Changes
from meeting_console.errors import StoreError, UserError
from meeting_console.monitor.helper import HelperProcess, child_main, recv, send

# batches at least this large go to the child (small ones cost less than the round trip)
WRITER_FROM = 200


class _AtClock:
    """The console's time for one operation (the journal entry's time is the console's)."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def now(self) -> datetime:
        assert self.at is not None
        return self.at


def _observations(columns: tuple[Any, ...]) -> Any:
    from meeting_console.core.endpoints import MonitorBatch, Observed

    ids, *rest = columns
    return MonitorBatch(Observed(*r) for r in zip(_from_ints(ids), *rest, strict=True))


_FIELDS = ("meeting_endpoint_id", "at", "status", "ok", "latency_ms", "detail", "probe")


def _rows(batch: Any) -> tuple[Any, ...]:
    # in columns: the ids as one array, the rest as one list per field (no tuple per row: the
    # pickling and the collector have thousands of objects less to go through); each column
    # is read in one call (``map`` with ``attrgetter``), not a loop of the interpreter
    ids, *rest = (list(map(attrgetter(f), batch)) for f in _FIELDS)
    return (_ints(ids), *rest)


def _ints(values: Any) -> bytes:
    return array("q", values).tobytes()


def _from_ints(data: bytes) -> list[int]:
    a = array("q")
    a.frombytes(data)
    return a.tolist()


_SAME_AS_CHANGED = "same as the result's changed"


def _pack(changes: Changes) -> tuple[Any, ...]:
    """The operation's ``Changes`` in columns for the pipe. Unpickling runs in one step that
    holds the interpreter lock (the UI thread waits meanwhile), and its time goes with the
    number of objects it builds: ids travel as arrays of 8-byte integers (one bytes object
    each), a group's values as one list per column, and the rows' new values that ``updates``
    repeats from ``result.changed`` are not sent twice. The dicts are then rebuilt in plain
    Python (``_unpack``), where the lock is handed over as usual. (A batch of 5,000 changes:
    2.5 ms holding the lock instead of 7.5 on this machine's slow core.)"""
    from dataclasses import replace

    from meeting_console.core.endpoints import BatchResult

    r = changes.result
    if not isinstance(r, BatchResult):
        return (changes,)
    rows = {t: _ints(ids) for t, ids in changes.rows.items()}
    updates = {t: _SAME_AS_CHANGED if v is not None and v == r.changed else v
               for t, v in changes.updates.items()}
    bare = replace(changes, rows={}, result=None, updates={})
    groups: dict[tuple[str, ...], tuple[list[int], list[tuple[Any, ...]]]] = {}
    for i, cols in r.changed.items():
        key = tuple(cols)
        g = groups.get(key)
        if g is None:
            g = groups[key] = ([], [])
        g[0].append(i)
        g[1].append(tuple(cols.values()))
    columns = {key: (_ints(ids), [list(c) for c in zip(*values, strict=True)]) for key, (ids, values) in groups.items()}
    events = r.events
    result = (r.applied, r.held, r.unchanged, r.unknown, _ints(r.statuses), list(r.statuses.values()),
              _ints(r.overrides), columns,
              (_ints(e[0] for e in events), [e[1] for e in events], [e[2] for e in events]))
    return bare, rows, result, updates


def _unpack(packed: tuple[Any, ...]) -> Changes:
    from dataclasses import replace

    from meeting_console.core.endpoints import BatchResult, ColumnRows

    if len(packed) == 1:
        return packed[0]  # type: ignore[no-any-return]
    bare, rows, (applied, held, unchanged, unknown, sids, svals, overrides, columns, (eids, ewhen, estat)), \
        updates = packed
    # the rows' new values stay in columns (no dict per row here, on the DB worker)
    changed = ColumnRows([(cols, _from_ints(ids), values) for cols, (ids, values) in columns.items()])
    result = BatchResult(applied, held, unchanged, unknown, dict(zip(_from_ints(sids), svals, strict=True)),
                         frozenset(_from_ints(overrides)), changed,
                         tuple(zip(_from_ints(eids), ewhen, estat, strict=True)))
    return replace(bare, rows={t: frozenset(_from_ints(ids)) for t, ids in rows.items()}, result=result,
                   updates={t: changed if v == _SAME_AS_CHANGED else v for t, v in updates.items()})


def serve(inp: Any, out: Any) -> None:
    from meeting_console.core import endpoints
    from meeting_console.core.api import Core

    core: Core | None = None
    clock = _AtClock()
    while True:
        try:
            msg = recv(inp)
        except (EOFError, OSError):
            break
        kind = msg[0]
        if kind == "stop":
            break
        if kind == "open":
            _url, seat, role, endpoint_ids = msg[1:]
            try:
                core = Core.open(_url, clock=clock, seat=seat, role=role, endpoint_ids=endpoint_ids)
            except Exception as exc:
                send(out, ("failed", f"{type(exc).__name__}: {exc}"))
                break
            send(out, ("ready",))
            continue
        _apply, at, meeting_id, rows = msg
        assert core is not None
        clock.at = at
        try:
            reply: tuple[Any, ...] = ("ok", _pack(endpoints.apply_monitor_batch(core, meeting_id,
                                                                                  _observations(rows))))
        except UserError as exc:  # refused, busy, full, disconnected: as the operation said it
            try:
                pickle.dumps(exc)
                reply = ("error", exc)
            except Exception:
                reply = ("error", StoreError(str(exc)))
        except Exception as exc:  # a bug: reported, the child goes on
            reply = ("bug", f"{type(exc).__name__}: {exc}")
        send(out, reply)
    if core is not None:
        core.close()


class BatchWriter:
    """``apply_monitor_batch`` for one console's core, run in a child process."""

    def __init__(self, core: Any) -> None:
        self.core = core
        self._helper = HelperProcess("meeting_console.monitor.writer_process")
        self._ready = False
        self._failed = False
        self._lock = threading.Lock()  # the DB worker applies; close may come from the UI thread
        self.remote = 0  # batches written by the child (for tests and the benchmark)

    @property
    def _proc(self) -> Any:
        return self._helper.proc

    @staticmethod
    def usable(core: Any) -> bool:
        """A database file that another process can open (not an in-memory one), not frozen."""
        db = core.db
        return bool(db.is_sqlite and db.location not in ("", ":memory:") and not getattr(sys, "frozen", False))

    def start(self) -> None:
        """Start the child (it imports and opens the database while the console goes on)."""
        with self._lock:
            if self._helper.proc is not None or self._failed:
                return
            try:
                self._helper.spawn()
                c = self.core
                self._helper.send(("open", c.db.url, c.seat, c.role, c.endpoint_ids))
            except Exception:
                self._failed = True
                self._helper.kill()

    def apply(self, meeting_id: int, batch: Any) -> Changes:
        """Blocking (the DB worker): write one batch; as ``apply_monitor_batch(core, …)``."""
        from meeting_console.core import endpoints

        if len(batch) >= WRITER_FROM:
            with self._lock:
                changes = self._remote(meeting_id, batch)
            if changes is not None:
                return changes
        return endpoints.apply_monitor_batch(self.core, meeting_id, batch)

    def _remote(self, meeting_id: int, batch: Any) -> Changes | None:
        helper = self._helper
        if helper.proc is None or self._failed:
            return None
        try:
            if not self._ready:
                first = helper.recv()
                if first[0] != "ready":
                    raise EOFError
                self._ready = True
            helper.send(("apply", self.core.clock.now(), meeting_id, _rows(batch)))
            reply = helper.recv()
        except (EOFError, OSError, pickle.UnpicklingError):
            self._failed = True  # written here from now on (see the module's notes)
            helper.kill()
            return None
        if reply[0] == "ok":
            self.remote += 1
            return _unpack(reply[1])
        if reply[0] == "error":
            raise reply[1]
        return None  # a bug in the child: this process tries the batch itself

    def close(self) -> None:
        with self._lock:
            self._helper.stop(5)


if __name__ == "__main__":
    from meeting_console.monitor import writer_process

    child_main(writer_process.serve)
