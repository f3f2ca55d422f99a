"""The agenda timeline: every item with its plan, its actual or projected times, the running
item's elapsed time and countdown, the deviation of each done item, and a summary of the
projected end against the planned end that is always in view.

The rows come from the store only when the bus says the agenda changed; between changes a
one-second timer recomputes the forecast from the rows already held (``core.forecast``), so the
clock ticks without a database query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QByteArray,
    QElapsedTimer,
    QEvent,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAccessible,
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QPainter,
    QPen,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QInputDialog,
    QMessageBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from meeting_console import i18n
from meeting_console.core import agenda, reads, vocab
from meeting_console.core import forecast as fc
from meeting_console.core.changes import AGENDA, MEETING, PEOPLE
from meeting_console.core.clock import SystemClock
from meeting_console.core.timefmt import duration, local
from meeting_console.i18n import _
from meeting_console.ui import labels
from meeting_console.ui.agenda_chart import AgendaChart, chart_dock_widget
from meeting_console.ui.agenda_status import StatusLine
from meeting_console.ui.form import Field, ask
from meeting_console.ui.panel import Panel
from meeting_console.ui.speaker_steady import SteadyScrollBar, paint_alone
from meeting_console.ui.table_model import Column, RowsModel, merge_agenda, patched

RUNNING_BG = QColor("#fff4c2")
PAUSED_BG = QColor("#e3edf7")
AMBER_BG = QColor("#ffc24d")
RED_BG = QColor("#d32f2f")
WHITE = QColor("#ffffff")
DONE_FG = QColor("#555555")
PROJECTED_FG = QColor("#5f6b7a")
LATE_FG = QColor("#c62828")
EARLY_FG = QColor("#2e7d32")

MIME = "application/x-meeting-console-agenda-item"
CLOCK_JUMP_S = 5.0  # a difference between wall clock and monotonic time that means a jump
CLOCK_WARNING_S = 600.0  # how long the warning about a jump stays
STATUS_MARK = {"pending": "", "running": "▶ ", "paused": "⏸ ", "done": "✓ ", "skipped": "⤼ "}

# Columns (the title stays the fourth: other views and tests address it)
COL_NO, COL_PLANNED, COL_MIN, COL_TITLE, COL_PRESENTER, COL_STATUS, COL_START, COL_END, \
    COL_ELAPSED, COL_LEFT = range(10)


class TimelineRow:
    """One row: the texts and colours it shows (what a repaint compares: id, cells, font), with
    the item as stored and its forecast at the last tick.

    ``cells`` (per column: text, foreground, background) may be given as ``make``, a function
    that works them out when they are first asked for: a press in a meeting running late moves
    every pending item's projected times, and the rows off screen need their cells only when
    they scroll into view (or someone reads them), not at every press."""

    __slots__ = ("id", "font", "item", "f", "_cells", "_make")

    def __init__(self, id: int, cells: tuple[tuple[str, Any, Any], ...] | None, font: str,  # noqa: A002
                 item: reads.AgendaItemInfo, f: fc.ItemForecast,
                 make: Callable[[], tuple[tuple[str, Any, Any], ...]] | None = None) -> None:
        if cells is None and make is None:
            raise ValueError("a row needs its cells or a way to make them")
        self.id, self.font, self.item, self.f = id, font, item, f
        self._cells, self._make = cells, make

    @property
    def cells(self) -> tuple[tuple[str, Any, Any], ...]:
        cells = self._cells
        if cells is None:
            cells = self._cells = self._make()  # type: ignore[misc]
            self._make = None
        return cells

    @property
    def built(self) -> bool:
        """Whether its cells are worked out already."""
        return self._cells is not None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TimelineRow):
            return NotImplemented
        return self is other or (self.id == other.id and self.font == other.font and self.cells == other.cells)

    def __hash__(self) -> int:
        return hash((self.id, self.cells, self.font))

    def __repr__(self) -> str:
        return f"TimelineRow(id={self.id!r}, cells={self.cells!r}, font={self.font!r})"


class _Src(NamedTuple):
    item: reads.AgendaItemInfo
    f: fc.ItemForecast


class TimelineModel(RowsModel):
    """The rows model, plus drag and drop of pending items (the move itself is an operation:
    the drop only asks for it, the rows come back through the bus)."""

    move_requested = Signal(int, int)  # item id, new index (0-based)

    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(columns, parent)
        bold, italic = QFont(), QFont()
        bold.setBold(True)
        italic.setItalic(True)
        self.fonts = {"bold": bold, "italic": italic}
        # flags computed once: enum arithmetic is slow in PySide and views ask for every cell
        plain = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        self._flags_fixed = plain | Qt.ItemFlag.ItemIsDropEnabled
        self._flags_movable = self._flags_fixed | Qt.ItemFlag.ItemIsDragEnabled
        self._flags_root = Qt.ItemFlag.ItemIsDropEnabled
        # the rows the view shows (first, last; a row more either side), set by the panel: a
        # changed row outside them is announced without comparing its cells
        self.shown_rows: Callable[[], tuple[int, int]] | None = None

    def set_rows(self, rows: Sequence[Any]) -> None:
        """As ``RowsModel.set_rows``, but a changed row announces only the columns whose text or
        colours changed (its font changing: all of them), runs of neighbouring rows with the
        same columns in one ``dataChanged``: a tick changes the running item's elapsed time and
        countdown, and the view then repaints those two cells, not the row's ten."""
        rows = tuple(rows)
        old = self.rows
        if len(rows) != len(old) or any(a.id != b.id for a, b in zip(rows, old, strict=True) if a is not b):
            super().set_rows(rows)
            return
        self.rows = rows
        last = len(self.columns) - 1
        top, bottom = self.shown_rows() if self.shown_rows is not None else (0, len(rows))
        spans: list[tuple[int, int, int]] = []  # (row, first column, last column)
        for i, (a, b) in enumerate(zip(rows, old, strict=True)):
            if a is b:
                continue
            if not top <= i <= bottom and not (a.built and b.built):
                # a row off screen whose item or forecast changed: announced whole, its cells
                # not worked out (nothing paints them; they are made when asked for)
                spans.append((i, 0, last))
                continue
            if a == b:
                continue
            if a.font != b.font:
                spans.append((i, 0, last))
                continue
            cols = [c for c, (x, y) in enumerate(zip(a.cells, b.cells, strict=True)) if x != y]
            spans.append((i, cols[0], cols[-1]) if cols else (i, 0, last))
        run: list[int] | None = None  # [first row, last row, first column, last column]
        for i, c0, c1 in spans:
            # (a range of more than 200 cells repaints the whole viewport, even one off screen:
            # QAbstractItemView::dataChanged does not work out where it is)
            if run is not None and i == run[1] + 1 and (c0, c1) == (run[2], run[3]) \
                    and (i - run[0] + 1) * (c1 - c0 + 1) <= 200:
                run[1] = i
                continue
            if run is not None:
                self.dataChanged.emit(self.index(run[0], run[2]), self.index(run[1], run[3]))
            run = [i, i, c0, c1]
        if run is not None:
            self.dataChanged.emit(self.index(run[0], run[2]), self.index(run[1], run[3]))

    def font_for(self, row: TimelineRow, column: int) -> QFont | None:
        if row.font == "bold":
            return self.fonts["bold"]
        if row.font == "italic-times" and column in (COL_START, COL_END):
            return self.fonts["italic"]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.FontRole:
            if index.isValid() and 0 <= index.row() < len(self.rows):
                return self.font_for(self.rows[index.row()], index.column())
            return None
        return super().data(index, role)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return self._flags_root
        r = index.row()
        if 0 <= r < len(self.rows) and self.rows[r].item.status in ("pending", "skipped"):
            return self._flags_movable
        return self._flags_fixed

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        data = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        if rows:
            data.setData(MIME, QByteArray(str(self.rows[rows[0]].id).encode()))
        return data

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: QModelIndex | QPersistentModelIndex) -> bool:
        return data.hasFormat(MIME) and action == Qt.DropAction.MoveAction

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            item_id = int(bytes(data.data(MIME).data()).decode())
        except ValueError:
            return False
        old = self.row_of(item_id)
        if old is None:
            return False
        target = parent.row() if parent.isValid() else (row if row >= 0 else len(self.rows))
        index = target if target <= old else target - 1
        if index != old:
            self.move_requested.emit(item_id, index)
        return False  # the rows move when the operation is done, not here


class TimelineView(QTableView):
    """The timeline's table: a range of changed cells repaints those cells, not one pixel more.

    ``QAbstractItemView.dataChanged`` repaints a range (more than one cell) through
    ``QTableViewPrivate::intersectedRect``, whose rectangle reaches one pixel past the range's
    last row and last column: the view then paints every cell of the row below and of the
    column to the right again, for that pixel (the delegate is asked for each). A "next item"
    changes three rows of the timeline: some ten of the forty cells it painted were those. A
    range here repaints the rectangle of its cells, as ``visualRect`` gives them (a single
    cell takes Qt's own path, which already does this). While a screen reader or another
    assistive tool listens, a range takes Qt's path whole, for the accessibility event that
    names the range's cells."""

    def dataChanged(self, top_left: QModelIndex | QPersistentModelIndex,  # noqa: N802 (Qt's naming)
                    bottom_right: QModelIndex | QPersistentModelIndex, roles: Sequence[int] = ()) -> None:
        if top_left == bottom_right or not top_left.isValid() or not bottom_right.isValid() \
                or QAccessible.isActive() or self.horizontalHeader().sectionsMoved() \
                or self.verticalHeader().sectionsMoved():
            super().dataChanged(top_left, bottom_right, list(roles))
            return
        # (no editor's data to refresh in the range: the timeline's cells are not editable)
        super().dataChanged(top_left, top_left, list(roles))
        self.viewport().update(self.visualRect(top_left).united(self.visualRect(bottom_right)))


class _Baseline(str):
    """A cell's text drawn as it is at its baseline (``QPainter.drawText`` at a point)."""

    __slots__ = ()


class TimelineDelegate(QStyledItemDelegate):
    """Paints the timeline's cells from the texts and colours each row already carries, and
    shows the selected row as a frame with a light tint, so the running item's colours and the
    countdown's amber and red stay visible when it is selected.

    It does not go through ``data()``: a ticking view repaints often, and the values are
    computed once per change in ``AgendaPanel.recompute``. (It also keeps clear of PySide6
    6.12.0, which drops a reference to None on every call of a void method under Python 3.11 —
    pinned out in pyproject.)

    What is the same for every cell of one paint of the view (the palette's colours, the view's
    font, which row is selected, whether rows alternate) is read once per paint event (an event
    filter on the viewport forgets it when a paint begins), not per cell: each of those reads
    makes a Qt wrapper copy, and a "next item" paints some thirty cells."""

    def __init__(self, panel: AgendaPanel) -> None:
        super().__init__(panel.view)
        self.panel = panel
        self._metrics: dict[Any, tuple[QFontMetrics, QFontMetricsF]] = {}
        self._texts: dict[tuple[Any, ...], tuple[Any, float, float]] = {}
        # texts painted once, as elided and placed then (kept as a QStaticText at their second paint)
        self._seen: dict[tuple[Any, ...], tuple[str, float, float]] = {}
        self._align = [int((c.align or Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignVCenter)
                       for c in panel.model.columns]
        self._halign = ["right" if c.align == Qt.AlignmentFlag.AlignRight else
                        "center" if c.align == Qt.AlignmentFlag.AlignCenter else "left" for c in panel.model.columns]
        self._last_col = len(panel.model.columns) - 1
        self._selected = QStyle.StateFlag.State_Selected
        self._enabled = QStyle.StateFlag.State_Enabled
        self._frame: tuple[Any, ...] | None = None  # per paint event: see _paint_state
        self._region: Any = None  # the part of the viewport being repainted
        panel.view.viewport().installEventFilter(self)

    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 (Qt's naming)
        if event.type() == QEvent.Type.Paint:
            self._frame = None  # a new paint: palette, font, selection read again at its first cell
            self._region = event.region()
        return False

    def _paint_state(self, option: QStyleOptionViewItem) -> tuple[Any, ...]:
        """(base, alternate base, text, highlight, tint, font, selected rows, alternating,
        enabled) for the cells of this paint."""
        view = self.panel.view
        pal = option.palette  # type: ignore[attr-defined]
        hl = pal.highlight().color()
        tint = QColor(hl)
        tint.setAlpha(40)
        sm = view.selectionModel()
        # (the selection's ranges, not its indexes: selectedIndexes makes one index per cell of
        # a selected row and asks the model for each one's flags, ~0.15 ms a paint)
        selected = frozenset(r for rng in sm.selection() for r in range(rng.top(), rng.bottom() + 1)) \
            if sm is not None else frozenset()
        enabled = bool(option.state & self._enabled)  # type: ignore[attr-defined]
        font = view.font()
        self._frame = (pal.base().color(), pal.alternateBase().color(), pal.text().color(), hl, tint,
                       font, font.key(), selected, view.alternatingRowColors(), enabled)
        return self._frame

    def _text(self, text: str, font: QFont, font_key: Any, c: int, width: int, height: int) -> tuple[Any, float, float]:
        """The cell's text, elided to ``width``, laid out once as a QStaticText from its second
        paint (drawing it is some 4× cheaper than ``drawText`` into a rectangle, which lays the
        text out at every call; its first paint is a plain ``drawText`` at its baseline), with its
        offset in the cell as ``drawText`` with the column's alignment puts it."""
        key = (text, width, height, font_key, c)
        hit = self._texts.get(key)
        if hit is None:
            seen = self._seen.get(key)
            if seen is not None:  # its second paint: elided and placed at its first
                shown, dx, dy = seen
            else:
                metrics = self._metrics.get(font_key)
                if metrics is None:
                    metrics = self._metrics[font_key] = (QFontMetrics(font), QFontMetricsF(font))
                shown = metrics[0].elidedText(text, Qt.TextElideMode.ElideRight, width)  # as drawText's callers did
                fm = metrics[1]
                tw = fm.horizontalAdvance(shown)
                if tw > width:
                    # (a column narrower than even "…": drawText into the cell cuts it at its edge)
                    hit = self._texts[key] = (shown, 0.0, 0.0)
                    return hit
                align = self._halign[c]
                dx = width - tw if align == "right" else (width - tw) / 2 if align == "center" else 0.0
                dy = (height - fm.height()) / 2
                # its first paint: drawn as it is at its baseline (the same pixels as the kept
                # text), not laid out to keep (some 3× dearer than one drawText): a projected time
                # in a meeting running late, or the meeting's start, is painted once or twice
                # before it moves again; how it is elided and placed is kept for its second
                if len(self._seen) > 4000:
                    self._seen.clear()
                self._seen[key] = (shown, dx, dy)
                return (_Baseline(shown), dx, dy + fm.ascent())
            st = QStaticText(shown)
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.prepare(QTransform(), font)
            if len(self._texts) > 4000:
                self._texts.clear()
            hit = self._texts[key] = (st, dx, dy)
        return hit

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        model = self.panel.model
        r, c = index.row(), index.column()
        rows = model.rows
        if not (0 <= r < len(rows) and 0 <= c <= self._last_col):
            return
        frame = self._frame
        if frame is None:
            frame = self._paint_state(option)
        base, alt_base, text_color, hl, tint, view_font, view_key, selected, alternating, enabled = frame
        if not enabled:  # a disabled view: the palette's disabled colours, read for this cell
            frame = self._paint_state(option)
            base, alt_base, text_color, hl, tint, view_font, view_key, selected, alternating, _on = frame
            self._frame = None
        row = rows[r]
        text, fg, bg = row.cells[c]
        x, y, w, h = option.rect.getRect()  # type: ignore[attr-defined]
        painter.fillRect(x, y, w, h, bg if bg is not None else alt_base if alternating and r & 1 else base)
        font = model.font_for(row, c)
        if font is None:
            font, font_key = view_font, view_key
        else:
            font_key = id(font)  # the model's own fonts, kept for its life
        painter.setFont(font)
        painter.setPen(fg if fg is not None else text_color)
        if text and (self._region is None or self._region.intersects(QRect(x, y + 2, w, h - 2))):
            # (a cell of which only its top pixels are repainted gets its background and the
            # selection's frame but no text, which never reaches that high: Qt's own repaint
            # of a range, which TimelineView keeps while an assistive tool listens, reaches the
            # first pixel of the row below it and asks for every cell there)
            st, dx, dy = self._text(text, font, font_key, c, w - 8, h)
            if type(st) is _Baseline:
                painter.drawText(QPointF(x + 4 + dx, y + dy), st)
            elif isinstance(st, str):
                painter.drawText(x + 4, y, w - 8, h, self._align[c], st)
            else:
                painter.drawStaticText(QPointF(x + 4 + dx, y + dy), st)
        if r in selected:
            painter.fillRect(x, y, w, h, tint)
            painter.setPen(QPen(hl, 2))
            right, bottom = x + w - 1, y + h - 1
            painter.drawLine(x, y + 1, right, y + 1)
            painter.drawLine(x, bottom, right, bottom)
            if c == 0:
                painter.drawLine(x + 1, y, x + 1, bottom)
            if c == self._last_col:
                painter.drawLine(right, y, right, bottom)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        model = self.panel.model
        r, c = index.row(), index.column()
        if not (0 <= r < len(model.rows) and 0 <= c < len(model.columns)):
            return QSize(0, 0)
        row = model.rows[r]
        font = model.font_for(row, c) or self.panel.view.font()
        fm = QFontMetrics(font)
        return QSize(fm.horizontalAdvance(row.cells[c][0]) + 12, fm.height() + 8)


_HHMM = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in range(60))
_HM_CACHE: dict[tuple[datetime, str, Any], str] = {}


def _hm(dt: datetime | None, tz: str, day: Any) -> str:
    """"08:15", and "00:20 (+1)" for a time on a later day than the meeting's.

    A timeline rebuilt whole (the meeting starts, every projection moves) asks this for 600
    times: strftime's 8 µs each were 5 ms of the key press; the table of the day's minutes and
    a cache of the times already shown make it ~1 µs."""
    if dt is None:
        return ""
    key = (dt, tz, day)
    text = _HM_CACHE.get(key)
    if text is None:
        loc = local(dt, tz)
        text = _HHMM[loc.hour * 60 + loc.minute]
        if day is not None and loc.date() != day:
            text += f" ({(loc.date() - day).days:+d})"
        if len(_HM_CACHE) >= 4096:
            _HM_CACHE.clear()
        _HM_CACHE[key] = text
    return text


class AgendaPanel(Panel):
    areas = frozenset({AGENDA, MEETING, PEOPLE})
    # the agenda keeps its own order (sorting off, no filter): the view sits on its model
    sorting_proxy = False
    view_class = TimelineView

    def __init__(self, runner: Any, parent: Any = None) -> None:
        self.tz = "Asia/Ho_Chi_Minh"
        self.meeting: reads.MeetingInfo | None = None
        self.people: tuple[reads.PersonInfo, ...] = ()
        self.items: tuple[reads.AgendaItemInfo, ...] = ()
        self.forecast: fc.Forecast | None = None
        self._current_id: int | None = None
        self.clock_warning = ""
        self._want_full = False
        self._want_ids: frozenset[int] = frozenset()
        self._want_meeting = False
        self._cells: dict[int, tuple[Any, Any, Any, Any]] = {}
        self._chart_stale = False
        self._cells_key: Any = None
        # rows read back by the worker right after a live operation, by journal id
        self._prefetched: dict[int, Any] = {}
        super().__init__(runner, parent)
        self._specs = self._cell_specs()
        self.title = _("Agenda")

        self.model.move_requested.connect(self._drop_move)
        v = self.view
        v.setSortingEnabled(False)
        v.setDragEnabled(True)
        v.setAcceptDrops(True)
        v.setDropIndicatorShown(True)
        v.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        v.setDefaultDropAction(Qt.DropAction.MoveAction)
        v.setWordWrap(False)
        self._delegate = TimelineDelegate(self)
        v.setItemDelegate(self._delegate)
        self.model.shown_rows = self._shown_rows
        header = v.horizontalHeader()
        # the header shares the view's selection by default: each move of the selection (every
        # "next item") repainted all of it, for a highlight that any selected row turns on anyway
        header.setHighlightSections(False)
        header.setSelectionModel(QItemSelectionModel(self.model, header))
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        # the timeline scrolls a row at each "next item": its scroll bar repaints when its
        # slider moves (not at every value), and alone (opaque where that looks the same), not
        # over the view's frame, the panel and the window repainted beneath it first
        v.setVerticalScrollBar(SteadyScrollBar(Qt.Orientation.Vertical, v))
        paint_alone(v.verticalScrollBar())

        self._build_status()
        self.chart = AgendaChart()
        self.chart.shown.connect(self._chart_shown)
        self._chart_area = chart_dock_widget(self.chart)
        self._build_actions()

        self._mono = QElapsedTimer()
        self._mono.start()
        self._last_wall: datetime | None = None
        self._warned_for = 0.0
        self.detect_clock_jumps = isinstance(runner.core.clock, SystemClock)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def _shown_rows(self) -> tuple[int, int]:
        """The rows the timeline shows, a row more either side (Qt's own repaint of a changed
        range, see TimelineView, reaches the first pixel of the row below it); every row when
        the view is hidden or not laid out yet."""
        v = self.view
        n = len(self.model.rows)
        if not v.isVisible():
            return 0, n
        top = v.rowAt(0)
        bottom = v.rowAt(v.viewport().height() - 1)
        if top < 0:
            return 0, n
        return top - 1, (bottom if bottom >= 0 else n) + 1

    # --- construction ----------------------------------------------------------------------

    def make_model(self) -> TimelineModel:
        # the timeline model (drag and drop), in place of the plain one
        return TimelineModel(self.columns(), self)

    def _build_status(self) -> None:
        box = QFrame(self)
        box.setObjectName("agenda-status")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.setSpacing(1)
        # the summary's lines: they change every second and at every key press (agenda_status)
        # one line whatever the item's title (elided, whole in the tooltip): its height never
        # changes while the meeting runs, so a key press never lays out the window again
        self.now_label = StatusLine(box, one_line=True)
        self.now_label.setObjectName("agenda-now")
        f = self.now_label.font()
        f.setPointSizeF(f.pointSizeF() * 1.35)
        f.setBold(True)
        self.now_label.setFont(f)
        self.end_label = StatusLine(box)
        self.end_label.setObjectName("agenda-end")
        f2 = self.end_label.font()
        f2.setPointSizeF(f2.pointSizeF() * 1.15)
        f2.setBold(True)
        self.end_label.setFont(f2)
        # one line per piece of advice, elided at its end (whole in the tooltip; the items' cuts
        # are in the table's last column too): the items it names change at every press of a
        # meeting running late, its height only when a second piece of advice comes or goes;
        # the room of one line kept when there is none, so that the advice appearing when the
        # meeting falls behind does not move the table under the secretary's eyes
        self.advice_label = StatusLine(box, one_line=True, elide=Qt.TextElideMode.ElideRight, min_lines=1)
        self.advice_label.setObjectName("agenda-advice")
        for w in (self.now_label, self.end_label, self.advice_label):
            lay.addWidget(w)
        self.status_box = box
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, box)

    def _build_actions(self) -> None:
        W = Qt.ShortcutContext.WindowShortcut
        self.act_next = self.add_action(
            _("Start / next item"), self.next_item, "Ctrl+Return",
            _("Close the running item and start the next one; starts the meeting with the first item"),
            context=W)
        self.act_start = self.add_action(
            _("Start selected item"), self.start_selected, "Ctrl+Alt+Return",
            _("Start the selected item now (the running one is closed first)"))
        self.act_close_item = self.add_action(
            _("Close running item"), self.close_current, "Ctrl+.",
            _("End the running item now without starting another"), context=W)
        self.act_pause = self.add_action(
            _("Pause / resume (recess)"), self.toggle_pause, "Ctrl+P",
            _("Pause the running item for a recess, or resume it"), context=W)
        self.act_extend = self.add_action(
            _("Extend running item…"), self.extend_current, "Ctrl+Shift+E",
            _("Give the running item more minutes"), context=W)
        self.act_skip = self.add_action(
            _("Skip / restore item"), self.skip_selected, "Ctrl+K",
            _("Mark the selected pending item as not taken up, or bring a skipped one back"))
        self.act_insert_after = self.add_action(
            _("Insert item after…"), lambda: self.insert_item(after=True), "Ins",
            _("Insert an item after the selected one (unplanned once the meeting has started)"))
        self.act_insert_before = self.add_action(
            _("Insert item before…"), lambda: self.insert_item(after=False), "Shift+Ins",
            _("Insert an item before the selected pending one"))
        self.act_edit = self.add_action(_("Edit…"), self.edit_selected, "F2",
                                        _("Edit the selected item (title and presenter also while live)"))
        self.act_remove = self.add_action(_("Remove"), self.remove_selected, "Del",
                                          _("Remove the selected pending item"))
        self.act_up = self.add_action(_("Move up"), lambda: self.move_selected(-1), "Ctrl+Up",
                                      _("Move the selected pending item up (drag and drop works too)"))
        self.act_down = self.add_action(_("Move down"), lambda: self.move_selected(+1), "Ctrl+Down",
                                        _("Move the selected pending item down"))
        self.act_goto = self.add_action(_("Go to running item"), self.select_current, "Ctrl+G",
                                        _("Select the running item in the list"), context=W)
        self.act_start_meeting = self.add_action(
            _("Start meeting"), self.start_meeting, "Ctrl+Shift+S",
            _("Record the meeting's start now, before its first item"), context=W)
        self.act_close_meeting = self.add_action(
            _("Close meeting"), self.close_meeting, "Ctrl+Shift+Return",
            _("Record the closing time: ends the running item; items not taken up are marked skipped"),
            context=W)
        # the toolbar keeps the live essentials; every action is in the Agenda menu
        toolbar_keep = {self.act_next, self.act_pause, self.act_extend, self.act_skip,
                        self.act_insert_after, self.act_close_meeting}
        for act in self.actions():
            if act not in toolbar_keep:
                self.toolbar.removeAction(act)
        self.toolbar.insertSeparator(self.act_skip)
        self.toolbar.insertSeparator(self.act_close_meeting)

    def menu_actions(self) -> list[QAction]:
        def sep() -> QAction:
            a = QAction(self)
            a.setSeparator(True)
            return a

        return [self.act_next, self.act_start, self.act_close_item, self.act_pause, self.act_extend,
                sep(), self.act_skip, self.act_insert_after, self.act_insert_before, self.act_edit,
                self.act_remove, self.act_up, self.act_down,
                sep(), self.act_goto, self.act_start_meeting, self.act_close_meeting]

    def extra_docks(self) -> list[tuple[str, str, QWidget, Qt.DockWidgetArea]]:
        return [("agenda-chart", _("Planned vs actual"), self._chart_area,
                 Qt.DockWidgetArea.BottomDockWidgetArea)]

    # --- columns ---------------------------------------------------------------------------

    def columns(self) -> list[Column]:
        """The model's columns read the texts and colours each row carries (``cells``): they
        are computed once per change or tick in ``recompute``, not at every paint."""
        out = []
        for i, (header, _text, _fg, _bg, align) in enumerate(self._cell_specs()):
            out.append(Column(
                header,
                lambda r, i=i: r.cells[i][0],
                sort=lambda r, i=i: r.cells[i][0],
                align=align,
                tooltip=(lambda r: r.item.title) if i == COL_TITLE else
                (lambda r: r.item.presenter_name) if i == COL_PRESENTER else self.row_tooltip,
                foreground=lambda r, i=i: r.cells[i][1],
                background=lambda r, i=i: r.cells[i][2],
            ))
        return out

    def _cell_specs(self) -> list[tuple[str, Any, Any, Any, Any]]:
        """Per column: header, text, foreground and background of a row (item + forecast)."""
        right = Qt.AlignmentFlag.AlignRight
        center = Qt.AlignmentFlag.AlignCenter

        def day() -> Any:
            return self.meeting.date if self.meeting else None

        def hm(dt: datetime | None) -> str:
            return _hm(dt, self.tz, day())

        def bg(r: _Src) -> Any:
            if r.item.status == "running":
                return RUNNING_BG
            if r.item.status == "paused":
                return PAUSED_BG
            return None

        def muted(r: _Src) -> Any:
            return DONE_FG if r.item.status in ("done", "skipped") else None

        def planned(r: _Src) -> str:
            if r.item.unplanned:
                return _("unplanned")
            return hm(r.f.planned_start) or "—"

        def minutes(r: _Src) -> str:
            ext = r.item.extended_minutes
            return f"{r.item.planned_minutes} +{ext}" if ext else str(r.item.planned_minutes)

        def status(r: _Src) -> str:
            return STATUS_MARK.get(r.item.status, "") + labels.item_status(r.item.status)

        def start(r: _Src) -> str:
            return ("≈ " if r.f.projected else "") + hm(r.f.start)

        def end(r: _Src) -> str:
            return ("≈ " if r.f.end_projected else "") + hm(r.f.end)

        def projected_fg(r: _Src) -> Any:
            return PROJECTED_FG if r.f.projected else muted(r)

        def end_fg(r: _Src) -> Any:
            return PROJECTED_FG if r.f.end_projected and r.item.status == "pending" else muted(r)

        def elapsed(r: _Src) -> str:
            if r.item.status in fc.CURRENT:
                return duration(r.f.elapsed_seconds or 0)
            if r.item.status == "done":
                return duration(r.f.actual_seconds)
            return ""

        def left(r: _Src) -> str:
            if r.item.status in fc.CURRENT and r.f.remaining_seconds is not None:
                rem = r.f.remaining_seconds
                return duration(rem) if rem >= 0 else _("+{over} over").format(over=duration(-rem))
            if r.item.status == "done" and r.f.deviation_seconds is not None:
                return duration(r.f.deviation_seconds, signed=True)
            if r.f.shrink_seconds >= 1:
                return _("cut {d}").format(d=duration(r.f.shrink_seconds))
            return ""

        def left_bg(r: _Src) -> Any:
            if r.item.status in fc.CURRENT:
                return {fc.LAST: AMBER_BG, fc.OVER: RED_BG}.get(r.f.alert, bg(r))
            return None

        def left_fg(r: _Src) -> Any:
            if r.item.status in fc.CURRENT:
                return WHITE if r.f.alert == fc.OVER else None
            if r.item.status == "done" and r.f.deviation_seconds is not None:
                return LATE_FG if r.f.deviation_seconds > 0 else EARLY_FG if r.f.deviation_seconds < 0 else None
            if r.f.shrink_seconds >= 1:
                return LATE_FG
            return None

        def number(r: _Src) -> str:
            return r.item.number or str(r.item.position)

        return [
            (_("No."), number, muted, bg, None),
            (_("Planned"), planned, muted, bg, None),
            (_("Min"), minutes, muted, bg, right),
            (_("Title"), lambda r: r.item.title, muted, bg, None),
            (_("Presenter"), lambda r: r.item.presenter_name, muted, bg, None),
            (_("Status"), status, muted, bg, None),
            (_("Start"), start, projected_fg, bg, center),
            (_("End"), end, end_fg, bg, center),
            (_("Elapsed"), elapsed, muted, bg, right),
            (_("Left / ±"), left, left_fg, left_bg, right),
        ]

    def _row_cells(self, it: reads.AgendaItemInfo, f: fc.ItemForecast, day: Any,
                   head: tuple[tuple[str, Any, Any], ...] | None = None,
                   tz: str | None = None) -> tuple[tuple[str, Any, Any], ...]:
        """A row's cells, (text, foreground, background) per column: what ``_cell_specs``
        gives, worked out in one call (when every projection moves, the whole timeline is
        rebuilt: thirty calls a row were some 4 ms of the key press). ``head``: the first six
        cells as they were, for the same item with the same planned start (they depend on
        nothing else)."""
        tz, status = tz or self.tz, it.status
        current = status in fc.CURRENT
        bg = RUNNING_BG if status == "running" else PAUSED_BG if status == "paused" else None
        muted = DONE_FG if status in ("done", "skipped") else None
        ext = it.extended_minutes
        if current:
            elapsed = duration(f.elapsed_seconds or 0)
        elif status == "done":
            elapsed = duration(f.actual_seconds)
        else:
            elapsed = ""
        left_fg = None
        if current and f.remaining_seconds is not None:
            rem = f.remaining_seconds
            left = duration(rem) if rem >= 0 else _("+{over} over").format(over=duration(-rem))
        elif status == "done" and f.deviation_seconds is not None:
            left = duration(f.deviation_seconds, signed=True)
        elif f.shrink_seconds >= 1:
            left = _("cut {d}").format(d=duration(f.shrink_seconds))
        else:
            left = ""
        if current:
            alert = f.alert
            left_fg = WHITE if alert == fc.OVER else None
            left_bg = AMBER_BG if alert == fc.LAST else RED_BG if alert == fc.OVER else bg
        else:
            left_bg = None
            if status == "done" and f.deviation_seconds is not None:
                d = f.deviation_seconds
                left_fg = LATE_FG if d > 0 else EARLY_FG if d < 0 else None
            elif f.shrink_seconds >= 1:
                left_fg = LATE_FG
        if head is None:
            head = (
                (it.number or str(it.position), muted, bg),
                (_("unplanned") if it.unplanned else (_hm(f.planned_start, tz, day) or "—"), muted, bg),
                (f"{it.planned_minutes} +{ext}" if ext else str(it.planned_minutes), muted, bg),
                (it.title, muted, bg),
                (it.presenter_name, muted, bg),
                (STATUS_MARK.get(status, "") + labels.item_status(status), muted, bg),
            )
        return head + (
            (("≈ " if f.projected else "") + _hm(f.start, tz, day), PROJECTED_FG if f.projected else muted, bg),
            (("≈ " if f.end_projected else "") + _hm(f.end, tz, day),
             PROJECTED_FG if f.end_projected and status == "pending" else muted, bg),
            (elapsed, muted, bg),
            (left, left_fg, left_bg),
        )

    def row_tooltip(self, r: TimelineRow) -> str:
        day = self.meeting.date if self.meeting else None
        f, it = r.f, r.item
        lines = [f"{it.number or it.position}. {it.title}"]
        if f.planned_start is not None:
            lines.append(_("Planned {a}–{b} ({m} min)").format(
                a=_hm(f.planned_start, self.tz, day), b=_hm(f.planned_end, self.tz, day), m=it.planned_minutes))
        elif it.unplanned:
            lines.append(_("Unplanned: inserted during the meeting ({m} min)").format(m=it.planned_minutes))
        if it.status == "done":
            lines.append(_("Held {a}–{b}, {d}").format(
                a=_hm(it.actual_start, self.tz, day), b=_hm(it.actual_end, self.tz, day),
                d=duration(f.actual_seconds)))
            if f.deviation_seconds is not None:
                lines.append(_("Deviation from the planned duration: {d}").format(
                    d=duration(f.deviation_seconds, signed=True)))
        elif it.status in fc.CURRENT:
            lines.append(_("Started {a}; {e} on it").format(a=_hm(it.actual_start, self.tz, day),
                                                         e=duration(f.elapsed_seconds or 0)))
        elif f.projected and f.start is not None:
            lines.append(_("Projected {a}–{b}").format(a=_hm(f.start, self.tz, day), b=_hm(f.end, self.tz, day)))
        if f.start_drift_seconds is not None and it.status != "skipped":
            lines.append(_("Start against the plan: {d}").format(d=duration(f.start_drift_seconds, signed=True)))
        if f.paused_seconds:
            lines.append(_("Paused (recess): {d}").format(d=duration(f.paused_seconds)))
        if it.extended_minutes:
            lines.append(_("Extended by {m} min").format(m=it.extended_minutes))
        if f.shrink_seconds >= 1:
            lines.append(_("To end on time: {d} shorter").format(d=duration(f.shrink_seconds)))
        return "\n".join(lines)

    # --- data ------------------------------------------------------------------------------
    #
    # A full load (meeting, people, agenda) when the panel opens a meeting or people change;
    # otherwise only the agenda rows an operation touched (``Changes.rows``) are read back and
    # merged into the rows held — "next item" reads two rows, not two hundred.

    def load(self, core: Any, meeting_id: int) -> Any:
        snap_meeting = reads.meeting(core, meeting_id)
        return snap_meeting, reads.people(core, meeting_id), reads.agenda(core, meeting_id)

    @staticmethod
    def load_changed(core: Any, meeting_id: int, ids: frozenset[int], meeting: bool) -> Any:
        """Runs on the DB worker: the changed items (and the meeting when it changed)."""
        return (reads.meeting(core, meeting_id) if meeting else None,
                agenda.read_items(core, meeting_id, ids))

    def refresh(self) -> None:
        self._want_full = True
        self._kick()

    def perform_live(self, op: Any, *args: Any, **kwargs: Any) -> None:
        """Run a live operation, and read the rows it changed back in the same worker task:
        the timeline then updates as soon as the operation is announced, before the other
        panels' reloads occupy the worker (a key press shows at once)."""
        mid = self.meeting_id
        prefetched = self._prefetched
        shared = self.runner.readback

        def op_then_read(core: Any, *a: Any, **kw: Any) -> Any:
            changes = op(core, *a, **kw)
            ids = changes.rows.get("agenda_item", frozenset())
            if _patchable(changes):
                return changes  # the rows are patched from the change itself: nothing to read
            if changes.journal_id is not None and changes.meeting_id == mid and ids \
                    and PEOPLE not in changes.areas:
                meeting, fresh = self.load_changed(core, mid, ids, MEETING in changes.areas)
                prefetched[changes.journal_id] = (ids, (meeting, fresh))
                # the other panels on the bus (the speaker queue) need the same rows
                shared[changes.journal_id] = {"agenda_item": (ids, fresh), "meeting": meeting}
            return changes

        op_then_read.op_name = getattr(op, "op_name", "")  # type: ignore[attr-defined]
        self.perform(op_then_read, *args, **kwargs)

    def _on_changes(self, changes: Any, _initiator: object) -> None:
        part = self._prefetched.pop(changes.journal_id, None) if changes.journal_id is not None else None
        if self.meeting_id is None or changes.meeting_id not in (None, self.meeting_id):
            return
        if not changes.areas & self.areas:
            return
        idle = not self._loading and not self._want_full and not self._want_ids \
            and not self._want_meeting and self.meeting is not None
        if idle and _patchable(changes):
            # only columns of agenda items held changed: patched from the change, no read
            fresh = patched(self.items, changes, "agenda_item", agenda.ITEM_PATCH_FIELDS)
            if fresh is not None:
                self._done(self.meeting_id, None, (changes.rows["agenda_item"], (None, fresh)))
                return
        if part is not None and idle:
            # the rows were read right after the operation, and nothing older is on its way
            self._done(self.meeting_id, None, part)
            return
        ids = changes.rows.get("agenda_item", frozenset())
        if PEOPLE in changes.areas or self.meeting is None or (AGENDA in changes.areas and not ids):
            self._want_full = True
        else:
            self._want_ids |= ids
            self._want_meeting = self._want_meeting or MEETING in changes.areas
        self._kick()

    def _kick(self) -> None:
        if self._loading or self.meeting_id is None:
            if self.meeting_id is None:
                self.show_rows(())
            return
        mid = self.meeting_id
        if self._want_full:
            self._want_full, self._want_ids, self._want_meeting = False, frozenset(), False
            self._loading = True
            self.runner.call(self.load, self.runner.core, mid,
                             on_done=lambda rows: self._done(mid, rows, None),
                             on_error=self._load_failed)
        elif self._want_ids or self._want_meeting:
            ids, meeting = self._want_ids, self._want_meeting
            self._want_ids, self._want_meeting = frozenset(), False
            self._loading = True
            self.runner.call(self.load_changed, self.runner.core, mid, ids, meeting,
                             on_done=lambda part: self._done(mid, None, (ids, part)),
                             on_error=self._load_failed)

    def _done(self, mid: int, rows: Any, part: Any) -> None:
        self._loading = False
        if mid == self.meeting_id:
            if rows is not None:
                self.show_rows(rows)
            elif self.meeting is not None:
                ids, (meeting, fresh) = part
                items = merge_agenda(self.items, ids, fresh)
                self.show_rows((meeting or self.meeting, self.people, items))
            self.loaded.emit()
        self._kick()

    def _load_failed(self, message: str) -> None:
        self._loading = False
        self.summary.setText(message)
        self.summary.show()

    def show_rows(self, rows: Any) -> None:
        if not rows:
            self.meeting, self.people, self.items = None, (), ()
            self.forecast = None
            self.model.set_rows(())
            self.chart.set_data((), None, self.tz)
            self._show_status()
            return
        first = not self.model.rows
        self.meeting, self.people, self.items = rows
        self.tz = self.meeting.timezone
        self.recompute()
        if first:
            self.view.resizeColumnsToContents()
            self.view.setColumnWidth(COL_PRESENTER, min(self.view.columnWidth(COL_PRESENTER), 170))
            for col, width in ((COL_STATUS, 92), (COL_START, 74), (COL_END, 74), (COL_ELAPSED, 68),
                               (COL_LEFT, 104)):
                self.view.setColumnWidth(col, max(self.view.columnWidth(col), width))
        current = self.forecast.current_id if self.forecast else None
        if current != self._current_id:
            self._current_id = current
            if current is not None:
                self.select_id(current)
        if self.selected_id() is None and self.model.rows:
            self.select_id(current if current is not None else self.model.rows[0].id)

    def recompute(self, now: datetime | None = None) -> None:
        """The forecast at ``now`` from the rows held: no database access. Only rows whose
        shown texts or colours change are announced to the view."""
        now = now or self.runner.core.clock.now()
        if self.meeting is None:
            self.forecast = None
            self._show_status()
            return
        f = fc.forecast(self.items, now, meeting_status=self.meeting.status,
                        meeting_end=self.meeting.actual_end)
        self.forecast = f
        day = self.meeting.date
        cache = self._cells
        key = (self.tz, self.meeting.date, i18n.language())  # the texts are in the UI's language
        if key != self._cells_key:
            cache.clear()
            self._cells_key = key
        rows = []
        bars = []
        chart_shown = self.chart.isVisible()
        for n, (it, fi) in enumerate(zip(self.items, f.items, strict=True), start=1):
            hit = cache.get(it.id)
            # (unchanged items and done items' forecasts are the very objects held before)
            if hit is not None and (hit[0] is it or hit[0] == it) and (hit[1] is fi or hit[1] == fi) \
                    and (hit[3] is not None or not chart_shown):
                row, bar = hit[2], hit[3]
            else:
                # the same item with its times moved (every pending item, when the running one
                # runs late): its first six cells (number, plan, minutes, title, presenter,
                # status) stay as they were
                # (taken only from a row whose cells were worked out: a row off screen makes
                # its own when it comes into view)
                prev = hit[2] if hit is not None else None
                same = prev is not None and prev.built and (hit[0] is it or hit[0] == it) \
                    and hit[1].planned_start == fi.planned_start  # type: ignore[index]
                bar = fc.chart_bar(it, fi, now, n) if chart_shown else None
                font = "bold" if it.status in fc.CURRENT else "italic-times" if it.status == "pending" else ""
                row = TimelineRow(it.id, None, font, it, fi, make=partial(
                    self._row_cells, it, fi, day, prev.cells[:6] if same else None, self.tz))  # type: ignore[union-attr]
                cache[it.id] = (it, fi, row, bar)
            rows.append(row)
            bars.append(bar)
        if len(cache) > 2 * len(rows) + 50:
            live = {r.id for r in rows}
            for k in [k for k in cache if k not in live]:
                del cache[k]
        self.model.set_rows(tuple(rows))
        if chart_shown:
            self.chart.set_data(bars, f, self.tz)
        else:
            self._chart_stale = True
        self._show_status()

    def _chart_shown(self) -> None:
        """The chart came into view: give it the data the hidden ticks left out."""
        if self._chart_stale and self.meeting is not None:
            self._chart_stale = False
            self.recompute()

    def tick(self) -> None:
        now = self.runner.core.clock.now()
        if self.detect_clock_jumps:
            self._watch_clock(now)
        self.recompute(now)

    def _watch_clock(self, now: datetime) -> None:
        mono = self._mono.restart() / 1000.0
        self._warned_for += mono
        if self.clock_warning and self._warned_for > CLOCK_WARNING_S:
            self.clock_warning = ""
        if self._last_wall is not None:
            jump = (now - self._last_wall).total_seconds() - mono
            if abs(jump) > CLOCK_JUMP_S:
                self._warned_for = 0.0
                self.clock_warning = _("The system clock jumped {d} at {t}: check the computer's time. "
                                       "Times already recorded are kept; a time earlier than them is refused.").format(
                    d=duration(jump, signed=True), t=local(now, self.tz).strftime("%H:%M:%S"))
        self._last_wall = now

    # --- the summary -----------------------------------------------------------------------

    def _show_status(self) -> None:
        f, mt = self.forecast, self.meeting
        day = mt.date if mt else None
        if f is None or mt is None:
            self.now_label.setText(_("No meeting open"))
            self.end_label.setText("")
            self.advice_label.setText("")
            self._paint_status("neutral")
            return
        now_text = local(f.now, self.tz).strftime("%H:%M:%S")
        by_id = {it.id: it for it in self.items}
        cur = f.current
        if mt.status == "closed":
            held = ""
            if mt.actual_start and mt.actual_end:
                held = _(" · held {a}–{b} ({d})").format(
                    a=_hm(mt.actual_start, self.tz, day), b=_hm(mt.actual_end, self.tz, day),
                    d=duration((mt.actual_end - mt.actual_start).total_seconds()))
            line1 = _("Meeting closed at {t}").format(t=_hm(mt.actual_end, self.tz, day)) + held
        elif cur is not None:
            it = by_id[cur.id]
            name = f"{it.number or it.position}. {it.title}"
            rem = cur.remaining_seconds or 0
            left = duration(rem) + _(" left") if rem >= 0 else _("+{d} over time").format(d=duration(-rem))
            if cur.status == "paused":
                line1 = _("⏸ {name} — recess since {t} · {e} of {a} · {left}").format(
                    name=name, t=_hm(it.paused_at, self.tz, day), e=duration(cur.elapsed_seconds or 0),
                    a=duration(cur.allowed_seconds), left=left)
            else:
                line1 = _("▶ {name} — {e} of {a} · {left}").format(
                    name=name, e=duration(cur.elapsed_seconds or 0), a=duration(cur.allowed_seconds), left=left)
        else:
            nxt = next((x for x in f.items if x.status == "pending"), None)
            if mt.status == "draft":
                line1 = _("Not started")
            else:
                line1 = _("Between items")
            if nxt is not None:
                it = by_id[nxt.id]
                line1 += _(" · next: {name} at ≈ {t}").format(
                    name=f"{it.number or it.position}. {it.title}", t=_hm(nxt.start, self.tz, day))
            elif mt.status == "live":
                line1 += _(" · no item left: close the meeting (Ctrl+Shift+Return)")
        self.now_label.setText(f"{now_text}   {line1}")
        self.now_label.setToolTip(line1)

        # projected end against the planned end
        state = "neutral"
        over = f.overrun_seconds
        if f.projected_end is None:
            line2 = _("No times planned yet")
        else:
            word = _("Ended {t}") if f.closed else _("Projected end {t}")
            line2 = word.format(t=_hm(f.projected_end, self.tz, day))
            if f.planned_end is not None and over is not None:
                line2 += _(" · planned end {t}").format(t=_hm(f.planned_end, self.tz, day))
                if abs(over) < 60:
                    line2 += _(" · on time")
                    state = "ok"
                elif over > 0:
                    line2 += _(" · {d} late").format(d=duration(over))
                    state = "late"
                else:
                    line2 += _(" · {d} ahead").format(d=duration(-over))
                    state = "ok"
        if cur is not None and cur.alert == fc.OVER and state != "late":
            state = "warn"
        self.end_label.setText(line2)

        advice: list[str] = []
        if self.clock_warning:
            advice.append(self.clock_warning)
        if f.shrink_ratio is not None and over is not None and over >= 60:
            if f.can_catch_up:
                cuts = [(x, by_id[x.id]) for x in f.items if x.shrink_seconds >= 1]
                parts = [f"{it.number or it.position}. {_short(it.title)} −{duration(x.shrink_seconds)}"
                         for x, it in cuts[:4]]
                if len(cuts) > 4:
                    parts.append("…")
                advice.append(_("To end on time every remaining item must be {p}% shorter: {parts}").format(
                    p=max(round(f.shrink_ratio * 100), 1), parts="; ".join(parts)))
            else:
                advice.append(_("Cannot end on time: {d} late with only {r} of work left").format(
                    d=duration(over), r=duration(f.remaining_seconds)))
        for o in f.overlaps[:3]:
            a, b = by_id.get(o.item_id), by_id.get(o.previous_id)
            if a and b:
                advice.append(_("Planned times overlap: item {a} is planned {d} before item {b} ends").format(
                    a=a.number or a.position, b=b.number or b.position, d=duration(o.seconds)))
        self.advice_label.setText("\n".join(advice))
        self.advice_label.setToolTip("\n".join(advice))
        self._paint_status(state)

    def _paint_status(self, state: str) -> None:
        colors = {
            "neutral": ("#f4f6f8", "#c9d0d8", "#1f2933"),
            "ok": ("#e8f5e9", "#81c784", "#1b5e20"),
            "warn": ("#fff3e0", "#ffb74d", "#8a4b00"),
            "late": ("#fdecea", "#e57373", "#8e1b1b"),
        }
        bg, border, fg = colors[state]
        if self.status_box.property("state") != state:
            self.status_box.setProperty("state", state)
            self.status_box.setStyleSheet(
                f"QFrame#agenda-status {{ background: {bg}; border: 1px solid {border}; border-radius: 4px; }}")
            for w in (self.now_label, self.end_label, self.advice_label):
                w.set_color(fg)

    # --- selection -------------------------------------------------------------------------

    def selected_item(self) -> reads.AgendaItemInfo | None:
        row = self.selected_row()
        return row.item if row is not None else None

    def select_current(self) -> None:
        if self.forecast is not None and self.forecast.current_id is not None:
            self.select_id(self.forecast.current_id)
        self.view.setFocus()

    # --- live actions ----------------------------------------------------------------------

    def next_item(self) -> None:
        if self.meeting_id is not None:
            # what this console shows running: another console may have moved on already
            seen = {"expected_current": self.forecast.current_id} if self.forecast is not None else {}
            self.perform_live(agenda.next_item, self.meeting_id, **seen)

    def start_selected(self) -> None:
        it = self.selected_item()
        if it is not None:
            self.perform_live(agenda.start_item, it.id)

    def close_current(self) -> None:
        cur = self.forecast.current_id if self.forecast else None
        if cur is None:
            self.warn(_("No item is running."))
            return
        self.perform_live(agenda.close_item, cur)

    def toggle_pause(self) -> None:
        if self.meeting_id is not None:
            self.perform_live(agenda.toggle_pause, self.meeting_id)

    def extend_current(self) -> None:
        if self.meeting_id is None:
            return
        if self.forecast is None or self.forecast.current_id is None:
            self.warn(_("No item is running; there is nothing to extend."))
            return
        mid = self.meeting_id
        dlg = QInputDialog(self)
        dlg.setObjectName("extend-dialog")
        dlg.setWindowTitle(_("Extend running item"))
        dlg.setLabelText(_("Extra minutes for the running item:"))
        dlg.setInputMode(QInputDialog.InputMode.IntInput)
        dlg.setIntRange(1, agenda.MAX_EXTENSION)
        dlg.setIntValue(5)
        dlg.intValueSelected.connect(lambda minutes: self.perform_live(agenda.extend_current, mid, int(minutes)))
        dlg.finished.connect(self.refocus)
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()

    def refocus(self, *_args: Any) -> None:
        """Back to the agenda list once a dialog closes, so the next key goes to the agenda."""
        self.window().activateWindow()
        self.view.setFocus()

    def warn(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, self.title or _("Meeting Console"), message,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("refusal")
        box.finished.connect(self.refocus)
        box.finished.connect(box.deleteLater)
        box.open()

    def skip_selected(self) -> None:
        it = self.selected_item()
        if it is None:
            return
        self.perform_live(agenda.unskip_item if it.status == "skipped" else agenda.skip_item, it.id)

    def start_meeting(self) -> None:
        if self.meeting_id is not None:
            self.perform_live(agenda.start_meeting, self.meeting_id)

    def close_meeting(self) -> None:
        if self.meeting_id is not None:
            self.perform_live(agenda.close_meeting, self.meeting_id)

    # --- planning actions (also live) ------------------------------------------------------

    def _fields(self, it: reads.AgendaItemInfo | None) -> list[Field]:
        people = [(None, _("— not a named person —"))] + [(p.id, p.full_name) for p in self.people]
        day = self.meeting.date if self.meeting else None
        return [
            Field("number", _("Number"), value=it.number if it else ""),
            Field("title", _("Title"), "multiline", value=it.title if it else ""),
            Field("kind", _("Kind"), "choice", value=it.kind if it else "other",
                  choices=labels.choices(vocab.ITEM_KINDS, labels.item_kind)),
            Field("presenter_id", _("Presenter"), "choice", value=it.presenter_id if it else None, choices=people),
            Field("presenter_text", _("Presenter (role, when not a named person)"),
                  value=it.presenter_text if it else ""),
            Field("planned_start", _("Planned start"), "time", value=it.planned_start if it else None,
                  tz=self.tz, day=day),
            Field("planned_minutes", _("Planned minutes"), "int", value=it.planned_minutes if it else 10,
                  maximum=24 * 60),
            Field("notes", _("Notes"), "multiline", value=it.notes if it else ""),
        ]

    def insert_item(self, *, after: bool) -> None:
        """Insert before/after the selected item; the operation checks the place is allowed."""
        if self.meeting_id is None:
            return
        sel = self.selected_item()
        mid = self.meeting_id
        people = [(None, _("— not a named person —"))] + [(p.id, p.full_name) for p in self.people]
        fields = [
            Field("title", _("Title"), value=""),
            Field("presenter_id", _("Presenter"), "choice", value=None, choices=people),
            Field("presenter_text", _("Presenter (role, when not a named person)"), value=""),
            Field("planned_minutes", _("Minutes"), "int", value=10, maximum=24 * 60),
            Field("kind", _("Kind"), "choice", value="other",
                  choices=labels.choices(vocab.ITEM_KINDS, labels.item_kind)),
        ]

        def accept(values: dict[str, Any], done: Any) -> None:
            values = {"planned_minutes": 10, **values}
            title = values.pop("title", "")
            if sel is None:
                self.perform(agenda.add_item, mid, title, done=done, select_result=True, **values)
            else:
                self.perform(agenda.insert_item, sel.id, title, after=after, done=done,
                             select_result=True, **values)

        where = _("after") if after else _("before")
        what = f"{sel.number or sel.position}. {_short(sel.title)}" if sel else _("at the end")
        dlg = ask(self, _("Insert item {where} {what}").format(where=where, what=what) if sel
                  else _("Add agenda item"), fields, accept)
        dlg.finished.connect(self.refocus)

    def add_item(self) -> None:
        self.insert_item(after=True)

    def edit_selected(self) -> None:
        it = self.selected_item()
        if it is None:
            return

        fields = self._fields(it)
        seen = {f.name: f.value for f in fields}  # what the form showed (core.concurrency)

        def accept(values: dict[str, Any], done: Any) -> None:
            self.perform(agenda.update_item, it.id, done=done, seen=seen, **values)

        ask(self, _("Edit agenda item"), fields, accept).finished.connect(self.refocus)

    def remove_selected(self) -> None:
        it = self.selected_item()
        if it is not None:
            self.perform(agenda.remove_item, it.id)

    def move_selected(self, delta: int) -> None:
        it = self.selected_item()
        if it is None:
            return
        new_index = it.position - 1 + delta
        if 0 <= new_index < self.model.rowCount():
            self._move(it.id, new_index)

    def _drop_move(self, item_id: int, index: int) -> None:
        self._move(item_id, index)

    def _move(self, item_id: int, index: int) -> None:
        self.loaded.connect(lambda: self.select_id(item_id), Qt.ConnectionType.SingleShotConnection)
        self.perform(agenda.move_item, item_id, index)


def _patchable(changes: Any) -> bool:
    """Whether a change only updated columns of agenda items that their read rows show as they
    stand (e.g. "next item" after the meeting's start): then views patch the rows they hold."""
    ups = changes.updates.get("agenda_item") if changes.updates else None
    return bool(ups) and set(changes.rows) <= {"agenda_item"} and set(ups) == changes.rows["agenda_item"] \
        and all(agenda.ITEM_PATCH_FIELDS.issuperset(u) for u in ups.values())


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
