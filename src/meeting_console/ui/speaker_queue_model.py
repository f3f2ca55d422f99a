"""The queue's Qt model: the thin row model, plus drag and drop of waiting speakers.

A drop does not move rows itself: it asks for ``move_requested(request_id, queue_index)``; the
panel runs the journaled ``move_request`` operation and the refreshed rows show the new order (one
path for every change, so undo and other consoles see the same thing)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, Qt, Signal

from meeting_console.ui.table_model import Column, IdRole, RowRole, RowsModel, SortRole

MIME = "application/x-meeting-console-speaker-request"

Index = QModelIndex | QPersistentModelIndex


ROW_FLAGS = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDropEnabled
WAITING_FLAGS = ROW_FLAGS | Qt.ItemFlag.ItemIsDragEnabled


_R = Qt.ItemDataRole
# role → what answers it; a role no column answers (font, check state, decoration…) is None at
# once: a repaint asks every visible cell for seven roles
_ROLES: dict[int, str] = {
    int(_R.DisplayRole): "display", int(IdRole): "id", int(RowRole): "row", int(SortRole): "sort",
    int(_R.TextAlignmentRole): "align", int(_R.ToolTipRole): "tooltip",
    int(_R.ForegroundRole): "foreground", int(_R.BackgroundRole): "background",
    int(_R.DecorationRole): "decoration",
}
_V_CENTER = Qt.AlignmentFlag.AlignVCenter
CELL_RUN = 100  # rows of one dataChanged of a column (see refresh_cells)
CELL_ROWS = 4  # rows changed up to which each cell is announced alone (see refresh_rows)


class QueueModel(RowsModel):
    move_requested = Signal(int, int)  # request id, 0-based index in the item's queue

    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(columns, parent)

    def set_rows(self, rows: Sequence[Any]) -> None:
        """As many rows as shown: replace them in place and repaint only the rows that differ
        (a move in the queue, a call: two rows), instead of resetting the whole view."""
        rows = tuple(rows)
        if not rows or len(rows) != len(self.rows):
            super().set_rows(rows)
            return
        old = self.rows
        changed = [i for i, (a, b) in enumerate(zip(rows, old, strict=True)) if a is not b and a != b]
        self.rows = rows
        # the places of the requests that changed places (a move: two; a call: none), not
        # the whole queue's again
        moved = [i for i in changed if rows[i].id != old[i].id]
        if moved:
            where = self._row_of_id
            for i in moved:
                if where.get(old[i].id) == i:
                    del where[old[i].id]
            for i in moved:
                where[rows[i].id] = i
        self.refresh_rows(changed)

    def refresh_rows(self, changed: Sequence[int]) -> None:
        """A few changed rows (a call, a move: two) announced cell by cell. A table view
        repaints a range of rows with one pixel more, the grid line below it, so the row
        under the range (or, after the view scrolled to the new current speaker, the row under
        the one on top) was painted again, nine cells, for that line; a cell's own change
        repaints the cell inside its grid lines, which stay as they are."""
        if len(changed) > CELL_ROWS:
            super().refresh_rows(changed)
            return
        # the rows are the model's: their indexes made directly (index() checks them first
        # through rowCount and columnCount, two calls into Python an index)
        emit, index = self.dataChanged.emit, self.createIndex
        columns = range(len(self.columns))
        n = len(self.rows)
        for r in changed:
            if not 0 <= r < n:
                continue
            for c in columns:
                i = index(r, c)
                emit(i, i)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """``RowsModel.data``, answered in one dictionary look-up of the role (the generic
        chain of comparisons costs more than the cell's text)."""
        what = _ROLES.get(role)
        if what is None:
            return None
        r = index.row()
        rows = self.rows
        if r < 0 or r >= len(rows):  # an invalid index has row -1
            return None
        row = rows[r]
        if what == "id":
            return row.id
        if what == "row":
            return row
        col = self.columns[index.column()]
        if what == "display":
            return col.text(row)
        if what == "sort":
            return col.sort(row) if col.sort else col.text(row)
        if what == "align":
            return int(col.align | _V_CENTER) if col.align is not None else None
        fn = getattr(col, what)
        return fn(row) if fn is not None else None

    def refresh_cells(self, rows: Sequence[int], column: int, alone: range = range(0)) -> None:  # noqa: B008
        """One ``dataChanged`` of ``column`` per run of consecutive ``rows`` (sorted), a run cut
        every ``CELL_RUN`` rows: a table view repaints its whole viewport for a longer range
        (Qt 6.11: the "#" of a queue of 500 repainted 63 cells instead of the 7 on screen).
        The rows in ``alone`` (those on screen) are announced cell by cell: a table view
        repaints a range of a column with one pixel more to its right, the grid line, so the
        column beside it was painted again on every row shown (the speaker's name, for the
        "#" of the queue at each call)."""
        if not rows:
            return
        if alone:
            lo, hi = max(rows[0], alone.start, 0), min(rows[-1] + 1, alone.stop, len(self.rows))
            if lo < hi and 0 <= column < len(self.columns):
                index, emit = self.createIndex, self.dataChanged.emit  # (indexes of its rows)
                for r in range(lo, hi):
                    i = index(r, column)
                    emit(i, i)
                rows = [r for r in rows if not lo <= r < hi]
                if not rows:
                    return
        start = prev = rows[0]
        for i in [*rows[1:], None]:
            if i is not None and i == prev + 1 and i - start < CELL_RUN:
                prev = i
                continue
            self.dataChanged.emit(self.index(start, column), self.index(prev, column))
            if i is not None:
                start = prev = i

    def _waiting(self, row: int) -> bool:
        r = self.row_at(row)
        return r is not None and r.position is not None

    def flags(self, index: Index) -> Qt.ItemFlag:
        # asked twice for every cell painted: one look at the row (an invalid index has row -1)
        r = index.row()
        rows = self.rows
        if 0 <= r < len(rows):
            return WAITING_FLAGS if rows[r].position is not None else ROW_FLAGS
        return ROW_FLAGS if index.isValid() else Qt.ItemFlag.ItemIsDropEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData | None:
        rows = sorted({i.row() for i in indexes if i.isValid() and self._waiting(i.row())})
        if not rows:
            return None
        data = QMimeData()
        data.setData(MIME, str(self.rows[rows[0]].id).encode())
        return data

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: Index) -> bool:
        return data is not None and data.hasFormat(MIME) and action == Qt.DropAction.MoveAction

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: Index) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            request_id = int(bytes(data.data(MIME).data()).decode())
        except ValueError:
            return False
        if self.row_of(request_id) is None:
            return False
        if row < 0:  # dropped on a row: before it; on the empty area: at the end
            row = parent.row() if parent.isValid() else len(self.rows)
        # the index in the queue: the waiting speakers above the drop point, the dragged one aside
        index = sum(1 for r in self.rows[:row] if r.position is not None and r.id != request_id)
        self.move_requested.emit(request_id, index)
        return True

    def removeRows(self, row: int, count: int, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        # a move's rows come back with the refreshed order; the view must not delete them
        return False
