"""Award grants of a meeting: registration and editing.

A new award takes its place in the ceremony by precedence (``core.ceremony`` holds the
ordering rules, the hand adjustments and the live run); an award given a ``group_no`` of an
existing group joins that presentation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from meeting_console.core import ceremony as cer
from meeting_console.core import editing as ed
from meeting_console.core import vocab
from meeting_console.core.api import Tx, operation
from meeting_console.core.concurrency import changed_by, merge_seen
from meeting_console.errors import OperationRefused
from meeting_console.i18n import N_, _
from meeting_console.store import models as m

GRANT_FIELDS: dict[str, ed.Check] = {
    "award_type_id": ed.reference(optional=False),
    "recipient_kind": ed.choice(vocab.RECIPIENT_KINDS),
    "recipient_person_id": ed.reference(),
    "recipient_org_id": ed.reference(),
    "recipient_post": ed.text(2000),
    "posthumous": ed.boolean(),
    "received_by": ed.text(500),
    "presenter_id": ed.reference(),
    "presenter_text": ed.text(500),
    "decision_number": ed.text(100),
    "decision_date": ed.day(optional=True),
    "citation": ed.text(20000, multiline=True),
    "meeting_endpoint_id": ed.reference(),
    "agenda_item_id": ed.reference(),
    "group_no": ed.integer(0),
}


def check_grant(tx: Tx, g: m.AwardGrant) -> None:
    """The rules a grant obeys whatever edit produced it."""
    s = tx.session
    if s.get(m.AwardType, g.award_type_id) is None:
        raise OperationRefused(_("award type: unknown id {award_type_id}").format(award_type_id=g.award_type_id))
    if g.recipient_kind == "individual":
        p = s.get(m.Person, g.recipient_person_id) if g.recipient_person_id else None
        if p is None or p.meeting_id != g.meeting_id:
            raise OperationRefused(_("recipient: an individual grant needs a participant of this meeting"))
        if g.recipient_org_id is not None:
            g.recipient_org_id = None
    else:
        o = s.get(m.Organisation, g.recipient_org_id) if g.recipient_org_id else None
        if o is None or o.meeting_id != g.meeting_id:
            raise OperationRefused(_("recipient: a collective grant needs an organisation of this meeting"))
        if g.recipient_post:
            raise OperationRefused(_("recipient post: a collective has no post"))
        if g.posthumous:
            raise OperationRefused(_("posthumous: only an individual can be honoured posthumously"))
        if g.recipient_person_id is not None:
            g.recipient_person_id = None
    if g.posthumous and not g.received_by:
        raise OperationRefused(_("received by: a posthumous award needs the relative or representative who receives it"))
    for field, ref, model in (("presenter", g.presenter_id, m.Person),
                              ("endpoint", g.meeting_endpoint_id, m.MeetingEndpoint),
                              ("agenda item", g.agenda_item_id, m.AgendaItem)):
        if ref is not None:
            obj = s.get(model, ref)
            if obj is None or getattr(obj, "meeting_id", None) != g.meeting_id:
                raise OperationRefused(_("{field}: {ref} is not part of this meeting").format(field=field, ref=ref))


@operation(N_("Add award"))
def add_grant(tx: Tx, meeting_id: int, award_type_id: int, **fields: Any) -> int:
    """An award to present in this meeting; returns the grant's id.

    It goes into the group ``group_no`` when that group exists, else it is presented on its
    own, placed by precedence: after the awards of the same or higher rank (and after every
    group already presented), so a hand-made order of the others stays as it is."""
    tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    values = ed.checked({"award_type_id": award_type_id, **fields}, GRANT_FIELDS, "award")
    values.setdefault("recipient_kind", "individual")  # column defaults apply only at flush
    requested = values.pop("group_no", None)
    # column defaults apply only at flush; the checks below read these before it
    defaults = {"posthumous": False, "recipient_post": "", "received_by": ""}
    g = m.AwardGrant(meeting_id=meeting_id, ceremony_position=0, group_no=0, **{**defaults, **values})
    check_grant(tx, g)
    tx.add(g)
    cer.place_new(tx, g, requested)
    return g.id


@operation(N_("Edit award"))
def update_grant(tx: Tx, grant_id: int, *, seen: dict[str, Any] | None = None, **fields: Any) -> None:
    """``seen``: the values the form showed; a field another console changed since is refused
    (``Conflict``), one the user left as it was is not written back."""
    g = tx.get(m.AwardGrant, grant_id, "award")
    tx.meeting_id = g.meeting_id
    fields = merge_seen(_("award {id}").format(id=grant_id), lambda k: getattr(g, k), fields, seen,
                        GRANT_FIELDS, lambda f: changed_by(tx, "award_grant", g.id, g.meeting_id, f))
    before = g.group_no
    ed.apply_fields(g, fields, GRANT_FIELDS, "award")
    check_grant(tx, g)
    if g.group_no != before:
        cer.regroup(tx, g)


@operation(N_("Remove award"))
def remove_grant(tx: Tx, grant_id: int) -> None:
    g = tx.get(m.AwardGrant, grant_id, "award")
    tx.meeting_id = g.meeting_id
    if g.presented_at is not None:
        raise OperationRefused(_("this award has been presented; the record needs it"))
    tx.delete(g)
    cer.renumber(cer.grouped(tx.session.scalars(
        select(m.AwardGrant).where(m.AwardGrant.meeting_id == g.meeting_id))))
