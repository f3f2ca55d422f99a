"""The speaker queue: who asked for the floor on which item, from where; the floor and its timer,
driven from the keyboard; and (in its own dock) the current speaker pane.

Keys (also in the Speakers menu and in tooltips). Anywhere in the window:
  F5 call the next speaker (whoever speaks is closed first) · Shift+F5 call next, timer waits
  F6 start / pause / resume the speaking timer · F7 stop the timer: speech done
  F8 one more minute · Shift+F8 extend by … · F9 write the summary · Ctrl+Shift+A register
In the queue:
  Ins register · F2 edit · Del remove · Ctrl+Up / Ctrl+Down move · Ctrl+Home put next (chair
  priority) · Ctrl+F5 call the selected speaker · Ctrl+Shift+W withdrawn · Ctrl+Shift+K skipped
  · Ctrl+Shift+U put back in the queue · Ctrl+Shift+O hold the turn (link down) · Ctrl+Shift+M
  move to another item · Ctrl+Shift+T the item's speaking time. Drag and drop reorders too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QLabel,
    QMessageBox,
    QStyle,
    QWidget,
)

from meeting_console.core import reads, speakers, vocab
from meeting_console.core.agenda import ITEM_PATCH_FIELDS, read_items
from meeting_console.core.changes import AGENDA, ENDPOINTS, MEETING, PEOPLE, SPEAKERS, Changes
from meeting_console.core.speaker_budget import CURRENT, FINISHED, limit_seconds, speech_duration
from meeting_console.core.speakers import DOWN, NOT_BACK, QueueView
from meeting_console.core.timefmt import duration, hhmm
from meeting_console.i18n import _
from meeting_console.ui import labels
from meeting_console.ui.form import Field, ask
from meeting_console.ui.panel import Panel
from meeting_console.ui.speaker_delegate import QueueDelegate
from meeting_console.ui.speaker_pane import CurrentSpeakerPane
from meeting_console.ui.speaker_queue_model import QueueModel
from meeting_console.ui.speaker_register import RegisterSpeakerDialog
from meeting_console.ui.speaker_steady import Steady, SteadyHBoxLayout, SteadyScrollBar, paint_alone
from meeting_console.ui.table_model import Column, merge_agenda, patched

CURRENT_BG = QColor("#fff4c2")
HELD_FG = QColor("#b26a00")
DOWN_FG = QColor("#c62828")
DONE_FG = QColor("#616161")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

PARTIAL_LIMIT = 64  # a change touching more requests than this reads the whole queue again
_FULL_READ_AREAS = frozenset({AGENDA, MEETING, PEOPLE, ENDPOINTS})  # a prefetch does not cover these


def _patchable(changes: Changes) -> bool:
    """Whether a change only updated columns of requests and agenda items that their read rows
    show as they stand: then the queue patches the rows it holds instead of reading them."""
    ups = changes.updates
    if not ups or not set(changes.rows) <= {"speaker_request", "agenda_item"}:
        return False
    for table, fields in (("speaker_request", speakers.REQUEST_PATCH_FIELDS), ("agenda_item", ITEM_PATCH_FIELDS)):
        if table in changes.rows:
            rows = ups.get(table)
            if rows is None or set(rows) != changes.rows[table] \
                    or not all(fields.issuperset(u) for u in rows.values()):
                return False
    return True


def _renumbered(old: list[int], new: list[int]) -> tuple[int, int] | None:
    """The places (from, to: 0-based, end excluded) of the queue ``new`` whose request is not
    the one ``old`` had there (their "#" changed); None when none changed."""
    if old == new:
        return None
    n = min(len(old), len(new))
    lo = next((i for i in range(n) if old[i] != new[i]), n)
    if len(old) != len(new):
        return (lo, len(new)) if lo < len(new) else None
    hi = next(i for i in range(len(new) - 1, lo - 1, -1) if old[i] != new[i])
    return lo, hi + 1


def _entry(it: Any) -> tuple[Any, ...]:
    return it.number, it.position, it.title


WINDOW = Qt.ShortcutContext.WindowShortcut
LOCAL = Qt.ShortcutContext.WidgetWithChildrenShortcut


class SpeakersPanel(Panel):
    areas = frozenset({SPEAKERS, PEOPLE, AGENDA, ENDPOINTS, MEETING})
    sorting_proxy = False  # the queue has its own order: the view asks the model directly

    def __init__(self, runner: Any, parent: Any = None) -> None:
        self.data: QueueView | None = None
        self.item_id: int | None = None
        self.queue_no: dict[int, int] = {}  # request id → its place in the queue, from 1
        self._waiting_ids: list[int] = []  # the queue shown, in order
        self._head_key: tuple[int | None, int | None] = (None, None)
        self._item_chosen = False
        self._sized = False
        # requests read back by the worker right after this panel's operation, by journal id
        self._prefetched: dict[int, Any] = {}
        self._pane_follows_selection = True
        self._item_entries: list[tuple[int, str]] | None = None  # the item box's entries
        self._partial_reads = 0  # reads of a few rows on their way
        # the held turns of the view shown (they return when their link is back), kept from
        # patch to patch instead of looked for among every request at each key press
        self._held: dict[int, reads.SpeakerInfo] | None = None
        self._patch: speakers.RequestsUpdate | None = None  # the requests a patch read again
        super().__init__(runner, parent)
        self.title = _("Speakers")
        self.model.move_requested.connect(self._dropped)
        v = self.view
        # a cell painted in one call from its row (the stock delegate asks seven roles a cell)
        self.delegate = QueueDelegate(self.model, v)
        v.setItemDelegate(self.delegate)
        v.setDragEnabled(True)
        v.setAcceptDrops(True)
        v.setDropIndicatorShown(True)
        v.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        v.setDefaultDropAction(Qt.DropAction.MoveAction)
        v.setDragDropOverwriteMode(False)
        v.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        v.horizontalHeader().setResizeContentsPrecision(40)
        # the queue scrolls a row at each call: the bar repainted only when its slider moves
        v.setVerticalScrollBar(SteadyScrollBar(Qt.Orientation.Vertical, v))

        self.item_box = QComboBox()
        self.item_box.setObjectName("speaker-item")
        self.item_box.setToolTip(_("The agenda item whose queue is shown"))
        self.item_box.activated.connect(self._item_picked)
        self.budget = QLabel()
        self.budget.setObjectName("queue-budget")
        self.budget.setWordWrap(True)
        header = QWidget()
        hl = SteadyHBoxLayout(header)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(QLabel(_("Item:")))
        hl.addWidget(self.item_box, 2)
        hl.addWidget(self.budget, 5)
        self.layout().insertWidget(1, header)
        # the budget line changes at every call: the header (and with it the panel, its dock and
        # the main window) laid out again only when the line needs another size
        self._steady = Steady(hl)
        # repainted at every call (the budget, the scroll bar following the current speaker):
        # alone, not over the dock, panel and header beneath them
        paint_alone(self.budget, v.verticalScrollBar())

        self.pane = CurrentSpeakerPane(lambda: self.runner.core.clock.now())
        self.pane.summary_changed.connect(self._save_summary)
        self.pane.ticker.timeout.connect(self._show_budget)

        a = self._action
        self.act_register = a("register", _("Register speaker…"), self.register, "Ctrl+Shift+A", WINDOW,
                              _("Register a speaker: search as you type, or a new name with post"))
        self.act_call = a("call-next", _("Call next"), lambda: self.call_next(), "F5", WINDOW,
                          _("Give the floor to the next speaker; whoever speaks is closed first"))
        self.act_call_wait = a("call-next-wait", _("Call next, timer waits"),
                               lambda: self.call_next(start_timer=False), "Shift+F5", WINDOW,
                               _("Call the next speaker; start the timer with F6 when they begin"))
        self.act_timer = a("timer", _("Start / pause timer"), self.toggle_timer, "F6", WINDOW,
                           _("Start, pause or resume the current speaker's timer"))
        self.act_done = a("done", _("Speech done"), self.end_speech, "F7", WINDOW,
                          _("Stop the timer: the current speech is done"))
        self.act_more = a("extend", _("+1 min"), lambda: self.extend(60), "F8", WINDOW,
                          _("One more minute for the current (or selected) speaker"))
        self.act_extend = a("extend-by", _("Extend by…"), self.extend_by, "Shift+F8", WINDOW,
                            _("Extend (or shorten) the speaking time by some minutes"))
        self.act_summary = a("summary", _("Write summary"), self.focus_summary, "F9", WINDOW,
                             _("Write what the speaker says, for the record"))
        self._separator()
        self.act_priority = a("priority", _("Put next"), self.prioritize, "Ctrl+Home", LOCAL,
                              _("Chair priority: the selected speaker goes to the head of the queue"))
        self.act_call_sel = a("call-selected", _("Call selected"), self.call_selected, "Ctrl+F5", LOCAL,
                              _("Give the floor to the selected speaker out of turn"))
        a("up", _("Move up"), lambda: self.move_selected(-1), "Ctrl+Up", LOCAL, toolbar=False)
        a("down", _("Move down"), lambda: self.move_selected(+1), "Ctrl+Down", LOCAL, toolbar=False)
        a("withdrawn", _("Withdrawn"), lambda: self._selected_op(speakers.withdraw), "Ctrl+Shift+W", LOCAL,
          _("The selected speaker gives up their turn"), toolbar=False)
        a("skipped", _("Skip"), lambda: self._selected_op(speakers.skip), "Ctrl+Shift+K", LOCAL,
          _("Pass over the selected speaker (they can be put back)"), toolbar=False)
        a("requeue", _("Put back in queue"), lambda: self._selected_op(speakers.requeue), "Ctrl+Shift+U",
          LOCAL, _("Put a skipped or withdrawn speaker back at the head of the queue"), toolbar=False)
        a("hold", _("Hold turn"), lambda: self._selected_op(speakers.hold), "Ctrl+Shift+O", LOCAL,
          _("Hold the selected speaker's turn while their endpoint's link is down"), toolbar=False)
        a("move-item", _("Move to another item…"), self.move_to_item, "Ctrl+Shift+M", LOCAL, toolbar=False)
        a("speaking-time", _("Item speaking time…"), self.item_speaking_time, "Ctrl+Shift+T", LOCAL,
          _("The default speaking time of this item's speakers"), toolbar=False)
        self._separator()
        a("edit", _("Edit…"), self.edit_selected, "F2", LOCAL, _("Edit the selected request"), toolbar=False)
        a("remove", _("Remove"), self.remove_selected, "Del", LOCAL,
          _("Remove the selected request (refused once they have spoken)"), toolbar=False)
        # Ins registers too, inside the queue
        ins = QAction(self)
        ins.setShortcut("Ins")
        ins.setShortcutContext(LOCAL)
        ins.triggered.connect(self.register)
        self.view.addAction(ins)
        self.pane.set_actions([self.act_call, self.act_timer, self.act_done, self.act_more])
        self.view.selectionModel().currentRowChanged.connect(self._selection_moved)

    # --- construction helpers ----------------------------------------------------------------

    def _action(self, name: str, text: str, slot: Any, key: str, context: Qt.ShortcutContext,
                tip: str = "", *, toolbar: bool = True) -> QAction:
        act = self.add_action(text, slot, key, tip or text, context=context)
        act.setObjectName("speakers-" + name)
        if not toolbar:
            self.toolbar.removeAction(act)
        if context == LOCAL:
            self.view.addAction(act)  # the queue's context menu
        return act

    def _separator(self) -> None:
        sep = QAction(self)
        sep.setSeparator(True)
        self.addAction(sep)

    def menu_actions(self) -> list[QAction]:
        return list(self.actions())

    def extra_docks(self) -> list[tuple[str, str, QWidget, Qt.DockWidgetArea]]:
        # in a scroll area: the pane's wrapped lines would otherwise ask 800 px of height at a
        # narrow width, more than a 1080p screen leaves the whole window
        from PySide6.QtWidgets import QFrame, QScrollArea

        scroll = QScrollArea()
        scroll.setObjectName("current-speaker-scroll")
        scroll.setWidget(self.pane)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return [("current-speaker", _("Current speaker"), scroll, Qt.DockWidgetArea.RightDockWidgetArea)]

    # --- columns -------------------------------------------------------------------------------

    def _limit(self, r: reads.SpeakerInfo) -> int:
        d = self.data
        item = d.item(r.agenda_item_id) if d else None
        return limit_seconds(r, item.speaking_minutes if item else None,
                             d.meeting.default_speaking_minutes if d else 5)

    def _link(self, r: reads.SpeakerInfo) -> str:
        return self.data.link_status(r) if self.data else "connected"

    @property
    def tz(self) -> str:
        return self.data.meeting.timezone if self.data else "Asia/Ho_Chi_Minh"

    def make_model(self) -> QueueModel:
        # the queue's own model: the thin row model with drag and drop of waiting speakers
        return QueueModel(self.columns(), self)

    def columns(self) -> list[Column]:
        right = Qt.AlignmentFlag.AlignRight

        def bg(r: reads.SpeakerInfo) -> Any:
            return CURRENT_BG if r.status in CURRENT else None

        def fg(r: reads.SpeakerInfo) -> Any:
            if r.status == "held":
                return HELD_FG
            if r.status in FINISHED:
                return DONE_FG
            return None

        def endpoint(r: reads.SpeakerInfo) -> str:
            name = r.endpoint_name or _("Main hall")
            status = self._link(r)
            if r.meeting_endpoint_id is not None and status in NOT_BACK:  # only a link in trouble
                name += f" · {labels.endpoint_status(status)}"
            return name

        def limit(r: reads.SpeakerInfo) -> str:
            text = duration(self._limit(r))
            if r.extended_seconds:
                text += f" ({duration(r.extended_seconds, signed=True)})"
            return text

        def mark(r: reads.SpeakerInfo) -> str:
            if r.status in CURRENT:
                return "▶"
            n = self.queue_no.get(r.id)
            return "" if n is None else str(n)

        def spoken(r: reads.SpeakerInfo) -> str:
            d = speech_duration(r)
            return "" if d is None else duration(d)

        return [
            Column(_("#"), mark, align=right, background=bg),
            Column(_("Speaker"), lambda r: r.person_name, background=bg, foreground=fg),
            Column(_("Post"), lambda r: ", ".join(r.person_posts), tooltip=lambda r: "\n".join(r.person_posts),
                   background=bg, foreground=fg),
            Column(_("Speaks from"), endpoint, background=bg,
                   foreground=lambda r: DOWN_FG if r.status not in FINISHED and self._link(r) in DOWN else fg(r)),
            Column(_("Status"), lambda r: labels.speaker_status(r.status), background=bg, foreground=fg),
            Column(_("Limit"), limit, align=right, background=bg, foreground=fg),
            Column(_("Started"), lambda r: hhmm(r.actual_start, self.tz, seconds=True), background=bg, foreground=fg),
            Column(_("Spoke"), spoken, align=right, background=bg, foreground=fg),
            Column(_("Topic / summary"), lambda r: r.summary or r.topic, tooltip=lambda r: r.summary or r.topic,
                   background=bg, foreground=fg),
        ]

    # --- loading -------------------------------------------------------------------------------

    def load(self, core: Any, meeting_id: int) -> Any:
        return speakers.queue_view(core, meeting_id)

    def perform(self, op: Any, *args: Any, **kwargs: Any) -> None:
        """Run a queue operation and, in the same worker task, read back the requests it
        changed: the queue shows the result as soon as the operation is announced, without
        waiting behind the reads the other panels start on the same change."""
        mid = self.meeting_id
        prefetched = self._prefetched

        def op_then_read(core: Any, *a: Any, **k: Any) -> Any:
            changes = op(core, *a, **k)
            ids = changes.rows.get("speaker_request", frozenset())
            if _patchable(changes):
                return changes  # the rows are patched from the change itself: nothing to read
            if changes.journal_id is not None and changes.meeting_id == mid and mid is not None \
                    and ids and len(ids) <= PARTIAL_LIMIT and not changes.areas & _FULL_READ_AREAS:
                prefetched[changes.journal_id] = speakers.read_requests(core, mid, ids)
            return changes

        op_then_read.op_name = getattr(op, "op_name", "")  # type: ignore[attr-defined]
        self._in_flight = getattr(self, "_in_flight", 0) + 1
        user_done = kwargs.pop("done", None)

        def done(message: str | None) -> None:
            self._in_flight -= 1
            if user_done is not None:
                user_done(message)
            elif message is not None:
                self.warn(message)

        super().perform(op_then_read, *args, done=done, **kwargs)

    def _sure(self) -> bool:
        """Does the queue show the stored state, this console's own operations included? Not
        while one is on its way or a read is: a key pressed twice quickly is no conflict."""
        return not getattr(self, "_in_flight", 0) and not self._loading and not self._partial_reads \
            and self.data is not None

    def _on_changes(self, changes: Changes, initiator: object) -> None:
        """A change that touched only a few requests, agenda items, the meeting or endpoints
        reads just those (a key press in a queue of 500, "next item" in an agenda of 200 stay
        fast); anything else reads the whole queue again."""
        # The worker runs tasks in order and their results come back in order: a prefetched
        # read is never older than a read delivered before it.
        part = self._prefetched.pop(changes.journal_id, None) if changes.journal_id is not None else None
        if changes.meeting_id not in (None, self.meeting_id) or not changes.areas & self.areas:
            return
        data, mid = self.data, self.meeting_id
        ids = changes.rows.get("speaker_request", frozenset())
        # (not while a read is on its way: it was read before this change and would undo the
        # patch when it lands — a change published at once by ``run_sync`` overtakes it)
        if data is not None and not self._loading and not self._partial_reads and _patchable(changes):
            # only columns of requests and items held changed (a move, a call, "next item"):
            # patched from the change itself, no read
            fresh = patched(data.speakers, changes, "speaker_request", speakers.REQUEST_PATCH_FIELDS) \
                if ids else ()
            item_ids = changes.rows.get("agenda_item", frozenset())
            fresh_items = patched(data.agenda, changes, "agenda_item", ITEM_PATCH_FIELDS) if item_ids else ()
            if fresh is not None and fresh_items is not None:
                update = speakers.RequestsUpdate(fresh, frozenset(), {}) if fresh else None
                self._patched((update, None, fresh_items if item_ids else None, None), item_ids)
                return
        if part is not None and data is not None and not self._loading \
                and not changes.areas & _FULL_READ_AREAS:
            self._patched((part, None, None, None), frozenset())
            return
        items = changes.rows.get("agenda_item", frozenset())
        meeting = MEETING in changes.areas
        if data is None or mid is None or self._loading or PEOPLE in changes.areas \
                or len(ids) > PARTIAL_LIMIT or len(items) > PARTIAL_LIMIT \
                or (AGENDA in changes.areas and not items) or (meeting and "meeting" not in changes.rows):
            super()._on_changes(changes, initiator)
            return
        links = ENDPOINTS in changes.areas
        if not ids and not links and not items and not meeting:
            return
        # rows the operation's own worker task read back (the agenda's "next item"): no read
        shared = self.runner.readback.get(changes.journal_id, {}) if changes.journal_id is not None else {}
        read_back = shared.get("agenda_item")
        if not ids and not links and read_back is not None and read_back[0] == items \
                and (not meeting or shared.get("meeting") is not None):
            self._patched((None, None, read_back[1], shared.get("meeting") if meeting else None), items)
            return

        def read(core: Any) -> tuple[Any, Any, Any, Any]:
            return (speakers.read_requests(core, mid, ids) if ids else None,
                    speakers.read_links(core, mid) if links else None,
                    read_items(core, mid, items) if items else None,
                    reads.meeting(core, mid) if meeting else None)

        def got(result: tuple[Any, Any, Any, Any]) -> None:
            self._partial_reads -= 1
            self._patched(result, items)

        def failed(_message: str) -> None:
            self._partial_reads -= 1
            self.refresh()

        self._partial_reads += 1
        self.runner.call(read, self.runner.core, on_done=got, on_error=failed)

    def _patched(self, result: tuple[Any, Any, Any, Any], items: frozenset[int]) -> None:
        """Merge what was read again into the view held: the meeting, the agenda items (in
        agenda order, as a full read gives them), the requests (in speech order), the links."""
        update, links, fresh_items, meeting = result
        data = self.data
        if data is None:
            return
        if fresh_items is not None and update is None and not links and meeting is None:
            if self._agenda_patched(data, items, fresh_items):
                return
        if fresh_items is not None:
            agenda_rows = merge_agenda(data.agenda, items, fresh_items)
            # the requests sort by their item's place in the agenda
            data = replace(data, agenda=agenda_rows).updated(
                update or speakers.RequestsUpdate((), frozenset(), {}))
        elif update is not None:
            data = data.updated(update)
        if meeting is not None:
            data = replace(data, meeting=meeting)
        if links:
            data = replace(data, links={**data.links, **links})
        self._show_patched(data, update)

    def _show_patched(self, data: QueueView, update: Any) -> None:
        self._patch = update or speakers.RequestsUpdate((), frozenset(), {})
        try:
            self.show_rows(data)
        finally:
            self._patch = None
        self.loaded.emit()

    def _agenda_patched(self, data: QueueView, items: frozenset[int], fresh_items: Any) -> bool:
        """A change of agenda items alone ("next item", a timing): the requests, their order and
        what the view worked out from them stay; the queue, the pane and the budget are shown
        again only if they show one of those items (the item whose queue is shown, the current
        speaker's), else only the item box follows. False when the agenda's order changed (the
        requests sort by their item's place: the general path)."""
        before = {it.id: it for it in data.agenda if it.id in items}
        fresh = {it.id: it for it in fresh_items}
        if len(before) != len(items) or fresh.keys() != before.keys() \
                or any(it.position != before[id_].position for id_, it in fresh.items()):
            return False  # an item added, gone or moved
        # each in its place (merge_agenda's order, the positions being the same)
        agenda_rows = tuple(fresh.get(it.id, it) for it in data.agenda) if fresh else data.agenda
        view = data.with_agenda(agenda_rows, items)
        current = view.current
        if self._item_chosen and view.item(self.item_id) is not None:
            item_id = self.item_id
        else:
            item_id = self._default_item(view)
        if item_id != self.item_id or self.item_id in items \
                or (current is not None and current.agenda_item_id in items):
            self._show_patched(view, None)
            return True
        self.data = view
        if any(_entry(it) != _entry(before[id_]) for id_, it in fresh.items()):
            self._fill_items(view)  # a changed number or title
        self.pane.view = view  # the same figures; its tick reads the items from the view held
        self.loaded.emit()
        return True

    def show_rows(self, rows: Any) -> None:
        if not rows:
            self.data = None
            self.item_id = None
            self._held = None
            self.item_box.clear()
            self.model.set_rows(())
            self.pane.show_view(None, None, None)
            self._steady.set_text(self.budget, "")
            return
        self.data = data = rows
        self._fill_items(data)
        if not self._item_chosen or data.item(self.item_id) is None:
            self.item_id = self._default_item(data)
            self._item_chosen = False
        self.item_box.setCurrentIndex(max(0, self.item_box.findData(self.item_id)))
        self._show_item()
        self._return_held_if_back(data)

    def _fill_items(self, data: QueueView) -> None:
        entries = [(it.id, f"{it.number or it.position}. {it.title[:60]}") for it in data.agenda]
        # what the box holds, as last filled (asking the box for 200 entries costs more)
        have = self._item_entries
        if have is None or self.item_box.count() != len(have):
            have = [(self.item_box.itemData(i), self.item_box.itemText(i)) for i in range(self.item_box.count())]
        self._item_entries = entries
        if entries != have:
            self.item_box.blockSignals(True)
            self.item_box.clear()
            for id_, text in entries:
                self.item_box.addItem(text, id_)
            self.item_box.blockSignals(False)

    @staticmethod
    def _default_item(data: QueueView) -> int | None:
        """The current speaker's item; else the running item if it has requests; else the first
        item with someone waiting; else the first discussion item."""
        if data.current is not None:
            return data.current.agenda_item_id
        with_requests = {s.agenda_item_id for s in data.speakers}
        for it in data.agenda:
            if it.status in ("running", "paused") and it.id in with_requests:
                return it.id
        waiting = {s.agenda_item_id for s in data.speakers if s.position is not None}
        for it in data.agenda:
            if it.id in waiting:
                return it.id
        return next((it.id for it in data.agenda if it.kind == "discussion"),
                    data.agenda[0].id if data.agenda else None)

    def _item_picked(self, _index: int) -> None:
        self.item_id = self.item_box.currentData()
        self._item_chosen = True
        self._show_item()

    def queue_rows(self, data: QueueView, item_id: int | None) -> list[reads.SpeakerInfo]:
        """The item's rows as a list of speakers reads: finished turns in the order they ended,
        the current speaker, then the queue (a call or a move changes two rows in place)."""
        rows = data.of_item(item_id)
        current = [s for s in rows if s.status in CURRENT]
        finished = sorted((s for s in rows if s.status in FINISHED),
                          key=lambda s: (s.actual_end or s.actual_start or s.requested_at or EPOCH, s.id))
        return finished + current + data.waiting(item_id)

    def _selection_moved(self, *_args: Any) -> None:
        if self._pane_follows_selection:
            self._show_pane()

    def _show_item(self) -> None:
        data = self.data
        if data is None:
            return
        keep = self.selected_id()
        waiting = data.waiting(self.item_id)
        waiting_ids = [s.id for s in waiting]
        renumbered = _renumbered(self._waiting_ids, waiting_ids)
        self._waiting_ids = waiting_ids
        self.queue_no = {id_: i for i, id_ in enumerate(waiting_ids, start=1)}
        # the pane is shown once below, not also for each selection move on the way
        self._pane_follows_selection = False
        try:
            self.model.set_rows(self.queue_rows(data, self.item_id))
            # the "#" of the queue when its order changed though most rows did not (the head
            # called: everyone moves up one): one dataChanged for the column (the view repaints
            # what it shows of it)
            n = self.model.rowCount()
            if renumbered is not None and n >= len(waiting_ids):
                first = n - len(waiting_ids)
                self.model.refresh_cells(range(first + renumbered[0], first + renumbered[1]), 0,
                                         alone=self._rows_shown())
            if keep is not None and self.model.row_of(keep) is not None and self.selected_id() != keep:
                self.select_id(keep)
        finally:
            self._pane_follows_selection = True
        # the current speaker (else the head of the queue) at the top when it changes
        head = data.current if data.current is not None and data.current.agenda_item_id == self.item_id \
            else next(iter(data.waiting(self.item_id)), None)
        head_key = (self.item_id, head.id if head else None)
        if head is not None and head_key != self._head_key:
            row = self.model.row_of(head.id)
            if row is not None:
                self.view.scrollTo(self.model.index(row, 0),
                                   QAbstractItemView.ScrollHint.PositionAtTop)
        self._head_key = head_key
        if not self._sized and self.model.rowCount():
            self._sized = True
            self.view.resizeColumnsToContents()
            self.view.setColumnWidth(2, min(self.view.columnWidth(2), 320))
            self._widen_changing_columns()
        self._show_pane()  # the pane's tick computes the budget
        self._show_budget()

    # the columns whose texts change as the discussion runs, with the widest text each can
    # show: sized to the queue's contents when it was first shown (every request waiting, none
    # started), "Speaking" and a start time would be cut ("Spea…") at the first call
    def _changing_texts(self) -> dict[int, list[str]]:
        return {4: [labels.speaker_status(s) for s in vocab.SPEAKER_STATUSES],
                5: [f"{duration(600)} ({duration(600, signed=True)})"],
                6: [hhmm(datetime(2000, 1, 1, 20, 58, 58, tzinfo=UTC), "UTC", seconds=True)],
                7: [duration(3599)]}

    def _widen_changing_columns(self) -> None:
        """Each column whose text changes during the discussion (status, limit, start, time
        spoken) at least as wide as its widest possible text, as the view sizes a column to
        its contents (the text, the item's margins, the grid line)."""
        view = self.view
        fm = view.fontMetrics()
        margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1) \
            + (1 if view.showGrid() else 0)
        for col, texts in self._changing_texts().items():
            need = max(fm.horizontalAdvance(t) for t in texts) + margin
            if view.columnWidth(col) < need:
                view.setColumnWidth(col, need)

    def _rows_shown(self) -> range:
        """The rows the queue's viewport shows (in part or whole)."""
        view = self.view
        top = view.rowAt(0)
        if top < 0:
            return range(0)
        bottom = view.rowAt(view.viewport().height() - 1)
        return range(top, (bottom if bottom >= 0 else self.model.rowCount() - 1) + 1)

    def _show_pane(self) -> None:
        self.pane.show_view(self.data, self.item_id, self._summary_target())

    def _summary_target(self) -> reads.SpeakerInfo | None:
        """The current speaker; else the selected row if they have spoken; else the last speech."""
        data = self.data
        if data is None:
            return None
        if data.current is not None:
            return data.current
        sel = self.selected_row()
        if sel is not None and sel.actual_start is not None:
            return sel
        spoken = [s for s in data.speakers if s.actual_start is not None]
        return max(spoken, key=lambda s: (s.actual_start, s.id)) if spoken else None

    def _show_budget(self) -> None:
        b = self.pane.last_budget  # computed by the pane's tick (which runs first)
        if b is None:
            self._steady.set_text(self.budget, "")
            return
        text, over = self.pane.last_budget_text  # (the pane's line: the same budget and zone)
        self._steady.set_text(self.budget, text)
        self._steady.set_style(self.budget, "color: #c62828; font-weight: bold;" if over else "")

    def _held_turns(self, data: QueueView) -> dict[int, reads.SpeakerInfo]:
        patch, held = self._patch, self._held
        if patch is None or held is None:
            return {s.id: s for s in data.speakers if s.status == "held"}
        if patch.speakers or patch.gone:
            held = dict(held)
            for s in patch.speakers:
                if s.status == "held":
                    held[s.id] = s
                else:
                    held.pop(s.id, None)
            for id_ in patch.gone:
                held.pop(id_, None)
        return held

    def _return_held_if_back(self, data: QueueView) -> None:
        """A held turn whose link is back returns to the head of its queue (an automatic step,
        the same on every console: the second finds nothing to do)."""
        self._held = held = self._held_turns(data)
        if any(data.link_status(s) not in NOT_BACK for s in held.values()):
            self.runner.run(speakers.return_held, data.meeting.id, initiator=self, on_error=lambda _m: None)

    # --- the floor -------------------------------------------------------------------------------

    def flash(self, message: str) -> None:
        self.summary.setText(message)
        self.summary.show()
        QTimer.singleShot(5000, self.summary.hide)

    def call_next(self, start_timer: bool = True) -> None:
        data, item_id = self.data, self.item_id
        if data is None or item_id is None:
            return
        head = data.next_to_call(item_id)
        if head is not None and data.link_status(head) in DOWN:
            self._ask_hold(head, item_id, start_timer)
            return
        self.perform(speakers.call_next, item_id, start_timer=start_timer, **self._floor())

    def _floor(self, state: bool = False) -> dict[str, Any]:
        """What this console shows of the floor, sent with a press: refused (``Conflict``) when
        another console has changed the floor since. Nothing while unsure (``_sure``)."""
        if not self._sure() or self.data is None:
            return {}
        cur = self.data.current
        out: dict[str, Any] = {"expected_current": cur.id if cur is not None else None}
        if state and cur is not None:
            out["expected_state"] = speakers.floor_state(cur)
        return out

    def _seen(self, r: reads.SpeakerInfo) -> dict[str, Any] | None:
        # the status only: a queue position shifts with every move of another request
        return {"status": r.status} if self._sure() else None

    def _ask_hold(self, head: reads.SpeakerInfo, item_id: int, start_timer: bool) -> None:
        status = labels.endpoint_status(self._link(head))
        box = QMessageBox(
            QMessageBox.Icon.Warning, _("Link lost"),
            _("{name} speaks from {endpoint}, whose link is: {status}.\n\nHold their turn (it comes back "
              "to the head of the queue when the link is back) and call the next speaker?").format(
                name=head.person_name, endpoint=head.endpoint_name, status=status),
            QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("hold-turn")
        hold = box.addButton(_("Hold turn, call next"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(hold)

        def answered(button: Any) -> None:
            if button is hold:
                self.perform(speakers.call_next, item_id, start_timer=start_timer, hold_lost=True,
                             **self._floor())

        box.buttonClicked.connect(answered)
        box.open()

    def call_selected(self) -> None:
        r = self.selected_row()
        if r is not None:
            self.perform(speakers.call_speaker, r.id, seen=self._seen(r), **self._floor())

    def toggle_timer(self) -> None:
        if self.meeting_id is not None:
            self.perform(speakers.toggle_timer, self.meeting_id, **self._floor(state=True))

    def end_speech(self) -> None:
        if self.meeting_id is None:
            return
        self.pane.save_summary()
        self.perform(speakers.end_current, self.meeting_id, **self._floor())

    def _extend_target(self) -> reads.SpeakerInfo | None:
        if self.data is not None and self.data.current is not None:
            return self.data.current
        return self.selected_row()

    def extend(self, seconds: int) -> None:
        r = self._extend_target()
        if r is not None:
            self.perform(speakers.extend, r.id, seconds)

    def extend_by(self) -> None:
        r = self._extend_target()
        if r is None:
            return

        def accept(values: dict[str, Any], done: Any) -> None:
            self.perform(speakers.extend, r.id, int(values.get("minutes", 0)) * 60, done=done)

        ask(self, _("Extend speaking time of {name}").format(name=r.person_name), [
            Field("minutes", _("Minutes (negative: shorter)"), "int", value=2, minimum=-60, maximum=60),
        ], accept)

    def focus_summary(self) -> None:
        dock = self.pane.parentWidget()
        if isinstance(dock, QDockWidget):
            dock.show()
            dock.raise_()
        self.pane.focus_summary()

    def _save_summary(self, request_id: int, text: str, base: str) -> None:
        def done(message: str | None) -> None:
            if message is None:
                return
            self.warn(message + "\n\n" + _("Your text is kept in the summary editor, under the one now stored."))
            mid = self.meeting_id
            if mid is not None:
                self.runner.call(speakers.read_requests, self.runner.core, mid, [request_id], on_done=lambda u: [
                    self.pane.summary_conflict(request_id, r.summary, text) for r in u.speakers])

        self.perform(speakers.set_summary, request_id, text, seen=base, done=done)

    # --- the queue -------------------------------------------------------------------------------

    def register(self) -> None:
        if self.meeting_id is None or self.data is None or not self.data.agenda:
            self.warn(_("Add agenda items first."))
            return
        mid = self.meeting_id
        self.runner.call(lambda core: (reads.people(core, mid), reads.endpoints(core, mid)),
                         self.runner.core, on_done=self._open_register)

    def _open_register(self, loaded: Any) -> None:
        if self.data is None:
            return
        people, endpoints = loaded

        def submit(op: Any, args: tuple[Any, ...], fields: dict[str, Any], done: Any) -> None:
            self.perform(op, *args, done=done, select_result=True, **fields)

        dlg = RegisterSpeakerDialog(self.data.agenda, self.item_id, people, endpoints,
                                    self.data.meeting.status == "live", submit, self)
        self.register_dialog = dlg
        dlg.open()

    def _dropped(self, request_id: int, index: int) -> None:
        row = self.model.row_of(request_id)
        r = self.model.row_at(row) if row is not None else None
        self.perform(speakers.move_request, request_id, index, seen=self._seen(r) if r is not None else None)

    def move_selected(self, delta: int) -> None:
        r = self.selected_row()
        n = self.queue_no.get(r.id) if r is not None else None
        if r is None or n is None or not 0 <= n - 1 + delta < len(self.queue_no):
            return
        self.perform(speakers.move_request, r.id, n - 1 + delta, seen=self._seen(r))

    def prioritize(self) -> None:
        self._selected_op(speakers.prioritize)

    def _selected_op(self, op: Any) -> None:
        r = self.selected_row()
        if r is not None:
            self.perform(op, r.id, seen=self._seen(r))

    def move_to_item(self) -> None:
        r = self.selected_row()
        if r is None or self.data is None:
            return
        choices = [(it.id, f"{it.number or it.position}. {it.title[:60]}") for it in self.data.agenda
                   if it.id != r.agenda_item_id and it.status not in ("done", "skipped")]
        if not choices:
            self.warn(_("No other open agenda item."))
            return

        def accept(values: dict[str, Any], done: Any) -> None:
            self.perform(speakers.move_to_item, r.id, values.get("item_id", choices[0][0]), done=done)

        ask(self, _("Move {name} to another item").format(name=r.person_name), [
            Field("item_id", _("Agenda item"), "choice", value=None, choices=choices),
        ], accept)

    def item_speaking_time(self) -> None:
        item = self.data.item(self.item_id) if self.data else None
        if item is None:
            return

        def accept(values: dict[str, Any], done: Any) -> None:
            self.perform(speakers.set_item_speaking_minutes, item.id, values.get("minutes"), done=done)

        ask(self, _("Speaking time on item {n}").format(n=item.number or item.position), [
            Field("minutes", _("Minutes per speaker (— : the meeting's default, {d})").format(
                d=self.data.meeting.default_speaking_minutes if self.data else 5),
                "optional_int", value=item.speaking_minutes, minimum=1, maximum=240),
        ], accept)

    def _fields(self, r: reads.SpeakerInfo, endpoints: Any) -> list[Field]:
        eps = [(None, _("Main hall"))] + [(e.id, e.name) for e in endpoints]
        return [
            Field("meeting_endpoint_id", _("Speaks from"), "choice", value=r.meeting_endpoint_id, choices=eps),
            Field("topic", _("Topic"), "multiline", value=r.topic),
            Field("requested_minutes", _("Minutes asked for"), "optional_int", value=r.requested_minutes,
                  minimum=1, maximum=240),
            Field("limit_minutes", _("Time limit (minutes)"), "optional_int", value=r.limit_minutes,
                  minimum=1, maximum=240),
            Field("source", _("Request came"), "choice", value=r.source,
                  choices=labels.choices(vocab.SPEAKER_SOURCES, labels.speaker_source)),
            Field("summary", _("Summary of the speech"), "multiline", value=r.summary),
        ]

    def edit_selected(self) -> None:
        r = self.selected_row()
        if r is None or self.meeting_id is None:
            return

        def accept(values: dict[str, Any], done: Any) -> None:
            seen = {k: getattr(r, k) for k in values if hasattr(r, k)}
            self.perform(speakers.update_request, r.id, done=done, seen=seen, **values)

        def loaded(endpoints: Any) -> None:
            ask(self, _("Edit speaker request"), self._fields(r, endpoints), accept)

        self.runner.call(reads.endpoints, self.runner.core, self.meeting_id, on_done=loaded)

    def remove_selected(self) -> None:
        r = self.selected_row()
        if r is not None:
            self.perform(speakers.remove_request, r.id)

