"""The queue model announces a renumbered "#" cell by cell on the rows shown (a range of a
column repaints the grid line to its right, and with it the next column's cells), in runs for the
rest."""

from __future__ import annotations

from types import SimpleNamespace

from meeting_console.ui.speaker_queue_model import CELL_RUN, QueueModel
from meeting_console.ui.table_model import Column


def test_renumbered_cells_alone_on_screen_in_runs_elsewhere(qtbot) -> None:
    model = QueueModel([Column("#", lambda r: str(r.id)), Column("Name", lambda r: "x")])
    model.set_rows([SimpleNamespace(id=i, position=i) for i in range(300)])
    seen: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(lambda a, b, *_: seen.append((a.row(), a.column(), b.row(), b.column())))
    model.refresh_cells(range(3, 300), 0, alone=range(2, 9))
    assert seen[:6] == [(r, 0, r, 0) for r in range(3, 9)]
    assert seen[6:] == [(9, 0, 9 + CELL_RUN - 1, 0), (9 + CELL_RUN, 0, 9 + 2 * CELL_RUN - 1, 0),
                        (9 + 2 * CELL_RUN, 0, 299, 0)]
    seen.clear()
    model.refresh_cells(range(3, 20), 0)  # nothing shown: runs only
    assert seen == [(3, 0, 19, 0)]
    seen.clear()
    model.refresh_cells(range(3, 6), 0, alone=range(0, 10))  # all on screen
    assert seen == [(r, 0, r, 0) for r in range(3, 6)]
