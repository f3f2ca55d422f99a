"""Paints a cell of the speaker queue in one call from the row it shows.

The stock delegate asks the model for seven roles a cell (font, alignment, colours, check
state, icon, text, background): seven calls from Qt into Python, which cost more than painting
the cell. This delegate takes the row and the column's functions (text, colours, alignment)
from the queue model directly, has the style paint the cell's background, selection and frame
as the stock delegate would (not for a plain cell of a style known to paint nothing there but
its background brush, which the delegate fills itself), and draws the text itself from a kept
QStaticText, where the style lays the text out again at every paint (QTextLayout, elision): the
same pixels. A text too wide for its cell and that cannot wrap ("Speaking", a time) is elided as
the style elides it, and kept so (one with breaks is left to the style, which wraps it). The
cell with the focus (whose frame the style draws over the text) is left to the style whole.

What is the same for every cell of one paint of the view (the style, the palette's text
colours, the font and its metrics) is read once per paint event, not per cell; a cell's state
flags are looked up once (Python's flag operations cost more than a look-up)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    Qt,
    QTextBoundaryFinder,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QPainter,
    QPalette,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from meeting_console.ui.table_model import RowsModel

_V_CENTER = Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight
_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_WRAP = QStyleOptionViewItem.ViewItemFeature.WrapText
_ITEM = QStyle.ControlElement.CE_ItemViewItem
_TEXT = QPalette.ColorRole.Text
_HIGHLIGHTED_TEXT = QPalette.ColorRole.HighlightedText
_CG = QPalette.ColorGroup
_S = QStyle.StateFlag
_PAINT = QEvent.Type.Paint
_ELIDE_RIGHT = Qt.TextElideMode.ElideRight
TEXT_CACHE = 4000  # laid out texts kept (a queue of 500 shows some 4,500 cell texts)
KEEP_AFTER = 3  # a text is kept as a QStaticText at its third paint (the first two are the style's)
FIT_MARGIN = 0  # px: a text wider than its cell less this is left to the style (elided)


# Styles whose item view panel (PE_PanelItemViewItem, drawn by CE_ItemViewItem under the text)
# in a QTableView paints only the selection and the option's background brush: QCommonStyle's,
# which Fusion and Windows inherit; Windows Vista's draws its themed hover and selection only
# for views that are not tables, and falls back to QCommonStyle's for a QTableView. A cell of
# these styles that is not selected, has no focus, no mouse over it and no background brush
# is painted by the style with nothing at all (QTableView has filled the row's base or
# alternate base before the delegate): the delegate skips the call. Any other style (a style
# sheet's, Windows 11's, macOS's) is always asked.
PLAIN_PANEL_STYLES = frozenset({"QFusionStyle", "QWindowsStyle", "QWindowsVistaStyle"})


def _breaks(text: str) -> bool:
    """Whether ``text`` may be broken across lines somewhere inside (a space, a hyphen…: the
    line breaks of Unicode that QTextLayout wraps at)."""
    finder = QTextBoundaryFinder(QTextBoundaryFinder.BoundaryType.Line, text)
    end = finder.toNextBoundary()
    return 0 < end < len(text.encode("utf-16-le")) // 2


def _state_info(state: Any) -> tuple[bool, bool, Any, bool]:
    """(the cell has the focus, is selected, the palette's colour group for its text, its
    panel is plain: neither selected, focused nor under the mouse) as the style works them
    out (QCommonStyle, CE_ItemViewItem)."""
    cg = _CG.Normal if state & _S.State_Enabled else _CG.Disabled
    if cg == _CG.Normal and not state & _S.State_Active:
        cg = _CG.Inactive
    focus, selected = bool(state & _S.State_HasFocus), bool(state & _S.State_Selected)
    plain = not (focus or selected or state & _S.State_MouseOver)
    return focus, selected, cg, plain


class QueueDelegate(QStyledItemDelegate):
    def __init__(self, model: RowsModel, view: QWidget) -> None:
        super().__init__(view)
        self.model = model
        self.view = view
        # Python's flag operations cost more than a look-up: each column's alignment, whether
        # it is right-aligned, a brush per colour, what a cell's state flags say, made once
        self._features: dict[Any, Any] = {}
        self._align = [c.align | _V_CENTER if c.align is not None else None for c in model.columns]
        self._right = [c.align is not None and bool(c.align & _RIGHT) for c in model.columns]
        self._brushes: dict[int, QBrush] = {}
        self._palettes: dict[tuple[int, int], QPalette] = {}
        self._states: dict[Any, tuple[bool, bool, Any, bool]] = {}
        self._texts: dict[tuple[Any, ...], Any] = {}
        # per paint event (forgotten when the viewport's next paint begins): the style, the
        # font, its key and metrics, the text's margin, the palette's key, whether the style
        # paints nothing under a plain cell; the palette's text colours by colour group
        self._frame: tuple[Any, ...] | None = None
        self._colours: dict[Any, tuple[QColor, QColor]] = {}
        view.viewport().installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's naming)
        if event.type() == _PAINT:
            self._frame = None
        return False

    def _paint_state(self, option: Any) -> tuple[Any, ...]:
        view = self.view
        style = view.style()
        font = QFont(option.font)  # a copy: the option is the view's, for this cell only
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        self._colours = {}
        plain_panel = style.metaObject().className() in PLAIN_PANEL_STYLES
        self._frame = (style, font, font.key(), QFontMetricsF(font), margin, option.palette.cacheKey(),
                       plain_panel, QFontMetrics(font), option.textElideMode,
                       bool(option.features & _WRAP))
        return self._frame

    def _colour(self, option: Any, cg: Any) -> tuple[QColor, QColor]:
        pal = option.palette
        hit = self._colours[cg] = (QColor(pal.color(cg, _TEXT)), QColor(pal.color(cg, _HIGHLIGHTED_TEXT)))
        return hit

    def _brush(self, colour: Any) -> QBrush:
        key = colour.rgba()
        brush = self._brushes.get(key)
        if brush is None:
            brush = self._brushes[key] = QBrush(colour)
        return brush

    def _text(self, text: str, frame: tuple[Any, ...], c: int, width: int,
              height: int) -> tuple[Any, float, float] | None:
        """The cell's text laid out once (the third time it is painted), with its offset in
        the text rectangle as the style puts it (vertically centred in whole pixels,
        right-aligned columns to the right); for a text seen fewer times, the text itself
        with its offset to its baseline (drawn as it is). A text wider than its room is
        elided first as the style elides it (QCommonStyle's calculateElidedText: a line wider
        than the room is given to QFontMetrics.elidedText at the room's width, the result
        placed as a fitting text would be): "Speaking" and a start time in columns sized to
        "Waiting" and no time, at every call."""
        key = (text, width, height, frame[2], c)
        hit = self._texts.get(key, False)
        if hit is None:
            return None
        if hit is False or type(hit) is int:
            # seen fewer than KEEP_AFTER times: drawn as it is (laying a text out for keeps
            # costs more than drawing it once; a speaker's name is painted once or twice at a
            # call, "Waiting", "Main hall", "5:00" or a queue number at every one)
            if hit is False and len(self._texts) > TEXT_CACHE:
                self._texts.clear()
            seen = 1 if hit is False else hit + 1
            fmf = frame[3]
            tw = fmf.horizontalAdvance(text)
            if tw > width - FIT_MARGIN:
                if frame[9] and _breaks(text):
                    # a wrapping view's style wraps a text at its breaks before eliding its
                    # last visible line: left to the style
                    self._texts[key] = None
                    return None
                text = frame[7].elidedText(text, frame[8], width)
                tw = fmf.horizontalAdvance(text)
            dx = width - tw if self._right[c] else 0.0
            if seen < KEEP_AFTER:
                self._texts[key] = seen
                return (text, dx, float(int((height - round(fmf.height())) / 2)) + fmf.ascent())
            st = QStaticText(text)
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.prepare(QTransform(), frame[1])
            hit = self._texts[key] = (st, dx, float(int((height - round(fmf.height())) / 2)))
        return hit

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        model = self.model
        r, c = index.row(), index.column()
        rows = model.rows
        if not (0 <= r < len(rows) and 0 <= c < len(model.columns)):
            super().paint(painter, option, index)
            return
        row, col = rows[r], model.columns[c]
        state = option.state
        info = self._states.get(state)
        if info is None:
            info = self._states[state] = _state_info(state)
        focus, selected, cg, plain = info
        frame = self._frame
        if frame is None or option.palette.cacheKey() != frame[5]:
            frame = self._paint_state(option)
        if focus or frame[8] != _ELIDE_RIGHT:
            # the style draws the focus frame over the text (it tints it); another elision
            # than the view's usual one is left to the style: those cells by the style alone
            self._paint_whole(painter, option, row, col, c)
            return
        text = col.text(row)
        x, y, w, h = option.rect.getRect()
        m = frame[4]
        kept = self._text(text, frame, c, w - 2 * m, h) if text else None
        if text and kept is None:
            self._paint_whole(painter, option, row, col, c)  # a text with breaks, elided
            return
        bg = col.background(row) if col.background is not None else None
        if plain and frame[6]:
            if bg is not None:
                # all the style's panel paints for a plain cell with a background brush
                # (QCommonStyle, PE_PanelItemViewItem: the cell's rectangle filled)
                painter.fillRect(option.rect, self._brush(bg))
        else:
            if bg is not None:
                option.backgroundBrush = self._brush(bg)  # the view's option for this cell only
            frame[0].drawControl(_ITEM, option, painter, self.view)  # background, selection
        if kept is None:
            return
        colours = self._colours.get(cg)
        if colours is None:
            colours = self._colour(option, cg)
        pen = None
        if selected:
            pen = colours[1]
        elif col.foreground is not None:
            pen = col.foreground(row)
        st, dx, dy = kept
        painter.setPen(pen if pen is not None else colours[0])
        painter.setFont(frame[1])
        if type(st) is str:
            painter.drawText(QPointF(x + m + dx, y + dy), st)  # at its baseline
        else:
            painter.drawStaticText(QPointF(x + m + dx, y + dy), st)

    def _paint_whole(self, painter: QPainter, option: QStyleOptionViewItem, row: Any, col: Any, c: int) -> None:
        """The cell through the style alone, text included: the option the stock delegate
        builds from the roles the model answers (QStyledItemDelegate.initStyleOption)."""
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
