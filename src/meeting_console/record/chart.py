"""The planned-vs-actual timeline of the agenda, drawn as vectors (reportlab graphics).

One row per item: a hollow bar for the planned slot over a solid bar for the actual one, on a
time axis in the meeting's local time. Long agendas are cut into several drawings, each with
its own axis, so that no drawing is taller than a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from reportlab.graphics.shapes import STATE_DEFAULTS, Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics

from meeting_console.core.text import nfc
from meeting_console.record.fonts import SERIF
from meeting_console.record.timefmt import TimeFormat

ROW = 16.0
AXIS = 16.0
LEGEND = 18.0
LABEL_SIZE = 9.0
TICK_SIZE = 8.0
ROWS_PER_DRAWING = 36
PLANNED_FILL = colors.Color(0.85, 0.85, 0.85)
ACTUAL_FILL = colors.Color(0.15, 0.15, 0.15)
GRID = colors.Color(0.75, 0.75, 0.75)


class SerifDrawing(Drawing):
    """A Drawing whose renderer starts from our font: the default state names Helvetica,
    which would then be listed, unembedded, among the PDF's fonts."""

    def draw(self, *args: object, **kwargs: object) -> None:
        saved = STATE_DEFAULTS["fontName"]
        STATE_DEFAULTS["fontName"] = SERIF
        try:
            super().draw(*args, **kwargs)
        finally:
            STATE_DEFAULTS["fontName"] = saved


@dataclass(frozen=True)
class ChartRow:
    label: str
    planned_start: datetime | None
    planned_end: datetime | None
    actual_start: datetime | None
    actual_end: datetime | None


def _fit(text: str, width: float) -> str:
    text = nfc(text)
    if pdfmetrics.stringWidth(text, SERIF, LABEL_SIZE) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", SERIF, LABEL_SIZE) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _step(span: timedelta) -> timedelta:
    minutes = span.total_seconds() / 60
    for step in (5, 10, 15, 30, 60, 120, 180, 360):
        if minutes / step <= 12:
            return timedelta(minutes=step)
    return timedelta(hours=12)


def timeline(rows: Sequence[ChartRow], width: float, times: TimeFormat,
             legend: tuple[str, str]) -> list[Drawing]:
    """Drawings of the rows (empty when no row has a time)."""
    moments = [t for r in rows for t in (r.planned_start, r.planned_end, r.actual_start,
                                         r.actual_end) if t is not None]
    if not moments:
        return []
    lo_local = times.local(min(moments))
    hi_local = times.local(max(moments))
    step = _step(max(hi_local - lo_local, timedelta(minutes=5)))
    step_min = int(step.total_seconds() // 60)
    lo = lo_local.replace(minute=(lo_local.minute // step_min) * step_min if step_min < 60 else 0,
                          second=0, microsecond=0)
    hi = lo
    while hi < hi_local:
        hi += step
    if hi == lo:
        hi = lo + step
    label_w = width * 0.34
    plot_x = label_w + 6
    plot_w = width - plot_x - 4
    total_s = (hi - lo).total_seconds()

    def x(t: datetime) -> float:
        return plot_x + plot_w * (times.local(t) - lo).total_seconds() / total_s

    drawings = []
    for first in range(0, len(rows), ROWS_PER_DRAWING):
        chunk = rows[first:first + ROWS_PER_DRAWING]
        last = first + len(chunk) >= len(rows)
        height = AXIS + ROW * len(chunk) + (LEGEND if last else 0) + 2
        d = SerifDrawing(width, height)
        top = height - AXIS
        # grid and time axis
        t = lo
        while t <= hi:
            gx = plot_x + plot_w * (t - lo).total_seconds() / total_s
            d.add(Line(gx, top, gx, top - ROW * len(chunk), strokeColor=GRID, strokeWidth=0.4))
            d.add(String(gx, top + 4, times.short(t), fontName=SERIF, fontSize=TICK_SIZE,
                         textAnchor="middle"))
            t += step
        d.add(Line(plot_x, top, plot_x + plot_w, top, strokeWidth=0.6))
        for i, r in enumerate(chunk):
            y = top - ROW * (i + 1)
            d.add(String(0, y + 4.5, _fit(r.label, label_w), fontName=SERIF,
                         fontSize=LABEL_SIZE))
            if r.planned_start is not None and r.planned_end is not None:
                x0, x1 = x(r.planned_start), x(r.planned_end)
                d.add(Rect(x0, y + ROW / 2, max(x1 - x0, 0.8), ROW / 2 - 2,
                           fillColor=PLANNED_FILL, strokeColor=colors.black, strokeWidth=0.4))
            if r.actual_start is not None:
                end = r.actual_end or r.actual_start
                x0, x1 = x(r.actual_start), x(end)
                d.add(Rect(x0, y + 2, max(x1 - x0, 0.8), ROW / 2 - 2, fillColor=ACTUAL_FILL,
                           strokeColor=ACTUAL_FILL, strokeWidth=0.4))
        bottom = top - ROW * len(chunk)
        d.add(Line(plot_x, bottom, plot_x + plot_w, bottom, strokeWidth=0.6))
        if last:
            ly = bottom - LEGEND + 4
            d.add(Rect(plot_x, ly, 18, 6, fillColor=PLANNED_FILL, strokeColor=colors.black,
                       strokeWidth=0.4))
            d.add(String(plot_x + 22, ly, nfc(legend[0]), fontName=SERIF, fontSize=TICK_SIZE))
            lx = plot_x + 22 + pdfmetrics.stringWidth(nfc(legend[0]), SERIF, TICK_SIZE) + 16
            d.add(Rect(lx, ly, 18, 6, fillColor=ACTUAL_FILL, strokeColor=ACTUAL_FILL,
                       strokeWidth=0.4))
            d.add(String(lx + 22, ly, nfc(legend[1]), fontName=SERIF, fontSize=TICK_SIZE))
        drawings.append(d)
    return drawings
