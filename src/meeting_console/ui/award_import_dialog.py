"""The list of problems an award spreadsheet has: row, column, what is wrong. Nothing was
imported; the user fixes the workbook and imports again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from meeting_console.core.award_import import SheetProblem
from meeting_console.i18n import _, ngettext
from meeting_console.ui.table_model import Column, RowsModel


class _Row:
    """RowsModel wants an ``id``; a problem is identified by its place in the list."""

    def __init__(self, n: int, p: SheetProblem) -> None:
        self.id = n
        self.p = p

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Row) and (self.id, self.p) == (other.id, other.p)

    def __hash__(self) -> int:
        return hash((self.id, self.p))


class ImportProblemsDialog(QDialog):
    def __init__(self, source: str, problems: Sequence[SheetProblem],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("award-import-problems")
        self.setWindowTitle(_("Award list not imported"))
        self.problems = tuple(problems)
        n = len(self.problems)
        head = QLabel(ngettext(
            "<b>Nothing was imported from {file}</b>: it has {n} problem. Fix it in the "
            "workbook and import again.",
            "<b>Nothing was imported from {file}</b>: it has {n} problems. Fix them in the "
            "workbook and import again.", n).format(file=source, n=n))
        head.setWordWrap(True)
        self.model = RowsModel([
            Column(_("Row"), lambda r: "" if r.p.row is None else str(r.p.row),
                   sort=lambda r: r.p.row or 0, align=Qt.AlignmentFlag.AlignRight),
            Column(_("Column"), lambda r: r.p.column),
            Column(_("Heading"), lambda r: r.p.heading),
            Column(_("Problem"), lambda r: r.p.message, tooltip=lambda r: r.p.message),
        ], self)
        self.model.set_rows([_Row(i, p) for i, p in enumerate(self.problems, start=1)])
        self.view = QTableView(self)
        self.view.setObjectName("problems")
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.view.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        # wrapped problems take the height they need once the columns have their widths
        header.sectionResized.connect(lambda *_a: self.view.resizeRowsToContents())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton(_("Copy the list"))
        copy.clicked.connect(self.copy)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        self.resize(900, 380)

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.view.resizeRowsToContents()

    def text(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
