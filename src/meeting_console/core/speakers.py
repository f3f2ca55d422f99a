"""The speaker queue: requests, their order, chair priority, the floor and its timer, summaries.

The rules every operation here keeps:

- **The queue.** A request waits in its agenda item's queue while it is ``queued`` or ``held``;
  waiting requests have contiguous positions per item (k, k+1, … k+n−1; a new queue starts at 1).
  Every other request has none. The first position need not be 1: calling the head of a queue of
  500 then changes two rows, not 500 (one journal entry stays small, a key press stays fast);
  every other change moves only the rows between the two places, or the shorter side.
- **The floor.** At most one request of a meeting is ``speaking`` or ``paused``: the current
  speaker. A current speaker without ``actual_start`` has been called and waits for the timer.
- **A second speaker closes the first.** Calling a speaker while another has the floor ends the
  other's speech at the same instant, in the same journal entry (a speaker who was called but
  never started is marked skipped). This is the agenda's rule too (starting an item closes the
  running one): one key hands the floor on, the record has no gap, and one undo restores both.
- **Connection-aware turns.** A speaker whose endpoint is lost or has left is never given the
  floor: calling them is refused with a message, or, when the caller says so (``hold_lost``),
  their turn is held and the next reachable speaker is called. A held turn keeps its place until
  the endpoint is back (connected), then returns to the head of the queue: ``return_held`` (run by
  the UI when endpoint changes arrive on the bus) and every call do this.
- **Time.** A speech's duration is end − start − pauses, pauses counted in whole seconds. The
  limit is the speaker's own, else the item's default, else the meeting's (``speaker_budget``).
- **Closed items.** No new requests, calls or put-backs on a done or skipped item; a speech that
  runs on when its item closes can still be ended.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, tuple_
from sqlalchemy.orm import aliased

from meeting_console.core import editing as ed
from meeting_console.core import reads, vocab
from meeting_console.core.api import Core, Tx, operation
from meeting_console.core.concurrency import Conflict, changed_by, expect_seen, merge_seen
from meeting_console.core.speaker_budget import CURRENT, FINISHED, WAITING, limit_seconds
from meeting_console.core.text import fold
from meeting_console.core.words import word
from meeting_console.errors import OperationRefused
from meeting_console.i18n import N_, _
from meeting_console.store import models as m

REQUEST_FIELDS: dict[str, ed.Check] = {
    "meeting_endpoint_id": ed.reference(),
    "topic": ed.text(2000, multiline=True),
    "requested_minutes": ed.integer(1, 240, optional=True),
    "limit_minutes": ed.integer(1, 240, optional=True),
    "source": ed.choice(vocab.SPEAKER_SOURCES),
    "summary": ed.text(50000, multiline=True),
}

# endpoint statuses: never given the floor / a held turn waits while the status is one of these
DOWN = ("lost", "left")
NOT_BACK = ("lost", "left", "unstable")

MAX_EXTENSION_S = 3600

_UNKNOWN: Any = object()  # no expectation passed: no conflict check


def queue_of(tx: Tx, item_id: int) -> list[m.SpeakerRequest]:
    return list(
        tx.session.scalars(
            select(m.SpeakerRequest)
            .where(
                m.SpeakerRequest.agenda_item_id == item_id, m.SpeakerRequest.position.is_not(None)
            )
            .order_by(m.SpeakerRequest.position, m.SpeakerRequest.id)
        )
    )


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
            raise OperationRefused(_("endpoint: {me} does not take part in this meeting").format(me=me))


# --- helpers ---------------------------------------------------------------------------------


def _request(tx: Tx, request_id: int) -> m.SpeakerRequest:
    r = tx.get(m.SpeakerRequest, request_id, "speaker request")
    tx.meeting_id = r.meeting_id
    return r


def _name(tx: Tx, r: m.SpeakerRequest) -> str:
    p = tx.session.get(m.Person, r.person_id)
    return p.full_name if p is not None else f"#{r.person_id}"


def _item_label(item: m.AgendaItem) -> str:
    return item.number or str(item.position)


def _check_item_open(item: m.AgendaItem) -> None:
    if item.status in ("done", "skipped"):
        raise OperationRefused(
            _("item {n} is closed; its speaker queue is closed too").format(n=_item_label(item))
        )


def _check_live(tx: Tx, item: m.AgendaItem) -> None:
    """Refuse to give the floor on a closed or paused item, or in a closed meeting."""
    _check_item_open(item)
    if item.status == "paused":
        raise OperationRefused(
            _("item {n} is paused (recess); resume it first").format(n=_item_label(item))
        )
    meeting = tx.get(m.Meeting, item.meeting_id, "meeting")
    if meeting.status == "closed":
        raise OperationRefused(_("the meeting is closed; no one can be given the floor"))


def _endpoint(tx: Tx, r: m.SpeakerRequest) -> tuple[str, str]:
    """(name, status) of the request's endpoint; the main hall has no link to lose."""
    if r.meeting_endpoint_id is None:
        return _("main hall"), "connected"
    me = tx.session.get(m.MeetingEndpoint, r.meeting_endpoint_id)
    if me is None:
        return _("main hall"), "connected"
    ep = tx.session.get(m.Endpoint, me.endpoint_id)
    return (ep.name if ep else f"#{me.endpoint_id}"), me.status


def _current(tx: Tx, meeting_id: int) -> m.SpeakerRequest | None:
    rows = list(
        tx.session.scalars(
            select(m.SpeakerRequest)
            .where(m.SpeakerRequest.meeting_id == meeting_id, m.SpeakerRequest.status.in_(CURRENT))
            .order_by(m.SpeakerRequest.id)
        )
    )
    return rows[0] if rows else None


def _span(tx: Tx, item_id: int, found: Any = None) -> tuple[int, int, int]:
    """(first, last, count) of an item's queue positions, made contiguous first if they are not
    (rows written by other modules, e.g. a person removed with their request). ``found``:
    the (min, max, count) the caller read already."""
    if found is None:
        found = tx.session.execute(_queue_statements()["span"], {"item_id": item_id}).one()
    lo, hi, n = found
    if not n:
        return 1, 0, 0
    if hi - lo + 1 != n:
        compact(queue_of(tx, item_id))
        return 1, n, n
    return int(lo), int(hi), int(n)


def _shift(tx: Tx, item_id: int, first: int, last: int, delta: int) -> None:
    """Move the waiting requests at positions first..last by ``delta``."""
    if first > last:
        return
    for q in tx.session.scalars(_queue_statements()["shift"],
                                {"item_id": item_id, "first": first, "last": last}).all():
        q.position = int(q.position or 0) + delta


@functools.cache
def _queue_statements() -> dict[str, Any]:
    """The queries of a move in the queue, built once with bound parameters (no statement built
    and no cache key computed at each key press)."""
    R = m.SpeakerRequest
    item_id = bindparam("item_id")

    def span(item: Any) -> Any:
        return select(func.min(R.position), func.max(R.position), func.count(R.position)) \
            .where(R.agenda_item_id == item, R.position.is_not(None))

    Q = aliased(R)
    spans = [select(agg(Q.position)).where(Q.agenda_item_id == R.agenda_item_id, Q.position.is_not(None))
             .scalar_subquery() for agg in (func.min, func.max, func.count)]
    return {
        "span": span(item_id),
        # a request with the span of its item's queue, in one query
        "request_span": select(R, *spans).where(R.id == bindparam("request_id")),
        "shift": select(R).where(R.agenda_item_id == item_id, R.position >= bindparam("first"),
                                 R.position <= bindparam("last")),
    }


def _close_gap(tx: Tx, item_id: int, a: int, lo: int, hi: int) -> None:
    """Close the gap left at position ``a`` of a queue that spanned lo..hi: the shorter side
    moves (nothing moves for the head or the tail)."""
    if a - lo <= hi - a:
        _shift(tx, item_id, lo, a - 1, +1)
    else:
        _shift(tx, item_id, a + 1, hi, -1)


def _leave_queue(tx: Tx, r: m.SpeakerRequest, status: str) -> None:
    """Take a request out of its queue with a new status."""
    if r.position is not None:
        lo, hi, _n = _span(tx, r.agenda_item_id)
        a = int(r.position)
        r.position = None
        _close_gap(tx, r.agenda_item_id, a, lo, hi)
    r.status = status


def _enter_queue(tx: Tx, r: m.SpeakerRequest, index: int | None, status: str = "queued") -> None:
    """Put a request (out of any queue) into its item's queue at ``index`` (0-based; None: at the
    end); the shorter side of the queue makes room."""
    lo, hi, n = _span(tx, r.agenda_item_id)
    r.status = status
    index = n if index is None else max(0, min(index, n))
    if n == 0:
        r.position = 1
    elif index == 0:
        r.position = lo - 1
    elif index == n:
        r.position = hi + 1
    else:
        t = lo + index
        if hi - t + 1 <= t - lo:
            _shift(tx, r.agenda_item_id, t, hi, +1)
            r.position = t
        else:
            _shift(tx, r.agenda_item_id, lo, t - 1, -1)
            r.position = t - 1


def _move_in_queue(tx: Tx, r: m.SpeakerRequest, index: int, span: Any = None) -> None:
    """Move a waiting request to ``index`` (0-based) in its queue (``span``: its queue's
    (min, max, count) of positions when the caller read them already)."""
    lo, hi, n = _span(tx, r.agenda_item_id, span)
    index = max(0, min(index, n - 1))
    a, t = int(r.position or 0), lo + index
    if t == a:
        return
    if index in (0, n - 1):
        status = r.status
        _leave_queue(tx, r, status)
        _enter_queue(tx, r, index, status)
    elif t > a:
        _shift(tx, r.agenda_item_id, a + 1, t, -1)
        r.position = t
    else:
        _shift(tx, r.agenda_item_id, t, a - 1, +1)
        r.position = t


def _end_pause(tx: Tx, r: m.SpeakerRequest) -> None:
    if r.paused_at is not None:
        r.paused_seconds = int(r.paused_seconds or 0) + max(
            0, round((tx.now - r.paused_at).total_seconds())
        )
        r.paused_at = None


def _close_speech(tx: Tx, r: m.SpeakerRequest) -> None:
    """End the current speaker's turn now: a started speech is done, a call never started is
    skipped."""
    if r.actual_start is None:
        r.status = "skipped"
        return
    _end_pause(tx, r)
    r.actual_end = tx.now
    r.status = "done"


def _release_held(tx: Tx, item_id: int) -> list[m.SpeakerRequest]:
    """Held turns whose endpoint is back go to the head of the queue (in their order)."""
    held = tx.session.scalars(
        select(m.SpeakerRequest)
        .where(m.SpeakerRequest.agenda_item_id == item_id, m.SpeakerRequest.status == "held")
        .order_by(m.SpeakerRequest.position, m.SpeakerRequest.id)
    ).all()
    back = [r for r in held if r.position is not None and _endpoint(tx, r)[1] not in NOT_BACK]
    for r in reversed(back):
        _leave_queue(tx, r, "queued")
        _enter_queue(tx, r, 0)
    return back


def _queued(tx: Tx, item_id: int, batch: int = 16) -> Iterator[m.SpeakerRequest]:
    """The queued (not held) requests of an item in queue order, read a few at a time."""
    last: tuple[int, int] | None = None
    while True:
        q = select(m.SpeakerRequest).where(
            m.SpeakerRequest.agenda_item_id == item_id,
            m.SpeakerRequest.status == "queued",
            m.SpeakerRequest.position.is_not(None),
        )
        if last is not None:
            q = q.where(tuple_(m.SpeakerRequest.position, m.SpeakerRequest.id) > tuple_(*last))
        rows = tx.session.scalars(
            q.order_by(m.SpeakerRequest.position, m.SpeakerRequest.id).limit(batch)
        ).all()
        yield from rows
        if len(rows) < batch:
            return
        last = (int(rows[-1].position or 0), rows[-1].id)


def _give_floor(tx: Tx, r: m.SpeakerRequest, start_timer: bool) -> str:
    """Make ``r`` the current speaker (closing whoever had the floor); returns a label part."""
    item = tx.get(m.AgendaItem, r.agenda_item_id, "agenda item")
    _check_live(tx, item)
    endpoint, status = _endpoint(tx, r)
    if status in DOWN:
        raise OperationRefused(
            _(
                "{name} speaks from {endpoint}, whose link is {status}: hold their turn, or wait"
            ).format(name=_name(tx, r), endpoint=endpoint, status=word(status))
        )
    closed = ""
    cur = _current(tx, r.meeting_id)
    if cur is not None and cur.id != r.id:
        _close_speech(tx, cur)
        closed = _(" (closes {name})").format(name=_name(tx, cur))
    _leave_queue(tx, r, "speaking")
    r.actual_start = tx.now if start_timer else None
    r.actual_end = None
    r.paused_at = None
    r.paused_seconds = 0
    return closed


def _current_of(tx: Tx, request_id: int, seen: dict[str, Any] | None = None) -> m.SpeakerRequest:
    r = _request(tx, request_id)
    _seen(tx, r, seen)
    if r.status not in CURRENT:
        raise OperationRefused(_("{name} does not have the floor").format(name=_name(tx, r)))
    return r


def _seen(tx: Tx, r: m.SpeakerRequest, seen: dict[str, Any] | None) -> None:
    """Refuse an action on a request another console changed since this one showed it
    (``seen``: e.g. ``{"status": "queued", "position": 3}``; see ``core.concurrency``)."""
    if not seen or all(getattr(r, k) == v for k, v in seen.items()):
        return  # as seen: the name (a read) is only needed to say what changed
    expect_seen(tx, _name(tx, r), r, seen, table="speaker_request", meeting_id=r.meeting_id)


def floor_state(r: Any) -> str:
    """What a console shows of the floor: ``called`` (timer not started), ``speaking``, ``paused``."""
    return "called" if r.actual_start is None else r.status


def _state_word(state: str) -> str:
    return _("called, timer not started") if state == "called" else word(state)


def _check_floor(tx: Tx, meeting_id: int, expected_current: Any, expected_state: str | None = None) -> None:
    """Refuse when the floor is no longer what this console showed: another speaker has it, or
    the same one's timer was started, paused or resumed meanwhile."""
    if expected_current is _UNKNOWN:
        return
    cur = _current(tx, meeting_id)
    now_id = cur.id if cur is not None else None
    if now_id == expected_current and (expected_state is None or cur is None
                                       or floor_state(cur) == expected_state):
        return
    shown = tx.session.get(m.SpeakerRequest, expected_current) if expected_current is not None else None
    saw = (_("{name} with the floor ({state})").format(name=_name(tx, shown), state=_state_word(expected_state or floor_state(shown)))
           if shown is not None else _("no one with the floor"))
    if cur is None:
        now = _("no one has the floor now")
        by = changed_by(tx, "speaker_request", shown.id, meeting_id) if shown is not None else ""
    else:
        now = _("{name} has the floor now ({state})").format(name=_name(tx, cur), state=_state_word(floor_state(cur)))
        by = changed_by(tx, "speaker_request", cur.id, meeting_id)
    raise Conflict(
        _("the floor changed at another console{by}: {now} (this console showed {saw}). "
          "Nothing was changed; press again to act on what is shown now").format(by=by, now=now, saw=saw)
    )


# --- registration ----------------------------------------------------------------------------


def _register(tx: Tx, item: m.AgendaItem, person: m.Person, fields: dict[str, Any]) -> int:
    values = ed.checked(fields, REQUEST_FIELDS, "speaker")
    _check_refs(tx, item.meeting_id, values)
    waiting = tx.session.scalars(
        select(m.SpeakerRequest).where(
            m.SpeakerRequest.agenda_item_id == item.id,
            m.SpeakerRequest.person_id == person.id,
            m.SpeakerRequest.status.in_(WAITING + CURRENT),
        )
    ).first()
    if waiting is not None:
        raise OperationRefused(
            _("{name} is already in the queue of item {n}").format(
                name=person.full_name, n=_item_label(item)
            )
        )
    if "meeting_endpoint_id" not in values:
        values["meeting_endpoint_id"] = person.meeting_endpoint_id
    pos = tx.session.execute(
        select(func.coalesce(func.max(m.SpeakerRequest.position), 0)).where(
            m.SpeakerRequest.agenda_item_id == item.id
        )
    ).scalar_one()
    req = m.SpeakerRequest(
        meeting_id=item.meeting_id,
        agenda_item_id=item.id,
        person_id=person.id,
        position=pos + 1,
        status="queued",
        requested_at=tx.now,
        paused_seconds=0,
        extended_seconds=0,
        **values,
    )
    return tx.add(req).id


@operation(N_("Register speaker"))
def add_request(tx: Tx, item_id: int, person_id: int, **fields: Any) -> int:
    """Put a participant in an item's queue (at the end); returns the request id."""
    item = tx.get(m.AgendaItem, item_id, "agenda item")
    person = tx.get(m.Person, person_id, "person")
    if person.meeting_id != item.meeting_id:
        raise OperationRefused(_("{full_name} is not a participant of this meeting").format(full_name=person.full_name))
    if item.status in ("done", "skipped"):
        raise OperationRefused(_("item {value} is closed; no new speakers").format(value=item.number or item.position))
    tx.meeting_id = item.meeting_id
    tx.label = _("Register speaker: {full_name}").format(full_name=person.full_name)
    return _register(tx, item, person, fields)


@operation(N_("Register new speaker"))
def register_new_speaker(
    tx: Tx,
    item_id: int,
    full_name: str,
    *,
    posts: list[str] | tuple[str, ...] | str | None = None,
    category: str = "member",
    **fields: Any,
) -> int:
    """A speaker who is not yet a participant: adds the person (name, post, endpoint) and their
    request in one step; returns the request id. Refused when a participant of the same name
    (ignoring accents and tone placement) exists: pick them instead."""
    from meeting_console.core.people import PERSON_FIELDS

    item = tx.get(m.AgendaItem, item_id, "agenda item")
    tx.meeting_id = item.meeting_id
    _check_item_open(item)
    person_values = ed.checked(
        {
            # a typed name: runs of spaces collapse (duplicates are found on the folded name)
            "full_name": " ".join(full_name.split()) if isinstance(full_name, str) else full_name,
            "posts": list(posts) if isinstance(posts, tuple) else posts,
            "category": category,
            "meeting_endpoint_id": fields.get("meeting_endpoint_id"),
        },
        PERSON_FIELDS,
        "person",
    )
    _check_refs(tx, item.meeting_id, person_values)
    key = fold(person_values["full_name"])
    for p in tx.session.scalars(select(m.Person).where(m.Person.meeting_id == item.meeting_id)):
        if fold(p.full_name) == key:
            raise OperationRefused(
                _("full_name: {name} is a participant already; pick them from the list").format(
                    name=p.full_name
                )
            )
    person = tx.add(
        m.Person(
            meeting_id=item.meeting_id, is_recorder=False, attendance="unknown", **person_values
        )
    )
    tx.label = _("Register new speaker: {full_name}").format(full_name=person.full_name)
    return _register(tx, item, person, fields)


@operation(N_("Edit speaker request"))
def update_request(tx: Tx, request_id: int, *, seen: dict[str, Any] | None = None, **fields: Any) -> None:
    """``seen``: the values the form showed; a field another console changed since is refused
    (``Conflict``), one the user left as it was is not written back (``merge_seen``)."""
    r = tx.get(m.SpeakerRequest, request_id, "speaker request")
    tx.meeting_id = r.meeting_id
    fields = merge_seen(_name(tx, r), lambda k: getattr(r, k), fields, seen, REQUEST_FIELDS,
                        lambda f: changed_by(tx, "speaker_request", r.id, r.meeting_id, f))
    _check_refs(tx, r.meeting_id, ed.checked(fields, REQUEST_FIELDS, "speaker"))
    ed.apply_fields(r, fields, REQUEST_FIELDS, "speaker")


@operation(N_("Speech summary"))
def set_summary(tx: Tx, request_id: int, summary: str, *, seen: str | None = None) -> None:
    """What the speaker said, for the record; written during or after the speech.

    ``seen``: the text the editor started from; when another console saved a different text
    since, refused (``Conflict``) and the caller keeps its text for the secretary to merge."""
    r = _request(tx, request_id)
    merge_seen(_("Summary of {name}").format(name=_name(tx, r)), lambda k: getattr(r, k),
               {"summary": summary}, None if seen is None else {"summary": seen}, REQUEST_FIELDS,
               lambda f: changed_by(tx, "speaker_request", r.id, r.meeting_id, f))
    tx.label = _("Speech summary: {name}").format(name=_name(tx, r))
    ed.apply_fields(r, {"summary": summary}, REQUEST_FIELDS, "speaker")


@operation(N_("Remove speaker request"))
def remove_request(tx: Tx, request_id: int) -> None:
    """Refused once the speaker has spoken (mark withdrawn instead)."""
    r = tx.get(m.SpeakerRequest, request_id, "speaker request")
    tx.meeting_id = r.meeting_id
    if r.actual_start is not None:
        raise OperationRefused(_("this speaker has spoken; the record needs the speech"))
    # delete the row as it is (its image in the journal is what undo restores), then close the gap
    if r.position is None:
        tx.delete(r)
        return
    lo, hi, _n = _span(tx, r.agenda_item_id)
    a, item_id = int(r.position), r.agenda_item_id
    tx.delete(r)
    _close_gap(tx, item_id, a, lo, hi)


def drop_person_requests(tx: Tx, person_id: int) -> None:
    """Delete a person's requests (none of them spoken) and close the gaps in their queues; for
    the removal of a person (``people.remove_person``)."""
    rows = list(
        tx.session.scalars(select(m.SpeakerRequest).where(m.SpeakerRequest.person_id == person_id))
    )
    if any(r.actual_start is not None for r in rows):
        raise OperationRefused(_("this person has spoken; the record needs the speech"))
    items = {r.agenda_item_id for r in rows if r.position is not None}
    for r in rows:
        tx.session.delete(r)
    tx.session.flush()
    for item_id in sorted(items):
        compact(queue_of(tx, item_id))


# --- order -----------------------------------------------------------------------------------


@operation(N_("Move speaker in queue"))
def move_request(tx: Tx, request_id: int, index: int, *, seen: dict[str, Any] | None = None) -> None:
    """Move a waiting request to ``index`` (0-based) in its item's queue. ``seen``: the
    request's status and position as shown (refused with ``Conflict`` if they moved on)."""
    # a key press (Ctrl+Up/Down): the request with its queue's span in one prebuilt query
    found = tx.session.execute(_queue_statements()["request_span"], {"request_id": request_id}).first()
    if found is None:
        tx.get(m.SpeakerRequest, request_id, "speaker request")  # raises NotFound
    r, *span = found
    tx.meeting_id = r.meeting_id
    _seen(tx, r, seen)
    if r.position is None:
        raise OperationRefused(_("only a waiting speaker can be moved in the queue"))
    _move_in_queue(tx, r, index, span)


@operation(N_("Give priority"))
def prioritize(tx: Tx, request_id: int, *, seen: dict[str, Any] | None = None) -> None:
    """Chair priority: the speaker goes to the head of the queue (next to be called)."""
    r = _request(tx, request_id)
    _seen(tx, r, seen)
    if r.position is None:
        raise OperationRefused(
            _("only a waiting speaker can be put next; {name} is {status}").format(
                name=_name(tx, r), status=word(r.status)
            )
        )
    tx.label = _("Give priority: {name}").format(name=_name(tx, r))
    _move_in_queue(tx, r, 0)


@operation(N_("Move speaker to another item"))
def move_to_item(tx: Tx, request_id: int, item_id: int) -> None:
    """Move a waiting request to the end of another agenda item's queue."""
    r = _request(tx, request_id)
    target = tx.get(m.AgendaItem, item_id, "agenda item")
    if target.meeting_id != r.meeting_id:
        raise OperationRefused(
            _("item {n} belongs to another meeting").format(n=_item_label(target))
        )
    if r.position is None:
        raise OperationRefused(
            _("only a waiting speaker can be moved; {name} is {status}").format(
                name=_name(tx, r), status=word(r.status)
            )
        )
    if target.id == r.agenda_item_id:
        return
    _check_item_open(target)
    tx.label = _("Move speaker to item {item_label}: {name}").format(item_label=_item_label(target), name=_name(tx, r))
    status = r.status
    _leave_queue(tx, r, status)
    r.agenda_item_id = target.id
    _enter_queue(tx, r, None, status)


# --- the floor -------------------------------------------------------------------------------


@functools.cache
def _statements() -> dict[str, Any]:
    """The queries of a call, built once with bound parameters (building a select with its
    joins costs more than running it; SQLAlchemy caches the compiled form by structure)."""
    R, ME = m.SpeakerRequest, m.MeetingEndpoint
    item_id, meeting_id = bindparam("item_id"), bindparam("meeting_id")
    head = (
        select(R, m.Person.full_name, m.Endpoint.name, ME.status)
        .outerjoin(m.Person, m.Person.id == R.person_id)
        .outerjoin(ME, ME.id == R.meeting_endpoint_id)
        .outerjoin(m.Endpoint, m.Endpoint.id == ME.endpoint_id)
        .where(R.agenda_item_id == item_id, R.status == "queued", R.position.is_not(None))
    )
    return {
        # the item's meeting and status, and its meeting's: plain columns on the connection
        # (no ORM entity: the item is only read, and loaded whole only to word a refusal)
        "item": select(m.AgendaItem.meeting_id, m.AgendaItem.status, m.Meeting.status)
        .join(m.Meeting, m.Meeting.id == m.AgendaItem.meeting_id)
        .where(m.AgendaItem.id == item_id),
        "floor": select(R, m.Person.full_name, ME.status)
        .outerjoin(m.Person, m.Person.id == R.person_id)
        .outerjoin(ME, ME.id == R.meeting_endpoint_id)
        .where(R.meeting_id == meeting_id,
               # (equalities, not IN: an IN list is expanded into the SQL at every execution)
               or_(*(R.status == st for st in CURRENT), and_(R.agenda_item_id == item_id, R.status == "held")))
        .order_by(R.id),
        "head": head.order_by(R.position, R.id).limit(bindparam("batch")),
        "head_after": head.where(tuple_(R.position, R.id) > tuple_(bindparam("pos"), bindparam("rid")))
        .order_by(R.position, R.id).limit(bindparam("batch")),
    }


def _head_rows(tx: Tx, item_id: int, batch: int) -> Iterator[tuple[m.SpeakerRequest, str, str, str]]:
    """The queued (not held) requests of an item in queue order, with the name of the person
    and the name and status of the endpoint each speaks from; read a few at a time (the head of
    a queue of 500 is one small query, not 500 rows)."""
    q = _statements()
    params: dict[str, Any] = {"item_id": item_id, "batch": batch}
    stmt = q["head"]
    while True:
        rows = tx.session.execute(stmt, params).all()
        for r, person, ep_name, ep_status in rows:
            if r.meeting_endpoint_id is None or ep_status is None:
                where, status = _("main hall"), "connected"
            else:
                where, status = ep_name or f"#{r.meeting_endpoint_id}", ep_status
            yield r, person or f"#{r.person_id}", where, status
        if len(rows) < params["batch"]:
            return
        stmt = q["head_after"]
        params = {"item_id": item_id, "batch": 16, "pos": int(rows[-1][0].position or 0), "rid": rows[-1][0].id}


@operation(N_("Call next speaker"))
def call_next(tx: Tx, item_id: int, *, start_timer: bool = True, hold_lost: bool = False,
              expected_current: Any = _UNKNOWN) -> int:
    """Give the floor to the head of the item's queue; returns the request id.

    Whoever had the floor is closed first. Held turns whose endpoint is back return to the head
    first. If the head speaker's endpoint is lost: refused, or with ``hold_lost`` their turn is
    held and the next reachable speaker is called. ``expected_current``: the request the
    console showed with the floor (None: no one); when another console has called someone
    since, refused (``Conflict``) instead of calling one more.

    A key press in a queue of 500: everything is read first, in four small queries (the item
    with its meeting's status; the floor and the item's held turns; the head of the queue with
    names and links), then the rows change, flushed once — the head leaving a queue whose
    positions need not start at 1 changes two rows."""
    R = m.SpeakerRequest
    q = _statements()
    session = tx.session
    # (on the connection when nothing waits to be flushed, as a session's query would flush
    # it first: an earlier operation of the same group)
    found = (session.connection() if not (session.new or session.dirty or session.deleted) else session
             ).execute(q["item"], {"item_id": item_id}).first()
    if found is None:
        tx.get(m.AgendaItem, item_id, "agenda item")  # raises NotFound
    meeting_id, item_status, meeting_status = found
    tx.meeting_id = meeting_id
    # the floor (anyone's, in the meeting) and this item's held turns, with names and links
    floor = tx.session.execute(q["floor"], {"meeting_id": meeting_id, "item_id": item_id}).all()
    names = {r.id: person or f"#{r.person_id}" for r, person, _st in floor}
    current = [r for r, _p, _st in floor if r.status in CURRENT]
    cur = current[0] if current else None
    if expected_current is not _UNKNOWN and (cur.id if cur is not None else None) != expected_current:
        _check_floor(tx, meeting_id, expected_current)  # raises Conflict, naming who
    if item_status in ("done", "skipped", "paused"):
        item = tx.get(m.AgendaItem, item_id, "agenda item")
        _check_item_open(item)
        _check_live(tx, item)  # raises: paused
    if meeting_status == "closed":
        raise OperationRefused(_("the meeting is closed; no one can be given the floor"))
    held_back = [r for r, _p, st in floor if r.status == "held" and r.position is not None
                 and (r.meeting_endpoint_id is None or st is None or st not in NOT_BACK)]
    if held_back:  # rare: held turns return to the head first (the general path)
        _release_held(tx, item_id)
        tx.session.flush()
    lowest_held = min((int(r.position) for r, _p, _st in floor
                       if r.status == "held" and r.position is not None), default=None)
    held: list[str] = []
    # the head alone first (the speaker called, unless their link is lost: then 16 at a time)
    for r, person, endpoint, status in _head_rows(tx, item_id, batch=1):
        if status in DOWN:
            if not hold_lost:
                raise OperationRefused(
                    _(
                        "{name} speaks from {endpoint}, whose link is {status}: hold their turn and call "
                        "the next speaker?"
                    ).format(name=person, endpoint=endpoint, status=word(status))
                )
            r.status = "held"
            held.append(person)
            lowest_held = int(r.position) if lowest_held is None else min(lowest_held, int(r.position))
            continue
        closed = ""
        if cur is not None and cur.id != r.id:
            _close_speech(tx, cur)
            closed = _(" (closes {name})").format(name=names.get(cur.id) or _name(tx, cur))
        if lowest_held is None or int(r.position) < lowest_held:
            # the head of the queue leaves: nothing else moves (positions need not start at 1)
            r.position = None
            r.status = "speaking"
        else:  # speakers held before them keep their places: the general path closes the gap
            _leave_queue(tx, r, "speaking")
        r.actual_start = tx.now if start_timer else None
        r.actual_end = None
        r.paused_at = None
        r.paused_seconds = 0
        tx.label = _("Call next speaker: {name}{closed}").format(name=person, closed=closed)
        if held:
            tx.label += f"; turn held: {', '.join(held)}"
        return r.id
    waiting_held = tx.session.execute(
        select(func.count(R.id)).where(R.agenda_item_id == item_id, R.status == "held")
    ).scalar_one()
    if waiting_held:
        raise OperationRefused(
            _("no one can be called on item {n}: {k} held turn(s) wait for their link").format(
                n=_item_label(tx.get(m.AgendaItem, item_id, "agenda item")), k=waiting_held
            )
        )
    raise OperationRefused(_("the queue of item {n} is empty").format(
        n=_item_label(tx.get(m.AgendaItem, item_id, "agenda item"))))


@operation(N_("Call speaker"))
def call_speaker(tx: Tx, request_id: int, *, start_timer: bool = True,
                 seen: dict[str, Any] | None = None, expected_current: Any = _UNKNOWN) -> int:
    """Give the floor to this waiting (or put-aside) speaker out of turn; closes the current one."""
    r = _request(tx, request_id)
    _check_floor(tx, r.meeting_id, expected_current)
    _seen(tx, r, seen)
    if r.status in CURRENT:
        raise OperationRefused(_("{name} has the floor already").format(name=_name(tx, r)))
    if r.actual_start is not None:
        raise OperationRefused(
            _("{name} has spoken on this request; register a new turn").format(name=_name(tx, r))
        )
    closed = _give_floor(tx, r, start_timer)
    tx.label = _("Call speaker: {name}{closed}").format(name=_name(tx, r), closed=closed)
    return r.id


@operation(N_("Start speaking timer"))
def start_timer(tx: Tx, request_id: int, *, seen: dict[str, Any] | None = None) -> None:
    """Start the timer of a called speaker."""
    r = _current_of(tx, request_id, seen)
    if r.actual_start is not None:
        raise OperationRefused(
            _("the timer of {name} has started already").format(name=_name(tx, r))
        )
    tx.label = _("Start speaking timer: {name}").format(name=_name(tx, r))
    r.actual_start = tx.now


@operation(N_("Pause speaking timer"))
def pause_timer(tx: Tx, request_id: int, *, seen: dict[str, Any] | None = None) -> None:
    r = _current_of(tx, request_id, seen)
    if r.actual_start is None:
        raise OperationRefused(_("the timer of {name} has not started").format(name=_name(tx, r)))
    if r.status == "paused":
        raise OperationRefused(_("the timer of {name} is paused already").format(name=_name(tx, r)))
    tx.label = _("Pause speaking timer: {name}").format(name=_name(tx, r))
    r.status = "paused"
    r.paused_at = tx.now


@operation(N_("Resume speaking timer"))
def resume_timer(tx: Tx, request_id: int, *, seen: dict[str, Any] | None = None) -> None:
    r = _current_of(tx, request_id, seen)
    if r.status != "paused":
        raise OperationRefused(_("the timer of {name} is not paused").format(name=_name(tx, r)))
    tx.label = _("Resume speaking timer: {name}").format(name=_name(tx, r))
    _end_pause(tx, r)
    r.status = "speaking"


@operation(N_("Speech done"))
def end_speech(tx: Tx, request_id: int, *, seen: dict[str, Any] | None = None) -> None:
    """Stop the timer: the speech is done (its end is now; a running pause ends with it)."""
    r = _current_of(tx, request_id, seen)
    if r.actual_start is None:
        raise OperationRefused(
            _(
                "{name} was called but the timer never started: start it, skip them or put them back"
            ).format(name=_name(tx, r))
        )
    tx.label = _("Speech done: {name}").format(name=_name(tx, r))
    _close_speech(tx, r)


# "Stop the timer" and "mark done" are one thing for the current speaker: the speech ends.
stop_timer = end_speech
mark_done = end_speech


def _current_in(tx: Tx, meeting_id: int) -> m.SpeakerRequest:
    tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    cur = _current(tx, meeting_id)
    if cur is None:
        raise OperationRefused(_("no one has the floor"))
    return cur


@operation(N_("Start / pause speaking timer"))
def toggle_timer(tx: Tx, meeting_id: int, *, expected_current: Any = _UNKNOWN,
                 expected_state: str | None = None) -> str:
    """The one timer key: start a called speaker's timer, pause a running one, resume a paused
    one; decided on the state in the store (a key pressed twice quickly does what it says).
    Returns what it did: ``started``, ``paused`` or ``resumed``. ``expected_current`` and
    ``expected_state`` (``floor_state``): what the console showed; when another console
    pressed the key meanwhile, refused (``Conflict``) rather than undoing its press."""
    _check_floor(tx, meeting_id, expected_current, expected_state)
    cur = _current_in(tx, meeting_id)
    if cur.actual_start is None:
        start_timer.__wrapped__(tx, cur.id)  # type: ignore[attr-defined]
        return "started"
    if cur.status == "paused":
        resume_timer.__wrapped__(tx, cur.id)  # type: ignore[attr-defined]
        return "resumed"
    pause_timer.__wrapped__(tx, cur.id)  # type: ignore[attr-defined]
    return "paused"


@operation(N_("Speech done"))
def end_current(tx: Tx, meeting_id: int, *, expected_current: Any = _UNKNOWN) -> int:
    """Stop the timer of whoever has the floor: their speech is done; returns the request id.
    ``expected_current``: the request the console showed with the floor (``Conflict`` if not)."""
    _check_floor(tx, meeting_id, expected_current)
    cur = _current_in(tx, meeting_id)
    end_speech.__wrapped__(tx, cur.id)  # type: ignore[attr-defined]
    return cur.id


@operation(N_("Extend speaking time"))
def extend(tx: Tx, request_id: int, seconds: int) -> None:
    """Give a waiting or current speaker more (or, negative, less) time; the total limit stays
    above zero."""
    r = _request(tx, request_id)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds == 0:
        raise OperationRefused(
            _("extension: a whole, non-zero number of seconds, got {v!r}").format(v=seconds)
        )
    if abs(seconds) > MAX_EXTENSION_S:
        raise OperationRefused(_("extension: at most one hour at a time"))
    if r.status in FINISHED:
        raise OperationRefused(
            _("{name}'s turn is over ({status})").format(name=_name(tx, r), status=word(r.status))
        )
    item = tx.get(m.AgendaItem, r.agenda_item_id, "agenda item")
    meeting = tx.get(m.Meeting, r.meeting_id, "meeting")
    base = (r.limit_minutes or item.speaking_minutes or meeting.default_speaking_minutes) * 60
    total = int(r.extended_seconds or 0) + seconds
    if base + total <= 0:
        raise OperationRefused(_("extension: the time limit would be zero or negative"))
    r.extended_seconds = total
    sign = "+" if seconds > 0 else "−"
    tx.label = (
        _("Extend speaking time {amount}: {name}").format(
            amount=f"{sign}{abs(seconds) // 60}:{abs(seconds) % 60:02d}", name=_name(tx, r))
    )


# --- out of and back into the queue ----------------------------------------------------------


def _put_aside(tx: Tx, request_id: int, status: str, label: str, seen: dict[str, Any] | None) -> None:
    r = _request(tx, request_id)
    _seen(tx, r, seen)
    if r.actual_start is not None:
        raise OperationRefused(
            _("{name} has spoken; the speech is on the record (mark it done)").format(
                name=_name(tx, r)
            )
        )
    if r.status in FINISHED:
        raise OperationRefused(
            _("{name} is {status} already").format(name=_name(tx, r), status=word(r.status))
        )
    tx.label = f"{_(label)}: {_name(tx, r)}"
    _leave_queue(tx, r, status)


@operation(N_("Speaker withdrawn"))
def withdraw(tx: Tx, request_id: int, *, seen: dict[str, Any] | None = None) -> None:
    """The speaker gives up their turn (a waiting or called speaker)."""
    _put_aside(tx, request_id, "withdrawn", "Speaker withdrawn", seen)


@operation(N_("Speaker skipped"))
def skip(tx: Tx, request_id: int, *, seen: dict[str, Any] | None = None) -> None:
    """Pass over a waiting or called speaker (absent, no time); they can be put back."""
    _put_aside(tx, request_id, "skipped", "Speaker skipped", seen)


@operation(N_("Put back in queue"))
def requeue(tx: Tx, request_id: int, index: int = 0, *, seen: dict[str, Any] | None = None) -> None:
    """Put a skipped or withdrawn speaker, or a called one whose timer never started, back in the
    queue at ``index`` (default: the head)."""
    r = _request(tx, request_id)
    _seen(tx, r, seen)
    if r.actual_start is not None:
        raise OperationRefused(
            _("{name} has spoken on this request; register a new turn for a second speech").format(
                name=_name(tx, r)
            )
        )
    if r.position is not None:
        raise OperationRefused(
            _("{name} is waiting in the queue already").format(name=_name(tx, r))
        )
    _check_item_open(tx.get(m.AgendaItem, r.agenda_item_id, "agenda item"))
    tx.label = _("Put back in queue: {name}").format(name=_name(tx, r))
    _enter_queue(tx, r, index)


# --- connection-aware turns ------------------------------------------------------------------


@operation(N_("Hold turn"))
def hold(tx: Tx, request_id: int, *, seen: dict[str, Any] | None = None) -> None:
    """Hold a waiting speaker's turn while their endpoint's link is down; it returns to the head
    of the queue when the link is back."""
    r = _request(tx, request_id)
    _seen(tx, r, seen)
    if r.status != "queued":
        raise OperationRefused(
            _("only a waiting speaker's turn can be held; {name} is {status}").format(
                name=_name(tx, r), status=word(r.status)
            )
        )
    endpoint, status = _endpoint(tx, r)
    if status not in NOT_BACK:
        raise OperationRefused(
            _("{endpoint} is {status}: there is no link to wait for").format(
                endpoint=endpoint, status=word(status)
            )
        )
    tx.label = _("Hold turn: {name}").format(name=_name(tx, r))
    r.status = "held"


@operation(N_("Held turns return"))
def return_held(tx: Tx, meeting_id: int) -> list[int]:
    """Held turns whose endpoint is back return to the head of their queue. Run automatically
    when endpoint changes arrive; changes nothing (and journals nothing) when no turn is due."""
    tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    tx.automatic = True
    items = tx.session.scalars(
        select(m.SpeakerRequest.agenda_item_id)
        .where(m.SpeakerRequest.meeting_id == meeting_id, m.SpeakerRequest.status == "held")
        .distinct()
    ).all()
    back: list[m.SpeakerRequest] = []
    for item_id in items:
        back += _release_held(tx, item_id)
    if back:
        tx.label = _("Turn returns to the head of the queue: {names}").format(
            names=", ".join(_name(tx, r) for r in back))
    return [r.id for r in back]


# --- time limits -----------------------------------------------------------------------------


@operation(N_("Set speaking time"))
def set_item_speaking_minutes(tx: Tx, item_id: int, minutes: int | None) -> None:
    """The default speaking time of an item's speakers (None: the meeting's default)."""
    item = tx.get(m.AgendaItem, item_id, "agenda item")
    tx.meeting_id = item.meeting_id
    value = ed.integer(1, 240, optional=True)("speaking_minutes", minutes)
    tx.label = (_("Set speaking time of item {item}: {minutes} min").format(item=_item_label(item), minutes=value)
                if value else
                _("Set speaking time of item {item}: meeting default").format(item=_item_label(item)))
    if item.speaking_minutes != value:
        item.speaking_minutes = value


# --- what the speaker panel reads ------------------------------------------------------------


@dataclass(frozen=True)
class LinkInfo:
    """The connection status of an endpoint a speaker speaks from."""

    id: int
    name: str
    status: str


def speech_order(
    item_positions: dict[int, int], r: reads.SpeakerInfo
) -> tuple[int, int, float, int]:
    """The order of ``reads.speakers``: by item; speeches in the order given, then the queue."""
    started = r.actual_start is not None
    return (
        item_positions.get(r.agenda_item_id, 0),
        0 if started else 1,
        r.actual_start.timestamp() if r.actual_start is not None
        else (r.position if r.position is not None else 1 << 30),
        r.id,
    )  # fmt: skip


@dataclass(frozen=True)
class QueueView:
    """One consistent read of what the speaker queue shows: the meeting, its agenda, every
    request, and the status of the endpoints the requests speak from (not all endpoints: a
    national meeting has thousands)."""

    meeting: reads.MeetingInfo
    agenda: tuple[reads.AgendaItemInfo, ...]
    speakers: tuple[reads.SpeakerInfo, ...]
    links: dict[int, LinkInfo] = field(default_factory=dict)

    def item(self, item_id: int | None) -> reads.AgendaItemInfo | None:
        return next((i for i in self.agenda if i.id == item_id), None)

    @cached_property
    def current(self) -> reads.SpeakerInfo | None:
        return next((s for s in self.speakers if s.status in CURRENT), None)

    @cached_property
    def _index(self) -> dict[int, int]:
        # request id → its place in ``speakers``
        return {s.id: i for i, s in enumerate(self.speakers)}

    @cached_property
    def _by_item(self) -> dict[int, tuple[list[reads.SpeakerInfo], list[reads.SpeakerInfo]]]:
        # item → (its requests, its queue in order); computed once per read (views are frozen)
        out: dict[int, tuple[list[reads.SpeakerInfo], list[reads.SpeakerInfo]]] = {}
        for s in self.speakers:
            out.setdefault(s.agenda_item_id, ([], []))[0].append(s)
        for rows, queue in out.values():
            queue.extend(
                sorted(
                    (s for s in rows if s.position is not None), key=lambda s: (s.position, s.id)
                )
            )
        return out

    @cached_property
    def _needs(self) -> dict[int, tuple[int, float]]:
        return {}

    def of_item(self, item_id: int | None) -> list[reads.SpeakerInfo]:
        return list(self._by_item.get(item_id, ((), ()))[0]) if item_id is not None else []

    def waiting(self, item_id: int | None) -> list[reads.SpeakerInfo]:
        return list(self._by_item.get(item_id, ((), ()))[1]) if item_id is not None else []

    def _limit_args(self, item_id: int) -> tuple[int | None, int]:
        item = self.item(item_id)
        return (item.speaking_minutes if item else None), self.meeting.default_speaking_minutes

    def waiting_need(self, item_id: int) -> tuple[int, float]:
        """``speaker_budget.waiting_need`` of the item's requests, kept per view (and carried
        from view to view by ``updated``: a call in a queue of 500 does not add 500 limits)."""
        need = self._needs.get(item_id)
        if need is None:
            item_minutes, meeting_minutes = self._limit_args(item_id)
            queue = self._by_item.get(item_id, ((), ()))[1]
            need = self._needs[item_id] = (
                len(queue), float(sum(limit_seconds(s, item_minutes, meeting_minutes) for s in queue)))
        return need

    def budget_rows(self, item_id: int) -> list[reads.SpeakerInfo]:
        """The requests ``speaker_budget.queue_budget`` reads besides the waiting ones (whose
        sum is ``waiting_need``): the item's current speaker (the meeting has one at most) and
        its first speech, which only an item neither started nor planned needs (its time starts
        with it, ``speaker_budget.item_time_left``): neither looked for among the item's
        requests at each call and tick in a queue of 500."""
        cur = self.current
        out = [cur] if cur is not None and cur.agenda_item_id == item_id else []
        item = self.item(item_id)
        if item is not None and (item.actual_start is not None or item.planned_start is not None
                                 or item.status in ("done", "skipped")):
            return out
        rows = self._by_item.get(item_id, ((), ()))[0]
        started = [s for s in rows if s.actual_start is not None]
        if started:
            out.append(min(started, key=lambda s: s.actual_start))  # type: ignore[arg-type,return-value]
        return out

    def link_status(self, s: reads.SpeakerInfo) -> str:
        """The status of the speaker's endpoint ("connected" for the main hall)."""
        link = self.links.get(s.meeting_endpoint_id) if s.meeting_endpoint_id else None
        return link.status if link else "connected"

    def next_to_call(self, item_id: int | None) -> reads.SpeakerInfo | None:
        """Who ``call_next`` would reach first: a queued speaker, or a held one whose link is
        back (held turns return first)."""
        waiting = self._by_item.get(item_id, ((), ()))[1] if item_id is not None else []
        for s in waiting:
            if s.status == "held" and self.link_status(s) not in NOT_BACK:
                return s
        return next((s for s in waiting if s.status == "queued"), None)

    def updated(self, update: RequestsUpdate) -> QueueView:
        """This view with some requests read again (a change that touched only those)."""
        if not update.gone:
            quick = self._patched_in_place(update)
            if quick is not None:
                return quick
        fresh = {r.id: r for r in update.speakers}
        rows = [fresh.pop(r.id, r) for r in self.speakers if r.id not in update.gone]
        rows += fresh.values()
        positions = {it.id: it.position for it in self.agenda}
        rows.sort(key=lambda r: speech_order(positions, r))
        links = dict(self.links)
        links.update(update.links)
        return replace(self, speakers=tuple(rows), links=links)

    def with_agenda(self, agenda: tuple[reads.AgendaItemInfo, ...], changed: frozenset[int]) -> QueueView:
        """This view with its agenda items read again, the agenda's order the same (a "next
        item"): what it worked out from its requests alone (the current speaker, each item's
        requests and queue) is carried over instead of worked out again over every request;
        the queue's need is kept for the items not ``changed`` (it follows an item's speaking
        time)."""
        view = replace(self, agenda=agenda)
        held, carried = self.__dict__, view.__dict__
        for name in ("current", "_index", "_by_item"):
            if name in held:
                carried[name] = held[name]
        if "_needs" in held:
            carried["_needs"] = {k: v for k, v in held["_needs"].items() if k not in changed}
        return view

    def _patched_in_place(self, update: RequestsUpdate) -> QueueView | None:
        """``updated`` when every request is held already and stays on its item (a call, a
        move, a timer key: the usual key press): the rows are replaced where they stand (sorted
        again only when one moves in speech order) and what the view worked out (each item's
        requests and queue, the queue's need) is carried over for the items touched instead of
        being worked out again over 500 requests. None when the general path is needed."""
        index = self._index
        rows = list(self.speakers)
        olds: dict[int, tuple[int, reads.SpeakerInfo, reads.SpeakerInfo]] = {}
        for r in update.speakers:
            i = index.get(r.id)
            if i is None or rows[i].agenda_item_id != r.agenda_item_id:
                return None
            olds[r.id] = (i, rows[i], r)
            rows[i] = r
        positions = {it.id: it.position for it in self.agenda}
        n = len(rows)
        moved = False
        for i, _o, r in olds.values():
            k = speech_order(positions, r)
            if (i > 0 and not speech_order(positions, rows[i - 1]) < k) \
                    or (i + 1 < n and not k < speech_order(positions, rows[i + 1])):
                moved = True  # a row moves in speech order (a move in the queue)
                break
        if moved:
            rows.sort(key=lambda r: speech_order(positions, r))
        links = dict(self.links)
        links.update(update.links)
        view = replace(self, speakers=tuple(rows), links=links)
        carried = view.__dict__
        if not moved:
            carried["_index"] = index  # same ids in the same places
        if "_by_item" in self.__dict__:
            by_item = dict(self._by_item)
            needs = dict(self._needs)
            for item_id in {r.agenda_item_id for _i, _o, r in olds.values()}:
                changed = {id_: (o, r) for id_, (_i, o, r) in olds.items() if r.agenda_item_id == item_id}
                item_rows, queue = by_item.get(item_id, ([], []))
                if moved:  # the item's requests in the new speech order
                    item_rows = [s for s in rows if s.agenda_item_id == item_id]
                else:
                    item_rows = [changed[s.id][1] if s.id in changed else s for s in item_rows]
                new_queue = [changed[s.id][1] if s.id in changed else s for s in queue]
                new_queue = [s for s in new_queue if s.position is not None]
                new_queue += [r for o, r in changed.values() if o.position is None and r.position is not None]
                if any(r.position is not None and r.position != o.position for o, r in changed.values()):
                    new_queue.sort(key=lambda s: (s.position, s.id))
                by_item[item_id] = (item_rows, new_queue)
                need = needs.get(item_id)
                if need is not None:
                    item_minutes, meeting_minutes = self._limit_args(item_id)
                    count, seconds = need
                    for o, r in changed.values():
                        if o.position is not None:
                            count -= 1
                            seconds -= limit_seconds(o, item_minutes, meeting_minutes)
                        if r.position is not None:
                            count += 1
                            seconds += limit_seconds(r, item_minutes, meeting_minutes)
                    needs[item_id] = (count, seconds)
            carried["_by_item"] = by_item
            carried["_needs"] = needs
        if "current" in self.__dict__:
            was = self.current
            if (was is None or was.id not in olds) and not any(r.status in CURRENT for _i, _o, r in olds.values()):
                carried["current"] = was
        return view


# Columns whose new values, as an operation's ``Changes.updates`` carries them, are the read
# request's values as they stand (a person or an endpoint brings names from other tables).
REQUEST_PATCH_FIELDS = frozenset({
    "agenda_item_id", "topic", "requested_minutes", "limit_minutes", "source", "position", "status",
    "requested_at", "actual_start", "actual_end", "paused_at", "paused_seconds", "extended_seconds",
    "summary"})


@dataclass(frozen=True)
class RequestsUpdate:
    """Some requests read again: their new values, the ids that no longer exist, and the
    status of their endpoints."""

    speakers: tuple[reads.SpeakerInfo, ...]
    gone: frozenset[int]
    links: dict[int, LinkInfo]


def _speaker_rows(
    s: Any, meeting_id: int, ids: Iterable[int] | None = None
) -> tuple[tuple[reads.SpeakerInfo, ...], dict[int, LinkInfo]]:
    """Requests as ``reads.speakers`` gives them (same values, same order), read as plain
    columns in one query, with the status of the endpoints they speak from; all of the meeting's,
    or only ``ids``."""
    R = m.SpeakerRequest
    cols = (
        R.id, R.meeting_id, R.agenda_item_id, R.person_id, m.Person.full_name, m.Person.posts,
        R.meeting_endpoint_id, m.Endpoint.name, R.topic, R.requested_minutes, R.limit_minutes,
        R.source, R.position, R.status, R.requested_at, R.actual_start, R.actual_end, R.paused_at,
        R.paused_seconds, R.extended_seconds, R.summary, m.AgendaItem.position, m.MeetingEndpoint.status,
    )  # fmt: skip
    q = (
        select(*cols)
        .join(m.Person, m.Person.id == R.person_id)
        .join(m.AgendaItem, m.AgendaItem.id == R.agenda_item_id)
        .outerjoin(m.MeetingEndpoint, m.MeetingEndpoint.id == R.meeting_endpoint_id)
        .outerjoin(m.Endpoint, m.Endpoint.id == m.MeetingEndpoint.endpoint_id)
        .where(R.meeting_id == meeting_id)
    )
    if ids is not None:
        q = q.where(R.id.in_(sorted(ids)))
    infos: list[reads.SpeakerInfo] = []
    links: dict[int, LinkInfo] = {}
    positions: dict[int, int] = {}
    for row in s.execute(q):
        (id_, mid, item_id, person_id, name, posts, me_id, ep_name, topic, requested, limit, source,
         position, status, requested_at, start, end, paused_at, paused_s, extended_s, summary,
         item_position, link) = row  # fmt: skip
        positions[item_id] = item_position
        infos.append(reads.SpeakerInfo(
            id_, mid, item_id, person_id, name or "", tuple(posts or ()), me_id, ep_name or "",
            topic, requested, limit, source, position, status, requested_at, start, end, paused_at,
            paused_s, extended_s, summary,
        ))  # fmt: skip
        if me_id is not None and link is not None:
            links[me_id] = LinkInfo(me_id, ep_name or "", link)
    infos.sort(key=lambda r: speech_order(positions, r))
    return tuple(infos), links


def queue_view(core: Core, meeting_id: int) -> QueueView:
    """Everything the speaker queue shows, in one read."""
    with core.reading() as s:
        speakers, links = _speaker_rows(s, meeting_id)
        return QueueView(
            meeting=reads._meeting(s, meeting_id),
            agenda=reads._agenda(s, meeting_id),
            speakers=speakers,
            links=links,
        )


def read_requests(core: Core, meeting_id: int, ids: Iterable[int]) -> RequestsUpdate:
    """Some requests read again, for ``QueueView.updated`` (a change that touched only them)."""
    wanted = frozenset(ids)
    with core.reading() as s:
        speakers, links = _speaker_rows(s, meeting_id, wanted)
    return RequestsUpdate(speakers, wanted - {r.id for r in speakers}, links)


def read_links(core: Core, meeting_id: int) -> dict[int, LinkInfo]:
    """The status of every endpoint the meeting's requests speak from (after an endpoint change:
    the queue needs nothing else; one small read however many endpoints changed)."""
    with core.reading() as s:
        used = (
            select(m.SpeakerRequest.meeting_endpoint_id)
            .where(
                m.SpeakerRequest.meeting_id == meeting_id,
                m.SpeakerRequest.meeting_endpoint_id.is_not(None),
            )
            .distinct()
        )
        rows = s.execute(
            select(m.MeetingEndpoint.id, m.Endpoint.name, m.MeetingEndpoint.status)
            .join(m.Endpoint, m.Endpoint.id == m.MeetingEndpoint.endpoint_id)
            .where(m.MeetingEndpoint.id.in_(used))
        ).all()
    return {i: LinkInfo(i, name, status) for i, name, status in rows}
