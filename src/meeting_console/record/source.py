"""What a record is built from: one meeting's snapshot, its endpoints' status events and the
journal's high-water mark, with every string normalised to NFC and the derived facts (planned
schedule, outage ledger, connection spans) computed once."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from meeting_console.core import reads
from meeting_console.core.api import Core
from meeting_console.core.text import nfc
from meeting_console.record.ledger import Event, Outage, Span, Timeline, ledger
from meeting_console.store import models as m


def _nfc_value(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, tuple):
        return tuple(_nfc_value(v) for v in value)
    return value


def nfc_info(obj: Any) -> Any:
    """A copy of a frozen read value with every string (and tuple of strings) in NFC."""
    changes = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, str | tuple):
            nv = _nfc_value(v)
            if nv != v:
                changes[f.name] = nv
    return dataclasses.replace(obj, **changes) if changes else obj


def _moment(value: Any) -> datetime:
    """A stored UTC time as an aware datetime. Selected untyped (see ``_raw``), SQLite gives
    its text, parsed here in C: SQLAlchemy's own parsing (a regular expression per value)
    costs seconds on the 100,000 status events of a national meeting."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _raw(column: Any) -> Any:
    return type_coerce(column, String)


@dataclass(frozen=True)
class EndpointRow:
    """What the record prints of a bridge point taking part (a lean read: there may be
    31,000 of them)."""

    id: int
    name: str
    kind: str
    position: int
    expected_delegates: int
    present_delegates: int | None
    host: str


def _endpoint_rows(s: Session, meeting_id: int) -> tuple[EndpointRow, ...]:
    me, ep = m.MeetingEndpoint, m.Endpoint
    rows = s.execute(
        select(me.id, ep.name, ep.kind, me.position, me.expected_delegates,
               me.present_delegates, me.host)
        .join(ep, ep.id == me.endpoint_id)
        .where(me.meeting_id == meeting_id)
        .order_by(me.position, me.id)
    )
    return tuple(EndpointRow(i, nfc(n), k, p, e, pr, nfc(h or "")) for i, n, k, p, e, pr, h in rows)


def _meeting_events(s: Session, meeting_id: int) -> list[Event]:
    ev = m.EndpointStatusEvent
    stmt = (
        select(ev.meeting_endpoint_id, _raw(ev.at), ev.status)
        .join(m.MeetingEndpoint, m.MeetingEndpoint.id == ev.meeting_endpoint_id)
        .where(m.MeetingEndpoint.meeting_id == meeting_id)
        .order_by(ev.meeting_endpoint_id, ev.at, ev.id)
    )
    conn = s.connection()
    rows: Any
    if conn.dialect.name == "sqlite":
        # 140,000 events of a national meeting: plain tuples from the driver, on the same
        # connection and read transaction, in a third of the time of result rows
        compiled = stmt.compile(dialect=conn.dialect)
        params = compiled.construct_params()
        order = compiled.positiontup or []
        rows = conn.connection.driver_connection.execute(  # type: ignore[union-attr]
            compiled.string, tuple(params[k] for k in order)).fetchall()
    else:
        rows = conn.execute(stmt).all()
    if rows and isinstance(rows[0][1], str) and _naive_text(rows[0][1]):
        # SQLite's text, UTC without an offset: parsed with the offset appended, all in C
        parse = datetime.fromisoformat
        new = Event.__new__
        try:
            return [new(Event, me, parse(at + "+00:00"), status) for me, at, status in rows]
        except (TypeError, ValueError):
            pass  # a value in another form: the general way below
    return [Event(me, _moment(at), status) for me, at, status in rows]


def _naive_text(value: str) -> bool:
    return datetime.fromisoformat(value).tzinfo is None


@dataclass(frozen=True)
class Snapshot:
    """The meeting as the record sees it, read in one transaction, every string NFC."""

    meeting: reads.MeetingInfo
    agenda: tuple[reads.AgendaItemInfo, ...]
    endpoints: tuple[EndpointRow, ...]
    organisations: tuple[reads.OrganisationInfo, ...]
    people: tuple[reads.PersonInfo, ...]
    speakers: tuple[reads.SpeakerInfo, ...]
    grants: tuple[reads.GrantInfo, ...]

    @property
    def chairs(self) -> tuple[reads.PersonInfo, ...]:
        return tuple(sorted((p for p in self.people if p.chair_order is not None),
                            key=lambda p: p.chair_order or 0))

    @property
    def recorder(self) -> reads.PersonInfo | None:
        return next((p for p in self.people if p.is_recorder), None)


@dataclass(frozen=True)
class PlannedSlot:
    start: datetime | None
    end: datetime | None


@dataclass
class RecordSource:
    snap: Snapshot
    journal_high_water: int
    outages: dict[int, list[Outage]]
    spans: dict[int, Span]
    planned: dict[int, PlannedSlot]  # agenda item id → planned slot (explicit or chained)
    distribution: tuple[str, ...] = ()  # "Nơi nhận": who receives a copy, one per line

    @property
    def meeting(self) -> reads.MeetingInfo:
        return self.snap.meeting

    @property
    def held(self) -> bool:
        """Whether anything has happened: then the record is the minutes, else the programme."""
        mt = self.snap.meeting
        if mt.status == "closed" or mt.actual_start is not None:
            return True
        return any(i.actual_start is not None for i in self.snap.agenda) or any(
            s.actual_start is not None for s in self.snap.speakers
        )

    @property
    def all_outages(self) -> list[Outage]:
        """Every outage in time order."""
        out = [o for lst in self.outages.values() for o in lst]
        out.sort(key=lambda o: (o.start, o.meeting_endpoint_id))
        return out

    def main_endpoint(self) -> EndpointRow | None:
        return next((e for e in self.snap.endpoints if e.kind == "main_hall"), None)

    def opened_at(self) -> datetime | None:
        mt = self.snap.meeting
        if mt.actual_start is not None:
            return mt.actual_start
        starts = [i.actual_start for i in self.snap.agenda if i.actual_start is not None]
        return min(starts) if starts else None

    def planned_start(self) -> datetime | None:
        starts = [p.start for p in self.planned.values() if p.start is not None]
        return min(starts) if starts else None


def planned_slots(agenda: tuple[reads.AgendaItemInfo, ...]) -> dict[int, PlannedSlot]:
    """Each item's planned start and end: its own planned start, else the previous item's
    planned end (the planned durations chained)."""
    out: dict[int, PlannedSlot] = {}
    cursor: datetime | None = None
    for it in agenda:
        start = it.planned_start or cursor
        end = start + timedelta(minutes=it.planned_minutes) if start is not None else None
        out[it.id] = PlannedSlot(start, end)
        if end is not None:
            cursor = end
    return out


def distribution_lines(text: str) -> tuple[str, ...]:
    """The recipients of copies from text with one per line, as staff type them ("- Các
    đồng chí Ủy viên BTV Tỉnh ủy;"): the dash and the closing punctuation are the record's."""
    out = []
    for line in nfc(text or "").splitlines():
        line = line.strip().lstrip("-–•+* ").rstrip(",;. ").strip()
        if line:
            out.append(line)
    return tuple(out)


def _distribution(s: Session, meeting_id: int) -> tuple[str, ...]:
    # Meeting.distribution: one recipient a line (a list given to build_record or --to wins)
    return distribution_lines(
        s.execute(select(m.Meeting.distribution).where(m.Meeting.id == meeting_id)).scalar() or "")


def load(core: Core, meeting_id: int) -> RecordSource:
    """Read everything the record needs in one read transaction (``NotFound`` for an unknown
    meeting). The session-level reads of ``core.reads`` are shared with exports; the bridge
    points and their status events are read lean, being the bulk of a national meeting."""
    with core.reading() as s:
        high_water = int(s.execute(select(func.max(m.JournalEntry.id))).scalar() or 0)
        snap = Snapshot(
            meeting=nfc_info(reads._meeting(s, meeting_id)),
            agenda=tuple(nfc_info(x) for x in reads._agenda(s, meeting_id)),
            endpoints=_endpoint_rows(s, meeting_id),
            organisations=tuple(nfc_info(x) for x in reads._organisations(s, meeting_id)),
            people=tuple(nfc_info(x) for x in reads._people(s, meeting_id)),
            speakers=tuple(nfc_info(x) for x in reads._speakers(s, meeting_id)),
            grants=tuple(nfc_info(x) for x in reads._grants(s, meeting_id)),
        )
        events = _meeting_events(s, meeting_id)
        distribution = _distribution(s, meeting_id)
    items = Timeline(
        (i.actual_start, i.actual_end, i.id) for i in snap.agenda if i.actual_start is not None
    )
    speeches = Timeline(
        (s.actual_start, s.actual_end, s.id) for s in snap.speakers if s.actual_start is not None
    )
    outages, spans = ledger(events, items, speeches)
    return RecordSource(snap, high_water, outages, spans, planned_slots(snap.agenda),
                        distribution)
