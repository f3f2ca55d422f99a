"""The endpoint (bridge point) panel: who takes part, how many delegates, connection status."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from meeting_console.core import endpoints, reads, vocab
from meeting_console.core.changes import ENDPOINTS
from meeting_console.core.timefmt import hhmm
from meeting_console.i18n import _
from meeting_console.ui import labels
from meeting_console.ui.form import Field, ask
from meeting_console.ui.panel import Panel
from meeting_console.ui.table_model import Column

STATUS_COLOURS = {
    "not_connected": QColor("#9e9e9e"),
    "connected": QColor("#1b7f3b"),
    "unstable": QColor("#b26a00"),
    "lost": QColor("#c62828"),
    "left": QColor("#546e7a"),
}


class EndpointsPanel(Panel):
    areas = frozenset({ENDPOINTS})

    def __init__(self, runner: Any, parent: Any = None) -> None:
        self.tz = "Asia/Ho_Chi_Minh"
        super().__init__(runner, parent)
        self.title = _("Endpoints")
        self.add_action(_("Add endpoint"), self.add_endpoint, "Ins", _("Add a bridge point to the meeting"))
        self.add_action(_("Edit"), self.edit_selected, "F2", _("Edit the selected endpoint"))
        self.add_action(_("Remove"), self.remove_selected, "Del", _("Remove the endpoint from the meeting"))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.summary.show()

    def columns(self) -> list[Column]:
        right = Qt.AlignmentFlag.AlignRight
        return [
            Column(_("Endpoint"), lambda e: e.name),
            Column(_("Kind"), lambda e: labels.endpoint_kind(e.kind)),
            Column(_("Status"), lambda e: labels.endpoint_status(e.status),
                   foreground=lambda e: STATUS_COLOURS.get(e.status)),
            Column(_("Since"), lambda e: hhmm(e.status_since, self.tz),
                   sort=lambda e: e.status_since.timestamp() if e.status_since else 0),
            Column(_("Present"), lambda e: "" if e.present_delegates is None else str(e.present_delegates),
                   sort=lambda e: e.present_delegates or -1, align=right),
            Column(_("Expected"), lambda e: str(e.expected_delegates), sort=lambda e: e.expected_delegates,
                   align=right),
            Column(_("Host"), lambda e: e.host),
            Column(_("Code"), lambda e: e.code or ""),
            Column(_("Note"), lambda e: e.note, tooltip=lambda e: e.note),
        ]

    def load(self, core: Any, meeting_id: int) -> Any:
        return reads.meeting(core, meeting_id).timezone, reads.endpoints(core, meeting_id)

    def show_rows(self, rows: Any) -> None:
        if not rows:
            self.model.set_rows(())
            self.summary.setText("")
            return
        self.tz, eps = rows
        self.model.set_rows(eps)
        connected = sum(1 for e in eps if e.status in ("connected", "unstable"))
        lost = sum(1 for e in eps if e.status == "lost")
        present = sum(e.present_delegates or 0 for e in eps)
        expected = sum(e.expected_delegates for e in eps)
        self.summary.setText(
            _("Connected {c}/{n} · delegates present {p}/{x} · lost now {lost}").format(
                c=connected, n=len(eps), p=present, x=expected, lost=lost)
        )
        self.view.resizeColumnsToContents()

    def _fields(self, e: reads.MeetingEndpointInfo | None) -> list[Field]:
        fields = [
            Field("name", _("Name"), value=e.name if e else ""),
            Field("kind", _("Kind"), "choice", value=e.kind if e else "district",
                  choices=labels.choices(vocab.ENDPOINT_KINDS, labels.endpoint_kind)),
            Field("code", _("Code"), value=(e.code or "") if e else ""),
            Field("address", _("Monitoring address"), value=e.address if e else ""),
            Field("expected_delegates", _("Delegates expected"), "int", value=e.expected_delegates if e else 0,
                  maximum=1_000_000),
            Field("present_delegates", _("Delegates present"), "optional_int",
                  value=e.present_delegates if e else None, maximum=1_000_000),
            Field("host", _("Host at the endpoint"), value=e.host if e else ""),
            Field("note", _("Note"), "multiline", value=e.note if e else ""),
        ]
        return fields

    def add_endpoint(self) -> None:
        if self.meeting_id is None:
            return
        mid = self.meeting_id

        def accept(values: dict[str, Any], done: Any) -> None:
            name = values.pop("name", "")
            directory = {k: values.pop(k) for k in ("kind", "code", "address") if k in values}
            self.perform(endpoints.create_in_meeting, mid, name, done=done, select_result=True,
                         **directory, **values)

        ask(self, _("Add endpoint"), self._fields(None), accept)

    def edit_selected(self) -> None:
        e = self.selected_row()
        if e is None:
            return
        def accept(values: dict[str, Any], done: Any) -> None:
            self.perform(endpoints.edit_endpoint, e.id, done=done, **values)

        ask(self, _("Edit endpoint"), self._fields(e), accept)

    def remove_selected(self) -> None:
        e = self.selected_row()
        if e is not None:
            self.perform(endpoints.remove_from_meeting, e.id)
