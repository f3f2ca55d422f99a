"""Participants (people) and collectives (organisations) of a meeting."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from meeting_console.core import editing as ed
from meeting_console.core import vocab
from meeting_console.core.api import Tx, operation
from meeting_console.errors import OperationRefused
from meeting_console.i18n import N_, _
from meeting_console.store import models as m

PERSON_FIELDS: dict[str, ed.Check] = {
    "full_name": ed.text(300, required=True),
    "posts": ed.text_list(500),
    "organisation_id": ed.reference(),
    "category": ed.choice(vocab.PERSON_CATEGORIES),
    "chair_order": ed.integer(1, 100, optional=True),
    "is_recorder": ed.boolean(),
    "meeting_endpoint_id": ed.reference(),
    "attendance": ed.choice(vocab.ATTENDANCE),
    "absence_reason": ed.text(500),
    "note": ed.text(5000, multiline=True),
}

ORG_FIELDS: dict[str, ed.Check] = {
    "name": ed.text(500, required=True),
    "note": ed.text(5000, multiline=True),
}


def _check_refs(tx: Tx, meeting_id: int, values: dict[str, Any]) -> None:
    org = values.get("organisation_id")
    if org is not None:
        o = tx.session.get(m.Organisation, org)
        if o is None or o.meeting_id != meeting_id:
            raise OperationRefused(_("organisation: {org} is not an organisation of this meeting").format(org=org))
    me = values.get("meeting_endpoint_id")
    if me is not None:
        e = tx.session.get(m.MeetingEndpoint, me)
        if e is None or e.meeting_id != meeting_id:
            raise OperationRefused(_("endpoint: {me} does not take part in this meeting").format(me=me))


def _one_recorder(tx: Tx, meeting_id: int, keep: m.Person) -> None:
    for p in tx.session.scalars(select(m.Person).where(m.Person.meeting_id == meeting_id, m.Person.is_recorder.is_(True))):
        if p.id != keep.id:
            p.is_recorder = False


@operation(N_("Add person"))
def add_person(tx: Tx, meeting_id: int, full_name: str, **fields: Any) -> int:
    """A participant with their post(s); returns the person's id."""
    tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    values = ed.checked({"full_name": full_name, **fields}, PERSON_FIELDS, "person")
    _check_refs(tx, meeting_id, values)
    p = tx.add(m.Person(meeting_id=meeting_id, **values))
    if p.is_recorder:
        _one_recorder(tx, meeting_id, p)
    return p.id


@operation(N_("Edit person"))
def update_person(tx: Tx, person_id: int, **fields: Any) -> None:
    p = tx.get(m.Person, person_id, "person")
    tx.meeting_id = p.meeting_id
    _check_refs(tx, p.meeting_id, ed.checked(fields, PERSON_FIELDS, "person"))
    ed.apply_fields(p, fields, PERSON_FIELDS, "person")
    if p.is_recorder:
        _one_recorder(tx, p.meeting_id, p)


@operation(N_("Remove person"))
def remove_person(tx: Tx, person_id: int) -> None:
    """Refused when the person has spoken or receives an award: the record needs them."""
    p = tx.get(m.Person, person_id, "person")
    tx.meeting_id = p.meeting_id
    s = tx.session
    if s.scalars(select(m.SpeakerRequest).where(m.SpeakerRequest.person_id == person_id,
                                               m.SpeakerRequest.actual_start.is_not(None))).first():
        raise OperationRefused(_("{full_name} has spoken in this meeting; the record needs them").format(full_name=p.full_name))
    if s.scalars(select(m.AwardGrant).where(m.AwardGrant.recipient_person_id == person_id)).first():
        raise OperationRefused(_("{full_name} receives an award; remove the award first").format(full_name=p.full_name))
    from meeting_console.core.speakers import drop_person_requests

    drop_person_requests(tx, person_id)  # and close the gaps their requests leave in the queues
    for it in s.scalars(select(m.AgendaItem).where(m.AgendaItem.presenter_id == person_id)):
        it.presenter_text = it.presenter_text or p.full_name
        it.presenter_id = None
    for g in s.scalars(select(m.AwardGrant).where(m.AwardGrant.presenter_id == person_id)):
        g.presenter_text = g.presenter_text or p.full_name
        g.presenter_id = None
    s.flush()
    tx.delete(p)


@operation(N_("Add organisation"))
def add_organisation(tx: Tx, meeting_id: int, name: str, **fields: Any) -> int:
    tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    values = ed.checked({"name": name, **fields}, ORG_FIELDS, "organisation")
    if tx.session.scalars(select(m.Organisation).where(m.Organisation.meeting_id == meeting_id,
                                                      m.Organisation.name == values["name"])).first():
        raise OperationRefused(_("name: organisation {values} exists already").format(values=repr(values['name'])))
    return tx.add(m.Organisation(meeting_id=meeting_id, **values)).id


@operation(N_("Edit organisation"))
def update_organisation(tx: Tx, organisation_id: int, **fields: Any) -> None:
    o = tx.get(m.Organisation, organisation_id, "organisation")
    tx.meeting_id = o.meeting_id
    ed.apply_fields(o, fields, ORG_FIELDS, "organisation")


@operation(N_("Remove organisation"))
def remove_organisation(tx: Tx, organisation_id: int) -> None:
    o = tx.get(m.Organisation, organisation_id, "organisation")
    tx.meeting_id = o.meeting_id
    s = tx.session
    if s.scalars(select(m.AwardGrant).where(m.AwardGrant.recipient_org_id == organisation_id)).first():
        raise OperationRefused(_("{name} receives an award; remove the award first").format(name=o.name))
    for p in s.scalars(select(m.Person).where(or_(m.Person.organisation_id == organisation_id))):
        p.organisation_id = None
    s.flush()
    tx.delete(o)
