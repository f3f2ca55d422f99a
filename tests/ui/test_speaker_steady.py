"""Labels set through ``Steady`` ask for a layout only when their size changes: what is shown is
what a fresh layout of every label gives (pixels compared), and a text needing another line still
makes room for it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QWidget

from meeting_console.core import agenda, reads
from meeting_console.core import speakers as sp
from meeting_console.ui.main_window import MainWindow
from meeting_console.ui.speaker_steady import Steady, SteadyVBoxLayout


class LayoutRequests(QObject):
    def __init__(self, *widgets: QWidget) -> None:
        super().__init__()
        self.count = 0
        for w in widgets:
            w.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def relaid(qtbot, top: QWidget, labels: list[QLabel]) -> None:
    """Every label asks for a layout, the ordinary way, and the layouts run."""
    for label in labels:
        label.updateGeometry()
    qtbot.wait(50)


def column(qtbot) -> tuple[QWidget, Steady, list[QLabel]]:
    w = QWidget()
    lay = SteadyVBoxLayout(w)
    labels = []
    for i in range(4):
        label = QLabel(f"line {i}")
        label.setWordWrap(True)
        lay.addWidget(label)
        labels.append(label)
    lay.addStretch(1)
    qtbot.addWidget(w)
    w.resize(220, 300)
    w.show()
    qtbot.waitExposed(w)
    qtbot.wait(20)
    return w, Steady(lay), labels


def test_a_text_of_the_same_size_only_repaints(qtbot) -> None:
    w, steady, labels = column(qtbot)
    requests = LayoutRequests(w)
    geometry = [lb.geometry() for lb in labels]
    steady.set_text(labels[1], "line 7")
    steady.set_text(labels[2], "line 8")
    qtbot.wait(30)
    assert requests.count == 0 and steady.relaid == 0
    assert [lb.geometry() for lb in labels] == geometry
    shown = w.grab().toImage()
    relaid(qtbot, w, labels)
    assert requests.count > 0
    assert [lb.geometry() for lb in labels] == geometry
    assert w.grab().toImage() == shown


def test_a_text_needing_more_room_is_laid_out(qtbot) -> None:
    w, steady, labels = column(qtbot)
    one_line = labels[1].height()
    steady.set_text(labels[1], "a much longer line that has to wrap onto a second and a third line here")
    assert steady.relaid == 1
    qtbot.waitUntil(lambda: labels[1].height() > one_line)
    assert labels[2].y() >= labels[1].geometry().bottom()
    shown = w.grab().toImage()
    geometry = [lb.geometry() for lb in labels]
    relaid(qtbot, w, labels)
    assert [lb.geometry() for lb in labels] == geometry
    assert w.grab().toImage() == shown
    # back to one line: the room is given back
    steady.set_text(labels[1], "short")
    qtbot.waitUntil(lambda: labels[1].height() == one_line)


def test_a_style_making_a_label_bold_is_laid_out_when_it_grows(qtbot) -> None:
    w, steady, labels = column(qtbot)
    width = labels[0].sizeHint().width()
    steady.set_style(labels[0], "font-weight: bold; font-size: 30px;")
    assert steady.relaid == 1
    qtbot.waitUntil(lambda: labels[0].height() >= 30)
    assert labels[0].sizeHint().width() > width


def test_calling_speakers_does_not_lay_out_the_window_and_shows_what_a_fresh_layout_shows(
        qtbot, window: MainWindow, core, demo_id: int) -> None:
    panel = window.speakers
    pane = panel.pane
    window.docks["speakers"].raise_()
    queue = [s for s in reads.speakers(core, demo_id) if s.position is not None]
    item = queue[0].agenda_item_id
    window.runner.run_sync(agenda.start_item, item)
    qtbot.waitUntil(lambda: panel.data is not None and panel.item_id == item)
    qtbot.wait(100)
    def call(n: int) -> None:
        panel.call_next()
        qtbot.waitUntil(lambda: panel.data.current is not None and panel.data.current.id == queue[n - 1].id)
        qtbot.wait(30)

    call(1)  # the first call changes more (the undo action's text in the toolbar…)
    # (the window may lay out for its own reasons meanwhile, e.g. "Saving…" shown for a slow write)
    requests = LayoutRequests(panel, panel.budget.parentWidget())
    call(2)
    call(3)
    # the budget line kept its size: its row and the panel (and with them its dock and the
    # window) were not laid out
    assert panel._steady.relaid == 0 and requests.count == 0
    labels = pane.findChildren(QLabel) + [panel.budget]
    def grabs() -> tuple[object, object]:
        # the first paint of the large timer's glyphs differs from the cached ones by a shade
        pane.grab()
        return pane.grab().toImage(), panel.grab().toImage()

    shown = grabs()
    relaid(qtbot, window, labels)
    assert grabs() == shown
    # the pane follows the floor
    assert pane.name.text() == queue[2].person_name
    window.runner.run_sync(sp.end_current, demo_id)
    qtbot.waitUntil(lambda: panel.data.current is None)


def plain_column(qtbot) -> tuple[QWidget, Steady, list[QLabel]]:
    from PySide6.QtCore import Qt

    w, _steady, labels = column(qtbot)
    for label in labels:
        label.setTextFormat(Qt.TextFormat.PlainText)
    qtbot.wait(20)  # (the format's own layout request)
    return w, Steady(*_steady.layouts, width_given=True), labels


def test_a_column_of_given_width_keeps_one_line_texts_without_a_layout(qtbot) -> None:
    """Width given (the speaker pane): another name of one line, however wide its text would
    like to be (its size hint), is set without a layout; what is shown is what a fresh layout
    of every label gives."""
    w, steady, labels = plain_column(qtbot)
    requests = LayoutRequests(w)
    geometry = [lb.geometry() for lb in labels]
    for text in ("Nguyễn Văn Lâm 1", "Lê Lý", "Đặng Thị Thanh Hương 123", "x"):
        steady.set_text(labels[1], text)
        qtbot.wait(20)
        assert requests.count == 0 and steady.relaid == 0, text
        assert [lb.geometry() for lb in labels] == geometry
    shown = w.grab().toImage()
    relaid(qtbot, w, labels)
    assert requests.count > 0
    assert [lb.geometry() for lb in labels] == geometry
    assert w.grab().toImage() == shown


def test_one_line_is_said_only_of_texts_that_take_one_line(qtbot) -> None:
    """At the edge of wrapping, a character at a time: a text said to take one line is one
    line high at the label's width; a text growing to two lines (or back) is laid out and
    shown as a fresh layout shows it."""
    from meeting_console.ui.speaker_steady import one_line

    w, steady, labels = plain_column(qtbot)
    label = labels[2]
    one = label.heightForWidth(label.width())
    words = "Phó Chủ tịch Ủy ban nhân dân tỉnh Tuyên Quang kiêm Giám đốc Sở"
    said = 0
    for n in range(1, len(words) + 1):
        text = words[:n]
        steady.set_text(label, text)
        qtbot.wait(5)
        if one_line(label, text):
            said += 1
            assert label.heightForWidth(label.width()) == one, text
        geometry = [lb.geometry() for lb in labels]
        relaid(qtbot, w, labels)
        assert [lb.geometry() for lb in labels] == geometry, text
    assert 0 < said < len(words)
    assert not one_line(label, "") and not one_line(label, "a\nb")


def test_lines_painted_alone_look_as_painted_over_their_parents(qtbot, window: MainWindow, core,
                                                                demo_id: int) -> None:
    """The lines a call changes (and the queue's scroll bar) are opaque under Fusion: repainted
    alone, not over the dock, panel and pane beneath them; the window looks the same as with
    them painted over their parents (the budget in red too)."""
    from PySide6.QtWidgets import QScrollBar

    panel = window.speakers
    pane = panel.pane
    window.docks["speakers"].raise_()
    queue = [s for s in reads.speakers(core, demo_id) if s.position is not None]
    window.runner.run_sync(agenda.start_item, queue[0].agenda_item_id)
    window.runner.run_sync(sp.call_next, queue[0].agenda_item_id)
    qtbot.waitUntil(lambda: panel.data is not None and panel.data.current is not None)
    alone = [w for w in pane.findChildren(QLabel) + [panel.budget, panel.view.verticalScrollBar()]
             if w.autoFillBackground()]
    assert panel.budget in alone and pane.name in alone and isinstance(alone[-1], QScrollBar)
    for red in (False, True):
        panel._steady.set_style(panel.budget, "color: #c62828; font-weight: bold;" if red else "")
        qtbot.wait(30)
        shown = window.grab().toImage()
        for w in alone:
            w.setAutoFillBackground(False)
        assert window.grab().toImage() == shown
        for w in alone:
            w.setAutoFillBackground(True)


def test_flat_styles_paint_an_opaque_line_and_scroll_bar_as_a_see_through_one(qtbot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QScrollBar, QStyleFactory, QVBoxLayout

    from meeting_console.ui.speaker_steady import FLAT_STYLES, paint_alone

    for key in ("Fusion", "Windows"):
        style = QStyleFactory.create(key)
        assert style.metaObject().className() in FLAT_STYLES
        top = QWidget()
        qtbot.addWidget(top)
        top.setStyle(style)
        lay = QVBoxLayout(top)
        label, bar = QLabel("Nguyễn Văn Lâm — 12 waiting · the queue needs 1:00:00"), QScrollBar(Qt.Orientation.Vertical)
        bar.setRange(0, 500)
        bar.setValue(37)
        for w in (label, bar):
            w.setStyle(style)
            lay.addWidget(w)
        top.resize(400, 240)
        top.show()
        qtbot.waitExposed(top)
        shown = top.grab().toImage()
        paint_alone(label, bar)
        assert label.autoFillBackground() and bar.autoFillBackground()
        assert top.grab().toImage() == shown, key


def test_a_column_of_given_width_measures_long_lines_as_a_fresh_layout_lays_them_out(qtbot) -> None:
    """Lines of one, two and three lines, words of every width up to wider than the column
    (and words joined by no-break spaces): what is shown is what a fresh layout gives."""
    w, steady, labels = plain_column(qtbot)
    label = labels[2]
    texts = ["494 waiting · the queue needs 41:15:00 · the item has 9:59:06 left (until 13:45) · "
             "31:15:54 OVER · 1:12 each would fit", "short", "a\u00a0" * 40, "x" * 80,
             "Phó Chủ tịch Ủy ban nhân dân tỉnh Tuyên Quang " * 3, "W" * 30 + " tail", "two words"]
    for text in texts * 2:
        steady.set_text(label, text)
        qtbot.wait(20)
        geometry = [lb.geometry() for lb in labels]
        shown = w.grab().toImage()
        relaid(qtbot, w, labels)
        assert [lb.geometry() for lb in labels] == geometry, text
        assert w.grab().toImage() == shown, text


def test_a_steady_scroll_bar_shows_what_a_repaint_shows_at_every_value(qtbot) -> None:
    """Stepped a row at a time as the queue scrolls at each call (the slider moves a pixel
    every few rows): repainted only when the slider moves or reaches an end, and what the
    window shows is what a repaint shows, at every value, both ends included."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QVBoxLayout

    from meeting_console.ui.speaker_steady import SteadyScrollBar

    top = QWidget()
    qtbot.addWidget(top)
    lay = QVBoxLayout(top)
    bar = SteadyScrollBar(Qt.Orientation.Vertical)
    bar.setRange(0, 494)  # a queue of 500, seven rows shown
    bar.setPageStep(7)
    lay.addWidget(bar)
    top.resize(30, 187)
    top.show()
    qtbot.waitExposed(top)
    screen = top.windowHandle().screen()

    def shown() -> object:
        qtbot.wait(10)
        return screen.grabWindow(top.winId(), 0, 0, top.width(), top.height()).toImage()

    values = [*range(0, 40), *range(39, -1, -3), *range(480, 495), 494, 0]
    for value in values:
        bar.setValue(value)
        before = shown()
        bar.repaint()
        assert shown() == before, value
    assert 0 < bar.skipped < len(values)
