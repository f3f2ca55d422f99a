"""WAL checkpoints of an SQLite file, off the path of the console's commits.

SQLite's default (``wal_autocheckpoint=1000``) runs a checkpoint inside the COMMIT that takes
the write-ahead log past a thousand pages: that commit copies the pages into the database file
and fsyncs it before it returns, so one key press in a few hundred waits for it. The console's
connections turn that off (``engine._sqlite_pragmas``); this thread does the checkpoint instead,
from a connection of its own, when the log has grown past ``pages`` and no commit came for
``idle_s`` — or at once past ``hard_pages`` (a console writing without pause), so the log never
grows without bound. A PASSIVE checkpoint never takes the write lock and never waits for
readers: the DB worker commits on while it runs. Durability is unchanged: a commit is on disk
(in the log, fsynced) before it returns, whether or not it was checkpointed yet.

The log's size is read from the ``-shm`` index (its header's frame counters); when that cannot
be read the thread checkpoints after every ``FALLBACK_COMMITS`` commits at an idle moment.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import struct
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

PAGES = 1000  # SQLite's own threshold
HARD_PAGES = 8000  # about 32 MB of log with 4 KiB pages: checkpoint even while writes go on
IDLE_S = 0.5
FALLBACK_COMMITS = 200
# the thread looks at the log every so many commits (or at a pause), not at every commit: a
# key press's commit then does not wake a thread that wants the interpreter lock just when
# the console shows the change (a commit adds a few pages; the limits are hundreds)
WAKE_EVERY = 16
_WALINDEX_VERSION = 3007000  # the -shm format these offsets are for


class Checkpointer:
    """Runs PASSIVE checkpoints of ``path`` on a thread of its own; ``wrote()`` after each
    commit (cheap: it wakes the thread every ``WAKE_EVERY`` commits, the thread also looks at
    a pause); ``stop()`` before the engine is disposed."""

    def __init__(self, path: str, identity: tuple[int, int] | None = None, *, pages: int = PAGES,
                 hard_pages: int = HARD_PAGES, idle_s: float = IDLE_S) -> None:
        self.path = path
        self.identity = identity
        self.pages, self.hard_pages, self.idle_s = pages, hard_pages, idle_s
        self.checkpoints = 0  # run so far (for tests and figures)
        self._last_write = time.monotonic()
        self._commits = 0
        self._unseen = 0  # commits since the thread last looked at the log
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def wrote(self, *_args: object) -> None:
        self._last_write = time.monotonic()
        self._commits += 1
        self._unseen += 1
        if self._unseen >= WAKE_EVERY and not self._wake.is_set():  # (setting it again costs a lock)
            self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopped.set()
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)

    # --- the thread -----------------------------------------------------------------------

    def backlog(self) -> int | None:
        """Frames in the log not yet copied into the database file (None: not known)."""
        try:
            fd = os.open(f"{self.path}-shm", os.O_RDONLY)
        except OSError:
            return None
        try:
            head = os.pread(fd, 100, 0)
        except OSError:
            return None
        finally:
            os.close(fd)
        if len(head) < 100:
            return None
        version, = struct.unpack_from("=I", head, 0)
        max_frame, = struct.unpack_from("=I", head, 16)
        backfilled, = struct.unpack_from("=I", head, 96)
        if version != _WALINDEX_VERSION:
            return None
        return max(max_frame - backfilled, 0)

    def _due(self) -> tuple[bool, bool]:
        """(a checkpoint is due, it is due even though writes go on)."""
        backlog = self.backlog()
        if backlog is None:
            return self._commits >= FALLBACK_COMMITS, False
        return backlog >= self.pages, backlog >= self.hard_pages

    def _run(self) -> None:
        while not self._stopped.is_set():
            # commits not looked at yet: at the latest when a pause comes
            self._wake.wait(self.idle_s if self._unseen else None)
            self._wake.clear()
            self._unseen = 0
            try:
                due, urgent = self._due()
                # wait for a pause in the writes: the checkpoint's own writes and fsync do not
                # then compete with a key press's commit for the disk
                while due and not urgent and not self._stopped.is_set():
                    quiet = time.monotonic() - self._last_write
                    if quiet >= self.idle_s:
                        break
                    # woken by the next commit (the log may be past the hard limit) or at the
                    # end of the pause
                    self._wake.wait(self.idle_s - quiet)
                    self._wake.clear()
                    self._unseen = 0
                    due, urgent = self._due()
                if due and not self._stopped.is_set():
                    self.checkpoint()
            except Exception:  # never let the thread die: the log would grow unchecked
                log.exception("WAL checkpoint of %s failed", self.path)
                self._stopped.wait(1.0)

    def checkpoint(self) -> tuple[int, int, int] | None:
        """One PASSIVE checkpoint from a connection of its own (opened for it: none is held
        between checkpoints, so a restore or a move of the file never finds it open).
        Returns SQLite's (busy, log frames, checkpointed frames), None when not done."""
        if self.identity is not None:
            try:
                st = os.stat(self.path)
            except OSError:
                return None
            if (st.st_dev, st.st_ino) != self.identity:
                return None  # not the file the console opened any more: leave it alone
        self._commits = 0
        # mode=rw: never create a file where the database was
        uri = f"{Path(self.path).resolve().as_uri()}?mode=rw"
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            return None
        try:
            conn.execute("PRAGMA synchronous=FULL")
            row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:  # busy (another checkpoint), locked: the next one will do
            log.info("WAL checkpoint of %s not done: %s", self.path, exc)
            return None
        finally:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self.checkpoints += 1
        return tuple(row) if row else None
