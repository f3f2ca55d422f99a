"""Agenda items: planning edits (live operations build on these)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from meeting_console.core import editing as ed
from meeting_console.core import vocab
from meeting_console.core.api import Tx, operation
from meeting_console.errors import OperationRefused
from meeting_console.store import models as m

ITEM_FIELDS: dict[str, ed.Check] = {
    "number": ed.text(20),
    "title": ed.text(2000, required=True),
    "kind": ed.choice(vocab.ITEM_KINDS),
    "presenter_id": ed.reference(),
    "presenter_text": ed.text(500),
    "planned_start": ed.moment(),
    "planned_minutes": ed.integer(0, 24 * 60),
    "speaking_minutes": ed.integer(1, 240, optional=True),
    "notes": ed.text(20000, multiline=True),
}


def items_of(tx: Tx, meeting_id: int) -> list[m.AgendaItem]:
    return list(
        tx.session.scalars(
            select(m.AgendaItem).where(m.AgendaItem.meeting_id == meeting_id).order_by(m.AgendaItem.position, m.AgendaItem.id)
        )
    )


def renumber(items: list[m.AgendaItem]) -> None:
    """Positions 1..n in list order."""
    for i, it in enumerate(items, start=1):
        if it.position != i:
            it.position = i


def check_person(tx: Tx, meeting_id: int, person_id: int | None, field: str) -> None:
    if person_id is None:
        return
    p = tx.session.get(m.Person, person_id)
    if p is None or p.meeting_id != meeting_id:
        raise OperationRefused(f"{field}: person {person_id} is not a participant of this meeting")


@operation("Add agenda item")
def add_item(tx: Tx, meeting_id: int, title: str, *, index: int | None = None, **fields: Any) -> int:
    """Insert an item at ``index`` (0-based; default: at the end). Returns the new item's id."""
    meeting = tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    values = ed.checked({"title": title, **fields}, ITEM_FIELDS, "agenda item")
    check_person(tx, meeting_id, values.get("presenter_id"), "presenter")
    items = items_of(tx, meeting_id)
    index = len(items) if index is None else max(0, min(index, len(items)))
    item = m.AgendaItem(
        meeting_id=meeting_id, position=len(items) + 1,
        unplanned=meeting.status != "draft", **values,
    )
    tx.add(item)
    items.insert(index, item)
    renumber(items)
    return item.id


@operation("Edit agenda item")
def update_item(tx: Tx, item_id: int, **fields: Any) -> None:
    """Change an item's title, number, kind, presenter, planned time or notes."""
    item = tx.get(m.AgendaItem, item_id, "agenda item")
    tx.meeting_id = item.meeting_id
    if "presenter_id" in fields:
        check_person(tx, item.meeting_id, fields["presenter_id"], "presenter")
    ed.apply_fields(item, fields, ITEM_FIELDS, "agenda item")


@operation("Remove agenda item")
def remove_item(tx: Tx, item_id: int) -> None:
    """Remove a pending item with its waiting speaker requests and unpresented grants' link."""
    item = tx.get(m.AgendaItem, item_id, "agenda item")
    tx.meeting_id = item.meeting_id
    if item.status != "pending":
        raise OperationRefused(f"item {item.number or item.position} is {item.status}; only a pending item can be removed")
    s = tx.session
    spoken = s.scalars(
        select(m.SpeakerRequest).where(
            m.SpeakerRequest.agenda_item_id == item_id, m.SpeakerRequest.actual_start.is_not(None)
        )
    ).first()
    if spoken is not None:
        raise OperationRefused("the item has speeches on record; it cannot be removed")
    for r in s.scalars(select(m.SpeakerRequest).where(m.SpeakerRequest.agenda_item_id == item_id)):
        s.delete(r)
    for g in s.scalars(select(m.AwardGrant).where(m.AwardGrant.agenda_item_id == item_id)):
        g.agenda_item_id = None
    s.flush()
    items = [it for it in items_of(tx, item.meeting_id) if it.id != item_id]
    tx.delete(item)
    renumber(items)


@operation("Move agenda item")
def move_item(tx: Tx, item_id: int, index: int) -> None:
    """Move an item to ``index`` (0-based) in the agenda."""
    item = tx.get(m.AgendaItem, item_id, "agenda item")
    tx.meeting_id = item.meeting_id
    items = items_of(tx, item.meeting_id)
    items.remove(item)
    index = max(0, min(index, len(items)))
    items.insert(index, item)
    renumber(items)
