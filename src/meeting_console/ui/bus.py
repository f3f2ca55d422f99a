"""The async glue: one DB worker thread, one change bus.

Every core call (operation or read) runs on a single worker thread; its result comes back to
the GUI thread through a queued Qt signal. Operations that change something are announced on
the bus as ``operation_did_execute(changes, initiator)``. Changes journaled by another console
process arrive on the same signal (initiator ``"external"``), found through the journal's
high-water mark.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from meeting_console.core.api import Core
from meeting_console.core.changes import TABLE_AREAS, Changes
from meeting_console.core.worker import Worker
from meeting_console.errors import ConnectionLost, UserError
from meeting_console.i18n import _

log = logging.getLogger(__name__)

EXTERNAL = "external"
WATCH_INTERVAL_MS = 400
RECONNECT_INTERVAL_MS = 1000


def offline_refusal() -> str:
    """What an operation asked for while not connected gets (compared by the monitor)."""
    return _("Not connected to the database: nothing was done. The console reconnects by itself; "
             "try again once the banner is gone")


class Relay(QObject):
    """Carries progress and the outcome of work on a thread of its own (a PDF being laid out)
    to the GUI: emitted from that thread, delivered queued on the GUI thread."""

    step = Signal(int, int)
    done = Signal(object)
    failed = Signal(str)


class _Delivery(QObject):
    """Carries a finished call back to the GUI thread (queued connection)."""

    done = Signal(object, object, object)  # callback, result, error
    wake = Signal()  # a NOTIFY arrived (listener thread)
    link = Signal(bool)  # the listening connection dropped / is back (listener thread)
    probed = Signal(object)  # a reconnection probe's error (None: the database answers)


def merge_external(changes: list[Changes]) -> list[Changes]:
    """Other consoles' journal entries read in one poll, as one change per run of entries of
    the same meeting (a console following twenty clerks reads hundreds a poll: one signal and
    one refresh of each panel for them all, not one per entry). Its ``journal_id`` is the last
    entry's: the entries reach the bus in journal order, so every entry up to it has."""
    out: list[Changes] = []
    i = 0
    while i < len(changes):
        first = changes[i]
        j = i + 1
        while j < len(changes) and changes[j].meeting_id == first.meeting_id:
            j += 1
        if j == i + 1:
            out.append(first)
        else:
            areas: set[str] = set()
            rows: dict[str, set[int]] = {}
            for ch in changes[i:j]:
                areas |= ch.areas
                for t, ids in ch.rows.items():
                    rows.setdefault(t, set()).update(ids)
            last = changes[j - 1]
            out.append(Changes(areas=frozenset(areas), meeting_id=first.meeting_id, journal_id=last.journal_id,
                               label=last.label, rows={t: frozenset(ids) for t, ids in rows.items()}))
        i = j
    return out


class Runner(QObject):
    """Runs core calls on the DB worker thread and publishes their changes."""

    operation_did_execute = Signal(object, object)  # Changes, initiator
    operation_failed = Signal(str, object)  # one-line message, initiator
    busy_changed = Signal(bool)
    # the database connection: (True, "") when it is back, (False, why) the moment it drops
    connection_changed = Signal(bool, str)

    def __init__(self, core: Core, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.core = core
        # one DB worker thread; operations queued together commit together (core.worker)
        self._pool = Worker(core)
        self._delivery = _Delivery()
        self._delivery.done.connect(self._deliver)
        self._pending = 0
        # Rows an operation's own worker task read back right after it committed, by journal id
        # then table: {"agenda_item": (ids, rows), "meeting": info}. Panels on the bus use them
        # instead of asking the worker for the same rows again; dropped once the change is out.
        self.readback: dict[int, dict[str, Any]] = {}
        self._local_journal_ids: set[int] = set()
        self.external_entries = 0  # journal entries of other consoles delivered on the bus (figures)
        self._high_water = 0
        self._watching = False
        self._watch_timer = QTimer(self)
        self._watch_timer.setInterval(WATCH_INTERVAL_MS)
        self._watch_timer.timeout.connect(self._poll_external)
        self.online = True
        self._shut = False
        self._probing = False
        self._reconnect_timer = QTimer(self)
        self._reconnect_timer.setInterval(RECONNECT_INTERVAL_MS)
        self._reconnect_timer.timeout.connect(self._probe)
        self._delivery.link.connect(self._on_link)
        self._delivery.probed.connect(self._probed)

    # --- calls ----------------------------------------------------------------------------

    def call(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        **kwargs: Any,
    ) -> Future[Any]:
        """Run ``fn(*args, **kwargs)`` on the worker; ``on_done(result)`` runs on the GUI thread."""
        return self._track(self._pool.submit(fn, *args, **kwargs), on_done, on_error)

    def _track(self, fut: Future[Any], on_done: Callable[[Any], None] | None,
               on_error: Callable[[str], None] | None) -> Future[Any]:
        self._set_pending(+1)

        def finished(f: Future[Any]) -> None:
            err = f.exception()
            self._delivery.done.emit((on_done, on_error), None if err else f.result(), err)

        fut.add_done_callback(finished)
        return fut

    def run(
        self,
        op: Callable[..., Changes],
        *args: Any,
        initiator: object = None,
        on_done: Callable[[Changes], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        **kwargs: Any,
    ) -> Future[Any]:
        """Run a core operation ``op(core, *args)``; publish its changes on the bus.
        A refusal goes to ``on_error`` when given, else to ``operation_failed``."""

        def done(changes: Changes) -> None:
            self._publish(changes, initiator)
            if on_done is not None:
                on_done(changes)

        def failed(message: str) -> None:
            if on_error is not None:
                on_error(message)
            else:
                self.operation_failed.emit(message, initiator)

        if not self.online:
            # refused at once: an operation queued now could not be confirmed as stored
            fut: Future[Any] = Future()
            fut.set_exception(ConnectionLost(offline_refusal()))
            self._set_pending(+1)
            QTimer.singleShot(0, lambda: self._deliver((done, failed), None, fut.exception()))
            return fut
        return self._track(self._pool.submit_op(op, *args, **kwargs), done, failed)

    def undo(self, meeting_id: int | None, initiator: object = None) -> Future[Any]:
        return self.run(lambda core: core.undo(meeting_id), initiator=initiator)

    def redo(self, meeting_id: int | None, initiator: object = None) -> Future[Any]:
        return self.run(lambda core: core.redo(meeting_id), initiator=initiator)

    async def perform(self, op: Callable[..., Changes], *args: Any, **kwargs: Any) -> Changes:
        """Await an operation from a coroutine (qasync)."""
        if not self.online:
            raise ConnectionLost(offline_refusal())
        fut: Future[Changes] = self._pool.submit_op(op, *args, **kwargs)
        changes = await asyncio.wrap_future(fut)
        self._publish(changes, kwargs.get("initiator"))
        return changes

    def run_sync(self, op: Callable[..., Changes], *args: Any, initiator: object = None, **kwargs: Any) -> Changes:
        """Run an operation and wait for it (start-up, tests and scripts only)."""
        changes = self._pool.submit_op(op, *args, **kwargs).result()
        self._publish(changes, initiator)
        return changes

    def background(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        """The console's own work on the DB worker, after what is queued (not asked for by the
        user: no "Saving…", no delivery on the GUI thread; the caller watches the future)."""
        return self._pool.submit(fn, *args, **kwargs)

    def read_sync(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A read on the worker thread, waited for (small reads at start-up)."""
        return self._pool.submit(fn, *args, **kwargs).result()

    def _set_pending(self, delta: int) -> None:
        before = self._pending > 0
        self._pending += delta
        if (self._pending > 0) != before:
            self.busy_changed.emit(self._pending > 0)

    @Slot(object, object, object)
    def _deliver(self, callbacks: Any, result: Any, error: BaseException | None) -> None:
        on_done, on_error = callbacks
        self._set_pending(-1)
        if isinstance(error, ConnectionLost) and str(error) != offline_refusal():
            self._go_offline(str(error))
        if error is not None:
            if isinstance(error, UserError):
                message = str(error)
            else:
                log.error("core call failed:\n%s", "".join(traceback.format_exception(error)))
                message = f"{type(error).__name__}: {error}"
            if on_error is not None:
                on_error(message)
            elif not isinstance(error, ConnectionLost):  # a read during an outage: the banner says it
                self.operation_failed.emit(message, None)
            return
        if on_done is not None:
            on_done(result)

    def _publish(self, changes: Changes, initiator: object) -> None:
        if changes.journal_id is not None:
            self._local_journal_ids.add(changes.journal_id)
        if changes.any:
            self.operation_did_execute.emit(changes, initiator)
        if changes.journal_id is not None:
            self.readback.pop(changes.journal_id, None)

    # --- changes from other consoles -----------------------------------------------------

    def watch_external(self, start: int | None = None) -> None:
        """Follow the journal for changes written by other processes: on PostgreSQL woken by
        LISTEN/NOTIFY (with a slow poll as a safety net), on SQLite by polling the journal's
        high-water mark."""
        from meeting_console.core.follow import ChangeListener

        self._high_water = self.read_sync(self.core.high_water) if start is None else start
        self._listener = ChangeListener(self.core, self._delivery.wake.emit, self._delivery.link.emit)
        if self._listener.supported:
            self._delivery.wake.connect(self._poll_external)
            self._listener.start()
            self._watch_timer.setInterval(WATCH_INTERVAL_MS * 5)
        elif self.core.db.is_sqlite and self.core.db.location != ":memory:":
            # SQLite has no connection to drop: its file is watched instead (core.file_watch)
            from meeting_console.core.file_watch import FileWatch

            if getattr(self, "_file_watch", None) is not None:  # watched again (a restored file)
                self._file_watch.stop()
            self._file_watch = FileWatch(self.core.db.location, self._delivery.link.emit)
            self._file_watch.start()
        self._watch_timer.start()

    def _poll_external(self) -> None:
        if self._shut:  # a wake-up or a timer that was already queued when the runner stopped
            return
        if self._watching:
            self._poll_again = True
            return
        self._watching = True
        self.call(self.core.changes_since, self._high_water, on_done=self._got_external,
                  on_error=self._watch_failed)

    def _watch_failed(self, message: str) -> None:
        self._watching = False
        log.warning("watching the journal failed: %s", message)

    def _got_external(self, result: tuple[int, list[Changes]]) -> None:
        self._watching = False
        if getattr(self, "_poll_again", False):  # a wake-up came while reading
            self._poll_again = False
            QTimer.singleShot(0, self._poll_external)
        top, changes = result
        self._high_water = max(self._high_water, top)
        local = self._local_journal_ids
        if local:
            theirs = []
            for ch in changes:
                if ch.journal_id in local:
                    local.discard(ch.journal_id)
                else:
                    theirs.append(ch)
            changes = theirs
        self.external_entries += len(changes)
        for ch in merge_external(changes):
            self.operation_did_execute.emit(ch, EXTERNAL)

    # --- the connection -------------------------------------------------------------------

    def _go_offline(self, why: str) -> None:
        if not self.online:
            return
        self.online = False
        log.warning("database connection lost")  # the message may name the server: not logged
        self.connection_changed.emit(False, why)
        self._reconnect_timer.start()

    @Slot(bool)
    def _on_link(self, up: bool) -> None:
        if not up:
            watch = getattr(self, "_file_watch", None)
            self._go_offline(watch.reason if watch is not None and watch.reason
                             else "the connection to the database was lost")
        elif not self.online:
            self._probe()

    def _probe(self) -> None:
        """Is the database back? One cheap query on the worker (after whatever is queued)."""
        if self._probing:
            return
        self._probing = True

        def probe() -> None:
            try:
                watch = getattr(self, "_file_watch", None)
                reason = watch.check() if watch is not None else None
                if reason is not None:  # the old file descriptor still answers: not enough
                    raise ConnectionLost(reason)
                self.core.high_water()
            except Exception as exc:  # still down: the next tick tries again
                self._delivery.probed.emit(exc)
            else:
                self._delivery.probed.emit(None)

        self._pool.submit(probe)

    @Slot(object)
    def _probed(self, error: BaseException | None) -> None:
        self._probing = False
        if error is not None or self.online:
            return
        self.online = True
        self._reconnect_timer.stop()
        log.info("database connection is back")
        self.connection_changed.emit(True, "")
        # a read that failed during the outage left a panel behind: every panel reloads once,
        # then the journal brings what other consoles did meanwhile (and any of this console's
        # operations whose confirmation the outage swallowed)
        self.operation_did_execute.emit(
            Changes(areas=frozenset(TABLE_AREAS.values()) | {"journal"}, label="reconnected"), EXTERNAL)
        if self._watch_timer.isActive():
            self._poll_external()

    def shutdown(self) -> None:
        self._shut = True
        self._reconnect_timer.stop()
        self._watch_timer.stop()
        if getattr(self, "_listener", None) is not None:
            self._listener.stop()
        if getattr(self, "_file_watch", None) is not None:
            self._file_watch.stop()
        self._pool.shutdown(wait=True)
