"""A thin Qt table model over a tuple of frozen core rows.

``set_rows`` compares the new rows with the shown ones: when the same ids stand in the same order
it emits one ``dataChanged`` per run of changed rows (batched); otherwise it resets the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

IdRole = Qt.ItemDataRole.UserRole + 1
RowRole = Qt.ItemDataRole.UserRole + 2
SortRole = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex
_ID = attrgetter("id")



def merge_agenda(held: Iterable[Any], reread: Iterable[int], fresh: Iterable[Any]) -> tuple[Any, ...]:
    """Agenda items held, with those ``reread`` replaced by their ``fresh`` rows (an item
    missing from ``fresh`` was deleted), in agenda order — as a full read gives them."""
    rows = {it.id: it for it in held}
    for i in reread:
        rows.pop(i, None)
    for it in fresh:
        rows[it.id] = it
    return tuple(sorted(rows.values(), key=lambda it: (it.position, it.id)))


def patched(held: Iterable[Any], changes: Any, table: str, fields: frozenset[str]) -> tuple[Any, ...] | None:
    """The rows of ``table`` a change updated, patched from its ``updates`` (frozen dataclass
    rows: ``dataclasses.replace``), when every one of them is among ``held`` and only ``fields``
    changed; None when they must be read again (a row added or deleted, a name that comes from
    another table, a row not held, another console's change)."""
    updates = changes.updates.get(table) if changes.updates else None
    ids = changes.rows.get(table, frozenset())
    if updates is None or set(updates) != set(ids):
        return None
    by_id = {r.id: r for r in held if r.id in updates}
    if len(by_id) != len(updates) or any(not fields.issuperset(u) for u in updates.values()):
        return None
    return tuple(replace(by_id[i], **u) for i, u in updates.items())


# The meeting's columns that its start and close change (and their undo): only the agenda and
# the window's status line show them.
LIVE_MEETING_FIELDS = frozenset({"status", "actual_start", "actual_end"})


def meeting_update(changes: Any, meeting_id: int | None) -> dict[str, Any] | None:
    """The new values of the meeting's changed columns, when a change only updated that meeting's
    row and says what it wrote (an operation of this console); None otherwise — then whoever
    shows the meeting reads it again."""
    ups = changes.updates.get("meeting") if changes.updates else None
    if not ups or meeting_id is None or set(ups) != {meeting_id} \
            or changes.rows.get("meeting", frozenset()) != {meeting_id}:
        return None
    return ups[meeting_id]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Column:
    header: str
    text: Callable[[Any], str]
    sort: Callable[[Any], Any] | None = None
    align: Qt.AlignmentFlag | None = None
    tooltip: Callable[[Any], str] | None = None
    foreground: Callable[[Any], Any] | None = None
    background: Callable[[Any], Any] | None = None
    decoration: Callable[[Any], Any] | None = None


class RowsModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: tuple[Any, ...] = ()
        self._row_of_id: dict[int, int] = {}

    # --- Qt interface ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(self.columns):
                return self.columns[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        row = self.rows[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(row)
        if role == IdRole:
            return row.id
        if role == RowRole:
            return row
        if role == SortRole:
            return col.sort(row) if col.sort else col.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align is not None:
            return int(col.align | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col.tooltip is not None:
            return col.tooltip(row)
        if role == Qt.ItemDataRole.ForegroundRole and col.foreground is not None:
            return col.foreground(row)
        if role == Qt.ItemDataRole.BackgroundRole and col.background is not None:
            return col.background(row)
        if role == Qt.ItemDataRole.DecorationRole and col.decoration is not None:
            return col.decoration(row)
        return None

    # --- updates -------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[Any]) -> None:
        rows = tuple(rows)
        same_shape = len(rows) == len(self.rows) and list(map(_ID, rows)) == list(map(_ID, self.rows))
        if not same_shape:
            self.beginResetModel()
            self.rows = rows
            self._row_of_id = {r.id: i for i, r in enumerate(rows)}
            self.endResetModel()
            return
        changed = [i for i, (a, b) in enumerate(zip(rows, self.rows, strict=True)) if a is not b and a != b]
        self.rows = rows
        self.refresh_rows(changed)

    def refresh_rows(self, changed: Sequence[int]) -> None:
        """Emit one dataChanged per run of consecutive changed rows."""
        if not changed:
            return
        last_col = len(self.columns) - 1
        start = prev = changed[0]
        for i in list(changed[1:]) + [None]:  # type: ignore[list-item]
            if i is not None and i == prev + 1:
                prev = i
                continue
            self.dataChanged.emit(self.index(start, 0), self.index(prev, last_col))
            if i is not None:
                start = prev = i

    def refresh_all(self) -> None:
        """Repaint every row (e.g. the clock ticked and elapsed times changed)."""
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.columns) - 1))

    def row_of(self, id_: int) -> int | None:
        return self._row_of_id.get(id_)

    def row_at(self, row: int) -> Any:
        return self.rows[row] if 0 <= row < len(self.rows) else None
