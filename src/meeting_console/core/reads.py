"""Reads: plain frozen values out of the store, never live ORM objects.

Each function opens one short read session. ``snapshot()`` gives a whole meeting at once; the
per-area reads let a panel refresh only what changed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from meeting_console.core.api import Core
from meeting_console.errors import NotFound
from meeting_console.i18n import _
from meeting_console.store import models as m

T = TypeVar("T")


def _info(cls: type[T], obj: Any, **extra: Any) -> T:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in extra:
            values[f.name] = extra[f.name]
        else:
            v = getattr(obj, f.name)
            values[f.name] = tuple(v) if isinstance(v, list) else v
    return cls(**values)


@dataclass(frozen=True)
class MeetingSummary:
    id: int
    date: date
    status: str
    title: str


@dataclass(frozen=True)
class MeetingInfo:
    id: int
    title: str
    number: str
    parent_body: str
    issuing_body: str
    body_type: str
    record_number: str
    date: date
    place: str
    city: str
    timezone: str
    form: str
    status: str
    language: str
    summary: str
    closing_remarks: str
    distribution: str
    actual_start: datetime | None
    actual_end: datetime | None
    default_speaking_minutes: int
    probe_interval_s: int
    probe_timeout_s: int
    probe_fail_threshold: int
    probe_recover_threshold: int
    status_feed_url: str
    display_mode: str
    created_at: datetime


@dataclass(frozen=True)
class OrganisationInfo:
    id: int
    meeting_id: int
    name: str
    note: str


@dataclass(frozen=True)
class PersonInfo:
    id: int
    meeting_id: int
    full_name: str
    posts: tuple[str, ...]
    organisation_id: int | None
    organisation: str
    category: str
    chair_order: int | None
    is_recorder: bool
    meeting_endpoint_id: int | None
    attendance: str
    absence_reason: str
    note: str

    @property
    def posts_text(self) -> str:
        return ", ".join(self.posts)


@dataclass(frozen=True)
class EndpointInfo:
    id: int
    name: str
    kind: str
    code: str | None
    address: str
    host_name: str


@dataclass(frozen=True)
class MeetingEndpointInfo:
    id: int
    meeting_id: int
    endpoint_id: int
    name: str
    kind: str
    code: str | None
    address: str
    position: int
    expected_delegates: int
    present_delegates: int | None
    host: str
    status: str
    status_since: datetime | None
    manual_override: bool
    monitored: bool
    roll_call_at: datetime | None
    last_probe_at: datetime | None
    last_probe_ok: bool | None
    last_latency_ms: float | None
    last_probe_detail: str
    note: str


@dataclass(frozen=True)
class StatusEventInfo:
    id: int
    meeting_endpoint_id: int
    at: datetime
    status: str
    automatic: bool
    detail: str


@dataclass(frozen=True)
class AgendaItemInfo:
    id: int
    meeting_id: int
    position: int
    number: str
    title: str
    kind: str
    presenter_id: int | None
    presenter_text: str
    presenter_name: str  # the person's name, else presenter_text
    planned_start: datetime | None
    planned_minutes: int
    actual_start: datetime | None
    actual_end: datetime | None
    status: str
    paused_at: datetime | None
    paused_seconds: int
    extended_minutes: int
    unplanned: bool
    speaking_minutes: int | None
    notes: str


@dataclass(frozen=True)
class SpeakerInfo:
    id: int
    meeting_id: int
    agenda_item_id: int
    person_id: int
    person_name: str
    person_posts: tuple[str, ...]
    meeting_endpoint_id: int | None
    endpoint_name: str
    topic: str
    requested_minutes: int | None
    limit_minutes: int | None
    source: str
    position: int | None
    status: str
    requested_at: datetime | None
    actual_start: datetime | None
    actual_end: datetime | None
    paused_at: datetime | None
    paused_seconds: int
    extended_seconds: int
    summary: str


@dataclass(frozen=True)
class GrantInfo:
    id: int
    meeting_id: int
    award_type_id: int
    award_name: str
    award_precedence: int
    authority: str
    recipient_kind: str
    recipient_person_id: int | None
    recipient_org_id: int | None
    recipient_name: str
    recipient_post: str
    posthumous: bool
    received_by: str
    presenter_id: int | None
    presenter_text: str
    presenter_name: str
    decision_number: str
    decision_date: date | None
    citation: str
    meeting_endpoint_id: int | None
    endpoint_name: str
    agenda_item_id: int | None
    group_no: int
    ceremony_position: int
    presented_at: datetime | None


@dataclass(frozen=True)
class JournalInfo:
    id: int
    meeting_id: int | None
    at: datetime
    seat: str
    op: str
    label: str
    kind: str
    target_id: int | None
    undone: bool
    automatic: bool
    areas: str
    args: Any
    changes: Any


@dataclass(frozen=True)
class MeetingSnapshot:
    meeting: MeetingInfo
    agenda: tuple[AgendaItemInfo, ...]
    endpoints: tuple[MeetingEndpointInfo, ...]
    organisations: tuple[OrganisationInfo, ...]
    people: tuple[PersonInfo, ...]
    speakers: tuple[SpeakerInfo, ...]
    grants: tuple[GrantInfo, ...]

    def person(self, person_id: int | None) -> PersonInfo | None:
        return next((p for p in self.people if p.id == person_id), None)

    def endpoint(self, meeting_endpoint_id: int | None) -> MeetingEndpointInfo | None:
        return next((e for e in self.endpoints if e.id == meeting_endpoint_id), None)

    def item(self, item_id: int | None) -> AgendaItemInfo | None:
        return next((i for i in self.agenda if i.id == item_id), None)

    @property
    def chairs(self) -> tuple[PersonInfo, ...]:
        return tuple(sorted((p for p in self.people if p.chair_order is not None),
                            key=lambda p: p.chair_order or 0))

    @property
    def recorder(self) -> PersonInfo | None:
        return next((p for p in self.people if p.is_recorder), None)


# --- reads within a session (shared by the public functions and by exports) --------------


def _meeting(s: Session, meeting_id: int) -> MeetingInfo:
    obj = s.get(m.Meeting, meeting_id)
    if obj is None:
        raise NotFound(_("unknown meeting id {meeting_id}").format(meeting_id=meeting_id))
    return _info(MeetingInfo, obj)


def _organisations(s: Session, meeting_id: int) -> tuple[OrganisationInfo, ...]:
    rows = s.scalars(
        select(m.Organisation).where(m.Organisation.meeting_id == meeting_id).order_by(m.Organisation.id)
    )
    return tuple(_info(OrganisationInfo, o) for o in rows)


def _people(s: Session, meeting_id: int) -> tuple[PersonInfo, ...]:
    orgs = {o.id: o.name for o in _organisations(s, meeting_id)}
    rows = s.scalars(select(m.Person).where(m.Person.meeting_id == meeting_id).order_by(m.Person.id))
    return tuple(
        _info(PersonInfo, p, organisation=orgs.get(p.organisation_id, "") if p.organisation_id else "")
        for p in rows
    )


def _endpoints(s: Session, meeting_id: int) -> tuple[MeetingEndpointInfo, ...]:
    rows = s.execute(
        select(m.MeetingEndpoint, m.Endpoint)
        .join(m.Endpoint, m.Endpoint.id == m.MeetingEndpoint.endpoint_id)
        .where(m.MeetingEndpoint.meeting_id == meeting_id)
        .order_by(m.MeetingEndpoint.position, m.MeetingEndpoint.id)
    ).all()
    return tuple(
        _info(
            MeetingEndpointInfo, me, name=ep.name, kind=ep.kind, code=ep.code, address=ep.address
        )
        for me, ep in rows
    )


def _agenda(s: Session, meeting_id: int) -> tuple[AgendaItemInfo, ...]:
    names = dict(
        s.execute(select(m.Person.id, m.Person.full_name).where(m.Person.meeting_id == meeting_id)).all()
    )
    rows = s.scalars(
        select(m.AgendaItem).where(m.AgendaItem.meeting_id == meeting_id).order_by(m.AgendaItem.position)
    )
    return tuple(
        _info(AgendaItemInfo, it, presenter_name=names.get(it.presenter_id, "") or it.presenter_text)
        for it in rows
    )


def _endpoint_names(s: Session, meeting_id: int, ids: Iterable[int | None]) -> dict[int, str]:
    """The names of the given participations only (a national meeting has 31,000 bridge
    points and a few hundred speeches: reading every name cost half a second a read)."""
    wanted = sorted({i for i in ids if i is not None})
    out: dict[int, str] = {}
    for start in range(0, len(wanted), 900):  # SQLite's limit on bound parameters
        out.update(s.execute(
            select(m.MeetingEndpoint.id, m.Endpoint.name)
            .join(m.Endpoint, m.Endpoint.id == m.MeetingEndpoint.endpoint_id)
            .where(m.MeetingEndpoint.meeting_id == meeting_id,
                   m.MeetingEndpoint.id.in_(wanted[start:start + 900]))
        ).all())
    return out


def _speakers(s: Session, meeting_id: int) -> tuple[SpeakerInfo, ...]:
    people = {p.id: p for p in s.scalars(select(m.Person).where(m.Person.meeting_id == meeting_id))}
    items = dict(
        s.execute(select(m.AgendaItem.id, m.AgendaItem.position).where(m.AgendaItem.meeting_id == meeting_id)).all()
    )
    rows = list(s.scalars(select(m.SpeakerRequest).where(m.SpeakerRequest.meeting_id == meeting_id)))
    eps = _endpoint_names(s, meeting_id, (r.meeting_endpoint_id for r in rows))
    big = 1 << 30

    def order(r: m.SpeakerRequest) -> tuple[int, int, int, int]:
        # finished speeches in the order given, then the current one, then the queue
        started = r.actual_start is not None
        return (
            items.get(r.agenda_item_id, 0),
            0 if started else 1,
            int(r.actual_start.timestamp()) if started and r.actual_start else (r.position if r.position is not None else big),
            r.id,
        )

    rows.sort(key=order)
    out = []
    for r in rows:
        p = people.get(r.person_id)
        out.append(
            _info(
                SpeakerInfo, r,
                person_name=p.full_name if p else "",
                person_posts=tuple(p.posts) if p else (),
                endpoint_name=eps.get(r.meeting_endpoint_id, "") if r.meeting_endpoint_id else "",
            )
        )
    return tuple(out)


def _grants(s: Session, meeting_id: int) -> tuple[GrantInfo, ...]:
    people = {p.id: p for p in s.scalars(select(m.Person).where(m.Person.meeting_id == meeting_id))}
    orgs = {o.id: o for o in s.scalars(select(m.Organisation).where(m.Organisation.meeting_id == meeting_id))}
    rows = s.execute(
        select(m.AwardGrant, m.AwardType)
        .join(m.AwardType, m.AwardType.id == m.AwardGrant.award_type_id)
        .where(m.AwardGrant.meeting_id == meeting_id)
        .order_by(m.AwardGrant.ceremony_position, m.AwardGrant.id)
    ).all()
    eps = _endpoint_names(s, meeting_id, (g.meeting_endpoint_id for g, _t in rows))
    out = []
    for g, t in rows:
        if g.recipient_kind == "collective":
            o = orgs.get(g.recipient_org_id) if g.recipient_org_id else None
            rname = o.name if o else ""
        else:
            p = people.get(g.recipient_person_id) if g.recipient_person_id else None
            rname = p.full_name if p else ""
        pres = people.get(g.presenter_id) if g.presenter_id else None
        out.append(
            _info(
                GrantInfo, g,
                award_name=t.name,
                award_precedence=t.precedence,
                authority=t.authority,
                recipient_name=rname,
                presenter_name=pres.full_name if pres else g.presenter_text,
                endpoint_name=eps.get(g.meeting_endpoint_id, "") if g.meeting_endpoint_id else "",
            )
        )
    return tuple(out)


# --- public reads ------------------------------------------------------------------------


def list_meetings(core: Core) -> list[MeetingSummary]:
    with core.reading() as s:
        rows = s.scalars(select(m.Meeting).order_by(m.Meeting.date.desc(), m.Meeting.id.desc()))
        return [MeetingSummary(r.id, r.date, r.status, r.title) for r in rows]


def latest_meeting_id(core: Core) -> int | None:
    """The meeting most recently changed (journal), else the newest one."""
    with core.reading() as s:
        mid = s.execute(
            select(m.JournalEntry.meeting_id)
            .join(m.Meeting, m.Meeting.id == m.JournalEntry.meeting_id)
            .order_by(m.JournalEntry.id.desc())
            .limit(1)
        ).scalar()
        if mid is None:
            mid = s.execute(select(func.max(m.Meeting.id))).scalar()
        return mid


def meeting(core: Core, meeting_id: int) -> MeetingInfo:
    with core.reading() as s:
        return _meeting(s, meeting_id)


def agenda(core: Core, meeting_id: int) -> tuple[AgendaItemInfo, ...]:
    with core.reading() as s:
        return _agenda(s, meeting_id)


def endpoints(core: Core, meeting_id: int) -> tuple[MeetingEndpointInfo, ...]:
    with core.reading() as s:
        return _endpoints(s, meeting_id)


def people(core: Core, meeting_id: int) -> tuple[PersonInfo, ...]:
    with core.reading() as s:
        return _people(s, meeting_id)


def organisations(core: Core, meeting_id: int) -> tuple[OrganisationInfo, ...]:
    with core.reading() as s:
        return _organisations(s, meeting_id)


def speakers(core: Core, meeting_id: int) -> tuple[SpeakerInfo, ...]:
    with core.reading() as s:
        return _speakers(s, meeting_id)


def grants(core: Core, meeting_id: int) -> tuple[GrantInfo, ...]:
    with core.reading() as s:
        return _grants(s, meeting_id)


def directory(core: Core) -> tuple[EndpointInfo, ...]:
    with core.reading() as s:
        return tuple(_info(EndpointInfo, e) for e in s.scalars(select(m.Endpoint).order_by(m.Endpoint.name)))


def status_events(core: Core, meeting_endpoint_id: int) -> tuple[StatusEventInfo, ...]:
    with core.reading() as s:
        rows = s.scalars(
            select(m.EndpointStatusEvent)
            .where(m.EndpointStatusEvent.meeting_endpoint_id == meeting_endpoint_id)
            .order_by(m.EndpointStatusEvent.at, m.EndpointStatusEvent.id)
        )
        return tuple(_info(StatusEventInfo, e) for e in rows)


def journal(core: Core, meeting_id: int | None, *, limit: int | None = None) -> tuple[JournalInfo, ...]:
    """Journal entries of a meeting, oldest first (the last ``limit`` when given)."""
    with core.reading() as s:
        q = select(m.JournalEntry).where(
            m.JournalEntry.meeting_id.is_(None) if meeting_id is None else m.JournalEntry.meeting_id == meeting_id
        )
        if limit is not None:
            q = q.order_by(m.JournalEntry.id.desc()).limit(limit)
            rows = list(reversed(s.scalars(q).all()))
        else:
            rows = list(s.scalars(q.order_by(m.JournalEntry.id)))
        return tuple(_info(JournalInfo, e) for e in rows)


def snapshot(core: Core, meeting_id: int) -> MeetingSnapshot:
    """The whole meeting, read in one consistent transaction."""
    with core.reading() as s:
        return MeetingSnapshot(
            meeting=_meeting(s, meeting_id),
            agenda=_agenda(s, meeting_id),
            endpoints=_endpoints(s, meeting_id),
            organisations=_organisations(s, meeting_id),
            people=_people(s, meeting_id),
            speakers=_speakers(s, meeting_id),
            grants=_grants(s, meeting_id),
        )
