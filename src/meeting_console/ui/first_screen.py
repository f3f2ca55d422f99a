"""The window's first screen: the meeting as read by ``store.quickread``, shown while the Core
(SQLAlchemy, the panels, the monitor) loads right after the first paint.

Read-only views, no action: every operation waits for the real panels, which replace these
widgets in the same docks (``MainWindow.attach``). Nothing here imports SQLAlchemy or the core's
operations (start-up time; a test checks it).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QWidget

from meeting_console.core.timefmt import hhmm
from meeting_console.i18n import _
from meeting_console.store.quickread import FirstScreen
from meeting_console.ui import labels
from meeting_console.ui.table_model import Column, RowsModel


def _table(name: str, columns: list[Column], rows: tuple[Any, ...], widths: tuple[int, ...]) -> QTableView:
    """A read-only table; ``widths`` in average characters, 0 for the column that stretches
    (fixed widths: measuring every cell, resizeColumnsToContents, cost a third of the build)."""
    view = QTableView()
    view.setObjectName(name)
    model = RowsModel(columns, view)
    model.rows = rows
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    char = view.fontMetrics().averageCharWidth()
    for i, width in enumerate(widths):
        if width:
            header.resizeSection(i, width * char + 12)
        else:
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
    return view


def _waiting(name: str) -> QLabel:
    label = QLabel(_("Opening…"))
    label.setObjectName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setAutoFillBackground(True)  # opaque, as the panel will be (the dock area's spare tab bars lie beneath)
    return label


def agenda_view(screen: FirstScreen) -> QWidget:
    tz = screen.meeting.timezone
    right = Qt.AlignmentFlag.AlignRight
    return _table("first-agenda", [
        Column(_("No."), lambda it: it.number or str(it.position)),
        Column(_("Planned"), lambda it: hhmm(it.planned_start, tz) or "—"),
        Column(_("Min"), lambda it: str(it.planned_minutes), align=right),
        Column(_("Title"), lambda it: it.title),
        Column(_("Presenter"), lambda it: it.presenter_name),
        Column(_("Status"), lambda it: labels.item_status(it.status)),
    ], screen.agenda, widths=(4, 7, 4, 0, 24, 12))


def endpoints_view(screen: FirstScreen) -> QWidget:
    def delegates(e: Any) -> str:
        return f"{'—' if e.present_delegates is None else e.present_delegates} / {e.expected_delegates}"

    return _table("first-endpoints", [
        Column(_("Endpoint"), lambda e: e.name),
        Column(_("Kind"), lambda e: labels.endpoint_kind(e.kind)),
        Column(_("Status"), lambda e: labels.endpoint_status(e.status)),
        Column(_("Present / expected"), delegates, align=Qt.AlignmentFlag.AlignRight),
    ], screen.endpoints, widths=(0, 22, 18, 18))


def speakers_view(screen: FirstScreen) -> QWidget:
    place = {r.id: n for n, r in enumerate(screen.speakers, start=1)}
    return _table("first-speakers", [
        Column(_("#"), lambda r: str(place[r.id]), align=Qt.AlignmentFlag.AlignRight),
        Column(_("Speaker"), lambda r: r.person_name),
        Column(_("Post"), lambda r: ", ".join(r.person_posts)),
        Column(_("Speaks from"), lambda r: r.endpoint_name or _("Main hall")),
        Column(_("Status"), lambda r: labels.speaker_status(r.status)),
    ], screen.speakers, widths=(3, 22, 0, 16, 12))


def dock_content(name: str, screen: FirstScreen) -> QWidget:
    """What dock ``name`` shows until its panel is built."""
    if name == "endpoints":
        return endpoints_view(screen)
    if name == "speakers":
        return speakers_view(screen)
    return _waiting(f"first-{name}")
