"""Labels whose text changes at every key press (and every second) without laying out the window
when their size stays the same.

``QLabel.setText`` (and a style sheet that makes it bold) always calls ``updateGeometry``: the
label's layout is invalidated, its widget lays out all its children again at the next turn of the
event loop (a word-wrapped label measures its text once more for it) and ends in
``updateGeometry`` of its own, so the request climbs the chain of layouts: the speaker panel's
budget line laid out the panel, its dock and the whole main window at every call of the next
speaker (with a property animation object per dock each time); the current speaker pane laid out
its dozen lines twice a second for the timer.

Here the text is set with the layouts that hold the label told to ignore the invalidation, and
all a layout takes from the label is compared before and after: its minimum size hint, its size
hint (a column's minimum height adds up its labels' hints) and the height it needs at its width
(a word-wrapped label). Only if one changed does the label ask for a layout, the ordinary way
(``updateGeometry``). A label keeping its sizes is laid out exactly where a fresh layout would
put it, so it only repaints (``setText`` repaints it anyway). The label's own cached size hints
are reset by Qt either way.

A column whose width is given from above (``width_given``: the current speaker pane, a column of
word-wrapped labels in a scroll area that makes it as wide as its viewport) takes from a label
only its height at its width and its minimum size (a word: the column grows wider only if it is
wider than the column); the label's size hint (how wide its text would like to be) is not used
(a vertical box lays a word-wrapped label out at its height for the width it gives). A new
speaker's name changed the name's size hint at every call, and the pane, its scroll area and the
dock were laid out again (a relayout, a resize, the dock repainted) for the same geometry. There,
a text that surely takes one line at the label's width (its advance clear of the width, no line
break) replacing another such text keeps what the column takes from the label: set without
measuring anything else.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import (
    QAbstractSlider,
    QHBoxLayout,
    QLabel,
    QLayout,
    QScrollBar,
    QStyle,
    QStyleOptionSlider,
    QVBoxLayout,
    QWidget,
)

_PLAIN_TEXT = Qt.TextFormat.PlainText
_SCROLL_BAR = QStyle.ComplexControl.CC_ScrollBar
_SLIDER = QStyle.SubControl.SC_ScrollBarSlider
_VALUE_CHANGE = QAbstractSlider.SliderChange.SliderValueChange
ONE_LINE_CLEARANCE = 1.0  # px: a text this much narrower than the label's room surely takes one line


class _Held:
    held = 0

    def invalidate(self) -> None:
        if not self.held:
            super().invalidate()  # type: ignore[misc]


class SteadyVBoxLayout(_Held, QVBoxLayout):
    """A vertical box whose invalidation ``Steady`` may hold while it sets a text."""


class SteadyHBoxLayout(_Held, QHBoxLayout):
    """A horizontal box whose invalidation ``Steady`` may hold while it sets a text."""


def _height(label: QWidget) -> int | None:
    return label.heightForWidth(label.width()) if label.hasHeightForWidth() else None


def _sizes(label: QWidget, height: int | None) -> tuple[Any, ...]:
    return height, label.minimumSizeHint(), label.sizeHint()


def _column_sizes(label: QWidget, height: int | None) -> tuple[Any, ...]:
    """What a column of given width takes from a label: its height at its width, its minimum
    height, and its minimum width where it is wider than the label is now (else the column's
    width holds it). For a plain word-wrapped line (the budget) the minimum size is not laid
    out (three text layouts): a text without line breaks is one line high at least, and no
    wider at least than its widest word, which is measured alone."""
    if isinstance(label, QLabel) and _plain_wrapped(label):
        text = label.text()
        if text and "\n" not in text and "\u2028" not in text:
            fm = QFontMetricsF(label.font())
            room = label.contentsRect().width() - ONE_LINE_CLEARANCE
            # (split at spaces only: a no-break space joins its words, as Qt's line breaking
            # does); words of a few letters surely fit (twice the font's widest glyph a
            # letter, for glyphs of a fallback font), else each is measured
            words = text.split(" ")
            if max(map(len, words)) * 2 * fm.maxWidth() <= room \
                    or max(fm.horizontalAdvance(word) for word in words) <= room:
                return height, "one line", label.width()
    least = label.minimumSizeHint()
    return height, least.height(), max(least.width(), label.width())


def _plain_wrapped(label: QLabel) -> bool:
    return label.wordWrap() and label.textFormat() == _PLAIN_TEXT and not label.margin() \
        and label.indent() <= 0 and not label.frameWidth()


def one_line(label: QLabel, text: str) -> bool:
    """``text`` surely takes one line in the word-wrapped plain label at its width: its advance
    clear of the room the label gives its text, no line break (then its height at its width,
    its minimum height and its word-wide minimum width are those of any other such text)."""
    room = _one_line_room(label) if text else None
    return room is not None and _fits_one_line(text, room)


def _fits_one_line(text: str, room: tuple[float, QFontMetricsF]) -> bool:
    return bool(text) and "\n" not in text and "\u2028" not in text \
        and room[1].horizontalAdvance(text) <= room[0]


def _one_line_room(label: QLabel) -> tuple[float, QFontMetricsF] | None:
    """What ``one_line`` measures a text against in ``label`` (the room less the clearance,
    the font's metrics); None if the label is not a plain word-wrapped one."""
    if not _plain_wrapped(label):
        return None
    return label.contentsRect().width() - ONE_LINE_CLEARANCE, QFontMetricsF(label.font())


def _state(label: QWidget) -> tuple[Any, ...]:
    # what the sizes follow from (a label's text comes and goes through ``Steady``)
    text = label.text() if isinstance(label, QLabel) else None
    return text, label.styleSheet(), label.width(), label.font()


class Steady:
    """Sets texts and style sheets of the labels held by ``layouts`` (every layout from the
    label's own up to the widget that stops the chain, e.g. the one inside a scroll area)."""

    def __init__(self, *layouts: QLayout, width_given: bool = False) -> None:
        self.layouts = layouts
        # the labels' width is given from above (see the module's doc): their size hints unused
        self.width_given = width_given
        self._measure = _column_sizes if width_given else _sizes
        # (width_given) labels whose text was seen to take one line, with the state it was
        # seen in (text, style sheet, width, font) and the room and metrics a text is measured
        # against in that state (the label's format, wrapping and margins are its own, set
        # when it is made; its style sheet, width and font are in the state)
        self._one_line: dict[QWidget, tuple[tuple[Any, ...], Any]] = {}
        self.relaid = 0  # labels that did ask for a layout (their size changed): tests look
        # each label's sizes as last measured, with the state they were measured in: measured
        # again only if the label changed since (another width, a font, a text set elsewhere)
        self._known: dict[QWidget, tuple[tuple[Any, ...], tuple[Any, ...]]] = {}
        self._batch = 0
        self._laying_out = False  # within a batch: a label asked for a layout already

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Several labels set together (a new speaker: name, posts, the next three…): once
        one asks for a layout, the others are set without being measured (the layout measures
        every label anyway)."""
        self._batch += 1
        try:
            yield
        finally:
            self._batch -= 1
            if not self._batch:
                self._laying_out = False

    def _change(self, widget: QWidget, change: Any, text: str | None = None) -> None:
        if not widget.isVisible() or self._laying_out:
            # not laid out yet (or hidden), or laid out anyway: Qt's own way
            self._known.pop(widget, None)
            self._one_line.pop(widget, None)
            change()
            return
        state = _state(widget)
        if text is not None and self.width_given:
            room = self._lines_kept(widget, state, text)
            if room is not None:
                self._held_change(change)
                self._one_line[widget] = ((text, *state[1:]), room)
                return
        self._one_line.pop(widget, None)
        measure = self._measure
        known = self._known.get(widget)
        before = known[1] if known is not None and known[0] == state else measure(widget, _height(widget))
        self._held_change(change)
        height = _height(widget)
        if height != before[0]:
            # another height: laid out (the layout measures the rest, which the label keeps)
            self._known.pop(widget, None)
            self._relay(widget)
            return
        after = measure(widget, height)
        self._known[widget] = (_state(widget), after)
        if after != before:
            self._relay(widget)

    def _held_change(self, change: Any) -> None:
        for lay in self.layouts:
            lay.held += 1  # type: ignore[attr-defined]
        try:
            change()
        finally:
            for lay in self.layouts:
                lay.held -= 1  # type: ignore[attr-defined]

    def _lines_kept(self, label: QWidget, state: tuple[Any, ...], text: str) -> Any:
        """The label shows one line and ``text`` takes one line too (width given): nothing the
        column takes from the label changes. Returns what the text was measured against (kept
        for the label's next text while its state stays), else None. (``one_line``, with the
        room and metrics of a label seen in this state taken as they were: a new speaker's
        name, posts and next lines are set at every call.)"""
        if not isinstance(label, QLabel):
            return None
        seen = self._one_line.get(label)
        if seen is not None and seen[0] == state:
            room = seen[1]
        else:
            room = _one_line_room(label)
            if room is None or not _fits_one_line(state[0], room):
                return None
        return room if _fits_one_line(text, room) else None

    def lay_out(self, widget: QWidget) -> None:
        """Within a batch that changes the lines' sizes surely (another speaker's name): laid
        out as Qt would, none measured."""
        self._known.pop(widget, None)
        self._relay(widget)

    def _relay(self, widget: QWidget) -> None:
        self.relaid += 1
        self._laying_out = self._batch > 0
        widget.updateGeometry()

    def set_text(self, label: QLabel, text: str) -> None:
        if label.text() != text:
            self._change(label, lambda: label.setText(text), text)

    def set_style(self, widget: QWidget, sheet: str) -> None:
        # a style sheet re-polishes the widget: only when it changes
        if widget.styleSheet() != sheet:
            self._change(widget, lambda: widget.setStyleSheet(sheet))


# Styles under which a label or a scroll bar filled with its palette's window colour looks
# exactly as it does painted over its parents (which show that colour there): Fusion and
# Windows (tests compare the pixels); any other style (a style sheet's, macOS's, Windows 11's
# translucent panes) is left as it is.
FLAT_STYLES = frozenset({"QFusionStyle", "QWindowsStyle"})


def paint_alone(*widgets: QWidget) -> None:
    """Widgets that repaint at every key press (a line whose text changes, the queue's scroll
    bar) made opaque where that looks the same (``FLAT_STYLES``): Qt repaints a widget that is
    not opaque by painting every parent beneath it first (for the queue's budget line and
    scroll bar: the dock with its title bar, the panel, the header, the view's frame; for the
    speaker's name: the pane), an opaque one alone."""
    for w in widgets:
        if w.style().metaObject().className() in FLAT_STYLES:
            w.setAutoFillBackground(True)


class SteadyScrollBar(QScrollBar):
    """A scroll bar that repaints when its value changes only if what it draws changes: the
    slider's place, or the value reaching or leaving either end (the arrows' state). The
    queue scrolls one row at each call of the next speaker, and in a queue of 500 rows the
    slider moves a pixel every few rows: the bar was painted whole at every call for the
    same pixels. (Accessibility learns of the value from ``setValue`` itself, before this.)"""

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self._drawn: tuple[Any, ...] | None = None
        self.skipped = 0  # value changes that did not repaint (tests)

    def _looks(self) -> tuple[Any, ...]:
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        slider = self.style().subControlRect(_SCROLL_BAR, opt, _SLIDER, self)
        value = self.value()
        return (slider, value == self.minimum(), value == self.maximum(), self.size())

    def sliderChange(self, change: QAbstractSlider.SliderChange) -> None:  # noqa: N802 (Qt's naming)
        if change == _VALUE_CHANGE and self.isVisible():
            looks = self._looks()
            if looks == self._drawn:
                self.skipped += 1
                return
            self._drawn = looks
        else:
            self._drawn = None
        super().sliderChange(change)

    def paintEvent(self, event: Any) -> None:  # noqa: N802 (Qt's naming)
        super().paintEvent(event)
        self._drawn = self._looks()
