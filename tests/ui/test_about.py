"""Help › About: version from the package metadata, the libraries and fonts with their licences."""

from __future__ import annotations

from importlib import metadata

from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from meeting_console import __version__
from meeting_console.ui.about import AboutDialog, app_icon, version_text
from meeting_console.ui.main_window import MainWindow


def _about(qtbot, window: MainWindow) -> AboutDialog:
    act = window.findChild(type(window.undo_action), "act-about")
    act.trigger()
    qtbot.waitUntil(lambda: isinstance(getattr(window, "about_dialog", None), AboutDialog)
                    and window.about_dialog.isVisible())
    return window.about_dialog


def _cells(dlg: AboutDialog) -> dict[str, list[str]]:
    m = dlg.model
    return {m.index(r, 0).data(): [m.index(r, c).data() for c in range(m.columnCount())]
            for r in range(m.rowCount())}


def test_about_shows_version_and_licences(qtbot, qtmodeltester, window: MainWindow) -> None:
    assert __version__ == metadata.version("meeting-console")  # one place: pyproject.toml
    dlg = _about(qtbot, window)
    assert dlg.parent() is window
    title = dlg.findChild(QLabel, "about-title").text()
    assert __version__ in title and qVersion() in title
    cells = _cells(dlg)
    assert cells["Meeting Console"][1:3] == [__version__, "MIT"]
    for lib, licence in [("Qt", "LGPL-3.0-only"), ("PySide6", "LGPL-3.0-only"),
                         ("SQLAlchemy", "MIT"), ("ReportLab", "BSD-3-Clause"),
                         ("Alembic", "MIT"), ("qasync", "BSD-2-Clause")]:
        assert cells[lib][2] == licence, lib
    assert cells["Qt"][1] == qVersion()
    assert cells["SQLAlchemy"][1] == metadata.version("SQLAlchemy")
    assert cells["ReportLab"][1] == metadata.version("reportlab")
    assert cells["Liberation Fonts"][2] == "OFL-1.1"
    qtmodeltester.check(dlg.model)

    # choosing a row shows that licence's full text, read from the package data
    assert dlg.select("PySide6")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in dlg.licence.toPlainText()
    assert dlg.select("Liberation Fonts")
    assert "SIL Open Font License" in dlg.licence.toPlainText()
    assert dlg.select("ReportLab")
    assert "ReportLab" in dlg.licence.toPlainText()
    assert dlg.select("Meeting Console")
    assert "MIT License" in dlg.licence.toPlainText()
    for row in dlg.model.rows:  # every component's licence text ships
        assert row.component.licence_file.is_file(), row.component.name

    dlg.findChild(QPushButton, "about-copy").click()
    assert QGuiApplication.clipboard().text() == version_text()
    assert f"Meeting Console {__version__}" in version_text()
    dlg.reject()
    qtbot.waitUntil(lambda: not dlg.isVisible())


def test_the_application_has_its_icon(qapp) -> None:
    from meeting_console.ui.app import ensure_app

    assert ensure_app() is qapp  # what `meeting-console` and the hall display start with
    icon = QApplication.instance().windowIcon()
    assert not icon.isNull()
    assert {16, 32, 48, 256} <= {s.width() for s in icon.availableSizes()}
    assert not app_icon().pixmap(16, 16).isNull()
    assert qapp.applicationVersion() == __version__
