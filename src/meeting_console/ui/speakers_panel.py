"""The speaker queue: who asked for the floor on which item, from where, and what they said."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from meeting_console.core import reads, speakers, vocab
from meeting_console.core.changes import AGENDA, ENDPOINTS, PEOPLE, SPEAKERS
from meeting_console.core.timefmt import hhmm
from meeting_console.i18n import _
from meeting_console.ui import labels
from meeting_console.ui.form import Field, ask
from meeting_console.ui.panel import Panel
from meeting_console.ui.table_model import Column


class SpeakersPanel(Panel):
    areas = frozenset({SPEAKERS, PEOPLE, AGENDA, ENDPOINTS})

    def __init__(self, runner: Any, parent: Any = None) -> None:
        self.tz = "Asia/Ho_Chi_Minh"
        self.items: tuple[reads.AgendaItemInfo, ...] = ()
        self.people: tuple[reads.PersonInfo, ...] = ()
        self.endpoints: tuple[reads.MeetingEndpointInfo, ...] = ()
        super().__init__(runner, parent)
        self.title = _("Speakers")
        self.add_action(_("Register speaker"), self.add_request, "Ins", _("Register a speaker for an item"))
        self.add_action(_("Edit"), self.edit_selected, "F2", _("Edit the selected request"))
        self.add_action(_("Remove"), self.remove_selected, "Del", _("Remove the selected request"))
        self.add_action(_("Move up"), lambda: self.move_selected(-1), "Ctrl+Up")
        self.add_action(_("Move down"), lambda: self.move_selected(+1), "Ctrl+Down")

    def columns(self) -> list[Column]:
        def item(r: reads.SpeakerInfo) -> str:
            it = next((i for i in self.items if i.id == r.agenda_item_id), None)
            return it.number or str(it.position) if it else ""

        return [
            Column(_("Item"), item),
            Column(_("Queue"), lambda r: "" if r.position is None else str(r.position),
                   align=Qt.AlignmentFlag.AlignRight),
            Column(_("Speaker"), lambda r: r.person_name),
            Column(_("Post"), lambda r: ", ".join(r.person_posts), tooltip=lambda r: "\n".join(r.person_posts)),
            Column(_("Endpoint"), lambda r: r.endpoint_name or _("Main hall")),
            Column(_("Status"), lambda r: labels.speaker_status(r.status)),
            Column(_("Min"), lambda r: "" if r.limit_minutes is None else str(r.limit_minutes),
                   align=Qt.AlignmentFlag.AlignRight),
            Column(_("Started"), lambda r: hhmm(r.actual_start, self.tz)),
            Column(_("Ended"), lambda r: hhmm(r.actual_end, self.tz)),
            Column(_("Topic / summary"), lambda r: r.summary or r.topic, tooltip=lambda r: r.summary or r.topic),
        ]

    def load(self, core: Any, meeting_id: int) -> Any:
        snap = reads.snapshot(core, meeting_id)
        return snap.meeting.timezone, snap.agenda, snap.people, snap.endpoints, snap.speakers

    def show_rows(self, rows: Any) -> None:
        if not rows:
            self.model.set_rows(())
            return
        self.tz, self.items, self.people, self.endpoints, reqs = rows
        self.model.set_rows(reqs)
        self.view.resizeColumnsToContents()
        self.view.setColumnWidth(3, min(self.view.columnWidth(3), 360))

    def _fields(self, r: reads.SpeakerInfo | None) -> list[Field]:
        eps = [(None, _("Main hall"))] + [(e.id, e.name) for e in self.endpoints]
        fields = []
        if r is None:
            default_item = next((i.id for i in self.items if i.kind == "discussion"),
                                self.items[0].id if self.items else None)
            fields += [
                Field("item_id", _("Agenda item"), "choice", value=default_item,
                      choices=[(i.id, f"{i.number}. {i.title[:60]}") for i in self.items]),
                Field("person_id", _("Speaker"), "choice", value=self.people[0].id if self.people else None,
                      choices=[(p.id, f"{p.full_name} — {p.posts_text[:50]}") for p in self.people]),
            ]
        fields += [
            Field("meeting_endpoint_id", _("Speaks from"), "choice",
                  value=r.meeting_endpoint_id if r else None, choices=eps),
            Field("topic", _("Topic"), "multiline", value=r.topic if r else ""),
            Field("limit_minutes", _("Time limit (minutes)"), "optional_int",
                  value=r.limit_minutes if r else None, minimum=1, maximum=240),
            Field("source", _("Request came"), "choice", value=r.source if r else "advance",
                  choices=labels.choices(vocab.SPEAKER_SOURCES, labels.speaker_source)),
        ]
        if r is not None:
            fields.append(Field("summary", _("Summary of the speech"), "multiline", value=r.summary))
        return fields

    def add_request(self) -> None:
        if self.meeting_id is None or not self.items or not self.people:
            self.warn(_("Add agenda items and people first."))
            return

        def accept(values: dict[str, Any], done: Any) -> None:
            item_id = values.pop("item_id", None) or self._fields(None)[0].value
            person_id = values.pop("person_id", None) or self.people[0].id
            self.perform(speakers.add_request, item_id, person_id, done=done, select_result=True, **values)

        ask(self, _("Register speaker"), self._fields(None), accept)

    def edit_selected(self) -> None:
        r = self.selected_row()
        if r is None:
            return

        def accept(values: dict[str, Any], done: Any) -> None:
            self.perform(speakers.update_request, r.id, done=done, **values)

        ask(self, _("Edit speaker request"), self._fields(r), accept)

    def remove_selected(self) -> None:
        r = self.selected_row()
        if r is not None:
            self.perform(speakers.remove_request, r.id)

    def move_selected(self, delta: int) -> None:
        r = self.selected_row()
        if r is None or r.position is None:
            return
        self.loaded.connect(lambda: self.select_id(r.id), Qt.ConnectionType.SingleShotConnection)
        self.perform(speakers.move_request, r.id, r.position - 1 + delta)
