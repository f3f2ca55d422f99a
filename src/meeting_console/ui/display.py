"""The hall display: the meeting as the hall and every bridge point see it, full screen.

One window, opened from the console (View › Hall display) on a chosen screen, or as its own
process (``meeting-console display [--db DB] [MEETING]``) on the PC that feeds the video link.
It never writes: it reads a ``core.display.DisplaySource`` on the DB worker when the change bus
says the meeting changed (in-process: the console's own bus; another process: the journal's
high-water mark through ``Runner.watch_external``) and recomputes the screen every second from
what it holds (``core.display.state_at``), without a query.

Everything is laid out on a 1920×1080 design canvas and scaled to the window; every text sits in
a ``FitLabel`` that wraps and shrinks it to its box and, at its smallest size, elides it, so no
text ever leaves its box at any size from 1280×720 to 4K.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QBrush,
    QCloseEvent,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QKeySequence,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
    QScreen,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from meeting_console.core import display as core_display
from meeting_console.core import reads
from meeting_console.core.changes import AGENDA, AWARDS, MEETING, PEOPLE, SPEAKERS, Changes
from meeting_console.core.display import DisplaySource, DisplayState, ItemLine
from meeting_console.core.timefmt import hhmm, local
from meeting_console.i18n import _
from meeting_console.ui import display_style as st
from meeting_console.ui.bus import Runner
from meeting_console.ui.table_model import meeting_update


def keep_none_alive() -> None:
    """Work around PySide6 6.12.0 on Python 3.11: every call of a Qt method returning void
    drops a reference to ``None``, and every signal ``emit`` one to ``True`` (6.11.3 does
    neither); CPython aborts ("none_dealloc", "bool_dealloc") when such a count reaches zero.
    The display makes hundreds of such calls a second and would die within minutes. From
    Python 3.12 these constants are immortal; before it, give each so many references that it
    cannot run out (2**40: a century at a million calls a second). Idempotent; a no-op on
    3.12+ and on other interpreters."""
    global _none_kept
    if _none_kept or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import ctypes

    for constant in (None, True, False):
        ctypes.c_ssize_t.from_address(id(constant)).value += 1 << 40
    _none_kept = True


_none_kept = False

# areas whose changes the screen shows (endpoint statuses are not shown; names of endpoints
# and award types are, so those two tables count too)
FOLLOWED_AREAS = frozenset({MEETING, AGENDA, SPEAKERS, AWARDS, PEOPLE})
FOLLOWED_TABLES = frozenset({"endpoint", "award_type"})
MAX_RECIPIENTS = 12


# --- fitting text into a box ----------------------------------------------------------------


@dataclass(frozen=True)
class Fit:
    px: int
    lines: tuple[str, ...]
    line_height: float
    elided: bool


def _font(px: int, bold: bool, italic: bool, spacing: float) -> QFont:
    f = QFont()
    f.setFamilies(st.FONT_FAMILIES)
    f.setPixelSize(max(1, px))
    f.setBold(bold)
    f.setItalic(italic)
    f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    if spacing:
        f.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 100.0 + spacing)
    return f


def _lines(text: str, font: QFont, width: float) -> list[str]:
    """``text`` broken into lines of at most ``width`` (words, else anywhere)."""
    out: list[str] = []
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    for para in text.split("\n"):
        if not para:
            out.append("")
            continue
        layout = QTextLayout(para, font)
        layout.setTextOption(option)
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            out.append(para[line.textStart(): line.textStart() + line.textLength()].rstrip())
        layout.endLayout()
    return out


def _line_height(fm: QFontMetricsF) -> float:
    # a little air above the ascent: stacked Vietnamese marks (Ộ, Ẩ) sit above capitals
    return fm.height() * 1.12


def _balanced(text: str, font: QFont, width: float, count: int) -> list[str]:
    """The same number of lines in the narrowest width: lines of even length, no lone word
    on the last line."""
    lo, hi = width * 0.4, width
    best = _lines(text, font, width)
    for _step in range(8):
        mid = (lo + hi) / 2
        lines = _lines(text, font, mid)
        if len(lines) <= count:
            best, hi = lines, mid
        else:
            lo = mid
    return best


@lru_cache(maxsize=2048)
def fit_text(
    text: str, width: float, height: float, max_px: int, min_px: int, max_lines: int,
    bold: bool = False, italic: bool = False, spacing: float = 0.0,
) -> Fit:
    """The largest pixel size in ``min_px..max_px`` at which ``text`` wraps into ``width`` ×
    ``height`` in at most ``max_lines`` lines (0: any number); at ``min_px`` what does not fit
    is cut and the last line ends with an ellipsis."""
    if not text or width <= 1 or height <= 1:
        return Fit(max(1, min_px), (), 0.0, False)
    min_px = max(1, min(min_px, max_px))

    def attempt(px: int) -> tuple[bool, list[str], float, QFontMetricsF]:
        font = _font(px, bold, italic, spacing)
        fm = QFontMetricsF(font)
        lines = _lines(text, font, width)
        lh = _line_height(fm)
        fits = (
            len(lines) * lh <= height + 0.5
            and (max_lines == 0 or len(lines) <= max_lines)
            and all(fm.horizontalAdvance(ln) <= width + 0.5 for ln in lines)
        )
        return fits, lines, lh, fm

    lo, hi = min_px, max_px
    best: tuple[int, list[str], float] | None = None
    while lo <= hi:
        mid = (lo + hi) // 2
        ok, lines, lh, _fm = attempt(mid)
        if ok:
            best = (mid, lines, lh)
            lo = mid + 1
        else:
            hi = mid - 1
    if best is not None:
        px, lines, lh = best
        if len(lines) > 1:
            lines = _balanced(text, _font(px, bold, italic, spacing), width, len(lines))
        return Fit(px, tuple(lines), lh, False)
    # even the smallest size is too big: keep the lines that fit, ellipsis on the last
    _ok, lines, lh, fm = attempt(min_px)
    room = max(1, int((height + 0.5) // lh)) if lh else 1
    if max_lines:
        room = min(room, max_lines)
    kept = lines[:room]
    rest = " ".join(ln for ln in lines[room - 1:] if ln)
    kept[-1] = fm.elidedText(rest, Qt.TextElideMode.ElideRight, width)
    return Fit(min_px, tuple(kept), lh, True)


def group_posts(posts: tuple[str, ...] | list[str], lines: int) -> str:
    """Posts on at most ``lines`` lines, never cut inside a post: a post a line when they are
    few, else neighbouring posts share a line (", "), the longest line as short as can be."""
    posts = [p for p in posts if p]
    if len(posts) <= lines:
        return "\n".join(posts)
    if len(posts) > 12:  # not worth the search: one paragraph, wrapped
        return ", ".join(posts)
    best: tuple[int, list[str]] | None = None
    n = len(posts)

    def split(start: int, left: int) -> list[list[str]]:
        if left == 1:
            return [[", ".join(posts[start:])]]
        out = []
        for cut in range(start + 1, n - left + 2):
            head = ", ".join(posts[start:cut])
            out += [[head, *rest] for rest in split(cut, left - 1)]
        return out

    for option in split(0, lines):
        longest = max(len(x) for x in option)
        if best is None or longest < best[0]:
            best = (longest, option)
    assert best is not None
    return "\n".join(best[1])


class FitLabel(QWidget):
    """A text that fills its box: wrapped, shrunk between two sizes, elided at the smallest.
    Sizes are design pixels (1080p); ``scale`` maps them to the screen."""

    def __init__(
        self, parent: QWidget, name: str, *, px: int, min_px: int | None = None,
        max_lines: int = 0, bold: bool = False, italic: bool = False, colour: str = st.TEXT,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        valign: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignTop,
        spacing: float = 0.0, ring: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._text = ""
        self.px = px
        self.min_px = min_px if min_px is not None else max(12, px // 2)
        self.max_lines = max_lines
        self.bold = bold
        self.italic = italic
        self.colour = colour
        self.align = align
        self.valign = valign
        self.spacing = spacing
        self.ring = ring
        self.scale = 1.0
        self._cache = QPixmap()
        self._cache_key: tuple[object, ...] | None = None

    def text(self) -> str:
        return self._text

    def set_text(self, text: str, colour: str | None = None) -> None:
        colour = colour or self.colour
        if text != self._text or colour != self.colour:
            self._text = text
            self.colour = colour
            self.update()

    def fit(self, width: int | None = None, height: int | None = None) -> Fit:
        """The text fitted in the label's box (or in a box of ``width`` × ``height``)."""
        width = self.width() if width is None else width
        height = self.height() if height is None else height
        pad = height * 0.17 if self.ring else 0.0
        return fit_text(
            self._text, width - 2 * pad, height - 2 * pad,
            max(1, round(self.px * self.scale)), max(1, round(self.min_px * self.scale)),
            self.max_lines, self.bold, self.italic, self.spacing,
        )

    def _ring_pad(self) -> float:
        return self.height() * 0.17 if self.ring else 0.0

    def paintEvent(self, _event: QPaintEvent) -> None:
        # Qt draws glyphs above ~64 px as paths, every time: a 4K repaint of big text costs
        # tens of milliseconds. The label is drawn once into a pixmap per text, size and
        # colour, and blitted on every later repaint (the parent's background shows through).
        dpr = self.devicePixelRatioF()
        key = (self._text, self.colour, self.px, self.width(), self.height(), self.scale, dpr)
        if key != self._cache_key:
            self._cache = QPixmap(max(1, round(self.width() * dpr)),
                                  max(1, round(self.height() * dpr)))
            self._cache.setDevicePixelRatio(dpr)
            self._cache.fill(Qt.GlobalColor.transparent)
            painter = QPainter(self._cache)
            self._draw(painter)
            painter.end()
            self._cache_key = key
        QPainter(self).drawPixmap(0, 0, self._cache)

    def _draw(self, p: QPainter) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        if self.ring:
            w = max(2.0, self.height() * 0.03)
            p.setPen(QPen(QColor(self.colour), w))
            side = min(self.width(), self.height()) - w
            p.drawEllipse(QRectF(w / 2, w / 2, side, side))
        if not self._text:
            return
        fit = self.fit()
        pad = self._ring_pad()
        p.setFont(_font(fit.px, self.bold, self.italic, self.spacing))
        p.setPen(QColor(self.colour))
        total = len(fit.lines) * fit.line_height
        area_h = self.height() - 2 * pad
        if self.valign == Qt.AlignmentFlag.AlignVCenter:
            y = pad + (area_h - total) / 2
        elif self.valign == Qt.AlignmentFlag.AlignBottom:
            y = pad + area_h - total
        else:
            y = pad
        for line in fit.lines:
            p.drawText(QRectF(pad, y, self.width() - 2 * pad, fit.line_height),
                       self.align | Qt.AlignmentFlag.AlignVCenter, line)
            y += fit.line_height


# --- the timer panel and the emblem ---------------------------------------------------------


@lru_cache(maxsize=1024)
def _glyph(ch: str, px: int, colour: str, dpr: float, bold: bool) -> tuple[QPixmap, float]:
    """One character of the timer panel, drawn once: (pixmap, its left margin). The panel's
    texts change every second, and glyphs above ~64 px are not in Qt's glyph cache: drawn
    as text they cost milliseconds each at 4K."""
    font = _font(px, bold, False, 0.0)
    fm = QFontMetricsF(font)
    margin = px * 0.1
    w, h = fm.horizontalAdvance(ch) + 2 * margin, fm.height()
    pm = QPixmap(max(1, math.ceil(w * dpr)), max(1, math.ceil(h * dpr)))
    pm.setDevicePixelRatio(dpr)
    pm.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pm)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setFont(font)
    painter.setPen(QColor(colour))
    painter.drawText(QPointF(margin, fm.ascent()), ch)
    painter.end()
    return pm, margin


def draw_composed(p: QPainter, text: str, box: QRectF, px: int, min_px: int, colour: str,
                  bold: bool, spacing: float = 0.0, dpr: float = 1.0) -> None:
    """``text`` on one line, fitted and centred in ``box``, from cached glyphs."""
    fit = fit_text(text, box.width(), box.height(), px, min_px, 1, bold, False, spacing)
    if not fit.lines:
        return
    fm = QFontMetricsF(_font(fit.px, bold, False, spacing))
    line = fit.lines[0]
    advances = [fm.horizontalAdvance(ch) for ch in line]
    x = box.x() + (box.width() - sum(advances)) / 2
    y = box.y() + (box.height() - fm.height()) / 2
    for ch, advance in zip(line, advances, strict=True):
        if not ch.isspace():
            pm, margin = _glyph(ch, fit.px, colour, dpr, bold)
            p.drawPixmap(QPointF(x - margin, y), pm)
        x += advance


class TimerPanel(QWidget):
    """The speaking timer: caption, the big figure, a bar of the time used, the spoken time."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("timer")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.scale = 1.0
        self.caption = ""
        self.figure = ""
        self.sub = ""
        self.phase = "waiting"
        self.paused = False
        self.fraction = 0.0
        self._panel = QPixmap()
        self._panel_key: tuple[object, ...] | None = None

    def text(self) -> str:
        return self.figure

    def set_timer(self, caption: str, figure: str, sub: str, phase: str, paused: bool,
                  fraction: float) -> None:
        new = (caption, figure, sub, phase, paused, round(fraction, 3))
        old = (self.caption, self.figure, self.sub, self.phase, self.paused,
               round(self.fraction, 3))
        if new != old:
            self.caption, self.figure, self.sub, self.phase, self.paused = new[:5]
            self.fraction = fraction
            self.update()

    @property
    def colour(self) -> str:
        return st.phase_colour(self.phase, self.paused)

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        s = self.scale
        w, h = float(self.width()), float(self.height())
        fill, ink = st.PHASE_FILLS.get(self.phase, (None, None)) if not self.paused \
            else (None, None)
        dpr = self.devicePixelRatioF()
        key = (self.width(), self.height(), fill or st.PANEL, fill or self.colour, s, dpr)
        if key != self._panel_key:  # the rounded panel, drawn once per size and phase
            self._panel = QPixmap(max(1, round(w * dpr)), max(1, round(h * dpr)))
            self._panel.setDevicePixelRatio(dpr)
            self._panel.fill(Qt.GlobalColor.transparent)
            q = QPainter(self._panel)
            q.setRenderHint(QPainter.RenderHint.Antialiasing)
            radius = 28 * s
            q.setPen(QPen(QColor(fill or self.colour), max(2.0, 4 * s)))
            q.setBrush(QColor(fill or st.PANEL))
            q.drawRoundedRect(QRectF(2 * s, 2 * s, w - 4 * s, h - 4 * s), radius, radius)
            q.end()
            self._panel_key = key
        p.drawPixmap(0, 0, self._panel)
        pad = 40 * s
        inner = w - 2 * pad
        digits = ink or self.colour
        secondary = ink or st.MUTED

        def put(text: str, top: float, height: float, px: int, min_px: int, colour: str,
                bold: bool, spacing: float = 0.0) -> None:
            draw_composed(p, text, QRectF(pad, top, inner, height), max(1, round(px * s)),
                          max(1, round(min_px * s)), colour, bold, spacing, dpr)

        put(self.caption, h * 0.06, h * 0.09, 34, 14, secondary, True, 4)
        put(self.figure, h * 0.17, h * 0.50, 260, 40, digits, True)
        bar = QRectF(pad, h * 0.72, inner, max(4.0, h * 0.035))
        p.setPen(Qt.PenStyle.NoPen)
        track = QColor(ink or st.PANEL_EDGE)
        if ink:
            track.setAlphaF(0.25)
        p.setBrush(track)
        p.drawRoundedRect(bar, bar.height() / 2, bar.height() / 2)
        if self.fraction > 0:
            done = QRectF(bar.x(), bar.y(), bar.width() * self.fraction, bar.height())
            p.setBrush(QColor(ink or self.colour))
            p.drawRoundedRect(done, bar.height() / 2, bar.height() / 2)
        put(self.sub, h * 0.80, h * 0.10, 36, 14, secondary, False)


class Emblem(QWidget):
    """The logo: an image when one is given, else a gold star on a red disc with a gold ring."""

    def __init__(self, parent: QWidget, logo: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emblem")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.pixmap = QPixmap(logo) if logo else QPixmap()

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        side = float(min(self.width(), self.height()))
        box = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        if not self.pixmap.isNull():
            scaled = self.pixmap.size().scaled(int(side), int(side),
                                               Qt.AspectRatioMode.KeepAspectRatio)
            x = box.x() + (side - scaled.width()) / 2
            y = box.y() + (side - scaled.height()) / 2
            p.drawPixmap(QRectF(x, y, scaled.width(), scaled.height()), self.pixmap,
                         QRectF(self.pixmap.rect()))
            return
        ring = side * 0.045
        p.setPen(QPen(QColor(st.GOLD), ring))
        p.setBrush(QColor(st.BAND_TOP))
        p.drawEllipse(box.adjusted(ring, ring, -ring, -ring))
        c = box.center()
        outer, inner = side * 0.33, side * 0.33 * 0.382
        star = QPainterPath()
        for k in range(10):
            r = outer if k % 2 == 0 else inner
            a = math.radians(-90 + 36 * k)
            pt = QPointF(c.x() + r * math.cos(a), c.y() + r * math.sin(a))
            if k == 0:
                star.moveTo(pt)
            else:
                star.lineTo(pt)
        star.closeSubpath()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(st.GOLD))
        p.drawPath(star)


# --- the display ------------------------------------------------------------------------------

Rect = tuple[float, float, float, float]


class HallDisplay(QWidget):
    """The hall display window. ``meeting_of`` (in-process) names the meeting the console has
    open, checked on every tick; ``follow_latest`` (own process, no meeting given) switches to
    whichever meeting changes."""

    shown = Signal(dict)  # DisplayState.headline(), whenever it changes

    def __init__(
        self, runner: Runner, meeting_id: int | None, *,
        meeting_of: Callable[[], int | None] | None = None, follow_latest: bool = False,
        logo: str | None = None, parent: QWidget | None = None,
    ) -> None:
        keep_none_alive()
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("hall-display")
        self.setWindowTitle(_("Hall display — Meeting Console"))
        self.setMinimumSize(320, 180)
        self.setAutoFillBackground(False)
        self.runner = runner
        self.meeting_id: int | None = None
        self.meeting_of = meeting_of
        self.follow_latest = follow_latest
        self.source: DisplaySource | None = None
        self.state: DisplayState | None = None
        self.headline: dict[str, Any] | None = None
        self.words = st.Words("vi")
        self._loading = False
        self._again = False
        self._gone = False
        self._backdrop: tuple[object, ...] | None = ("none",)
        self._slots: list[tuple[QWidget, Rect]] = []
        self.groups: dict[str, list[QWidget]] = {}
        self._build(logo)
        self._tick_timer = QTimer(self)
        self._tick_timer.setSingleShot(True)
        self._tick_timer.timeout.connect(self.tick)
        for key, slot in (
            ("F11", self.toggle_full_screen),
            ("Esc", self.leave_full_screen),
            (QKeySequence.StandardKey.Close, self.close),
        ):
            act = QAction(self)
            act.setShortcut(QKeySequence(key))
            act.triggered.connect(slot)
            self.addAction(act)
        runner.operation_did_execute.connect(self._on_changes)
        self.set_meeting(meeting_id)

    # --- building -----------------------------------------------------------------------------

    def _label(self, group: str, name: str, rect: Rect, **kw: Any) -> FitLabel:
        lbl = FitLabel(self, name, **kw)
        self._slots.append((lbl, rect))
        self.groups.setdefault(group, []).append(lbl)
        return lbl

    def _build(self, logo: str | None) -> None:
        A = Qt.AlignmentFlag
        M = st.MARGIN
        W = st.DESIGN_W - 2 * M
        # the title band
        self.band_org = self._label("band", "band-org", (M, 20, 1380, 38), px=28, min_px=14,
                                    max_lines=1, bold=True, colour=st.GOLD, spacing=3)
        self.band_title = self._label("band", "band-title", (M, 60, 1390, 92), px=44, min_px=20,
                                      max_lines=2, bold=True, valign=A.AlignVCenter)
        self.clock = self._label("band", "clock", (1480, 12, 376, 96), px=88, min_px=30,
                                 max_lines=1, bold=True, align=A.AlignRight)
        self.clock_date = self._label("band", "clock-date", (1380, 108, 476, 38), px=27,
                                      min_px=12, max_lines=1, colour=st.GOLD, align=A.AlignRight)
        # speaker
        g = "speaker"
        self.sp_context = self._label(g, "speaker-context", (M, 186, W, 44), px=30, min_px=16,
                                      max_lines=1, colour=st.DIM)
        self.sp_kicker = self._label(g, "speaker-kicker", (M, 252, 1110, 46), px=32, min_px=16,
                                     max_lines=1, bold=True, colour=st.GOLD, spacing=4)
        self.sp_name = self._label(g, "speaker-name", (M, 304, 1110, 190), px=120, min_px=44,
                                   max_lines=2, bold=True, valign=A.AlignVCenter)
        self.sp_posts = self._label(g, "speaker-posts", (M, 508, 1110, 270), px=50, min_px=24,
                                    max_lines=5, colour=st.MUTED)
        self.sp_endpoint = self._label(g, "speaker-endpoint", (M, 800, 1110, 66), px=44,
                                       min_px=20, max_lines=1, bold=True, colour=st.ENDPOINT)
        self.timer = TimerPanel(self)
        self._slots.append((self.timer, (1224, 252, 632, 640)))
        self.groups[g].append(self.timer)
        # the current item
        g = "item"
        self.it_kicker = self._label(g, "item-kicker", (M, 198, 1000, 48), px=32, min_px=16,
                                     max_lines=1, bold=True, colour=st.GOLD, spacing=4)
        self.it_time = self._label(g, "item-time", (1056, 198, 800, 48), px=34, min_px=16,
                                   max_lines=1, colour=st.MUTED, align=A.AlignRight)
        self.it_number = self._label(g, "item-number", (M, 372, 190, 190), px=110, min_px=30,
                                     max_lines=1, bold=True, colour=st.GOLD, align=A.AlignHCenter,
                                     valign=A.AlignVCenter, ring=True)
        self.it_title = self._label(g, "item-title", (294, 262, 1562, 410), px=84, min_px=30,
                                    bold=True, valign=A.AlignVCenter)
        self.it_role = self._label(g, "item-role", (294, 694, 1562, 42), px=28, min_px=14,
                                   max_lines=1, bold=True, colour=st.GOLD, spacing=4)
        self.it_presenter = self._label(g, "item-presenter", (294, 738, 1562, 80), px=60,
                                        min_px=26, max_lines=1, bold=True)
        self.it_posts = self._label(g, "item-posts", (294, 822, 1562, 104), px=36, min_px=18,
                                    max_lines=2, colour=st.MUTED)
        # between items
        g = "between"
        self.bt_kicker = self._label(g, "between-kicker", (M, 198, W, 48), px=32, min_px=16,
                                     max_lines=1, bold=True, colour=st.GOLD, spacing=4)
        self.bt_number = self._label(g, "between-number", (M, 362, 190, 190), px=110, min_px=30,
                                     max_lines=1, bold=True, colour=st.GOLD,
                                     align=A.AlignHCenter, valign=A.AlignVCenter, ring=True)
        self.bt_title = self._label(g, "between-title", (294, 262, 1562, 390), px=84, min_px=30,
                                    bold=True, valign=A.AlignVCenter)
        self.bt_time_label = self._label(g, "between-time-label", (294, 676, 560, 42), px=28,
                                         min_px=14, max_lines=1, bold=True, colour=st.GOLD,
                                         spacing=4)
        self.bt_time = self._label(g, "between-time", (294, 716, 560, 150), px=136, min_px=40,
                                   max_lines=1, bold=True)
        self.bt_expected = self._label(g, "between-expected", (294, 870, 560, 46), px=32,
                                       min_px=14, max_lines=1, colour=st.MUTED)
        self.bt_role = self._label(g, "between-role", (900, 676, 956, 42), px=28, min_px=14,
                                   max_lines=1, bold=True, colour=st.GOLD, spacing=4)
        self.bt_presenter = self._label(g, "between-presenter", (900, 720, 956, 80), px=60,
                                        min_px=24, max_lines=1, bold=True)
        self.bt_posts = self._label(g, "between-posts", (900, 804, 956, 116), px=36, min_px=16,
                                    max_lines=3, colour=st.MUTED)
        # the ceremony
        g = "ceremony"
        self.ce_kicker = self._label(g, "ceremony-kicker", (M, 194, 1300, 48), px=32, min_px=16,
                                     max_lines=1, bold=True, colour=st.GOLD, spacing=4)
        self.ce_count = self._label(g, "ceremony-count", (1456, 194, 400, 48), px=34, min_px=16,
                                    max_lines=1, colour=st.MUTED, align=A.AlignRight)
        self.ce_award = self._label(g, "ceremony-award", (M, 250, W, 196), px=72, min_px=34,
                                    max_lines=2, bold=True, colour=st.GOLD, valign=A.AlignVCenter)
        self.ce_authority = self._label(g, "ceremony-authority", (M, 450, W, 48), px=34,
                                        min_px=16, max_lines=1, colour=st.MUTED)
        self.ce_names: list[FitLabel] = []
        self.ce_posts: list[FitLabel] = []
        for i in range(MAX_RECIPIENTS):
            self.ce_names.append(self._label(g, f"recipient-{i}", (0, 0, 0, 0), px=64, min_px=22,
                                             max_lines=2, bold=True, valign=A.AlignVCenter))
            self.ce_posts.append(self._label(g, f"recipient-post-{i}", (0, 0, 0, 0), px=36,
                                             min_px=14, colour=st.MUTED))
        self.ce_presenter = self._label(g, "ceremony-presenter", (M, 872, W, 56), px=36,
                                        min_px=16, max_lines=1, colour=st.MUTED)
        # messages (idle, closed)
        g = "message"
        self.ms_big = self._label(g, "message-big", (M, 360, W, 220), px=96, min_px=36,
                                  max_lines=3, bold=True, align=A.AlignHCenter,
                                  valign=A.AlignVCenter)
        self.ms_small = self._label(g, "message-small", (M, 600, W, 70), px=44, min_px=18,
                                    max_lines=1, colour=st.MUTED, align=A.AlignHCenter)
        # the footer strip
        g = "footer"
        self.ft_kicker = self._label(g, "footer-kicker", (M, 966, W, 36), px=26, min_px=12,
                                     max_lines=1, bold=True, colour=st.GOLD, spacing=4)
        self.ft_line = self._label(g, "footer-line", (M, 1004, W, 60), px=40, min_px=30,
                                   max_lines=1, valign=A.AlignVCenter)
        self.ft_names: list[FitLabel] = []
        self.ft_subs: list[FitLabel] = []
        for i in range(core_display.NEXT_SPEAKERS):
            x = M + i * 604
            self.ft_names.append(self._label(g, f"footer-name-{i}", (x, 1002, 576, 42), px=34,
                                             min_px=14, max_lines=1, bold=True))
            self.ft_subs.append(self._label(g, f"footer-sub-{i}", (x, 1044, 576, 32), px=24,
                                            min_px=11, max_lines=1, colour=st.MUTED))
        # logo only
        g = "logo"
        self.emblem = Emblem(self, logo)
        self._slots.append((self.emblem, (810, 130, 300, 300)))
        self.groups[g] = [self.emblem]
        self.lg_parent = self._label(g, "logo-parent", (M, 470, W, 52), px=36, min_px=16,
                                     max_lines=1, bold=True, colour=st.GOLD,
                                     align=A.AlignHCenter, spacing=3)
        self.lg_body = self._label(g, "logo-body", (M, 526, W, 62), px=46, min_px=18,
                                   max_lines=1, bold=True, colour=st.GOLD, align=A.AlignHCenter,
                                   spacing=3)
        self.lg_title = self._label(g, "logo-title", (160, 630, 1600, 240), px=72, min_px=28,
                                    max_lines=3, bold=True, align=A.AlignHCenter,
                                    valign=A.AlignVCenter)
        self.lg_date = self._label(g, "logo-date", (M, 900, W, 52), px=34, min_px=14,
                                   max_lines=1, italic=True, colour=st.MUTED,
                                   align=A.AlignHCenter)
        for w in self.findChildren(QWidget):
            w.hide()

    # --- geometry -----------------------------------------------------------------------------

    @property
    def scale(self) -> float:
        return min(self.width() / st.DESIGN_W, self.height() / st.DESIGN_H)

    def _sx(self) -> tuple[float, float]:
        return self.width() / st.DESIGN_W, self.height() / st.DESIGN_H

    def _place(self, w: QWidget, rect: Rect) -> None:
        sx, sy = self._sx()
        x, y, rw, rh = rect
        w.setGeometry(round(x * sx), round(y * sy), max(0, round(rw * sx)), max(0, round(rh * sy)))
        w.scale = self.scale  # type: ignore[attr-defined]

    def _fit_in(self, label: FitLabel, width: float, height: float) -> Fit:
        """How ``label`` would fit in a box of design size ``width`` × ``height`` (without
        moving it: a move repaints)."""
        sx, sy = self._sx()
        label.scale = self.scale
        return label.fit(max(0, round(width * sx)), max(0, round(height * sy)))

    def _place_all(self) -> None:
        for w, rect in self._slots:
            self._place(w, rect)
        self._place_ceremony()
        self._place_speaker()

    def _place_speaker(self) -> None:
        """The speaker's kicker, name, posts and endpoint as one block, as tall as its texts,
        centred beside the timer panel."""
        _sx, sy = self._sx()
        if not sy:
            return
        m = st.MARGIN
        name, posts = self._fit_in(self.sp_name, 1110, 190), self._fit_in(self.sp_posts, 1110, 270)
        name_h = len(name.lines) * name.line_height / sy + 4
        posts_h = len(posts.lines) * posts.line_height / sy + 4
        parts = ((self.sp_kicker, 46.0, 12.0), (self.sp_name, name_h, 14.0),
                 (self.sp_posts, posts_h, 30.0 if posts.lines else 0.0),
                 (self.sp_endpoint, 66.0, 0.0))
        total = sum(h + gap for _w, h, gap in parts)
        y = 252 + max(0.0, (640 - total) / 2)
        for w, h, gap in parts:
            self._place(w, (m, y, 1110, h))
            y += h + gap

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_all()

    def _place_ceremony(self) -> None:
        """Award, authority and recipients stacked from the top, each as tall as its text;
        the recipients share what is left above the presenter line."""
        _sx, sy = self._sx()
        if not sy:
            return
        m, width = float(st.MARGIN), st.DESIGN_W - 2.0 * st.MARGIN
        award = self._fit_in(self.ce_award, width, 196)
        y = 262 + (len(award.lines) * award.line_height / sy if award.lines else 0) + 8
        self._place(self.ce_award, (m, 262, width, y - 262))
        if self.ce_authority.text():
            self._place(self.ce_authority, (m, y, width, 48))
            y += 48
        y += 40
        n = sum(1 for lbl in self.ce_names if lbl.text())
        if not n:
            return
        height = 856 - y
        cols = 1 if n <= 3 else 2
        rows = math.ceil(n / cols)
        gap = 40.0
        cw = (width - gap * (cols - 1)) / cols
        rh = height / rows
        name_share = 0.55 if n > 1 else 0.3
        for i in range(min(n, MAX_RECIPIENTS)):
            r, c = divmod(i, cols)
            x, top = m + c * (cw + gap), y + r * rh
            self.ce_names[i].px = 72 if n == 1 else 60
            self.ce_posts[i].px = 42 if n == 1 else 34
            self._place(self.ce_names[i], (x, top, cw, rh * name_share))
            self._place(self.ce_posts[i], (x, top + rh * name_share + 2, cw,
                                           rh * (1 - name_share) - 10))

    # --- the meeting followed -----------------------------------------------------------------

    def set_meeting(self, meeting_id: int | None) -> None:
        if meeting_id == self.meeting_id and self.source is not None:
            return
        self.meeting_id = meeting_id
        self.source = None
        self.reload()

    def reload(self) -> None:
        """Read the meeting again (on the DB worker); the screen updates when it arrives."""
        if self.meeting_id is None:
            self.source = None
            self.tick()
            return
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.runner.call(core_display.load, self.runner.core, self.meeting_id,
                         on_done=self._loaded, on_error=self._load_failed)

    def _loaded(self, source: DisplaySource) -> None:
        self._loading = False
        if self._gone:
            return
        if source.meeting.id == self.meeting_id:
            self.source = source
        if self._again:
            self._again = False
            self.reload()
        self.tick()

    def _load_failed(self, _message: str) -> None:
        if self._gone:
            return
        # the meeting was deleted, or the database is unreachable for a moment: keep what is
        # on screen unless the meeting is gone
        self._loading = False
        if self._again:
            self._again = False
            self.reload()
            return
        self.source = None
        self.tick()

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if self._gone:
            return
        mid = changes.meeting_id
        if mid is not None and mid != self.meeting_id:
            if self.follow_latest and changes.areas & {MEETING, AGENDA, SPEAKERS, AWARDS}:
                self.set_meeting(mid)
            return
        if changes.areas & FOLLOWED_AREAS or set(changes.rows) & FOLLOWED_TABLES:
            self.reload()

    # --- every second -------------------------------------------------------------------------

    def tick(self) -> None:
        """Recompute the screen from what is held (no database) and plan the next second."""
        if self._gone:
            return
        if self.meeting_of is not None:
            wanted = self.meeting_of()
            if wanted != self.meeting_id:
                self.set_meeting(wanted)
        now = self.runner.core.clock.now()
        state = core_display.state_at(self.source, now) if self.source is not None else None
        self.show_state(state)
        self._tick_timer.start(max(20, 1000 - now.microsecond // 1000 + 5))

    # --- showing a state ----------------------------------------------------------------------

    def _show_groups(self, *names: str) -> None:
        visible = {w for n in names for w in self.groups.get(n, [])}
        for group in self.groups.values():
            for w in group:
                w.setVisible(w in visible)

    def show_state(self, state: DisplayState | None) -> None:
        self.state = state
        if state is None:
            self._show_none()
        else:
            self.words = st.Words(state.language)
            if state.mode == "blank":
                self._show_groups()
            elif state.mode == "logo":
                self._show_logo(state)
            else:
                self._show_live(state)
        # the backdrop (band, rules, footer strip) changes only with the view: the labels
        # repaint themselves, so a tick repaints the clock and the timer, not the screen
        backdrop = (state.mode, state.view, self.ft_kicker.isVisible()) if state else None
        if backdrop != self._backdrop:
            self._backdrop = backdrop
            self.update()
        headline = state.headline() if state is not None else {"meeting": None, "view": "none"}
        if headline != self.headline:
            self.headline = headline
            self.shown.emit(headline)

    def _show_none(self) -> None:
        self.band_org.set_text("")
        self.band_title.set_text("MEETING CONSOLE")
        self.clock.set_text(hhmm(self.runner.core.clock.now(), "Asia/Ho_Chi_Minh"))
        self.clock_date.set_text("")
        self.ms_big.set_text(st.Words("vi")("no_meeting"))
        self.ms_small.set_text("")
        self._show_groups("band", "message")

    def _band(self, s: DisplayState) -> None:
        w = self.words
        self.band_org.set_text(" · ".join(x for x in (s.parent_body, s.issuing_body) if x).upper())
        self.band_title.set_text(s.title.upper())
        self.clock.set_text(s.clock_text)
        today = local(s.now, s.timezone)
        self.clock_date.set_text(w("date", weekday=w(f"weekday_{today.weekday()}"),
                                   d=today.day, m=today.month, y=today.year))

    def _show_live(self, s: DisplayState) -> None:
        self._band(s)
        footer = getattr(self, f"_view_{s.view}")(s)
        self._show_groups("band", s.view if s.view not in ("idle", "closed") else "message",
                          *(["footer"] if footer else []))
        if footer:
            self._hide_unused_footer()

    def _hide_unused_footer(self) -> None:
        for lbl in [self.ft_line, *self.ft_names, *self.ft_subs]:
            lbl.setVisible(bool(lbl.text()))

    # footers: each view fills the strip (returns True) or leaves it off

    def _footer(self, kicker: str, line: str = "",
                cells: tuple[tuple[str, str], ...] = ()) -> bool:
        self.ft_kicker.set_text(kicker)
        self.ft_line.set_text(line)
        for i in range(len(self.ft_names)):
            name, sub = cells[i] if i < len(cells) else ("", "")
            self.ft_names[i].set_text(name)
            self.ft_subs[i].set_text(sub)
        return bool(kicker)

    def _where(self, s: DisplayState, endpoint: str) -> str:
        w = self.words
        if endpoint:
            return w("from_endpoint", name=endpoint)
        return w("from_hall_named", name=s.main_hall) if s.main_hall else w("from_hall")

    def _footer_speakers(self, s: DisplayState) -> bool:
        w = self.words
        cells = []
        for sp in s.next_speakers:
            sub = sp.posts[-1] if sp.posts else ""
            if sp.endpoint:
                sub = f"{sp.endpoint} · {sub}" if sub else sp.endpoint
            cells.append((sp.name, sub))
        kicker = w("next_speakers")
        more = s.waiting - len(s.next_speakers)
        if more > 0:
            kicker += "  ·  " + w("more_waiting", n=more)
        return self._footer(kicker, cells=tuple(cells))

    def _footer_next_item(self, s: DisplayState, key: str = "next",
                          item: ItemLine | None = None) -> bool:
        item = item or s.next_item
        if item is None:
            return self._footer("")
        when = hhmm(item.planned_start, s.timezone)
        return self._footer(self.words(key), (f"{when}  ·  " if when else "") + item.label)

    def _role(self, kind: str) -> str:
        return self.words(f"role_{kind}")

    def _presenter(self, item: ItemLine, role: FitLabel, name: FitLabel, posts: FitLabel) -> None:
        role.set_text(self._role(item.kind) if item.presenter else "")
        name.set_text(item.presenter)
        posts.set_text(group_posts(item.presenter_posts, posts.max_lines or 3))

    def _view_speaker(self, s: DisplayState) -> bool:
        w = self.words
        sp, t = s.speaker, s.timer
        assert sp is not None and t is not None
        self.sp_context.set_text(s.item.label if s.item else "")
        if t.paused:
            kicker = w("speaker_paused")
        elif not t.started:
            kicker = w("called")
        else:
            kicker = w("speaking")
        self.sp_kicker.set_text(kicker)
        self.sp_name.set_text(sp.name)
        self.sp_posts.set_text(group_posts(sp.posts, 5))
        self.sp_endpoint.set_text(self._where(s, sp.endpoint))
        self._place_speaker()
        if t.paused:
            caption = w("time_paused")
        elif t.phase == "overrun":
            caption = w("time_over")
        elif not t.started:
            caption = w("time_ready")
        else:
            caption = w("time_left")
        figure = t.limit_text if not t.started else t.text
        sub = w("spoken", elapsed=t.elapsed_text, limit=t.limit_text) if t.started \
            else w("limit", limit=t.limit_text)
        self.timer.set_timer(caption, figure, sub, t.phase, t.paused, t.fraction)
        if s.next_speakers:
            return self._footer_speakers(s)
        return self._footer_next_item(s)

    def _view_item(self, s: DisplayState) -> bool:
        w = self.words
        it = s.item
        assert it is not None
        self.it_kicker.set_text(w("recess") if it.status == "paused" else w("now_running"))
        start = hhmm(it.actual_start, s.timezone)
        end = hhmm(it.expected_end, s.timezone)
        self.it_time.set_text(w("times", start=start, end=end) if start and end
                              else w("since", start=start) if start else "")
        self.it_number.set_text(it.number)
        self.it_title.set_text(it.title)
        self._presenter(it, self.it_role, self.it_presenter, self.it_posts)
        if s.next_speakers:
            return self._footer_speakers(s)
        return self._footer_next_item(s)

    def _view_between(self, s: DisplayState) -> bool:
        w = self.words
        it = s.next_item
        assert it is not None
        self.bt_kicker.set_text(w("first_item") if s.items_done == 0 and s.status == "draft"
                                else w("next_item"))
        self.bt_number.set_text(it.number)
        self.bt_title.set_text(it.title)
        planned = hhmm(it.planned_start, s.timezone)
        self.bt_time_label.set_text(w("planned_at") if planned else "")
        self.bt_time.set_text(planned)
        expected = ""
        if it.projected_start and it.planned_start and \
                abs((it.projected_start - it.planned_start).total_seconds()) >= 120:
            expected = w("expected_at", time=hhmm(it.projected_start, s.timezone))
        self.bt_expected.set_text(expected)
        self._presenter(it, self.bt_role, self.bt_presenter, self.bt_posts)
        if s.after_next is not None:
            return self._footer_next_item(s, "after", s.after_next)
        return self._footer(w("progress", done=s.items_done, total=s.items_total))

    def _view_ceremony(self, s: DisplayState) -> bool:
        w = self.words
        ce = s.ceremony
        assert ce is not None
        self.ce_kicker.set_text(w("ceremony"))
        self.ce_count.set_text(w("group_of", i=ce.index, n=ce.count))
        award = " · ".join(ce.award_names)
        self.ce_award.set_text(award)
        auth = ce.authority
        self.ce_authority.set_text(
            w("authority", authority=auth) if auth and auth.casefold() not in award.casefold()
            else "")
        people = list(ce.recipients)
        shown = people if len(people) <= MAX_RECIPIENTS else people[: MAX_RECIPIENTS - 1]
        for i in range(MAX_RECIPIENTS):
            if i < len(shown):
                r = shown[i]
                self.ce_names[i].set_text(r.name)
                lines = []
                if r.posthumous:
                    lines.append(w("posthumous"))
                if r.post:
                    lines.append(group_posts(r.post.split(", "), 2 if len(shown) == 1 else 1))
                if r.posthumous and r.received_by:
                    lines.append(w("received_by", who=r.received_by))
                if r.endpoint:
                    lines.append(self._where(s, r.endpoint))
                self.ce_posts[i].set_text("\n".join(lines))
            elif i == len(shown) and len(shown) < len(people):
                self.ce_names[i].set_text(w("and_more", n=len(people) - len(shown)))
                self.ce_posts[i].set_text("")
            else:
                self.ce_names[i].set_text("")
                self.ce_posts[i].set_text("")
        self._place_ceremony()
        self.ce_presenter.set_text(
            w("presented_by", who=", ".join(ce.presenters)) if ce.presenters else "")
        if ce.next_award_names:
            who = ", ".join(ce.next_recipients)
            return self._footer(w("next"), " · ".join(ce.next_award_names) + f"  —  {who}")
        return self._footer_next_item(s)

    def _view_idle(self, s: DisplayState) -> bool:
        self.ms_big.set_text(s.title)
        day = s.date
        self.ms_small.set_text(", ".join(x for x in (
            s.place, f"{day.day:02d}/{day.month:02d}/{day.year}") if x))
        return False

    def _view_closed(self, s: DisplayState) -> bool:
        w = self.words
        self.ms_big.set_text(w("closed"))
        when = hhmm(s.closed_at, s.timezone)
        self.ms_small.set_text(w("closed_at", time=when) if when else "")
        return False

    def _show_logo(self, s: DisplayState) -> None:
        w = self.words
        self.lg_parent.set_text(s.parent_body.upper())
        self.lg_body.set_text(s.issuing_body.upper())
        self.lg_title.set_text(s.title.upper())
        d = s.date
        self.lg_date.set_text(w("logo_date", city=s.city, d=d.day, m=d.month, y=d.year)
                              if s.city else f"{d.day:02d}/{d.month:02d}/{d.year}")
        self._show_groups("logo")

    # --- painting -----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        dirty = QRectF(event.rect())  # a tick repaints the timer's corner only

        def fill(rect: QRectF, brush: QColor | QBrush) -> None:
            part = rect.intersected(dirty)
            if not part.isEmpty():
                p.fillRect(part, brush)

        s = self.state
        if s is not None and s.mode == "blank":
            fill(QRectF(self.rect()), QColor("#000000"))
            return
        fill(QRectF(self.rect()), QColor(st.BACKGROUND))
        sx, sy = self._sx()
        if s is not None and s.mode == "logo":
            fill(QRectF(0, 0, self.width(), 10 * sy), QColor(st.BAND_TOP))
            fill(QRectF(0, self.height() - 10 * sy, self.width(), 10 * sy), QColor(st.BAND_TOP))
            fill(QRectF(660 * sx, 604 * sy, 600 * sx, max(1.0, 3 * sy)), QColor(st.GOLD))
            return
        band = QRectF(0, 0, self.width(), st.BAND_H * sy)
        grad = QLinearGradient(band.topLeft(), band.bottomLeft())
        grad.setColorAt(0, QColor(st.BAND_TOP))
        grad.setColorAt(1, QColor(st.BAND_BOTTOM))
        fill(band, QBrush(grad))
        fill(QRectF(0, band.bottom(), self.width(), max(2.0, 5 * sy)), QColor(st.GOLD))
        if self.ft_kicker.isVisible():
            strip = QRectF(0, (st.FOOTER_Y - 4) * sy, self.width(), self.height())
            fill(strip, QColor(st.PANEL))
            fill(QRectF(0, strip.top(), self.width(), max(1.0, 2 * sy)), QColor(st.PANEL_EDGE))
        if s is not None and s.view in ("item", "between", "ceremony"):
            # a thin rule under the kicker line
            fill(QRectF(st.MARGIN * sx, 250 * sy, (st.DESIGN_W - 2 * st.MARGIN) * sx,
                        max(1.0, 2 * sy)), QColor(st.PANEL_EDGE))

    # --- window -------------------------------------------------------------------------------

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.leave_full_screen()
        else:
            self.showFullScreen()
            self.setCursor(Qt.CursorShape.BlankCursor)

    def leave_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
            self.unsetCursor()

    def show_on(self, screen: QScreen | None, *, full_screen: bool = True) -> None:
        """Show on ``screen`` (None: where it is), full screen or in a 1280×720 window."""
        self.create()
        if screen is not None and self.windowHandle() is not None:
            self.windowHandle().setScreen(screen)
        geo = (screen or self.screen()).geometry()
        if full_screen:
            self.setGeometry(geo)
            self.showFullScreen()
            self.setCursor(Qt.CursorShape.BlankCursor)
        else:
            self.resize(min(1280, geo.width()), min(720, geo.height()))
            self.move(geo.center() - self.rect().center())
            self.showNormal()

    def shutdown(self) -> None:
        self._gone = True
        self._tick_timer.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        # a read still on the DB worker answers after the widgets are deleted: it is dropped
        if self.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose):
            self.shutdown()
        super().closeEvent(event)


# --- in the console ---------------------------------------------------------------------------


def screen_label(i: int, screen: QScreen) -> str:
    g = screen.geometry()
    primary = _(" (primary)") if screen is QGuiApplication.primaryScreen() else ""
    name = screen.name() or screen.model() or _("Screen")
    return f"{i + 1}: {name} — {g.width()}×{g.height()}{primary}"


def choose_screen(parent: QWidget, on_chosen: Callable[[QScreen], None]) -> QDialog:
    """Ask which screen the hall display goes to (opened with ``open()``, never ``exec()``);
    the screen other than the console's is proposed."""
    dlg = QDialog(parent)
    dlg.setObjectName("choose-screen")
    dlg.setWindowTitle(_("Hall display: which screen?"))
    lay = QVBoxLayout(dlg)
    lay.addWidget(QLabel(_("The hall display goes full screen on:")))
    lst = QListWidget(dlg)
    screens = QGuiApplication.screens()
    own = parent.screen()
    for i, scr in enumerate(screens):
        it = QListWidgetItem(screen_label(i, scr))
        it.setData(Qt.ItemDataRole.UserRole, i)
        lst.addItem(it)
        if scr is not own and lst.currentItem() is None:
            lst.setCurrentItem(it)
    if lst.currentItem() is None and lst.count():
        lst.setCurrentRow(0)
    lay.addWidget(lst)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    lay.addWidget(buttons)
    buttons.accepted.connect(dlg.accept)
    buttons.rejected.connect(dlg.reject)
    lst.itemActivated.connect(lambda _i: dlg.accept())

    def finished(result: int) -> None:
        item = lst.currentItem()
        if result == QDialog.DialogCode.Accepted and item is not None:
            on_chosen(screens[int(item.data(Qt.ItemDataRole.UserRole))])

    dlg.finished.connect(finished)
    dlg.open()
    return dlg


def open_hall_display(main_window: Any, screen: QScreen | None = None) -> HallDisplay:
    """Open (or bring back) the hall display of the console's meeting. With one screen it
    opens in a window (F11: full screen); with more, on the screen chosen (asked when not
    given), full screen. It follows the meeting the console has open."""
    display: HallDisplay | None = getattr(main_window, "_hall_display", None)
    if display is None:
        display = HallDisplay(main_window.runner, main_window.meeting_id,
                              meeting_of=lambda: main_window.meeting_id)
        display.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        main_window._hall_display = display

        def gone() -> None:
            main_window._hall_display = None

        display.destroyed.connect(gone)
    screens = QGuiApplication.screens()
    if screen is not None:
        display.show_on(screen)
    elif len(screens) > 1:
        choose_screen(main_window, display.show_on)
    else:
        display.show_on(None, full_screen=False)
        main_window.statusBar().showMessage(
            _("One screen only: the hall display opens in a window (F11: full screen)"), 6000)
    display.raise_()
    return display


class HallDisplayControls(QObject):
    """The console's hall display actions and the status-bar warning that the hall is not
    seeing the meeting (blank or logo)."""

    def __init__(self, main_window: Any) -> None:
        keep_none_alive()  # the console process too (see there); the lead may move it to app
        super().__init__(main_window)
        self.setObjectName("hall-display-controls")
        self.window = main_window
        self.runner: Runner = main_window.runner
        self.mode = "live"
        self.open_action = QAction(_("&Hall display…"), main_window)
        self.open_action.setObjectName("act-hall-display")
        self.open_action.setShortcut(QKeySequence("Ctrl+Shift+H"))
        self.open_action.setToolTip(_("Show the meeting on the hall screen and the video feed"))
        self.open_action.triggered.connect(lambda: open_hall_display(main_window))
        group = QActionGroup(main_window)
        group.setExclusive(True)
        self.mode_actions: dict[str, QAction] = {}
        for mode, text, key in (
            ("live", _("Hall display: &live meeting"), "Ctrl+Shift+V"),
            ("blank", _("Hall display: &blank"), "Ctrl+Shift+B"),
            ("logo", _("Hall display: l&ogo only"), "Ctrl+Shift+L"),
        ):
            act = QAction(text, main_window)
            act.setObjectName(f"act-hall-{mode}")
            act.setCheckable(True)
            act.setShortcut(QKeySequence(key))
            act.triggered.connect(lambda _c=False, m=mode: self.switch(m))
            group.addAction(act)
            self.mode_actions[mode] = act
        self.mode_actions["live"].setChecked(True)
        self.indicator = QLabel()
        self.indicator.setObjectName("hall-display-mode")
        self.indicator.setStyleSheet(
            "QLabel { background: #b91c1c; color: white; font-weight: bold; padding: 1px 8px; }")
        self.indicator.hide()
        main_window.statusBar().addPermanentWidget(self.indicator)
        self.runner.operation_did_execute.connect(self._on_changes)
        QTimer.singleShot(0, self.refresh)

    def actions(self) -> list[QAction]:
        return [self.open_action, *self.mode_actions.values()]

    def switch(self, mode: str) -> None:
        """Blank and logo toggle (the same key brings the meeting back); live is live."""
        mid = self.window.meeting_id
        if mid is None:
            self._show(self.mode)
            return
        op = core_display.set_display_mode if mode == "live" else core_display.toggle_display_mode
        self.runner.run(op, mid, mode, initiator=self.window,
                        on_error=lambda msg: (self._show(self.mode),
                                              self.window.statusBar().showMessage(msg, 6000)))

    def refresh(self) -> None:
        mid = self.window.meeting_id
        if mid is None:
            self._show("live")
            return
        self.runner.call(reads.meeting, self.runner.core, mid,
                         on_done=lambda info: self._show(info.display_mode),
                         on_error=lambda _m: None)

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if MEETING in changes.areas:
            patch = meeting_update(changes, self.window.meeting_id)
            if patch is None:
                self.refresh()
            elif "display_mode" in patch:  # this console's change says it: no read
                self._show(patch["display_mode"])

    def _show(self, mode: str) -> None:
        self.mode = mode
        if mode in self.mode_actions:
            self.mode_actions[mode].setChecked(True)
        text = {"blank": _("HALL DISPLAY: BLANK"), "logo": _("HALL DISPLAY: LOGO ONLY")}.get(mode)
        self.indicator.setText(text or "")
        self.indicator.setVisible(bool(text))


def hall_display_actions(main_window: Any) -> list[QAction]:
    """The View menu's hall display actions: open it (Ctrl+Shift+H), and the one-key switches
    blank (Ctrl+Shift+B) and logo only (Ctrl+Shift+L), each pressed again for the meeting, and
    live (Ctrl+Shift+V). Also puts a red warning in the status bar while the hall is not
    seeing the meeting."""
    controls = getattr(main_window, "_hall_controls", None)
    if controls is None:
        controls = HallDisplayControls(main_window)
        main_window._hall_controls = controls
    return controls.actions()


# --- as its own process -----------------------------------------------------------------------


def run_display(
    db: str | None, meeting: int | None, *, screen: int | None = None, windowed: bool = False,
    logo: str | None = None, print_states: bool = False,
) -> int:
    """``meeting-console display``: follow a meeting read-only (no meeting: the one changed
    last, and whichever changes next). ``print_states`` prints each new headline as a JSON
    line (tests, and a log of what the hall saw)."""
    import signal

    from meeting_console.errors import UserError
    from meeting_console.ui.app import ensure_app

    core = core_display.open_for_display(db)
    try:
        if meeting is None:
            mid = reads.latest_meeting_id(core)
        else:
            reads.meeting(core, meeting)
            mid = meeting
        app = ensure_app()
        screens = QGuiApplication.screens()
        if screen is not None and not 1 <= screen <= len(screens):
            raise UserError(_("screen {screen}: there are {n} screen(s), numbered from 1").format(
                screen=screen, n=len(screens)))
        runner = Runner(core)
        display = HallDisplay(runner, mid, follow_latest=meeting is None, logo=logo)
        if print_states:
            display.shown.connect(
                lambda h: print(json.dumps(h, ensure_ascii=False, default=str), flush=True))
        runner.watch_external()
        target = screens[screen - 1] if screen is not None else None
        if target is None and len(screens) > 1:
            target = screens[-1]  # a second screen is the hall's
        display.show_on(target, full_screen=not windowed)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C in the terminal ends it
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        app.aboutToQuit.connect(display.shutdown)
        app.aboutToQuit.connect(runner.shutdown)
        return app.exec()
    finally:
        core.close()
