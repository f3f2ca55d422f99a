"""Paints a cell of the speaker queue in one call from the row it shows.

The stock delegate asks the model for seven roles a cell (font, alignment, colours, check
state, icon, text, background): seven calls from Qt into Python, which cost more than painting
the cell. This delegate takes the row and the column's functions (text, colours, alignment)
from the queue model directly and hands the style the same option the stock delegate would
build, so a cell looks the same."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from meeting_console.ui.table_model import RowsModel

_V_CENTER = Qt.AlignmentFlag.AlignVCenter
_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_ITEM = QStyle.ControlElement.CE_ItemViewItem
_TEXT = QPalette.ColorRole.Text


class QueueDelegate(QStyledItemDelegate):
    def __init__(self, model: RowsModel, view: QWidget) -> None:
        super().__init__(view)
        self.model = model
        self.view = view
        # Python's flag operations cost more than a look-up: the option's features with the
        # text added, each column's alignment, a brush and a palette per colour, made once
        self._features: dict[Any, Any] = {}
        self._align = [c.align | _V_CENTER if c.align is not None else None for c in model.columns]
        self._brushes: dict[int, QBrush] = {}
        self._palettes: dict[tuple[int, int], QPalette] = {}

    def _brush(self, colour: Any) -> QBrush:
        key = colour.rgba()
        brush = self._brushes.get(key)
        if brush is None:
            brush = self._brushes[key] = QBrush(colour)
        return brush

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        model = self.model
        r, c = index.row(), index.column()
        rows = model.rows
        if not (0 <= r < len(rows) and 0 <= c < len(model.columns)):
            super().paint(painter, option, index)
            return
        row, col = rows[r], model.columns[c]
        # what QStyledItemDelegate.initStyleOption sets from the roles the model answers
        opt = QStyleOptionViewItem(option)
        opt.text = col.text(row)
        features = opt.features
        with_text = self._features.get(features)
        if with_text is None:
            with_text = self._features[features] = features | _HAS_DISPLAY
        opt.features = with_text
        align = self._align[c]
        if align is not None:
            opt.displayAlignment = align
        if col.foreground is not None:
            fg = col.foreground(row)
            if fg is not None:
                key = (opt.palette.cacheKey(), fg.rgba())
                pal = self._palettes.get(key)
                if pal is None:
                    if len(self._palettes) > 64:  # the view's palette changed (a theme)
                        self._palettes.clear()
                    pal = self._palettes[key] = QPalette(opt.palette)
                    pal.setBrush(_TEXT, self._brush(fg))
                opt.palette = pal
        if col.background is not None:
            bg = col.background(row)
            if bg is not None:
                opt.backgroundBrush = self._brush(bg)
        self.view.style().drawControl(_ITEM, opt, painter, self.view)
