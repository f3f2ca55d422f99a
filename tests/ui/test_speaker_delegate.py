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
        panel.view.grab()  # (a text's first paints are the style's; the kept text from the third)
        panel.view.grab()
        images.append(panel.view.grab().toImage())
    assert images[0] == images[1]


def test_cells_repainted_alone_leave_the_view_as_a_full_repaint_shows_it(qtbot, window: MainWindow, core,
                                                                        demo_id: int) -> None:
    """A call or a move announces its two rows cell by cell (each repainted inside its grid
    lines, not the row below for the line under them): what the window shows after each press
    is what a repaint of the whole queue shows."""
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtTest import QTest

    panel = window.speakers
    window.docks["speakers"].raise_()
    queue = [s for s in reads.speakers(core, demo_id) if s.position is not None]
    item = queue[0].agenda_item_id
    window.runner.run_sync(agenda.start_item, item)
    qtbot.waitUntil(lambda: panel.data is not None and panel.item_id == item)
    view = panel.view
    vp = view.viewport()
    screen = window.windowHandle().screen()

    class Painted(QObject):
        rects: list = []

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.rects.extend(event.region())
            return False

    painted = Painted()
    vp.installEventFilter(painted)

    def shown() -> object:
        top = vp.mapTo(window, vp.rect().topLeft())
        return screen.grabWindow(window.winId(), top.x(), top.y(), vp.width(), vp.height()).toImage()

    def same_as_full_repaint() -> None:
        qtbot.wait(50)
        before = shown()
        vp.repaint()
        qtbot.wait(20)
        assert shown() == before

    for n in range(1, 4):
        painted.rects.clear()
        panel.call_next()
        qtbot.waitUntil(lambda n=n: panel.data.current is not None and panel.data.current.id == queue[n - 1].id)
        same_as_full_repaint()
        row_height = view.rowHeight(0)
        # the current speaker's row, on top, repainted cell by cell within its grid lines
        top_row = [r for r in painted.rects if r.top() == 0 and r.width() < vp.width()]
        assert len(top_row) >= 2 and all(r.height() < row_height for r in top_row)
    waiting_row = panel.model.row_of(panel.data.waiting(item)[1].id)
    panel.select_id(panel.model.rows[waiting_row].id)
    view.setFocus()
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
        moved = panel.selected_id()
        QTest.keyClick(view, key, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda moved=moved, was=waiting_row: panel.model.row_of(moved) != was)
        waiting_row = panel.model.row_of(moved)
        same_as_full_repaint()


def test_kept_texts_follow_widths_and_elision_as_the_stock_delegate_does(qtbot, window: MainWindow, core,
                                                                         demo_id: int) -> None:
    """The delegate draws a text from a kept QStaticText (from its third paint on), a text too
    wide elided as the style elides it (one with breaks, which the style wraps, left to the
    style): narrow and wide columns, a right-aligned one, long Vietnamese names and topics, the
    same pixels as Qt's own delegate at each width."""
    panel = window.speakers
    window.docks["speakers"].raise_()
    queue = [s for s in reads.speakers(core, demo_id) if s.position is not None]
    window.runner.run_sync(agenda.start_item, queue[0].agenda_item_id)
    window.runner.run_sync(sp.call_next, queue[0].agenda_item_id)
    qtbot.waitUntil(lambda: panel.data is not None and panel.data.current is not None)
    view = panel.view
    ours = view.itemDelegate()
    stock = QStyledItemDelegate(view)
    for widths in ((20, 60, 50, 40, 30, 25, 40, 20, 80), (40, 260, 320, 140, 90, 60, 80, 60, 600),
                   (30, 120, 90, 70, 50, 38, 54, 45, 200)):
        for c, w in enumerate(widths):
            view.setColumnWidth(c, w)
        qtbot.wait(20)  # the scroll bars follow the new widths before either grab
        images = []
        for delegate in (ours, stock):
            view.setItemDelegate(delegate)
            view.grab()  # (a text's first paints are the style's; the kept text from the third)
            view.grab()
            images.append(view.grab().toImage())
        view.setItemDelegate(ours)
        assert images[0] == images[1], widths


class _CountingStyle:
    """Stands for the view's style in the delegate's per-paint state: counts the cells the
    style is asked to draw."""

    def __init__(self, style) -> None:  # type: ignore[no-untyped-def]
        self.style = style
        self.cells = 0

    def drawControl(self, *args) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 (Qt's naming)
        self.cells += 1
        self.style.drawControl(*args)


def test_plain_cells_are_not_given_to_a_style_that_paints_nothing_under_them(qtbot, window: MainWindow, core,
                                                                            demo_id: int) -> None:
    """Under Fusion (QCommonStyle's item panel) a cell not selected, without focus or background
    brush is not given to the style (it would paint nothing: the view filled the row's base);
    the selected row, the focused cell and the current speaker's (its background) are; the
    same pixels as the stock delegate. A style the delegate does not know (a style sheet's) is
    asked for every cell."""
    panel = window.speakers
    window.docks["speakers"].raise_()
    queue = [s for s in reads.speakers(core, demo_id) if s.position is not None]
    window.runner.run_sync(agenda.start_item, queue[0].agenda_item_id)
    window.runner.run_sync(sp.call_next, queue[0].agenda_item_id)
    qtbot.waitUntil(lambda: panel.data is not None and panel.data.current is not None)
    view = panel.view
    ours = view.itemDelegate()
    assert isinstance(ours, QueueDelegate)
    panel.select_id(queue[3].id)
    view.setFocus()
    counting: list[_CountingStyle] = []
    plain_state = ours._paint_state

    def counted_state(option):  # type: ignore[no-untyped-def]
        frame = plain_state(option)
        counting.append(_CountingStyle(frame[0]))
        ours._frame = frame = (counting[-1], *frame[1:])
        return frame

    ours._paint_state = counted_state  # type: ignore[method-assign]
    view.grab()
    view.grab()
    image = view.grab().toImage()
    shown = panel._rows_shown()
    cells = len(shown) * panel.model.columnCount()
    assert view.style().metaObject().className() == "QFusionStyle"
    assert ours._frame is not None and ours._frame[6] is True
    assert 0 < counting[-1].cells < cells / 2  # the selected row, the current speaker's, the focus
    view.setItemDelegate(QStyledItemDelegate(view))
    view.grab()
    assert view.grab().toImage() == image
    view.setItemDelegate(ours)
    view.setStyleSheet("QTableView { gridline-color: #d0d0d0; }")  # a style sheet's style
    view.grab()
    view.grab()
    image = view.grab().toImage()
    assert ours._frame is not None and ours._frame[6] is False  # every cell given to the style
    view.setItemDelegate(QStyledItemDelegate(view))
    view.grab()
    assert view.grab().toImage() == image


def test_a_text_painted_for_the_first_time_looks_as_the_stock_delegate_paints_it(
        qtbot, window: MainWindow, core, demo_id: int) -> None:
    """A text's first two paints are drawn as they are (no layout kept), where the kept text
    is drawn from its third: each paint the same pixels as Qt's own delegate, at several
    column widths (elided texts among them)."""
    panel = window.speakers
    window.docks["speakers"].raise_()
    queue = [s for s in reads.speakers(core, demo_id) if s.position is not None]
    window.runner.run_sync(agenda.start_item, queue[0].agenda_item_id)
    window.runner.run_sync(sp.call_next, queue[0].agenda_item_id)
    window.runner.run_sync(sp.call_next, queue[0].agenda_item_id)
    qtbot.waitUntil(lambda: panel.data is not None and panel.data.current is not None
                    and panel.data.current.id == queue[1].id)
    panel.select_id(queue[4].id)
    view = panel.view
    view.setFocus()
    ours = view.itemDelegate()
    assert isinstance(ours, QueueDelegate)
    stock = QStyledItemDelegate(view)
    for widths in ((20, 60, 50, 40, 30, 25, 40, 20, 80), (40, 260, 320, 140, 90, 60, 80, 60, 600)):
        for c, w in enumerate(widths):
            view.setColumnWidth(c, w)
        qtbot.wait(20)  # the scroll bars follow the new widths before the grabs
        view.setItemDelegate(stock)
        # (a grab first sends the moves and resizes still pending — a scroll bar shown for the
        # new widths on a loaded machine —: the grabs compared all see the same geometry)
        view.grab()
        expected = view.grab().toImage()
        view.setItemDelegate(ours)
        ours._texts.clear()
        for paint in range(3):  # first, second (drawn as they are), third (kept)
            assert view.grab().toImage() == expected, (widths, paint)


def test_texts_as_wide_as_their_cell_or_a_pixel_wider_look_as_the_stock_delegate_paints_them(
        qtbot, window: MainWindow, core, demo_id: int) -> None:
    """At the edge of elision (a column sized to its texts: 'Waiting' exactly as wide as its
    cell's text room), each column a pixel at a time around its widest text: the same pixels
    as Qt's own delegate at every paint (a fitting text drawn, an elided one drawn elided)."""
    panel = window.speakers
    window.docks["speakers"].raise_()
    queue = [s for s in reads.speakers(core, demo_id) if s.position is not None]
    window.runner.run_sync(agenda.start_item, queue[0].agenda_item_id)
    window.runner.run_sync(sp.call_next, queue[0].agenda_item_id)
    qtbot.waitUntil(lambda: panel.data is not None and panel.data.current is not None)
    view = panel.view
    ours = view.itemDelegate()
    assert isinstance(ours, QueueDelegate)
    stock = QStyledItemDelegate(view)
    view.resizeColumnsToContents()
    sized = [view.columnWidth(c) for c in range(panel.model.columnCount())]
    for delta in (-2, -1, 0, 1):
        for c, w in enumerate(sized):
            view.setColumnWidth(c, max(8, w + delta))
        qtbot.wait(20)
        view.setItemDelegate(stock)
        view.grab()  # (sends the moves and resizes still pending, as in the test above)
        expected = view.grab().toImage()
        view.setItemDelegate(ours)
        ours._texts.clear()
        for paint in range(3):
            assert view.grab().toImage() == expected, (delta, paint)
