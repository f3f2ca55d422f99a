"""Online backups of the console's SQLite database, and restoring one.

A backup is taken with SQLite's backup API from its own read connection: in WAL mode it sees one
consistent state and never blocks the console writing at the same time. Each backup is written
to a temporary file, switched to a self-contained rollback-journal file, checked
(``quick_check``), synced, then renamed into place, so a backup folder never holds half a file.

Backups live in the user data directory, one folder per database, owner-only (0700 folders,
0600 files: they hold names and posts). They are rotated: the newest ``KEEP_PERIODIC`` periodic
ones and the newest ``KEEP_MARKED`` others (meeting start, close, manual, before a restore).

Restoring checks the backup first (``core.verify``: integrity, keys, journal replay), keeps a
backup of the database it replaces, needs the database to be closed by every console, and
moves the restored copy into place with one atomic rename.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from meeting_console.errors import StoreError

APP = "meeting-console"
KEEP_PERIODIC = 12  # an hour at the default interval
KEEP_MARKED = 20
DEFAULT_INTERVAL_MINUTES = 5
REASONS = ("start", "close", "periodic", "manual", "before-restore")
_NAME = re.compile(r"^(?P<stem>.+)-(?P<at>\d{8}T\d{6}Z)(?:-(?P<n>\d+))?-(?P<reason>[a-z-]+)\.db$")
_lock = threading.Lock()  # two backups of one process never race for a file name


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime  # UTC
    reason: str
    size: int

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    database: Path
    kept: BackupInfo | None  # the backup of the database that was replaced


# --- where ----------------------------------------------------------------------------------


def _private_dir(path: Path) -> Path:
    """Create a folder readable by the owner only. A folder that exists already is the
    user's (e.g. the one holding their database, or /tmp): its mode is left alone."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(OSError):  # mkdir's mode is filtered by the umask
            os.chmod(path, 0o700)
    return path


def backup_root() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False) / "backups"


def backup_dir(db_path: str | os.PathLike[str]) -> Path:
    """The folder holding the backups of one database file (named after it, plus a short
    hash of its full path so two ``meetings.db`` in different folders never mix)."""
    p = Path(db_path).expanduser().resolve()
    digest = hashlib.sha256(str(p).encode()).hexdigest()[:8]
    return backup_root() / f"{p.stem}-{digest}"


def sqlite_path(core_or_url: object) -> Path | None:
    """The database file of a Core (or an SQLAlchemy URL); None for PostgreSQL or memory."""
    from sqlalchemy.engine import make_url

    db = getattr(core_or_url, "db", None)
    url = make_url(db.url if db is not None else str(core_or_url))
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


# --- taking a backup ------------------------------------------------------------------------


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a folder
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _new_private_file(path: Path) -> None:
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _source(db_path: Path) -> sqlite3.Connection:
    if not db_path.is_file():
        raise StoreError(f"{db_path}: no such database file")
    with db_path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise StoreError(f"{db_path}: is not an SQLite database file")
    from meeting_console.store.engine import BUSY_TIMEOUT_MS

    conn = sqlite3.connect(str(db_path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute("PRAGMA query_only=ON")
    return conn


def copy_database(db_path: Path, target: Path) -> None:
    """Copy ``db_path`` into the new file ``target`` (owner-only, self-contained, checked,
    on disk). ``target`` must not exist; on failure nothing is left behind."""
    _new_private_file(target)
    try:
        src = _source(db_path)
        try:
            # Take the read snapshot first, within the busy timeout: the backup API itself
            # retries a locked source for ever (Python sleeps and steps again).
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
            dst = sqlite3.connect(str(target), isolation_level=None)
            try:
                src.backup(dst)  # one step: one consistent snapshot of the source
                dst.execute("PRAGMA journal_mode=DELETE")
                problems = [r[0] for r in dst.execute("PRAGMA quick_check") if r[0] != "ok"]
                if problems:
                    raise StoreError(f"{target}: the copy fails its check: {problems[0]}")
            finally:
                dst.close()
        finally:
            src.close()
        _fsync_file(target)
    except BaseException as exc:
        for leftover in (target, Path(f"{target}-journal"), Path(f"{target}-wal")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        if isinstance(exc, sqlite3.Error | OSError):
            raise StoreError(f"{db_path}: the backup failed: {_why(exc)}") from None
        raise


def _why(exc: BaseException) -> str:
    msg = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    if "full" in msg.lower() or getattr(exc, "errno", None) == 28:
        return f"the disk is full ({msg})"
    return msg


def _name(stem: str, at: datetime, reason: str, n: int = 0) -> str:
    stamp = at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stem}-{stamp}{f'-{n}' if n else ''}-{reason}.db"


def make_backup(db_path: str | os.PathLike[str], *, reason: str = "manual",
                dest_dir: str | os.PathLike[str] | None = None, now: datetime | None = None,
                keep_periodic: int = KEEP_PERIODIC, keep_marked: int = KEEP_MARKED) -> BackupInfo:
    """Take an online backup of ``db_path`` (safe while consoles write to it); returns it.
    Rotates the folder afterwards. Raises ``StoreError`` with the cause on failure."""
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    db = Path(db_path)
    if dest_dir is None:
        _private_dir(backup_root())
    folder = _private_dir(Path(dest_dir) if dest_dir is not None else backup_dir(db))
    at = (now or datetime.now(UTC)).astimezone(UTC)
    with _lock:
        n = 0
        while (folder / _name(db.stem, at, reason, n)).exists():
            n += 1
        final = folder / _name(db.stem, at, reason, n)
        tmp = folder / f".{final.name}.{os.getpid()}.tmp"
        copy_database(db, tmp)
        os.replace(tmp, final)
        _fsync_dir(folder)
    info = BackupInfo(final, at, reason, final.stat().st_size)
    rotate(folder, keep_periodic=keep_periodic, keep_marked=keep_marked)
    return info


def backup_core(core: object, reason: str = "manual") -> BackupInfo | None:
    """A backup of the database a Core has open (None when it is not an SQLite file: a
    PostgreSQL server is backed up by its own tools)."""
    path = sqlite_path(core)
    if path is None:
        return None
    clock = getattr(core, "clock", None)
    return make_backup(path, reason=reason, now=clock.now() if clock is not None else None)


# --- listing and rotation -------------------------------------------------------------------


def _parse(path: Path) -> BackupInfo | None:
    m = _NAME.match(path.name)
    if m is None or m["reason"] not in REASONS:
        return None
    try:
        at = datetime.strptime(m["at"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        size = path.stat().st_size
    except (ValueError, OSError):
        return None
    return BackupInfo(path, at, m["reason"], size)


def list_backups(db_path: str | os.PathLike[str] | None = None, *,
                 folder: str | os.PathLike[str] | None = None) -> list[BackupInfo]:
    """The backups of a database (or in a folder), newest first."""
    where = Path(folder) if folder is not None else backup_dir(Path(db_path or ""))
    if not where.is_dir():
        return []
    found = [info for p in where.iterdir() if p.is_file() and (info := _parse(p)) is not None]
    return sorted(found, key=lambda b: (b.taken_at, b.name), reverse=True)


def rotate(folder: str | os.PathLike[str], *, keep_periodic: int = KEEP_PERIODIC,
           keep_marked: int = KEEP_MARKED) -> list[Path]:
    """Delete the older backups beyond the limits; returns what was deleted."""
    removed: list[Path] = []
    periodic = marked = 0
    for info in list_backups(folder=folder):
        if info.reason == "periodic":
            periodic += 1
            keep = periodic <= keep_periodic
        else:
            marked += 1
            keep = marked <= keep_marked
        if not keep:
            with contextlib.suppress(OSError):
                info.path.unlink()
                removed.append(info.path)
    return removed


# --- restoring ------------------------------------------------------------------------------


def restore(backup: str | os.PathLike[str], db_path: str | os.PathLike[str], *,
            check: Callable[[Path], str | None], now: datetime | None = None) -> RestoreResult:
    """Put a backup in place of the database.

    ``check(backup)`` must pass first: it returns None for a sound backup, else why not (the
    console passes ``core.verify.backup_problem``: integrity, keys and the journal replay; the
    store does not reach up into the core itself). The database being replaced is backed up
    first ("before-restore"). Every console must have closed the database (this process too:
    dispose the Core's engine first), or the restore is refused and nothing changes.
    """
    src, db = Path(backup), Path(db_path)
    problem = check(src)
    if problem:
        raise StoreError(f"{src.name}: not restored: the backup is not sound ({problem})")
    if db.is_dir():
        raise StoreError(f"{db}: is a directory, not a database file")
    _private_dir(db.parent)
    tmp = db.parent / f".{db.name}.restore-{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    copy_database(src, tmp)
    guard: sqlite3.Connection | None = None
    kept: BackupInfo | None = None
    try:
        if db.exists():
            kept = make_backup(db, reason="before-restore", now=now)
            guard = _exclusive(db)
        os.replace(tmp, db)
        _fsync_dir(db.parent)
    finally:
        if guard is not None:
            guard.close()  # its lock was on the replaced file
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return RestoreResult(src, db, kept)


def _exclusive(db: Path) -> sqlite3.Connection:
    """Make sure no connection has ``db`` open and keep it that way until the rename.

    Leaving WAL mode needs the database to ourselves (it fails at once otherwise) and folds
    the WAL into the file, so no stale ``-wal`` can be applied to the restored copy."""
    conn = sqlite3.connect(str(db), timeout=0, isolation_level=None)
    try:
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        if str(mode).lower() != "delete":
            raise sqlite3.OperationalError("database is locked")
        conn.execute("BEGIN EXCLUSIVE")
    except sqlite3.Error as exc:
        conn.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise StoreError(f"{db}: not restored: the database is open in a console; close "
                             "every console using it first") from None
        raise StoreError(f"{db}: not restored: {exc}") from None
    for stale in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
    return conn
