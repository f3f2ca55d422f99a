"""What the hall display shows: the live meeting as one frozen value, and the display mode.

The display follows the meeting read-only. It reads a ``DisplaySource`` (the rows it needs, in
one read session) when the change bus says something changed, and computes a ``DisplayState``
from that source and the time, every second, without touching the database: the speaking timer
and the clock tick from values already held (``state_at`` is pure).

What is on screen (``DisplayState.view``):

- ``speaker``: someone has the floor (``speaking`` or ``paused``; also called and waiting for
  the timer): name, posts, endpoint, the timer, and the next speakers of the item;
- ``ceremony``: the commendation item runs and a group is still to be presented: the award, its
  recipients, the presenter (the group is the ceremony's *current* one, see ``core.ceremony``);
- ``item``: an item runs (or is paused): its title and presenter;
- ``between``: no item runs; the next pending item and its planned time;
- ``idle``: nothing runs and nothing is pending (or no items at all);
- ``closed``: the meeting is closed.

The secretariat switches the whole screen to ``blank`` or ``logo`` (``Meeting.display_mode``)
with ``set_display_mode`` / ``toggle_display_mode``: journaled and undoable like any change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, event, or_, select

from meeting_console.core import reads
from meeting_console.core.api import Core, Tx, operation
from meeting_console.core.ceremony import done as group_done
from meeting_console.core.ceremony import grouped
from meeting_console.core.clock import Clock
from meeting_console.core.forecast import forecast, planned_slots
from meeting_console.core.speaker_budget import CURRENT as SPEAKER_CURRENT
from meeting_console.core.speaker_budget import WAITING, item_time_left, speech_clock
from meeting_console.core.timefmt import duration, hhmm
from meeting_console.errors import OperationRefused, UserError
from meeting_console.i18n import N_, _
from meeting_console.store import models as m

MODES = ("live", "blank", "logo")
VIEWS = ("speaker", "ceremony", "item", "between", "idle", "closed")
ITEM_CURRENT = ("running", "paused")
NEXT_SPEAKERS = 3  # how many waiting speakers the screen lists


# --- the display mode ----------------------------------------------------------------------

_MODE_LABELS = {
    "live": "Hall display: live",
    "blank": "Hall display: blank",
    "logo": "Hall display: logo only",
}


def _check_mode(mode: object) -> str:
    if mode not in MODES:
        raise OperationRefused(_("display_mode: one of {fields}; got {mode}").format(fields=', '.join(MODES), mode=repr(mode)))
    return str(mode)


@operation(N_("Hall display"))
def set_display_mode(tx: Tx, meeting_id: int, mode: str) -> str:
    """What the hall display shows: ``live`` (the meeting), ``blank`` (a black screen) or
    ``logo`` (the emblem and the meeting's title). No change, no journal entry."""
    meeting = tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    mode = _check_mode(mode)
    tx.label = _MODE_LABELS[mode]
    if meeting.display_mode != mode:
        meeting.display_mode = mode
    return mode


@operation(N_("Hall display"))
def toggle_display_mode(tx: Tx, meeting_id: int, mode: str) -> str:
    """One key: switch to ``mode`` (blank or logo), or back to live when it is on already.
    Decided inside the transaction, so two consoles pressing at once cannot cross; returns
    the new mode."""
    meeting = tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    mode = _check_mode(mode)
    new = "live" if meeting.display_mode == mode else mode
    tx.label = _MODE_LABELS[new]
    meeting.display_mode = new
    return new


# --- what the screen shows ------------------------------------------------------------------


@dataclass(frozen=True)
class ItemLine:
    id: int
    number: str  # the item's number, else its position
    title: str
    kind: str
    status: str
    presenter: str
    presenter_posts: tuple[str, ...]
    planned_start: datetime | None  # its own, else the end of the previous planned item
    planned_end: datetime | None
    actual_start: datetime | None
    expected_end: datetime | None  # a current item: when its time (with extensions) is up
    projected_start: datetime | None  # a pending item: when the forecast expects it

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


@dataclass(frozen=True)
class SpeakerLine:
    id: int
    name: str
    posts: tuple[str, ...]
    endpoint: str  # "" when speaking from the main hall
    status: str

    @property
    def post_text(self) -> str:
        return ", ".join(self.posts)


@dataclass(frozen=True)
class TimerState:
    """The current speaker's clock at one instant (from ``speaker_budget.speech_clock``)."""

    started: bool
    running: bool
    paused: bool
    elapsed: float
    limit: int
    phase: str  # waiting | normal | warning | overrun (``SpeechClock.phase``)

    @property
    def remaining(self) -> float:
        return self.limit - self.elapsed

    @property
    def overrun(self) -> float:
        return max(0.0, self.elapsed - self.limit)

    @property
    def fraction(self) -> float:
        """Share of the limit used, 0..1."""
        return min(1.0, max(0.0, self.elapsed / self.limit)) if self.limit else 1.0

    @property
    def text(self) -> str:
        """The big figure: time left, counting down ("4:32"); past the limit, the overrun with
        a plus ("+0:12"). A countdown rounds up, so it shows 5:00 for the first second."""
        if self.phase == "overrun":
            return "+" + duration(math.floor(self.overrun))
        return duration(max(0, math.ceil(self.remaining - 1e-6)))

    @property
    def elapsed_text(self) -> str:
        return duration(math.floor(self.elapsed))

    @property
    def limit_text(self) -> str:
        return duration(self.limit)


@dataclass(frozen=True)
class RecipientLine:
    name: str
    post: str
    collective: bool
    posthumous: bool
    received_by: str  # who receives it (posthumous awards)
    endpoint: str


@dataclass(frozen=True)
class CeremonyState:
    item_id: int
    index: int  # 1-based place of the group being presented
    count: int  # groups in the ceremony
    presented: int  # groups presented so far
    award_names: tuple[str, ...]
    authority: str
    presenters: tuple[str, ...]
    recipients: tuple[RecipientLine, ...]
    next_award_names: tuple[str, ...]  # the group after this one
    next_recipients: tuple[str, ...]


@dataclass(frozen=True)
class DisplayState:
    meeting_id: int
    now: datetime
    timezone: str
    language: str
    mode: str
    view: str
    title: str
    number: str
    parent_body: str
    issuing_body: str
    place: str
    city: str
    date: date
    status: str
    started_at: datetime | None
    closed_at: datetime | None
    main_hall: str  # the main hall endpoint's name ("" if none)
    item: ItemLine | None  # the current item (running or paused)
    speaker: SpeakerLine | None  # the current speaker
    timer: TimerState | None
    next_speakers: tuple[SpeakerLine, ...]
    waiting: int  # speakers waiting on the item (the screen lists the first few)
    ceremony: CeremonyState | None
    next_item: ItemLine | None  # the first pending item
    after_next: ItemLine | None  # the pending item after that
    items_done: int
    items_total: int

    @property
    def clock_text(self) -> str:
        return hhmm(self.now, self.timezone)

    def headline(self) -> dict[str, Any]:
        """The state without what ticks (clock, timer figures): it changes only when the
        meeting does (or the timer changes phase). The display's test mode prints it."""
        sp = self.speaker
        ce = self.ceremony
        return {
            "meeting": self.meeting_id,
            "mode": self.mode,
            "view": self.view,
            "item": self.item.label if self.item else None,
            "item_status": self.item.status if self.item else None,
            "speaker": sp.name if sp else None,
            "endpoint": sp.endpoint if sp else None,
            "timer": self.timer.phase if self.timer else None,
            "paused": self.timer.paused if self.timer else None,
            "award": " · ".join(ce.award_names) if ce else None,
            "recipients": [r.name for r in ce.recipients] if ce else [],
            "next_item": self.next_item.label if self.next_item else None,
            "next_speakers": [s.name for s in self.next_speakers],
        }


@dataclass(frozen=True)
class DisplaySource:
    """The rows the screen is computed from (read once per change, not per tick)."""

    meeting: reads.MeetingInfo
    agenda: tuple[reads.AgendaItemInfo, ...]
    speakers: tuple[reads.SpeakerInfo, ...]
    grants: tuple[reads.GrantInfo, ...]
    posts: tuple[tuple[int, tuple[str, ...]], ...]  # person id → posts
    main_hall: str

    def posts_of(self, person_id: int | None) -> tuple[str, ...]:
        return next((p for i, p in self.posts if i == person_id), ())


def _chunks(ids: set[int], size: int = 900) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[k:k + size] for k in range(0, len(ordered), size)]


def _people(s: Any, ids: set[int]) -> dict[int, tuple[str, tuple[str, ...]]]:
    out: dict[int, tuple[str, tuple[str, ...]]] = {}
    for chunk in _chunks(ids):
        for pid, name, posts in s.execute(
            select(m.Person.id, m.Person.full_name, m.Person.posts).where(m.Person.id.in_(chunk))
        ).all():
            out[pid] = (name, tuple(posts or ()))
    return out


def _endpoint_names(s: Any, ids: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in _chunks(ids):
        out.update(s.execute(
            select(m.MeetingEndpoint.id, m.Endpoint.name)
            .join(m.Endpoint, m.Endpoint.id == m.MeetingEndpoint.endpoint_id)
            .where(m.MeetingEndpoint.id.in_(chunk))
        ).all())
    return out


def load(core: Core, meeting_id: int) -> DisplaySource:
    """Read what the display needs, in one read transaction: the meeting, its agenda, the
    speech on the floor and the queue of the current item, the awards of the current item,
    and the names and posts these mention. Nothing else: a national meeting has tens of
    thousands of endpoints (whose statuses the screen does not show) and a day of requests."""
    with core.reading() as s:
        meeting = reads._meeting(s, meeting_id)
        agenda = reads._agenda(s, meeting_id)
        current = next((it for it in agenda if it.status in ITEM_CURRENT), None)

        wanted = m.SpeakerRequest.status.in_(SPEAKER_CURRENT)
        if current is not None:
            wanted = or_(wanted, and_(m.SpeakerRequest.agenda_item_id == current.id,
                                      m.SpeakerRequest.status.in_(WAITING)))
        requests = list(s.scalars(
            select(m.SpeakerRequest)
            .where(m.SpeakerRequest.meeting_id == meeting_id, wanted)
            .order_by(m.SpeakerRequest.id)
        ))
        grant_rows: list[tuple[m.AwardGrant, m.AwardType]] = []
        if current is not None:
            own = m.AwardGrant.agenda_item_id == current.id
            if current.kind == "commendation":
                own = or_(own, m.AwardGrant.agenda_item_id.is_(None))
            grant_rows = [tuple(row) for row in s.execute(  # type: ignore[misc]
                select(m.AwardGrant, m.AwardType)
                .join(m.AwardType, m.AwardType.id == m.AwardGrant.award_type_id)
                .where(m.AwardGrant.meeting_id == meeting_id, own)
                .order_by(m.AwardGrant.ceremony_position, m.AwardGrant.id)
            ).all()]

        person_ids = {r.person_id for r in requests}
        person_ids |= {it.presenter_id for it in agenda if it.presenter_id is not None}
        for g, _t in grant_rows:
            person_ids |= {x for x in (g.recipient_person_id, g.presenter_id) if x is not None}
        people = _people(s, person_ids)
        endpoint_ids = {r.meeting_endpoint_id for r in requests if r.meeting_endpoint_id}
        endpoint_ids |= {g.meeting_endpoint_id for g, _t in grant_rows if g.meeting_endpoint_id}
        endpoints = _endpoint_names(s, endpoint_ids)
        org_ids = {g.recipient_org_id for g, _t in grant_rows if g.recipient_org_id}
        orgs = dict(s.execute(
            select(m.Organisation.id, m.Organisation.name).where(m.Organisation.id.in_(org_ids))
        ).all()) if org_ids else {}
        hall = s.execute(
            select(m.Endpoint.name)
            .join(m.MeetingEndpoint, m.MeetingEndpoint.endpoint_id == m.Endpoint.id)
            .where(m.MeetingEndpoint.meeting_id == meeting_id, m.Endpoint.kind == "main_hall")
            .order_by(m.MeetingEndpoint.position, m.MeetingEndpoint.id)
            .limit(1)
        ).scalar()

        def name(pid: int | None) -> str:
            return people[pid][0] if pid in people else ""

        speeches = tuple(
            reads._info(
                reads.SpeakerInfo, r,
                person_name=name(r.person_id),
                person_posts=people.get(r.person_id, ("", ()))[1],
                endpoint_name=endpoints.get(r.meeting_endpoint_id or 0, ""),
            )
            for r in requests
        )
        grants = tuple(
            reads._info(
                reads.GrantInfo, g,
                award_name=t.name,
                award_precedence=t.precedence,
                authority=t.authority,
                recipient_name=orgs.get(g.recipient_org_id or 0, "")
                if g.recipient_kind == "collective" else name(g.recipient_person_id),
                presenter_name=name(g.presenter_id) or g.presenter_text,
                endpoint_name=endpoints.get(g.meeting_endpoint_id or 0, ""),
            )
            for g, t in grant_rows
        )
        return DisplaySource(
            meeting=meeting,
            agenda=agenda,
            speakers=speeches,
            grants=grants,
            posts=tuple((pid, posts) for pid, (_n, posts) in people.items()),
            main_hall=hall or "",
        )


def _item_line(
    src: DisplaySource, it: reads.AgendaItemInfo, slots: dict[int, Any], *,
    expected_end: datetime | None = None, projected_start: datetime | None = None,
) -> ItemLine:
    slot = slots.get(it.id)
    return ItemLine(
        id=it.id,
        number=it.number or str(it.position),
        title=it.title,
        kind=it.kind,
        status=it.status,
        presenter=it.presenter_name,
        presenter_posts=src.posts_of(it.presenter_id),
        planned_start=slot.start if slot else it.planned_start,
        planned_end=slot.end if slot else None,
        actual_start=it.actual_start,
        expected_end=expected_end,
        projected_start=projected_start,
    )


def _speaker_line(r: reads.SpeakerInfo) -> SpeakerLine:
    return SpeakerLine(r.id, r.person_name, r.person_posts, r.endpoint_name, r.status)


def _ceremony(src: DisplaySource, item: reads.AgendaItemInfo) -> CeremonyState | None:
    """The group being presented, while the commendation item runs (None when every group of
    its ceremony has been presented)."""
    # the item's own awards; a commendation item also presents those tied to no item
    mine = [g for g in src.grants if g.agenda_item_id == item.id
            or (g.agenda_item_id is None and item.kind == "commendation")]
    if not mine:
        return None
    groups = grouped(mine)
    index = next((i for i, gr in enumerate(groups) if not group_done(gr)), None)
    if index is None:
        return None
    gr = groups[index]
    nxt = next((g for g in groups[index + 1:] if not group_done(g)), None)
    recipients = []
    for g in gr:
        post = g.recipient_post
        if not post and g.recipient_kind == "individual":
            post = ", ".join(src.posts_of(g.recipient_person_id))
        recipients.append(RecipientLine(
            name=g.recipient_name,
            post=post,
            collective=g.recipient_kind == "collective",
            posthumous=g.posthumous,
            received_by=g.received_by,
            endpoint=g.endpoint_name,
        ))
    names = tuple(dict.fromkeys(g.award_name for g in gr))
    return CeremonyState(
        item_id=item.id,
        index=index + 1,
        count=len(groups),
        presented=sum(1 for x in groups if group_done(x)),
        award_names=names,
        authority=gr[0].authority,
        presenters=tuple(dict.fromkeys(g.presenter_name for g in gr if g.presenter_name)),
        recipients=tuple(recipients),
        next_award_names=tuple(dict.fromkeys(g.award_name for g in nxt)) if nxt else (),
        next_recipients=tuple(g.recipient_name for g in nxt) if nxt else (),
    )


def state_at(src: DisplaySource, now: datetime) -> DisplayState:
    """The screen at ``now``: pure, cheap enough to run every second."""
    mt = src.meeting
    items = src.agenda
    slots = planned_slots(items)
    current = next((it for it in items if it.status in ITEM_CURRENT), None)
    pending = [it for it in items if it.status == "pending"]

    speech = next((r for r in src.speakers if r.status in SPEAKER_CURRENT), None)
    if speech is not None and current is not None and speech.agenda_item_id != current.id:
        # a speech left running when its item closed: the item that runs now is what the
        # hall sees (the console still shows the speech, to be ended)
        speech = None
    if mt.status == "closed":
        speech = None  # the hall sees the meeting closed, whatever was left running
    speaker = timer = None
    if speech is not None:
        sp_item = next((it for it in items if it.id == speech.agenda_item_id), None)
        clock = speech_clock(
            speech, now, sp_item.speaking_minutes if sp_item else None,
            mt.default_speaking_minutes,
        )
        speaker = _speaker_line(speech)
        timer = TimerState(
            started=clock.started, running=clock.running, paused=speech.status == "paused",
            elapsed=clock.elapsed, limit=clock.limit, phase=clock.phase,
        )

    queue_item = current.id if current else (speech.agenda_item_id if speech else None)
    waiting = sorted(
        (r for r in src.speakers if r.agenda_item_id == queue_item and r.status in WAITING),
        key=lambda r: (r.position if r.position is not None else 1 << 30, r.id),
    )

    item_line = None
    ceremony = None
    if current is not None:
        item_speeches = [r for r in src.speakers if r.agenda_item_id == current.id]
        _left, deadline = item_time_left(current, item_speeches, now)
        item_line = _item_line(src, current, slots, expected_end=deadline)
        ceremony = _ceremony(src, current)
    elif speech is not None:
        # a speech on after its item closed, no item running: name the speech's item
        own = next((it for it in items if it.id == speech.agenda_item_id), None)
        item_line = _item_line(src, own, slots) if own is not None else None

    next_line = after_line = None
    if pending:
        fc = forecast(items, now, meeting_status=mt.status, meeting_end=mt.actual_end)
        lines = []
        for it in pending[:2]:
            f = fc.item(it.id)
            lines.append(_item_line(src, it, slots, projected_start=f.start if f else None))
        next_line = lines[0]
        after_line = lines[1] if len(lines) > 1 else None

    if mt.status == "closed":
        view = "closed"
    elif speaker is not None:
        view = "speaker"
    elif ceremony is not None:
        view = "ceremony"
    elif current is not None:
        view = "item"
    elif next_line is not None:
        view = "between"
    else:
        view = "idle"

    return DisplayState(
        meeting_id=mt.id,
        now=now,
        timezone=mt.timezone,
        language=mt.language,
        mode=mt.display_mode if mt.display_mode in MODES else "live",
        view=view,
        title=mt.title,
        number=mt.number,
        parent_body=mt.parent_body,
        issuing_body=mt.issuing_body,
        place=mt.place,
        city=mt.city,
        date=mt.date,
        status=mt.status,
        started_at=mt.actual_start,
        closed_at=mt.actual_end,
        main_hall=src.main_hall,
        item=item_line,
        speaker=speaker,
        timer=timer,
        next_speakers=tuple(_speaker_line(r) for r in waiting[:NEXT_SPEAKERS]),
        waiting=len(waiting),
        ceremony=ceremony,
        next_item=next_line,
        after_next=after_line,
        items_done=sum(1 for it in items if it.status in ("done", "skipped")),
        items_total=len(items),
    )


def display_state(core: Core, meeting_id: int, now: datetime) -> DisplayState:
    """Everything the hall display shows for a meeting at ``now``."""
    return state_at(load(core, meeting_id), now)


# --- opening the database for a display process ---------------------------------------------


def _sqlite_query_only(dbapi_conn: Any, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA query_only=ON")
    cur.close()


def _pg_read_only(dbapi_conn: Any, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cur.close()
    dbapi_conn.commit()


def open_for_display(db: str | None, *, clock: Clock | None = None) -> Core:
    """A core for a display process: the database must exist already (a display never
    creates one), and every connection is read-only at the database level (SQLite
    ``query_only``, a PostgreSQL read-only session), so even a bug cannot write."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from meeting_console.store.engine import resolve_url

    url = make_url(resolve_url(db))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)  # type: ignore[arg-type]
        if not path.is_file():
            raise UserError(_("{path}: no database there; a display follows an existing meeting").format(path=path))
    core = Core.open(db, clock=clock, seat="display")
    engine = core.db.engine
    engine.dispose()  # connections opened while checking the schema were writable
    event.listen(
        engine, "connect", _sqlite_query_only if core.db.is_sqlite else _pg_read_only
    )
    return core
