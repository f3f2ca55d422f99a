"""The planned-vs-actual chart: one horizontal strip per agenda item, the planned slot above and
the actual (or projected) time below, on the meeting's local time axis, with lines for now,
the planned end and the projected end.

A plain painted widget over ``forecast.chart_bars`` — the same data the PDF record draws — so
it repaints from values the agenda panel already holds, without touching the database.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QRegion,
    QResizeEvent,
    QShowEvent,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QToolTip, QWidget

from meeting_console.core import forecast as fc
from meeting_console.core.timefmt import duration
from meeting_console.i18n import _

ROW_H = 22
AXIS_H = 24
LEGEND_H = 44
PAD = 8

PLANNED_FILL = QColor("#d6dde6")
PLANNED_LINE = QColor("#8593a3")
ON_TIME = QColor("#2e7d32")
LATE = QColor("#c62828")
RUNNING = QColor("#1565c0")
AMBER = QColor("#ef8f00")
PROJECTED = QColor("#64b5f6")
NOW_LINE = QColor("#d32f2f")
GRID = QColor("#e3e6ea")
CURRENT_BAND = QColor("#fff4c2")
SKIPPED_TEXT = QColor("#9a9a9a")

TICK_STEPS = (5, 10, 15, 20, 30, 60, 120, 180, 360)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
DAY = 24 * 60


class AgendaChart(QWidget):
    """Paints the strips; put it in a scroll area (``chart_dock_widget``) for long agendas."""

    shown = Signal()  # became visible (its owner skips feeding it while hidden)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agenda-chart")
        self.bars: tuple[fc.ChartBar, ...] = ()
        self.forecast: fc.Forecast | None = None
        self.tz = ZoneInfo("Asia/Ho_Chi_Minh")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._drawn: Any = None
        self._span_memo: Any = None
        self._strip_memo: Any = None  # (bars, their strips' signatures) for _strip_axis
        self._strip_axis: Any = None
        self._legend_memo: Any = None
        self._hm_memo: dict[Any, str] = {}
        self._fonts: Any = None  # font key, small font, label fonts, metrics: see _make_fonts
        self._ticks_memo: Any = None
        self._labels: dict[tuple[str, int, tuple[bool, bool, bool]], tuple[str, Any]] = {}
        self._extents: list[Any] = []  # per strip, its earliest and latest moment (of _extents_of)
        self._extents_of: tuple[fc.ChartBar, ...] | None = None
        # the picture but its lines, for the part in view (see paintEvent): where it is up to date
        self._layer: QPixmap | None = None
        self._layer_at = QRect()
        self._layer_valid = QRegion()

    # --- data -------------------------------------------------------------------------------

    def set_data(self, bars: Sequence[fc.ChartBar], forecast: fc.Forecast | None, tz: str) -> None:
        """New data; the widget repaints only what moves by a pixel or whose text changes: the
        strips that changed, thin bands where the lines (now, planned end, projected end) were
        and are, and the legend. The whole chart repaints only when its time axis changes. (The
        agenda ticks every second and "next item" changes two strips of two hundred.)"""
        grew = len(bars) != len(self.bars)
        old_bars, old_forecast = self.bars, self.forecast
        self.bars = tuple(bars)
        self.forecast = forecast
        if tz != self.tz.key:
            self.tz = ZoneInfo(tz)
            self._drawn = None  # the axis' labels are in the meeting's time zone
        # the strips' part is worked out only when the axis stays: a moved axis repaints the
        # whole chart whatever the strips (a meeting running late moves it at every press)
        sig = self._signature(strips=False)
        drawn, self._drawn = self._drawn, sig
        if grew or drawn is None or sig[2] != drawn[2]:
            # more strips, or the legend's texts changed (it may wrap onto more or fewer lines)
            self._fit_height()
        if grew or drawn is None or sig[0] != drawn[0] or sig[0] is None:
            if grew or sig != drawn:
                self._restatic()
                self.update()
            return
        w = self.width()
        span = self._span()
        # only the strips in view are measured and compared: a strip off screen (a long agenda
        # scrolls in its dock) is painted from its bar when it scrolls into view (a meeting
        # running late moves every pending strip at each press: some 130 of 200 measured twice)
        shown = self._shown_rows()
        if span is not None:
            # on the same axis a strip whose bar is the very same object, not the current
            # item's before or after, is as painted; the others are measured alone, as they
            # were and as they are (measuring every strip whole, the first press after the
            # meeting's start measured all two hundred twice)
            px = self._px(span[0], self._scale(*span))
            was = old_forecast.current_id if old_forecast else None
            current = forecast.current_id if forecast else None
            for i in shown:
                a, b = old_bars[i], self.bars[i]
                if a is b and b.status not in fc.CURRENT and b.id != was and b.id != current:
                    continue
                if self._strip(a, px, old_forecast, was) != self._strip(b, px, forecast, current):
                    strip = QRect(0, AXIS_H + i * ROW_H, w, ROW_H)
                    self._restatic(strip)
                    self.update(strip)
        if sig[2] != drawn[2]:
            rows_bottom = AXIS_H + ROW_H * len(self.bars)
            x0 = int(self._label_width() + PAD)
            for old, new in zip(drawn[2][0], sig[2][0], strict=True):
                if old != new:
                    for x in (old, new):
                        if x is not None:  # (a line: what lies beneath it is as it was)
                            self.update(QRect(x0 + x - 3, AXIS_H - 4, 7, rows_bottom - AXIS_H + 6))
            legend = QRect(0, rows_bottom, w, max(self.height() - rows_bottom, 0))
            self._restatic(legend)
            self.update(legend)

    def _signature(self, strips: bool = True) -> Any:
        """What the picture depends on, in three parts: the time axis (any change repaints the
        whole chart); per strip, what it shows, its moving ends in pixels (None when not
        ``strips``); the lines' places in pixels with the legend's texts."""
        span = self._span()
        if span is None or not self.bars:
            return (None, (len(self.bars),), None)
        lo, hi = span
        px = self._px(lo, self._scale(lo, hi))
        f = self.forecast
        head = (lo, hi, self.width(), self.height())
        lines = ((px(f.now) if f and not f.closed else None, px(f.planned_end) if f else None,
                  px(f.projected_end) if f else None),
                 (f.closed, f.late, self._hm(f.now), self._minute(f.planned_end), self._minute(f.projected_end))
                 if f else None)
        return head, self._strips(self.bars, f) if strips else None, lines

    def _scale(self, lo: datetime, hi: datetime) -> float:
        x0 = self._label_width() + PAD
        plot_w = max(self.width() - x0 - PAD, 10)
        return plot_w / max((hi - lo).total_seconds(), 60)

    @staticmethod
    def _px(lo: datetime, scale: float) -> Any:
        def px(t: datetime | None) -> int | None:
            return None if t is None else int((t - lo).total_seconds() * scale)
        return px

    def _minute(self, t: datetime | None) -> str | None:
        return None if t is None else self._hm(t)

    def _shown_rows(self) -> range:
        """The strips in view (none while the chart is hidden)."""
        seen = self.visibleRegion().boundingRect()
        if seen.isEmpty():
            return range(0)
        return range(max((seen.top() - AXIS_H) // ROW_H, 0),
                     max(min((seen.bottom() - AXIS_H) // ROW_H + 1, len(self.bars)), 0))

    def _strips(self, bars: tuple[fc.ChartBar, ...], f: fc.Forecast | None) -> tuple[Any, ...]:
        """Per strip, what it shows with its moving ends in pixels, on the current axis (the
        strips' part of ``_signature``; ``set_data`` compares the changed strips in view one by
        one with ``_strip``)."""
        span = self._span()
        if span is None:
            return ()
        lo, hi = span
        scale = self._scale(lo, hi)
        px = self._px(lo, scale)
        current = f.current_id if f else None
        # a strip's pixels depend on its bar, the axis and which item is current: the agenda
        # hands over the very bar objects of unchanged items, so with the same axis and current
        # item only the strips whose bar changed are measured again (a press changes two of two
        # hundred; the running item's strip is measured at every call: its alert comes from the
        # forecast)
        axis = (lo, scale, len(bars))
        kept = self._strip_memo if self._strip_axis is not None and self._strip_axis[0] == axis else None
        if kept is not None and kept[0] is bars and kept[2] is f and self._strip_axis[1] == current:
            return kept[1]  # type: ignore[no-any-return]
        if kept is None:
            rows: list[Any] = [None] * len(bars)
            todo: Any = range(len(bars))
        else:
            old_bars, rows, _f = kept
            rows = list(rows)
            was = self._strip_axis[1]  # the current item's band moves with it
            moved = (was, current) if was != current else ()
            todo = [i for i, (a, b) in enumerate(zip(old_bars, bars, strict=True))
                    if a is not b or b.status in fc.CURRENT or b.id in moved]
        strip = self._strip
        for i in todo:
            rows[i] = strip(bars[i], px, f, current)
        self._strip_memo = (bars, tuple(rows), f)
        self._strip_axis = (axis, current)
        return self._strip_memo[1]  # type: ignore[no-any-return]

    @staticmethod
    def _strip(b: fc.ChartBar, px: Any, f: fc.Forecast | None, current: int | None) -> Any:
        """One strip: what it shows with its moving ends in pixels (``px``: the axis)."""
        if b.status in fc.CURRENT:
            cur = f.item(b.id) if f is not None else None
            return (b.id, b.label, b.status, b.unplanned, b.over, b.id == current,
                    px(b.planned_start), px(b.planned_end), px(b.actual_start), px(b.actual_end),
                    px(b.projected_start), px(b.projected_end), cur.alert if cur else None)
        if b.projected_end:
            return ((b.id, b.label, b.status, b.unplanned, b.over,
                     px(b.planned_start), px(b.planned_end), px(b.actual_start), px(b.actual_end),
                     px(b.projected_start), px(b.projected_end)), b.id == current)
        return (b, b.id == current)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.shown.emit()

    def sizeHint(self) -> QSize:
        rows_bottom = AXIS_H + ROW_H * max(len(self.bars), 1)
        layout = self._legend_layout(self.forecast, rows_bottom + 6)
        legend_bottom = (max(ly for *_rest, ly in layout) + 17) if layout else rows_bottom + LEGEND_H
        return QSize(720, max(legend_bottom, rows_bottom + LEGEND_H) + PAD)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.sizeHint().height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._restatic()
        self._fit_height()  # the legend wraps onto more or fewer lines

    def _fit_height(self) -> None:
        """Take the height the strips and the legend need (asked of the layout only when it
        changes: nothing else here asks for a new layout)."""
        h = self.sizeHint().height()
        if h != self.height() or self.minimumHeight() != self.maximumHeight():
            self.setFixedHeight(h)

    def _legend_layout(self, fcst: Any, top: float) -> list[tuple[str, Any, str, float, float]]:
        """Where each legend entry goes: (kind, style, text, x, y), wrapped at the right edge.
        Kept for the last texts, width and font: the chart's height is asked at every change
        (the "now" in the legend moves), and the entries only move when a text or the width
        does."""
        lines: tuple[Any, ...] = ()
        if fcst is not None:
            hm = self._hm
            lines = (fcst.closed, hm(fcst.now) if not fcst.closed else None,
                     hm(fcst.planned_end) if fcst.planned_end is not None else None,
                     hm(fcst.projected_end) if fcst.projected_end is not None else None,
                     (fcst.overrun_seconds or 0) > 0)
        key = (lines, top, self.width(), self._font_key(), _("now {t}"))  # (and the UI's language)
        memo = self._legend_memo
        if memo is not None and memo[0] == key:
            return memo[1]  # type: ignore[no-any-return]
        if self._fonts is None:
            self._make_fonts()
        widths = self._fonts[4]
        styles = _legend_styles()
        left, right = PAD, max(self.width() - PAD, 200)
        entries: list[tuple[str, Any, str, bool]] = [
            ("box", styles["planned"], _("planned"), False),
            ("box", styles["actual"], _("actual"), False),
            ("box", styles["over"], _("over its planned time"), False),
            ("box", styles["running"], _("running"), False),
            ("box", styles["projected"], _("projected"), False),
        ]
        if lines:
            closed, now_t, planned_t, projected_t, late = lines
            first = True
            if not closed:
                entries.append(("line", styles["now"], _("now {t}").format(t=now_t), first))
                first = False
            if planned_t is not None:
                entries.append(("line", styles["planned_end"], _("planned end {t}").format(t=planned_t), first))
                first = False
            if projected_t is not None:
                word = _("end {t}") if closed else _("projected end {t}")
                entries.append(("line", styles["late_end" if late else "end"], word.format(t=projected_t), first))
        out = []
        lx, ly = left, top
        for kind, style, text, new_line in entries:
            tw = widths.get(text)
            if tw is None:
                if len(widths) > 256:
                    widths.clear()
                tw = widths[text] = QFontMetrics(self._fonts[1]).horizontalAdvance(text)
            w = 23 + tw
            if (new_line or lx + w > right) and lx > left:
                lx, ly = left, ly + 17
            out.append((kind, style, text, lx, ly))
            lx += w + 16
        self._legend_memo = (key, out)
        return out

    def _hm(self, t: datetime) -> str:
        """"08:15" in the meeting's time zone (kept: the chart asks the same few times again)."""
        key = (t, self.tz)
        text = self._hm_memo.get(key)
        if text is None:
            if len(self._hm_memo) > 512:
                self._hm_memo.clear()
            text = self._hm_memo[key] = t.astimezone(self.tz).strftime("%H:%M")
        return text

    def _font_key(self) -> Any:
        if self._fonts is None:
            self._make_fonts()
        return self._fonts[0]  # type: ignore[index]

    def _make_fonts(self) -> None:
        base = self.font()
        small = QFont(base)
        small.setPointSizeF(max(base.pointSizeF() - 1, 7))
        labels = {}
        for strike in (False, True):
            for bold in (False, True):
                for italic in (False, True):
                    f = QFont(base)
                    f.setStrikeOut(strike)
                    f.setBold(bold)
                    f.setItalic(italic)
                    labels[strike, bold, italic] = f
        self._fonts = (base.key(), small, labels, QFontMetrics(base), {})  # {}: legend texts' widths

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's naming)
        kind = event.type()
        if kind == QEvent.Type.FontChange:
            self._fonts = None
            self._legend_memo = None
            self._labels.clear()
        if kind in _LOOKS_CHANGE:  # (Qt repaints the widget whole after most of these)
            self._restatic()
            if kind == QEvent.Type.LanguageChange:
                self.update()
        super().changeEvent(event)

    def label_font(self, *, bold: bool = False) -> QFont:
        """The font of a strip's label (bold: the current item's)."""
        if self._fonts is None:
            self._make_fonts()
        return self._fonts[2][False, bold, False]  # type: ignore[index,no-any-return]

    def _small_font(self) -> QFont:
        if self._fonts is None:
            self._make_fonts()
        return self._fonts[1]  # type: ignore[index]

    def minimumSizeHint(self) -> QSize:
        return QSize(320, self.sizeHint().height())

    # --- geometry ---------------------------------------------------------------------------

    def _label_width(self) -> float:
        return min(300.0, max(140.0, self.width() * 0.3))

    def _span(self) -> tuple[datetime, datetime] | None:
        # the same data and width give the same axis: set_data works it out, the paint reuses it
        memo = self._span_memo
        if memo is not None and memo[0] is self.bars and memo[1] is self.forecast and memo[2] == self.width():
            return memo[3]  # type: ignore[no-any-return]
        span = self._span_of()
        self._span_memo = (self.bars, self.forecast, self.width(), span)
        return span

    def _span_of(self) -> tuple[datetime, datetime] | None:
        now = self.forecast.now if self.forecast else None
        # each bar's earliest and latest moment, kept while the agenda hands over the same bar
        # object (a press changes two bars of two hundred: six moments each)
        bars, kept_of = self.bars, self._extents_of
        if kept_of is None or len(kept_of) != len(bars):
            extents = [fc.bar_extent(b) for b in bars]
        else:
            extents = list(self._extents)
            for i, (a, b) in enumerate(zip(kept_of, bars, strict=True)):
                if a is not b:
                    extents[i] = fc.bar_extent(b)
        self._extents, self._extents_of = extents, bars
        span = fc.span_of_extents(extents, now)
        if span is None:
            return None
        lo, hi = span
        if self.forecast is not None:
            for t in (self.forecast.planned_end, self.forecast.projected_end):
                if t is not None:
                    hi = max(hi, t)
        step = self._step(hi - lo)
        lo_l = lo.astimezone(self.tz)
        floor = lo_l.replace(second=0, microsecond=0)
        floor -= timedelta(minutes=floor.minute % min(step, 60) if step <= 60 else floor.minute)
        if step >= DAY:
            floor = floor.replace(hour=0)
        return floor, self._round_end(floor, hi)

    def _round_end(self, floor: datetime, hi: datetime) -> datetime:
        """The axis' end: some room after ``hi`` (a sixth of a tick step), moved on to a whole
        half step from ``floor`` (``end_unit``). The axis stays as it is while the projected end moves
        within that half step; a meeting running late moves its projected end at every press,
        and the axis, with the scale of every strip, used to move with it: the whole chart
        repainted at each press, its strips creeping left under the reader's eyes."""
        end = hi
        for _round in range(len(TICK_STEPS) + 2):
            step = self._step(end - floor)
            unit = end_unit(step)
            room = (hi - floor).total_seconds() + max(step // 6, 2) * 60
            rounded = floor + timedelta(minutes=unit * max(math.ceil(room / (unit * 60) - 1e-9), 1))
            if self._step(rounded - floor) == step:
                return rounded
            end = rounded  # the longer span ticks at a longer step: its room and unit again
        return end

    def _step(self, span: timedelta) -> int:
        plot_w = max(self.width() - self._label_width() - 2 * PAD, 100)
        minutes = max(span.total_seconds() / 60, 1)
        for step in TICK_STEPS:
            if plot_w / (minutes / step) >= 56:
                return step
        # Days apart (a past meeting whose pending items project to today): whole days, as
        # many as keep the ticks 56 px apart — never one tick per six hours over years.
        return DAY * math.ceil(minutes * 56 / plot_w / DAY)

    def _label(self, label: str, width: int, variant: tuple[bool, bool, bool],
               fm: QFontMetrics) -> tuple[str, Any]:
        """A strip's label elided to ``width`` and, when it fits there in its own font (the
        current item's label is bold: elided by the plain font's measure it can be wider, and
        ``drawText`` then clips it at the label's edge) and is not struck out (a skipped item),
        laid out once as a QStaticText with its offset in the strip, where ``drawText`` centres
        it vertically (a repaint of the chart drew every visible label anew)."""
        key = (label, width, variant)
        hit = self._labels.get(key)
        if hit is None:
            text = fm.elidedText(label, Qt.TextElideMode.ElideRight, width)
            static = None
            font = self._fonts[2][variant]  # type: ignore[index]
            fmf = QFontMetricsF(font)
            if not variant[0] and fmf.horizontalAdvance(text) <= width - 2:
                st = QStaticText(text)
                st.setTextFormat(Qt.TextFormat.PlainText)
                st.prepare(QTransform(), font)
                static = (st, (ROW_H - fmf.height()) / 2)
            if len(self._labels) > 2000:
                self._labels.clear()
            hit = self._labels[key] = (text, static)
        return hit  # type: ignore[no-any-return]

    def _ticks(self, lo: datetime, hi: datetime, step: int) -> list[datetime]:
        """The axis' ticks from ``lo`` to ``hi`` every ``step`` minutes (kept for the last axis)."""
        key = (lo, hi, step)
        if self._ticks_memo is None or self._ticks_memo[0] != key:
            ticks, t = [], lo
            while t <= hi:
                ticks.append(t)
                t += timedelta(minutes=step)
            self._ticks_memo = (key, ticks)
        return self._ticks_memo[1]  # type: ignore[no-any-return]

    def _tick_label(self, t: datetime, step: int) -> str:
        key = (t, step, self.tz)
        text = self._hm_memo.get(key)
        if text is None:
            fmt = "%H:%M" if step < DAY else "%d/%m" if step < 180 * DAY else "%m/%Y"
            if len(self._hm_memo) > 512:
                self._hm_memo.clear()
            text = self._hm_memo[key] = t.astimezone(self.tz).strftime(fmt)
        return text

    def _row_at(self, y: float) -> int | None:
        r = int((y - AXIS_H) // ROW_H)
        return r if 0 <= r < len(self.bars) else None

    # --- painting ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        """The lines (now, planned end, projected end) over the rest of the picture, which
        comes from the layer where it is up to date (see ``_layer_box``) and is painted
        there first where it is not: a line that moved repaints a band a few pixels wide, and
        painting the strips across it again (some twenty shapes whatever the band's width) was
        most of a "next item"'s chart painting, a copy from the layer is a few microseconds."""
        region = event.region()
        p = QPainter(self)
        box = self._layer_box()
        if box.isEmpty():
            self._paint_static(p, region)
        else:
            dpr = self.devicePixelRatioF()
            if self._layer is None or self._layer_at != box or self._layer.devicePixelRatio() != dpr:
                self._layer = QPixmap(box.size() * dpr)
                self._layer.setDevicePixelRatio(dpr)
                self._layer_at, self._layer_valid = QRect(box), QRegion()
            inside, outside = region.intersected(box), region.subtracted(QRegion(box))
            stale = inside.subtracted(self._layer_valid)
            if not stale.isEmpty():
                lp = QPainter(self._layer)
                lp.translate(-box.topLeft())
                lp.setClipRegion(stale)
                self._paint_static(lp, stale)
                lp.end()
                self._layer_valid = self._layer_valid.united(stale)
            p.setClipRegion(inside)
            p.drawPixmap(box.topLeft(), self._layer)
            if not outside.isEmpty():  # (a grab of the whole chart: the part out of view)
                p.setClipRegion(outside)
                self._paint_static(p, outside)
            p.setClipping(False)
        self._paint_lines(p)
        p.end()

    def _layer_box(self) -> QRect:
        """The part of the chart its layer holds: what is in view, at a whole device pixel
        ratio (an empty box: no layer, the chart painted directly)."""
        dpr = self.devicePixelRatioF()
        if dpr != int(dpr):  # (a copy at a fractional offset would be resampled)
            return QRect()
        return self.visibleRegion().boundingRect()

    def _restatic(self, rect: QRect | None = None) -> None:
        """What the layer holds there (everywhere: ``rect`` None) changed: painted again at
        the next paint that covers it."""
        if rect is None:
            self._layer_valid = QRegion()
        elif not self._layer_valid.isEmpty():
            self._layer_valid = self._layer_valid.subtracted(QRegion(rect))

    def _paint_static(self, p: QPainter, region: QRegion) -> None:
        """Everything but the lines, in ``region``."""
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.fillRect(self.rect(), self.palette().base())
        span = self._span()
        if not self.bars or span is None:
            p.setPen(self.palette().placeholderText().color())
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                       _("No planned or actual times yet") if self.bars else _("No agenda items"))
            return
        lo, hi = span
        label_w = self._label_width()
        x0, plot_w, x = self._x_of(lo, hi)
        rows_bottom = AXIS_H + ROW_H * len(self.bars)
        if self._fonts is None:
            self._make_fonts()
        _key, small, label_fonts, fm, _widths = self._fonts

        # only the strips in the part to repaint (a long agenda scrolls; a change repaints
        # the strips it changed and the bands where lines moved)
        exposed = region.boundingRect()
        first = max(int((exposed.top() - AXIS_H) // ROW_H), 0)
        last = min(int((exposed.bottom() - AXIS_H) // ROW_H) + 1, len(self.bars))
        rows = [i for i in range(first, last) if region.intersects(QRect(0, AXIS_H + i * ROW_H, self.width(), ROW_H))]

        # current item band
        current = self.forecast.current_id if self.forecast else None
        for i in rows:
            if self.bars[i].id == current:
                p.fillRect(QRectF(0, AXIS_H + i * ROW_H, self.width(), ROW_H), CURRENT_BAND)

        # grid and axis (the axis' labels only when the axis is to be repainted: a change
        # repaints a few strips and bands below it)
        step = self._step(hi - lo)
        p.setFont(small)
        # (a label is drawn inside its box, 2 to AXIS_H - 4: the bands repainted where the lines
        # moved start below it)
        axis_exposed = region.intersects(QRect(0, 0, self.width(), AXIS_H - 4))
        grid_pen, text_color = QPen(GRID, 1), self.palette().text().color()
        for t in self._ticks(lo, hi, step):
            gx = x(t)
            p.setPen(grid_pen)
            p.drawLine(QPointF(gx, AXIS_H - 4), QPointF(gx, rows_bottom))
            # (the axis ends on a tick: its label ends at the chart's right edge, not past it)
            left = min(gx - 30, self.width() - 61)
            if axis_exposed and region.intersects(QRect(int(left) - 1, 0, 63, AXIS_H - 4)):
                p.setPen(text_color)
                p.drawText(QRectF(left, 2, 60, AXIS_H - 6),
                           Qt.AlignmentFlag.AlignCenter if left == gx - 30 else _RIGHT,
                           self._tick_label(t, step))
        p.setPen(QPen(PLANNED_LINE, 1))
        p.drawLine(QPointF(x0, AXIS_H - 1), QPointF(x0 + plot_w, AXIS_H - 1))

        # strips (only those in the exposed part: a long agenda scrolls); their pens and
        # brushes made once (a repaint of the chart made five per strip)
        p.setFont(self.font())
        planned_pen, planned_brush, skipped_brush, projected_pen, projected_brush = _strip_styles()
        for i in rows:
            b = self.bars[i]
            top = AXIS_H + i * ROW_H
            skipped = b.status == "skipped"
            if region.intersects(QRect(0, top, int(label_w), ROW_H)):
                p.setPen(SKIPPED_TEXT if skipped else text_color)
                variant = (skipped, b.id == current, b.unplanned)
                p.setFont(label_fonts[variant])
                text, static = self._label(b.label, int(label_w - PAD), variant, fm)
                if static is not None:
                    p.drawStaticText(QPointF(PAD, top + static[1]), static[0])
                else:
                    p.drawText(QRectF(PAD, top, label_w - PAD, ROW_H),
                               Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
            half = (ROW_H - 6) / 2
            if b.planned_start is not None and b.planned_end is not None:
                r = QRectF(x(b.planned_start), top + 3, max(x(b.planned_end) - x(b.planned_start), 1.5), half)
                p.setPen(planned_pen)
                p.setBrush(skipped_brush if skipped else planned_brush)
                p.drawRect(r)
            lower = top + 3 + half
            if b.actual_start is not None and b.actual_end is not None:
                color = ON_TIME
                if b.status in fc.CURRENT:
                    color = RUNNING
                    if self.forecast and (cur := self.forecast.item(b.id)) is not None:
                        color = {fc.LAST: AMBER, fc.OVER: LATE}.get(cur.alert, RUNNING)
                elif b.over:
                    color = LATE
                r = QRectF(x(b.actual_start), lower, max(x(b.actual_end) - x(b.actual_start), 1.5), half)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(color)
                p.drawRect(r)
            if b.projected_start is not None and b.projected_end is not None:
                r = QRectF(x(b.projected_start), lower,
                           max(x(b.projected_end) - x(b.projected_start), 1.5), half)
                p.setPen(projected_pen)
                p.setBrush(projected_brush)
                p.drawRect(r)

        # legend: the bars, then the lines, wrapped to the width (a Vietnamese legend is longer)
        p.setFont(small)
        legend = self._legend_layout(self.forecast, rows_bottom + 6) \
            if region.intersects(QRect(0, rows_bottom, self.width(), max(self.height() - rows_bottom, 1))) else []
        for kind, style, text, lx, ly in legend:
            if kind == "box":
                brush, pen = style
                p.setPen(pen)
                p.setBrush(brush)
                p.drawRect(QRectF(lx, ly + 2, 18, 9))
            else:
                p.setPen(style)
                p.drawLine(QPointF(lx, ly + 7), QPointF(lx + 18, ly + 7))
            p.setPen(self.palette().text().color())
            p.drawText(QPointF(lx + 23, ly + 11), text)

    def _x_of(self, lo: datetime, hi: datetime) -> tuple[float, float, Callable[[datetime], float]]:
        """The plot's left edge and width, and where a moment is on the axis ``lo``–``hi``."""
        x0 = self._label_width() + PAD
        plot_w = max(self.width() - x0 - PAD, 10)
        total = max((hi - lo).total_seconds(), 60)

        def x(t: datetime) -> float:
            return x0 + plot_w * (t - lo).total_seconds() / total

        return x0, plot_w, x

    def _paint_lines(self, p: QPainter) -> None:
        """The lines: planned end, projected end, now (over the strips; they end where the
        strips do, above the legend)."""
        span = self._span()
        fcst = self.forecast
        if not self.bars or span is None or fcst is None:
            return
        lo, hi = span
        _x0, _plot_w, x = self._x_of(lo, hi)
        rows_bottom = AXIS_H + ROW_H * len(self.bars)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        styles = _legend_styles()  # (the legend shows the same pens)
        lines = []
        if fcst.planned_end is not None:
            lines.append((fcst.planned_end, styles["planned_end"]))
        if fcst.projected_end is not None:
            lines.append((fcst.projected_end, styles["late_end" if fcst.late else "end"]))
        if not fcst.closed:
            lines.append((fcst.now, styles["now"]))
        for when, pen in lines:
            if lo <= when <= hi:
                p.setPen(pen)
                p.drawLine(QPointF(x(when), AXIS_H - 2), QPointF(x(when), rows_bottom))

    # --- tooltips ---------------------------------------------------------------------------

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and isinstance(e, QHelpEvent):
            r = self._row_at(e.position().y() if hasattr(e, "position") else e.pos().y())
            if r is None:
                QToolTip.hideText()
                e.ignore()
                return True
            QToolTip.showText(e.globalPos(), self.tooltip_for(self.bars[r]), self)
            return True
        return super().event(e)

    def tooltip_for(self, b: fc.ChartBar) -> str:
        def hm(t: datetime | None) -> str:
            return t.astimezone(self.tz).strftime("%H:%M") if t else "—"

        lines = [b.label]
        if b.planned_start is not None:
            lines.append(_("Planned: {a}–{b}").format(a=hm(b.planned_start), b=hm(b.planned_end)))
        elif b.unplanned:
            lines.append(_("Unplanned (inserted during the meeting)"))
        if b.actual_start is not None:
            lines.append(_("Actual: {a}–{b}").format(a=hm(b.actual_start),
                                                     b=hm(b.actual_end) if b.status == "done" else _("now")))
        if b.projected_end is not None:
            lines.append(_("Projected: {a}–{b}").format(a=hm(b.projected_start), b=hm(b.projected_end)))
        if self.forecast is not None and (f := self.forecast.item(b.id)) is not None:
            if f.deviation_seconds is not None:
                lines.append(_("Deviation: {d}").format(d=duration(f.deviation_seconds, signed=True)))
        return "\n".join(lines)


def end_unit(step: int) -> int:
    """What the axis' end is rounded to (minutes) for ticks ``step`` minutes apart: half a
    step when that is a round number of minutes (ends at :30 for hourly ticks, :15 for
    half-hourly ones), else a whole step (a quarter-hourly axis ends on a quarter hour)."""
    half = step // 2
    return half if step % 2 == 0 and half % 5 == 0 else step


_STYLES: dict[str, Any] = {}

# changes after which the chart's layer holds nothing that is still up to date
_LOOKS_CHANGE = frozenset({QEvent.Type.FontChange, QEvent.Type.PaletteChange, QEvent.Type.StyleChange,
                           QEvent.Type.LanguageChange, QEvent.Type.LocaleChange,
                           QEvent.Type.LayoutDirectionChange, QEvent.Type.EnabledChange,
                           QEvent.Type.ApplicationPaletteChange, QEvent.Type.ApplicationFontChange})


_STRIP_STYLES: tuple[Any, ...] = ()


def _strip_styles() -> tuple[Any, ...]:
    """The strips' pens and brushes: planned (pen, brush, a skipped item's brush), projected
    (pen, brush); made once."""
    global _STRIP_STYLES
    if not _STRIP_STYLES:
        _STRIP_STYLES = (QPen(PLANNED_LINE, 1), QBrush(PLANNED_FILL, Qt.BrushStyle.SolidPattern),
                         QBrush(PLANNED_FILL, Qt.BrushStyle.Dense4Pattern),
                         QPen(PROJECTED.darker(130), 1, Qt.PenStyle.DashLine),
                         QBrush(PROJECTED, Qt.BrushStyle.BDiagPattern))
    return _STRIP_STYLES


def _legend_styles() -> dict[str, Any]:
    """The legend's brushes and pens (made once: the legend is laid out at every change)."""
    if not _STYLES:
        _STYLES.update({
            "planned": (QBrush(PLANNED_FILL), QPen(PLANNED_LINE, 1)),
            "actual": (QBrush(ON_TIME), QPen(Qt.PenStyle.NoPen)),
            "over": (QBrush(LATE), QPen(Qt.PenStyle.NoPen)),
            "running": (QBrush(RUNNING), QPen(Qt.PenStyle.NoPen)),
            "projected": (QBrush(PROJECTED, Qt.BrushStyle.BDiagPattern),
                          QPen(PROJECTED.darker(130), 1, Qt.PenStyle.DashLine)),
            "now": QPen(NOW_LINE, 1.5),
            "planned_end": QPen(PLANNED_LINE.darker(140), 1.5, Qt.PenStyle.DashLine),
            "late_end": QPen(LATE, 1.5, Qt.PenStyle.DashLine),
            "end": QPen(ON_TIME, 1.5, Qt.PenStyle.DashLine),
        })
    return _STYLES


def chart_dock_widget(chart: AgendaChart) -> QScrollArea:
    """The chart in a vertical scroll area (200 items do not fit a dock)."""
    area = QScrollArea()
    area.setObjectName("agenda-chart-scroll")
    area.setWidget(chart)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setMinimumHeight(120)
    return area
