"""The lean path of a group of clerk's status marks (``endpoints.set_status``): group commit
without the ORM.

A clerk's console in a national meeting sends status marks faster than the database answers;
the DB worker groups those queued together (``core.worker``). Through the ORM each mark costs
about a millisecond of the clerk's CPU, and all of it is spent while the group holds the
writers' lock (the other consoles wait). Here a group costs, under the lock: one read of the
touched endpoints' rows, the checks of ``set_status`` in plain Python, and one write of the
endpoint updates, the status events and the journal entries; on PostgreSQL the lock, the read
and the id allocation go in one round trip (psycopg pipeline) and the write with the commit in
another, as prepared statements whose text does not depend on the group's size.

What is written is what the ORM path writes: the same rows, each mark its own journal entry
with the same row images (so undo, redo, following consoles, ``verify`` and the outage ledger
see no difference), each checked against the state the marks before it left, each caller's
outcome (``Changes`` or the refusal) handed back only after the commit. ``tests/core/
test_status_group.py`` compares the two paths on SQLite and PostgreSQL. Anything unusual (an
argument of another type, a row the database will not take) goes back to the ORM path.
"""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from meeting_console.core import journal as jr
from meeting_console.core.api import (
    OBJECT_NAMES,
    PG_WRITE_LOCK,
    Core,
    UndoStatus,
    _changes_value,
    _json_safe,
    _store_error,
    connection_lost,
)
from meeting_console.core.changes import Changes, areas_of
from meeting_console.errors import NotFound, OperationRefused, UserError
from meeting_console.i18n import _
from meeting_console.store import models as m

OP_NAME = "endpoints.set_status"
# (start, committed, marks, planned again under the lock) per group, when a benchmark sets a list
trace: list[tuple[float, float, int, bool]] | None = None


class _Fallback(Exception):
    """The group goes the ORM way (``Core._run_calls``)."""


def _set_status() -> Any:
    from meeting_console.core import endpoints

    return endpoints.set_status


_SIG: inspect.Signature | None = None


def _bind(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[int, Any, Any, Any]:
    """``set_status``'s arguments; TypeError as its call would raise."""
    global _SIG
    if len(args) == 2 and kwargs.keys() <= {"detail", "expected"}:  # the usual call, quickly
        return args[0], args[1], kwargs.get("detail", ""), kwargs.get("expected")
    if _SIG is None:
        _SIG = inspect.signature(_set_status().op_body)
    try:
        b = _SIG.bind(None, *args, **kwargs)
    except TypeError:
        # the call's own message: Python refuses the arguments before the body runs
        _set_status().op_body(None, *args, **kwargs)
        raise
    b.apply_defaults()
    a = b.arguments
    return a["meeting_endpoint_id"], a["status"], a["detail"], a["expected"]


def applies(calls: Sequence[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]) -> bool:
    """Whether a group is made of status marks only."""
    return bool(calls) and all(getattr(op, "op_name", None) == OP_NAME for op, _a, _k in calls)


# --- the marks, planned against the rows read under the lock --------------------------------


class _Plan:
    def __init__(self, core: Core, calls: Sequence[tuple[Any, tuple[Any, ...], dict[str, Any]]]) -> None:
        from meeting_console.core import endpoints

        self.core = core
        self.marks: list[tuple[Any, ...]] = []  # (me_id, status, detail, expected, error or None)
        for _op, args, kwargs in calls:
            try:
                me_id, status, detail, expected = _bind(args, kwargs)
            except TypeError as exc:
                self.marks.append((None, None, None, None, exc, args, kwargs))
                continue
            if type(me_id) is not int:
                raise _Fallback
            # the checks that need no row, done before the lock (raised in the body's order)
            err: BaseException | None = None
            try:
                status = endpoints.STATUS_CHECK("status", status)
            except OperationRefused as exc:
                err = exc
            clean: Any = detail
            if err is None:
                try:
                    clean = endpoints.ed.text(500)("detail", detail)
                except OperationRefused as exc:
                    clean = exc
            self.marks.append((me_id, status, clean, expected, err, args, kwargs))
        self.ids = sorted({mk[0] for mk in self.marks if mk[0] is not None})

    def run(self, rows: dict[int, dict[str, Any]], event_ids: list[int] | None = None) -> None:
        """Each mark in order against ``rows`` as the marks before it left them. Fills
        ``outcomes`` (what each caller gets, the ``Changes`` made by ``result``), ``entries``
        (journal rows in order, with the outcome's index), ``events`` and ``final`` (the
        touched endpoints' rows after the group).

        ``event_ids`` None (PostgreSQL, planned before the lock): the new status events' ids
        are placeholders in the journal's JSON text, filled by ``fill`` under the lock, so that
        they are given in commit order (the outage ledger orders events by time, then id)."""
        from meeting_console.core.concurrency import Conflict
        from meeting_console.core.words import word

        core = self.core
        template = _("Status of {name}: {status}")  # once a group: the language is the same
        words: dict[str, str] = {}
        areas: dict[tuple[str, ...], str] = {}
        self.seen = {i: dict(r) for i, r in rows.items()}
        state = {i: dict(r) for i, r in rows.items()}
        self.outcomes: list[Any] = []
        self.entries: list[tuple[int, dict[str, Any]]] = []
        self.events: list[dict[str, Any]] = []
        self.final: dict[int, dict[str, Any]] = {}
        for me_id, status, detail, expected, err, args, kwargs in self.marks:
            if err is not None and me_id is None:  # the call itself was wrong
                self.outcomes.append(err)
                continue
            row = state.get(me_id)
            if row is None:
                self.outcomes.append(NotFound(_("unknown {value} id {id_}").format(
                    value=_(OBJECT_NAMES["meeting endpoint"]), id_=me_id)))
                continue
            if err is not None:
                self.outcomes.append(err)
                continue
            name = row["name"]
            if expected is not None and row["manual_override"] and row["status"] not in (expected, status):
                self.outcomes.append(Conflict(
                    _("{name}: another clerk marked it {status!r} meanwhile (you saw {expected!r}). "
                      "Nothing was changed; set the status again if it is still right").format(
                        name=name, status=row["status"], expected=expected)))
                continue
            if isinstance(detail, BaseException):
                self.outcomes.append(detail)
                continue
            now = core.clock.now()
            changes: list[jr.RowChange] = []
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            event: dict[str, Any] | None = None
            if row["status"] != status:
                at = now
                since = row["status_since"]
                if since is not None and at < since:
                    at = since
                before["status"], after["status"] = row["status"], status
                if since != at:
                    before["status_since"], after["status_since"] = since, at
                k = len(self.events)
                eid: Any = event_ids[k] if event_ids is not None else f"\x00ev{k}"
                event = {"id": eid, "meeting_endpoint_id": me_id, "at": at, "status": status,
                         "automatic": False, "detail": detail[:500]}
                changes.append(jr.RowChange("endpoint_status_event", eid, "i", after=dict(event)))
            if not row["manual_override"]:
                before["manual_override"], after["manual_override"] = False, True
            if after:
                changes.append(jr.RowChange("meeting_endpoint", me_id, "u", before, after))
            shown = words.get(status)
            if shown is None:
                shown = words[status] = word(status)
            label = template.format(name=name, status=shown)
            meeting_id = row["meeting_id"]
            if not changes:
                self.outcomes.append(Changes(label=label, result=None, meeting_id=meeting_id))
                continue
            try:
                core._check_role(label, changes)
            except UserError as exc:
                self.outcomes.append(exc)
                continue
            # stored: this mark's state is what the next one sees
            row.update(after)
            self.final[me_id] = row
            if event is not None:
                self.events.append(event)
            json_form = [c.to_json() for c in changes]
            tables = tuple(c.table for c in changes)
            area = areas.get(tables)
            if area is None:
                area = areas[tables] = ",".join(sorted(areas_of(set(tables))))
            entry = {
                "meeting_id": meeting_id, "at": now, "seat": core.seat, "op": OP_NAME, "label": label,
                "kind": "op", "target_id": None, "undone": False, "undoable": True, "automatic": False,
                "areas": area, "args": {"args": list(args), "kwargs": kwargs},
            }
            if event_ids is None:
                try:
                    entry["args_text"] = json.dumps(entry["args"])
                except TypeError:  # what the ORM path keeps of an argument JSON cannot hold
                    entry["args_text"] = json.dumps(_json_safe(entry["args"]))
                entry["changes_text"] = json.dumps(json_form)
                entry["event"] = len(self.events) - 1 if event is not None else None
            else:
                entry["args"] = _json_safe(entry["args"])
                entry["changes"] = json_form
            self.entries.append((len(self.outcomes), entry))
            self.outcomes.append(_Done(changes, label, meeting_id))

    def fill(self, event_ids: Sequence[int]) -> None:
        """The status events' ids, taken under the lock, into the planned rows (cheap: one
        string replacement per mark)."""
        for k, ev in enumerate(self.events):
            ev["id"] = event_ids[k]
        for _k, e in self.entries:
            k = e["event"]
            if k is not None:
                e["changes_text"] = e["changes_text"].replace(f'"\\u0000ev{k}"', str(event_ids[k]))

    def result(self, journal_ids: Sequence[int]) -> list[Changes | BaseException]:
        """What each caller gets (after the commit)."""
        out = list(self.outcomes)
        for (k, _e), jid in zip(self.entries, journal_ids, strict=True):
            done: _Done = out[k]
            for c in done.changes:
                if c.table == "endpoint_status_event" and not isinstance(c.id, int):
                    c.id = c.after["id"] = self.events[int(c.id[3:])]["id"]
            value = _changes_value(done.changes, meeting_id=done.meeting_id, journal_id=jid, label=done.label)
            out[k] = replace(value, undo=UndoStatus(done.label, None))
        return out


@dataclass
class _Done:
    changes: list[jr.RowChange]
    label: str
    meeting_id: int


def run(core: Core, calls: Sequence[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]
        ) -> list[Changes | BaseException] | None:
    """Run a group of ``set_status`` marks the lean way; None: take the ORM path instead."""
    if core.role == "viewer":
        return [OperationRefused(_("this console is a viewer: it cannot change the meeting"))] * len(calls)
    try:
        plan = _Plan(core, calls)
        if core.is_postgres:
            return _run_pg(core, plan)
        return _run_sqlite(core, plan)
    except _Fallback:
        return None


# --- PostgreSQL: two round trips under the lock ----------------------------------------------

_READ = ("SELECT me.id, me.meeting_id, me.status, me.status_since, me.manual_override, e.name "
         "FROM meeting_endpoint me JOIN endpoint e ON e.id = me.endpoint_id WHERE me.id = ANY(%s::int[])")
_EVENT_IDS = ("SELECT array(SELECT nextval(pg_get_serial_sequence('endpoint_status_event', 'id')) "
              "FROM generate_series(1, %s::int))")
# journal ids are taken under the lock, in the group's order (nextval in generate_series'
# order), so that they commit in order: a console following the high-water mark skips none
_WRITE = """
WITH u AS (
  UPDATE meeting_endpoint me SET status = v.status, status_since = v.since, manual_override = v.mo
  FROM unnest(%(u_id)b::int[], %(u_status)b::text[], %(u_since)b::timestamp[], %(u_mo)b::bool[])
    AS v(id, status, since, mo)
  WHERE me.id = v.id RETURNING 1),
ev AS (
  INSERT INTO endpoint_status_event (id, meeting_endpoint_id, at, status, automatic, detail)
  SELECT * FROM unnest(%(e_id)b::int[], %(e_me)b::int[], %(e_at)b::timestamp[], %(e_status)b::text[],
                       %(e_auto)b::bool[], %(e_detail)b::text[]) RETURNING 1),
ids AS MATERIALIZED (
  SELECT nextval(pg_get_serial_sequence('journal', 'id')) AS id, g AS ord
  FROM generate_series(1, %(j_n)s::int) AS g),
j AS (
  INSERT INTO journal (id, meeting_id, at, seat, op, label, kind, target_id, undone, undoable,
                       automatic, areas, args, changes)
  SELECT ids.id, v.mid, v.at, %(seat)s, %(op)s, v.label, 'op', NULL, false, true, false, v.areas,
         v.args::json, v.changes::json
  FROM unnest(%(j_mid)b::int[], %(j_at)b::timestamp[], %(j_label)b::text[], %(j_areas)b::text[],
              %(j_args)b::text[], %(j_changes)b::text[]) WITH ORDINALITY AS v(mid, at, label, areas, args, changes, ord)
  JOIN ids ON ids.ord = v.ord
  RETURNING 1)
SELECT (SELECT array_agg(id ORDER BY ord) FROM ids), (SELECT count(*) FROM u), (SELECT count(*) FROM ev),
       (SELECT count(*) FROM j), pg_notify(%(channel)s, (SELECT max(id) FROM ids)::text)
"""


# The usual group in one round trip, the lock held by the server alone: the lock, then (a
# statement of its own, so with a snapshot taken once the lock is ours) a guard that the
# touched rows are still those the group was planned for, and only then the writes: the
# status events' and journal entries' ids taken in the group's order, the events' ids put
# into the journal's row images (placeholders in the planned JSON text). Not the same rows:
# nothing written, and the group is planned again under the lock (``_WRITE`` path).
_GUARDED = """
WITH guard AS MATERIALIZED (
  SELECT (SELECT count(*) FROM meeting_endpoint me JOIN endpoint e ON e.id = me.endpoint_id
          JOIN unnest(%(g_id)b::int[], %(g_status)b::text[], %(g_since)b::timestamp[], %(g_mo)b::bool[],
                      %(g_mid)b::int[], %(g_name)b::text[]) AS g(id, status, since, mo, mid, name)
            ON g.id = me.id AND g.status = me.status AND g.since IS NOT DISTINCT FROM me.status_since
               AND g.mo = me.manual_override AND g.mid = me.meeting_id AND g.name = e.name) = %(g_n)s
     AND (SELECT count(*) FROM meeting_endpoint WHERE id = ANY(%(g_all)b::int[])) = %(g_n)s AS ok),
u AS (
  UPDATE meeting_endpoint me SET status = v.status, status_since = v.since, manual_override = v.mo
  FROM unnest(%(u_id)b::int[], %(u_status)b::text[], %(u_since)b::timestamp[], %(u_mo)b::bool[])
    AS v(id, status, since, mo), guard
  WHERE me.id = v.id AND guard.ok RETURNING 1),
eids AS MATERIALIZED (
  SELECT nextval(pg_get_serial_sequence('endpoint_status_event', 'id')) AS id, g AS ord
  FROM generate_series(1, %(e_n)s::int) AS g, guard WHERE guard.ok),
ev AS (
  INSERT INTO endpoint_status_event (id, meeting_endpoint_id, at, status, automatic, detail)
  SELECT eids.id, v.me, v.at, v.status, v.auto, v.detail
  FROM unnest(%(e_me)b::int[], %(e_at)b::timestamp[], %(e_status)b::text[], %(e_auto)b::bool[],
              %(e_detail)b::text[]) WITH ORDINALITY AS v(me, at, status, auto, detail, ord)
  JOIN eids ON eids.ord = v.ord RETURNING 1),
ids AS MATERIALIZED (
  SELECT nextval(pg_get_serial_sequence('journal', 'id')) AS id, g AS ord
  FROM generate_series(1, %(j_n)s::int) AS g, guard WHERE guard.ok),
j AS (
  INSERT INTO journal (id, meeting_id, at, seat, op, label, kind, target_id, undone, undoable,
                       automatic, areas, args, changes)
  SELECT ids.id, v.mid, v.at, %(seat)s, %(op)s, v.label, 'op', NULL, false, true, false, v.areas,
         v.args::json,
         (CASE WHEN v.evk IS NULL THEN v.changes
               ELSE replace(v.changes, '"\\u0000ev' || v.evk || '"',
                            (SELECT eids.id FROM eids WHERE eids.ord = v.evk + 1)::text) END)::json
  FROM unnest(%(j_mid)b::int[], %(j_at)b::timestamp[], %(j_label)b::text[], %(j_areas)b::text[],
              %(j_args)b::text[], %(j_changes)b::text[], %(j_evk)b::int[])
    WITH ORDINALITY AS v(mid, at, label, areas, args, changes, evk, ord)
  JOIN ids ON ids.ord = v.ord
  RETURNING 1)
SELECT (SELECT ok FROM guard), (SELECT array_agg(id ORDER BY ord) FROM ids),
       (SELECT array_agg(id ORDER BY ord) FROM eids), (SELECT count(*) FROM u), (SELECT count(*) FROM ev),
       (SELECT count(*) FROM j),
       CASE WHEN (SELECT ok FROM guard) THEN pg_notify(%(channel)s, (SELECT max(id) FROM ids)::text) END
"""


def _naive(v: datetime | None) -> datetime | None:
    """A time as ``UtcDateTime`` stores it (naive UTC)."""
    if v is None:
        return None
    if v.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return v.astimezone(UTC).replace(tzinfo=None)


def _rows(cur: Any) -> dict[int, dict[str, Any]]:
    return {r[0]: {"meeting_id": r[1], "status": r[2],
                   "status_since": None if r[3] is None else r[3].replace(tzinfo=UTC),
                   "manual_override": r[4], "name": r[5]} for r in cur.fetchall()}


def _write_params(core: Core, plan: _Plan) -> dict[str, Any]:
    from meeting_console.core.api import NOTIFY_CHANNEL

    touched = sorted(plan.final)
    fin, ev, en = plan.final, plan.events, [e for _k, e in plan.entries]
    return {
        "u_id": touched, "u_status": [fin[i]["status"] for i in touched],
        "u_since": [_naive(fin[i]["status_since"]) for i in touched],
        "u_mo": [fin[i]["manual_override"] for i in touched],
        "e_me": [e["meeting_endpoint_id"] for e in ev],
        "e_at": [_naive(e["at"]) for e in ev], "e_status": [e["status"] for e in ev],
        "e_auto": [False] * len(ev), "e_detail": [e["detail"] for e in ev],
        "j_n": len(en), "seat": core.seat, "op": OP_NAME,
        "j_mid": [e["meeting_id"] for e in en], "j_at": [_naive(e["at"]) for e in en],
        "j_label": [e["label"] for e in en], "j_areas": [e["areas"] for e in en],
        "j_args": [e["args_text"] for e in en],
        "channel": NOTIFY_CHANNEL,
    }


def _guard_params(plan: _Plan) -> dict[str, Any]:
    seen = plan.seen
    ids = sorted(seen)
    return {"g_id": ids, "g_status": [seen[i]["status"] for i in ids],
            "g_since": [_naive(seen[i]["status_since"]) for i in ids],
            "g_mo": [seen[i]["manual_override"] for i in ids], "g_mid": [seen[i]["meeting_id"] for i in ids],
            "g_name": [seen[i]["name"] for i in ids], "g_n": len(ids), "g_all": plan.ids,
            "e_n": len(plan.events), "j_evk": [e["event"] for _k, e in plan.entries]}


def _run_pg(core: Core, plan: _Plan) -> list[Changes | BaseException] | None:
    """Planned on rows read without the lock (the other consoles do not wait for this one's
    Python), then written in one round trip holding the lock (``_GUARDED``); if another
    console changed the rows in between, planned again under the lock."""
    import psycopg

    n = len(plan.marks)
    t0 = time.monotonic()
    try:
        with core.db.engine.connect() as sa_conn:
            pg: Any = sa_conn.connection.driver_connection
            try:
                with pg.pipeline():
                    c_lock, c_read, c_ids, c_write = pg.cursor(), pg.cursor(), pg.cursor(), pg.cursor()
                    c_read.execute(_READ, (plan.ids,))
                    plan.run(_rows(c_read))
                    if not plan.entries:  # refusals and marks that change nothing: no write
                        pg.rollback()
                        return plan.result([])
                    params = _write_params(core, plan)
                    params["j_changes"] = [e["changes_text"] for _k, e in plan.entries]
                    c_lock.execute("SELECT pg_advisory_xact_lock(%s)", (PG_WRITE_LOCK,))
                    c_write.execute(_GUARDED, {**params, **_guard_params(plan)})
                    pg.commit()
                    ok, jids, event_ids = c_write.fetchone()[:3]
                    if not ok:  # another console changed the rows meanwhile: again, locked
                        c_lock.execute("SELECT pg_advisory_xact_lock(%s)", (PG_WRITE_LOCK,))
                        c_read.execute(_READ, (plan.ids,))
                        rows = _rows(c_read)
                        plan.run(rows)
                        if not plan.entries:
                            pg.rollback()
                            return plan.result([])
                        c_ids.execute(_EVENT_IDS, (len(plan.events),))
                        event_ids = list(c_ids.fetchone()[0])
                        params = _write_params(core, plan)
                        plan.fill(event_ids)
                        params["e_id"] = event_ids
                        params["j_changes"] = [e["changes_text"] for _k, e in plan.entries]
                        c_write.execute(_WRITE, params)
                        pg.commit()
                        jids = c_write.fetchone()[0]
                    else:
                        plan.fill(event_ids or [])
            except psycopg.OperationalError as exc:
                if pg.closed or pg.broken:
                    sa_conn.invalidate()
                    return [connection_lost(exc)] * n
                _rollback(pg)
                return [_store_error(exc)] * n  # type: ignore[arg-type]
            except psycopg.Error:
                # a row the database would not take: the ORM path tells which mark it was
                _rollback(pg)
                return None
    except (OperationalError, InterfaceError, DBAPIError) as exc:  # connecting (the pool's ping)
        return [_store_error(exc)] * n
    # committed: only now is any of them acknowledged
    jids = list(jids)
    if jids != sorted(jids):
        raise AssertionError("journal ids out of order")
    if trace is not None:
        trace.append((t0, time.monotonic(), n, not ok))
    return plan.result(jids)


def _rollback(pg: Any) -> None:
    try:
        pg.rollback()
    except Exception:  # the connection is gone: the pool finds out at its next ping
        pass


# --- SQLite: the same through SQLAlchemy Core in the session's transaction ------------------


def _run_sqlite(core: Core, plan: _Plan) -> list[Changes | BaseException] | None:
    T, E, J, EP = (cast(Table, m.MeetingEndpoint.__table__), cast(Table, m.EndpointStatusEvent.__table__),
                   cast(Table, m.JournalEntry.__table__), cast(Table, m.Endpoint.__table__))
    n = len(plan.marks)
    try:
        with core.db.sessions.begin() as s:  # BEGIN IMMEDIATE: the write lock
            rows: dict[int, dict[str, Any]] = {}
            for chunk in (plan.ids[i:i + 900] for i in range(0, len(plan.ids), 900)):
                q = (select(T.c.id, T.c.meeting_id, T.c.status, T.c.status_since, T.c.manual_override, EP.c.name)
                     .join(EP, EP.c.id == T.c.endpoint_id).where(T.c.id.in_(chunk)))
                for r in s.execute(q):
                    rows[r.id] = {"meeting_id": r.meeting_id, "status": r.status, "status_since": r.status_since,
                                  "manual_override": bool(r.manual_override), "name": r.name}
            top_event = s.execute(select(func.coalesce(func.max(E.c.id), 0))).scalar_one()
            plan.run(rows, list(range(top_event + 1, top_event + 1 + n)))
            if not plan.entries:
                s.rollback()
                return plan.result([])
            fin = plan.final
            s.execute(update(T).where(T.c.id == bindparam("b_id")).values(
                status=bindparam("b_status"), status_since=bindparam("b_since"), manual_override=bindparam("b_mo")),
                [{"b_id": i, "b_status": fin[i]["status"], "b_since": fin[i]["status_since"],
                  "b_mo": fin[i]["manual_override"]} for i in sorted(fin)])
            if plan.events:
                s.execute(insert(E), plan.events)
            top = s.execute(select(func.coalesce(func.max(J.c.id), 0))).scalar_one()
            jids = list(range(top + 1, top + 1 + len(plan.entries)))
            s.execute(insert(J), [{"id": jid, **e} for jid, (_k, e) in zip(jids, plan.entries, strict=True)])
            core.db.check_same_file()
    except UserError as exc:  # the file is no longer the one opened
        return [exc] * n
    except (OperationalError, InterfaceError) as exc:
        return [_store_error(exc)] * n
    except DBAPIError:
        return None  # a row the database would not take: the ORM path tells which mark
    return plan.result(jids)
