"""The awards list: each grant with its recipient, presenter and conferring authority, in
ceremony order."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from meeting_console.core import awards, catalogue, reads, vocab
from meeting_console.core.changes import AWARDS, CATALOGUE, ENDPOINTS, PEOPLE
from meeting_console.core.timefmt import hhmm
from meeting_console.i18n import _
from meeting_console.ui import labels
from meeting_console.ui.form import Field, ask
from meeting_console.ui.panel import Panel
from meeting_console.ui.table_model import Column


class AwardsPanel(Panel):
    areas = frozenset({AWARDS, PEOPLE, ENDPOINTS, CATALOGUE})

    def __init__(self, runner: Any, parent: Any = None) -> None:
        self.tz = "Asia/Ho_Chi_Minh"
        self.snap: reads.MeetingSnapshot | None = None
        self.types: list[catalogue.AwardTypeInfo] = []
        super().__init__(runner, parent)
        self.title = _("Awards")
        self.add_action(_("Add award"), self.add_grant, "Ins", _("Add an award to present"))
        self.add_action(_("Edit"), self.edit_selected, "F2", _("Edit the selected award"))
        self.add_action(_("Remove"), self.remove_selected, "Del", _("Remove the selected award"))

    def columns(self) -> list[Column]:
        def recipient(g: reads.GrantInfo) -> str:
            name = g.recipient_name
            if g.posthumous:
                name = _("{name} (posthumous)").format(name=name)
            return name

        return [
            Column(_("Order"), lambda g: str(g.ceremony_position), align=Qt.AlignmentFlag.AlignRight),
            Column(_("Group"), lambda g: str(g.group_no), align=Qt.AlignmentFlag.AlignRight),
            Column(_("Award"), lambda g: g.award_name, tooltip=lambda g: g.award_name),
            Column(_("Recipient"), recipient),
            Column(_("Post"), lambda g: g.recipient_post, tooltip=lambda g: g.recipient_post),
            Column(_("Received by"), lambda g: g.received_by),
            Column(_("Presenter"), lambda g: g.presenter_name),
            Column(_("Conferred by"), lambda g: g.authority),
            Column(_("Presented"), lambda g: hhmm(g.presented_at, self.tz)),
        ]

    def load(self, core: Any, meeting_id: int) -> Any:
        return reads.snapshot(core, meeting_id), catalogue.award_types(core)

    def show_rows(self, rows: Any) -> None:
        if not rows:
            self.model.set_rows(())
            return
        self.snap, self.types = rows
        self.tz = self.snap.meeting.timezone
        self.model.set_rows(self.snap.grants)
        self.view.resizeColumnsToContents()
        for col in (2, 4):
            self.view.setColumnWidth(col, min(self.view.columnWidth(col), 320))

    def _fields(self, g: reads.GrantInfo | None) -> list[Field]:
        snap = self.snap
        assert snap is not None
        people = [(None, "—")] + [(p.id, p.full_name) for p in snap.people]
        orgs = [(None, "—")] + [(o.id, o.name) for o in snap.organisations]
        eps = [(None, _("Main hall"))] + [(e.id, e.name) for e in snap.endpoints]
        return [
            Field("award_type_id", _("Award"), "choice", value=g.award_type_id if g else (self.types[0].id if self.types else None),
                  choices=[(t.id, t.name) for t in self.types]),
            Field("recipient_kind", _("Recipient is"), "choice", value=g.recipient_kind if g else "individual",
                  choices=labels.choices(vocab.RECIPIENT_KINDS, labels.recipient_kind)),
            Field("recipient_person_id", _("Person"), "choice", value=g.recipient_person_id if g else None,
                  choices=people),
            Field("recipient_org_id", _("Organisation"), "choice", value=g.recipient_org_id if g else None,
                  choices=orgs),
            Field("recipient_post", _("Post as in the decision"), value=g.recipient_post if g else ""),
            Field("posthumous", _("Posthumous (truy tặng)"), "bool", value=g.posthumous if g else False),
            Field("received_by", _("Received by"), value=g.received_by if g else ""),
            Field("presenter_id", _("Presenter"), "choice", value=g.presenter_id if g else None, choices=people),
            Field("presenter_text", _("Presenter (role, when not a named person)"),
                  value=g.presenter_text if g else ""),
            Field("decision_number", _("Decision number"), value=g.decision_number if g else ""),
            Field("meeting_endpoint_id", _("Recipient is at"), "choice",
                  value=g.meeting_endpoint_id if g else None, choices=eps),
            Field("group_no", _("Group (presented together)"), "int", value=g.group_no if g else 0),
            Field("citation", _("Citation"), "multiline", value=g.citation if g else ""),
        ]

    def add_grant(self) -> None:
        if self.meeting_id is None or self.snap is None:
            return
        mid = self.meeting_id

        def accept(values: dict[str, Any], done: Any) -> None:
            type_id = values.pop("award_type_id", None) or (self.types[0].id if self.types else 0)
            values = {k: v for k, v in values.items() if v is not None}
            self.perform(awards.add_grant, mid, type_id, done=done, select_result=True, **values)

        ask(self, _("Add award"), self._fields(None), accept)

    def edit_selected(self) -> None:
        g = self.selected_row()
        if g is None or self.snap is None:
            return

        def accept(values: dict[str, Any], done: Any) -> None:
            self.perform(awards.update_grant, g.id, done=done, **values)

        ask(self, _("Edit award"), self._fields(g), accept)

    def remove_selected(self) -> None:
        g = self.selected_row()
        if g is not None:
            self.perform(awards.remove_grant, g.id)
