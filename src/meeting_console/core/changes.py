"""What an operation changed, so views refresh only what they show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Areas a view can listen for.
MEETING = "meeting"
AGENDA = "agenda"
ENDPOINTS = "endpoints"
PEOPLE = "people"
SPEAKERS = "speakers"
AWARDS = "awards"
CATALOGUE = "catalogue"
JOURNAL = "journal"

TABLE_AREAS: dict[str, str] = {
    "meeting": MEETING,
    "agenda_item": AGENDA,
    "endpoint": ENDPOINTS,
    "meeting_endpoint": ENDPOINTS,
    "endpoint_status_event": ENDPOINTS,
    "person": PEOPLE,
    "organisation": PEOPLE,
    "speaker_request": SPEAKERS,
    "award_type": CATALOGUE,
    "award_grant": AWARDS,
}


@dataclass(frozen=True)
class Changes:
    """Returned by every operation (and by undo/redo, and by changes from another console)."""

    areas: frozenset[str] = frozenset()
    meeting_id: int | None = None
    journal_id: int | None = None
    label: str = ""
    result: Any = None
    # ids of rows touched, by table: lets a model with 50,000 rows update only those
    rows: dict[str, frozenset[int]] = field(default_factory=dict)
    # this seat's undo/redo state for ``meeting_id`` right after the change, worked out in the
    # same transaction (an ``api.UndoStatus``); None when not known (changes from another
    # console, automatic changes): then ask ``Core.undo_status``
    undo: Any = None
    # for each table whose rows were only updated: row id → the changed columns' new values
    # (None for a table with rows inserted or deleted), so that a view holding those rows can
    # patch them without reading them again; empty when not known (another console's change)
    updates: dict[str, dict[int, dict[str, Any]] | None] = field(default_factory=dict)

    def __contains__(self, area: object) -> bool:
        return area in self.areas

    @property
    def any(self) -> bool:
        return bool(self.areas)

    def merged(self, other: Changes) -> Changes:
        rows = {t: self.rows.get(t, frozenset()) | other.rows.get(t, frozenset())
                for t in set(self.rows) | set(other.rows)}
        return Changes(
            areas=self.areas | other.areas,
            meeting_id=other.meeting_id if other.meeting_id is not None else self.meeting_id,
            journal_id=other.journal_id or self.journal_id,
            label=other.label or self.label,
            result=other.result,
            rows=rows,
            undo=other.undo,
        )  # (no ``updates``: a merged change is read again)


def areas_of(tables: set[str]) -> frozenset[str]:
    return frozenset(TABLE_AREAS[t] for t in tables if t in TABLE_AREAS) | {JOURNAL}
