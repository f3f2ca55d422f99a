"""A line of the agenda's summary (what runs now, the projected end, the advice): plain text
that wraps to the width it is given.

Why not a QLabel: ``QLabel.setText`` always asks the layouts above it to recompute, and up the
chain of layouts each one does (``QLayout.activate`` ends in ``updateGeometry``) until the main
window lays out every dock again — with Qt's Fusion style a property animation object per dock
each time. The summary changes at every key press and every second, so this line asks for a new
layout only when the height it needs at its width changes; otherwise it only repaints.

A line made ``one_line`` (what runs now: its text changes with every item) keeps the height of
one line whatever its text: a longer title is elided (in the middle, so the clock before it and
the countdown after it stay) instead of wrapped onto a second line, which would lay out the window
again and shrink the table above it by a row (its whole viewport repainted at that key press).
A ``one_line`` text of several lines (the advice: one line per piece of advice) shows each of them
on one line, elided (``elide``): its height changes only when a piece of advice comes or goes, not
when the items it names change (a meeting running late named other items, with longer titles, at
some presses: the advice took two lines more, then fewer, and the table above it was laid out and
repainted whole each time). ``min_lines`` keeps room for that many lines even when blank: the
advice's first line appears when the meeting falls behind without moving the table below.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QFontMetricsF, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

_FLAGS = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
_TALL = 100_000


class StatusLine(QWidget):
    """Plain text, wrapped at word boundaries (a word longer than the line is broken)."""

    def __init__(self, parent: QWidget | None = None, *, one_line: bool = False,
                 elide: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle, min_lines: int = 0) -> None:
        super().__init__(parent)
        self.one_line = one_line
        self.elide = elide
        self.min_lines = min_lines  # (``one_line``) the lines it keeps room for, even blank
        self._text = ""
        self._color: QColor | None = None
        self._heights: dict[tuple[str, int, str], int] = {}
        self._wraps: dict[tuple[str, int, str], int] = {}
        self._painted: tuple[Any, list[tuple[str, float]] | None] | None = None  # see _lines
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    # the parts of QLabel's interface the panel and its tests use
    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's naming)
        if text == self._text:
            return
        width = self.width()
        before = self.heightForWidth(width)
        self._text = text
        if not self.isVisible() or self.heightForWidth(width) != before:
            self.updateGeometry()  # a line more or less: the layout must make room
        self.update()

    def set_color(self, color: QColor | str | None) -> None:
        c = QColor(color) if color is not None else None
        if c != self._color:
            self._color = c
            self.update()

    def shown_text(self) -> str:
        """What the line shows: its text, or (``one_line``) the text elided to its width."""
        if not self.one_line:
            return self._text
        fm, width = QFontMetrics(self.font()), max(self.width(), 1)
        return "\n".join(fm.elidedText(line, self.elide, width) for line in self._text.split("\n"))

    def is_elided(self) -> bool:
        return self.shown_text() != self._text

    # --- size ------------------------------------------------------------------------------

    def _height(self, width: int) -> int:
        if self.one_line:
            lines = self._text.count("\n") + 1 if self._text else 0
            return QFontMetrics(self.font()).height() * max(lines, self.min_lines)
        if not self._text:
            return 0
        key = (self._text, width, self.font().key())
        h = self._heights.get(key)
        if h is None:
            if len(self._heights) > 64:
                self._heights.clear()
            fm = QFontMetrics(self.font())
            h = fm.boundingRect(QRect(0, 0, max(width, 1), _TALL), self._flags(width), self._text).height()
            self._heights[key] = h
        return h

    def _flags(self, width: int) -> int:
        """How the text wraps at ``width`` (anywhere when a word is wider than the line), kept
        for the text, width and font: a paint measured every word of the line again."""
        key = (self._text, width, self.font().key())
        flags = self._wraps.get(key)
        if flags is None:
            if len(self._wraps) > 64:
                self._wraps.clear()
            flags = self._wraps[key] = _FLAGS | int(Qt.TextFlag.TextWrapAnywhere) \
                if _unbreakable(self._text, QFontMetrics(self.font()), width) else _FLAGS
        return flags

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._height(width)

    def sizeHint(self) -> QSize:  # noqa: N802
        fm = QFontMetrics(self.font())
        # as QLabel does for wrapped text: a comfortable width, the height the text takes there
        width = min(fm.horizontalAdvance(self._text), fm.averageCharWidth() * 80)
        return QSize(width, self._height(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        # as QLabel: any width will do (the text wraps, a long word is broken: it never widens
        # the window), the height of the text on one line (the layout asks heightForWidth)
        fm = QFontMetrics(self.font())
        return QSize(fm.averageCharWidth() * 4, self._height(_TALL))

    # --- painting --------------------------------------------------------------------------

    def paintEvent(self, _event: Any) -> None:  # noqa: N802
        if not self._text:
            return
        p = QPainter(self)
        p.setPen(self._color if self._color is not None else self.palette().windowText().color())
        lines = self._lines()
        if lines is None:  # wrapped onto several lines
            width = self.width()
            p.drawText(QRect(0, 0, width, self.height()), self._flags(width), self._text)
        else:
            for text, baseline in lines:
                p.drawText(QPointF(0, baseline), text)
        p.end()

    def _lines(self) -> list[tuple[str, float]] | None:
        """What a paint draws as lines at their baselines (None: a text that wraps, drawn into
        the line's rectangle), kept for the text, width and font. Each line is drawn where
        ``drawText`` into its rectangle (left, vertically centred in a line's height; a text
        that fits on one line: at the top) puts it, without laying the text out again at each
        paint: the "now" line changes every second and at every key press, and laying it out
        into a rectangle was three quarters of its paint."""
        font = self.font()
        key = (self._text, self.width(), font.key())
        kept = self._painted
        if kept is not None and kept[0] == key:
            return kept[1]  # type: ignore[no-any-return]
        fm = QFontMetricsF(font)
        if self.one_line:
            h = QFontMetrics(font).height()
            dy = (h - fm.height()) / 2 + fm.ascent()
            lines: list[tuple[str, float]] | None = [
                (line, i * h + dy) for i, line in enumerate(self.shown_text().split("\n"))]
        elif "\n" not in self._text and fm.horizontalAdvance(self._text) < self.width() - 1:
            lines = [(self._text, fm.ascent())]
        else:
            lines = None
        self._painted = (key, lines)
        return lines


def _unbreakable(text: str, fm: QFontMetrics, width: int) -> bool:
    """Whether some word is wider than the line (then the text breaks anywhere, as it must fit)."""
    return fm.horizontalAdvance(text) > width and any(fm.horizontalAdvance(w) > width for w in text.split())
