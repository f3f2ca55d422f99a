"""The award catalogue: every award type in precedence order, highest first. A secretariat adds
its own types (a ministry's Bằng khen, a Party badge) and places them in the order; the legal
types keep their names and cannot be removed."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from meeting_console.core import catalogue, vocab
from meeting_console.core.changes import CATALOGUE, Changes
from meeting_console.i18n import N_, _
from meeting_console.ui.bus import Runner
from meeting_console.ui.form import Field, ask
from meeting_console.ui.table_model import Column, IdRole, RowsModel

CATEGORY = {  # marked here, translated where shown (the language can change while running)
    "order": N_("Order (Huân chương)"), "medal": N_("Medal (Huy chương)"),
    "title": N_("Honorary title"), "prize": N_("Prize"),
    "certificate": N_("Certificate of merit"), "flag": N_("Emulation flag"),
    "commemorative": N_("Commemorative medal"), "other": N_("Other"),
}
AUTHORITY = {
    "president": N_("State President"), "prime_minister": N_("Prime Minister"),
    "central": N_("Central agency"), "province": N_("Province"),
    "local": N_("District / commune / agency"), "other": N_("Other"),
}


class CatalogueDialog(QDialog):
    def __init__(self, runner: Runner, meeting_id: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("award-catalogue")
        self.setWindowTitle(_("Award catalogue"))
        self.runner = runner
        self.meeting_id = meeting_id  # only for the journal's "which meeting" of the view
        self.model = RowsModel([
            Column(_("Rank"), lambda t: str(self.model.row_of(t.id) + 1),  # type: ignore[operator]
                   align=Qt.AlignmentFlag.AlignRight),
            Column(_("Award"), lambda t: t.name, tooltip=lambda t: t.name),
            Column(_("Kind"), lambda t: _(CATEGORY[t.category]) if t.category in CATEGORY else t.category),
            Column(_("Conferred by"), lambda t: t.authority),
            Column(_("Source"), lambda t: _("legal catalogue") if t.builtin else _("added here")),
        ], self)
        self.view = QTableView(self)
        self.view.setObjectName("award-types")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.act_add = self._action(_("Add type above…"), self.add_type, "Ins")
        self.act_edit = self._action(_("Edit…"), self.edit_type, "F2")
        self.act_up = self._action(_("Rank higher"), lambda: self.move(-1), "Alt+Up")
        self.act_down = self._action(_("Rank lower"), lambda: self.move(1), "Alt+Down")
        self.act_remove = self._action(_("Remove"), self.remove_type, "Del")
        # the catalogue is shared by every meeting: its changes are undone here, not in a
        # meeting's Edit menu
        self.act_undo = self._action(_("Undo"), self.undo, "Ctrl+Z")
        self._select_after: int | None = None
        self.view.doubleClicked.connect(lambda _i: self.edit_type())
        note = QLabel(_("Ceremonies present awards from the top of this list down. Types you add "
                        "go above the selected one; the legal types keep their names."))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addWidget(note)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        self.resize(900, 560)
        runner.operation_did_execute.connect(self._on_changes)
        self.refresh()

    def _action(self, text: str, slot: Any, key: str) -> QAction:
        act = QAction(text, self)
        act.setShortcut(QKeySequence(key))
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.triggered.connect(slot)
        self.addAction(act)
        self.toolbar.addAction(act)
        return act

    # --- data ------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.runner.call(catalogue.award_types, self.runner.core, on_done=self._show)

    def _show(self, types: list[catalogue.AwardTypeInfo]) -> None:
        keep = self.selected()
        target = self._select_after if self._select_after is not None else (
            keep.id if keep else None)
        self._select_after = None
        self.model.set_rows(types)
        self.model.refresh_all()  # ranks shift when a type moves
        self.view.resizeColumnToContents(0)
        self.view.resizeColumnToContents(2)
        if target is not None:
            self.select(target)

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if CATALOGUE in changes.areas:
            self.refresh()

    def selected(self) -> catalogue.AwardTypeInfo | None:
        idx = self.view.currentIndex()
        if not idx.isValid():
            return None
        return self.model.row_at(idx.row())  # type: ignore[no-any-return]

    def select(self, type_id: int) -> None:
        row = self.model.row_of(type_id)
        if row is not None:
            self.view.setCurrentIndex(self.model.index(row, 1))

    # --- operations ------------------------------------------------------------------------

    def _run(self, op: Any, *args: Any, done: Any = None, **kwargs: Any) -> None:
        def ok(changes: Changes) -> None:
            if isinstance(changes.result, int) and op is catalogue.add_award_type:
                self._select_after = changes.result
            if done is not None:
                done(None)

        def refused(message: str) -> None:
            if done is not None:
                done(message)
            else:
                self._run_refused(message)

        self.runner.run(op, *args, initiator=self, on_done=ok, on_error=refused, **kwargs)

    def _fields(self, t: catalogue.AwardTypeInfo | None) -> list[Field]:
        return [
            Field("name", _("Name"), value=t.name if t else ""),
            Field("category", _("Kind"), "choice", value=t.category if t else "other",
                  choices=[(c, _(CATEGORY[c])) for c in vocab.AWARD_CATEGORIES]),
            Field("authority", _("Conferred by"), value=t.authority if t else ""),
            Field("authority_kind", _("Level"), "choice",
                  value=t.authority_kind if t else "other",
                  choices=[(k, _(AUTHORITY[k])) for k in vocab.AUTHORITY_KINDS]),
        ]

    def add_type(self) -> None:
        above = self.selected()

        def accept(values: dict[str, Any], done: Any) -> None:
            name = values.pop("name", "")
            self._run(catalogue.add_award_type, name, done=done,
                      before_id=above.id if above else None, **values)

        ask(self, _("Add award type"), self._fields(None), accept)

    def edit_type(self) -> None:
        t = self.selected()
        if t is None:
            return

        def accept(values: dict[str, Any], done: Any) -> None:
            self._run(catalogue.update_award_type, t.id, done=done, **values)

        ask(self, _("Edit award type"), self._fields(t), accept)

    def move(self, steps: int) -> None:
        t = self.selected()
        row = self.model.row_of(t.id) if t else None
        if t is None or row is None:
            return
        target = row + steps
        if not 0 <= target < self.model.rowCount():
            return
        other = self.model.index(target, 0).data(IdRole)
        if steps < 0:
            self._run(catalogue.move_award_type, t.id, before_id=other)
        else:
            self._run(catalogue.move_award_type, t.id, after_id=other)

    def undo(self) -> None:
        self.runner.run(lambda core: core.undo(None), initiator=self,
                        on_error=lambda message: self._run_refused(message))

    def _run_refused(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, _("Award catalogue"), message,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("refusal")
        box.open()

    def remove_type(self) -> None:
        t = self.selected()
        if t is not None:
            self._run(catalogue.remove_award_type, t.id)
