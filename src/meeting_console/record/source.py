"""What a record is built from: one meeting's snapshot, its endpoints' status events and the
journal's high-water mark, with every string normalised to NFC and the derived facts (planned
schedule, outage ledger, connection spans) computed once."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

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


def _meeting_events(core: Core, meeting_id: int) -> list[Event]:
    # One query for the whole meeting; core.reads offers them per endpoint only.
    with core.reading() as s:
        rows = s.execute(
            select(m.EndpointStatusEvent.meeting_endpoint_id, m.EndpointStatusEvent.at,
                   m.EndpointStatusEvent.status)
            .join(m.MeetingEndpoint, m.MeetingEndpoint.id == m.EndpointStatusEvent.meeting_endpoint_id)
            .where(m.MeetingEndpoint.meeting_id == meeting_id)
            .order_by(m.EndpointStatusEvent.meeting_endpoint_id, m.EndpointStatusEvent.at,
                      m.EndpointStatusEvent.id)
        ).all()
    return [Event(me, at, status) for me, at, status in rows]


@dataclass(frozen=True)
class PlannedSlot:
    start: datetime | None
    end: datetime | None


@dataclass
class RecordSource:
    snap: reads.MeetingSnapshot
    journal_high_water: int
    outages: dict[int, list[Outage]]
    spans: dict[int, Span]
    planned: dict[int, PlannedSlot]  # agenda item id → planned slot (explicit or chained)

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

    def main_endpoint(self) -> reads.MeetingEndpointInfo | None:
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


def load(core: Core, meeting_id: int) -> RecordSource:
    """Read everything the record needs (raises ``NotFound`` for an unknown meeting)."""
    high_water = core.high_water()
    snap = reads.snapshot(core, meeting_id)
    snap = reads.MeetingSnapshot(
        meeting=nfc_info(snap.meeting),
        agenda=tuple(nfc_info(x) for x in snap.agenda),
        endpoints=tuple(nfc_info(x) for x in snap.endpoints),
        organisations=tuple(nfc_info(x) for x in snap.organisations),
        people=tuple(nfc_info(x) for x in snap.people),
        speakers=tuple(nfc_info(x) for x in snap.speakers),
        grants=tuple(nfc_info(x) for x in snap.grants),
    )
    items = Timeline(
        (i.actual_start, i.actual_end, i.id) for i in snap.agenda if i.actual_start is not None
    )
    speeches = Timeline(
        (s.actual_start, s.actual_end, s.id) for s in snap.speakers if s.actual_start is not None
    )
    outages, spans = ledger(_meeting_events(core, meeting_id), items, speeches)
    return RecordSource(snap, high_water, outages, spans, planned_slots(snap.agenda))
