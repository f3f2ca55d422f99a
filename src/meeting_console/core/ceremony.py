"""The commendation ceremony: the order of presentation, groups, and the live run.

Grants are presented in ``ceremony_position`` order. Grants sharing a ``group_no`` are one
*group*: one presenter, several recipients on stage at once (the Kỷ niệm chương for three
provincial leaders). A ``group_no`` of 0 means "on its own". The operations here keep groups
contiguous and number them 1, 2, 3 … in ceremony order, so "group 4" is the fourth presentation.

The automatic order is the legal precedence (``award_type.precedence``, lower = higher rank),
highest first, keeping the list order among grants of the same type; a secretariat adjusts it
by hand afterwards. Groups already presented stay where they were: they are history.

Live: the *current* group is the first one not yet presented. ``present`` records the time for
the whole group in one journaled, undoable operation; it refuses (``CautionRefused``) when a
recipient cannot come forward — their endpoint has lost its link or left, or they are marked
absent — unless the operator confirms with ``despite_cautions=True``. ``defer_group`` lets the
ceremony go on and calls the held group after the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import select

from meeting_console.core import reads
from meeting_console.core.api import Core, Tx, operation
from meeting_console.core.concurrency import Conflict, changed_by, expect_seen
from meeting_console.core.timefmt import hhmm
from meeting_console.errors import OperationRefused
from meeting_console.i18n import N_, _
from meeting_console.store import models as m

# Endpoint statuses from which a recipient cannot come forward.
UNREACHABLE = ("lost", "left")


class _Placed(Protocol):
    """A grant as the ordering rules see it (an ORM row or a frozen read)."""

    @property
    def id(self) -> int: ...
    @property
    def group_no(self) -> int: ...
    @property
    def ceremony_position(self) -> int: ...
    @property
    def presented_at(self) -> datetime | None: ...


G = TypeVar("G", bound=_Placed)


# --- pure ordering -------------------------------------------------------------------------


def group_key(g: _Placed) -> tuple[int, int]:
    """Grants with the same key are presented together (group 0: each on its own)."""
    return (g.group_no, 0) if g.group_no else (0, g.id)


def grouped(grants: Iterable[G]) -> list[list[G]]:
    """Grants in ceremony order, gathered into groups: groups in the order of their first
    grant, grants in a group in their own order (contiguous even if the rows were not)."""
    ordered = sorted(grants, key=lambda g: (g.ceremony_position, g.id))
    groups: dict[tuple[int, int], list[G]] = {}
    for g in ordered:
        groups.setdefault(group_key(g), []).append(g)
    return list(groups.values())


def started(group: Sequence[_Placed]) -> bool:
    return any(g.presented_at is not None for g in group)


def done(group: Sequence[_Placed]) -> bool:
    return all(g.presented_at is not None for g in group)


def precedence_order(groups: Sequence[Sequence[G]], rank: Callable[[G], int]) -> list[list[G]]:
    """The automatic order: groups already (partly) presented first, as they were; then the
    others by the highest rank among their grants, ties kept in their current order (the list
    order within a type). Inside a group, grants by rank, ties kept."""
    history = [list(gr) for gr in groups if started(gr)]
    rest = [sorted(gr, key=rank) for gr in groups if not started(gr)]  # sorted() is stable
    rest.sort(key=lambda gr: min(rank(g) for g in gr))
    return history + rest


def insertion_index(groups: Sequence[Sequence[G]], rank_of_new: int,
                    rank: Callable[[G], int]) -> int:
    """Where a new group of rank ``rank_of_new`` goes: after every group presented so far
    and after the last group ranked as high or higher (so the list order within a type
    holds and a hand-made order of the others is left alone)."""
    return _slot([(started(gr), min(rank(g) for g in gr)) for gr in groups], rank_of_new)


def _slot(summary: Sequence[tuple[bool, int]], rank_of_new: int) -> int:
    for i in range(len(summary) - 1, -1, -1):
        was_started, r = summary[i]
        if was_started or r <= rank_of_new:
            return i + 1
    return 0


def renumber(groups: Sequence[Sequence[m.AwardGrant]]) -> None:
    """Write the order back: positions 1…n, group numbers 1…k (only what changed, so the
    journal records only real changes)."""
    position = 0
    for number, gr in enumerate(groups, start=1):
        for g in gr:
            position += 1
            if g.ceremony_position != position:
                g.ceremony_position = position
            if g.group_no != number:
                g.group_no = number


# --- reads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caution:
    """Why a recipient may not be able to come forward when called."""

    grant_id: int
    recipient: str  # who would be called (the receiving relative for a posthumous award)
    reason: str  # lost | left | absent
    endpoint: str = ""
    since: datetime | None = None

    def text(self, tz: str) -> str:
        if self.reason == "absent":
            return f"{self.recipient}: marked absent"
        when = f" since {hhmm(self.since, tz)}" if self.since else ""
        what = "has lost its link" if self.reason == "lost" else "has left the meeting"
        return f"{self.recipient}: endpoint {self.endpoint} {what}{when}"


@dataclass(frozen=True)
class CeremonyGroup:
    index: int  # 1-based place in the ceremony
    group_no: int
    grants: tuple[reads.GrantInfo, ...]
    cautions: tuple[Caution, ...]

    @property
    def grant_ids(self) -> tuple[int, ...]:
        return tuple(g.id for g in self.grants)

    @property
    def presented(self) -> bool:
        return all(g.presented_at is not None for g in self.grants)

    @property
    def presented_at(self) -> datetime | None:
        times = [g.presented_at for g in self.grants if g.presented_at is not None]
        return max(times) if self.presented and times else None

    @property
    def award_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(g.award_name for g in self.grants))

    @property
    def presenter_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(g.presenter_name for g in self.grants if g.presenter_name))

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(g.recipient_name for g in self.grants)


@dataclass(frozen=True)
class Ceremony:
    meeting_id: int
    timezone: str
    groups: tuple[CeremonyGroup, ...]
    in_precedence_order: bool  # False once the order was changed by hand

    @property
    def current(self) -> CeremonyGroup | None:
        """The group to present now: the first one not yet presented."""
        return next((gr for gr in self.groups if not gr.presented), None)

    @property
    def presented_count(self) -> int:
        return sum(1 for gr in self.groups if gr.presented)

    def group_of(self, grant_id: int) -> CeremonyGroup | None:
        return next((gr for gr in self.groups if grant_id in gr.grant_ids), None)


class _Where:
    """Who sits where, looked up by id (a snapshot's lists are searched linearly)."""

    def __init__(self, snap: reads.MeetingSnapshot) -> None:
        self.people = {p.id: p for p in snap.people}
        self.endpoints = {e.id: e for e in snap.endpoints}


def cautions_for(g: reads.GrantInfo, snap: reads.MeetingSnapshot,
                 where: _Where | None = None) -> list[Caution]:
    """What stands in the way of calling this grant's recipient on stage (or on screen)."""
    w = where or _Where(snap)
    out: list[Caution] = []
    who = g.received_by if g.posthumous and g.received_by else g.recipient_name
    person = (w.people.get(g.recipient_person_id or 0) if g.recipient_kind == "individual"
              else None)
    endpoint_id = g.meeting_endpoint_id
    if endpoint_id is None and person is not None and not g.posthumous:
        endpoint_id = person.meeting_endpoint_id  # where the participant sits
    ep = w.endpoints.get(endpoint_id or 0)
    # in the main hall the recipient walks up to the stage whatever the hall's link does
    if ep is not None and ep.kind != "main_hall" and ep.status in UNREACHABLE:
        out.append(Caution(g.id, who, ep.status, ep.name, ep.status_since))
    if person is not None and not g.posthumous and person.attendance == "absent":
        out.append(Caution(g.id, who, "absent"))
    return out


def build(snap: reads.MeetingSnapshot) -> Ceremony:
    """The ceremony of a meeting snapshot (no database access)."""
    groups = grouped(snap.grants)
    rank: dict[int, int] = {g.id: g.award_precedence for g in snap.grants}
    auto = precedence_order(groups, lambda g: rank[g.id])
    where = _Where(snap)
    out = []
    for index, gr in enumerate(groups, start=1):
        cautions = tuple(c for g in gr for c in cautions_for(g, snap, where))
        out.append(CeremonyGroup(index, gr[0].group_no, tuple(gr), cautions))
    same = [[g.id for g in gr] for gr in auto] == [[g.id for g in gr] for gr in groups]
    return Ceremony(snap.meeting.id, snap.meeting.timezone, tuple(out), same)


def snapshot_for(core: Core, meeting_id: int) -> reads.MeetingSnapshot:
    """What the ceremony needs of a meeting, in one read: the grants, the people and
    organisations, and only the endpoints where recipients are (a national meeting has tens of
    thousands of endpoints; the ceremony looks at a handful). No agenda, no speakers."""
    with core.reading() as s:
        grants = reads._grants(s, meeting_id)
        people = reads._people(s, meeting_id)
        recipients = {g.recipient_person_id for g in grants}
        wanted = {g.meeting_endpoint_id for g in grants} | {
            p.meeting_endpoint_id for p in people if p.id in recipients}
        wanted.discard(None)
        endpoints = tuple(e for e in _endpoints_by_id(s, meeting_id, wanted))
        return reads.MeetingSnapshot(
            meeting=reads._meeting(s, meeting_id), agenda=(), endpoints=endpoints,
            organisations=reads._organisations(s, meeting_id), people=people, speakers=(),
            grants=grants)


def _endpoints_by_id(s: Any, meeting_id: int, ids: set[int | None]) -> list[
        reads.MeetingEndpointInfo]:
    if not ids:
        return []
    rows = s.execute(
        select(m.MeetingEndpoint, m.Endpoint)
        .join(m.Endpoint, m.Endpoint.id == m.MeetingEndpoint.endpoint_id)
        .where(m.MeetingEndpoint.meeting_id == meeting_id, m.MeetingEndpoint.id.in_(ids))
        .order_by(m.MeetingEndpoint.position, m.MeetingEndpoint.id)
    ).all()
    return [reads._info(reads.MeetingEndpointInfo, me, name=ep.name, kind=ep.kind, code=ep.code,
                        address=ep.address) for me, ep in rows]


def ceremony(core: Core, meeting_id: int) -> Ceremony:
    """The meeting's ceremony: groups in order, with the cautions of each."""
    return build(snapshot_for(core, meeting_id))


# --- operations ----------------------------------------------------------------------------


class CautionRefused(OperationRefused):
    """``present`` stopped: a recipient may not be able to come forward. Nothing changed."""

    def __init__(self, cautions: Sequence[Caution], tz: str) -> None:
        self.cautions = tuple(cautions)
        lines = "; ".join(c.text(tz) for c in self.cautions)
        super().__init__(f"check before calling: {lines}")


def _grants(tx: Tx, meeting_id: int) -> list[m.AwardGrant]:
    return list(tx.session.scalars(
        select(m.AwardGrant).where(m.AwardGrant.meeting_id == meeting_id)
        .order_by(m.AwardGrant.ceremony_position, m.AwardGrant.id)
    ))


def _ranks(tx: Tx, meeting_id: int) -> dict[int, int]:
    return dict(tx.session.execute(
        select(m.AwardGrant.id, m.AwardType.precedence)
        .join(m.AwardType, m.AwardType.id == m.AwardGrant.award_type_id)
        .where(m.AwardGrant.meeting_id == meeting_id)
    ).all())


def _groups(tx: Tx, meeting_id: int) -> list[list[m.AwardGrant]]:
    return grouped(_grants(tx, meeting_id))


def _group_index(groups: list[list[m.AwardGrant]], grant_id: int) -> int:
    for i, gr in enumerate(groups):
        if any(g.id == grant_id for g in gr):
            return i
    raise OperationRefused(_("award {grant_id} is not in this meeting's ceremony").format(grant_id=grant_id))


def _grant(tx: Tx, grant_id: int) -> m.AwardGrant:
    g = tx.get(m.AwardGrant, grant_id, "award")
    tx.meeting_id = g.meeting_id
    return g


def _seen(tx: Tx, g: m.AwardGrant, seen: dict[str, Any] | None) -> None:
    """Refuse a reorder planned on a ceremony another console changed since (``seen``: the
    grant's ``group_no`` and ``ceremony_position`` as shown)."""
    expect_seen(tx, _("award {id}").format(id=g.id), g, seen, table="award_grant", meeting_id=g.meeting_id)


def _refuse_if_presented(gr: Sequence[m.AwardGrant], what: str) -> None:
    if started(gr):
        raise OperationRefused(_("this group has been presented; {what} would rewrite history").format(what=what))


@operation(N_("Order awards by precedence"))
def order_by_precedence(tx: Tx, meeting_id: int) -> None:
    """Put the ceremony in legal precedence, highest first, keeping the list order within a
    type and keeping groups together; groups already presented stay first, as they were."""
    tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    ranks = _ranks(tx, meeting_id)
    renumber(precedence_order(_groups(tx, meeting_id), lambda g: ranks[g.id]))


@operation(N_("Move award group"))
def move_group(tx: Tx, grant_id: int, steps: int, *, seen: dict[str, Any] | None = None) -> None:
    """Move the group of ``grant_id`` up (negative ``steps``) or down in the ceremony; it
    does not cross a group already presented."""
    g = _grant(tx, grant_id)
    _seen(tx, g, seen)
    groups = _groups(tx, g.meeting_id)
    i = _group_index(groups, grant_id)
    _refuse_if_presented(groups[i], "moving it")
    # it does not cross a group already presented: that one happened where it stands
    lo = max((k + 1 for k in range(i) if started(groups[k])), default=0)
    hi = min((k - 1 for k in range(i + 1, len(groups)) if started(groups[k])),
             default=len(groups) - 1)
    j = max(lo, min(hi, i + steps))
    if j == i:
        raise OperationRefused(_("the group cannot move further that way"))
    tx.label = "Move award group up" if j < i else "Move award group down"
    groups.insert(j, groups.pop(i))
    renumber(groups)


@operation(N_("Move award within its group"))
def move_in_group(tx: Tx, grant_id: int, steps: int, *, seen: dict[str, Any] | None = None) -> None:
    """Change who of a group is called first (the order of names read out)."""
    g = _grant(tx, grant_id)
    _seen(tx, g, seen)
    groups = _groups(tx, g.meeting_id)
    gr = groups[_group_index(groups, grant_id)]
    i = next(k for k, x in enumerate(gr) if x.id == grant_id)
    j = max(0, min(len(gr) - 1, i + steps))
    if j == i:
        raise OperationRefused(_("the award cannot move further that way within its group"))
    gr.insert(j, gr.pop(i))
    renumber(groups)


def _presenter(g: m.AwardGrant) -> tuple[int | None, str]:
    return (g.presenter_id, "" if g.presenter_id else g.presenter_text)


@operation(N_("Present together with the group above"))
def join_previous_group(tx: Tx, grant_id: int) -> None:
    """Move an award into the group above it: presented together, by that group's presenter.

    Refused when both have a presenter and they differ (one presentation, one presenter)."""
    g = _grant(tx, grant_id)
    groups = _groups(tx, g.meeting_id)
    i = _group_index(groups, grant_id)
    if i == 0 and groups[0][0].id == grant_id:
        raise OperationRefused(_("the first award has no group above it"))
    gr = groups[i]
    if gr[0].id != grant_id:
        raise OperationRefused(_("this award is already presented together with the one above"))
    target = groups[i - 1]
    _refuse_if_presented(target, "adding to it")
    _refuse_if_presented(gr, "moving it")
    mine, theirs = _presenter(g), _presenter(target[0])
    if mine != (None, "") and theirs != (None, "") and mine != theirs:
        raise OperationRefused(_("presenter: presented together means one presenter; make the presenters the same first"))
    if mine == (None, ""):
        g.presenter_id, g.presenter_text = target[0].presenter_id, target[0].presenter_text
    gr.pop(0)
    target.append(g)
    if not gr:
        groups.pop(i)
    renumber(groups)


@operation(N_("Present separately"))
def split_from_group(tx: Tx, grant_id: int) -> None:
    """Take an award out of its group: it becomes its own presentation, right after."""
    g = _grant(tx, grant_id)
    groups = _groups(tx, g.meeting_id)
    i = _group_index(groups, grant_id)
    gr = groups[i]
    if len(gr) == 1:
        raise OperationRefused(_("this award is presented on its own already"))
    _refuse_if_presented(gr, "splitting it")
    gr.remove(g)
    groups.insert(i + 1, [g])
    renumber(groups)


def _live_group(tx: Tx, meeting_id: int, grant_id: int | None) -> tuple[
        list[list[m.AwardGrant]], int]:
    groups = _groups(tx, meeting_id)
    if grant_id is not None:
        g = tx.get(m.AwardGrant, grant_id, "award")
        if g.meeting_id != meeting_id:
            raise OperationRefused(_("award {grant_id} is not part of this meeting").format(grant_id=grant_id))
        return groups, _group_index(groups, grant_id)
    for i, gr in enumerate(groups):
        if not done(gr):
            return groups, i
    raise OperationRefused("every award has been presented" if groups else
                           "this meeting has no awards to present")


@operation(N_("Presented"))
def present(tx: Tx, meeting_id: int, grant_id: int | None = None, *,
            despite_cautions: bool = False, expected_ids: list[int] | None = None) -> list[int]:
    """Record that the current group (or the group of ``grant_id``) has been presented, now;
    returns the grant ids. Refuses with ``CautionRefused`` when a recipient's endpoint is lost
    or has left, or the recipient is marked absent, unless ``despite_cautions``.
    ``expected_ids``: the grants of the group as the console showed it; when another console
    has regrouped it meanwhile, refused (``Conflict``) rather than presenting other names."""
    meeting = tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    groups, i = _live_group(tx, meeting_id, grant_id)
    gr = groups[i]
    if done(gr):
        when = hhmm(max(g.presented_at for g in gr if g.presented_at), meeting.timezone)
        raise Conflict(_("this group was presented at {when} already{by}").format(
            when=when, by=changed_by(tx, "award_grant", gr[0].id, meeting_id, ["presented_at"])))
    if expected_ids is not None and sorted(expected_ids) != sorted(g.id for g in gr):
        raise Conflict(
            _("this group was changed meanwhile at another console{by}: it now has {n} award(s) "
              "(this console showed {k}). Nothing was recorded; check the group and press again").format(
                by=changed_by(tx, "award_grant", gr[0].id, meeting_id), n=len(gr), k=len(expected_ids)))
    if not despite_cautions:
        tx.session.flush()
        with_cautions = _cautions(tx, gr)
        if with_cautions:
            raise CautionRefused(with_cautions, meeting.timezone)
    for g in gr:
        if g.presented_at is None:
            g.presented_at = tx.now
    names = {t.id: t.name for t in tx.session.scalars(
        select(m.AwardType).where(m.AwardType.id.in_({g.award_type_id for g in gr})))}
    award = names[gr[0].award_type_id]
    tx.label = f"Presented {i + 1}: {award} ({len(gr)})" if len(gr) > 1 else \
        f"Presented {i + 1}: {award}"
    return [g.id for g in gr]


def _cautions(tx: Tx, group: Sequence[m.AwardGrant]) -> list[Caution]:
    """The rule of ``cautions_for``, on the group's own rows in this transaction (a meeting
    may have tens of thousands of endpoints; only the recipients' are looked at)."""
    s = tx.session
    out: list[Caution] = []
    for g in group:
        person = s.get(m.Person, g.recipient_person_id) if g.recipient_person_id else None
        org = s.get(m.Organisation, g.recipient_org_id) if g.recipient_org_id else None
        name = person.full_name if person else (org.name if org else "")
        who = g.received_by if g.posthumous and g.received_by else name
        endpoint_id = g.meeting_endpoint_id
        if endpoint_id is None and person is not None and not g.posthumous:
            endpoint_id = person.meeting_endpoint_id
        me = s.get(m.MeetingEndpoint, endpoint_id) if endpoint_id else None
        ep = s.get(m.Endpoint, me.endpoint_id) if me else None
        if me is not None and ep is not None and ep.kind != "main_hall" \
                and me.status in UNREACHABLE:
            out.append(Caution(g.id, who, me.status, ep.name, me.status_since))
        if person is not None and not g.posthumous and person.attendance == "absent":
            out.append(Caution(g.id, who, "absent"))
    return out


@operation(N_("Defer award group"))
def defer_group(tx: Tx, meeting_id: int, grant_id: int | None = None) -> None:
    """Call the current group (or the group of ``grant_id``) after the next one still to be
    presented: the ceremony goes on while a recipient's link is restored."""
    tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    groups, i = _live_group(tx, meeting_id, grant_id)
    _refuse_if_presented(groups[i], "deferring it")
    later = [k for k in range(i + 1, len(groups)) if not started(groups[k])]
    if not later:
        raise OperationRefused(_("no group left to present before it: this is the last one"))
    gr = groups.pop(i)
    groups.insert(later[0], gr)  # index shifted by the pop: lands right after that group
    renumber(groups)


@operation(N_("Not presented"))
def clear_presented(tx: Tx, grant_id: int) -> None:
    """Correct a mistake: the group of ``grant_id`` was not presented after all."""
    g = _grant(tx, grant_id)
    groups = _groups(tx, g.meeting_id)
    for x in groups[_group_index(groups, grant_id)]:
        if x.presented_at is not None:
            x.presented_at = None


def place_new(tx: Tx, grant: m.AwardGrant, requested_group: int | None) -> None:
    """Give a grant being added its place: into the group ``requested_group`` when such a
    group exists (and is not presented yet), else a group of its own at its precedence."""
    if requested_group:
        groups = grouped(g for g in _grants(tx, grant.meeting_id) if g is not grant)
        for gr in groups:
            if gr[0].group_no == requested_group:
                _refuse_if_presented(gr, "adding to it")
                gr.append(grant)
                renumber(groups)
                return
    place_groups(tx, grant.meeting_id, [[grant]])


def place_groups(tx: Tx, meeting_id: int, new: Sequence[Sequence[m.AwardGrant]]) -> None:
    """Place new groups (flushed grants, in their list order) by precedence among the
    meeting's others: each after every group presented and after the last group ranked as
    high or higher, so the list order within a type holds."""
    fresh = {g.id for gr in new for g in gr}
    groups = grouped(g for g in _grants(tx, meeting_id) if g.id not in fresh)
    ranks = _ranks(tx, meeting_id)
    summary = [(started(gr), min(ranks[g.id] for g in gr)) for gr in groups]
    for gr in new:
        rank_new = min(ranks[g.id] for g in gr)
        i = _slot(summary, rank_new)
        groups.insert(i, list(gr))
        summary.insert(i, (False, rank_new))
    renumber(groups)


def regroup(tx: Tx, grant: m.AwardGrant) -> None:
    """An edit changed ``grant.group_no``: join the group of that number when there is one
    (at its end), else stand alone where it is."""
    others = [g for g in _grants(tx, grant.meeting_id) if g is not grant]
    groups = grouped(others)
    target = next((gr for gr in groups if grant.group_no and gr[0].group_no == grant.group_no),
                  None)
    if target is not None:
        _refuse_if_presented(target, "adding to it")
        target.append(grant)
    else:
        groups = grouped([*others, grant])
    renumber(groups)
