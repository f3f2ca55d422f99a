"""The detail pane of the selected endpoint (a dock): its status history and its outages, each
with what the meeting was doing at the time (agenda item, speaker)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from meeting_console.core import endpoints, outages, reads
from meeting_console.core.changes import AGENDA, ENDPOINTS, SPEAKERS, Changes
from meeting_console.core.outages import Outage
from meeting_console.core.reads import MeetingEndpointInfo, StatusEventInfo
from meeting_console.core.timefmt import duration, hhmm
from meeting_console.i18n import _
from meeting_console.monitor.probes import detail_text
from meeting_console.ui import labels
from meeting_console.ui.bus import Runner
from meeting_console.ui.endpoint_model import STATUS_COLOURS, status_icon
from meeting_console.ui.table_model import Column, RowsModel


@dataclass(frozen=True)
class Detail:
    tz: str
    info: MeetingEndpointInfo | None
    events: tuple[StatusEventInfo, ...]
    outages: tuple[Outage, ...]


def load_detail(core: Any, meeting_id: int, me_id: int) -> Detail:
    """On the DB worker: everything the pane shows for one endpoint."""
    tz = reads.meeting(core, meeting_id).timezone
    rows = endpoints.rows(core, meeting_id, [me_id])
    if not rows:
        return Detail(tz, None, (), ())
    return Detail(tz, rows[0], reads.status_events(core, me_id), outages.endpoint_ledger(core, me_id))


class _Outage:
    """An outage as a row of the thin model (which wants an ``id``)."""

    def __init__(self, n: int, o: Outage) -> None:
        self.id = n
        self.o = o


class EndpointDetail(QWidget):
    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("endpoint-detail")
        self.runner = runner
        self.meeting_id: int | None = None
        self.me_id: int | None = None
        self.tz = "Asia/Ho_Chi_Minh"
        self._loading = False
        self._again = False
        self.head = QLabel(_("Select an endpoint to see its history."))
        self.head.setObjectName("detail-head")
        self.head.setWordWrap(True)
        self.head.setTextFormat(Qt.TextFormat.RichText)
        self.head.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        tz = lambda: self.tz  # noqa: E731
        self.events = RowsModel([
            Column(_("Time"), lambda e: hhmm(e.at, tz(), seconds=True)),
            Column(_("Status"), lambda e: labels.endpoint_status(e.status),
                   foreground=lambda e: STATUS_COLOURS.get(e.status),
                   decoration=lambda e: status_icon(e.status)),
            Column(_("By"), lambda e: _("monitor") if e.automatic else _("clerk")),
            Column(_("Detail"), lambda e: detail_text(e.detail),
                   tooltip=lambda e: detail_text(e.detail) or None),
        ], self)
        self.outages = RowsModel([
            Column(_("From"), lambda r: hhmm(r.o.start, tz(), seconds=True)),
            Column(_("To"), lambda r: hhmm(r.o.end, tz(), seconds=True) if r.o.end else _("still out")),
            Column(_("Duration"), lambda r: duration(r.o.seconds(self.runner.core.clock.now())),
                   align=Qt.AlignmentFlag.AlignRight),
            Column(_("Worst"), lambda r: labels.endpoint_status(r.o.severity),
                   foreground=lambda r: STATUS_COLOURS.get(r.o.severity)),
            Column(_("During item"), lambda r: " → ".join(a.label for a in r.o.items) or _("(between items)"),
                   tooltip=lambda r: "\n".join(a.label for a in r.o.items) or None),
            Column(_("Speaker"), lambda r: ", ".join(a.label for a in r.o.speeches)),
            Column(_("By"), lambda r: _("monitor") if r.o.automatic else _("clerk")),
        ], self)
        self.tabs = QTabWidget(self)
        self.outage_view = self._table(self.outages, "detail-outages")
        self.event_view = self._table(self.events, "detail-events")
        self.tabs.addTab(self.outage_view, _("Outages"))
        self.tabs.addTab(self.event_view, _("Status history"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.head)
        lay.addWidget(self.tabs, 1)
        runner.operation_did_execute.connect(self._on_changes)

    def _table(self, model: RowsModel, name: str) -> QTableView:
        v = QTableView(self)
        v.setObjectName(name)
        v.setModel(model)
        v.verticalHeader().setVisible(False)
        v.verticalHeader().setDefaultSectionSize(24)
        v.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        v.setAlternatingRowColors(True)
        v.horizontalHeader().setStretchLastSection(True)
        v.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        return v

    def show_endpoint(self, meeting_id: int | None, me_id: int | None) -> None:
        if (meeting_id, me_id) == (self.meeting_id, self.me_id):
            return
        self.meeting_id, self.me_id = meeting_id, me_id
        self.refresh()

    def refresh(self) -> None:
        if self.meeting_id is None or self.me_id is None:
            self._show(Detail(self.tz, None, (), ()))
            return
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.runner.call(load_detail, self.runner.core, self.meeting_id, self.me_id,
                         on_done=self._loaded, on_error=self._failed)

    def _loaded(self, detail: Detail) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.refresh()
            return
        self._show(detail)

    def _failed(self, message: str) -> None:
        self._loading = False
        self.head.setText(message)

    def _show(self, d: Detail) -> None:
        self.tz = d.tz
        e = d.info
        if e is None:
            self.head.setText(_("Select an endpoint to see its history."))
            self.events.set_rows(())
            self.outages.set_rows(())
            return
        colour = STATUS_COLOURS.get(e.status)
        since = hhmm(e.status_since, d.tz, seconds=True)
        who = ""
        if e.monitored:
            who = _(" — set by a clerk (Ctrl+R hands it back to the monitor)") if e.manual_override \
                else _(" — monitored")
        total = sum(o.seconds(self.runner.core.clock.now()) or 0 for o in d.outages)
        lines = [
            f"<b style='font-size:12pt'>{_esc(e.name)}</b> &nbsp; <span style='color:#555'>"
            f"{_esc(labels.endpoint_kind(e.kind))}{' · ' + _esc(e.code) if e.code else ''}</span>",
            f"<span style='color:{colour.name() if colour else '#000'}'><b>"
            f"{_esc(labels.endpoint_status(e.status))}</b></span>"
            + (_(" since {t}").format(t=since) if since else "") + _esc(who),
            _("Delegates present {p} of {x} · host: {h}").format(
                p="—" if e.present_delegates is None else e.present_delegates, x=e.expected_delegates,
                h=_esc(e.host) or "—"),
            _("Outages: {n} · {t} in total").format(n=len(d.outages), t=duration(total) or "0:00"),
        ]
        if e.address:
            lines.append(_("Address: {a}").format(a=_esc(e.address)))
        if e.last_probe_detail:
            lines.append(_("Last probe: {d}").format(d=_esc(detail_text(e.last_probe_detail))))
        if e.note:
            lines.append(_("Note: {n}").format(n=_esc(e.note)))
        self.head.setText("<br>".join(lines))
        self.events.set_rows(tuple(reversed(d.events)))  # newest first
        self.outages.set_rows(tuple(_Outage(n, o) for n, o in enumerate(reversed(d.outages))))
        for v in (self.event_view, self.outage_view):
            v.resizeColumnsToContents()

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if self.me_id is None or changes.meeting_id not in (None, self.meeting_id):
            return
        touched = changes.rows.get("meeting_endpoint", frozenset())
        if self.me_id in touched or changes.areas & {AGENDA, SPEAKERS} or "endpoint" in changes.rows \
                or (ENDPOINTS in changes.areas and not changes.rows):
            self.refresh()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
