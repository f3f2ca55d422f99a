"""An SQLite console's "connection": the database file, watched.

A PostgreSQL console learns at once that the server is gone (its listening connection drops).
An SQLite console has no connection to lose, but its file can go: a network share unplugged,
the file deleted or moved, the disk full, the file system remounted read-only. The open
connections keep working on the old file descriptor (a deleted or moved file lives on as long
as it is open), so nothing fails until much later — or never, and changes go to a file no one
will find. So a thread looks at the file twice a second: still the same file (device, inode) at
the same path, readable as an SQLite database, writable, space left on its disk. When it is not,
the console is told at once (``on_link(False)``) and refuses operations, as on PostgreSQL; when
the same file is back, it is told again (``on_link(True)``).

A *different* file at the path (copied back, restored) is not taken for the one the console
opened: it stays disconnected and says so; opening that file again is the user's decision.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from meeting_console.i18n import _

INTERVAL_S = 0.5


def identity(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return (st.st_dev, st.st_ino)


def check(path: Path, ident: tuple[int, int] | None) -> str | None:
    """Why the database file cannot be used now, or None when it can. Cheap: one stat, one
    access check, one statvfs, one read-only open reading the header (never creates a file)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return _("the database file {path} is gone (deleted, moved, or its drive unplugged)").format(path=path)
    except OSError as exc:
        return _("the database file {path} cannot be reached: {error}").format(path=path, error=exc.strerror or exc)
    if ident is not None and (st.st_dev, st.st_ino) != ident:
        return _("another file is now at {path} (the one this console opened was moved or replaced); "
                 "open it again to use it").format(path=path)
    if not os.access(path, os.R_OK | os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK):
        return _("the database file {path} cannot be written (read-only or no permission)").format(path=path)
    try:
        vfs = os.statvfs(path.parent)
        if vfs.f_bavail == 0 and os.geteuid() != 0 or vfs.f_bfree == 0:
            return _("the disk of {path} is full").format(path=path)
        if vfs.f_flag & os.ST_RDONLY:
            return _("the database file {path} cannot be written (read-only or no permission)").format(path=path)
    except OSError as exc:
        return _("the database file {path} cannot be reached: {error}").format(path=path, error=exc.strerror or exc)
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=2)
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return None  # another console is writing: the file is there
        return _("the database file {path} cannot be read: {error}").format(path=path, error=exc)
    return None


class FileWatch:
    """Watches one SQLite database file on a thread of its own; ``on_link(up)`` on each change,
    ``reason`` says why it is down."""

    def __init__(self, path: str | os.PathLike[str], on_link: Callable[[bool], None],
                 interval_s: float = INTERVAL_S) -> None:
        self.path = Path(path).resolve()
        self.on_link = on_link
        self.interval_s = interval_s
        self.ident: tuple[int, int] | None = identity(self.path) if self.path.exists() else None
        self.reason: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> str | None:
        """Why the file cannot be used now (None: it can); also what the reconnect probe asks."""
        return check(self.path, self.ident)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="file-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            reason = self.check()
            if (reason is None) == (self.reason is None):
                self.reason = reason
                continue
            self.reason = reason
            self.on_link(reason is None)
