"""Speaking time: the clock of one speech, and the time an item's queue still needs against the
time the item has left.

Pure functions over frozen reads (``SpeakerInfo``, ``AgendaItemInfo`` or anything with the same
fields) and a ``now``: no database, no Qt. The speaker pane ticks with them every second without
querying the store; the hall display and the record can use the same arithmetic.

A speech's duration is ``end − start − pauses``; the time limit is the speaker's own limit, else
the item's default, else the meeting's, plus any extension.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

WARNING_SECONDS = 30  # the timer turns amber in the last 30 s of the limit

WAITING = ("queued", "held")  # in the queue, with a position
CURRENT = ("speaking", "paused")  # has the floor (or has been called to it)
FINISHED = ("done", "withdrawn", "skipped")


class Speech(Protocol):
    status: str
    limit_minutes: int | None
    extended_seconds: int
    actual_start: datetime | None
    actual_end: datetime | None
    paused_at: datetime | None
    paused_seconds: int


class Item(Protocol):
    status: str
    planned_start: datetime | None
    planned_minutes: int
    extended_minutes: int
    actual_start: datetime | None
    actual_end: datetime | None
    paused_at: datetime | None
    paused_seconds: int
    speaking_minutes: int | None


def limit_seconds(speech: Any, item_minutes: int | None, meeting_minutes: int) -> int:
    """The time this speaker may speak: own limit, else the item's, else the meeting's default,
    plus extensions (which may be negative, never below one second in total)."""
    minutes = speech.limit_minutes or item_minutes or meeting_minutes
    return max(1, int(minutes) * 60 + int(speech.extended_seconds or 0))


def pause_seconds(speech: Any, now: datetime) -> float:
    """Total pause time so far, the running pause included."""
    total = float(speech.paused_seconds or 0)
    if speech.paused_at is not None:
        total += max(0.0, (now - speech.paused_at).total_seconds())
    return total


def elapsed_seconds(speech: Any, now: datetime) -> float:
    """Speaking time so far (pauses excluded); 0 before the timer starts."""
    if speech.actual_start is None:
        return 0.0
    end = speech.actual_end or now
    return max(0.0, (end - speech.actual_start).total_seconds() - pause_seconds(speech, end))


def speech_duration(speech: Any) -> float | None:
    """A finished speech's duration: end − start − pauses (None while it is not finished)."""
    if speech.actual_start is None or speech.actual_end is None:
        return None
    return (speech.actual_end - speech.actual_start).total_seconds() - float(
        speech.paused_seconds or 0
    )


@dataclass(frozen=True)
class SpeechClock:
    """What the speaker pane shows for the current speaker at one instant."""

    started: bool
    running: bool  # the timer runs (started, not paused, not ended)
    elapsed: float
    limit: int
    paused: float  # total pause time so far

    @property
    def remaining(self) -> float:
        return self.limit - self.elapsed

    @property
    def phase(self) -> str:
        """``waiting`` (called, timer not started), ``normal``, ``warning`` (last 30 s) or
        ``overrun`` (past the limit)."""
        if not self.started:
            return "waiting"
        if self.elapsed > self.limit:
            return "overrun"
        if self.remaining <= WARNING_SECONDS:
            return "warning"
        return "normal"


def speech_clock(
    speech: Any, now: datetime, item_minutes: int | None, meeting_minutes: int
) -> SpeechClock:
    started = speech.actual_start is not None
    return SpeechClock(
        started=started,
        running=started and speech.actual_end is None and speech.paused_at is None,
        elapsed=elapsed_seconds(speech, now),
        limit=limit_seconds(speech, item_minutes, meeting_minutes),
        paused=pause_seconds(speech, speech.actual_end or now),
    )


# --- the budget of an item's queue -----------------------------------------------------------


@dataclass(frozen=True)
class QueueBudget:
    """The queue's remaining need against the item's remaining time, at one instant."""

    waiting: int  # speakers still waiting (queued or held)
    need: float  # seconds: the waiting speakers' limits + what the current speaker has left
    current_left: float  # seconds the current speaker of this item still has (0 if none)
    left: float | None  # seconds the item has left (None: the item has no planned duration)
    deadline: datetime | None  # when the item's time is up
    now: datetime

    @property
    def planned(self) -> bool:
        return self.left is not None

    @property
    def over(self) -> float:
        """Seconds the queue needs beyond the item's time (negative: time to spare)."""
        return self.need - (self.left or 0.0) if self.left is not None else 0.0

    @property
    def fits(self) -> bool:
        return self.left is None or self.over <= 0

    @property
    def queue_end(self) -> datetime:
        """When the queue would be through if every speaker used their full time."""
        return self.now + timedelta(seconds=self.need)

    @property
    def fair_share(self) -> float | None:
        """Seconds per waiting speaker that would fit in what the item has left (only when the
        queue does not fit)."""
        if self.fits or self.waiting == 0 or self.left is None:
            return None
        return max(0.0, (self.left - self.current_left) / self.waiting)


def item_time_left(
    item: Any, speeches: Iterable[Any], now: datetime
) -> tuple[float | None, datetime | None]:
    """(seconds left, deadline) of an item's planned time.

    - An item the agenda has started ends at its actual start + planned and extended minutes +
      its pauses (the agenda keeps an item's duration when it starts late).
    - An item the agenda has not started ends at its planned end (planned start + minutes): the
      time the chair sees on the programme ("before 10h35"); it never has more than its whole
      slot. Without a planned start, it starts with its first speech, else now.
    - A closed item has nothing left."""
    duration = (int(item.planned_minutes or 0) + int(item.extended_minutes or 0)) * 60
    if duration <= 0:
        return None, None
    if item.status in ("done", "skipped"):
        return 0.0, item.actual_end
    if item.actual_start is not None:
        pauses = float(item.paused_seconds or 0)
        if item.paused_at is not None:
            pauses += max(0.0, (now - item.paused_at).total_seconds())
        deadline = item.actual_start + timedelta(seconds=duration + pauses)
        return (deadline - now).total_seconds(), deadline
    if item.planned_start is not None:
        deadline = item.planned_start + timedelta(seconds=duration)
        return min(float(duration), (deadline - now).total_seconds()), deadline
    starts = [s.actual_start for s in speeches if s.actual_start is not None]
    if starts:
        deadline = min(starts) + timedelta(seconds=duration)
        return (deadline - now).total_seconds(), deadline
    return float(duration), now + timedelta(seconds=duration)


def waiting_need(item: Any, speeches: Iterable[Any], meeting_minutes: int) -> tuple[int, float]:
    """(how many wait, the seconds their limits add up to): the part of the budget that does
    not change with the clock (a pane ticking every second computes it once per change)."""
    item_minutes = item.speaking_minutes
    waiting = [s for s in speeches if s.status in WAITING]
    return len(waiting), float(sum(limit_seconds(s, item_minutes, meeting_minutes) for s in waiting))


def queue_budget(
    item: Any, speeches: Iterable[Any], meeting_minutes: int, now: datetime,
    waiting: tuple[int, float] | None = None,
) -> QueueBudget:
    """The budget of one item's queue; ``speeches`` are the item's requests (any status);
    ``waiting``: ``waiting_need`` of the same, when already known."""
    speeches = list(speeches)
    count, need = waiting if waiting is not None else waiting_need(item, speeches, meeting_minutes)
    current_left = 0.0
    for s in speeches:
        if s.status in CURRENT:
            clock = speech_clock(s, now, item.speaking_minutes, meeting_minutes)
            current_left = max(0.0, clock.remaining)
    left, deadline = item_time_left(item, speeches, now)
    return QueueBudget(
        waiting=count,
        need=need + current_left,
        current_left=current_left,
        left=left,
        deadline=deadline,
        now=now,
    )
