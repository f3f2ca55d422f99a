"""What every panel shares: a table view over a RowsModel, a toolbar of actions, a refresh
that reads its rows on the DB worker when the bus says its areas changed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from meeting_console.core.changes import Changes
from meeting_console.i18n import _
from meeting_console.ui.bus import Runner
from meeting_console.ui.table_model import Column, IdRole, RowsModel, SortRole


class Panel(QWidget):
    """Subclasses set ``areas``, build ``columns()`` and implement ``load(core, meeting_id)``.
    A panel whose rows have their own order (``sorting_proxy = False``) shows its model
    straight in the view: no proxy between them asking the model again for every painted cell
    (``self.proxy`` is then None)."""

    areas: frozenset[str] = frozenset()
    title = ""
    sorting_proxy = True
    view_class: type[QTableView] = QTableView
    loaded = Signal()

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.meeting_id: int | None = None
        self.model = self.make_model()
        self.proxy: QSortFilterProxyModel | None = None
        if self.sorting_proxy:
            self.proxy = QSortFilterProxyModel(self)
            self.proxy.setSourceModel(self.model)
            self.proxy.setSortRole(SortRole)
            self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view = self.view_class(self)
        self.view.setObjectName(self.__class__.__name__ + "View")
        self.view.setModel(self.proxy if self.proxy is not None else self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(26)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.doubleClicked.connect(lambda _i: self.edit_selected())
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.summary = QLabel(self)
        self.summary.setObjectName("summary")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.summary)
        layout.addWidget(self.view)
        self.summary.hide()
        self._loading = False
        self._again = False
        runner.operation_did_execute.connect(self._on_changes)

    # --- to override ---------------------------------------------------------------------

    def columns(self) -> Sequence[Column]:
        raise NotImplementedError

    def make_model(self) -> RowsModel:
        return RowsModel(self.columns(), self)

    def load(self, core: Any, meeting_id: int) -> Any:
        """Runs on the DB worker: return the rows (and anything else ``loaded_rows`` needs)."""
        raise NotImplementedError

    def show_rows(self, rows: Any) -> None:
        self.model.set_rows(rows)

    def edit_selected(self) -> None:
        pass

    def extra_docks(self) -> list[tuple[str, str, QWidget, Qt.DockWidgetArea]]:
        """Further docks the main window shows for this panel: (name, title, widget, area)."""
        return []

    def menu_actions(self) -> list[QAction]:
        """The actions the main window lists in this panel's menu (default: the toolbar's)."""
        return list(self.actions())

    # --- shared ----------------------------------------------------------------------------

    def add_action(
        self, text: str, slot: Callable[[], None], shortcut: QKeySequence | str | None = None,
        tip: str = "", *, context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(context)
        action.setToolTip(f"{tip or text} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                          if shortcut is not None else (tip or text))
        action.triggered.connect(slot)
        self.addAction(action)
        self.toolbar.addAction(action)
        return action

    def set_meeting(self, meeting_id: int | None) -> None:
        self.meeting_id = meeting_id
        self.refresh()

    def refresh(self) -> None:
        if self.meeting_id is None:
            self.show_rows(())
            return
        if self._loading:
            self._again = True
            return
        self._loading = True
        mid = self.meeting_id
        self.runner.call(self.load, self.runner.core, mid, on_done=self._loaded, on_error=self._load_failed)

    def refresh_now(self) -> None:
        """Load synchronously (start-up: the first paint shows real rows)."""
        if self.meeting_id is not None:
            self.show_rows(self.runner.read_sync(self.load, self.runner.core, self.meeting_id))

    def _loaded(self, rows: Any) -> None:
        self._loading = False
        self.show_rows(rows)
        self.loaded.emit()
        if self._again:
            self._again = False
            self.refresh()

    def _load_failed(self, message: str) -> None:
        self._loading = False
        self.summary.setText(message)
        self.summary.show()

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if changes.meeting_id not in (None, self.meeting_id):
            return
        if changes.areas & self.areas:
            self.refresh()

    def selected_id(self) -> int | None:
        idx = self.view.currentIndex()
        if not idx.isValid():
            rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
            if not rows:
                return None
            idx = rows[0]
        return self.view.model().data(idx, IdRole)

    def selected_row(self) -> Any:
        sid = self.selected_id()
        if sid is None:
            return None
        r = self.model.row_of(sid)
        return self.model.row_at(r) if r is not None else None

    def shows_id(self, id_: int) -> bool:
        """Whether the rows held include this id (read already)."""
        return self.model.row_of(id_) is not None

    def select_id(self, id_: int) -> None:
        r = self.model.row_of(id_)
        if r is None:
            return
        idx = self.view_index(r)
        self.view.setCurrentIndex(idx)
        self.view.scrollTo(idx)

    def view_index(self, row: int, column: int = 0) -> Any:
        """The view's index of the model's ``row``."""
        idx = self.model.index(row, column)
        return self.proxy.mapFromSource(idx) if self.proxy is not None else idx

    def perform(self, op: Callable[..., Changes], *args: Any, done: Callable[[str | None], None] | None = None,
                select_result: bool = False, **kwargs: Any) -> None:
        """Run an operation; report a refusal in ``done`` (a dialog) or a message box."""

        def ok(changes: Changes) -> None:
            if select_result and isinstance(changes.result, int):
                rid = changes.result
                if self.shows_id(rid):
                    # the refresh that the change set off has read the new row already (the
                    # bus can be quicker than this callback): select it now, not at a later load
                    self.select_id(rid)
                else:
                    self.loaded.connect(lambda: self.select_id(rid), Qt.ConnectionType.SingleShotConnection)
            if done is not None:
                done(None)

        def refused(message: str) -> None:
            if done is not None:
                done(message)
            else:
                self.warn(message)
            self.refresh()  # a refusal may mean another console changed it: show what is stored

        self.runner.run(op, *args, initiator=self, on_done=ok, on_error=refused, **kwargs)

    def warn(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, self.title or _("Meeting Console"), message,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("refusal")
        box.open()
