"""Operations on a meeting's own details."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from meeting_console.core import editing as ed
from meeting_console.core import vocab
from meeting_console.core.api import Tx, operation
from meeting_console.core.concurrency import changed_by, merge_seen
from meeting_console.i18n import N_
from meeting_console.store import models as m

MEETING_FIELDS: dict[str, ed.Check] = {
    "title": ed.text(500, required=True),
    "number": ed.text(100),
    "parent_body": ed.text(300),
    "issuing_body": ed.text(300),
    "body_type": ed.choice(vocab.BODY_TYPES),
    "record_number": ed.text(100),
    "date": ed.day(),
    "place": ed.text(500),
    "city": ed.text(200),
    "timezone": ed.timezone(),
    "form": ed.choice(vocab.MEETING_FORMS),
    "language": ed.choice(vocab.LANGUAGES),
    "summary": ed.text(5000, multiline=True),
    "closing_remarks": ed.text(20000, multiline=True),
    "distribution": ed.text(5000, multiline=True),
    "default_speaking_minutes": ed.integer(1, 240),
    "probe_interval_s": ed.integer(1, 3600),
    "probe_timeout_s": ed.integer(1, 60),
    "probe_fail_threshold": ed.integer(1, 100),
    "probe_recover_threshold": ed.integer(1, 100),
    "status_feed_url": ed.text(1000),
}


@operation(N_("New meeting"))
def create_meeting(tx: Tx, title: str, meeting_date: date, **fields: Any) -> int:
    """Create an empty draft meeting; returns its id."""
    values = ed.checked({"title": title, "date": meeting_date, **fields}, MEETING_FIELDS, "meeting")
    meeting = tx.add(m.Meeting(created_at=tx.now, **values))
    tx.meeting_id = meeting.id
    return meeting.id


@operation(N_("Edit meeting details"))
def update_meeting(tx: Tx, meeting_id: int, *, seen: dict[str, Any] | None = None, **fields: Any) -> None:
    """Change any of the meeting's details (title, bodies, date, place, form …). ``seen``: the
    values the form showed (a field another console changed since: ``Conflict``)."""
    meeting = tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    fields = merge_seen(meeting.title, lambda k: getattr(meeting, k), fields, seen, MEETING_FIELDS,
                        lambda f: changed_by(tx, "meeting", meeting_id, meeting_id, f))
    ed.apply_fields(meeting, fields, MEETING_FIELDS, "meeting")


@operation(N_("Delete meeting"))
def delete_meeting(tx: Tx, meeting_id: int) -> None:
    """Delete a meeting and everything in it (undoable: every row goes into the journal)."""
    meeting = tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    s = tx.session
    me_ids = list(s.scalars(select(m.MeetingEndpoint.id).where(m.MeetingEndpoint.meeting_id == meeting_id)))
    for model, cond in (
        (m.AwardGrant, m.AwardGrant.meeting_id == meeting_id),
        (m.SpeakerRequest, m.SpeakerRequest.meeting_id == meeting_id),
        (m.AgendaItem, m.AgendaItem.meeting_id == meeting_id),
        (m.EndpointStatusEvent, m.EndpointStatusEvent.meeting_endpoint_id.in_(me_ids)),
        (m.Person, m.Person.meeting_id == meeting_id),
        (m.MeetingEndpoint, m.MeetingEndpoint.meeting_id == meeting_id),
        (m.Organisation, m.Organisation.meeting_id == meeting_id),
    ):
        for obj in s.scalars(select(model).where(cond)):
            s.delete(obj)
        s.flush()
    s.delete(meeting)
    s.flush()
