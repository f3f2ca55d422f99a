"""The current speaker pane's name, posts and endpoint: plain labels, selectable (to copy them)
while the mouse is over them (a selectable label's document, laid out lazily, repainted it once
more after the window's frame at every call); either way the same pixels."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QEnterEvent
from PySide6.QtWidgets import QApplication

from meeting_console.core import agenda, reads
from meeting_console.core import speakers as sp
from meeting_console.ui.speaker_pane import CurrentSpeakerPane

SELECTABLE = Qt.TextInteractionFlag.TextSelectableByMouse
PLAIN = Qt.TextInteractionFlag.NoTextInteraction


def _enter(widget) -> None:  # type: ignore[no-untyped-def]
    p = QPointF(2, 2)
    QApplication.sendEvent(widget, QEnterEvent(p, p, widget.mapToGlobal(p)))


def test_the_speaker_lines_are_selectable_under_the_mouse_and_look_the_same(qtbot) -> None:
    pane = CurrentSpeakerPane(lambda: datetime(2022, 1, 14, 8, 0))
    qtbot.addWidget(pane)
    pane.resize(420, 640)
    pane.show()
    qtbot.waitExposed(pane)
    lines = (pane.name, pane.posts, pane.endpoint)
    texts = ("Nguyễn Thị Phương Thảo Huyền Trang Ngọc Ánh Hoàng Thái Long",
             "Phó Chủ tịch Ủy ban nhân dân tỉnh Tuyên Quang, Trưởng Ban Chỉ đạo phòng, chống dịch",
             "Speaks from: Điểm cầu huyện Chiêm Hóa — Mất kết nối")
    for label, text in zip(lines, texts, strict=True):
        label.setText(text)
    qtbot.wait(30)
    assert all(lb.textInteractionFlags() == PLAIN for lb in lines)
    plain = [lb.grab().toImage() for lb in lines]
    sizes = [lb.size() for lb in lines]
    for label in lines:
        _enter(label)
        assert label.textInteractionFlags() == SELECTABLE
    qtbot.wait(30)
    assert [lb.size() for lb in lines] == sizes
    assert [lb.grab().toImage() for lb in lines] == plain
    for label in lines:
        QApplication.sendEvent(label, QEvent(QEvent.Type.Leave))
        assert label.textInteractionFlags() == PLAIN
    # some text selected: kept selectable after the mouse left, to copy it
    _enter(pane.name)
    pane.name.setSelection(0, 6)
    QApplication.sendEvent(pane.name, QEvent(QEvent.Type.Leave))
    assert pane.name.textInteractionFlags() == SELECTABLE and pane.name.hasSelectedText()


def test_another_speaker_paints_the_name_once(qtbot, core, demo_id: int) -> None:
    queue = [s for s in reads.speakers(core, demo_id) if s.position is not None]
    item = queue[0].agenda_item_id
    agenda.start_item(core, item)
    views = []
    for _n in range(3):
        sp.call_next(core, item)
        views.append(sp.queue_view(core, demo_id))
    pane = CurrentSpeakerPane(core.clock.now)
    qtbot.addWidget(pane)
    pane.resize(420, 640)
    pane.show()
    qtbot.waitExposed(pane)
    pane.show_view(views[0], item, views[0].current)
    qtbot.wait(50)

    class Paints(QObject):
        count = 0

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    paints = Paints()
    pane.name.installEventFilter(paints)
    for view in views[1:]:
        pane.show_view(view, item, view.current)
        qtbot.wait(100)
        assert pane.name.text() == view.current.person_name
        assert paints.count == 1
        paints.count = 0

