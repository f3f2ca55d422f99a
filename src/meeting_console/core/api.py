"""The core's entry point: open a database, run operations, undo and redo, follow changes.

    from meeting_console.core.api import Core
    from meeting_console.core import agenda
    core = Core.open("meetings.db", seat="thư ký")
    changes = agenda.start_item(core, item_id)
    core.undo(meeting_id)

Every mutation runs as one transaction that changes the tables and appends one journal entry;
it returns a ``Changes`` value. Reads return frozen dataclasses (see ``core.reads``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import and_, event, func, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from meeting_console.core import journal as jr
from meeting_console.core.changes import Changes, areas_of
from meeting_console.core.clock import Clock, SystemClock
from meeting_console.errors import ConnectionLost, NotFound, OperationRefused, StoreError, UserError
from meeting_console.i18n import N_, _
from meeting_console.store.engine import Database, open_database
from meeting_console.store.models import Base, JournalEntry

P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound=Base)

OPERATIONS: dict[str, Callable[..., Changes]] = {}

ROLES = ("secretariat", "clerk", "viewer")
# What each role may change, by table. The check runs on the rows an operation actually
# changed, so it holds for every operation, present and future.
CLERK_TABLES = frozenset({"meeting_endpoint", "endpoint_status_event", "endpoint", "person"})
NOTIFY_CHANNEL = "meeting_console"
# One advisory lock serialises writers on PostgreSQL as SQLite's write lock does: journal ids
# then commit in order (no change is missed by a console following the high-water mark) and
# every operation reads the state the previous one left.
PG_WRITE_LOCK = 0x4D43  # "MC"


@dataclass(frozen=True)
class UndoStatus:
    undo_label: str | None
    redo_label: str | None

    @property
    def can_undo(self) -> bool:
        return self.undo_label is not None

    @property
    def can_redo(self) -> bool:
        return self.redo_label is not None


# what ``Tx.get`` calls an object it cannot find (the English names callers pass, and the
# table names), in the console's language
OBJECT_NAMES = {
    "meeting": N_("meeting"), "organisation": N_("organisation"), "person": N_("person"),
    "endpoint": N_("endpoint"), "meeting endpoint": N_("meeting endpoint"),
    "endpoint status event": N_("endpoint status event"), "agenda item": N_("agenda item"),
    "speaker request": N_("speaker request"), "award type": N_("award type"),
    "award": N_("award"), "award grant": N_("award"), "journal": N_("journal entry"),
}


class Tx:
    """What an operation body works with: the session, the operation's time, and where to
    say which meeting it concerns and what label the journal shows."""

    def __init__(self, core: Core, session: Session, now: datetime, label: str) -> None:
        self.core = core
        self.session = session
        self.now = now
        self.label = label
        self.meeting_id: int | None = None
        self.automatic = False

    def get(self, model: type[M], id_: int | None, what: str | None = None) -> M:
        obj = self.session.get(model, id_) if id_ is not None else None
        if obj is None:
            what = what or model.__tablename__.replace("_", " ")
            what = _(OBJECT_NAMES[what]) if what in OBJECT_NAMES else what
            raise NotFound(_("unknown {value} id {id_}").format(value=what, id_=id_))
        return obj

    def add(self, obj: M) -> M:
        self.session.add(obj)
        self.session.flush()
        return obj

    def delete(self, obj: Base) -> None:
        self.session.delete(obj)
        self.session.flush()


def _json_safe(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except TypeError:
        if isinstance(value, dict):
            return {str(k): _json_safe(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [_json_safe(v) for v in value]
        return str(value)


def _meeting_of(changes: list[jr.RowChange]) -> int | None:
    for ch in changes:
        if ch.table == "meeting":
            return ch.id
        img = ch.after or ch.before
        if img.get("meeting_id") is not None:
            return int(img["meeting_id"])
    return None


def _changes_value(
    changes: list[jr.RowChange], *, meeting_id: int | None, journal_id: int | None, label: str,
    result: Any = None,
) -> Changes:
    rows: dict[str, set[int]] = {}
    updates: dict[str, dict[int, dict[str, Any]] | None] = {}
    for ch in changes:
        rows.setdefault(ch.table, set()).add(ch.id)
        if ch.op != "u":
            updates[ch.table] = None
        elif (table := updates.setdefault(ch.table, {})) is not None:
            table[ch.id] = dict(ch.after)
    return Changes(
        areas=areas_of(set(rows)),
        meeting_id=meeting_id,
        journal_id=journal_id,
        label=label,
        result=result,
        rows={t: frozenset(ids) for t, ids in rows.items()},
        updates=updates,
    )


# What the drivers say when the server went away (psycopg / libpq, pysqlite on a lost share).
_DISCONNECT = ("server closed the connection", "terminating connection", "connection refused",
               "could not connect", "connection is closed", "connection already closed",
               "consuming input failed", "connection timeout expired", "no connection to the server",
               "the database system is shutting down", "the database system is starting up",
               "ssl connection has been closed",
               # SQLite: a new connection to a file whose folder is gone (a share unplugged)
               "unable to open database file")


def is_disconnect(exc: BaseException) -> bool:
    """Whether a database error means the connection (or the server) is gone."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    msg = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError | InterfaceError) and any(d in msg for d in _DISCONNECT)


def connection_lost(exc: BaseException) -> ConnectionLost:
    first = (str(getattr(exc, "orig", exc)).strip().splitlines() or [""])[0]
    return ConnectionLost(
        _("the connection to the database was lost; this action was not confirmed as stored "
          "(the console reconnects and shows what was stored) — {error}").format(error=first)
    )


def _store_error(exc: Exception) -> StoreError:
    if is_disconnect(exc):
        return connection_lost(exc)
    msg = str(getattr(exc, "orig", exc)).splitlines()[0]
    if "locked" in msg or "busy" in msg:
        return StoreError(f"the database is busy (locked by another console): {msg}")
    if "full" in msg:
        return StoreError(f"the disk is full; nothing was changed ({msg})")
    if "readonly" in msg or "read-only" in msg:
        return StoreError(f"the database is read-only; nothing was changed ({msg})")
    return StoreError(f"the database refused the change: {msg}")


@dataclass(frozen=True)
class Call:
    """One operation to run: what ``@operation`` knows of it, and its arguments."""

    name: str
    label: str
    body: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    undoable: bool = True


class _CallFailed(Exception):
    """The ``index``-th operation of a group raised ``error``; the transaction is rolled back."""

    def __init__(self, index: int, error: BaseException) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error


class Core:
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock | None = None,
        seat: str = "",
        role: str = "secretariat",
        endpoint_ids: frozenset[int] | None = None,
    ) -> None:
        if role not in ROLES:
            raise OperationRefused(_("role: {role} is not one of {fields}").format(role=repr(role), fields=', '.join(ROLES)))
        self.db = db
        self.clock: Clock = clock or SystemClock()
        self.seat = seat
        self.role = role
        # a clerk may be limited to some endpoints (meeting_endpoint ids)
        self.endpoint_ids = endpoint_ids
        # groups of status marks take core.status_group's lean path (False: the ORM's, to compare)
        self.lean_status = True
        # an operation that only updated rows writes them without the ORM's unit of work
        # (``journal.write_updates``; False: the ORM's flush, to compare)
        self.lean_writes = True

    @classmethod
    def open(
        cls,
        db: str | None = None,
        *,
        clock: Clock | None = None,
        seat: str = "",
        role: str = "secretariat",
        endpoint_ids: frozenset[int] | None = None,
        password: str | None = None,
    ) -> Core:
        return cls(open_database(db, password=password), clock=clock, seat=seat, role=role,
                   endpoint_ids=endpoint_ids)

    @property
    def is_postgres(self) -> bool:
        return self.db.engine.dialect.name == "postgresql"

    def may(self, area_tables: set[str] | frozenset[str]) -> bool:
        """Whether this console's role may change rows of these tables."""
        if self.role == "viewer":
            return False
        if self.role == "clerk":
            return set(area_tables) <= CLERK_TABLES
        return True

    def _check_role(self, label: str, changes: list[jr.RowChange]) -> None:
        tables = {c.table for c in changes}
        if not self.may(tables):
            raise OperationRefused(
                _("{label}: the {role} seat may not change {fields}").format(label=label, role=self.role, fields=', '.join(sorted(tables - CLERK_TABLES) or tables))
            )
        if self.role == "clerk" and self.endpoint_ids is not None:
            for c in changes:
                me = c.id if c.table == "meeting_endpoint" else (c.after or c.before).get("meeting_endpoint_id")
                if c.table in ("meeting_endpoint", "endpoint_status_event") and me not in self.endpoint_ids:
                    raise OperationRefused(_("{label}: endpoint {me} is not one of this clerk's endpoints").format(label=label, me=me))

    def _begin_write(self, session: Session) -> None:
        if self.role == "viewer":
            raise OperationRefused(_("this console is a viewer: it cannot change the meeting"))
        if self.is_postgres:
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_WRITE_LOCK})

    def _notify(self, session: Session, journal_id: int) -> None:
        if self.is_postgres:  # delivered at commit
            session.execute(text("SELECT pg_notify(:c, :p)"), {"c": NOTIFY_CHANNEL, "p": str(journal_id)})

    def close(self) -> None:
        self.db.dispose()

    # --- reads ----------------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A short read-only session; what leaves it must be plain values."""
        try:
            with self.db.read_sessions() as session:
                try:
                    yield session
                finally:
                    session.rollback()
        except (OperationalError, InterfaceError) as exc:
            if is_disconnect(exc):
                raise connection_lost(exc) from None
            raise

    def high_water(self) -> int:
        """The newest journal id: a cheap way to learn that something changed."""
        with self.reading() as s:
            return int(s.execute(select(func.max(JournalEntry.id))).scalar() or 0)

    def changes_since(self, journal_id: int) -> tuple[int, list[Changes]]:
        """Changes journaled after ``journal_id`` (by this or any other console)."""
        with self.reading() as s:
            # the columns a follower needs, as plain rows: a console following twenty clerks
            # reads thousands of entries a second
            J = JournalEntry
            entries = s.execute(
                select(J.id, J.areas, J.meeting_id, J.label, J.changes)
                .where(J.id > journal_id).order_by(J.id)
            ).all()
            out: list[Changes] = []
            top = journal_id
            for e in entries:
                top = e.id
                rows: dict[str, set[int]] = {}
                for ch in e.changes:
                    rows.setdefault(ch["t"], set()).add(ch["id"])
                out.append(
                    Changes(
                        areas=frozenset(a for a in e.areas.split(",") if a),
                        meeting_id=e.meeting_id,
                        journal_id=e.id,
                        label=e.label,
                        rows={t: frozenset(ids) for t, ids in rows.items()},
                    )
                )
            return top, out

    # --- operations -----------------------------------------------------------------------

    def run(
        self,
        name: str,
        label: str,
        body: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        undoable: bool = True,
    ) -> Changes:
        """Run one operation body in one transaction and journal it."""
        out = self._run_calls([Call(name, label, body, args, kwargs, undoable)])[0]
        if isinstance(out, BaseException):
            raise out
        return out

    def run_group(self, calls: Sequence[tuple[Callable[..., Changes], tuple[Any, ...], dict[str, Any]]]
                  ) -> list[Changes | BaseException]:
        """Run several operations (``(op, args, kwargs)``, ``op`` made by ``@operation``) in one
        transaction: group commit. Each is its own journal entry, checked against the state
        the ones before it left, as if run one by one; the write lock and the commit are paid
        once for the group. Returns, in order, each one's ``Changes`` or the exception that
        refused it; nothing is returned before the commit that holds them all returned (a
        failed commit fails them all: none is acknowledged).

        One refused in the middle does not take the others with it: the transaction is rolled
        back and the group runs again as the ones before it (one transaction), the refused one
        alone (so that its refusal is checked against stored state), the ones after it."""
        if self.lean_status:
            from meeting_console.core import status_group

            if status_group.applies(calls):  # a clerk's marks: without the ORM, same rows
                out = status_group.run(self, calls)
                if out is not None:
                    return out
        return self._run_calls([Call(op.op_name, op.op_label, op.op_body, tuple(args), dict(kwargs),  # type: ignore[attr-defined]
                                     op.op_undoable) for op, args, kwargs in calls])  # type: ignore[attr-defined]

    def dry_run(self, calls: Sequence[tuple[Callable[..., Changes], tuple[Any, ...], dict[str, Any]]]
                ) -> list[Changes | BaseException]:
        """Run operations (``(op, args, kwargs)``, in order, each seeing what the ones before it
        did) exactly as ``run`` would — their reads, their rows flushed, their journal entries
        flushed — in one transaction that is always rolled back: nothing is stored, no journal
        entry remains, nothing is announced (PostgreSQL's NOTIFY is not even asked). What it
        leaves is warm: SQLAlchemy's compiled statements are cached, so the first real
        operation of a kind does not pay for compiling them (the console warms its live
        operations this way at start-up, ``ui/settle.py``). Returns each one's ``Changes``
        (no journal id) or the exception that refused it; after a refusal the rest still run."""
        out: list[Changes | BaseException] = []
        if self.role == "viewer" or not calls:
            return out
        session = self.db.sessions()
        try:
            session.begin()
            self._begin_write(session)
            for op, args, kwargs in calls:
                call = Call(op.op_name, op.op_label, op.op_body, tuple(args), dict(kwargs),  # type: ignore[attr-defined]
                            op.op_undoable)  # type: ignore[attr-defined]
                try:
                    with session.begin_nested():  # a refusal undoes this one only
                        # staged as ``run`` stages a single operation (``_stage_one``: the
                        # lean write path where it applies), so that the statements warmed
                        # are those the key press will run
                        value, _entry = self._stage_one(session, call)
                    out.append(value)
                except (OperationalError, InterfaceError):
                    raise
                except _CallFailed as failed:  # refused: the next ones still run
                    out.append(failed.error)
                except Exception as exc:
                    out.append(exc)
        finally:
            session.rollback()
            session.close()
        return out

    def _run_calls(self, calls: list[Call], *, deferred: bool = True) -> list[Changes | BaseException]:
        if not calls:
            return []
        try:
            return self._group_tx(calls, deferred=deferred and len(calls) > 1)
        except jr.NeedsFlush:
            return self._run_calls(calls, deferred=False)
        except _CallFailed as failed:
            k = failed.index
            if len(calls) == 1:
                exc = failed.error
                if isinstance(exc, IntegrityError):
                    exc = OperationRefused(f"{calls[0].label}: {str(exc.orig).splitlines()[0]}")
                return [exc]
            return (self._run_calls(calls[:k], deferred=deferred) + self._run_calls([calls[k]])
                    + self._run_calls(calls[k + 1:], deferred=deferred))
        except (OperationalError, InterfaceError) as exc:
            err = _store_error(exc)
            return [err] * len(calls)

    def _group_tx(self, calls: list[Call], *, deferred: bool) -> list[Changes | BaseException]:
        """One transaction for ``calls``. ``deferred``: one flush for the group
        (``journal.GroupCapture``), else a flush after each operation (``ChangeCapture``)."""
        staged: list[tuple[Changes, JournalEntry | None]] = []
        try:
            with self.db.sessions.begin() as session:
                self._begin_write(session)
                # the session's identity map holds its objects weakly: kept here, what one
                # operation loaded (the endpoint a clerk marks again and again) is not read
                # again by the next one of the group
                keep: list[object] = []
                if len(calls) > 1:
                    event.listen(session, "loaded_as_persistent", lambda _s, obj: keep.append(obj))
                if deferred:
                    staged = self._stage_deferred(session, calls)
                elif len(calls) == 1:
                    # one operation: its rows and its journal entry flushed together
                    staged = [self._stage_one(session, calls[0])]
                    entry = staged[0][1]
                    if entry is not None:
                        self._notify(session, entry.id)
                        self.db.check_same_file()
                    calls = []
                else:
                    for i, call in enumerate(calls):
                        try:
                            staged.append(self._stage(session, call))
                        except (OperationalError, InterfaceError):
                            raise  # the connection or the server: the whole group fails
                        except Exception as exc:  # refused (or a bug): retried alone, see run_group
                            raise _CallFailed(i, exc) from None
                entries = [e for _v, e in staged if e is not None] if calls else []
                if entries:
                    # one INSERT … RETURNING for the group's entries, ids in the group's order
                    session.add_all(entries)
                    session.flush()
                    self._notify(session, entries[-1].id)
                    self.db.check_same_file()
        except UserError as exc:  # refused before any operation ran (a viewer)
            return [exc] * len(calls)
        except IntegrityError as exc:  # at the end (journal, commit): which one is not known
            raise _CallFailed(0, exc) from None
        # committed: only now is any of them acknowledged
        return [replace(v, journal_id=e.id) if e is not None else v for v, e in staged]

    def _stage(self, session: Session, call: Call) -> tuple[Changes, JournalEntry | None]:
        """One operation's body inside the group's transaction: its changes flushed and
        captured, its journal entry built (added by the caller)."""
        capture = jr.ChangeCapture(session)
        try:
            # the journal keeps the label in the language of the console that acted
            tx = Tx(self, session, self.clock.now(), _(call.label))
            result = call.body(tx, *call.args, **call.kwargs)
            session.flush()
        finally:
            capture.close()
        return self._journal_entry(call, tx, result, capture.changes())

    def _stage_one(self, session: Session, call: Call) -> tuple[Changes, JournalEntry | None]:
        """A single operation, as ``_stage`` and its entry's insert, with one flush for both
        where it can: the rows it only updated or deleted are captured before the flush that
        writes them (their ids and history are known then), and the journal entry goes into
        that same flush (one unit of work instead of two). New rows (their ids come from the
        flush, their defaults at it) are flushed first, as ``_stage`` does; on PostgreSQL all
        of them are (an SQLite file is where a key press's CPU matters)."""
        capture = jr.ChangeCapture(session)
        try:
            try:
                tx = Tx(self, session, self.clock.now(), _(call.label))
                result = call.body(tx, *call.args, **call.kwargs)
                # only rows updated, none written yet: written here, without a unit of work
                lean = self.lean_writes and not session.new and not session.deleted \
                    and not capture.changes()
                if not lean and (session.new or self.is_postgres):
                    # (PostgreSQL: the rows first, so that one the database refuses does not
                    # take a journal id from the sequence with it: ids stay without gaps)
                    session.flush()
            finally:
                capture.close()
            dirty = list(session.dirty) if lean else []
            capture.pending()  # what is left unflushed: updated (and deleted) rows
            changes = capture.changes()
            value, entry = self._journal_entry(call, tx, result, changes)
            if lean:
                if entry is not None:
                    jr.write_updates(session, changes, entry)
                for obj in dirty:  # written: the session must not write them again
                    session.expunge(obj)
            else:
                if entry is not None:
                    session.add(entry)
                session.flush()  # the operation's rows and its entry
        except (OperationalError, InterfaceError):
            raise  # the connection or the server
        except Exception as exc:  # refused (or a bug; a row the database would not take)
            raise _CallFailed(0, exc) from None
        return value, entry

    def _stage_deferred(self, session: Session, calls: list[Call]) -> list[tuple[Changes, JournalEntry | None]]:
        capture = jr.GroupCapture(session)
        ran: list[tuple[Tx, Any, list[jr.RowChange]]] = []
        try:
            for i, call in enumerate(calls):
                try:
                    tx = Tx(self, session, self.clock.now(), _(call.label))
                    result = call.body(tx, *call.args, **call.kwargs)
                    ran.append((tx, result, capture.operation_done()))
                except (OperationalError, InterfaceError, jr.NeedsFlush):
                    raise
                except Exception as exc:  # refused (or a bug): retried alone, see run_group
                    if capture.flushed:
                        raise jr.NeedsFlush from None
                    raise _CallFailed(i, exc) from None
            capture.check()
        finally:
            capture.close()
        try:
            session.flush()
        except (OperationalError, InterfaceError):
            raise  # the connection or the server: the whole group fails
        except Exception:
            # one operation's row the database would not take (a constraint, a value): which
            # one is not known here; a flush after each operation tells, and fails that one only
            raise jr.NeedsFlush from None
        capture.resolve()
        staged = []
        for i, (call, (tx, result, changes)) in enumerate(zip(calls, ran, strict=True)):
            try:
                staged.append(self._journal_entry(call, tx, result, changes))
            except UserError as exc:  # the role check
                raise _CallFailed(i, exc) from None
        return staged

    def _journal_entry(self, call: Call, tx: Tx, result: Any, changes: list[jr.RowChange]
                       ) -> tuple[Changes, JournalEntry | None]:
        if not changes:
            return Changes(label=tx.label, result=result, meeting_id=tx.meeting_id), None
        self._check_role(tx.label, changes)
        meeting_id = tx.meeting_id if tx.meeting_id is not None else _meeting_of(changes)
        value = _changes_value(changes, meeting_id=meeting_id, journal_id=None, label=tx.label, result=result)
        # this entry is the seat's last operation once committed: what undo_status would read
        # then (an automatic entry leaves the seat's undo and redo as they were: not known here)
        value = replace(value, undo=None if tx.automatic else UndoStatus(tx.label if call.undoable else None, None))
        entry = JournalEntry(
            meeting_id=meeting_id,
            at=tx.now,
            seat=self.seat,
            op=call.name,
            label=tx.label,
            kind="op",
            undoable=call.undoable,
            automatic=tx.automatic,
            areas=",".join(sorted(value.areas)),
            args=_json_safe({"args": list(call.args), "kwargs": call.kwargs}),
            changes=[c.to_json() for c in changes],
        )
        return value, entry

    # --- undo and redo --------------------------------------------------------------------

    def _undo_target(self, s: Session, meeting_id: int | None) -> JournalEntry | None:
        entry = s.scalars(
            select(JournalEntry)
            .where(
                JournalEntry.meeting_id.is_(None)
                if meeting_id is None
                else JournalEntry.meeting_id == meeting_id,
                JournalEntry.kind == "op",
                JournalEntry.automatic.is_(False),
                JournalEntry.undone.is_(False),
                JournalEntry.seat == self.seat,  # a seat undoes its own operations only
            )
            .order_by(JournalEntry.id.desc())
            .limit(1)
        ).first()
        if entry is None or not entry.undoable:
            return None
        return entry

    def _redo_target(self, s: Session, meeting_id: int | None) -> JournalEntry | None:
        same_meeting = and_(
            JournalEntry.meeting_id.is_(None)
            if meeting_id is None
            else JournalEntry.meeting_id == meeting_id,
            JournalEntry.seat == self.seat,
        )
        last_op = s.execute(
            select(func.max(JournalEntry.id)).where(
                same_meeting, JournalEntry.kind == "op", JournalEntry.automatic.is_(False)
            )
        ).scalar() or 0
        undo_entries = s.scalars(
            select(JournalEntry)
            .where(same_meeting, JournalEntry.kind == "undo", JournalEntry.id > last_op)
            .order_by(JournalEntry.id.desc())
        )
        for u in undo_entries:
            target = s.get(JournalEntry, u.target_id)
            if target is not None and target.undone:
                return target
        return None

    def undo_status(self, meeting_id: int | None) -> UndoStatus:
        with self.reading() as s:
            u = self._undo_target(s, meeting_id)
            r = self._redo_target(s, meeting_id)
            return UndoStatus(u.label if u else None, r.label if r else None)

    def undo(self, meeting_id: int | None) -> Changes:
        return self._undo_redo(meeting_id, redo=False)

    def redo(self, meeting_id: int | None) -> Changes:
        return self._undo_redo(meeting_id, redo=True)

    def _undo_redo(self, meeting_id: int | None, *, redo: bool) -> Changes:
        word = "Redo" if redo else "Undo"
        try:
            with self.db.sessions.begin() as s:
                self._begin_write(s)
                target = self._redo_target(s, meeting_id) if redo else self._undo_target(s, meeting_id)
                if target is None:
                    raise OperationRefused(_("nothing to redo") if redo else _("nothing to undo"))
                forward = [jr.RowChange.from_json(d) for d in target.changes]
                changes = forward if redo else [c.inverse() for c in forward]
                self._check_role(f"{word}: {target.label}", changes)
                jr.check_applicable(s, changes)
                jr.apply(s, changes)
                s.execute(
                    update(JournalEntry)
                    .where(JournalEntry.id == target.id)
                    .values(undone=not redo)
                )
                label = (_("Redo: {label}") if redo else _("Undo: {label}")).format(label=target.label)
                value = _changes_value(changes, meeting_id=meeting_id, journal_id=None, label=label)
                entry = JournalEntry(
                    meeting_id=target.meeting_id,
                    at=self.clock.now(),
                    seat=self.seat,
                    op=target.op,
                    label=label,
                    kind="redo" if redo else "undo",
                    target_id=target.id,
                    undoable=False,
                    areas=",".join(sorted(value.areas)),
                    args={},
                    changes=[c.to_json() for c in changes],
                )
                s.add(entry)
                s.flush()
                jid = entry.id
                self._notify(s, jid)
                # the state after it, read in the same transaction (no second read by the UI)
                u, r = self._undo_target(s, meeting_id), self._redo_target(s, meeting_id)
                status = UndoStatus(u.label if u else None, r.label if r else None)
                self.db.check_same_file()
        except IntegrityError as exc:
            # a row that the undo would remove is still needed by a later change
            raise OperationRefused(
                (_("cannot redo {label}: later changes depend on it ({error})") if redo else
                 _("cannot undo {label}: later changes depend on it ({error})")).format(
                    label=repr(target.label), error=str(exc.orig).splitlines()[0])
            ) from None
        except (OperationalError, InterfaceError) as exc:
            raise _store_error(exc) from None
        return Changes(
            areas=value.areas, meeting_id=meeting_id, journal_id=jid, label=label, rows=value.rows,
            undo=status, updates=value.updates,
        )


def operation(
    label: str, *, undoable: bool = True
) -> Callable[[Callable[..., R]], Callable[..., Changes]]:
    """Make ``body(tx, …)`` a core operation callable as ``op(core, …) -> Changes``.

    The body's return value is ``Changes.result`` (e.g. the id of a new row)."""

    def deco(body: Callable[..., R]) -> Callable[..., Changes]:
        name = f"{body.__module__.rsplit('.', 1)[-1]}.{body.__name__}"

        @functools.wraps(body)
        def op(core: Core, *args: Any, **kwargs: Any) -> Changes:
            return core.run(name, label, body, args, kwargs, undoable=undoable)

        op.op_name = name  # type: ignore[attr-defined]
        # what Core.run_group needs to run it with others in one transaction
        op.op_label, op.op_body, op.op_undoable = label, body, undoable  # type: ignore[attr-defined]
        OPERATIONS[name] = op
        return op

    return deco
