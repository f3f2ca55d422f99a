"""Roll call (điểm danh): walk the endpoints one by one with the keyboard, entering each one's
status and the delegates present, and see who has not answered yet.

Keys: type the number present, Enter records it (with the chosen status) and moves to the next
endpoint that has not answered; Ctrl+1 … Ctrl+5 choose the status; Page Down skips, Page Up
goes back; Ctrl+Shift+N starts a new roll call; Esc closes. Every answer is one journaled,
undoable ``roll_call`` operation stamped with its time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from meeting_console.core import endpoints
from meeting_console.core.reads import MeetingEndpointInfo
from meeting_console.i18n import _
from meeting_console.ui import labels
from meeting_console.ui.bus import Runner
from meeting_console.ui.endpoint_model import STATUS_COLOURS, status_icon
from meeting_console.ui.table_model import Column, IdRole, RowsModel

# the status keys, the same in the panel: Ctrl+1 connected … Ctrl+5 not yet connected
STATUS_KEYS = (("connected", "Ctrl+1"), ("unstable", "Ctrl+2"), ("lost", "Ctrl+3"), ("left", "Ctrl+4"),
               ("not_connected", "Ctrl+5"))


class RollCallDialog(QDialog):
    def __init__(self, runner: Runner, meeting_id: int, order: list[int],
                 info: Callable[[int], MeetingEndpointInfo | None], parent: QWidget | None = None,
                 start_id: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("roll-call")
        self.setWindowTitle(_("Roll call"))
        self.runner = runner
        self.meeting_id = meeting_id
        self.order = list(order)
        self.info = info
        self.answered_here: set[int] = set()  # recorded from this dialog, not yet written
        self.current: int | None = None
        self.last_message = ""

        self.progress = QLabel()
        self.progress.setObjectName("roll-call-progress")
        self.name = QLabel()
        self.name.setObjectName("roll-call-name")
        big = QFont()
        big.setPointSize(18)
        big.setBold(True)
        self.name.setFont(big)
        self.name.setWordWrap(True)
        self.sub = QLabel()
        self.sub.setObjectName("roll-call-sub")
        self.sub.setWordWrap(True)

        self.status_group = QButtonGroup(self)
        status_box = QGridLayout()
        self.status_buttons: dict[str, QRadioButton] = {}
        for n, (status, key) in enumerate(STATUS_KEYS):
            b = QRadioButton(f"{labels.endpoint_status(status)}  ({key})")
            b.setObjectName(f"status-{status}")
            b.setIcon(status_icon(status))
            self.status_group.addButton(b)
            self.status_buttons[status] = b
            status_box.addWidget(b, n // 3, n % 3)
            act = QAction(self)
            act.setShortcut(QKeySequence(key))
            act.triggered.connect(lambda _c=False, s=status: self.choose(s))
            self.addAction(act)

        self.present = QSpinBox()
        self.present.setObjectName("roll-call-present")
        self.present.setRange(0, 1_000_000)
        self.present.setMinimumWidth(120)
        pf = QFont()
        pf.setPointSize(16)
        self.present.setFont(pf)

        self.record_button = QPushButton(_("Record and next (Enter)"))
        self.record_button.setObjectName("roll-call-record")
        self.record_button.setDefault(True)
        self.record_button.clicked.connect(self.record)
        self.skip_button = QPushButton(_("Skip (Page Down)"))
        self.skip_button.setAutoDefault(False)
        self.skip_button.clicked.connect(lambda: self.step(+1))
        self.back_button = QPushButton(_("Back (Page Up)"))
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(lambda: self.step(-1))
        self.new_button = QPushButton(_("New roll call (Ctrl+Shift+N)"))
        self.new_button.setObjectName("roll-call-new")
        self.new_button.setAutoDefault(False)
        self.new_button.clicked.connect(self.new_roll_call)
        for key, slot in (("PgDown", lambda: self.step(+1)), ("PgUp", lambda: self.step(-1)),
                          ("Ctrl+Shift+N", self.new_roll_call)):
            act = QAction(self)
            act.setShortcut(QKeySequence(key))
            act.triggered.connect(slot)
            self.addAction(act)

        self.waiting = RowsModel([Column(_("Not answered"), lambda e: e.name,
                                         foreground=lambda e: STATUS_COLOURS.get(e.status),
                                         decoration=lambda e: status_icon(e.status))], self)
        self.waiting_view = QListView()
        self.waiting_view.setObjectName("roll-call-waiting")
        self.waiting_view.setModel(self.waiting)
        self.waiting_view.setUniformItemSizes(True)
        self.waiting_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.waiting_view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.waiting_view.clicked.connect(lambda idx: self.go_to(idx.data(IdRole)))
        self.waiting_title = QLabel()
        self.waiting_title.setObjectName("roll-call-waiting-title")
        self.message = QLabel()
        self.message.setObjectName("roll-call-message")
        self.message.setWordWrap(True)

        left = QVBoxLayout()
        left.addWidget(self.name)
        left.addWidget(self.sub)
        left.addSpacing(6)
        left.addLayout(status_box)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Delegates present:")))
        row.addWidget(self.present)
        row.addStretch(1)
        left.addLayout(row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.back_button)
        left.addLayout(buttons)
        left.addWidget(self.message)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.waiting_title)
        right.addWidget(self.waiting_view, 1)
        right.addWidget(self.new_button)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        top = QVBoxLayout(self)
        top.addWidget(self.progress)
        top.addLayout(body, 1)
        self.resize(820, 420)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(200)
        self._refresh_timer.timeout.connect(self.refresh_lists)
        self.refresh_lists()
        first = start_id if start_id in self.order else self._next_unanswered(-1)
        self.go_to(first if first is not None else (self.order[0] if self.order else None))

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        # the count is typed at once: focus the number as soon as the dialog shows
        QTimer.singleShot(0, self._focus_present)

    def _focus_present(self) -> None:
        self.activateWindow()
        self.present.setFocus()
        self.present.selectAll()

    # --- state -----------------------------------------------------------------------------

    def answered(self, me_id: int) -> bool:
        e = self.info(me_id)
        return me_id in self.answered_here or (e is not None and e.roll_call_at is not None)

    def _next_unanswered(self, after: int) -> int | None:
        n = len(self.order)
        for k in range(1, n + 1):
            me_id = self.order[(after + k) % n] if after >= 0 else self.order[k - 1]
            if not self.answered(me_id):
                return me_id
        return None

    def not_answered(self) -> list[MeetingEndpointInfo]:
        out = []
        for me_id in self.order:
            e = self.info(me_id)
            if e is not None and not self.answered(me_id):
                out.append(e)
        return out

    def changed(self) -> None:
        """The rows changed (bus): refresh the lists soon (batched)."""
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def refresh_lists(self) -> None:
        waiting = self.not_answered()
        self.waiting.set_rows(tuple(waiting))
        done = len(self.order) - len(waiting)
        self.progress.setText(_("{done} of {n} answered · {left} not answered").format(
            done=done, n=len(self.order), left=len(waiting)))
        self.waiting_title.setText(_("Not answered ({n})").format(n=len(waiting)))
        if self.current is not None:
            self._show_current(keep_input=True)

    # --- moving ----------------------------------------------------------------------------

    def go_to(self, me_id: int | None) -> None:
        self.current = me_id
        self._show_current(keep_input=False)

    def step(self, delta: int) -> None:
        if not self.order:
            return
        k = self.order.index(self.current) if self.current in self.order else -1
        self.go_to(self.order[(k + delta) % len(self.order)])

    def choose(self, status: str) -> None:
        self.status_buttons[status].setChecked(True)

    def chosen_status(self) -> str | None:
        for status, b in self.status_buttons.items():
            if b.isChecked():
                return status
        return None

    def _show_current(self, *, keep_input: bool) -> None:
        e = self.info(self.current) if self.current is not None else None
        if e is None:
            self.name.setText(_("Everyone has answered.") if self.order else _("No endpoints."))
            self.sub.setText("")
            self.record_button.setEnabled(False)
            return
        self.record_button.setEnabled(True)
        self.name.setText(e.name)
        answered = _("answered") if self.answered(e.id) else _("not answered yet")
        self.sub.setText(_("{kind}{code} · expected {x} · now {status} · {answered}").format(
            kind=labels.endpoint_kind(e.kind), code=f" · {e.code}" if e.code else "",
            x=e.expected_delegates, status=labels.endpoint_status(e.status), answered=answered))
        if not keep_input:
            # someone answering is there: suggest "connected" unless the link is known shaky
            self.choose("connected" if e.status in ("not_connected", "lost", "left") else e.status)
            self.present.setValue(e.present_delegates if e.present_delegates is not None else e.expected_delegates)
            self.present.selectAll()
            self.present.setFocus()

    # --- recording -------------------------------------------------------------------------

    def record(self) -> None:
        e = self.info(self.current) if self.current is not None else None
        if e is None:
            return
        self.present.interpretText()
        status, present = self.chosen_status(), self.present.value()
        me_id = e.id
        self.answered_here.add(me_id)

        def refused(message: str) -> None:
            self.answered_here.discard(me_id)
            self.message.setText(_("Not recorded for {name}: {why}").format(name=e.name, why=message))
            self.refresh_lists()

        def recorded(_changes: Any) -> None:
            # from now on the rows (reloaded after this change) say it; an undo shows at once
            self.answered_here.discard(me_id)
            self.changed()

        self.runner.run(endpoints.roll_call, me_id, status=status, present=present, initiator=self,
                        on_done=recorded, on_error=refused)
        self.last_message = _("{name}: {status}, {n} present").format(
            name=e.name, status=labels.endpoint_status(status or e.status), n=present)
        self.message.setText(self.last_message)
        nxt = self._next_unanswered(self.order.index(me_id))
        self.refresh_lists()
        self.go_to(nxt)

    def new_roll_call(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, _("New roll call"),
                          _("Start a new roll call? Every endpoint becomes 'not answered' again "
                            "(the answers so far stay in the journal; Undo brings them back)."),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("roll-call-confirm")

        def finished(_result: Any) -> None:
            if box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes:
                self.answered_here.clear()
                self.runner.run(endpoints.new_roll_call, self.meeting_id, initiator=self,
                                on_done=lambda _c: self._restart(),
                                on_error=lambda m: self.message.setText(m))

        box.finished.connect(finished)
        box.open()

    def _restart(self) -> None:
        self.message.setText(_("New roll call started."))
        self.go_to(self.order[0] if self.order else None)
