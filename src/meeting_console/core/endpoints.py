"""Endpoints (bridge points): the shared directory and each meeting's participation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from meeting_console.core import editing as ed
from meeting_console.core import vocab
from meeting_console.core.api import Tx, operation
from meeting_console.errors import OperationRefused
from meeting_console.store import models as m

DIRECTORY_FIELDS: dict[str, ed.Check] = {
    "name": ed.text(300, required=True),
    "kind": ed.choice(vocab.ENDPOINT_KINDS),
    "code": ed.optional_text(100),
    "address": ed.text(1000),
    "host_name": ed.text(300),
}

PARTICIPATION_FIELDS: dict[str, ed.Check] = {
    "expected_delegates": ed.integer(0, 1_000_000),
    "present_delegates": ed.integer(0, 1_000_000, optional=True),
    "host": ed.text(300),
    "monitored": ed.boolean(),
    "note": ed.text(5000, multiline=True),
}


def _check_unique(tx: Tx, values: dict[str, Any], own_id: int | None = None) -> None:
    s = tx.session
    if "name" in values:
        other = s.scalars(select(m.Endpoint).where(m.Endpoint.name == values["name"])).first()
        if other is not None and other.id != own_id:
            raise OperationRefused(f"name: an endpoint named {values['name']!r} exists already")
    if values.get("code"):
        other = s.scalars(select(m.Endpoint).where(m.Endpoint.code == values["code"])).first()
        if other is not None and other.id != own_id:
            raise OperationRefused(f"code: code {values['code']!r} belongs to {other.name!r}")


@operation("Add endpoint to directory")
def add_directory_endpoint(tx: Tx, name: str, *, meeting_id: int | None = None, **fields: Any) -> int:
    """A new bridge point in the shared directory; returns its id."""
    values = ed.checked({"name": name, **fields}, DIRECTORY_FIELDS, "endpoint")
    _check_unique(tx, values)
    tx.meeting_id = meeting_id
    return tx.add(m.Endpoint(**values)).id


@operation("Edit endpoint")
def update_directory_endpoint(tx: Tx, endpoint_id: int, *, meeting_id: int | None = None, **fields: Any) -> None:
    """Rename or re-address a bridge point in the directory (all meetings see the change)."""
    ep = tx.get(m.Endpoint, endpoint_id, "endpoint")
    values = ed.checked(fields, DIRECTORY_FIELDS, "endpoint")
    _check_unique(tx, values, own_id=endpoint_id)
    tx.meeting_id = meeting_id
    for k, v in values.items():
        if getattr(ep, k) != v:
            setattr(ep, k, v)


@operation("Add endpoint to meeting")
def add_to_meeting(tx: Tx, meeting_id: int, endpoint_id: int, **fields: Any) -> int:
    """Make a directory endpoint take part in a meeting; returns the participation id."""
    tx.get(m.Meeting, meeting_id, "meeting")
    ep = tx.get(m.Endpoint, endpoint_id, "endpoint")
    tx.meeting_id = meeting_id
    s = tx.session
    dup = s.scalars(
        select(m.MeetingEndpoint).where(
            m.MeetingEndpoint.meeting_id == meeting_id, m.MeetingEndpoint.endpoint_id == endpoint_id
        )
    ).first()
    if dup is not None:
        raise OperationRefused(f"{ep.name} takes part in this meeting already")
    values = ed.checked(fields, PARTICIPATION_FIELDS, "endpoint")
    values.setdefault("host", ep.host_name)
    pos = s.execute(
        select(func.coalesce(func.max(m.MeetingEndpoint.position), 0)).where(m.MeetingEndpoint.meeting_id == meeting_id)
    ).scalar_one()
    return tx.add(m.MeetingEndpoint(meeting_id=meeting_id, endpoint_id=endpoint_id, position=pos + 1, **values)).id


@operation("New endpoint in meeting")
def create_in_meeting(tx: Tx, meeting_id: int, name: str, *, kind: str = "other", code: str | None = None,
                      address: str = "", **fields: Any) -> int:
    """Add a bridge point to the meeting, creating it in the directory if it is new."""
    tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    values = ed.checked({"name": name, "kind": kind, "code": code, "address": address}, DIRECTORY_FIELDS, "endpoint")
    ep = tx.session.scalars(select(m.Endpoint).where(m.Endpoint.name == values["name"])).first()
    if ep is None:
        _check_unique(tx, values)
        ep = tx.add(m.Endpoint(**values))
    return add_to_meeting.__wrapped__(tx, meeting_id, ep.id, **fields)  # type: ignore[attr-defined]


@operation("Edit endpoint in meeting")
def update_participation(tx: Tx, meeting_endpoint_id: int, **fields: Any) -> None:
    """Expected and present delegates, host, monitoring, note of one endpoint in a meeting."""
    me = tx.get(m.MeetingEndpoint, meeting_endpoint_id, "meeting endpoint")
    tx.meeting_id = me.meeting_id
    ed.apply_fields(me, fields, PARTICIPATION_FIELDS, "endpoint")


@operation("Remove endpoint from meeting")
def remove_from_meeting(tx: Tx, meeting_endpoint_id: int) -> None:
    """Refused once the endpoint has a status history (the record needs it)."""
    me = tx.get(m.MeetingEndpoint, meeting_endpoint_id, "meeting endpoint")
    tx.meeting_id = me.meeting_id
    s = tx.session
    if s.scalars(select(m.EndpointStatusEvent).where(m.EndpointStatusEvent.meeting_endpoint_id == me.id)).first():
        raise OperationRefused("the endpoint has a connection history in this meeting; it cannot be removed")
    for model, col in ((m.Person, m.Person.meeting_endpoint_id), (m.SpeakerRequest, m.SpeakerRequest.meeting_endpoint_id),
                       (m.AwardGrant, m.AwardGrant.meeting_endpoint_id)):
        for obj in s.scalars(select(model).where(col == me.id)):
            obj.meeting_endpoint_id = None
    s.flush()
    rest = list(s.scalars(select(m.MeetingEndpoint).where(
        m.MeetingEndpoint.meeting_id == me.meeting_id, m.MeetingEndpoint.id != me.id
    ).order_by(m.MeetingEndpoint.position, m.MeetingEndpoint.id)))
    tx.delete(me)
    for i, other in enumerate(rest, start=1):
        if other.position != i:
            other.position = i


@operation("Edit endpoint")
def edit_endpoint(tx: Tx, meeting_endpoint_id: int, **fields: Any) -> None:
    """One edit of an endpoint as the meeting sees it: directory fields (name, kind, code,
    address) and participation fields (delegates, host, note …) in one undoable step."""
    me = tx.get(m.MeetingEndpoint, meeting_endpoint_id, "meeting endpoint")
    tx.meeting_id = me.meeting_id
    directory = {k: fields.pop(k) for k in list(fields) if k in DIRECTORY_FIELDS}
    if directory:
        ep = tx.get(m.Endpoint, me.endpoint_id, "endpoint")
        values = ed.checked(directory, DIRECTORY_FIELDS, "endpoint")
        _check_unique(tx, values, own_id=ep.id)
        for k, v in values.items():
            if getattr(ep, k) != v:
                setattr(ep, k, v)
    ed.apply_fields(me, fields, PARTICIPATION_FIELDS, "endpoint")
