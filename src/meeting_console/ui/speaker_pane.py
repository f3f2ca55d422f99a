"""The current speaker pane (a dock): who has the floor, from where, a large speaking timer
against the limit (amber in the last 30 s, red past it), the total pause time, the next three
speakers, the queue's time budget, and the summary the secretary writes during or after the
speech.

The timer ticks from the last read and the injected clock (no database query per second)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from meeting_console.core import reads
from meeting_console.core.speaker_budget import (
    QueueBudget,
    limit_seconds,
    queue_budget,
    speech_clock,
)
from meeting_console.core.speakers import DOWN, NOT_BACK, QueueView
from meeting_console.core.text import nfc
from meeting_console.core.timefmt import duration, hhmm
from meeting_console.i18n import _
from meeting_console.ui import labels
from meeting_console.ui.speaker_steady import Steady, SteadyVBoxLayout, paint_alone

_SELECTABLE = Qt.TextInteractionFlag.TextSelectableByMouse
_PLAIN = Qt.TextInteractionFlag.NoTextInteraction
SUMMARY_IDLE_MS = 2500  # a summary is saved this long after the last key stroke (and on leaving)

PHASE_STYLE = {
    "normal": "background: #e8f5e9; color: #1b5e20;",
    "warning": "background: #ffb300; color: #000000;",
    "overrun": "background: #c62828; color: #ffffff;",
    "waiting": "background: #eceff1; color: #37474f;",
    "paused": "background: #eceff1; color: #37474f;",
    "idle": "background: transparent; color: #90a4ae;",
}


def budget_text(b: QueueBudget, tz: str) -> tuple[str, bool]:
    """One line for the chair: what the queue needs against what the item has left; and whether
    it is over."""
    waiting = _("{n} waiting").format(n=b.waiting)
    if not b.planned:
        return _("{waiting} · the queue needs {need} · the item has no planned duration").format(
            waiting=waiting, need=duration(b.need)), False
    until = hhmm(b.deadline, tz) if b.deadline else "—"
    head = _("{waiting} · the queue needs {need} · the item has {left} left (until {until})").format(
        waiting=waiting, need=duration(b.need), left=duration(max(0.0, b.left or 0.0)), until=until)
    if b.fits:
        return head + " · " + _("fits, {spare} to spare").format(spare=duration(-b.over)), False
    tail = _("{over} OVER").format(over=duration(b.over))
    if b.fair_share is not None:
        tail += " · " + _("{share} each would fit").format(share=duration(b.fair_share))
    return head + " · " + tail, True


class CurrentSpeakerPane(QWidget):
    summary_changed = Signal(int, str, str)  # request id, text, the stored text it was edited from

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("current-speaker-pane")
        self.now = now
        self.view: QueueView | None = None
        self.item_id: int | None = None
        self.current: reads.SpeakerInfo | None = None
        self._target: reads.SpeakerInfo | None = None
        self._saved = ""
        self._phase = ""
        self._over: bool | None = None
        self.last_budget: QueueBudget | None = None
        self.last_budget_text: tuple[str, bool] = ("", False)  # its line, and whether it is over
        self._selectables: list[QLabel] = []

        self.kicker = self._label("kicker", 11, bold=True)
        self.name = self._label("speaker-name", 20, bold=True, selectable=True)
        self.posts = self._label("speaker-posts", 11, selectable=True)
        self.endpoint = self._label("speaker-endpoint", 11, selectable=True)
        self.timer = QLabel("—")
        self.timer.setObjectName("speaker-timer")
        self.timer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        f = QFont(self.font())
        f.setPixelSize(72)
        f.setBold(True)
        f.setStyleHint(QFont.StyleHint.Monospace)
        self.timer.setFont(f)
        self.timer.setMinimumHeight(100)
        self.limit = self._label("speaker-limit", 12)
        self.limit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pauses = self._label("speaker-pauses", 11)
        self.buttons = QHBoxLayout()
        self.next_title = self._label("next-title", 11, bold=True)
        self.next_title.setText(_("Next"))
        self.next_lines = [self._label(f"next-{i}", 11) for i in range(3)]
        self.budget = self._label("budget", 11)
        self.summary_title = self._label("summary-title", 11, bold=True)
        self.summary = QPlainTextEdit()
        self.summary.setObjectName("speech-summary")
        self.summary.setTabChangesFocus(True)
        self.summary.setPlaceholderText(_("What the speaker says, for the record (saved as you write)"))
        self.summary.setMinimumHeight(90)
        self.summary.textChanged.connect(self._typed)
        self.summary.installEventFilter(self)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(SUMMARY_IDLE_MS)
        self._idle.timeout.connect(self.save_summary)

        box = QFrame()
        box.setObjectName("timer-box")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        bl = SteadyVBoxLayout(box)
        bl.setContentsMargins(6, 6, 6, 6)
        bl.addWidget(self.timer)
        bl.addWidget(self.limit)
        self.timer_box = box

        lay = SteadyVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(4)
        for w in (self.kicker, self.name, self.posts, self.endpoint):
            lay.addWidget(w)
        lay.addWidget(box)
        lay.addWidget(self.pauses)
        lay.addLayout(self.buttons)
        lay.addSpacing(6)
        lay.addWidget(self.next_title)
        for w in self.next_lines:
            lay.addWidget(w)
        lay.addSpacing(6)
        lay.addWidget(self.budget)
        lay.addSpacing(6)
        lay.addWidget(self.summary_title)
        lay.addWidget(self.summary, 1)
        # the lines change at every call and the timer every second: laid out again only when
        # one needs another height (the pane is as wide as its dock gives: width_given)
        self.steady = Steady(bl, lay, width_given=True)
        self._set, self._style = self.steady.set_text, self.steady.set_style
        # the lines a call changes repainted alone, not over the pane beneath them
        paint_alone(self.name, self.posts, self.endpoint, *self.next_lines, self.budget, self.summary_title)

        self.ticker = QTimer(self)
        self.ticker.setInterval(500)
        self.ticker.timeout.connect(self.tick)
        self.ticker.start()
        self.show_view(None, None, None)

    def _label(self, name: str, pt: int, *, bold: bool = False, selectable: bool = False) -> QLabel:
        lbl = QLabel()
        lbl.setObjectName(name)
        lbl.setWordWrap(True)
        # names, posts and summaries are shown as typed (a '<' in a name is not markup), and a
        # plain line is measured cheaply (speaker_steady.one_line)
        lbl.setTextFormat(Qt.TextFormat.PlainText)
        if selectable:
            # the speaker's name, posts and endpoint, which a secretary may copy: selectable
            # while the mouse is over them (see ``_selectable``)
            lbl.setTextInteractionFlags(_PLAIN)
            lbl.installEventFilter(self)
            self._selectables.append(lbl)
        lbl.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        f = QFont(self.font())
        f.setPointSize(pt)
        f.setBold(bold)
        lbl.setFont(f)
        return lbl

    def set_actions(self, actions: Sequence[QAction]) -> None:
        for act in actions:
            b = QToolButton()
            b.setDefaultAction(act)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setObjectName("pane-" + act.objectName())
            self.buttons.addWidget(b)
        self.buttons.addStretch(1)

    # --- state -----------------------------------------------------------------------------

    @property
    def tz(self) -> str:
        return self.view.meeting.timezone if self.view else "Asia/Ho_Chi_Minh"

    def show_view(self, view: QueueView | None, item_id: int | None,
                  summary_target: reads.SpeakerInfo | None) -> None:
        with self.steady.batch():
            self._show_view(view, item_id, summary_target)

    def _show_view(self, view: QueueView | None, item_id: int | None,
                   summary_target: reads.SpeakerInfo | None) -> None:
        self.view = view
        self.item_id = item_id
        was = self.current
        self.current = view.current if view else None
        cur = self.current
        if (cur is None) != (was is None) or (cur is not None and was is not None and cur.id != was.id):
            for lbl in self._selectables:
                self._selectable(lbl, lbl.underMouse())
            if self.name.textInteractionFlags() != _PLAIN:
                # another speaker, the mouse on the name: a selectable label's sizes are costly
                # to measure (a document) and surely change: laid out as Qt would, none measured
                self.steady.lay_out(self.name)
        if cur is None:
            self._set(self.name, _("No one has the floor"))
            self._set(self.posts, "")
            self._set(self.endpoint, "")
        else:
            self._set(self.name, cur.person_name)
            self._set(self.posts, ", ".join(cur.person_posts))
            where = cur.endpoint_name or _("Main hall")
            status = view.link_status(cur) if view else "connected"
            text = _("Speaks from: {where}").format(where=where)
            if cur.meeting_endpoint_id is not None and status in NOT_BACK:  # only a link in trouble
                text += f" — {labels.endpoint_status(status)}"
            self._set(self.endpoint, text)
            self._style(self.endpoint, "color: #c62828; font-weight: bold;" if status in DOWN else "")
        self._show_next()
        self._set_target(summary_target)
        self.tick()

    def _show_next(self) -> None:
        view = self.view
        if view is None or self.item_id is None:
            for w in self.next_lines:
                self._set(w, "")
            return
        item = view.item(self.item_id)
        waiting = view.waiting(self.item_id)
        self._set(
            self.next_title,
            _("Next on item {n}").format(n=(item.number or item.position) if item else "")
            if waiting else _("No one waits on this item"))
        item_minutes = item.speaking_minutes if item else None
        for i, w in enumerate(self.next_lines):
            if i >= len(waiting):
                self._set(w, "")
                self._style(w, "")
                continue
            s = waiting[i]
            limit = limit_seconds(s, item_minutes, view.meeting.default_speaking_minutes)
            bits = [f"{i + 1}. {s.person_name}"]
            if s.person_posts:
                bits.append(s.person_posts[-1])
            bits.append(s.endpoint_name or _("Main hall"))
            text = " — ".join(bits) + f" · {duration(limit)}"
            status = view.link_status(s)
            if s.status == "held":
                text += " · " + _("held (link {status})").format(status=labels.endpoint_status(status).lower())
            elif status in DOWN:
                text += " · " + _("link {status}").format(status=labels.endpoint_status(status).lower())
            self._set(w, text)
            self._style(w, "color: #c62828;" if s.status == "held" or status in DOWN else "")

    def budget_now(self) -> QueueBudget | None:
        view = self.view
        item = view.item(self.item_id) if view else None
        if view is None or item is None:
            return None
        # the waiting speakers' sum changes with a change, not with the clock: the view keeps it
        # (and carries it over a key press); the clock part needs the current speaker and the
        # item's first speech only
        return queue_budget(item, view.budget_rows(item.id), view.meeting.default_speaking_minutes,
                            self.now(), waiting=view.waiting_need(item.id))

    def tick(self) -> None:
        """Every half second: the figures from the last read and the clock. Only what changed
        is set (a quiet pane costs nothing between seconds)."""
        with self.steady.batch():
            self._tick()

    def _tick(self) -> None:
        cur, view = self.current, self.view
        if cur is None or view is None:
            texts = ("", "—", "", "")
            phase = "idle"
        else:
            item = view.item(cur.agenda_item_id)
            clock = speech_clock(cur, self.now(), item.speaking_minutes if item else None,
                                 view.meeting.default_speaking_minutes)
            phase = "paused" if cur.status == "paused" else clock.phase
            kicker = {"waiting": _("CALLED — the timer starts with F6"), "paused": _("PAUSED")}.get(
                phase, _("SPEAKING"))
            if not clock.started:
                rest = _("limit {limit}").format(limit=duration(clock.limit))
            elif clock.remaining >= 0:
                rest = _("of {limit} · {left} left").format(limit=duration(clock.limit),
                                                           left=duration(clock.remaining))
            else:
                rest = _("of {limit} · {over} over").format(limit=duration(clock.limit),
                                                           over=duration(-clock.remaining))
            if cur.extended_seconds:
                rest += " · " + _("extended {ext}").format(ext=duration(cur.extended_seconds, signed=True))
            if cur.status == "paused" and cur.paused_at is not None:
                now_pause = (self.now() - cur.paused_at).total_seconds()
                pauses = _("Paused for {now}; pauses in total {total}").format(
                    now=duration(now_pause), total=duration(clock.paused))
            else:
                pauses = _("Pauses in total: {total}").format(total=duration(clock.paused)) if clock.paused else ""
            texts = (kicker, duration(clock.elapsed), rest, pauses)
        for label, text in zip((self.kicker, self.timer, self.limit, self.pauses), texts, strict=True):
            self._set(label, text)
        if phase != self._phase:
            self._phase = phase
            self.timer_box.setStyleSheet(f"QFrame#timer-box {{ {PHASE_STYLE[phase]} border-radius: 6px; }}"
                                         f"QLabel {{ {PHASE_STYLE[phase]} }}")
        b = self.last_budget = self.budget_now()
        text, over = self.last_budget_text = budget_text(b, self.tz) if b is not None else ("", False)
        self._set(self.budget, text)
        if over != self._over:
            self._over = over
            self._style(self.budget, "color: #c62828; font-weight: bold;" if over else "")

    @property
    def phase(self) -> str:
        """``idle``, ``waiting``, ``normal``, ``warning``, ``overrun`` or ``paused``."""
        return self._phase

    # --- the summary ---------------------------------------------------------------------------

    @property
    def target_id(self) -> int | None:
        return self._target.id if self._target else None

    def _set_target(self, s: reads.SpeakerInfo | None) -> None:
        if self._target is not None and (s is None or s.id != self._target.id):
            self.save_summary()
        if s is None:
            self._target = None
            self._saved = ""
            self._set(self.summary_title, _("Summary"))
            self._set_text("")
            self.summary.setEnabled(False)
            return
        same = self._target is not None and self._target.id == s.id
        self._target = s
        self.summary.setEnabled(True)
        when = ""
        if s.actual_start is not None:
            when = f" ({hhmm(s.actual_start, self.tz)}–{hhmm(s.actual_end, self.tz)})"
        self._set(self.summary_title, _("Summary of {name}{when} — F9").format(name=s.person_name, when=when))
        if not same or not self.dirty:
            # another speaker, or nothing typed since the last save: show what the store has
            self._saved = s.summary
            if nfc(self.summary.toPlainText()) != s.summary:
                self._set_text(s.summary)

    def _set_text(self, text: str) -> None:
        self.summary.blockSignals(True)
        self.summary.setPlainText(text)
        self.summary.blockSignals(False)

    @property
    def dirty(self) -> bool:
        return self._target is not None and nfc(self.summary.toPlainText()) != self._saved

    def _typed(self) -> None:
        if self.dirty:
            self._idle.start()

    def save_summary(self) -> None:
        self._idle.stop()
        if self._target is None or not self.dirty:
            return
        text = nfc(self.summary.toPlainText())
        base, self._saved = self._saved, text
        self.summary_changed.emit(self._target.id, text, base)

    def summary_conflict(self, request_id: int, stored: str, mine: str) -> None:
        """Another console saved a different summary meanwhile (the save was refused): the
        editor keeps this secretary's text under the stored one, for them to tidy up; the next
        save starts from the stored text, so neither is lost."""
        if self._target is None or self._target.id != request_id:
            return
        self._saved = stored
        merged = mine if stored in mine else (f"{stored}\n\n{mine}" if stored else mine)
        self._set_text(merged)

    def focus_summary(self) -> None:
        self.summary.setFocus(Qt.FocusReason.ShortcutFocusReason)
        cursor = self.summary.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.summary.setTextCursor(cursor)

    def _selectable(self, label: QLabel, on: bool) -> None:
        """A selectable label lays its text out as a QTextDocument at every change of text
        and size, and a lazy layout of it repaints the label once more after the window's frame
        (a second frame at every call of the next speaker); a plain label paints the same
        pixels. So the name, posts and endpoint are selectable while the mouse is over them, and
        after it left while some of their text is selected (to copy it), plain otherwise."""
        label.setTextInteractionFlags(_SELECTABLE if on else _PLAIN)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if obj in self._selectables:
            if kind == QEvent.Type.Enter:
                self._selectable(obj, True)  # type: ignore[arg-type]
            elif kind == QEvent.Type.Leave and not obj.hasSelectedText():  # type: ignore[attr-defined]
                self._selectable(obj, False)  # type: ignore[arg-type]
            return False
        if obj is self.summary and kind == QEvent.Type.FocusOut:
            self.save_summary()
        return super().eventFilter(obj, event)

    def closeEvent(self, event: Any) -> None:
        self.save_summary()
        super().closeEvent(event)
