"""A press in a meeting running late moves every pending item's projected times: the timeline
works out the cells of the rows it shows (and compares them, announcing the changed columns),
while a changed row off screen is announced whole and its cells are made only when it is painted
or read — the same cells, the same pixels once scrolled into view."""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from meeting_console.core import agenda, meetings
from meeting_console.core.clock import FakeClock
from meeting_console.core.timefmt import at_local
from meeting_console.ui.agenda_panel import AgendaPanel


def test_rows_off_screen_are_made_when_shown(qtbot, runner, core, clock: FakeClock) -> None:  # noqa: ANN001
    tz, day = "Asia/Ho_Chi_Minh", date(2022, 1, 14)
    mid = int(meetings.create_meeting(core, "Kỳ họp chạy muộn", day).result)
    for i in range(40):
        agenda.add_item(core, mid, f"Nội dung số {i + 1}", number=str(i + 1),
                        planned_start=at_local(day, 8, 0, tz) if i == 0 else None, planned_minutes=3)
    clock.set(at_local(day, 8, 0, tz))
    panel = AgendaPanel(runner)
    qtbot.addWidget(panel)
    panel.timer.stop()
    panel.resize(1000, 420)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_meeting(mid)
    panel.refresh()
    qtbot.waitUntil(lambda: len(panel.model.rows) == 40)
    m = panel.model
    announced: list[tuple[int, int, int, int]] = []
    m.dataChanged.connect(lambda a, b, *_r: announced.append((a.row(), b.row(), a.column(), b.column())))

    for press in range(1, 5):
        before = [r.cells for r in m.rows]  # (works every row's cells out)
        announced.clear()
        clock.advance(200)  # each item 20 s over its three minutes: every projection moves
        agenda.next_item(core, mid)
        panel.refresh()
        qtbot.waitUntil(lambda press=press: m.rows[press - 1].item.status == "running")
        # no range of more than 200 cells: QAbstractItemView repaints the whole view for one,
        # even when it is off screen
        assert all((r1 - r0 + 1) * (c1 - c0 + 1) <= 200 for r0, r1, c0, c1 in announced), announced
        top, bottom = panel._shown_rows()
        assert 0 < bottom < 30  # the view shows some rows only
        off = [i for i, r in enumerate(m.rows) if not top <= i <= bottom]
        assert off and not any(m.rows[i].built for i in off[-5:])  # not worked out
        f, mt = panel.forecast, panel.meeting
        assert f is not None and mt is not None
        for i, (it, fi, row) in enumerate(zip(panel.items, f.items, m.rows, strict=True)):
            assert row.cells == panel._row_cells(it, fi, mt.date), i  # the same cells as from scratch
            changed = [c for c, (x, y) in enumerate(zip(before[i], row.cells, strict=True)) if x != y]
            if changed:  # announced, at least the columns that changed
                assert any(r0 <= i <= r1 and c0 <= min(changed) and max(changed) <= c1
                           for r0, r1, c0, c1 in announced), (press, i, changed)

    # scrolled to the end: what the view paints is what a fresh model's paint shows
    clock.advance(200)
    agenda.next_item(core, mid)
    panel.refresh()
    qtbot.waitUntil(lambda: m.rows[4].item.status == "running")
    panel.view.scrollToBottom()
    QApplication.processEvents()
    assert not all(r.built for r in m.rows)
    shown = panel.view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    m.beginResetModel()
    m.endResetModel()
    panel.view.scrollToBottom()
    QApplication.processEvents()
    fresh = panel.view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    assert shown == fresh
