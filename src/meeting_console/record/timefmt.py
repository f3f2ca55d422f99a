"""Times and dates as a Vietnamese record writes them, in the meeting's own time zone.

"8 giờ 00" in prose, "8h00" in tables; "ngày 05 tháng 01 năm 2022" (Nghị định 30/2020: a day
below 10 and the months 1 and 2 take a leading zero).
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from meeting_console.record.labels import MONTHS_EN, Labels

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


class TimeFormat:
    def __init__(self, labels: Labels, tz: tzinfo) -> None:
        self.labels = labels
        self.tz = tz
        self._short: dict[int, str] = {}  # by minute since the epoch: tables repeat times
        self._durations: dict[int, str] = {}  # by whole seconds

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def clock(self, moment: datetime) -> str:
        """'8 giờ 00' (prose)."""
        t = self.local(moment)
        return self.labels("clock", h=t.hour, m=t.minute)

    def short(self, moment: datetime | None) -> str:
        """'8h00' (tables); '—' for no time."""
        if moment is None:
            return self.labels("none")
        minute = int(moment.timestamp()) // 60
        hit = self._short.get(minute)
        if hit is None:
            t = self.local(moment)
            hit = self._short[minute] = self.labels("clock_short", h=t.hour, m=t.minute)
        return hit

    def span(self, start: datetime | None, end: datetime | None) -> str:
        return f"{self.short(start)}–{self.short(end)}"

    def day(self, d: date) -> str:
        """'ngày 14 tháng 01 năm 2022'."""
        day = f"{d.day:02d}"
        month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
        return self.labels("date", d=day, mo=month, y=d.year, month_en=MONTHS_EN[d.month - 1])

    def day_of(self, moment: datetime) -> str:
        return self.day(self.local(moment).date())

    def duration(self, seconds: float) -> str:
        """'14 phút', '1 giờ 05 phút'; under a minute in seconds."""
        total = int(round(seconds))
        hit = self._durations.get(total)  # the outage ledger: 36,000 durations, few distinct
        if hit is None:
            hit = self._durations[total] = self._duration(total)
        return hit

    def _duration(self, total: int) -> str:
        if total < 60:
            return self.labels("seconds_n", n=max(total, 0))
        minutes = int(round(total / 60))
        if minutes < 60:
            return self.labels("minutes_n", n=minutes)
        return self.labels("hours_minutes", h=minutes // 60, m=minutes % 60)

    def minutes(self, n: int) -> str:
        return self.duration(n * 60)
