"""Help › About: the version, the libraries and fonts inside this installation, and their
licence texts (shipped as package data, so an office PC without internet can show them)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QItemSelection, Qt, qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from meeting_console import credits
from meeting_console.i18n import _
from meeting_console.paths import resource
from meeting_console.ui.table_model import Column, RowsModel

ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def app_icon() -> QIcon:
    """The application icon from its rendered PNGs (no SVG plugin needed)."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = resource("icons", f"meeting-console-{size}.png")
        if path.is_file():
            icon.addFile(str(path))
    return icon


@dataclass(frozen=True)
class _Row:
    id: int
    component: credits.Component


def _what(component: credits.Component) -> str:
    words = {"runtime": _("runtime"), "user interface": _("user interface"),
             "database": _("database"), "session record": _("session record"),
             "award lists": _("award lists"), "meeting files": _("meeting files"),
             "files": _("files"), "time zones": _("time zones"), "fonts": _("fonts"),
             "": _("this program")}
    return words.get(component.what, component.what)


def component_rows() -> tuple[_Row, ...]:
    comps = [credits.application(), *credits.libraries(qVersion()), *credits.fonts()]
    return tuple(_Row(i, c) for i, c in enumerate(comps, start=1))


def version_text() -> str:
    """One line per part, for a support request (copied with the dialog's button)."""
    lines = [f"Meeting Console {credits.application().version}",
             f"Qt {qVersion()}, PySide6 {pyside_version}, Python {sys.version.split()[0]}",
             f"{sys.platform}, {QGuiApplication.platformName()}"]
    return "\n".join(lines)


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about-dialog")
        self.setWindowTitle(_("About Meeting Console"))
        app = credits.application()

        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(64, 64))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        version = _("Version {version}").format(version=app.version)
        summary = _("The secretariat’s console for hybrid multi-site meetings.")
        licence = _("Free software under the MIT licence.")
        title = QLabel(
            f"<h2 style='margin:0'>Meeting Console</h2>"
            f"<p style='margin:4px 0'>{version}</p>"
            f"<p style='margin:4px 0'>{summary}</p>"
            f"<p style='margin:4px 0'>{licence} "
            f"Qt {qVersion()} · PySide6 {pyside_version} · Python {sys.version.split()[0]}</p>")
        title.setObjectName("about-title")
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(icon)
        head.addWidget(title, 1)

        self.model = RowsModel([
            Column(_("Component"), lambda r: r.component.name),
            Column(_("Version"), lambda r: r.component.version),
            Column(_("Licence"), lambda r: r.component.licence),
            Column(_("Used for"), _what_row),
        ], self)
        self.model.set_rows(component_rows())
        self.table = QTableView()
        self.table.setObjectName("about-components")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)

        self.licence = QPlainTextEdit()
        self.licence.setObjectName("about-licence")
        self.licence.setReadOnly(True)
        self.licence.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.licence_label = QLabel()
        self.licence_label.setObjectName("about-licence-label")
        self.licence_label.setWordWrap(True)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.licence_label)
        lower_layout.addWidget(self.licence)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setSizes([260, 240])

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton(_("Copy version details"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.setObjectName("about-copy")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(version_text()))
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.resize(720, 600)

        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        self.table.selectRow(0)

    def select(self, name: str) -> bool:
        """Show the licence of the component called ``name``; False when there is none."""
        for i, row in enumerate(self.model.rows):
            if row.component.name == name:
                self.table.selectRow(i)
                return True
        return False

    def _show_selected(self, _selected: QItemSelection, _deselected: Any = None) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        comp = self.model.rows[rows[0].row()].component
        label = _("Licence of {name}: {licence}").format(name=comp.name, licence=comp.licence)
        text = credits.licence_text(comp)
        if comp.licence.startswith("LGPL"):
            # the LGPL lets the user swap in their own build of the library: say where it is
            label += "\n" + _("Shipped unmodified as separate shared libraries, which you may "
                              "replace with your own build; the source is at {url}.").format(
                url=credits.source_url(comp))
            text += "\n\n" + "=" * 72 + "\n\n" + credits.licence_text(credits.gpl3())
        self.licence_label.setText(label)
        self.licence.setPlainText(text or _("The licence text is missing from this installation."))


def _what_row(row: _Row) -> str:
    return _what(row.component)


def show_about(parent: QWidget | None) -> AboutDialog:
    dlg = AboutDialog(parent)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.open()
    return dlg
