"""The timeline's delegate reads the palette, font and selection once per paint and draws each
cell's text as a cached QStaticText: the view looks exactly as with the plain per-cell painting
it replaced (``drawText`` into the cell's rectangle, colours read from the option each cell) —
done, running, amber and red countdowns, projected italics, elided titles, right-aligned and
centred columns, the selected row's frame, alternating rows, a disabled view."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPen, QRegion
from PySide6.QtWidgets import (
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from meeting_console.core import agenda
from meeting_console.core.clock import FakeClock
from meeting_console.core.timefmt import at_local
from meeting_console.ui.agenda_panel import COL_PRESENTER, COL_TITLE, AgendaPanel, TimelineDelegate
from meeting_console.ui.main_window import MainWindow


class PlainDelegate(QStyledItemDelegate):
    """The painting the timeline had before (per cell: the option's palette, the view's font,
    ``drawText`` into the rectangle with the column's alignment)."""

    def __init__(self, panel: AgendaPanel) -> None:
        super().__init__(panel.view)
        self.panel = panel
        self.align = [int((c.align or Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignVCenter)
                      for c in panel.model.columns]

    def paint(self, painter, option, index) -> None:  # noqa: ANN001
        model = self.panel.model
        r, c = index.row(), index.column()
        row = model.rows[r]
        text, fg, bg = row.cells[c]
        rect, pal = option.rect, option.palette
        if bg is None:
            alt = option.features & QStyleOptionViewItem.ViewItemFeature.Alternate
            bg = pal.alternateBase().color() if alt else pal.base().color()
        painter.fillRect(rect, bg)
        font = model.font_for(row, c) or self.panel.view.font()
        painter.setFont(font)
        painter.setPen(fg if fg is not None else pal.text().color())
        if text:
            inner = rect.adjusted(4, 0, -4, 0)
            painter.drawText(inner, self.align[c],
                             QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, inner.width()))
        if option.state & QStyle.StateFlag.State_Selected:
            hl = pal.highlight().color()
            tint = QColor(hl)
            tint.setAlpha(40)
            painter.fillRect(rect, tint)
            painter.setPen(QPen(hl, 2))
            painter.drawLine(rect.left(), rect.top() + 1, rect.right(), rect.top() + 1)
            painter.drawLine(rect.left(), rect.bottom(), rect.right(), rect.bottom())
            if c == 0:
                painter.drawLine(rect.left() + 1, rect.top(), rect.left() + 1, rect.bottom())
            if c == len(model.columns) - 1:
                painter.drawLine(rect.right(), rect.top(), rect.right(), rect.bottom())


def grabs(panel: AgendaPanel) -> tuple[QImage, QImage]:
    mine = panel.view.itemDelegate()
    assert isinstance(mine, TimelineDelegate)
    plain = PlainDelegate(panel)
    images = []
    for delegate in (mine, plain):
        panel.view.setItemDelegate(delegate)
        images.append(panel.view.grab().toImage())
    panel.view.setItemDelegate(mine)
    return images[0], images[1]


def test_the_timeline_delegate_paints_what_the_plain_painting_did(qtbot, window: MainWindow, core,
                                                                  clock: FakeClock, demo_id: int) -> None:
    panel = window.agenda
    panel.timer.stop()
    window.resize(1400, 900)
    day = panel.meeting.date if panel.meeting else None
    clock.set(at_local(day, 8, 0, panel.tz))
    agenda.next_item(core, demo_id)
    clock.advance(minutes=7)
    agenda.next_item(core, demo_id)  # item 1 done (late or early), item 2 running
    panel.refresh()
    qtbot.waitUntil(lambda: [r.item.status for r in panel.model.rows][:2] == ["done", "running"])
    allowed = panel.forecast.current.allowed_seconds if panel.forecast and panel.forecast.current else 600
    started: datetime = clock.now()
    moments = [started + timedelta(seconds=30),                  # normal countdown
               started + timedelta(seconds=allowed - 30),        # amber: the last minute
               started + timedelta(seconds=allowed + 95)]        # red: over time
    for n, now in enumerate(moments):
        clock.set(now)
        panel.tick()
        if n == 1:
            header = panel.view.horizontalHeader()
            header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Interactive)
            panel.view.setColumnWidth(COL_TITLE, 90)  # titles elided
        if n == 2:
            panel.select_id(panel.model.rows[4].id)  # a pending row selected
            panel.view.setColumnWidth(COL_PRESENTER, 11)  # narrower than "…": cut at the edge
        for _ in range(3):
            QApplication.processEvents()  # the view's scroll bars follow its columns' widths
        mine, plain = grabs(panel)
        if os.environ.get("AGENDA_DELEGATE_GRABS"):
            mine.save(os.path.join(os.environ["AGENDA_DELEGATE_GRABS"], f"moment{n}.png"))
            plain.save(os.path.join(os.environ["AGENDA_DELEGATE_GRABS"], f"plain{n}.png"))
        assert mine == plain, f"moment {n}"
    panel.view.setEnabled(False)  # the palette's disabled colours
    mine, plain = grabs(panel)
    panel.view.setEnabled(True)
    assert mine == plain


class Paints(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.regions: list[QRegion] = []

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:  # noqa: N802
        if ev.type() == QEvent.Type.Paint:
            self.regions.append(QRegion(ev.region()))  # type: ignore[attr-defined]
        return False


def test_a_partly_repainted_timeline_shows_what_a_full_paint_shows(qtbot, window: MainWindow, core,
                                                                    clock: FakeClock, demo_id: int) -> None:
    """A range of changed rows is repainted, not the row below it (Qt's own repaint of a range
    reaches one pixel into the next row and column, and asks the delegate for every cell
    there: see TimelineView): the window then shows what painting it whole shows."""
    panel = window.agenda
    panel.timer.stop()
    day = panel.meeting.date if panel.meeting else None
    clock.set(at_local(day, 8, 0, panel.tz))
    agenda.next_item(core, demo_id)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.model.rows[0].item.status == "running")
    vp = panel.view.viewport()
    paints = Paints()
    vp.installEventFilter(paints)
    m = panel.model
    last = m.columnCount() - 1
    view = panel.view
    for first, end, left, right, selected in ((0, 0, 0, last, 1), (1, 2, 0, last, 3), (2, 3, 0, last, 3),
                                              (4, 5, 0, last, 0), (1, 3, 2, 5, 2)):
        panel.select_id(m.rows[selected].id)
        QApplication.processEvents()
        paints.regions.clear()
        m.dataChanged.emit(m.index(first, left), m.index(end, right))
        qtbot.waitUntil(lambda: bool(paints.regions))
        painted = QRegion()
        for reg in paints.regions:
            painted += reg
        cells = view.visualRect(m.index(first, left)).united(view.visualRect(m.index(end, right)))
        assert painted.contains(cells)
        # not the row below, nor the column to the right
        assert not painted.intersects(view.visualRect(m.index(end + 1, left)))
        if right < last:
            assert not painted.intersects(view.visualRect(m.index(first, right + 1)))
        origin = vp.mapTo(window, vp.rect().topLeft())
        area = QRect(origin, vp.size())
        shot = window.screen().grabWindow(window.winId()).toImage().convertToFormat(QImage.Format.Format_RGB32)
        full = window.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        assert shot.copy(area) == full.copy(area), (first, end)


def test_a_text_painted_first_at_its_baseline_then_kept_shows_the_same_pixels(
        qtbot, window: MainWindow, core, clock: FakeClock, demo_id: int) -> None:
    """A text's first paint is a plain ``drawText`` at its baseline, its second lays it out to
    keep (QStaticText), the third draws what was kept: the same pixels each time, and the same
    as the per-cell painting (projected italics, the running item's bold, centred and
    right-aligned columns)."""
    panel = window.agenda
    panel.timer.stop()
    window.resize(1400, 900)
    day = panel.meeting.date if panel.meeting else None
    clock.set(at_local(day, 8, 0, panel.tz))
    agenda.next_item(core, demo_id)
    clock.advance(minutes=4, seconds=17)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.model.rows[0].item.status == "running")
    panel.tick()
    QApplication.processEvents()
    mine = panel.view.itemDelegate()
    assert isinstance(mine, TimelineDelegate)
    mine._texts.clear()
    mine._seen.clear()
    shots = [panel.view.grab().toImage() for _ in range(3)]
    assert mine._seen and mine._texts  # first paint at the baseline, then kept
    _mine, plain = grabs(panel)
    for n, shot in enumerate(shots):
        assert shot == plain, f"paint {n + 1}"


def test_a_one_row_scroll_repaints_the_scroll_bar_alone(qtbot, window: MainWindow, core, demo_id: int) -> None:
    """The timeline scrolls a row at each "next item": its scroll bar (opaque under the flat
    styles) repaints without the view's frame, the panel and the window beneath it, and only
    when its slider moves; the screen shows what a full paint shows."""
    from meeting_console.ui.speaker_steady import FLAT_STYLES, SteadyScrollBar

    for i in range(40):
        agenda.add_item(core, demo_id, f"Nội dung thêm {i + 1}", planned_minutes=3)
    panel = window.agenda
    panel.timer.stop()
    panel.refresh()
    qtbot.waitUntil(lambda: len(panel.model.rows) > 40)
    window.resize(1200, 700)
    bar = panel.view.verticalScrollBar()
    assert isinstance(bar, SteadyScrollBar)
    assert bar.autoFillBackground() == (bar.style().metaObject().className() in FLAT_STYLES)
    qtbot.waitUntil(lambda: bar.maximum() > 10)
    beneath = [panel.view, panel, window]
    paints = {id(w): Paints() for w in [bar, *beneath]}
    for w in [bar, *beneath]:
        w.installEventFilter(paints[id(w)])
    moved = 0
    for value in range(1, 8):
        skipped = bar.skipped
        for p in paints.values():
            p.regions.clear()
        bar.setValue(value)
        qtbot.waitUntil(lambda s=skipped: bar.skipped > s or bool(paints[id(bar)].regions))
        qtbot.wait(20)
        if bar.autoFillBackground():
            for w in beneath:
                assert not any(r.intersects(QRect(bar.mapTo(w, bar.rect().topLeft()), bar.size()))
                               for r in paints[id(w)].regions), (value, type(w).__name__)
        area = QRect(panel.mapTo(window, panel.rect().topLeft()), panel.size())
        shot = window.screen().grabWindow(window.winId()).toImage().convertToFormat(QImage.Format.Format_RGB32)
        full = window.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        assert shot.copy(area) == full.copy(area), value
        moved += bool(paints[id(bar)].regions)
    assert moved  # the slider moved (and the bar was repainted) at some of the steps
