"""The status bar's ordinary labels (the meeting's state, "Saving…"): blank while a message
shows instead of hidden, and of a size that a meeting's start or close leaves as it is.

Why: ``QStatusBar.showMessage`` — the label of every operation done at this console ("Next item",
"Call next speaker"), a menu entry's tip under the mouse — hides the bar's ordinary widgets, and
the message's end (its timeout, ``clearMessage``) shows them again. A widget hidden or shown
invalidates its parent's layout; the bar's layout, activated, ends in ``updateGeometry``; the
main window then lays out every dock again (with Qt's Fusion style a property animation object
per dock, deleted later) and repaints them: some 6 ms of the GUI thread in the key press that
shows the message, and as much when it goes. A secretary's presses come minutes apart, so every
press met it (the message of the one before had gone).

A ``BarLabel`` asked by the bar to hide keeps its place and paints nothing (the bar paints the
message where it always did, and no item frames while a message shows), and paints its text again
when asked to show: the same pixels, no layout. The meeting's state label is given the width of
the widest of its texts for this meeting (draft, live, closed), so the meeting's start — the first
"next item" — and its close only repaint it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QWidget


class BarLabel(QLabel):
    """A status-bar label that goes blank instead of hiding once it is shown."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.blank = False

    def setVisible(self, visible: bool) -> None:  # noqa: N802 (Qt's naming)
        if self.isHidden() or self.window().isHidden():
            # not shown yet (or its window is closed): hidden and shown for real
            self.blank = False
            super().setVisible(visible)
            return
        if self.blank != (not visible):
            self.blank = not visible
            self.update()

    def paintEvent(self, event: Any) -> None:  # noqa: N802 (Qt's naming)
        if not self.blank:
            super().paintEvent(event)


def fix_width_for(label: QLabel, texts: list[str], at_least: int = 0) -> None:
    """Fixes ``label``'s size to the widest of ``texts`` (and ``at_least``; its height to the bar's
    row): a change from one to another then repaints the label alone. Left as it is when it
    already has that size."""
    current = label.text()
    width = at_least
    for text in texts:
        label.setText(text)
        width = max(width, label.sizeHint().width())
    label.setText(current)
    height = _row_height(label)
    if (label.minimumWidth(), label.maximumWidth(), label.minimumHeight(), label.maximumHeight()) \
            != (width, width, height, height):
        label.setFixedSize(width, height)


def _row_height(label: QLabel) -> int:
    """The height of the row the status bar lays its widgets in (QStatusBar::reformat: 3 px above
    it, 2 below; as high as its tallest widget), for a label in it: a label the row stretched
    drew its text there, one of a fixed size is centred in the row."""
    bar = label.parentWidget()
    row = bar.contentsRect().height() - 5 if bar is not None and bar.isVisible() else 0
    return max(row, label.fontMetrics().height(), label.sizeHint().height())


class RowHeight(QObject):
    """Keeps the fixed-size labels of a status bar as high as its row when the bar is laid out
    again (a widget added, the window shown)."""

    def __init__(self, bar: QWidget, labels: list[QLabel]) -> None:
        super().__init__(bar)
        self.labels = labels
        bar.installEventFilter(self)

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's naming)
        if event.type() == QEvent.Type.Resize:
            for label in self.labels:
                if label.minimumHeight() == label.maximumHeight():
                    h = _row_height(label)
                    if label.minimumHeight() != h:
                        label.setFixedHeight(h)
        return False
