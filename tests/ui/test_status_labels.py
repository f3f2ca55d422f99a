"""The status bar's own labels (ui/status_labels.py): a message shown or gone (an operation's
label at each key press) and the meeting's start leave the window's layout alone, and the bar
looks exactly as when the labels were hidden and shown as Qt does."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel

from meeting_console.ui.main_window import MainWindow


class Layouts(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, _obj: QObject, ev: QEvent) -> bool:  # noqa: N802
        if ev.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def _settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def test_messages_and_the_meetings_start_do_not_lay_out_the_window(qtbot, window: MainWindow) -> None:
    sb = window.statusBar()
    qtbot.waitUntil(lambda: window.meeting is not None and bool(window.state_label.text()))
    assert window.meeting is not None and window.meeting.status == "draft"
    _settle()
    layouts = Layouts()
    window.installEventFilter(layouts)
    sb.showMessage("Next item", 4000)
    _settle()
    assert window.state_label.blank and window.busy_label.blank
    assert sb.currentMessage() == "Next item"
    sb.showMessage("Next item again", 4000)  # a press while the last message shows
    window.meeting = replace(window.meeting, status="live")
    window._show_meeting()  # the meeting's start
    assert window.state_label.text().startswith("Live")
    _settle()
    assert window.state_label.blank
    sb.clearMessage()
    _settle()
    assert not window.state_label.blank and not window.busy_label.blank
    assert window.state_label.isVisible() and window.busy_label.isVisible()
    assert layouts.count == 0
    window.close()  # closing hides them for real, as any widget
    assert not window.state_label.isVisible()


def _bar(window: MainWindow) -> QImage:
    _settle()
    return window.statusBar().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def test_the_bar_looks_as_with_labels_qt_hides(qtbot, window: MainWindow) -> None:
    sb = window.statusBar()
    qtbot.waitUntil(lambda: window.meeting is not None and bool(window.state_label.text()))
    # a bar with room for all its labels (the database's path is a long temporary one here):
    # in a bar too narrow for them Qt gives the permanent labels the room of the hidden ones
    # while a message shows, where blank labels keep it (the permanent ones stay in place)
    _settle()
    window.resize(max(1500, window.statusBar().sizeHint().width() + 100), 700)
    shots = [_bar(window)]
    sb.showMessage("Next item")
    shots.append(_bar(window))
    sb.clearMessage()
    shots.append(_bar(window))
    # as the bar was: the state's label as wide as its text, hidden while a message shows
    label = window.state_label
    label.setMinimumSize(0, 0)
    label.setMaximumSize(16_777_215, 16_777_215)
    stock = [_bar(window)]
    sb.showMessage("Next item")
    for lb in (label, window.busy_label):
        QLabel.setVisible(lb, False)
        lb.blank = False
    stock.append(_bar(window))
    sb.clearMessage()
    for lb in (label, window.busy_label):
        QLabel.setVisible(lb, True)
    stock.append(_bar(window))
    assert shots[0] != shots[1]
    for n, (mine, theirs) in enumerate(zip(shots, stock, strict=True)):
        assert mine == theirs, n
