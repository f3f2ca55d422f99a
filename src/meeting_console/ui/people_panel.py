"""Participants: names, posts, chairs and the recorder, where each one is."""

from __future__ import annotations

from typing import Any

from meeting_console.core import people, reads, vocab
from meeting_console.core.changes import ENDPOINTS, PEOPLE
from meeting_console.i18n import _
from meeting_console.ui import labels
from meeting_console.ui.form import Field, ask
from meeting_console.ui.panel import Panel
from meeting_console.ui.table_model import Column


class PeoplePanel(Panel):
    areas = frozenset({PEOPLE, ENDPOINTS})

    def __init__(self, runner: Any, parent: Any = None) -> None:
        self.endpoints: tuple[reads.MeetingEndpointInfo, ...] = ()
        self.organisations: tuple[reads.OrganisationInfo, ...] = ()
        super().__init__(runner, parent)
        self.title = _("People")
        self.add_action(_("Add person"), self.add_person, "Ins", _("Add a participant"))
        self.add_action(_("Edit"), self.edit_selected, "F2", _("Edit the selected person"))
        self.add_action(_("Remove"), self.remove_selected, "Del", _("Remove the selected person"))
        self.add_action(_("Add organisation"), self.add_organisation, None,
                        _("Add a collective (an award recipient)"))
        self.view.setSortingEnabled(True)

    def columns(self) -> list[Column]:
        def role(p: reads.PersonInfo) -> str:
            parts = []
            if p.chair_order is not None:
                parts.append(_("Chair {n}").format(n=p.chair_order))
            if p.is_recorder:
                parts.append(_("Recorder"))
            return ", ".join(parts)

        eps = lambda p: next((e.name for e in self.endpoints if e.id == p.meeting_endpoint_id), "")  # noqa: E731
        return [
            Column(_("Name"), lambda p: p.full_name),
            Column(_("Posts"), lambda p: p.posts_text, tooltip=lambda p: "\n".join(p.posts)),
            Column(_("Role"), role, sort=lambda p: (p.chair_order or 99, not p.is_recorder)),
            Column(_("Category"), lambda p: labels.person_category(p.category)),
            Column(_("Endpoint"), eps),
            Column(_("Organisation"), lambda p: p.organisation),
        ]

    def load(self, core: Any, meeting_id: int) -> Any:
        return reads.endpoints(core, meeting_id), reads.organisations(core, meeting_id), reads.people(core, meeting_id)

    def show_rows(self, rows: Any) -> None:
        if not rows:
            self.model.set_rows(())
            return
        self.endpoints, self.organisations, ppl = rows
        self.model.set_rows(ppl)
        self.view.resizeColumnsToContents()
        self.view.setColumnWidth(1, min(self.view.columnWidth(1), 420))

    def _fields(self, p: reads.PersonInfo | None) -> list[Field]:
        eps = [(None, _("Main hall"))] + [(e.id, e.name) for e in self.endpoints]
        orgs = [(None, "—")] + [(o.id, o.name) for o in self.organisations]
        return [
            Field("full_name", _("Full name"), value=p.full_name if p else ""),
            Field("posts", _("Posts (one per line)"), "lines", value=list(p.posts) if p else []),
            Field("category", _("Category"), "choice", value=p.category if p else "member",
                  choices=labels.choices(vocab.PERSON_CATEGORIES, labels.person_category)),
            Field("chair_order", _("Chair (order)"), "optional_int", value=p.chair_order if p else None,
                  minimum=1, maximum=100),
            Field("is_recorder", _("Recorder (secretary)"), "bool", value=p.is_recorder if p else False),
            Field("meeting_endpoint_id", _("Endpoint"), "choice", value=p.meeting_endpoint_id if p else None,
                  choices=eps),
            Field("organisation_id", _("Organisation"), "choice", value=p.organisation_id if p else None,
                  choices=orgs),
            Field("note", _("Note"), "multiline", value=p.note if p else ""),
        ]

    def add_person(self) -> None:
        if self.meeting_id is None:
            return
        mid = self.meeting_id

        def accept(values: dict[str, Any], done: Any) -> None:
            name = values.pop("full_name", "")
            self.perform(people.add_person, mid, name, done=done, select_result=True, **values)

        ask(self, _("Add person"), self._fields(None), accept)

    def edit_selected(self) -> None:
        p = self.selected_row()
        if p is None:
            return

        def accept(values: dict[str, Any], done: Any) -> None:
            self.perform(people.update_person, p.id, done=done, **values)

        ask(self, _("Edit person"), self._fields(p), accept)

    def remove_selected(self) -> None:
        p = self.selected_row()
        if p is not None:
            self.perform(people.remove_person, p.id)

    def add_organisation(self) -> None:
        if self.meeting_id is None:
            return
        mid = self.meeting_id

        def accept(values: dict[str, Any], done: Any) -> None:
            self.perform(people.add_organisation, mid, values.get("name", ""), done=done)

        ask(self, _("Add organisation"), [Field("name", _("Name"))], accept)
