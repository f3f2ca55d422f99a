"""The monitor in the console: a ``monitor.Monitor`` running on an asyncio loop of its own,
in a thread of its own (probes, hysteresis and the feed's parsing never take turns with the
UI thread's painting: only the interpreter lock is shared, with a short switch interval),
handing each flush to ONE ``apply_monitor_batch`` operation on the DB worker through the
runner, so the panel, the journal and other consoles see automatic changes exactly like a
clerk's.

Clerks' edits (monitored flag, address, override released, undo) arrive on the change bus; the
controller then re-reads the meeting's monitor setup and hands it to the running monitor.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
import time
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from meeting_console.core import endpoints
from meeting_console.core.changes import ENDPOINTS, MEETING, Changes
from meeting_console.core.endpoints import BatchResult, MonitorBatch, MonitorSetup
from meeting_console.errors import StoreError, UserError
from meeting_console.i18n import _
from meeting_console.monitor.service import Monitor, MonitorStatus
from meeting_console.monitor.writer_process import BatchWriter
from meeting_console.ui.bus import Runner, offline_refusal

log = logging.getLogger(__name__)

# While monitoring runs, the DB worker and the feed thread are busy in Python; every call from
# Qt into Python on the UI thread (a cell painted, a timer) then waits for the interpreter lock
# up to the switch interval (5 ms by default). A shorter interval keeps the UI's waits short.
SWITCH_INTERVAL_S = 0.001


# a meeting monitoring this many endpoints has its big batches written by a helper process
# (``monitor.writer_process``): the DB worker then waits on a pipe instead of holding the
# interpreter lock that the UI thread's painting needs
WRITER_FOR_TARGETS = 1000
WRITER_BATCH = 10_000  # observations per operation when the helper writes


class CollectorHold:
    """Python's full garbage collection, held off while a big meeting is monitored.

    A full collection walks every tracked object: with 50,000 endpoint rows in the panel it
    takes 50–150 ms, holding the interpreter lock, whichever thread triggers it — and a storm
    of status changes allocates enough to trigger one every few seconds. So while monitoring
    runs, what lives at the start is frozen (never walked again; still freed as usual when no
    longer used), automatic full collections are off (the young generations are still
    collected: quick), and a full collection runs only when the monitor has written nothing
    for a while (``QUIET_S``), then freezes the survivors. Reference cycles that die while
    frozen are reclaimed when monitoring stops."""

    QUIET_S = 15.0

    def __init__(self) -> None:
        self._saved: tuple[int, int, int] | None = None

    @property
    def holding(self) -> bool:
        return self._saved is not None

    def begin(self) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(self._saved[0], self._saved[1], 1_000_000_000)

    def quiet(self) -> None:
        if self._saved is not None:
            gc.collect()
            gc.freeze()

    def end(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
            gc.unfreeze()  # the next full collection sees everything again


def _apply_batch(core: Any, meeting_id: int, batch: MonitorBatch, writer: BatchWriter | None = None) -> Changes:
    # a busy or full database is reported as a value, so the monitor keeps the batch and
    # tries again at the next flush
    try:
        if writer is not None:
            return writer.apply(meeting_id, batch)
        return endpoints.apply_monitor_batch(core, meeting_id, batch)
    except StoreError as exc:
        return Changes(result=exc)


class MonitorController(QObject):
    running_changed = Signal(bool)
    status_changed = Signal(object)  # MonitorStatus
    live_changed = Signal(object)  # dict[int, ProbeResult]
    failed = Signal(str)
    # from the monitor's thread to the UI thread (queued): a batch to write, and the end
    _submit = Signal(object, object)  # MonitorBatch, reply(result, error)
    _thread_ended = Signal(object)  # the exception that ended it, or None

    def __init__(self, runner: Runner, parent: QObject | None = None, *, flush_s: float = 1.0) -> None:
        super().__init__(parent)
        self.runner = runner
        self.flush_s = flush_s
        self.meeting_id: int | None = None
        self.monitor: Monitor | None = None
        self._switch_interval = sys.getswitchinterval()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._starting = False
        self.writer: BatchWriter | None = None
        self.collector = CollectorHold()
        self._last_write = 0.0
        self._quiet = QTimer(self)
        self._quiet.setInterval(int(CollectorHold.QUIET_S * 1000))
        self._quiet.timeout.connect(self._collect_if_quiet)
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(300)
        self._reload.timeout.connect(self._reload_setup)
        self._submit.connect(self._write_batch)
        self._thread_ended.connect(self._ended)
        runner.operation_did_execute.connect(self._on_changes)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, meeting_id: int) -> None:
        """Read the meeting's monitor setup and start probing."""
        if self.running or self._starting:
            return
        self._starting = True
        self.meeting_id = meeting_id

        def refused(message: str) -> None:
            self._starting = False
            self.failed.emit(message)

        self.runner.call(endpoints.monitor_setup, self.runner.core, meeting_id,
                         on_done=self._got_setup, on_error=refused)

    def _got_setup(self, setup: MonitorSetup) -> None:
        self._starting = False
        if self.running or setup.meeting_id != self.meeting_id:
            return
        if len(setup.targets) >= WRITER_FOR_TARGETS and BatchWriter.usable(self.runner.core):
            self.writer = BatchWriter(self.runner.core)
            self.writer.start()
            self.collector.begin()
            self._quiet.start()
        # written by the helper, a batch costs this process little however big: one commit (one
        # fsync, one journal entry) a flush rather than one per thousand keeps the writer up
        monitor = Monitor(setup, clock=self.runner.core.clock, apply=self._apply,
                          on_live=self.live_changed.emit, on_status=self.status_changed.emit,
                          flush_s=self.flush_s, max_batch=WRITER_BATCH if self.writer is not None else 1000)
        self.monitor = monitor
        loop = asyncio.new_event_loop()
        self._loop = loop

        def main() -> None:
            asyncio.set_event_loop(loop)
            error: BaseException | None = None
            try:
                loop.run_until_complete(monitor.run())
            except BaseException as exc:  # reported on the UI thread
                error = exc
            finally:
                try:
                    loop.run_until_complete(loop.shutdown_default_executor())
                finally:
                    loop.close()
            self._thread_ended.emit(error)

        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, SWITCH_INTERVAL_S))
        self._thread = threading.Thread(target=main, name="endpoint-monitor", daemon=True)
        self._thread.start()
        self.running_changed.emit(True)
        self.status_changed.emit(monitor.status)

    def _in_monitor(self, fn: Any, *args: Any) -> None:
        """Run ``fn`` on the monitor's loop (its objects belong to that thread)."""
        loop = self._loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(fn, *args)
            except RuntimeError:  # the loop has just ended
                pass

    def stop(self) -> None:
        """Stop probing; what was seen is still written (the monitor's last flush)."""
        if self.monitor is not None:
            self._in_monitor(self.monitor.stop)

    def finish(self, timeout: float = 5.0) -> bool:
        """Stop and let the last flush be written before returning (the console closes): the
        UI thread keeps serving the monitor's batch meanwhile. True when the monitor ended."""
        from PySide6.QtCore import QCoreApplication, QEventLoop

        self.stop()
        deadline = time.monotonic() + timeout
        while (t := self._thread) is not None and t.is_alive() and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            t.join(0.01)
        QCoreApplication.processEvents()  # the end, announced
        return self._thread is None or not self._thread.is_alive()

    def _ended(self, error: BaseException | None) -> None:
        if error is not None:
            log.error("the monitor stopped on an error", exc_info=error)
            self.failed.emit(_("Monitoring stopped: {error}").format(error=error))
        self._thread = None
        self._loop = None
        writer, self.writer = self.writer, None
        if writer is not None:  # after the last batch (queued on the DB worker before this)
            self.runner.call(writer.close)
        self._quiet.stop()
        self.collector.end()
        sys.setswitchinterval(self._switch_interval)
        self.running_changed.emit(False)

    async def _apply(self, batch: MonitorBatch) -> BatchResult:
        """On the monitor's loop: have the batch written on the DB worker, await the outcome."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[BatchResult] = loop.create_future()

        def settle(result: Any, error: BaseException | None) -> None:
            if fut.done():
                return
            if error is not None:
                fut.set_exception(error)
            else:
                fut.set_result(result)

        def reply(result: Any, error: BaseException | None) -> None:  # on the UI thread
            try:
                loop.call_soon_threadsafe(settle, result, error)
            except RuntimeError:
                pass

        self._submit.emit(batch, reply)
        return await fut

    def _write_batch(self, batch: MonitorBatch, reply: Any) -> None:
        def done(changes: Changes) -> None:
            self._last_write = time.monotonic()
            if isinstance(changes.result, StoreError):
                reply(None, changes.result)
            else:
                reply(changes.result, None)

        def refused(message: str) -> None:
            # not connected (see Runner.run): a store error, so the monitor keeps the batch
            # and writes it once the console has reconnected
            reply(None, (StoreError if message == offline_refusal() else UserError)(message))

        self.runner.run(_apply_batch, self.meeting_id, batch, self.writer, initiator=self, on_done=done,
                        on_error=refused)

    def _collect_if_quiet(self) -> None:
        if time.monotonic() - self._last_write >= CollectorHold.QUIET_S:
            self.collector.quiet()

    # --- following the clerks' edits ---------------------------------------------------------

    def _on_changes(self, changes: Changes, initiator: object) -> None:
        if initiator is self or not self.running or changes.meeting_id not in (None, self.meeting_id):
            return
        if changes.areas & {ENDPOINTS, MEETING}:
            self._reload.start()

    def _reload_setup(self) -> None:
        if self.running and self.meeting_id is not None:
            self.runner.call(endpoints.monitor_setup, self.runner.core, self.meeting_id,
                             on_done=self._updated, on_error=self.failed.emit)

    def _updated(self, setup: MonitorSetup) -> None:
        if self.monitor is not None and self.running and setup.meeting_id == self.meeting_id:
            self._in_monitor(self.monitor.update, setup)

    def status(self) -> MonitorStatus | None:
        return self.monitor.status if self.monitor is not None else None
