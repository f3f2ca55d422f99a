"""Moving a meeting between databases (a local SQLite file ↔ the shared PostgreSQL) with its
journal, so that the record, the outage ledger and undo keep working where it lands.

Rows get new ids in the destination (its tables already hold other meetings). Ids are moved
by a fixed offset per table, the same for live rows and for rows that only the journal still
remembers (an item added then removed: undoing the removal re-inserts it under its mapped
id), and every id inside the journal's row images (primary keys and foreign keys) is mapped
the same way. Directory rows shared between meetings (endpoints, award types) are matched by
name (endpoint: or by code) when the destination knows them already.

The copy runs in one destination transaction and adds one journal entry saying where the
meeting came from; the source is not changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, func, select, text

from meeting_console.core.api import PG_WRITE_LOCK, Core
from meeting_console.core.changes import TABLE_AREAS
from meeting_console.core.journal import TABLES, RowChange
from meeting_console.errors import NotFound, OperationRefused
from meeting_console.i18n import _

# the meeting's own tables, parents first (insert order)
OWN = ("meeting", "organisation", "meeting_endpoint", "person", "endpoint_status_event",
       "agenda_item", "speaker_request", "award_grant")
SHARED = ("endpoint", "award_type")
# foreign keys: (table, column) -> referenced table
FKS: dict[tuple[str, str], str] = {
    (t.name, c.name): next(iter(c.foreign_keys)).column.table.name
    for t in TABLES.values() for c in t.columns if c.foreign_keys
}


def _rows(conn: Connection, table: str, where: Any) -> list[dict[str, Any]]:
    t = TABLES[table]
    return [dict(r._mapping) for r in conn.execute(select(t).where(where).order_by(t.c.id))]


def _read(src: Core, meeting_id: int) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    with src.db.engine.connect() as conn:
        t = TABLES
        rows: dict[str, list[dict[str, Any]]] = {"meeting": _rows(conn, "meeting", t["meeting"].c.id == meeting_id)}
        if not rows["meeting"]:
            raise NotFound(_("unknown meeting id {meeting_id}").format(meeting_id=meeting_id))
        for name in OWN[1:]:
            if name == "endpoint_status_event":
                me_ids = select(t["meeting_endpoint"].c.id).where(t["meeting_endpoint"].c.meeting_id == meeting_id)
                rows[name] = _rows(conn, name, t[name].c.meeting_endpoint_id.in_(me_ids))
            else:
                rows[name] = _rows(conn, name, t[name].c.meeting_id == meeting_id)
        ep_ids = {r["endpoint_id"] for r in rows["meeting_endpoint"]}
        rows["endpoint"] = _rows(conn, "endpoint", t["endpoint"].c.id.in_(ep_ids))
        at_ids = {r["award_type_id"] for r in rows["award_grant"]}
        rows["award_type"] = _rows(conn, "award_type", t["award_type"].c.id.in_(at_ids))
        journal = _rows(conn, "journal", t["journal"].c.meeting_id == meeting_id)
        conn.rollback()
    return rows, journal


def _ids_in_journal(journal: Iterable[dict[str, Any]]) -> dict[str, set[int]]:
    """Every id the journal's row images name, by table (primary and foreign keys)."""
    out: dict[str, set[int]] = {}
    for e in journal:
        for ch in e["changes"] or []:
            out.setdefault(ch["t"], set()).add(int(ch["id"]))
            for img in (ch.get("b") or {}, ch.get("a") or {}):
                for col, v in img.items():
                    ref = FKS.get((ch["t"], col))
                    if ref is not None and v is not None:
                        out.setdefault(ref, set()).add(int(v))
    return out


class _Mapper:
    def __init__(self) -> None:
        self.fixed: dict[str, dict[int, int]] = {}  # matched directory rows
        self.offset: dict[str, int] = {}

    def id(self, table: str, old: int | None) -> int | None:
        if old is None:
            return None
        fixed = self.fixed.get(table, {})
        if old in fixed:
            return fixed[old]
        return old + self.offset.get(table, 0)

    def row(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        out = dict(row)
        if "id" in out:
            out["id"] = self.id(table, out["id"])
        for col, v in row.items():
            ref = FKS.get((table, col))
            if ref is not None:
                out[col] = self.id(ref, v)
        return out

    def shared_row(self, ch: dict[str, Any]) -> bool:
        """An insert or delete of a directory row the destination had already: not replayed
        there (undoing the meeting's "new endpoint" must not delete another meeting's row)."""
        return ch["op"] in ("i", "d") and ch["id"] in self.fixed.get(ch["t"], {})

    def change(self, ch: dict[str, Any]) -> dict[str, Any]:
        out = dict(ch)
        out["id"] = self.id(ch["t"], ch["id"])
        for key in ("b", "a"):
            if key in ch:
                out[key] = self.row(ch["t"], ch[key])
        return out


def _next_free(conn: Connection, table: str, postgres: bool) -> int:
    top = conn.execute(select(func.coalesce(func.max(TABLES[table].c.id), 0))).scalar_one()
    if postgres:
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar()
        if seq:
            last = conn.execute(text(f"SELECT last_value FROM {seq}")).scalar_one()
            top = max(top, int(last))
    return int(top) + 1


class AlreadyThere(OperationRefused):
    """The destination holds this meeting already (a copy made before); ``meeting_id`` there."""

    def __init__(self, message: str, meeting_id: int) -> None:
        super().__init__(message)
        self.meeting_id = meeting_id


def _already_there(conn: Connection, meeting: dict[str, Any]) -> int | None:
    """The id of the same meeting in the destination: same title, date and creation time (a
    copy keeps them; two meetings made apart do not share the instant of creation)."""
    t = TABLES["meeting"]
    return conn.execute(select(t.c.id).where(
        t.c.title == meeting["title"], t.c.date == meeting["date"],
        t.c.created_at == meeting["created_at"])).scalar()


def copy_meeting(src: Core, dst: Core, meeting_id: int,
                 progress: Callable[[int, int, str], None] | None = None) -> int:
    """Copy meeting ``meeting_id`` from ``src`` into ``dst`` with its journal; returns its id
    in ``dst``. The destination seat's role must allow changing meetings. Refused
    (``AlreadyThere``) when the destination has the meeting already. ``progress(done, total,
    what)`` is called as it goes (from the calling thread)."""
    step = progress or (lambda _d, _t, _w: None)
    if not dst.may(set(TABLE_AREAS)):
        raise OperationRefused(f"copy meeting: the {dst.role} seat may not add meetings")
    step(0, 100, _("Reading the meeting"))
    rows, journal = _read(src, meeting_id)
    remembered = _ids_in_journal(journal)
    postgres = dst.is_postgres
    m = _Mapper()
    with dst.db.engine.begin() as conn:
        if postgres:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_WRITE_LOCK})
        there = _already_there(conn, rows["meeting"][0])
        if there is not None:
            raise AlreadyThere(_("{where} has this meeting already (meeting {id} there: {title}); "
                                 "nothing was copied").format(
                where=dst.db.location, id=there, title=rows["meeting"][0]["title"]), int(there))
        step(10, 100, _("Copying the meeting's rows"))
        # directory rows the destination knows already
        for table, keys in (("endpoint", ("name", "code")), ("award_type", ("name",))):
            t = TABLES[table]
            fixed = m.fixed.setdefault(table, {})
            for r in rows[table]:
                for key in keys:
                    if r[key] is None:
                        continue
                    hit = conn.execute(select(t.c.id).where(t.c[key] == r[key])).scalar()
                    if hit is not None:
                        fixed[r["id"]] = int(hit)
                        break
        for table in (*SHARED, *OWN):
            ids = {r["id"] for r in rows[table]} | remembered.get(table, set())
            ids -= set(m.fixed.get(table, {}))
            if ids:
                m.offset[table] = _next_free(conn, table, postgres) - min(ids)
        for table in (*SHARED, *OWN):
            new = [m.row(table, r) for r in rows[table] if r["id"] not in m.fixed.get(table, {})]
            if new:
                conn.execute(TABLES[table].insert(), new)
        new_meeting = m.id("meeting", meeting_id)
        jt = TABLES["journal"]
        # directory rows new here that the meeting's journal does not insert (award types come
        # from the catalogue's own entries): one entry first inserts them, so that the journal
        # replayed from an empty database (``verify``) accounts for every row
        inserted = {(ch["t"], ch["id"]) for e in journal for ch in e["changes"] or [] if ch["op"] == "i"}
        directory = [
            RowChange(table, m.id(table, r["id"]), "i", after=m.row(table, r)).to_json()  # type: ignore[arg-type]
            for table in SHARED for r in rows[table]
            if r["id"] not in m.fixed.get(table, {}) and (table, r["id"]) not in inserted
        ]
        first = _next_free(conn, "journal", postgres)
        if directory:
            conn.execute(jt.insert().values(
                id=first, meeting_id=new_meeting, at=journal[0]["at"] if journal else dst.clock.now(),
                seat=dst.seat, op="transfer.copy_meeting", label="Directory rows of a copied meeting",
                kind="op", undoable=False, automatic=True, undone=False, areas="catalogue,endpoints,journal",
                args={"from_meeting": meeting_id}, changes=directory))
            first += 1
        m.offset["journal"] = first - min((e["id"] for e in journal), default=0)
        for k, e in enumerate(journal):
            if k % 200 == 0:
                step(30 + 65 * k // max(1, len(journal)), 100,
                     _("Copying the journal: {k} of {n} entries").format(k=k, n=len(journal)))
            entry = dict(e)
            entry["id"] = m.id("journal", e["id"])
            entry["meeting_id"] = new_meeting
            entry["target_id"] = m.id("journal", e["target_id"])
            entry["changes"] = [m.change(ch) for ch in e["changes"] or [] if not m.shared_row(ch)]
            conn.execute(jt.insert().values(**entry))
        if postgres:  # the sequences go past the ids used (the journal's remembered ones too)
            for table in (*SHARED, *OWN, "journal"):
                seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar()
                if seq:
                    top = max(_next_free(conn, table, True) - 1, *(
                        m.id(table, i) or 0 for i in remembered.get(table, set())), 1)
                    conn.execute(text("SELECT setval(:s, :v)"), {"s": seq, "v": top})
        last = conn.execute(jt.insert().values(
            meeting_id=new_meeting, at=dst.clock.now(), seat=dst.seat, op="transfer.copy_meeting",
            label=f"Copied from {src.db.location}", kind="op", undoable=False, automatic=True,
            undone=False, areas="journal,meeting", args={"from_meeting": meeting_id}, changes=[],
        ).returning(jt.c.id)).scalar_one()
        if postgres:
            conn.execute(text("SELECT pg_notify('meeting_console', :p)"), {"p": str(last)})
    step(100, 100, _("Copied"))
    return int(new_meeting)  # type: ignore[arg-type]
