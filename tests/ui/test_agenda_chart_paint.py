"""The planned-vs-actual chart repaints only what a change moved, and what it shows then is what
a full repaint draws."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QImage, QRegion

from meeting_console.core import forecast as fc
from meeting_console.core.reads import AgendaItemInfo
from meeting_console.ui.agenda_chart import AXIS_H, CURRENT_BAND, PAD, ROW_H, AgendaChart, end_unit

T0 = datetime(2022, 1, 14, 1, 0, tzinfo=UTC)


def agenda(running: int, n: int = 12) -> tuple[AgendaItemInfo, ...]:
    """n items of 3 minutes; those before ``running`` done on time, ``running`` running."""
    out = []
    for i in range(n):
        status = "done" if i < running else "running" if i == running else "pending"
        out.append(AgendaItemInfo(
            i + 1, 1, i + 1, str(i + 1), f"Nội dung số {i + 1}", "other", None, "", "",
            T0 if i == 0 else None, 3, T0 + timedelta(minutes=3 * i) if i <= running else None,
            T0 + timedelta(minutes=3 * i + 3) if i < running else None, status, None, 0, 0, False, None, ""))
    return tuple(out)


def feed(chart: AgendaChart, running: int, now: datetime) -> None:
    items = agenda(running)
    f = fc.forecast(items, now, meeting_status="live")
    chart.set_data(fc.chart_bars(items, f), f, "Asia/Ho_Chi_Minh")


class Paints(QObject):
    """Each paint's bounding rectangle and region."""

    def __init__(self) -> None:
        super().__init__()
        self.rects: list[QRect] = []
        self.regions: list[QRegion] = []

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if ev.type() == QEvent.Type.Paint:
            self.rects.append(ev.rect())  # type: ignore[attr-defined]
            self.regions.append(QRegion(ev.region()))  # type: ignore[attr-defined]
        return False


def test_next_item_repaints_two_strips_and_the_lines_not_the_chart(qtbot) -> None:
    chart = AgendaChart()
    qtbot.addWidget(chart)
    chart.resize(900, 400)
    feed(chart, 3, T0 + timedelta(minutes=10))
    chart.show()
    qtbot.waitExposed(chart)
    feed(chart, 3, T0 + timedelta(minutes=10))  # at the size shown
    qtbot.wait(50)
    paints = Paints()
    chart.installEventFilter(paints)
    feed(chart, 4, T0 + timedelta(minutes=12))  # "next item": 4 done, 5 running, now moves
    qtbot.waitUntil(lambda: bool(paints.rects))
    painted = paints.rects[-1]
    assert painted.height() < chart.height() or painted.width() < chart.width()
    # what is on the screen now is what a full repaint draws
    shot = chart.screen().grabWindow(chart.winId()).toImage().convertToFormat(QImage.Format.Format_RGB32)
    full = chart.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    size = full.size().boundedTo(shot.size())
    assert shot.copy(0, 0, size.width(), size.height()) == full.copy(0, 0, size.width(), size.height())


def test_unchanged_data_repaints_nothing(qtbot) -> None:
    chart = AgendaChart()
    qtbot.addWidget(chart)
    chart.resize(900, 400)
    now = T0 + timedelta(minutes=10)
    feed(chart, 3, now)
    chart.show()
    qtbot.waitExposed(chart)
    feed(chart, 3, now)  # at the size shown
    qtbot.wait(50)
    paints = Paints()
    chart.installEventFilter(paints)
    feed(chart, 3, now)
    qtbot.wait(50)
    assert paints.rects == []


def test_strips_kept_between_presses_are_what_a_fresh_measure_gives(qtbot) -> None:
    """The chart keeps the pixels of a pending strip while its bar object and the axis stay the
    same: what it then compares is what measuring every strip again gives."""
    chart = AgendaChart()
    qtbot.addWidget(chart)
    chart.resize(900, 400)
    items = agenda(3)
    now = T0 + timedelta(minutes=10)
    f = fc.forecast(items, now, meeting_status="live")
    bars = list(fc.chart_bars(items, f))
    chart.set_data(bars, f, "Asia/Ho_Chi_Minh")
    k = 7
    assert bars[k].status == "pending" and bars[k].projected_end is not None
    moved = list(bars)
    moved[k] = bars[k]._replace(projected_start=bars[k].projected_start + timedelta(minutes=1),
                       projected_end=bars[k].projected_end + timedelta(minutes=1))
    before = chart._signature()
    chart.set_data(moved, f, "Asia/Ho_Chi_Minh")
    kept = chart._signature()
    chart._strip_memo, chart._strip_axis = {}, None
    assert kept == chart._signature()
    assert kept[0] == before[0]  # same axis: only that strip differs
    assert [i for i, (a, b) in enumerate(zip(before[1], kept[1], strict=True)) if a != b] == [k]


def test_a_chart_fed_press_after_press_draws_what_a_fresh_chart_draws(qtbot) -> None:
    """What the chart keeps between calls (strips' pixels, the legend's layout, the axis'
    ticks, fonts) changes nothing it draws: after each "next item" its picture is a fresh
    chart's, given the same data once."""
    kept = AgendaChart()
    qtbot.addWidget(kept)
    kept.resize(900, 400)
    kept.show()
    qtbot.waitExposed(kept)
    for running, minutes in ((3, 10), (4, 12), (5, 16), (6, 17), (7, 25)):
        now = T0 + timedelta(minutes=minutes)
        feed(kept, running, now)
        fresh = AgendaChart()
        qtbot.addWidget(fresh)
        fresh.resize(900, 400)
        feed(fresh, running, now)
        fresh.show()
        qtbot.waitExposed(fresh)
        assert kept.size() == fresh.size()
        assert kept.grab().toImage() == fresh.grab().toImage(), (running, minutes)
        fresh.close()


def test_a_long_label_of_the_current_item_stays_in_its_column(qtbot) -> None:
    """Labels are elided by the plain font's measure; the current item's is bold, so wider: it
    is cut at the label column's edge, as drawText into the label's box cuts it (a label drawn
    from a kept layout is used only when it fits)."""
    chart = AgendaChart()
    qtbot.addWidget(chart)
    chart.resize(520, 400)
    items = tuple(replace(it, title="Báo cáo công tác lãnh đạo thực hiện nhiệm vụ phát triển kinh tế")
                  for it in agenda(3))
    now = T0 + timedelta(minutes=10)
    f = fc.forecast(items, now, meeting_status="live")
    chart.set_data(fc.chart_bars(items, f), f, "Asia/Ho_Chi_Minh")
    chart.show()
    qtbot.waitExposed(chart)
    for _ in range(2):  # the second paint draws from what the first kept
        image = chart.grab().toImage()
        label_w = int(chart._label_width())
        top = AXIS_H + 3 * ROW_H  # the running item's strip (index 3)
        band = {image.pixelColor(x, y).name() for x in range(label_w, label_w + PAD - 1)
                for y in range(top + 2, top + ROW_H - 2)}
        assert band == {CURRENT_BAND.name()}


def test_a_moving_axis_then_a_still_one_repaints_what_a_full_repaint_draws(qtbot) -> None:
    """A meeting running late moves the axis at each change (the whole chart repaints, the
    strips are not measured); when the axis then stays, the strips that changed since the last
    picture are repainted — the screen shows what a full repaint draws at every step."""
    chart = AgendaChart()
    qtbot.addWidget(chart)
    chart.resize(900, 400)
    feed(chart, 3, T0 + timedelta(minutes=10))
    chart.show()
    qtbot.waitExposed(chart)
    paints = Paints()
    chart.installEventFilter(paints)
    heads = []
    steps = ((3, 13), (3, 15), (4, 16), (4, 16.1), (5, 16.5), (5, 16.6), (6, 19), (6, 19.2))
    for running, minutes in steps:
        items = agenda(running)
        # the item before the running one ended late: every projection after it moves
        f = fc.forecast(items, T0 + timedelta(minutes=minutes), meeting_status="live")
        paints.rects.clear()
        chart.set_data(fc.chart_bars(items, f), f, "Asia/Ho_Chi_Minh")
        heads.append(chart._drawn[0])
        qtbot.waitUntil(lambda: bool(paints.rects))  # (each step moves "now" at least)
        shot = chart.screen().grabWindow(chart.winId()).toImage().convertToFormat(QImage.Format.Format_RGB32)
        full = chart.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        size = full.size().boundedTo(shot.size())
        assert shot.copy(0, 0, size.width(), size.height()) == full.copy(0, 0, size.width(), size.height()), \
            (running, minutes)
    assert any(a != b for a, b in zip(heads, heads[1:], strict=False))  # the axis moved
    assert any(a == b for a, b in zip(heads, heads[1:], strict=False))  # and stayed


def test_after_a_moved_axis_only_the_strips_whose_bar_changed_are_measured(qtbot) -> None:
    """The axis moved at the last change (whole repaint, strips not measured); at the next, on
    the same axis, the strips whose bar is the very same object are left as painted without
    being measured, the others are measured alone and repainted — and the screen shows what a
    full repaint draws."""
    chart = AgendaChart()
    qtbot.addWidget(chart)
    chart.resize(900, 400)
    feed(chart, 3, T0 + timedelta(minutes=10))
    chart.show()
    qtbot.waitExposed(chart)
    items = agenda(3)
    f = fc.forecast(items, T0 + timedelta(minutes=13), meeting_status="live")
    bars = fc.chart_bars(items, f)
    paints = Paints()
    chart.installEventFilter(paints)
    heads = chart._drawn[0]
    chart.set_data(bars, f, "Asia/Ho_Chi_Minh")  # the axis moves: a whole repaint
    assert chart._drawn[0] != heads
    qtbot.waitUntil(lambda: any(r.height() >= chart.height() for r in paints.rects))
    paints.rects.clear()
    memo = chart._strip_memo
    k = 8
    changed = list(bars)
    changed[k] = bars[k]._replace(label=bars[k].label + " (sửa)")
    chart.set_data(changed, f, "Asia/Ho_Chi_Minh")
    assert chart._drawn is not None
    assert chart._strip_memo is memo  # nothing measured whole
    qtbot.waitUntil(lambda: bool(paints.rects))
    strip = QRect(0, AXIS_H + k * ROW_H, chart.width(), ROW_H)
    assert any(r.intersects(strip) for r in paints.rects)
    assert all(r.height() < chart.height() for r in paints.rects)  # not the whole chart
    shot = chart.screen().grabWindow(chart.winId()).toImage().convertToFormat(QImage.Format.Format_RGB32)
    full = chart.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    size = full.size().boundedTo(shot.size())
    assert shot.copy(0, 0, size.width(), size.height()) == full.copy(0, 0, size.width(), size.height())


def test_strips_out_of_view_are_not_measured_and_show_right_when_scrolled_to(qtbot) -> None:
    """In its scroll area the chart measures and compares only the strips in view: a strip
    that changed out of view is not measured (not known) and, scrolled into view and changed
    again, shows what a full repaint draws."""
    from meeting_console.ui.agenda_chart import chart_dock_widget

    chart = AgendaChart()
    area = chart_dock_widget(chart)
    qtbot.addWidget(area)
    area.resize(900, 220)
    items = agenda(3, 60)
    f = fc.forecast(items, T0 + timedelta(minutes=10), meeting_status="live")
    bars = list(fc.chart_bars(items, f))
    chart.set_data(bars, f, "Asia/Ho_Chi_Minh")
    area.show()
    qtbot.waitExposed(area)
    qtbot.waitUntil(lambda: chart.width() == area.viewport().width())  # (its scroll bar shown)
    qtbot.wait(50)
    chart.set_data(list(bars), f, "Asia/Ho_Chi_Minh")  # at the size shown
    chart.set_data(list(bars), f, "Asia/Ho_Chi_Minh")  # measured on this axis
    qtbot.wait(50)
    shown = chart._shown_rows()
    assert 0 < len(shown) < 15 and shown.start == 0

    def screen_is_fresh() -> bool:
        shot = area.screen().grabWindow(area.winId()).toImage().convertToFormat(QImage.Format.Format_RGB32)
        full = area.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        # (the strips; the area's last pixel row differs after a scroll whatever the chart does)
        size = full.size().boundedTo(shot.size())
        return shot.copy(0, 0, size.width(), size.height() - 1) == full.copy(0, 0, size.width(), size.height() - 1)

    paints = Paints()
    chart.installEventFilter(paints)
    near, far = 5, 35
    changed = list(bars)
    for k in (near, far):
        changed[k] = bars[k]._replace(label=bars[k].label + " (sửa)")
    measured: list[int] = []
    plain = AgendaChart._strip

    def counted(b: fc.ChartBar, *a: object) -> object:
        measured.append(b.id)
        return plain(b, *a)

    chart._strip = counted  # type: ignore[method-assign]
    chart.set_data(changed, f, "Asia/Ho_Chi_Minh")
    assert bars[near].id in measured and bars[far].id not in measured  # not the strip out of view
    qtbot.waitUntil(lambda: bool(paints.rects))
    assert all(r.height() <= 2 * ROW_H for r in paints.rects)  # that strip, not the view
    assert any(r.intersects(QRect(0, AXIS_H + near * ROW_H, chart.width(), ROW_H)) for r in paints.rects)
    assert screen_is_fresh()
    paints.rects.clear()
    area.verticalScrollBar().setValue(AXIS_H + far * ROW_H + 10)  # its lower half at the top
    qtbot.waitUntil(lambda: bool(paints.rects))  # the rows scrolled into view painted
    assert area.verticalScrollBar().value() == AXIS_H + far * ROW_H + 10
    again = list(changed)
    again[far] = changed[far]._replace(label=bars[far].label + " (sửa lần hai)")
    paints.rects.clear()
    chart.set_data(again, f, "Asia/Ho_Chi_Minh")
    qtbot.waitUntil(lambda: bool(paints.rects))
    assert all(r.height() <= 2 * ROW_H for r in paints.rects)  # that strip, not the view
    assert any(r.intersects(QRect(0, AXIS_H + far * ROW_H, chart.width(), ROW_H)) for r in paints.rects)
    assert screen_is_fresh()


def test_a_meeting_running_late_keeps_its_axis_and_repaints_no_whole_chart(qtbot) -> None:
    """Each press of a meeting running late moves its projected end by some seconds: the axis
    ends on a whole half step after it, so it stays (the strips keep their scale, the chart is
    not repainted whole) until the projected end passes into the next half step; the screen
    shows what a full repaint draws at each press. (The axis used to end a fixed time after
    the projected end, and moved at every press.)"""
    chart = AgendaChart()
    qtbot.addWidget(chart)
    chart.resize(900, 400)
    feed(chart, 3, T0 + timedelta(minutes=12, seconds=20))
    chart.show()
    qtbot.waitExposed(chart)
    feed(chart, 3, T0 + timedelta(minutes=12, seconds=20))  # at the size shown
    qtbot.wait(50)
    paints = Paints()
    chart.installEventFilter(paints)
    heads = []
    for k in range(1, 7):
        running = 3 + k
        # the running item (started on time) runs 20 s more over its three minutes at each press
        now = T0 + timedelta(minutes=3 * running + 3, seconds=20 * (k + 1))
        assert now > T0 + timedelta(minutes=3 * running + 3)  # late
        items = agenda(running)
        f = fc.forecast(items, now, meeting_status="live")
        paints.regions.clear()
        chart.set_data(fc.chart_bars(items, f), f, "Asia/Ho_Chi_Minh")
        heads.append(chart._drawn[0])
        qtbot.waitUntil(lambda: bool(paints.regions))
        # the strips that moved, bands where the lines moved, the legend; the axis' labels (the
        # whole chart) only when the axis moved
        axis = any(r.intersects(QRect(0, 0, chart.width(), AXIS_H - 4)) for r in paints.regions)
        assert axis == (len(heads) > 1 and heads[-1] != heads[-2]), k
        lo, hi = chart._span()
        assert f.projected_end is not None and f.projected_end < hi
        step = chart._step(hi - lo)
        assert (hi - lo).total_seconds() % (end_unit(step) * 60) == 0  # a whole half step
        shot = chart.screen().grabWindow(chart.winId()).toImage().convertToFormat(QImage.Format.Format_RGB32)
        full = chart.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        size = full.size().boundedTo(shot.size())
        assert shot.copy(0, 0, size.width(), size.height()) == full.copy(0, 0, size.width(), size.height()), k
    # the projected end moved by 20 s at each press, the axis once in six (at each press before)
    assert len(set(heads)) <= 2


def test_the_layer_under_the_lines_shows_what_a_fresh_chart_draws(qtbot) -> None:
    """The chart keeps its picture but the lines in a layer for the part in view: a press
    that only moves the lines copies the bands from it and paints no strip; a strip that
    changed, a scroll, a resize or a new palette paints the layer again there. At each step
    the screen shows what a fresh chart, given the same data once, draws."""
    from PySide6.QtGui import QColor, QPalette

    from meeting_console.ui.agenda_chart import chart_dock_widget

    kept = AgendaChart()
    area = chart_dock_widget(kept)
    qtbot.addWidget(area)
    area.resize(700, 260)
    painted: list[QRegion] = []
    plain = AgendaChart._paint_static

    def counted(chart: AgendaChart, p: object, region: QRegion) -> None:
        painted.append(QRegion(region))
        plain(chart, p, region)

    kept._paint_static = lambda p, region: counted(kept, p, region)  # type: ignore[method-assign]
    area.show()
    qtbot.waitExposed(area)

    def feed_late(running: int, seconds: int) -> tuple[AgendaItemInfo, ...]:
        items = agenda(running, 40)
        f = fc.forecast(items, T0 + timedelta(minutes=3 * running + 3, seconds=seconds), meeting_status="live")
        kept.set_data(fc.chart_bars(items, f), f, "Asia/Ho_Chi_Minh")
        return items

    def on_screen_is_fresh(items: tuple[AgendaItemInfo, ...], now: datetime) -> None:
        qtbot.wait(30)
        fresh = AgendaChart()
        qtbot.addWidget(fresh)
        fresh.setPalette(kept.palette())
        f = fc.forecast(items, now, meeting_status="live")
        fresh.set_data(fc.chart_bars(items, f), f, "Asia/Ho_Chi_Minh")
        fresh.resize(kept.size())
        box = kept.visibleRegion().boundingRect()
        origin = kept.mapTo(area, box.topLeft())
        shot = area.screen().grabWindow(area.winId(), origin.x(), origin.y(), box.width(), box.height())
        want = fresh.grab(box)
        assert shot.toImage().convertToFormat(QImage.Format.Format_RGB32) == \
            want.toImage().convertToFormat(QImage.Format.Format_RGB32)

    heads = []
    only_lines = 0
    for running in range(14, 22):  # (the running item below the strips in view, as in a meeting)
        seconds = 20 * (running - 13)
        painted.clear()
        items = feed_late(running, seconds)
        heads.append(kept._drawn[0])
        qtbot.wait(30)
        if len(heads) > 1 and heads[-1] == heads[-2]:
            # the strips in view (done items) did not move; now and the projected end did:
            # their bands were copied from the layer, no strip painted there
            assert not painted, [r.boundingRect() for r in painted]
            only_lines += 1
        on_screen_is_fresh(items, T0 + timedelta(minutes=3 * running + 3, seconds=seconds))
    assert only_lines >= 4
    area.verticalScrollBar().setValue(AXIS_H + 20 * ROW_H)  # scrolled: the layer is for another part
    items = feed_late(22, 180)
    on_screen_is_fresh(items, T0 + timedelta(minutes=69, seconds=180))
    area.resize(640, 260)  # narrower: every strip's scale
    items = feed_late(23, 200)
    on_screen_is_fresh(items, T0 + timedelta(minutes=72, seconds=200))
    pal = kept.palette()
    pal.setColor(QPalette.ColorRole.Base, QColor("#fbfbf0"))
    kept.setPalette(pal)
    items = feed_late(24, 220)
    on_screen_is_fresh(items, T0 + timedelta(minutes=75, seconds=220))


def test_the_axis_ends_on_a_round_time() -> None:
    from meeting_console.ui.agenda_chart import TICK_STEPS

    assert [end_unit(s) for s in TICK_STEPS] == [5, 5, 15, 10, 15, 30, 60, 90, 180]
    assert end_unit(24 * 60) == 12 * 60 and end_unit(2 * 24 * 60) == 24 * 60
