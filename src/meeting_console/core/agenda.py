"""Agenda items: planning edits, and the live agenda (start, next, pause, extend, skip, insert,
close) with its checks. Every operation is one journaled, undoable transaction; the times it
records come from the injected clock (``tx.now``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, or_, select

from meeting_console.core import editing as ed
from meeting_console.core import reads, vocab
from meeting_console.core.api import Core, Tx, operation
from meeting_console.core.concurrency import Conflict, changed_by, merge_seen
from meeting_console.core.timefmt import hhmm
from meeting_console.core.words import word
from meeting_console.errors import OperationRefused
from meeting_console.i18n import N_, _
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


# --- statuses -------------------------------------------------------------------------------
#
# Statuses: pending → running ⇄ paused → done; pending ⇄ skipped. At most one item of a meeting
# is running or paused (the *current* item); the actual times of started items never overlap,
# because an item only starts once the current one is closed, and every time an operation
# records is checked against the last time already recorded (a clock set back is refused).

CURRENT = ("running", "paused")
STARTED = ("running", "paused", "done")


def item_name(item: m.AgendaItem) -> str:
    """"3. Báo cáo công tác kiểm tra…" — how labels and messages name an item."""
    title = item.title if len(item.title) <= 60 else item.title[:59].rstrip() + "…"
    return f"{item.number or item.position}. {title}"


def _meeting(tx: Tx, meeting_id: int) -> m.Meeting:
    meeting = tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    return meeting


def _item(tx: Tx, item_id: int) -> tuple[m.AgendaItem, m.Meeting]:
    item = tx.get(m.AgendaItem, item_id, "agenda item")
    return item, _meeting(tx, item.meeting_id)


def _not_closed(meeting: m.Meeting, doing: str) -> None:
    if meeting.status == "closed":
        raise OperationRefused(
            _("cannot {doing}: the meeting was closed at {value} (undo the closing to reopen it)").format(doing=doing, value=hhmm(meeting.actual_end, meeting.timezone) or '—')
        )


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
        raise OperationRefused(_("{field}: person {person_id} is not a participant of this meeting").format(field=field, person_id=person_id))


@operation(N_("Add agenda item"))
def add_item(tx: Tx, meeting_id: int, title: str, *, index: int | None = None, **fields: Any) -> int:
    """Insert an item at ``index`` (0-based; default: at the end). Returns the new item's id."""
    meeting = tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    _not_closed(meeting, _("add an item"))
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


@operation(N_("Edit agenda item"))
def update_item(tx: Tx, item_id: int, *, seen: dict[str, Any] | None = None, **fields: Any) -> None:
    """Change an item's title, number, kind, presenter, planned time or notes. Title, presenter
    and notes stay editable while live; the plan of a started item is history (extend the
    running item instead). ``seen``: the values the form showed (``core.concurrency``)."""
    item = tx.get(m.AgendaItem, item_id, "agenda item")
    tx.meeting_id = item.meeting_id
    fields = merge_seen(_("item {item}").format(item=item_name(item)), lambda k: getattr(item, k), fields,
                        seen, ITEM_FIELDS, lambda f: changed_by(tx, "agenda_item", item.id, item.meeting_id, f))
    if item.status in STARTED:
        plan = sorted(f for f in ("planned_start", "planned_minutes") if f in fields
                      and fields[f] != getattr(item, f))
        if plan:
            raise OperationRefused(
                _("{fields}: item {item} is {status}; its plan is kept as it was (extend the running item to give it more time)").format(fields=', '.join(plan), item=item_name(item), status=word(item.status))
            )
    if "presenter_id" in fields:
        check_person(tx, item.meeting_id, fields["presenter_id"], "presenter")
    ed.apply_fields(item, fields, ITEM_FIELDS, "agenda item")


@operation(N_("Remove agenda item"))
def remove_item(tx: Tx, item_id: int) -> None:
    """Remove a pending item with its waiting speaker requests and unpresented grants' link."""
    item = tx.get(m.AgendaItem, item_id, "agenda item")
    tx.meeting_id = item.meeting_id
    if item.status != "pending":
        raise OperationRefused(_("item {value} is {status}; only a pending item can be removed").format(value=item.number or item.position, status=word(item.status)))
    s = tx.session
    spoken = s.scalars(
        select(m.SpeakerRequest).where(
            m.SpeakerRequest.agenda_item_id == item_id, m.SpeakerRequest.actual_start.is_not(None)
        )
    ).first()
    if spoken is not None:
        raise OperationRefused(_("the item has speeches on record; it cannot be removed"))
    for r in s.scalars(select(m.SpeakerRequest).where(m.SpeakerRequest.agenda_item_id == item_id)):
        s.delete(r)
    for g in s.scalars(select(m.AwardGrant).where(m.AwardGrant.agenda_item_id == item_id)):
        g.agenda_item_id = None
    s.flush()
    items = [it for it in items_of(tx, item.meeting_id) if it.id != item_id]
    tx.delete(item)
    renumber(items)


@operation(N_("Move agenda item"))
def move_item(tx: Tx, item_id: int, index: int) -> None:
    """Move an item to ``index`` (0-based) in the agenda. Only a pending (or skipped) item
    moves, and never past an item that has started: what was held stays where it was."""
    item = tx.get(m.AgendaItem, item_id, "agenda item")
    tx.meeting_id = item.meeting_id
    if item.status in STARTED:
        raise OperationRefused(
            _("item {item} is {status}; only pending items can be reordered").format(item=item_name(item), status=word(item.status))
        )
    items = items_of(tx, item.meeting_id)
    old = items.index(item)
    items.remove(item)
    index = max(0, min(index, len(items)))
    # the items it would pass, nearest first
    passed = items[index:old][::-1] if index < old else items[old:index]
    held = next((it for it in passed if it.status in STARTED), None)
    if held is not None:
        raise OperationRefused(
            _("item {item} cannot move past item {item2}, which is {status}").format(item=item_name(item), item2=item_name(held), status=word(held.status))
        )
    items.insert(index, item)
    renumber(items)


# --- the live agenda ------------------------------------------------------------------------


def _current(tx: Tx, meeting_id: int) -> m.AgendaItem | None:
    return tx.session.scalars(
        select(m.AgendaItem).where(
            m.AgendaItem.meeting_id == meeting_id, m.AgendaItem.status.in_(CURRENT)
        ).order_by(m.AgendaItem.position).limit(1)
    ).first()


def _check_clock(tx: Tx, meeting: m.Meeting, latest_times: Any = None) -> None:
    """Refuse to record a time earlier than one already recorded: the system clock was set
    back (or another console's clock is ahead). Recording it would make times overlap.
    ``latest_times``: the items' latest (start, end, pause) when the caller read them already."""
    it = m.AgendaItem
    if latest_times is None:
        latest_times = tx.session.execute(
            select(func.max(it.actual_start), func.max(it.actual_end), func.max(it.paused_at))
            .where(it.meeting_id == meeting.id)
        ).one()
    # aggregates come back as stored (naive UTC): compare through the column type's rule
    stamps = [meeting.actual_start] + [_utc(t) for t in latest_times]
    if all(t is None or tx.now >= t for t in stamps):
        return
    latest: datetime | None = meeting.actual_start
    what = "the start of the meeting"
    rows = tx.session.execute(
        select(it.number, it.position, it.actual_start, it.actual_end, it.paused_at)
        .where(it.meeting_id == meeting.id, it.actual_start.is_not(None))
        .order_by(it.actual_start)
    ).all()
    for number, position, *times in rows:
        for label, t in zip(("start", "end", "pause"), times, strict=True):
            if t is not None and (latest is None or t >= latest):
                latest, what = t, f"the {label} of item {number or position}"
    if latest is not None and tx.now < latest:
        tz = meeting.timezone
        raise OperationRefused(
            _("the clock reads {time}, earlier than {what} ({time2}); has the system time been changed? Nothing was recorded").format(time=hhmm(tx.now, tz, seconds=True), what=what, time2=hhmm(latest, tz, seconds=True))
        )


def _utc(t: Any) -> datetime | None:
    if t is None:
        return None
    if isinstance(t, str):  # SQLite hands aggregates of datetimes back as text
        t = datetime.fromisoformat(t)
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def _open_meeting(tx: Tx, meeting: m.Meeting) -> None:
    if meeting.status == "draft":
        meeting.status = "live"
        meeting.actual_start = tx.now


def _close(tx: Tx, item: m.AgendaItem) -> None:
    if item.status == "paused" and item.paused_at is not None:
        item.paused_seconds = (item.paused_seconds or 0) + _seconds(item.paused_at, tx.now)
        item.paused_at = None
    item.status = "done"
    item.actual_end = tx.now


def _seconds(since: datetime, until: datetime) -> int:
    return max(int(round((until - since).total_seconds())), 0)


_UNKNOWN: Any = object()


def _start(tx: Tx, meeting: m.Meeting, item: m.AgendaItem, current: Any = _UNKNOWN) -> None:
    """Start ``item``; ``current``, when the caller has already looked it up, is the item
    running now (or None)."""
    if item.status in CURRENT:
        raise OperationRefused(_("item {item} is already {status}").format(item=item_name(item), status=word(item.status)))
    if item.status == "done":
        raise OperationRefused(
            _("item {item} was held {time}–{time2}; it cannot start again").format(item=item_name(item), time=hhmm(item.actual_start, meeting.timezone), time2=hhmm(item.actual_end, meeting.timezone))
        )
    _open_meeting(tx, meeting)
    if current is _UNKNOWN:
        current = _current(tx, meeting.id)
    if current is not None:
        _close(tx, current)
    item.status = "running"
    item.actual_start = tx.now
    item.actual_end = None
    item.paused_at = None
    item.paused_seconds = 0


def _next_pending(tx: Tx, meeting_id: int) -> m.AgendaItem | None:
    return tx.session.scalars(
        select(m.AgendaItem).where(
            m.AgendaItem.meeting_id == meeting_id, m.AgendaItem.status == "pending"
        ).order_by(m.AgendaItem.position, m.AgendaItem.id).limit(1)
    ).first()


@operation(N_("Start meeting"))
def start_meeting(tx: Tx, meeting_id: int) -> None:
    """Open the meeting now (its actual start) without starting an item."""
    meeting = _meeting(tx, meeting_id)
    _not_closed(meeting, _("start the meeting"))
    if meeting.status == "live":
        raise OperationRefused(
            _("the meeting is already running since {time}").format(time=hhmm(meeting.actual_start, meeting.timezone))
        )
    _check_clock(tx, meeting)
    _open_meeting(tx, meeting)


@operation(N_("Start item"))
def start_item(tx: Tx, item_id: int) -> None:
    """Start a pending (or skipped) item now. The current item, if any, is closed first; a
    meeting not yet started starts with it."""
    item, meeting = _item(tx, item_id)
    _not_closed(meeting, _("start item {item}").format(item=item_name(item)))
    _check_clock(tx, meeting)
    _start(tx, meeting, item)
    tx.label = _("Start item {item}").format(item=item_name(item))


def _moved_on(tx: Tx, meeting: m.Meeting, current: m.AgendaItem | None, expected: int | None) -> None:
    seen = tx.session.get(m.AgendaItem, expected) if expected is not None else None
    saw = (_("item {item} running").format(item=item_name(seen)) if seen is not None
           else _("no item running"))
    if current is None:
        now = _("no item is running now")
    else:
        now = _("item {item} is {status} now, since {time}").format(
            item=item_name(current), status=word(current.status),
            time=hhmm(current.actual_start, meeting.timezone))
    raise Conflict(
        _("the agenda moved on at another console: {now} (this console showed {saw}). "
          "Nothing was changed; press again to go on from here").format(now=now, saw=saw)
    )


_NEXT: dict[str, Any] = {}


def _next_statements() -> dict[str, Any]:
    """``next_item``'s statements, built once (SQLAlchemy then finds their compiled form from
    the statement object itself)."""
    if not _NEXT:
        it, mt = m.AgendaItem, m.Meeting
        mid = bindparam("meeting_id")

        def latest(col: Any) -> Any:
            return select(func.max(col)).where(it.meeting_id == mt.id).scalar_subquery()

        _NEXT["meeting"] = select(mt, latest(it.actual_start), latest(it.actual_end),
                                  latest(it.paused_at)).where(mt.id == mid)
        _NEXT["first_two"] = (
            # (equalities, not IN: an IN list is expanded into the SQL at every execution)
            select(it).where(it.meeting_id == mid, or_(*(it.status == st for st in (*CURRENT, "pending"))))
            .order_by((it.status == "pending").asc(), it.position, it.id).limit(2))
    return _NEXT


@operation(N_("Next item"))
def next_item(tx: Tx, meeting_id: int, *, expected_current: Any = _UNKNOWN) -> int | None:
    """Close the current item and start the first pending one (one key). With nothing
    current it starts the first pending item; with nothing pending it only closes the
    current one. Returns the id of the item started (None when none was).

    ``expected_current``: the id of the item the console showed running (None: none). When
    another console has moved the agenda on since, refused with a ``Conflict`` naming the
    item running now, so that two presses at two consoles never skip an item."""
    # a key press: two prebuilt queries (no statement built, no cache key computed): the
    # meeting with its items' latest recorded times (for the clock check), then the current
    # item (if any) and the first pending one
    q = _next_statements()
    found = tx.session.execute(q["meeting"], {"meeting_id": meeting_id}).first()
    if found is None:
        tx.get(m.Meeting, meeting_id, "meeting")  # raises NotFound
    meeting, *latest_times = found
    tx.meeting_id = meeting_id
    _not_closed(meeting, _("go to the next item"))
    first_two = tx.session.scalars(q["first_two"], {"meeting_id": meeting_id}).all()
    current = next((x for x in first_two if x.status in CURRENT), None)
    nxt = next((x for x in first_two if x.status == "pending"), None)
    if expected_current is not _UNKNOWN and (current.id if current else None) != expected_current:
        _moved_on(tx, meeting, current, expected_current)
    if current is None and nxt is None:
        raise OperationRefused(_("no item is running and none is pending; close the meeting instead"))
    _check_clock(tx, meeting, latest_times)
    if nxt is None:
        assert current is not None
        _close(tx, current)
        tx.label = _("Close item {item} (the last one)").format(item=item_name(current))
        return None
    _start(tx, meeting, nxt, current)
    tx.label = _("Next item: {item}").format(item=item_name(nxt))
    return nxt.id


@operation(N_("Close item"))
def close_item(tx: Tx, item_id: int) -> None:
    """End the running (or paused) item now, without starting another."""
    item, meeting = _item(tx, item_id)
    if item.status not in CURRENT:
        raise OperationRefused(_("item {item} is {status}, not running; nothing to close").format(item=item_name(item), status=word(item.status)))
    _check_clock(tx, meeting)
    _close(tx, item)
    tx.label = _("Close item {item}").format(item=item_name(item))


@operation(N_("Pause item"))
def pause_item(tx: Tx, item_id: int) -> None:
    """Pause the running item (a recess): its countdown stops until it resumes."""
    item, meeting = _item(tx, item_id)
    if item.status != "running":
        raise OperationRefused(_("item {item} is {status}; only a running item can pause").format(item=item_name(item), status=word(item.status)))
    _check_clock(tx, meeting)
    item.status = "paused"
    item.paused_at = tx.now
    tx.label = _("Pause (recess) {item}").format(item=item_name(item))


@operation(N_("Resume item"))
def resume_item(tx: Tx, item_id: int) -> None:
    """Resume a paused item; the pause is added to its paused time."""
    item, meeting = _item(tx, item_id)
    if item.status != "paused" or item.paused_at is None:
        raise OperationRefused(_("item {item} is {status}, not paused").format(item=item_name(item), status=word(item.status)))
    _check_clock(tx, meeting)
    item.paused_seconds = (item.paused_seconds or 0) + _seconds(item.paused_at, tx.now)
    item.paused_at = None
    item.status = "running"
    tx.label = _("Resume {item}").format(item=item_name(item))


@operation(N_("Pause or resume"))
def toggle_pause(tx: Tx, meeting_id: int) -> str:
    """Pause the running item, or resume the paused one (one key). Returns the new status."""
    meeting = _meeting(tx, meeting_id)
    _not_closed(meeting, _("pause"))
    item = _current(tx, meeting_id)
    if item is None:
        raise OperationRefused(_("no item is running; there is nothing to pause"))
    _check_clock(tx, meeting)
    if item.status == "running":
        item.status = "paused"
        item.paused_at = tx.now
        tx.label = _("Pause (recess) {item}").format(item=item_name(item))
    else:
        item.paused_seconds = (item.paused_seconds or 0) + _seconds(item.paused_at or tx.now, tx.now)
        item.paused_at = None
        item.status = "running"
        tx.label = _("Resume {item}").format(item=item_name(item))
    return item.status


MAX_EXTENSION = 240


def _extend(tx: Tx, item: m.AgendaItem, minutes: int) -> None:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise OperationRefused(_("minutes: expected a whole number, got {minutes}").format(minutes=repr(minutes)))
    if not 1 <= minutes <= MAX_EXTENSION:
        raise OperationRefused(_("minutes: an extension is 1 to {most} minutes, got {minutes}").format(most=MAX_EXTENSION, minutes=minutes))
    if item.status not in CURRENT:
        raise OperationRefused(
            _("item {item} is {status}; only the running item can be extended (change a pending item's planned minutes instead)").format(item=item_name(item), status=word(item.status))
        )
    item.extended_minutes = (item.extended_minutes or 0) + minutes
    tx.label = _("Extend {item} by {minutes} min").format(item=item_name(item), minutes=minutes)


@operation(N_("Extend item"))
def extend_item(tx: Tx, item_id: int, minutes: int) -> None:
    """Give the running (or paused) item ``minutes`` more (1–240)."""
    item, meeting = _item(tx, item_id)
    _not_closed(meeting, _("extend an item"))
    _extend(tx, item, minutes)


@operation(N_("Extend running item"))
def extend_current(tx: Tx, meeting_id: int, minutes: int) -> int:
    """Extend whichever item is running (or paused) now; returns its id."""
    meeting = _meeting(tx, meeting_id)
    _not_closed(meeting, _("extend an item"))
    item = _current(tx, meeting_id)
    if item is None:
        raise OperationRefused(_("no item is running; there is nothing to extend"))
    _extend(tx, item, minutes)
    return item.id


@operation(N_("Skip item"))
def skip_item(tx: Tx, item_id: int) -> None:
    """Mark a pending item as not taken up (it can be started or restored later)."""
    item, meeting = _item(tx, item_id)
    _not_closed(meeting, _("skip an item"))
    if item.status != "pending":
        hint = {"running": "; close it instead", "paused": "; close it instead",
                "skipped": " already"}.get(item.status, "")
        raise OperationRefused(_("item {item} is {status}{hint}; only a pending item can be skipped").format(item=item_name(item), status=word(item.status), hint=hint))
    item.status = "skipped"
    tx.label = _("Skip {item}").format(item=item_name(item))


@operation(N_("Restore skipped item"))
def unskip_item(tx: Tx, item_id: int) -> None:
    """Put a skipped item back among the pending ones."""
    item, meeting = _item(tx, item_id)
    _not_closed(meeting, _("restore an item"))
    if item.status != "skipped":
        raise OperationRefused(_("item {item} is {status}, not skipped").format(item=item_name(item), status=word(item.status)))
    item.status = "pending"
    tx.label = _("Restore {item}").format(item=item_name(item))


@operation(N_("Insert item"))
def insert_item(tx: Tx, anchor_id: int, title: str, *, after: bool = False, **fields: Any) -> int:
    """Insert an item before or after a pending one (or right after the current one). Once the
    meeting has started the new item is *unplanned*. Returns the new item's id."""
    anchor, meeting = _item(tx, anchor_id)
    _not_closed(meeting, _("insert an item"))
    ok = anchor.status == "pending" or (after and anchor.status in CURRENT)
    if not ok:
        where = "after" if after else "before"
        raise OperationRefused(
            _("cannot insert {where} item {item}, which is {status}: insert before or after a pending item, or after the running one").format(where=where, item=item_name(anchor), status=word(anchor.status))
        )
    values = ed.checked({"title": title, **fields}, ITEM_FIELDS, "agenda item")
    check_person(tx, meeting.id, values.get("presenter_id"), "presenter")
    items = items_of(tx, meeting.id)
    index = items.index(anchor) + (1 if after else 0)
    values.setdefault("planned_minutes", 0)
    item = m.AgendaItem(meeting_id=meeting.id, position=len(items) + 1, status="pending",
                        unplanned=meeting.status != "draft", paused_seconds=0,
                        extended_minutes=0, **values)
    tx.add(item)
    items.insert(index, item)
    renumber(items)
    tx.label = _("Insert item {item}").format(item=item_name(item))
    return item.id


@operation(N_("Close meeting"))
def close_meeting(tx: Tx, meeting_id: int) -> int:
    """Close the meeting now: the current item ends, items still pending are marked skipped
    (not taken up), and the meeting's actual end is recorded. Returns how many items were
    marked skipped."""
    meeting = _meeting(tx, meeting_id)
    if meeting.status == "closed":
        raise OperationRefused(
            _("the meeting is already closed (at {time})").format(time=hhmm(meeting.actual_end, meeting.timezone))
        )
    if meeting.status != "live":
        raise OperationRefused(_("the meeting has not started; there is nothing to close"))
    _check_clock(tx, meeting)
    current = _current(tx, meeting_id)
    if current is not None:
        _close(tx, current)
    left = [it for it in items_of(tx, meeting_id) if it.status == "pending"]
    for it in left:
        it.status = "skipped"
    meeting.status = "closed"
    meeting.actual_end = tx.now
    tx.label = "Close meeting" + (f" ({len(left)} item(s) not taken up)" if left else "")
    return len(left)


# --- reads for live views -------------------------------------------------------------------


def read_items(core: Core, meeting_id: int, ids: Iterable[int]) -> tuple[reads.AgendaItemInfo, ...]:
    """The given items of a meeting as frozen rows (those that still exist), so that a view can
    refresh only the rows an operation changed instead of re-reading the whole agenda."""
    wanted = sorted(set(ids))
    if not wanted:
        return ()
    with core.reading() as s:
        rows = s.scalars(
            select(m.AgendaItem).where(m.AgendaItem.meeting_id == meeting_id, m.AgendaItem.id.in_(wanted))
        ).all()
        presenters = {r.presenter_id for r in rows if r.presenter_id is not None}
        names = dict(s.execute(
            select(m.Person.id, m.Person.full_name).where(m.Person.id.in_(presenters))
        ).all()) if presenters else {}
        out = []
        for r in rows:
            values = {f.name: getattr(r, f.name) for f in ITEM_INFO_FIELDS if f.name != "presenter_name"}
            values["presenter_name"] = names.get(r.presenter_id, "") or r.presenter_text
            out.append(reads.AgendaItemInfo(**values))
        return tuple(sorted(out, key=lambda i: (i.position, i.id)))


ITEM_INFO_FIELDS = dataclasses.fields(reads.AgendaItemInfo)
# Columns whose new values, as an operation's ``Changes.updates`` carries them, are the read
# row's values as they stand (the presenter's name comes from another table: read again).
ITEM_PATCH_FIELDS = frozenset(f.name for f in ITEM_INFO_FIELDS) - {
    "id", "meeting_id", "presenter_id", "presenter_text", "presenter_name"}
