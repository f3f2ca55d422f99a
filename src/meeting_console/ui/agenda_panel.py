"""The agenda timeline panel: every item with its plan, presenter, status and actual times."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from meeting_console.core import agenda, reads, vocab
from meeting_console.core.changes import AGENDA, MEETING, PEOPLE
from meeting_console.core.timefmt import hhmm
from meeting_console.i18n import _
from meeting_console.ui import labels
from meeting_console.ui.form import Field, ask
from meeting_console.ui.panel import Panel
from meeting_console.ui.table_model import Column

RUNNING_BG = QColor("#fff4c2")
DONE_FG = QColor("#555555")


class AgendaPanel(Panel):
    areas = frozenset({AGENDA, MEETING, PEOPLE})

    def __init__(self, runner: Any, parent: Any = None) -> None:
        self.tz = "Asia/Ho_Chi_Minh"
        self.meeting: reads.MeetingInfo | None = None
        self.people: tuple[reads.PersonInfo, ...] = ()
        super().__init__(runner, parent)
        self.title = _("Agenda")
        self.add_action(_("Add item"), self.add_item, "Ins", _("Add an agenda item after the selected one"))
        self.add_action(_("Edit"), self.edit_selected, "F2", _("Edit the selected item"))
        self.add_action(_("Remove"), self.remove_selected, "Del", _("Remove the selected item"))
        self.add_action(_("Move up"), lambda: self.move_selected(-1), "Ctrl+Up")
        self.add_action(_("Move down"), lambda: self.move_selected(+1), "Ctrl+Down")
        self.view.setSortingEnabled(False)

    def columns(self) -> list[Column]:
        right = Qt.AlignmentFlag.AlignRight

        def bg(it: reads.AgendaItemInfo) -> Any:
            return RUNNING_BG if it.status in ("running", "paused") else None

        def fg(it: reads.AgendaItemInfo) -> Any:
            return DONE_FG if it.status in ("done", "skipped") else None

        return [
            Column(_("No."), lambda it: it.number, background=bg),
            Column(_("Planned"), lambda it: hhmm(it.planned_start, self.tz), background=bg),
            Column(_("Min"), lambda it: str(it.planned_minutes), sort=lambda it: it.planned_minutes,
                   align=right, background=bg),
            Column(_("Title"), lambda it: it.title, tooltip=lambda it: it.title, background=bg, foreground=fg),
            Column(_("Kind"), lambda it: labels.item_kind(it.kind), background=bg),
            Column(_("Presenter"), lambda it: it.presenter_name, background=bg),
            Column(_("Status"), lambda it: labels.item_status(it.status), background=bg),
            Column(_("Started"), lambda it: hhmm(it.actual_start, self.tz), background=bg),
            Column(_("Ended"), lambda it: hhmm(it.actual_end, self.tz), background=bg),
        ]

    def load(self, core: Any, meeting_id: int) -> Any:
        snap_meeting = reads.meeting(core, meeting_id)
        return snap_meeting, reads.people(core, meeting_id), reads.agenda(core, meeting_id)

    def show_rows(self, rows: Any) -> None:
        if not rows:
            self.model.set_rows(())
            return
        self.meeting, self.people, items = rows
        self.tz = self.meeting.timezone
        self.model.set_rows(items)
        self.view.resizeColumnsToContents()
        self.view.setColumnWidth(3, min(max(self.view.columnWidth(3), 200), 520))

    # --- actions ---------------------------------------------------------------------------

    def _fields(self, it: reads.AgendaItemInfo | None) -> list[Field]:
        people = [(None, _("— not a named person —"))] + [(p.id, p.full_name) for p in self.people]
        day = self.meeting.date if self.meeting else None
        return [
            Field("number", _("Number"), value=it.number if it else ""),
            Field("title", _("Title"), "multiline", value=it.title if it else ""),
            Field("kind", _("Kind"), "choice", value=it.kind if it else "other",
                  choices=labels.choices(vocab.ITEM_KINDS, labels.item_kind)),
            Field("presenter_id", _("Presenter"), "choice", value=it.presenter_id if it else None, choices=people),
            Field("presenter_text", _("Presenter (role, when not a named person)"),
                  value=it.presenter_text if it else ""),
            Field("planned_start", _("Planned start"), "time", value=it.planned_start if it else None,
                  tz=self.tz, day=day),
            Field("planned_minutes", _("Planned minutes"), "int", value=it.planned_minutes if it else 10,
                  maximum=24 * 60),
            Field("notes", _("Notes"), "multiline", value=it.notes if it else ""),
        ]

    def add_item(self) -> None:
        if self.meeting_id is None:
            return
        sel = self.selected_row()
        index = sel.position if sel else None  # after the selected item
        mid = self.meeting_id

        def accept(values: dict[str, Any], done: Any) -> None:
            title = values.pop("title", "")
            self.perform(agenda.add_item, mid, title, index=index, done=done, select_result=True, **values)

        ask(self, _("Add agenda item"), self._fields(None), accept)

    def edit_selected(self) -> None:
        it = self.selected_row()
        if it is None:
            return

        def accept(values: dict[str, Any], done: Any) -> None:
            self.perform(agenda.update_item, it.id, done=done, **values)

        ask(self, _("Edit agenda item"), self._fields(it), accept)

    def remove_selected(self) -> None:
        it = self.selected_row()
        if it is not None:
            self.perform(agenda.remove_item, it.id)

    def move_selected(self, delta: int) -> None:
        it = self.selected_row()
        if it is None:
            return
        new_index = it.position - 1 + delta
        if 0 <= new_index < self.model.rowCount():
            self.loaded.connect(lambda: self.select_id(it.id), Qt.ConnectionType.SingleShotConnection)
            self.perform(agenda.move_item, it.id, new_index)
