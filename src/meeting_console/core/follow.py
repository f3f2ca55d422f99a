"""Learning at once that another console wrote: LISTEN/NOTIFY on PostgreSQL.

Every journal entry sends a NOTIFY at commit (core.api). A ``ChangeListener`` waits for them on
its own connection in a thread and calls ``wake()``; the caller then reads the journal from its
high-water mark. On SQLite there is no notification: the caller polls the high-water mark (one
indexed query), which is what ``ChangeListener.supported`` tells it to do.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from meeting_console.core.api import NOTIFY_CHANNEL, Core

log = logging.getLogger(__name__)


class ChangeListener:
    def __init__(self, core: Core, wake: Callable[[], None],
                 on_link: Callable[[bool], None] | None = None) -> None:
        self.core = core
        self.wake = wake
        # told at once when the listening connection drops (False) and is back (True):
        # the first sign of a network or server outage, before any operation fails
        self.on_link = on_link or (lambda _up: None)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()

    @property
    def supported(self) -> bool:
        return self.core.is_postgres

    def start(self) -> None:
        if not self.supported or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="listen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)

    def _conninfo(self) -> str:
        url = self.core.db.engine.url.set(drivername="postgresql")
        return url.render_as_string(hide_password=False)

    def _loop(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo(), autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.connected.set()
                    self.on_link(True)
                    self.wake()  # catch up on anything written while (re)connecting
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self.wake()
            except Exception as exc:  # connection lost: say so, retry
                if not self._stop.is_set():
                    self.on_link(False)
                self.connected.clear()
                log.warning("listening for changes failed: %s", type(exc).__name__)
                self._stop.wait(1.0)
