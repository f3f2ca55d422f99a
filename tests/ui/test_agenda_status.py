"""The agenda summary's lines: a new text that fits the same height repaints the line without
laying out the window again; a text that needs another line gets it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QVBoxLayout, QWidget

from meeting_console.ui.agenda_status import StatusLine


class LayoutCount(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if ev.type() == QEvent.Type.LayoutRequest:
            self.n += 1
        return False


def _window(qtbot):
    top = QWidget()
    qtbot.addWidget(top)
    lay = QVBoxLayout(top)
    line = StatusLine(top)
    lay.addWidget(line)
    lay.addStretch(1)
    top.resize(400, 300)
    top.show()
    qtbot.waitExposed(top)
    return top, line


def test_same_height_repaints_without_layout(qtbot) -> None:
    top, line = _window(qtbot)
    line.setText("09:20:37   ▶ 5. Thảo luận — 16:37 of 1:35:00 · 1:18:23 left")
    qtbot.waitUntil(lambda: line.height() > 0)
    count = LayoutCount()
    top.installEventFilter(count)
    for s in range(38, 48):
        line.setText(f"09:20:{s}   ▶ 5. Thảo luận — 16:{s} of 1:35:00 · 1:18:{s} left")
        qtbot.wait(1)  # the event loop turns: a posted layout request would be delivered
    assert count.n == 0
    assert line.text().startswith("09:20:47")


def test_longer_text_gets_its_lines_and_short_again(qtbot) -> None:
    top, line = _window(qtbot)
    line.setText("Projected end 11:19")
    qtbot.waitUntil(lambda: line.height() > 0)
    one = line.height()
    long = " ".join(["Nội dung số 12: báo cáo, thảo luận và biểu quyết"] * 6)
    line.setText(long)
    qtbot.waitUntil(lambda: line.height() >= 3 * one)
    assert line.height() == line.heightForWidth(line.width())
    line.setText("Projected end 11:20")
    qtbot.waitUntil(lambda: line.height() == one)
    line.setText("")
    qtbot.waitUntil(lambda: line.height() == 0)


def test_a_word_longer_than_the_line_never_widens_it(qtbot) -> None:
    top, line = _window(qtbot)
    line.setText("x" * 400)
    assert line.minimumSizeHint().width() < 100
    qtbot.waitUntil(lambda: line.height() > line.minimumSizeHint().height())  # broken onto lines
    assert top.minimumSizeHint().width() < 400


def test_one_line_keeps_its_height_and_elides(qtbot) -> None:
    """The agenda's 'now' line: a longer title never asks for a second line (no layout at all),
    the text is elided in the middle — the clock and the countdown stay — and is whole in text()."""
    top = QWidget()
    qtbot.addWidget(top)
    lay = QVBoxLayout(top)
    line = StatusLine(top, one_line=True)
    lay.addWidget(line)
    lay.addStretch(1)
    top.resize(400, 300)
    top.show()
    qtbot.waitExposed(top)
    line.setText("08:32:00   ▶ 99. Nội dung số 99 — 0:00 of 3:00 · 3:00 left")
    qtbot.waitUntil(lambda: line.height() > 0)
    one = line.height()
    count = LayoutCount()
    top.installEventFilter(count)
    long = "08:35:00   ▶ 100. " + " ".join(["Nội dung số 100: báo cáo, thảo luận và biểu quyết"] * 4) \
        + " — 0:00 of 3:00 · 3:00 left"
    line.setText(long)
    qtbot.wait(1)
    assert count.n == 0 and line.height() == one == line.heightForWidth(line.width())
    assert line.text() == long and line.is_elided()
    shown = line.shown_text()
    assert shown.startswith("08:35:00") and shown.endswith("3:00 left") and "…" in shown
    assert top.minimumSizeHint().width() < 400


def test_advice_lines_keep_their_room_and_elide_at_the_end(qtbot) -> None:
    """The agenda's advice: the room of one line kept while there is none, so that the advice
    appearing (the meeting falls behind) lays out nothing; each piece of advice on one line,
    elided at its end whatever the items it names (whole in text()); a second piece of advice
    takes a second line."""
    from PySide6.QtCore import Qt

    top = QWidget()
    qtbot.addWidget(top)
    lay = QVBoxLayout(top)
    line = StatusLine(top, one_line=True, elide=Qt.TextElideMode.ElideRight, min_lines=1)
    lay.addWidget(line)
    lay.addStretch(1)
    top.resize(400, 300)
    top.show()
    qtbot.waitExposed(top)
    qtbot.waitUntil(lambda: line.height() > 0)
    qtbot.wait(10)  # the window's first layouts are done
    one = line.height()
    count = LayoutCount()
    top.installEventFilter(count)
    short = "To end on time every remaining item must be 1% shorter: 88. Nội dung −0:02"
    line.setText(short)
    qtbot.wait(1)
    long = "To end on time every remaining item must be 9% shorter: " + "; ".join(
        f"{n}. Nội dung số {n}: báo cáo, thảo luận và biểu quyết −0:16" for n in range(90, 94))
    line.setText(long)
    qtbot.wait(1)
    assert count.n == 0 and line.height() == one == line.heightForWidth(line.width())
    assert line.text() == long and line.is_elided()
    assert line.shown_text().startswith("To end on time every remaining item must be 9%")
    assert line.shown_text().endswith("…")
    line.setText(long + "\nThe system clock jumped +1:00:00 at 08:30:00")
    qtbot.waitUntil(lambda: line.height() == 2 * one)
    assert line.shown_text().split("\n")[1] == "The system clock jumped +1:00:00 at 08:30:00"
    line.setText("")
    qtbot.waitUntil(lambda: line.height() == one)


def _as_drawn_into_rectangles(line: StatusLine):  # noqa: ANN202
    """The line painted as it was before its lines were kept at their baselines: each line
    drawn into its rectangle (one-line: left, vertically centred in a line's height; wrapped:
    the whole text into the widget's rectangle)."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QFontMetrics, QImage, QPainter

    image = QImage(line.size(), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(line.palette().window().color())
    p = QPainter(image)
    p.setFont(line.font())
    p.setPen(line._color if line._color is not None else line.palette().windowText().color())
    if line.one_line:
        h = QFontMetrics(line.font()).height()
        for i, text in enumerate(line.shown_text().split("\n")):
            p.drawText(QRect(0, i * h, line.width(), h), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                       text)
    else:
        p.drawText(QRect(0, 0, line.width(), line.height()), line._flags(line.width()), line.text())
    p.end()
    return image


def test_lines_drawn_at_their_baselines_show_what_drawing_into_rectangles_showed(qtbot) -> None:
    """The "now" line, the projected end and the advice keep their lines' texts and baselines:
    what they show is what drawing each into its rectangle showed — one line, elided, several
    pieces of advice, a bold font, a text that fits and one that wraps."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage

    top = QWidget()
    qtbot.addWidget(top)
    lay = QVBoxLayout(top)
    now = StatusLine(top, one_line=True)
    end = StatusLine(top)
    advice = StatusLine(top, one_line=True, elide=Qt.TextElideMode.ElideRight, min_lines=1)
    bold = now.font()
    bold.setBold(True)
    bold.setPointSizeF(bold.pointSizeF() + 2.5)
    now.setFont(bold)
    end.set_color("#8e1b1b")
    for w in (now, end, advice):
        lay.addWidget(w)
    lay.addStretch(1)
    top.resize(420, 300)
    top.show()
    qtbot.waitExposed(top)
    texts = {
        now: ["09:20:12   ▶ 5. Thảo luận — 17:12 of 1:35:00 · 1:17:48 left",
              "09:20:13   ▶ 5. " + "Báo cáo công tác lãnh đạo thực hiện nhiệm vụ chính trị " * 2 + "— 0:01 · 2:59 left"],
        end: ["Projected end 11:18 · planned end 11:15 · 3:00 late", "Dự kiến kết thúc 11:18 · " * 5, "x"],
        advice: ["To end on time every remaining item must be 3% shorter: 5. Thảo luận −1:59",
                 "Planned times overlap: item 3 is planned 5:00 before item 2 ends\n" + "Cannot end on time " * 9],
    }
    for line, values in texts.items():
        for text in values:
            line.setText(text)
            qtbot.wait(10)
            for _ in range(2):  # (its lines worked out, then kept)
                shown = line.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
                assert shown == _as_drawn_into_rectangles(line), text
    # (the wrapped line drew its one-line texts at their baselines, the long one into its rectangle)
    end.setText(texts[end][1])
    assert end._lines() is None
    end.setText(texts[end][0])
    assert end._lines() == [(texts[end][0], end._lines()[0][1])]
