"""Is the database sound? SQLite's own checks, and a replay of the journal.

Three checks, all read-only:

1. ``PRAGMA integrity_check`` (or ``quick_check``): the file's b-trees and indexes;
2. ``PRAGMA foreign_key_check``: no row points at a row that is gone;
3. the **replay**: every journal entry's row images (operations, undos and redos alike) are
   applied in id order with ``core.journal.apply`` to an empty in-memory database; the result
   must equal the current content of every table, row by row and column by column. Along the
   way each entry's starting state is compared with what the entries before it left, so a
   change made behind the journal's back is pinned to the first entry that contradicts it.

The reads run in one read transaction, so a console writing at the same time does not make the
check see half of its operation (WAL: readers never block writers). Progress is reported and
the check can be cancelled; it never writes to the database it checks.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from meeting_console.core import journal as jr
from meeting_console.i18n import _, ngettext
from meeting_console.store import engine as store_engine
from meeting_console.store.engine import SQLITE_MAGIC
from meeting_console.store.models import Base

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stages: "integrity", "foreign keys", "journal", "tables"."""

JOURNAL = "journal"
# the tables whose content the journal must account for
STATE_TABLES: tuple[Table, ...] = tuple(t for t in Base.metadata.sorted_tables if t.name != JOURNAL)
MAX_LINES = 50  # per kind of problem; the rest are counted
BATCH = 200  # journal entries between progress reports and cancel checks


class Cancelled(Exception):
    pass


@dataclass(frozen=True)
class VerifyReport:
    """What ``verify`` found. ``sound`` when every check ran and found nothing."""

    location: str
    integrity: tuple[str, ...] = ()
    foreign_keys: tuple[str, ...] = ()
    journal: tuple[str, ...] = ()  # entries that contradict the state before them
    differences: tuple[str, ...] = ()  # tables against the replay
    more: int = 0  # problems found beyond those listed
    entries: int = 0  # journal entries replayed
    rows: int = 0  # rows compared
    tables: int = 0
    seconds: float = 0.0
    quick: bool = False
    cancelled: bool = False
    error: str = ""  # the check could not run at all (not a database, unreadable …)

    @property
    def problems(self) -> tuple[str, ...]:
        return self.integrity + self.foreign_keys + self.journal + self.differences

    @property
    def sound(self) -> bool:
        return not (self.problems or self.more or self.error or self.cancelled)

    def summary(self) -> str:
        if self.error:
            return _("{where}: cannot be checked: {error}").format(where=self.location, error=self.error)
        if self.cancelled:
            return _("{where}: check cancelled").format(where=self.location)
        n = len(self.problems) + self.more
        if n:
            return ngettext("{where}: NOT SOUND: {n} problem", "{where}: NOT SOUND: {n} problems",
                            n).format(where=self.location, n=n)
        return (_("{where}: sound (quick integrity check, foreign keys, {entries} journal entries "
                  "replayed onto {rows} rows in {tables} tables, {seconds:.1f} s)") if self.quick else
                _("{where}: sound (integrity check, foreign keys, {entries} journal entries "
                  "replayed onto {rows} rows in {tables} tables, {seconds:.1f} s)")).format(
            where=self.location, entries=self.entries, rows=self.rows, tables=self.tables,
            seconds=self.seconds)

    def lines(self) -> list[str]:
        """The summary, then every problem listed, one per line (what the CLI prints)."""
        out = [self.summary()]
        for title, items in ((_("integrity"), self.integrity), (_("foreign keys"), self.foreign_keys),
                             (_("journal"), self.journal), (_("replay"), self.differences)):
            out.extend(f"  {title}: {line}" for line in items)
        if self.more:
            out.append("  " + _("… and {n} more").format(n=self.more))
        return out


@dataclass
class _Findings:
    integrity: list[str] = field(default_factory=list)
    foreign_keys: list[str] = field(default_factory=list)
    journal: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    more: int = 0
    entries: int = 0
    rows: int = 0
    tables: int = 0

    def add(self, kind: str, line: str) -> None:
        target: list[str] = getattr(self, kind)
        if len(target) < MAX_LINES:
            target.append(line)
        else:
            self.more += 1


# --- entry points -------------------------------------------------------------------------


def verify(core: Any, *, quick: bool = False, progress: Progress | None = None,
           cancel: threading.Event | None = None) -> VerifyReport:
    """Check the database a ``Core`` has open (from any thread: the check opens its own
    read connection and leaves the core's pool alone)."""
    engine: Engine = core.db.engine
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        return verify_path(engine.url.database, quick=quick, progress=progress, cancel=cancel)
    # PostgreSQL: one repeatable-read snapshot; the server enforces keys and has no
    # integrity pragma, so the replay is the check.
    snap = engine.execution_options(isolation_level="REPEATABLE READ")
    with snap.connect() as conn:
        return _verify_connection(conn, core.db.location, quick=quick, progress=progress,
                                  cancel=cancel, sqlite=engine.dialect.name == "sqlite")


def verify_path(path: str | Path, *, quick: bool = False, progress: Progress | None = None,
                cancel: threading.Event | None = None) -> VerifyReport:
    """Check an SQLite database file (the console's, or a backup) without opening it as a
    console would: no migration, no write."""
    p = Path(path)
    location = str(p)
    try:
        if not p.exists():
            return VerifyReport(location, error="no such file")
        if p.is_dir():
            return VerifyReport(location, error="is a directory, not a database file")
        with p.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
        if not head:
            return VerifyReport(location, error="is empty (0 bytes), not a database")
        if head != SQLITE_MAGIC:
            return VerifyReport(location, error="is not an SQLite database file")
    except OSError as exc:
        return VerifyReport(location, error=f"cannot be read ({exc.strerror or exc})")
    try:
        with _sqlite_reader(p) as conn:
            return _verify_connection(conn, location, quick=quick, progress=progress,
                                      cancel=cancel, sqlite=True)
    except SQLAlchemyError as exc:
        return VerifyReport(location, error=_first_line(exc))


def backup_problem(path: str | Path) -> str | None:
    """None when the backup file is sound, else the first reason it is not (the check
    ``store.backup.restore`` asks for)."""
    report = verify_path(path)
    if report.sound:
        return None
    return report.error or (report.problems[0] if report.problems else report.summary())


# Two engines for the life of the process, so that the statements a check runs are compiled
# once, not on every check (SQLAlchemy caches compiled SQL per engine): one reads the file
# being checked (named per call through a context variable, so threads never mix), one builds
# each replay in a new private in-memory database.
_READ_PATH: ContextVar[str] = ContextVar("verify_read_path")


def _reader_connect() -> sqlite3.Connection:
    conn = sqlite3.connect(_READ_PATH.get(), timeout=store_engine.BUSY_TIMEOUT_MS / 1000,
                           isolation_level=None,
                           check_same_thread=False)
    conn.execute("PRAGMA query_only=ON")
    return conn


@functools.cache
def _schema_sql() -> str:
    """The state tables' DDL, compiled once (creating them through SQLAlchemy on every check
    would cost more than a small replay)."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    dialect = sqlite.dialect()
    parts = []
    for t in STATE_TABLES:
        parts.append(f"{str(CreateTable(t).compile(dialect=dialect)).strip()};")
        parts.extend(f"{CreateIndex(ix).compile(dialect=dialect)};" for ix in t.indexes)
    return "\n".join(parts)


def _replay_connect() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.executescript(_schema_sql())
    return conn


_READER = create_engine("sqlite://", creator=_reader_connect, poolclass=NullPool)
# Our BEGIN is the only transaction control (pysqlite's own is off): one read snapshot.
event.listen(_READER, "begin", lambda c: c.exec_driver_sql("BEGIN"))
_REPLAY = create_engine("sqlite://", creator=_replay_connect, poolclass=NullPool)
event.listen(_REPLAY, "begin", lambda c: c.exec_driver_sql("BEGIN"))


@contextmanager
def _sqlite_reader(path: Path) -> Iterator[Connection]:
    """One connection that only reads, inside one explicit read transaction."""
    token = _READ_PATH.set(str(path))
    try:
        conn = _READER.connect()
        try:
            trans = conn.begin()
            try:
                yield conn
            finally:
                # ending the read of a damaged file can fail too; the findings stand
                with contextlib.suppress(SQLAlchemyError):
                    trans.rollback()
        finally:
            with contextlib.suppress(SQLAlchemyError):
                conn.close()
    finally:
        _READ_PATH.reset(token)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).splitlines()[0] if str(orig) else type(orig).__name__


# --- the checks ---------------------------------------------------------------------------


def _verify_connection(conn: Connection, location: str, *, quick: bool, progress: Progress | None,
                       cancel: threading.Event | None, sqlite: bool) -> VerifyReport:
    started = time.perf_counter()
    found = _Findings()

    def report(**extra: Any) -> VerifyReport:
        return VerifyReport(
            location, integrity=tuple(found.integrity), foreign_keys=tuple(found.foreign_keys),
            journal=tuple(found.journal), differences=tuple(found.differences), more=found.more,
            entries=found.entries, rows=found.rows, tables=found.tables,
            seconds=time.perf_counter() - started, quick=quick, **extra,
        )

    try:
        if sqlite:
            _note(progress, "integrity", 0, 1)
            for line in integrity_check(conn, quick=quick):
                found.add("integrity", line)
            _note(progress, "foreign keys", 0, 1)
            for line in foreign_key_check(conn):
                found.add("foreign_keys", line)
        schema_error = _schema_problem(conn)
        if schema_error:
            return report(error=schema_error)
        _replay_and_compare(conn, found, progress, cancel)
    except Cancelled:
        return report(cancelled=True)
    except SQLAlchemyError as exc:
        msg = _first_line(exc)
        if "malformed" in msg or "not a database" in msg or "corrupt" in msg:
            found.add("integrity", msg)
            return report()
        return report(error=msg)
    return report()


def _note(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled


def integrity_check(conn: Connection, *, quick: bool = False) -> list[str]:
    """SQLite's own check of the file; the lines it reports other than "ok"."""
    pragma = "quick_check" if quick else "integrity_check"
    lines = [str(r[0]) for r in conn.exec_driver_sql(f"PRAGMA {pragma}")]
    return [line for line in lines if line != "ok"]


def foreign_key_check(conn: Connection) -> list[str]:
    """Rows that point at a row that does not exist, as "table #id: column → parent"."""
    out: list[str] = []
    columns: dict[tuple[str, int], str] = {}
    for table, rowid, parent, fkid in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
        if (table, fkid) not in columns:
            for fk in conn.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")'):
                columns[(table, fk[0])] = fk[3]
        col = columns.get((table, fkid), "?")
        out.append(f"{table} #{rowid}: {col} points to a {parent} row that does not exist")
    return out


def _schema_problem(conn: Connection) -> str:
    names = {r[0] for r in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type='table'" if conn.dialect.name == "sqlite"
        else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
    if "alembic_version" not in names or JOURNAL not in names:
        return "is not a Meeting Console database (no journal)"
    version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if version not in _known_revisions():
        return f"was written by a newer version of Meeting Console (schema {version})"
    missing = [t.name for t in STATE_TABLES if t.name not in names]
    if missing:
        return f"lacks the tables {', '.join(missing)}"
    return ""


@functools.cache
def _known_revisions() -> frozenset[str]:
    from meeting_console.store import engine

    return frozenset(engine._known_revisions())  # reading the migrations costs ~0.5 s: once


# --- the replay ---------------------------------------------------------------------------


def _show(value: Any) -> str:
    s = repr(value)
    return s if len(s) <= 60 else s[:57] + "…"


class _Mirror:
    """The state the journal describes, entry by entry, to catch the first entry whose
    starting state contradicts the entries before it."""

    def __init__(self, found: _Findings) -> None:
        self.rows: dict[tuple[str, int], dict[str, Any]] = {}
        self.last: dict[tuple[str, int], int] = {}  # which entry last touched a row
        self.found = found

    def check_and_apply(self, entry_id: int, changes: list[jr.RowChange]) -> None:
        for ch in changes:
            key = (ch.table, ch.id)
            row = self.rows.get(key)
            where = f"entry #{entry_id}"
            if ch.op == "i":
                if row is not None:
                    self.found.add("journal", f"{where} inserts {ch.table} #{ch.id}, which entry "
                                              f"#{self.last[key]} had already created")
                self.rows[key] = dict(ch.after)
            elif row is None:
                verb = "updates" if ch.op == "u" else "deletes"
                self.found.add("journal", f"{where} {verb} {ch.table} #{ch.id}, which no earlier "
                                          "entry created (or one deleted it)")
                if ch.op == "u":
                    self.rows[key] = dict(ch.after)
            else:
                for k, v in ch.before.items():
                    if k in row and row[k] != v:
                        self.found.add(
                            "journal", f"{where} starts from {ch.table} #{ch.id} {k}={_show(v)} "
                                       f"but entry #{self.last[key]} left {_show(row[k])}")
                if ch.op == "u":
                    row.update(ch.after)
                else:
                    del self.rows[key]
            self.last[key] = entry_id


def _replay_and_compare(conn: Connection, found: _Findings, progress: Progress | None,
                        cancel: threading.Event | None) -> None:
    journal = Base.metadata.tables[JOURNAL]
    total = conn.execute(select(journal.c.id).order_by(journal.c.id.desc()).limit(1)).scalar() or 0
    with _REPLAY.connect() as target, target.begin():
        mirror = _Mirror(found)
        flags: dict[int, bool] = {}  # op entry → undone, as the journal's flags say
        expected: dict[int, bool] = {}  # op entry → undone, as its undo/redo entries say
        kinds: dict[int, str] = {}
        rows = conn.execute(
            select(journal.c.id, journal.c.kind, journal.c.target_id, journal.c.undone,
                   journal.c.changes).order_by(journal.c.id)
        )
        for n, (entry_id, kind, target_id, undone, raw) in enumerate(rows, start=1):
            if n % BATCH == 0:
                _check_cancel(cancel)
                _note(progress, "journal", entry_id, total)
            kinds[entry_id] = kind
            if kind == "op":
                flags[entry_id] = bool(undone)
            elif kind in ("undo", "redo"):
                if kinds.get(target_id) != "op":
                    found.add("journal", f"entry #{entry_id} ({kind}) names entry "
                                         f"#{target_id}, which is not an earlier operation")
                else:
                    expected[target_id] = kind == "undo"
            else:
                found.add("journal", f"entry #{entry_id} has an unknown kind {kind!r}")
            try:
                changes = [jr.RowChange.from_json(d) for d in (raw or [])]
            except (KeyError, TypeError, ValueError) as exc:
                found.add("journal", f"entry #{entry_id} holds unreadable row images ({exc!r})")
                continue
            mirror.check_and_apply(entry_id, changes)
            try:
                apply(target, changes)
            except SQLAlchemyError as exc:
                found.add("journal", f"entry #{entry_id} cannot be replayed: {_first_line(exc)}")
            found.entries += 1
        for op_id, undone in flags.items():
            if undone != expected.get(op_id, False):
                state = "undone" if undone else "not undone"
                found.add("journal", f"entry #{op_id} is marked {state}, but its undo/redo "
                                     "entries say otherwise")
        _compare_tables(conn, target, found, mirror.last, progress, cancel)


def apply(conn: Connection, changes: list[jr.RowChange]) -> None:
    """``core.journal.apply`` with bound parameters: the same statements in the same order
    (``journal.ordered``), but compiled once per table instead of once per row, which makes
    the replay of a long journal three to four times faster (a test holds the two equal)."""
    for ch in jr.ordered(changes):
        table = jr.TABLES[ch.table]
        if ch.op == "i":
            conn.execute(_statement(table, "i"), ch.after)
        elif ch.op == "u":
            if ch.after:
                conn.execute(_statement(table, "u"), {"_row": ch.id, **ch.after})
        else:
            conn.execute(_statement(table, "d"), {"_row": ch.id})


@functools.cache
def _statement(table: Table, op: str) -> Any:
    if op == "i":
        return insert(table)
    if op == "u":
        return update(table).where(table.c.id == bindparam("_row"))
    return delete(table).where(table.c.id == bindparam("_row"))


def _compare_tables(current: Connection, replayed: Connection, found: _Findings,
                    last: dict[tuple[str, int], int], progress: Progress | None,
                    cancel: threading.Event | None) -> None:
    for i, table in enumerate(STATE_TABLES):
        _check_cancel(cancel)
        _note(progress, "tables", i, len(STATE_TABLES))
        found.tables += 1
        stmt = select(table).order_by(table.c.id)
        have = {r.id: dict(r._mapping) for r in current.execute(stmt)}
        want = {r.id: dict(r._mapping) for r in replayed.execute(stmt)}
        found.rows += len(have)
        name = table.name
        for rid in sorted(have.keys() - want.keys()):
            after = f" (entry #{last[(name, rid)]} deleted it)" if (name, rid) in last else ""
            found.add("differences", f"{name} #{rid} is in the database but the journal does not "
                                     f"account for it{after}")
        for rid in sorted(want.keys() - have.keys()):
            found.add("differences", f"{name} #{rid} is missing from the database (entry "
                                     f"#{last.get((name, rid), '?')} left it there)")
        for rid in sorted(have.keys() & want.keys()):
            a, b = have[rid], want[rid]
            if a == b:
                continue
            for col in a:
                if a[col] != b.get(col):
                    found.add("differences", f"{name} #{rid} {col} is {_show(a[col])} in the "
                                             f"database, {_show(b.get(col))} by the journal "
                                             f"(last entry #{last.get((name, rid), '?')})")
    _note(progress, "tables", len(STATE_TABLES), len(STATE_TABLES))
