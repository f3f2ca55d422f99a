"""The queue's delegate paints a cell in one call from its row: the view looks exactly as with
Qt's stock delegate (which asks the model seven roles a cell) — the current speaker's
background, finished turns in grey, right-aligned columns, a selected row, the focus."""

from __future__ import annotations

from PySide6.QtWidgets import QStyledItemDelegate

from meeting_console.core import agenda, reads
from meeting_console.core import speakers as sp
from meeting_console.ui.main_window import MainWindow
from meeting_console.ui.speaker_delegate import QueueDelegate


def test_the_queue_delegate_paints_what_the_stock_delegate_paints(qtbot, window: MainWindow, core,
                                                                  demo_id: int) -> None:
    panel = window.speakers
    window.docks["speakers"].raise_()
    queue = [s for s in reads.speakers(core, demo_id) if s.position is not None]
    window.runner.run_sync(agenda.start_item, queue[0].agenda_item_id)
    window.runner.run_sync(sp.call_next, queue[0].agenda_item_id)
    window.runner.run_sync(sp.call_next, queue[0].agenda_item_id)  # one done, one speaking
    qtbot.waitUntil(lambda: panel.data is not None and panel.data.current is not None
                    and panel.data.current.id == queue[1].id)
    assert isinstance(panel.view.itemDelegate(), QueueDelegate)
    panel.select_id(queue[4].id)
    panel.view.setFocus()
    images = []
    for delegate in (panel.view.itemDelegate(), QStyledItemDelegate(panel.view)):
        panel.view.setItemDelegate(delegate)
        images.append(panel.view.grab().toImage())
    assert images[0] == images[1]
