"""This console among several: its seat and role, and the state of its database connection.

- The status bar names the seat and role; a red banner across the window says at once when
  the connection to the database dropped (operations are refused meanwhile, see
  ``Runner.run``) and goes away when the console has reconnected and caught up.
- Actions the role may not do are disabled (the core refuses them too): a viewer can only look,
  a clerk has the endpoint and attendance actions. An action is judged by the tables it
  changes, as the core judges an operation (``Core.may``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolBar, QToolButton

from meeting_console.i18n import _

if TYPE_CHECKING:
    from meeting_console.ui.main_window import MainWindow

# Tables the actions of each panel change (by class name); ``ACTION_TABLES`` refines single
# actions. Actions that only look (search, go to, export, group) are in ``LOOKING``.
PANEL_TABLES: dict[str, frozenset[str]] = {
    "AgendaPanel": frozenset({"agenda_item", "meeting"}),
    "EndpointsPanel": frozenset({"meeting_endpoint", "endpoint", "endpoint_status_event"}),
    "SpeakersPanel": frozenset({"speaker_request"}),
    "AwardsPanel": frozenset({"award_grant"}),
    "PeoplePanel": frozenset({"person"}),
}
WINDOW_TABLES: dict[str, frozenset[str]] = {  # main window actions by object name
    "act-new": frozenset({"meeting"}),
    "act-import": frozenset({"meeting", "agenda_item"}),
    "act-details": frozenset({"meeting"}),
    "act-restore-backup": frozenset({"meeting", "agenda_item"}),
    "act-undo": frozenset(),  # the core checks the rows the undo would change
    "act-redo": frozenset(),
}


def _looking() -> set[str]:
    return {_("Go to running item"), _("Group by kind"), _("Search"), _("Export run sheet (PDF)…"),
            _("Save Excel template…")}


def _action_tables() -> dict[str, frozenset[str]]:
    return {
        _("Add organisation"): frozenset({"organisation"}),
        _("Award catalogue…"): frozenset({"award_type"}),
        _("Register speaker…"): frozenset({"speaker_request", "person"}),
        _("Monitoring"): frozenset({"meeting_endpoint", "endpoint_status_event"}),
    }


class SeatControls:
    """Installed on the main window: banner, status-bar label, role gating."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.runner = window.runner
        core = self.runner.core
        self.banner = QToolBar(window)
        self.banner.setObjectName("connection-banner")
        self.banner.setMovable(False)
        self.banner.setFloatable(False)
        self.banner.toggleViewAction().setVisible(False)
        self.banner_label = QLabel()
        self.banner_label.setObjectName("connection-banner-text")
        self.banner_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.banner_label.setStyleSheet("QLabel { color: white; font-weight: bold; padding: 4px 8px; }")
        self.banner.setStyleSheet("QToolBar#connection-banner { background: #b3261e; border: none; }")
        self.banner.addWidget(self.banner_label)
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.banner)
        self.banner.hide()

        self.seat_label = QLabel(self._seat_text())
        self.seat_label.setObjectName("seat")
        self.link_label = QLabel(_("● Connected"))
        self.link_label.setObjectName("connection")
        self.link_label.setStyleSheet("QLabel { color: #1b5e20; }")
        window.statusBar().addPermanentWidget(self.seat_label)
        window.statusBar().addPermanentWidget(self.link_label)
        self.runner.connection_changed.connect(self.show_connection)

        self.denied: list[QAction] = []
        if core.role != "secretariat":
            self._gate_actions()

    def _seat_text(self) -> str:
        core = self.runner.core
        role = {"secretariat": _("secretariat"), "clerk": _("clerk"), "viewer": _("viewer")}[core.role]
        return _("Seat: {seat} ({role})").format(seat=core.seat or "—", role=role)

    # --- connection ------------------------------------------------------------------------

    def show_connection(self, up: bool, why: str) -> None:
        if up:
            self.banner.hide()
            self.link_label.setText(_("● Connected"))
            self.link_label.setStyleSheet("QLabel { color: #1b5e20; }")
            self.window.statusBar().showMessage(_("Reconnected to the database; caught up"), 6000)
            return
        self.banner_label.setText(
            _("Database connection lost — nothing can be changed until it is back; reconnecting…"))
        self.banner_label.setToolTip(why)
        self.banner.show()
        self.link_label.setText(_("● Not connected"))
        self.link_label.setStyleSheet("QLabel { color: #b3261e; font-weight: bold; }")

    # --- role ------------------------------------------------------------------------------

    def _gate_actions(self) -> None:
        core = self.runner.core
        looking, by_text = _looking(), _action_tables()
        for panel in self.window.panels:
            default = PANEL_TABLES.get(type(panel).__name__)
            for act in panel.actions():
                if act.text() in looking:
                    continue
                tables = by_text.get(act.text(), default)
                if tables is None or not core.may(tables):
                    self._deny(act)
            for button in panel.findChildren(QToolButton):  # a menu button of denied actions
                if button.actions() and all(a in self.denied for a in button.actions()):
                    button.setEnabled(False)
        for act in self.window.findChildren(QAction):
            tables = WINDOW_TABLES.get(act.objectName())
            if tables is not None and (core.role == "viewer" or not core.may(tables)):
                self._deny(act)

    def _deny(self, act: QAction) -> None:
        """Disabled for good: a panel enabling it again (selection, state) is overruled."""
        self.denied.append(act)
        act.setEnabled(False)
        act.setToolTip(_("Not for the {role} seat").format(role=self.runner.core.role) + " — " + act.toolTip())
        act.changed.connect(lambda a=act: a.isEnabled() and a.setEnabled(False))


def install(window: MainWindow) -> SeatControls:
    return SeatControls(window)
