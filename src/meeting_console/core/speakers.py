"""Speaker requests: registration and editing (the live queue builds on these)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from meeting_console.core import editing as ed
from meeting_console.core import vocab
from meeting_console.core.api import Tx, operation
from meeting_console.errors import OperationRefused
from meeting_console.store import models as m

REQUEST_FIELDS: dict[str, ed.Check] = {
    "meeting_endpoint_id": ed.reference(),
    "topic": ed.text(2000, multiline=True),
    "requested_minutes": ed.integer(1, 240, optional=True),
    "limit_minutes": ed.integer(1, 240, optional=True),
    "source": ed.choice(vocab.SPEAKER_SOURCES),
    "summary": ed.text(50000, multiline=True),
}


def queue_of(tx: Tx, item_id: int) -> list[m.SpeakerRequest]:
    return list(tx.session.scalars(
        select(m.SpeakerRequest)
        .where(m.SpeakerRequest.agenda_item_id == item_id, m.SpeakerRequest.position.is_not(None))
        .order_by(m.SpeakerRequest.position, m.SpeakerRequest.id)
    ))


def compact(queue: list[m.SpeakerRequest]) -> None:
    """Queue positions 1..n, contiguous, in list order."""
    for i, r in enumerate(queue, start=1):
        if r.position != i:
            r.position = i


def _check_refs(tx: Tx, meeting_id: int, values: dict[str, Any]) -> None:
    me = values.get("meeting_endpoint_id")
    if me is not None:
        e = tx.session.get(m.MeetingEndpoint, me)
        if e is None or e.meeting_id != meeting_id:
            raise OperationRefused(f"endpoint: {me} does not take part in this meeting")


@operation("Register speaker")
def add_request(tx: Tx, item_id: int, person_id: int, **fields: Any) -> int:
    """Put a participant in an item's queue (at the end); returns the request id."""
    item = tx.get(m.AgendaItem, item_id, "agenda item")
    person = tx.get(m.Person, person_id, "person")
    if person.meeting_id != item.meeting_id:
        raise OperationRefused(f"{person.full_name} is not a participant of this meeting")
    if item.status in ("done", "skipped"):
        raise OperationRefused(f"item {item.number or item.position} is closed; no new speakers")
    tx.meeting_id = item.meeting_id
    values = ed.checked(fields, REQUEST_FIELDS, "speaker")
    _check_refs(tx, item.meeting_id, values)
    if "meeting_endpoint_id" not in values:
        values["meeting_endpoint_id"] = person.meeting_endpoint_id
    pos = tx.session.execute(
        select(func.coalesce(func.max(m.SpeakerRequest.position), 0)).where(m.SpeakerRequest.agenda_item_id == item_id)
    ).scalar_one()
    req = m.SpeakerRequest(meeting_id=item.meeting_id, agenda_item_id=item_id, person_id=person_id,
                           position=pos + 1, status="queued", requested_at=tx.now, **values)
    return tx.add(req).id


@operation("Edit speaker request")
def update_request(tx: Tx, request_id: int, **fields: Any) -> None:
    r = tx.get(m.SpeakerRequest, request_id, "speaker request")
    tx.meeting_id = r.meeting_id
    _check_refs(tx, r.meeting_id, ed.checked(fields, REQUEST_FIELDS, "speaker"))
    ed.apply_fields(r, fields, REQUEST_FIELDS, "speaker")


@operation("Remove speaker request")
def remove_request(tx: Tx, request_id: int) -> None:
    """Refused once the speaker has spoken (mark withdrawn instead)."""
    r = tx.get(m.SpeakerRequest, request_id, "speaker request")
    tx.meeting_id = r.meeting_id
    if r.actual_start is not None:
        raise OperationRefused("this speaker has spoken; the record needs the speech")
    queue = [q for q in queue_of(tx, r.agenda_item_id) if q.id != r.id]
    tx.delete(r)
    compact(queue)


@operation("Move speaker in queue")
def move_request(tx: Tx, request_id: int, index: int) -> None:
    """Move a waiting request to ``index`` (0-based) in its item's queue."""
    r = tx.get(m.SpeakerRequest, request_id, "speaker request")
    tx.meeting_id = r.meeting_id
    if r.position is None:
        raise OperationRefused("only a waiting speaker can be moved in the queue")
    queue = queue_of(tx, r.agenda_item_id)
    queue.remove(r)
    queue.insert(max(0, min(index, len(queue))), r)
    compact(queue)
