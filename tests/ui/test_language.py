"""The UI's language: switched live from View › Language without losing any state; Qt's own
buttons translated; a font with every Vietnamese letter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QMessageBox,
    QWidget,
)

from meeting_console import i18n
from meeting_console.core import agenda, reads
from meeting_console.ui.form import FormDialog
from meeting_console.ui.language import (
    VIETNAMESE,
    covers_vietnamese,
    ensure_vietnamese_font,
    install_qt_translation,
    switch_language,
)
from meeting_console.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def _english_again() -> Iterator[None]:
    yield
    i18n.set_language("en")
    install_qt_translation("en")


def _start(lang: str) -> None:
    i18n.set_language(lang)
    install_qt_translation(lang)


def _settle(qtbot, window: MainWindow) -> None:
    """Let every panel read its rows (the DB worker answers in order: a read queued now comes
    back after every read queued before it)."""
    done: list[bool] = []
    window.runner.call(lambda: None, on_done=lambda _r: done.append(True))
    qtbot.waitUntil(lambda: bool(done))
    qtbot.wait(1)  # deliver the panels' queued results
    done.clear()
    window.runner.call(lambda: None, on_done=lambda _r: done.append(True))
    qtbot.waitUntil(lambda: bool(done))


def _menus(window: MainWindow) -> list[str]:
    return [a.text() for a in window.menuBar().actions()]


def _headers(view: Any) -> list[str]:
    m = view.model()
    return [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]


def _layout(window: MainWindow) -> dict[str, tuple[Any, ...]]:
    """Where each dock is (sizes may follow the longer words of a language)."""
    return {name: (d.isVisible(), d.isFloating(), window.dockWidgetArea(d),
                   sorted(t.objectName() for t in window.tabifiedDockWidgets(d)),
                   d.visibleRegion().isEmpty())
            for name, d in window.docks.items()}


def _dialog(qtbot, window: MainWindow) -> FormDialog:
    found: list[FormDialog] = []

    def visible() -> bool:
        found[:] = [d for d in window.findChildren(FormDialog) if d.isVisible()]
        return bool(found)

    qtbot.waitUntil(visible)
    return found[-1]


@pytest.fixture
def live_window(qtbot, runner, core, demo_id: int) -> MainWindow:
    """The demo meeting live, its second item running."""
    agenda.start_meeting(core, demo_id)
    agenda.next_item(core, demo_id)
    agenda.next_item(core, demo_id)
    w = MainWindow(runner, demo_id)
    qtbot.addWidget(w)
    w.resize(1400, 860)
    w.show()
    qtbot.waitExposed(w)
    _settle(qtbot, w)
    return w


def test_switch_language_live_keeps_every_state(qtbot, live_window: MainWindow, core, demo_id: int) -> None:
    w = live_window
    running = next(i.id for i in reads.agenda(core, demo_id) if i.status == "running")
    assert w.agenda.selected_id() == running
    some_endpoint = reads.endpoints(core, demo_id)[3].id
    w.endpoints.select_id(some_endpoint)
    selected_endpoint = w.endpoints.selected_id()
    assert selected_endpoint == some_endpoint
    w.docks["people"].raise_()
    layout = _layout(w)
    w.edit_details()  # a dialog open during the switch
    dlg = _dialog(qtbot, w)
    dlg.widgets["place"].setText("typed, not saved")  # type: ignore[attr-defined]
    assert dlg.windowTitle() == "Meeting details"
    english_menus = _menus(w)
    english_agenda = _headers(w.agenda.view)
    assert english_menus[:3] == ["&Meeting", "&Edit", "Agenda"]

    w.findChild(QAction, "act-language-vi").trigger()  # View › Language › Tiếng Việt
    _settle(qtbot, w)

    # menus, dock titles, panel headers, actions, status bar
    menus = _menus(w)
    assert menus[:3] == ["&Hội nghị", "&Chỉnh sửa", "Chương trình"]
    assert "&Xem" in menus and "&Trợ giúp" in menus
    assert w.docks["endpoints"].windowTitle() == "Điểm cầu"
    assert w.docks["speakers"].windowTitle() == "Phát biểu"
    assert w.docks["awards"].windowTitle() == "Khen thưởng"
    assert w.docks["people"].windowTitle() == "Đại biểu"
    agenda_headers = _headers(w.agenda.view)
    assert agenda_headers != english_agenda and len(agenda_headers) == len(english_agenda)
    assert "STT" in agenda_headers and "Trạng thái" in agenda_headers
    assert "Tên điểm cầu" in _headers(w.endpoints.view)
    assert w.findChild(QAction, "act-undo").text().startswith("Hoàn tác")
    assert w.state_label.text().startswith("Đang họp")
    # a cell computed from data: the running item's status
    row = w.agenda.model.row_of(running)
    status_col = english_agenda.index("Status")
    assert w.agenda.model.data(w.agenda.model.index(row, status_col)) == "▶ Đang diễn ra"
    # shortcuts keep their keys in the tooltips (Qt's own words are translated, not blanked)
    assert any(a.toolTip().endswith("(Ctrl+Return)") for a in w.agenda.actions())

    # the open dialog followed, Qt's buttons too, and what was typed is still there
    assert dlg.isVisible() and dlg.windowTitle() == "Thông tin hội nghị"
    labels = {lab.text() for lab in dlg.findChildren(QLabel)}
    assert "Địa điểm" in labels and "Ngôn ngữ của biên bản" in labels
    assert dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "Đồng ý"
    assert dlg.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Hủy"
    assert dlg.widgets["place"].text() == "typed, not saved"  # type: ignore[attr-defined]
    dlg.reject()

    # nothing else changed: meeting, current item, selections, layout
    assert w.meeting_id == demo_id
    assert w.agenda.selected_id() == running
    assert w.agenda.forecast is not None and w.agenda.forecast.current_id == running
    assert w.endpoints.selected_id() == selected_endpoint
    assert _layout(w) == layout  # (sizes may grow with a language's longer minimum widths)
    assert not w.docks["people"].visibleRegion().isEmpty()

    # the choice is kept in the settings, for the next start
    assert i18n.saved_language() == "vi"
    assert w.findChild(QAction, "act-language-vi").isChecked()

    # a dialog opened now is in Vietnamese from the start
    w.edit_details()
    dlg2 = _dialog(qtbot, w)
    assert dlg2.windowTitle() == "Thông tin hội nghị"
    dlg2.reject()

    w.findChild(QAction, "act-language-en").trigger()
    _settle(qtbot, w)
    assert _menus(w) == english_menus
    assert _headers(w.agenda.view) == english_agenda
    assert w.docks["endpoints"].windowTitle() == "Endpoints"
    assert w.agenda.model.data(w.agenda.model.index(row, status_col)) == "▶ Running"
    assert i18n.saved_language() == "en"


def _texts(window: QWidget) -> list[str]:
    """Every text a user can see or hover in the window (first rows of each model)."""
    out: list[str] = []
    for o in [window, *window.findChildren(QWidget)]:
        out += [t for t in (o.windowTitle(), o.toolTip()) if t]
        if isinstance(o, QLabel | QAbstractButton) and o.text():
            out.append(o.text())
        if isinstance(o, QMenu) and o.title():
            out.append(o.title())
    for a in window.findChildren(QAction):
        out += [t for t in (a.text(), a.toolTip()) if t]
    for m in window.findChildren(QAbstractItemModel):
        out += [str(m.headerData(c, Qt.Orientation.Horizontal)) for c in range(m.columnCount())]
        for r in range(min(m.rowCount(), 10)):
            out += [d for c in range(m.columnCount()) if isinstance(d := m.data(m.index(r, c)), str) and d]
    return sorted(out)


@pytest.mark.parametrize("start, target", [("en", "vi"), ("vi", "en")])
def test_a_switched_window_reads_like_one_opened_in_that_language(
    qtbot, runner, core, demo_id: int, start: str, target: str
) -> None:
    agenda.start_meeting(core, demo_id)
    agenda.next_item(core, demo_id)
    _start(start)
    switched = MainWindow(runner, demo_id)
    qtbot.addWidget(switched)
    switched.show()
    _settle(qtbot, switched)
    assert switch_language(switched, target, save=False)
    _settle(qtbot, switched)
    fresh = MainWindow(runner, demo_id)
    qtbot.addWidget(fresh)
    fresh.show()
    _settle(qtbot, fresh)
    a, b = _texts(switched), _texts(fresh)
    assert sorted(set(a) - set(b)) == [] and sorted(set(b) - set(a)) == []


def test_qt_standard_buttons_in_vietnamese(qtbot) -> None:
    _start("vi")
    box = QMessageBox(QMessageBox.Icon.Question, "?", "?",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                      | QMessageBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    texts = {box.button(b).text() for b in (QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No,
                                           QMessageBox.StandardButton.Cancel)}
    assert texts == {"&Có", "&Không", "Hủy"}
    _start("en")
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(buttons)
    assert buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "OK"


def test_the_ui_font_has_every_vietnamese_letter(qtbot) -> None:
    app = QApplication.instance()
    family = ensure_vietnamese_font(app)  # type: ignore[arg-type]
    assert family
    assert covers_vietnamese(app.font())  # type: ignore[union-attr]
    assert len(VIETNAMESE) == 134  # 67 letters, lower and upper case


def test_the_bundled_ui_font_covers_vietnamese(qtbot) -> None:
    from PySide6.QtGui import QFont, QFontDatabase

    from meeting_console.paths import resource

    fid = QFontDatabase.addApplicationFont(str(resource("fonts", "LiberationSans-Regular.ttf")))
    assert fid >= 0
    family = QFontDatabase.applicationFontFamilies(fid)[0]
    assert covers_vietnamese(QFont(family))
