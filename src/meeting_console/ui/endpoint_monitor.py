"""The monitor in the console: a ``monitor.Monitor`` running as a coroutine on the qasync loop
(the UI thread's event loop, so probes never block anything: they are asyncio I/O), handing
each flush to ONE ``apply_monitor_batch`` operation on the DB worker through the runner, so the
panel, the journal and other consoles see automatic changes exactly like a clerk's.

Clerks' edits (monitored flag, address, override released, undo) arrive on the change bus; the
controller then re-reads the meeting's monitor setup and hands it to the running monitor.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from meeting_console.core import endpoints
from meeting_console.core.changes import ENDPOINTS, MEETING, Changes
from meeting_console.core.endpoints import BatchResult, MonitorBatch, MonitorSetup
from meeting_console.errors import StoreError, UserError
from meeting_console.i18n import _
from meeting_console.monitor.service import Monitor, MonitorStatus
from meeting_console.ui.bus import Runner

log = logging.getLogger(__name__)

# While monitoring runs, the DB worker and the feed thread are busy in Python; every call from
# Qt into Python on the UI thread (a cell painted, a timer) then waits for the interpreter lock
# up to the switch interval (5 ms by default). A shorter interval keeps the UI's waits short.
SWITCH_INTERVAL_S = 0.001


def _apply_batch(core: Any, meeting_id: int, batch: MonitorBatch) -> Changes:
    # a busy or full database is reported as a value, so the monitor keeps the batch and
    # tries again at the next flush
    try:
        return endpoints.apply_monitor_batch(core, meeting_id, batch)
    except StoreError as exc:
        return Changes(result=exc)


class MonitorController(QObject):
    running_changed = Signal(bool)
    status_changed = Signal(object)  # MonitorStatus
    live_changed = Signal(object)  # dict[int, ProbeResult]
    failed = Signal(str)

    def __init__(self, runner: Runner, parent: QObject | None = None, *, flush_s: float = 1.0) -> None:
        super().__init__(parent)
        self.runner = runner
        self.flush_s = flush_s
        self.meeting_id: int | None = None
        self.monitor: Monitor | None = None
        self._switch_interval = sys.getswitchinterval()
        self._task: asyncio.Task[None] | None = None
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(300)
        self._reload.timeout.connect(self._reload_setup)
        runner.operation_did_execute.connect(self._on_changes)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, meeting_id: int) -> None:
        """Read the meeting's monitor setup and start probing (needs the qasync loop)."""
        if self.running:
            return
        try:
            asyncio.get_event_loop()
        except RuntimeError:
            self.failed.emit(_("Monitoring needs the console's event loop (qasync)."))
            return
        self.meeting_id = meeting_id
        self.runner.call(endpoints.monitor_setup, self.runner.core, meeting_id,
                         on_done=self._got_setup, on_error=self.failed.emit)

    def _got_setup(self, setup: MonitorSetup) -> None:
        if self.running or setup.meeting_id != self.meeting_id:
            return
        loop = asyncio.get_event_loop()
        self.monitor = Monitor(setup, clock=self.runner.core.clock, apply=self._apply,
                               on_live=self.live_changed.emit, on_status=self.status_changed.emit,
                               flush_s=self.flush_s)
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, SWITCH_INTERVAL_S))
        self._task = loop.create_task(self.monitor.run())
        self._task.add_done_callback(self._ended)
        self.running_changed.emit(True)
        self.status_changed.emit(self.monitor.status)

    def stop(self) -> None:
        if self.monitor is not None:
            self.monitor.stop()

    def _ended(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("the monitor stopped on an error", exc_info=task.exception())
            self.failed.emit(_("Monitoring stopped: {error}").format(error=task.exception()))
        self._task = None
        sys.setswitchinterval(self._switch_interval)
        self.running_changed.emit(False)

    async def _apply(self, batch: MonitorBatch) -> BatchResult:
        loop = asyncio.get_event_loop()
        fut: asyncio.Future[BatchResult] = loop.create_future()
        mid = self.meeting_id

        def done(changes: Changes) -> None:
            if fut.done():
                return
            if isinstance(changes.result, StoreError):
                fut.set_exception(changes.result)
            else:
                fut.set_result(changes.result)

        def refused(message: str) -> None:
            if not fut.done():
                fut.set_exception(UserError(message))

        self.runner.run(_apply_batch, mid, batch, initiator=self, on_done=done, on_error=refused)
        return await fut

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
            self.monitor.update(setup)

    def status(self) -> MonitorStatus | None:
        return self.monitor.status if self.monitor is not None else None
