"""The endpoint (bridge point) panel: every endpoint of the meeting with its connection status,
since when, outages so far, delegates present, host, last probe and note; a summary line; sort
by any column, group by kind, filter by status, search that ignores accents ("son duong" finds
"Sơn Dương"); the detail pane as a dock; roll call; live monitoring under qasync.

Keys, in the panel (also in the Endpoints menu and in tooltips):
  Ctrl+1 connected · Ctrl+2 unstable · Ctrl+3 lost · Ctrl+4 left · Ctrl+5 not yet connected
  (a clerk's status holds against the monitor) · Ctrl+R hand the status back to the monitor
  F3 delegates present · F4 note · Shift+F4 host · Ctrl+L roll call · Ctrl+M monitoring on/off
  Ctrl+Alt+M monitor the selected endpoint or not · Alt+G group by kind · Ctrl+F search
  Ins add · F2 edit · Del remove.

Built for 50,000 rows: the model sorts and filters itself (``endpoint_model``); a change on
the bus reloads only the rows it names, on the DB worker; the summary and the ticking outage
times are refreshed on timers, never per row.
"""

from __future__ import annotations

import collections
import itertools
import time
from collections.abc import Iterable, Iterator
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from meeting_console.core import endpoints, outages, reads, vocab
from meeting_console.core.changes import ENDPOINTS, MEETING, Changes
from meeting_console.core.timefmt import hhmm
from meeting_console.i18n import _
from meeting_console.monitor.service import MonitorStatus
from meeting_console.ui import labels
from meeting_console.ui.endpoint_detail import EndpointDetail
from meeting_console.ui.endpoint_model import (
    FILTERS,
    OUTAGES,
    STATUS_COLOURS,
    EndpointModel,
    IdRole,
    Loaded,
    filter_label,
    search_keys,
    status_icon,
)
from meeting_console.ui.endpoint_monitor import MonitorController
from meeting_console.ui.form import Field, ask
from meeting_console.ui.panel import Panel
from meeting_console.ui.roll_call import STATUS_KEYS, RollCallDialog
from meeting_console.ui.table_model import LIVE_MEETING_FIELDS, Column, meeting_update

__all__ = ["STATUS_COLOURS", "EndpointsPanel", "load_all", "load_some"]

FULL_RELOAD_OVER = 20_000  # more changed rows than this: read everything again
FOLLOW_SLICE = 50  # rows of monitor batches applied at a time (well under a millisecond on a quiet machine)
# slices applied per turn of the event loop until this much time has gone: on a busy machine (or
# with the interpreter lock shared with busy threads) a fixed number of rows took 10–16 ms
FOLLOW_BUDGET_S = 0.004
COLUMN_WIDTHS = (220, 130, 150, 72, 90, 110, 170, 150, 64, 70, 200)


def load_all(core: Any, meeting_id: int) -> Loaded:
    """On the DB worker: the whole table."""
    tz = reads.meeting(core, meeting_id).timezone
    rows = endpoints.rows(core, meeting_id)
    return Loaded(tz, rows, outages.totals(core, meeting_id), search_keys(rows)).prepared()


def load_some(core: Any, meeting_id: int, ids: frozenset[int]) -> tuple[Any, ...]:
    """On the DB worker: the rows a change named, their outage totals and search keys."""
    rows = endpoints.rows(core, meeting_id, ids)
    return rows, outages.totals(core, meeting_id, ids), search_keys(rows), ids


class EndpointsPanel(Panel):
    areas = frozenset({ENDPOINTS, MEETING})

    def __init__(self, runner: Any, parent: Any = None) -> None:
        # this panel emits thousands of signals a minute under monitoring: PySide6 6.12 on
        # Python 3.11 would drain the reference counts of None/True (see ui.display)
        from meeting_console.ui.display import keep_none_alive

        keep_none_alive()
        self.tz = "Asia/Ho_Chi_Minh"
        super().__init__(runner, parent)
        self.title = _("Endpoints")
        self.emodel = EndpointModel(self, clock=runner.core.clock.now)
        self.model = self.emodel  # type: ignore[assignment]  # what the main window's checks see
        self._replace_view()
        self.detail = EndpointDetail(runner)
        self.monitor = MonitorController(runner, self)
        self.monitor.live_changed.connect(self.emodel.set_live)
        self.monitor.status_changed.connect(self._show_monitor)
        self.monitor.running_changed.connect(self._monitor_running)
        self.monitor.failed.connect(self._monitor_failed)
        self.roll_call_dialog: RollCallDialog | None = None
        self._pending_ids: set[int] = set()
        self._full_pending = False
        self._busy = False
        self._sized = False
        # monitor batches waiting to be shown: endpoint id → (new column values, new events)
        self._follow_queue: dict[int, tuple[dict[str, Any], list[Any]]] = {}
        # batches received, not yet merged into the queue (merged a slice per turn as well: a
        # batch of 5,000 rows merged at once held the UI thread for several milliseconds)
        self._follow_in: collections.deque[Iterator[tuple[str, Any]]] = collections.deque()
        self._follow_timer = QTimer(self)
        self._follow_timer.setInterval(0)  # a slice per turn: painting and typing go between
        self._follow_timer.timeout.connect(self._follow_step)
        self._build_filter_bar()
        self._build_actions()
        self.monitor_line = QLabel(_("Monitoring is off (Ctrl+M starts it)."))
        self.monitor_line.setObjectName("monitor-line")
        self.monitor_line.setWordWrap(True)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.view), self.monitor_line)
        self.summary.show()
        self.summary.setWordWrap(True)
        self._summary_timer = QTimer(self)
        self._summary_timer.setSingleShot(True)
        self._summary_timer.setInterval(250)
        self._summary_timer.timeout.connect(self.update_summary)
        self.emodel.layout_done.connect(self._summary_soon)
        self.emodel.layout_done.connect(self._update_shown)
        self.emodel.rows_changed.connect(self._summary_soon)
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._tick_outages)
        self._tick.start(1000)

    # --- construction --------------------------------------------------------------------

    def _replace_view(self) -> None:
        # the base panel's table view, over this panel's own model (no proxy: the model sorts
        # and filters itself)
        v = self.view
        v.setModel(self.emodel)
        v.setObjectName("EndpointsPanelView")
        v.setSortingEnabled(True)
        v.horizontalHeader().setSortIndicatorShown(True)
        v.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        v.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        v.setWordWrap(False)
        v.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        v.selectionModel().currentRowChanged.connect(self._current_changed)
        for i, w in enumerate(COLUMN_WIDTHS):
            v.setColumnWidth(i, w)
        # the model tells the view about changes on screen only: keep it told what that is
        v.verticalScrollBar().valueChanged.connect(lambda _v: self._note_visible())
        v.verticalScrollBar().rangeChanged.connect(lambda _a, _b: self._note_visible())
        self.emodel.layout_done.connect(self._note_visible)
        self.emodel.modelReset.connect(self._note_visible)

    def _note_visible(self) -> None:
        v = self.view
        n = self.emodel.rowCount()
        top = v.rowAt(0)
        bottom = v.rowAt(v.viewport().height() - 1)
        if top < 0:
            top = 0
        if bottom < 0:
            bottom = n - 1
        self.emodel.visible = (top, bottom + 2)  # a row of margin for partly shown rows

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._note_visible()

    def _build_filter_bar(self) -> None:
        bar = QWidget(self)
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit(bar)
        self.search.setObjectName("endpoint-search")
        self.search.setPlaceholderText(_("Search name, code or host — accents optional (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.status_box = QComboBox(bar)
        self.status_box.setObjectName("endpoint-status-filter")
        for value in FILTERS:
            self.status_box.addItem(filter_label(value), value)
            if value in vocab.ENDPOINT_STATUSES:
                self.status_box.setItemIcon(self.status_box.count() - 1, status_icon(value))
        self.shown = QLabel(bar)
        self.shown.setObjectName("endpoint-shown")
        row.addWidget(self.search, 3)
        row.addWidget(self.status_box, 1)
        row.addWidget(self.shown)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, bar)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(120)  # type a word without a filter pass per key
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._search_done)
        self.status_box.currentIndexChanged.connect(
            lambda _i: self.emodel.set_filter(status=self.status_box.currentData()))

    def _build_actions(self) -> None:
        a = self.add_action
        self.act_add = a(_("Add endpoint…"), self.add_endpoint, "Ins", _("Add a bridge point to the meeting"))
        self.act_edit = a(_("Edit…"), self.edit_selected, "F2", _("Edit the selected endpoint"))
        self.act_remove = a(_("Remove"), self.remove_selected, "Del", _("Remove the endpoint from the meeting"))
        self.status_actions: dict[str, QAction] = {}
        for status, key in STATUS_KEYS:
            act = a(labels.endpoint_status(status), lambda _checked=False, s=status: self.set_status(s), key,
                    _("Set the selected endpoint's status (holds against the monitor)"))
            act.setIcon(status_icon(status))
            act.setObjectName(f"act-status-{status}")
            self.status_actions[status] = act
            self.toolbar.removeAction(act)
        self.status_button = QToolButton(self)
        self.status_button.setText(_("Set status"))
        self.status_button.setObjectName("set-status")
        self.status_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        for act in self.status_actions.values():
            self.status_button.addAction(act)
        self.toolbar.addWidget(self.status_button)
        self.act_release = a(_("Release to monitor"), self.release_selected, "Ctrl+R",
                             _("Hand the selected endpoint's status back to the monitor"))
        self.act_present = a(_("Present…"), self.ask_present, "F3", _("Delegates present at the selected endpoint"))
        self.act_note = a(_("Note…"), self.ask_note, "F4", _("A note on the selected endpoint"))
        self.act_host = a(_("Host…"), self.ask_host, "Shift+F4", _("Who chairs at the selected endpoint"))
        self.act_roll_call = a(_("Roll call…"), self.open_roll_call, "Ctrl+L",
                               _("Walk the endpoints one by one: status and delegates present"))
        self.act_monitor = a(_("Monitoring"), self.toggle_monitoring, "Ctrl+M",
                             _("Start or stop live monitoring of the monitored endpoints"))
        self.act_monitor.setCheckable(True)
        self.act_monitor_one = a(_("Monitor this endpoint"), self.toggle_monitored, "Ctrl+Alt+M",
                                 _("Monitor the selected endpoint or not"))
        self.toolbar.removeAction(self.act_monitor_one)
        self.act_group = a(_("Group by kind"), lambda: None, "Alt+G", _("Group the endpoints by kind"))
        self.act_group.setCheckable(True)
        self.act_group.toggled.connect(self._grouped)
        self.act_find = a(_("Search"), self.focus_search, QKeySequence.StandardKey.Find, _("Search endpoints"))
        self.toolbar.removeAction(self.act_find)
        self.toolbar.removeAction(self.act_edit)
        self.toolbar.removeAction(self.act_remove)

    def columns(self) -> list[Column]:  # the base panel's unused table model
        return [Column(_("Endpoint"), lambda e: e.name)]

    def extra_docks(self) -> list[tuple[str, str, QWidget, Qt.DockWidgetArea]]:
        return [("endpoint-detail", _("Endpoint detail"), self.detail, Qt.DockWidgetArea.RightDockWidgetArea)]

    # --- loading ---------------------------------------------------------------------------

    def set_meeting(self, meeting_id: int | None) -> None:
        self.meeting_id = meeting_id
        self.refresh()

    def refresh(self) -> None:
        self._full_pending = True
        self._pending_ids.clear()
        self._kick()

    def refresh_now(self) -> None:
        if self.meeting_id is not None:
            self._show_full(self.runner.read_sync(load_all, self.runner.core, self.meeting_id))
        else:
            self._show_full(Loaded(self.tz, (), {}, ()))

    def _kick(self) -> None:
        if self._busy:
            return
        mid = self.meeting_id
        if mid is None:
            self._full_pending = False
            self._pending_ids.clear()
            self._show_full(Loaded(self.tz, (), {}, ()))
            return
        if self._full_pending:
            self._full_pending = False
            self._pending_ids.clear()
            self._busy = True
            self.runner.call(load_all, self.runner.core, mid, on_done=self._got_full, on_error=self._load_failed)
        elif self._pending_ids:
            ids = frozenset(self._pending_ids)
            self._pending_ids.clear()
            self._busy = True
            self.runner.call(load_some, self.runner.core, mid, ids, on_done=self._got_some,
                             on_error=self._load_failed)

    def _got_full(self, loaded: Loaded) -> None:
        self._busy = False
        self._show_full(loaded)
        self.loaded.emit()
        self._kick()

    def _show_full(self, loaded: Loaded) -> None:
        self._follow_queue.clear()  # read after those batches were written: they are in it
        self._follow_in.clear()
        current = self.selected_id()
        self.tz = loaded.tz
        self.emodel.load(loaded)
        if not self._sized and 0 < len(loaded.rows) <= 2000:
            self._sized = True
            for c in range(self.emodel.columnCount() - 1):
                self.view.resizeColumnToContents(c)
        if current is not None:
            self.select_id(current)
        self.update_summary()
        if self.roll_call_dialog is not None:
            self.roll_call_dialog.changed()

    def _got_some(self, result: tuple[Any, ...]) -> None:
        self._busy = False
        rows, totals, keys, ids = result
        self._merge_in()  # all of them: what was read supersedes them for these rows
        for i in ids:  # read after the queued batches were written: newer than them
            self._follow_queue.pop(i, None)
        if len(rows) != len(ids) or not self.emodel.update_rows(rows, totals, keys, ids):
            self._full_pending = True  # endpoints were added or removed meanwhile
        else:
            self.loaded.emit()
            if self.roll_call_dialog is not None:
                self.roll_call_dialog.changed()
        self._kick()

    def _load_failed(self, message: str) -> None:
        self._busy = False
        self.summary.setText(message)

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if changes.meeting_id not in (None, self.meeting_id) or self.meeting_id is None:
            return
        if isinstance(changes.result, endpoints.BatchResult) and self._follow_batch(changes.result):
            return  # the monitor's batch, followed from what it wrote: nothing to read back
        live = meeting_update(changes, self.meeting_id)
        if MEETING in changes.areas and "meeting" in changes.rows \
                and not (live is not None and LIVE_MEETING_FIELDS.issuperset(live)):
            # (the meeting's start or close changes nothing shown here: no reload for it)
            self._full_pending = True
        elif ENDPOINTS in changes.areas:
            rows = changes.rows
            ids = rows.get("meeting_endpoint", frozenset())
            if not rows or "endpoint" in rows or (not ids and "endpoint_status_event" in rows):
                self._full_pending = True
            else:
                self._pending_ids |= ids
                if len(self._pending_ids) > FULL_RELOAD_OVER:
                    self._full_pending = True
        else:
            return
        self._kick()

    def _follow_batch(self, result: endpoints.BatchResult) -> bool:
        """Queue a monitor batch's written values for the rows shown; False when the rows are
        not all here (a load is under way): then they are read back as usual. The queue is
        applied a slice per turn of the event loop (``_follow_step``): a thousand rows at once
        would hold the UI thread for tens of milliseconds."""
        at = self.emodel._at
        if self._full_pending or any(i not in at for i in result.changed):
            return False
        changed = result.changed
        rows: Iterable[tuple[str, Any]] = \
            zip(itertools.repeat("k"), changed.values_by_row()) if isinstance(changed, endpoints.ColumnRows) \
            else (("c", item) for item in changed.items())
        self._follow_in.append(itertools.chain(rows, (("e", ev) for ev in result.events)))
        if not self._follow_timer.isActive():
            self._follow_timer.start()
        return True

    def _merge_in(self, budget: int | None = None) -> None:
        """Merge received batches into the queue, ``budget`` entries at most (None: all),
        in the order they were written."""
        queue = self._follow_queue
        incoming = self._follow_in
        left = budget
        while incoming and (left is None or left > 0):
            part = incoming[0] if left is None else itertools.islice(incoming[0], left)
            n = 0
            for kind, item in part:
                n += 1
                if kind == "k":  # from columns: (id, names, values)
                    i, names, values = item
                    q = queue.get(i)
                    if q is None:
                        queue[i] = (dict(zip(names, values, strict=True)), [])
                    else:
                        q[0].update(zip(names, values, strict=True))
                elif kind == "c":
                    i, cols = item
                    q = queue.get(i)
                    if q is None:
                        queue[i] = (dict(cols), [])
                    else:
                        q[0].update(cols)
                else:
                    me_id, when, status = item
                    q = queue.get(me_id)
                    if q is None:
                        q = queue[me_id] = ({}, [])
                    q[1].append((when, status))
            if left is None or n < left:
                incoming.popleft()  # this batch is all in
            if left is not None:
                left -= max(n, 1)

    def _follow_step(self) -> None:
        # a batch is merged whole before its rows are shown (a row's values and its status
        # events together), a slice at a time; then the queue is shown a slice at a time —
        # slices until the turn's time budget is spent, then painting and typing go between
        deadline = time.perf_counter() + FOLLOW_BUDGET_S
        queue = self._follow_queue
        while True:
            if self._follow_in:
                self._merge_in(FOLLOW_SLICE * 4)
            elif queue:
                ids = list(itertools.islice(queue, FOLLOW_SLICE))
                self.emodel.follow([(i, *queue.pop(i)) for i in ids])
            if not queue and not self._follow_in:
                self._follow_timer.stop()
                self.emodel.settle()
                return
            if time.perf_counter() >= deadline:
                return

    # --- summary and ticking -----------------------------------------------------------------

    def _summary_soon(self) -> None:
        # at most four times a second however often rows change (a throttle, not a debounce:
        # a storm of changes must not keep pushing the summary back)
        if not self._summary_timer.isActive():
            self._summary_timer.start()

    def update_summary(self) -> None:
        m = self.emodel
        n = len(m.rows)
        counts = m.counts
        lost, unstable = counts.get("lost", 0), counts.get("unstable", 0)
        text = _("Connected {c}/{n} · delegates present {p}/{x} · lost now {lost} · unstable {u}").format(
            c=counts.get("connected", 0) + unstable, n=n, p=m.present_sum, x=m.expected_sum, lost=lost, u=unstable)
        if m.unanswered < n:
            text += _(" · roll call: {w} not answered").format(w=m.unanswered)
        self.summary.setText(text)
        colour = "#c62828" if lost else ("#b26a00" if unstable else "#1b7f3b")
        if colour != getattr(self, "_summary_colour", None):  # a new style sheet re-polishes the label
            self._summary_colour = colour
            self.summary.setStyleSheet(f"QLabel#summary {{ font-weight: bold; color: {colour}; }}")
        self._update_shown()

    def _update_shown(self) -> None:
        n, shown = len(self.emodel.rows), self.emodel.shown_count()
        self.shown.setText(_("{shown} of {n}").format(shown=shown, n=n) if shown != n else _("{n} endpoints").format(n=n))

    def _tick_outages(self) -> None:
        rows = self.emodel.open_outage_rows()
        if rows:
            self.emodel.refresh_indices(rows, columns=(OUTAGES, OUTAGES))

    # --- search and view -----------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _apply_search(self) -> None:
        self.emodel.set_filter(query=self.search.text())

    def _search_done(self) -> None:
        self._search_timer.stop()
        self._apply_search()
        first = self.emodel.index(0, 0)
        if first.isValid() and self.emodel.row_index(first) is None:  # grouped: skip the header
            first = self.emodel.index(1, 0)
        if first.isValid():
            self.view.setCurrentIndex(first)
        self.view.setFocus()

    def _grouped(self, on: bool) -> None:
        self.emodel.set_grouped(on)  # a layout change: the selection stays

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        me_id = current.data(IdRole) if current.isValid() else None
        self.detail.show_endpoint(self.meeting_id, me_id)

    def selected_id(self) -> int | None:
        idx = self.view.currentIndex()
        return idx.data(IdRole) if idx.isValid() else None

    def selected_row(self) -> Any:
        sid = self.selected_id()
        return self.emodel.info(sid) if sid is not None else None

    def shows_id(self, id_: int) -> bool:
        return self.emodel.info(id_) is not None

    def select_id(self, id_: int) -> None:
        idx = self.emodel.index_of(id_)
        if idx.isValid():
            self.view.setCurrentIndex(idx)
            self.view.scrollTo(idx)

    # --- clerk operations ----------------------------------------------------------------------

    def set_status(self, status: str) -> None:
        e = self.selected_row()
        if e is not None:
            self.perform(endpoints.set_status, e.id, status, expected=e.status)

    def release_selected(self) -> None:
        e = self.selected_row()
        if e is not None:
            self.perform(endpoints.release_override, e.id)

    def ask_present(self) -> None:
        e = self.selected_row()
        if e is None:
            return
        ask(self, _("Delegates present — {name}").format(name=e.name), [
            Field("present", _("Present (of {x} expected)").format(x=e.expected_delegates), "optional_int",
                  value=e.present_delegates, maximum=1_000_000)],
            lambda v, done: self.perform(endpoints.set_present, e.id, v["present"], done=done,
                                         seen={"present_delegates": e.present_delegates}))

    def ask_note(self) -> None:
        e = self.selected_row()
        if e is None:
            return
        ask(self, _("Note — {name}").format(name=e.name), [Field("note", _("Note"), "multiline", value=e.note)],
            lambda v, done: self.perform(endpoints.set_note, e.id, v["note"], done=done, seen=e.note))

    def ask_host(self) -> None:
        e = self.selected_row()
        if e is None:
            return
        ask(self, _("Host — {name}").format(name=e.name), [Field("host", _("Host at the endpoint"), value=e.host)],
            lambda v, done: self.perform(endpoints.set_host, e.id, v["host"], done=done, seen=e.host))

    def toggle_monitored(self) -> None:
        e = self.selected_row()
        if e is not None and self.meeting_id is not None:
            self.perform(endpoints.set_monitoring, self.meeting_id, not e.monitored, [e.id])

    def open_roll_call(self) -> None:
        if self.meeting_id is None:
            return
        if self.roll_call_dialog is not None and self.roll_call_dialog.isVisible():
            self.roll_call_dialog.raise_()
            self.roll_call_dialog.activateWindow()
            return
        dlg = RollCallDialog(self.runner, self.meeting_id, self.emodel.shown_ids(), self.emodel.info, self,
                             start_id=self.selected_id())
        dlg.finished.connect(lambda _r: setattr(self, "roll_call_dialog", None))
        self.roll_call_dialog = dlg
        dlg.open()

    # --- monitoring ------------------------------------------------------------------------------

    def toggle_monitoring(self) -> None:
        if self.monitor.running:
            self.monitor.stop()
        elif self.meeting_id is not None:
            self.monitor_line.setText(_("Monitoring: starting…"))
            self.monitor.start(self.meeting_id)

    def _monitor_running(self, running: bool) -> None:
        self.act_monitor.setChecked(running)
        if not running:
            self.monitor_line.setText(_("Monitoring is off (Ctrl+M starts it)."))
            self.emodel.live.clear()
            self.emodel.refresh_all()

    def _monitor_failed(self, message: str) -> None:
        self.act_monitor.setChecked(self.monitor.running)
        self.monitor_line.setText(message)

    def _show_monitor(self, st: MonitorStatus) -> None:
        if not st.running and not self.monitor.running:
            return
        parts = [_("Monitoring: {d} probed directly, {f} via the status feed").format(d=st.direct, f=st.via_feed)]
        if st.feed_url and st.via_feed:
            if st.feed_error:
                parts.append(st.feed_error)
            elif st.feed_ok_at:
                parts.append(_("feed read {t}").format(t=hhmm(st.feed_ok_at, self.tz, seconds=True)))
            if st.feed_unmatched:
                parts.append(_("{n} codes in the feed match no endpoint").format(n=st.feed_unmatched))
            if st.feed_duplicates:
                parts.append(_("listed twice: {codes}").format(codes=", ".join(st.feed_duplicates[:5])))
            if st.feed_problem_count:
                parts.append(_("{n} bad feed entries").format(n=st.feed_problem_count))
        elif st.feed_error:
            parts.append(st.feed_error)
        if st.unusable:
            first = next(iter(st.unusable.values()))
            parts.append(_("{n} cannot be monitored (e.g. {why})").format(n=len(st.unusable), why=first))
        if st.store_error:
            parts.append(st.store_error)
        self.monitor_line.setText(" · ".join(parts))

    # --- add, edit, remove -------------------------------------------------------------------------

    def _fields(self, e: reads.MeetingEndpointInfo | None) -> list[Field]:
        return [
            Field("name", _("Name"), value=e.name if e else ""),
            Field("kind", _("Kind"), "choice", value=e.kind if e else "district",
                  choices=labels.choices(vocab.ENDPOINT_KINDS, labels.endpoint_kind)),
            Field("code", _("Code"), value=(e.code or "") if e else ""),
            Field("address", _("Monitoring address (tcp://host:port, sip:host, http(s)://…)"),
                  value=e.address if e else ""),
            Field("monitored", _("Monitored"), "bool", value=e.monitored if e else False),
            Field("expected_delegates", _("Delegates expected"), "int", value=e.expected_delegates if e else 0,
                  maximum=1_000_000),
            Field("present_delegates", _("Delegates present"), "optional_int",
                  value=e.present_delegates if e else None, maximum=1_000_000),
            Field("host", _("Host at the endpoint"), value=e.host if e else ""),
            Field("note", _("Note"), "multiline", value=e.note if e else ""),
        ]

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

        fields = self._fields(e)
        # what the form showed: a field another clerk changed since is refused, not overwritten
        seen = {f.name: f.value for f in fields}

        def accept(values: dict[str, Any], done: Any) -> None:
            self.perform(endpoints.edit_endpoint, e.id, done=done, seen=seen, **values)

        ask(self, _("Edit endpoint"), fields, accept)

    def remove_selected(self) -> None:
        e = self.selected_row()
        if e is not None:
            self.perform(endpoints.remove_from_meeting, e.id)

    def shutdown(self) -> None:
        """The console closes: monitoring stops and what it saw last is written."""
        if self.monitor.running:
            self.monitor.finish()
