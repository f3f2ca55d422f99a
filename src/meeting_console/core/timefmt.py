"""Times are stored in UTC and shown in the meeting's own time zone."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo


def local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz))


def hhmm(dt: datetime | None, tz: str, *, seconds: bool = False) -> str:
    if dt is None:
        return ""
    return local(dt, tz).strftime("%H:%M:%S" if seconds else "%H:%M")


def at_local(day: date, hour: int, minute: int, tz: str, second: int = 0) -> datetime:
    """An aware datetime for a wall-clock time on the meeting's date."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=ZoneInfo(tz))


def duration(seconds: float | None, *, signed: bool = False) -> str:
    """"1:05:09", "12:30"; with ``signed`` a leading + or − (for deviations)."""
    if seconds is None:
        return ""
    sign = ""
    if signed:
        sign = "+" if seconds > 0 else ("−" if seconds < 0 else "±")
    s = int(round(abs(seconds)))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{sign}{h}:{m:02d}:{sec:02d}" if h else f"{sign}{m}:{sec:02d}"
