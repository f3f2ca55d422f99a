"""Row images: how an operation's changes are captured, stored in the journal and replayed.

An operation changes ORM objects inside one session. After each flush we read what SQLAlchemy
is about to forget (new, dirty and deleted objects with their attribute history) and fold it
into one net change per row: insert (after image), update (changed columns before/after) or
delete (before image). That list is the journal entry's ``changes``; undo applies its inverse,
redo applies it again, and ``verify`` replays every entry from an empty database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, event, insert, inspect, select, update
from sqlalchemy.orm import Session, attributes

from meeting_console.errors import OperationRefused
from meeting_console.i18n import _
from meeting_console.store.models import Base, Date, UtcDateTime

TABLES: dict[str, Table] = {t.name: t for t in Base.metadata.sorted_tables}
TABLE_ORDER: dict[str, int] = {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}


@dataclass
class RowChange:
    table: str
    id: int
    op: str  # "i" insert, "u" update, "d" delete
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"t": self.table, "id": self.id, "op": self.op}
        if self.before:
            out["b"] = {k: _enc(v) for k, v in self.before.items()}
        if self.after:
            out["a"] = {k: _enc(v) for k, v in self.after.items()}
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RowChange:
        table = TABLES[d["t"]]
        return cls(
            table=d["t"],
            id=d["id"],
            op=d["op"],
            before={k: _dec(table, k, v) for k, v in d.get("b", {}).items()},
            after={k: _dec(table, k, v) for k, v in d.get("a", {}).items()},
        )

    def inverse(self) -> RowChange:
        op = {"i": "d", "d": "i", "u": "u"}[self.op]
        return RowChange(self.table, self.id, op, before=dict(self.after), after=dict(self.before))


def _enc(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return v


def _dec(table: Table, column: str, v: Any) -> Any:
    if v is None:
        return None
    col_type = table.c[column].type
    if isinstance(col_type, UtcDateTime):
        return datetime.fromisoformat(v)
    if isinstance(col_type, Date):
        return date.fromisoformat(v)
    return v


def _row_of(obj: Any) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {c.key: getattr(obj, c.key) for c in mapper.column_attrs}


def _stored_row_of(obj: Any) -> dict[str, Any]:
    """The row as the database holds it: for a column changed in this session and not yet
    flushed, the value loaded before the change (a row edited then deleted in one flush)."""
    mapper = inspect(obj).mapper
    out = {}
    for c in mapper.column_attrs:
        hist = attributes.get_history(obj, c.key)
        out[c.key] = hist.deleted[0] if hist.deleted else getattr(obj, c.key)
    return out


class ChangeCapture:
    """Collects the net row changes of one session (one operation)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[tuple[str, int], RowChange] = {}
        event.listen(session, "after_flush", self._after_flush)

    def close(self) -> None:
        event.remove(self.session, "after_flush", self._after_flush)

    def _after_flush(self, session: Session, _ctx: Any) -> None:
        # In after_flush the new/dirty/deleted sets and attribute history still show the
        # pre-flush state, while new objects already carry their primary keys.
        for obj in session.new:
            table = inspect(obj).mapper.local_table.name
            self._add(RowChange(table, obj.id, "i", after=_row_of(obj)))
        for obj in session.dirty:
            state = inspect(obj)
            mapper = state.mapper
            # only an attribute set since the row was loaded has a previous value kept
            # (``committed_state``): the others have no history, none is looked up for them
            # (a live operation sets a few of a row's twenty columns)
            touched = state.committed_state
            if not touched:
                continue
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            for attr in mapper.column_attrs:
                if attr.key not in touched:
                    continue
                hist = attributes.get_history(obj, attr.key)
                if not hist.has_changes():
                    continue
                old = hist.deleted[0] if hist.deleted else None
                new = hist.added[0] if hist.added else None
                if old != new:
                    before[attr.key] = old
                    after[attr.key] = new
            if after:
                self._add(RowChange(mapper.local_table.name, obj.id, "u", before, after))
        for obj in session.deleted:
            table = inspect(obj).mapper.local_table.name
            self._add(RowChange(table, obj.id, "d", before=_stored_row_of(obj)))

    def pending(self) -> None:
        """Capture what the session would flush now, without flushing it: rows updated or
        deleted (not new rows, whose ids and defaults come from the flush). The history read
        here is the one ``after_flush`` sees, so the images are the same."""
        if self.session.new:
            raise ValueError("new rows are captured from their flush")
        self._after_flush(self.session, None)

    def _add(self, ch: RowChange) -> None:
        key = (ch.table, ch.id)
        prev = self._rows.get(key)
        if prev is None:
            self._rows[key] = ch
            return
        if prev.op == "i":
            if ch.op == "u":
                prev.after.update(ch.after)
            elif ch.op == "d":
                del self._rows[key]
        elif prev.op == "u":
            if ch.op == "u":
                for k, v in ch.after.items():
                    if k not in prev.before:
                        prev.before[k] = ch.before[k]
                    prev.after[k] = v
                for k in [k for k in prev.after if prev.after[k] == prev.before.get(k)]:
                    del prev.after[k]
                    del prev.before[k]
                if not prev.after:
                    del self._rows[key]
            elif ch.op == "d":
                full = dict(ch.before)
                full.update(prev.before)
                self._rows[key] = RowChange(ch.table, ch.id, "d", before=full)
        elif prev.op == "d" and ch.op == "i":
            # deleted then re-inserted with the same id: an update of what differs
            before, after = prev.before, ch.after
            diff = {k for k in after if before.get(k) != after[k]}
            if diff:
                self._rows[key] = RowChange(
                    ch.table, ch.id, "u", {k: before.get(k) for k in diff}, {k: after[k] for k in diff}
                )
            else:
                del self._rows[key]

    def changes(self) -> list[RowChange]:
        return list(self._rows.values())


def ordered(changes: list[RowChange]) -> list[RowChange]:
    """The order that keeps foreign keys satisfied: inserts parent-first, then updates,
    then deletes child-first."""
    ins = sorted((c for c in changes if c.op == "i"), key=lambda c: (TABLE_ORDER[c.table], c.id))
    upd = [c for c in changes if c.op == "u"]
    dels = sorted((c for c in changes if c.op == "d"), key=lambda c: (-TABLE_ORDER[c.table], -c.id))
    return ins + upd + dels


def check_applicable(session: Session, changes: list[RowChange]) -> None:
    """Refuse to apply changes whose starting state is not what the database holds now
    (another seat changed the same rows since)."""
    for ch in changes:
        table = TABLES[ch.table]
        row = session.execute(select(table).where(table.c.id == ch.id)).mappings().first()
        if ch.op == "i":
            if row is not None:
                raise OperationRefused(_("{table} #{id} exists again; cannot restore it").format(table=ch.table, id=ch.id))
            continue
        if row is None:
            raise OperationRefused(_("{table} #{id} no longer exists; it changed since").format(table=ch.table, id=ch.id))
        for k, v in ch.before.items():
            if row[k] != v:
                raise OperationRefused(
                    _("{table} #{id} field {k} was changed since; undo it step by step").format(table=ch.table, id=ch.id, k=k)
                )


def apply(session: Session, changes: list[RowChange]) -> None:
    """Apply row changes with SQL statements (used by undo, redo and replay)."""
    for ch in ordered(changes):
        table = TABLES[ch.table]
        if ch.op == "i":
            session.execute(insert(table).values(**ch.after))
        elif ch.op == "u":
            session.execute(update(table).where(table.c.id == ch.id).values(**ch.after))
        else:
            session.execute(delete(table).where(table.c.id == ch.id))


_UPDATES: dict[tuple[str, tuple[str, ...]], Any] = {}
_JOURNAL_INSERT: list[Any] = []


def write_updates(session: Session, changes: list[RowChange], entry: Any) -> None:
    """Write an operation's updated rows and its journal entry with plain statements, built
    once per table and set of columns: what the session's flush would write (the changed
    columns of each row, then the entry), without its unit of work. Each UPDATE must find its
    row (the writers' lock is held: it was read in this transaction). Sets ``entry.id``."""
    conn = session.connection()
    for ch in changes:
        if ch.op != "u":
            raise ValueError("only updates are written here")
        key = (ch.table, tuple(ch.after))
        stmt = _UPDATES.get(key)
        if stmt is None:
            table = TABLES[ch.table]
            stmt = _UPDATES[key] = (update(table).where(table.c.id == bindparam("_row_id"))
                                    .values({k: bindparam(k) for k in ch.after}))
        if conn.execute(stmt, {**ch.after, "_row_id": ch.id}).rowcount != 1:
            raise OperationRefused(_("{table} #{id} no longer exists; it changed since").format(table=ch.table, id=ch.id))
    if not _JOURNAL_INSERT:
        _JOURNAL_INSERT.append(insert(TABLES["journal"]))
    values = {c: getattr(entry, c) for c in JOURNAL_VALUES}
    values["undone"] = False if values["undone"] is None else values["undone"]
    entry.id = conn.execute(_JOURNAL_INSERT[0], values).inserted_primary_key[0]


JOURNAL_VALUES = tuple(c.key for c in TABLES["journal"].columns if c.key != "id")


class NeedsFlush(Exception):
    """An operation of a group flushed (a query with changes pending, ``Tx.add``): the group
    is run again with a flush after each operation (``ChangeCapture``)."""


class GroupCapture:
    """The row changes of each operation of a group, without a flush between them.

    ``ChangeCapture`` reads the changes from each flush; a group of operations that each
    flushed would pay a round trip per changed row and operation. Here each operation's net
    change is the difference between the column values it left and those the operations before
    it left (or the stored ones); the group is flushed once at the end (one INSERT for all
    the status events of a clerk's group, one UPDATE of the endpoint), then the new rows' ids
    are filled in. An operation that makes the session flush raises ``NeedsFlush``."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.flushed = False
        # id(obj) -> (obj, its instance dict as the last operation left it, its image then or
        # None when it does not exist then); holding obj also keeps it in the identity map
        self._left: dict[int, tuple[Any, dict[str, Any], dict[str, Any] | None]] = {}
        self._pending: list[tuple[RowChange, Any]] = []  # inserts whose id the flush gives
        event.listen(session, "before_flush", self._before_flush)

    def _before_flush(self, *_args: Any) -> None:
        self.flushed = True

    def close(self) -> None:
        event.remove(self.session, "before_flush", self._before_flush)

    def operation_done(self) -> list[RowChange]:
        """The changes of the operation that just ran (ids of new rows: after ``resolve``)."""
        if self.flushed:
            raise NeedsFlush
        s = self.session
        deleted = s.deleted
        left = self._left
        out: list[RowChange] = []
        for obj in [*s.new, *s.dirty, *deleted]:
            key = id(obj)
            prev = left.get(key)
            gone = obj in deleted
            if prev is not None:
                # what the operations before this one changed is pending too: skip it cheaply
                if gone:
                    if prev[2] is None:
                        continue
                elif prev[2] is not None and obj.__dict__ == prev[1]:
                    continue
                before = prev[2]
            st = attributes.instance_state(obj)
            if prev is None:
                before = None if st.key is None else _stored_row_of(obj)  # new, else as stored
            if not gone and st.key is None:
                _fill_defaults(obj)
            after = None if gone else _row_of(obj)
            left[key] = (obj, dict(obj.__dict__), after)
            table = st.mapper.local_table.name
            if before is None and after is not None:
                ch = RowChange(table, after["id"], "i", after=dict(after))
                if ch.id is None:
                    self._pending.append((ch, obj))
                out.append(ch)
            elif before is not None and after is None:
                out.append(RowChange(table, before["id"], "d", before=dict(before)))
            elif before is not None and after is not None:
                diff = [k for k in after if before.get(k) != after[k]]
                if diff:
                    ch = RowChange(table, after["id"], "u", {k: before.get(k) for k in diff},
                                   {k: after[k] for k in diff})
                    if ch.id is None:
                        self._pending.append((ch, obj))
                    out.append(ch)
        return out

    def check(self) -> None:
        """Before the group's flush: a new row taken out of the session again (expunged) by a
        later operation would be journaled as inserted and never stored."""
        s = self.session
        for obj, _raw, image in self._left.values():
            if image is not None and attributes.instance_state(obj).key is None and obj not in s:
                raise NeedsFlush

    def resolve(self) -> None:
        """After the group's flush: the ids the new rows were given."""
        for ch, obj in self._pending:
            ch.id = obj.id
            if ch.op == "i":
                ch.after["id"] = obj.id


def _fill_defaults(obj: Any) -> None:
    """Set the column defaults a flush would (so the insert image is complete before it)."""
    mapper = inspect(obj).mapper
    for attr in mapper.column_attrs:
        col = attr.columns[0]
        # as a flush does: an attribute not set (or None) takes the column's default
        if obj.__dict__.get(attr.key) is not None or col.default is None:
            continue
        default = col.default
        if getattr(default, "is_scalar", False):
            setattr(obj, attr.key, default.arg)
        elif getattr(default, "is_callable", False):
            setattr(obj, attr.key, default.arg(None))
