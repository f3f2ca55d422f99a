"""The main window: one meeting, its panels as docks, menus, undo/redo, and the status bar."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from meeting_console.core import vocab
from meeting_console.core.changes import MEETING, Changes
from meeting_console.core.timefmt import local
from meeting_console.i18n import N_, _
from meeting_console.i18n import language as i18n_language
from meeting_console.ui import labels
from meeting_console.ui.form import Field, ask
from meeting_console.ui.status_labels import BarLabel, RowHeight, fix_width_for
from meeting_console.ui.table_model import meeting_update

if TYPE_CHECKING:
    from meeting_console.core import meetings, reads
    from meeting_console.store.quickread import FirstScreen
    from meeting_console.ui.bus import Runner
    from meeting_console.ui.panel import Panel
else:

    class _Later:
        """A core module imported at its first use: the first screen is painted before
        SQLAlchemy, which these modules import, is loaded (``MainWindow.attach``)."""

        def __init__(self, name: str) -> None:
            self._name = name

        def __getattr__(self, attr: str) -> Any:
            import importlib

            return getattr(importlib.import_module(self._name), attr)

    meetings, reads = _Later("meeting_console.core.meetings"), _Later("meeting_console.core.reads")

SETTINGS_APP = "console"
FRONT_DOCKS = ("dock-endpoints", "dock-speakers", "dock-current-speaker")
STATE_VERSION = 1
_RIGHT, _BOTTOM = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
# Every dock in the order attach() adds them (the panels', then each panel's extra docks): the
# first screen makes them alike, so its layout — and a saved one restored onto it — is the
# final one and the panels only take their places (a test keeps the two in step).
DOCKS = (("endpoints", N_("Endpoints"), _RIGHT), ("speakers", N_("Speakers"), _BOTTOM),
         ("awards", N_("Awards"), _BOTTOM), ("people", N_("People"), _RIGHT),
         ("agenda-chart", N_("Planned vs actual"), _BOTTOM),
         ("endpoint-detail", N_("Endpoint detail"), _RIGHT),
         ("current-speaker", N_("Current speaker"), _RIGHT))
PANEL_MENUS = (N_("Agenda"), N_("Endpoints"), N_("Speakers"), N_("Awards"), N_("People"))


def settings() -> QSettings:
    # The file is named anew each time (Qt caches its own settings path for the whole
    # process), so a changed XDG_CONFIG_HOME — another profile, each test — is honoured.
    from platformdirs import user_config_path

    path = user_config_path("meeting-console", appauthor=False) / f"{SETTINGS_APP}.ini"
    return QSettings(str(path), QSettings.Format.IniFormat)



BUSY_SHOWN_AFTER_MS = 300


def _fix_size(label: QLabel, extra: str = "") -> None:
    """Fix a label's size to what its current text needs (plus ``extra``'s width): setText then
    repaints the label alone instead of laying out the window."""
    hint = label.sizeHint()
    label.setFixedSize(hint.width() + (label.fontMetrics().horizontalAdvance(extra) if extra else 0), hint.height())

class MainWindow(QMainWindow):
    # start-up is over: the live operations are warm and the start-up's objects frozen (ui/settle.py)
    settled = Signal()

    def __init__(self, runner: Runner | None, meeting_id: int | None = None, *,
                 first_screen: FirstScreen | None = None) -> None:
        """With a runner, the whole window at once; with ``runner=None`` only the
        ``first_screen`` (the meeting read without the Core, nothing to act on) until
        ``attach`` brings the Core and builds the panels in its place (start-up time)."""
        super().__init__()
        self.setObjectName("MainWindow")
        self.runner = runner  # type: ignore[assignment]
        self.meeting_id: int | None = None
        self.meeting: reads.MeetingInfo | None = None
        self.resize(1400, 860)
        self.docks: dict[str, QDockWidget] = {}
        self._sized = False
        self._restored: bool | None = None
        if runner is not None:
            self.attach(runner, meeting_id)
        elif first_screen is not None:
            self._show_first_screen(first_screen)

    def attach(self, runner: Runner, meeting_id: int | None) -> None:
        """Build the panels over the Core, in the docks the first screen made, and open the
        meeting (read through the Core again)."""
        from meeting_console.ui.agenda_panel import AgendaPanel
        from meeting_console.ui.awards_panel import AwardsPanel
        from meeting_console.ui.endpoints_panel import EndpointsPanel
        from meeting_console.ui.people_panel import PeoplePanel
        from meeting_console.ui.speakers_panel import SpeakersPanel

        self._leave_first_screen()
        self.runner = runner
        self.agenda = AgendaPanel(runner)
        self.endpoints = EndpointsPanel(runner)
        self.speakers = SpeakersPanel(runner)
        self.awards = AwardsPanel(runner)
        self.people = PeoplePanel(runner)
        self.panels: list[Panel] = [self.agenda, self.endpoints, self.speakers, self.awards, self.people]

        self.setCentralWidget(self.agenda)
        self._dock("endpoints", _("Endpoints"), self.endpoints, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("speakers", _("Speakers"), self.speakers, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._dock("awards", _("Awards"), self.awards, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._dock("people", _("People"), self.people, Qt.DockWidgetArea.RightDockWidgetArea)
        for panel in self.panels:
            for name, title, widget, area in panel.extra_docks():
                self._dock(name, title, widget, area)
        self._arrange_docks()

        self._build_menus()
        self._build_status_bar()
        from meeting_console.ui import seat

        self.seat = seat.install(self)  # seat and role, connection banner, role gating
        runner.operation_did_execute.connect(self._on_changes)
        runner.operation_failed.connect(self._on_failed)
        runner.busy_changed.connect(self._show_busy)
        if self._restored is None:
            self._restore_layout()
        elif self._sized and not self._restored:
            # shown first as the first screen: the panels ask other sizes than its views
            QTimer.singleShot(0, self._default_dock_sizes)
        if self.isVisible():  # (shown already as the first screen; else at its showEvent)
            QTimer.singleShot(0, self.hide_stale_tab_bars)  # the docks were tabified again above
        self.open_meeting(meeting_id, sync=True)
        from meeting_console.ui.settle import Settler

        # queued after the panels' loads: warms the live operations, then collects and freezes
        self._settler = Settler(runner, meeting_id, self)
        self._settler.done.connect(self.settled)

    def is_settled(self) -> bool:
        """Whether start-up is over (``settled`` was emitted): the first key press costs no more
        than the others."""
        settler = getattr(self, "_settler", None)
        return settler is not None and settler.finished

    # --- construction --------------------------------------------------------------------

    def _arrange_docks(self) -> None:
        self.tabifyDockWidget(self.docks["speakers"], self.docks["awards"])
        self.tabifyDockWidget(self.docks["endpoints"], self.docks["people"])
        if "current-speaker" in self.docks and "endpoint-detail" in self.docks:
            # the right column: the bridge points above, the floor (or one point's history) below
            self.tabifyDockWidget(self.docks["current-speaker"], self.docks["endpoint-detail"])
        for name in FRONT_DOCKS:
            if name.removeprefix("dock-") in self.docks:
                self.docks[name.removeprefix("dock-")].raise_()

    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> None:
        dock = self.docks.get(name)  # the first screen's: the panel takes its place
        if dock is None:
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock-{name}")
            self.addDockWidget(area, dock)
        old = dock.widget()
        dock.setWidget(widget)
        if old is not None:
            old.deleteLater()
        self.docks[name] = dock

    def _show_first_screen(self, screen: FirstScreen) -> None:
        """The meeting as store.quickread gave it; menus greyed and "Opening…" until attach."""
        from PySide6.QtWidgets import QStatusBar

        from meeting_console.core.clock import SystemClock
        from meeting_console.ui import first_screen

        m = screen.meeting
        self.setCentralWidget(first_screen.agenda_view(screen))
        for name, title, area in DOCKS:
            self._dock(name, _(title), first_screen.dock_content(name, screen), area)
        self._arrange_docks()
        bar = self.menuBar()
        for title in (_("&Meeting"), _("&Edit"), *map(_, PANEL_MENUS), _("&View"), _("&Help")):
            bar.addMenu(title).setEnabled(False)
        self.setWindowTitle(f"{m.title} — {m.date.strftime('%d/%m/%Y')} — Meeting Console")
        sb = QStatusBar()
        sb.setObjectName("first-status")
        self.setStatusBar(sb)
        sb.addWidget(QLabel(_("{status} · {form} · {place}").format(
            status=labels.meeting_status(m.status), form=labels.meeting_form(m.form), place=m.place or "—")))
        opening = QLabel(_("Opening…"))
        opening.setObjectName("opening")
        sb.addWidget(opening)
        sb.addPermanentWidget(QLabel(_("Database: {where}").format(where=screen.path)))
        clock = QLabel(local(SystemClock().now(), m.timezone).strftime("%H:%M:%S"))
        sb.addPermanentWidget(clock)
        self._restore_layout()

    def _leave_first_screen(self) -> None:
        from PySide6.QtWidgets import QStatusBar

        if self.statusBar().objectName() == "first-status":
            self.setStatusBar(QStatusBar())  # the real one is built next (_build_status_bar)
        self.menuBar().clear()

    def is_ready(self) -> bool:
        """Whether the Core is attached (before: the first screen, nothing can be done)."""
        return self.runner is not None

    def _action(self, menu: Any, text: str, slot: Any, shortcut: Any = None, name: str = "") -> QAction:
        act = QAction(text, self)
        if name:
            act.setObjectName(name)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        m = bar.addMenu(_("&Meeting"))
        self._action(m, _("&New…"), self.new_meeting, QKeySequence.StandardKey.New, "act-new")
        self._action(m, _("&Open…"), self.choose_meeting, QKeySequence.StandardKey.Open, "act-open")
        m.addSeparator()
        self._action(m, _("&Import meeting file…"), self.import_file, "Ctrl+I", "act-import")
        self._action(m, _("&Export meeting file…"), self.export_file, "Ctrl+E", "act-export")
        from meeting_console.ui.transfer_dialog import copy_meeting_dialog

        self._action(m, _("&Copy meeting to another database…"), lambda: copy_meeting_dialog(self),
                     None, "act-copy-meeting")
        m.addSeparator()
        from meeting_console.ui.record_export import record_actions

        m.addActions(record_actions(self))  # session record, attendance report, awards list
        m.addSeparator()
        self._action(m, _("Meeting &details…"), self.edit_details, "Ctrl+D", "act-details")
        m.addSeparator()
        from meeting_console.ui.safety import safety_actions

        m.addActions(safety_actions(self))  # check database, back up now, restore
        m.addSeparator()
        self._action(m, _("&Quit"), self.close, QKeySequence.StandardKey.Quit, "act-quit")

        e = bar.addMenu(_("&Edit"))
        self.undo_action = self._action(e, _("Undo"), self.undo, QKeySequence.StandardKey.Undo, "act-undo")
        self.redo_action = self._action(e, _("Redo"), self.redo, QKeySequence.StandardKey.Redo, "act-redo")
        self.redo_action.setShortcuts([QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Shift+Z")])

        for panel in self.panels:
            pm = bar.addMenu(panel.title)
            pm.setObjectName(f"menu-{panel.__class__.__name__}")
            for act in panel.menu_actions():
                pm.addAction(act)

        v = bar.addMenu(_("&View"))
        for dock in self.docks.values():
            v.addAction(dock.toggleViewAction())
        from meeting_console.ui.display import hall_display_actions

        v.addSeparator()
        v.addActions(hall_display_actions(self))
        from meeting_console.ui.language import language_menu

        v.addSeparator()
        v.addMenu(language_menu(self))

        h = bar.addMenu(_("&Help"))
        self._action(h, _("&About Meeting Console"), self.about, None, "act-about")

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.clock_label = QLabel()
        self.clock_label.setObjectName("clock")
        # (blank while a message shows instead of hidden, the state's label as wide as its widest
        # text: a message at each key press, or the meeting's start, lays out nothing;
        # ui/status_labels.py)
        self.state_label = BarLabel()
        self.state_label.setObjectName("meeting-state")
        self._state_width_for: tuple[Any, ...] | None = None
        # the status bar's changing labels keep a fixed size: a label whose size may change
        # lays out the whole window at every setText (every key press, every second)
        self.clock_label.setText("00:00:00")
        _fix_size(self.clock_label, extra="0")
        self.busy_label = BarLabel()
        self.busy_label.setObjectName("busy")
        self._fix_busy_size()
        # "Saving…" shows only for a write still running after BUSY_SHOWN_AFTER_MS: a key press
        # is stored in a few milliseconds, and a flash of it at every press says nothing
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_SHOWN_AFTER_MS)
        self._busy_timer.timeout.connect(lambda: self.busy_label.setText(_("Saving…")))
        self.db_label = QLabel(_("Database: {where}").format(where=self.runner.core.db.location))
        self.db_label.setObjectName("db-location")
        sb.addWidget(self.state_label)
        sb.addWidget(self.busy_label)
        self._bar_rows = RowHeight(sb, [self.state_label])
        sb.addPermanentWidget(self.db_label)
        sb.addPermanentWidget(self.clock_label)
        self.clock_timer = QTimer(self)
        self.clock_timer.timeout.connect(self._tick)
        self.clock_timer.start(1000)
        self._tick()

    # --- meeting ---------------------------------------------------------------------------

    def open_meeting(self, meeting_id: int | None, *, sync: bool = False) -> None:
        self.meeting_id = meeting_id
        for p in self.panels:
            p.meeting_id = meeting_id
            # at start-up only what is on screen is read before the first paint
            if sync and self._on_screen(p):
                p.refresh_now()
            else:
                p.refresh()
        if meeting_id is None:
            self.meeting = None
            self._show_meeting()
        elif sync:
            self.meeting = self.runner.read_sync(reads.meeting, self.runner.core, meeting_id)
            self._show_meeting()
            self._update_undo(sync=True)
        else:
            self._reload_meeting()

    def _on_screen(self, panel: Panel) -> bool:
        if panel is self.centralWidget():
            return True
        dock = next((d for d in self.docks.values() if d.widget() is panel), None)
        if dock is None or dock.isHidden():
            return False
        # Of tabified docks only the front one shows. Before the first show Qt cannot tell
        # which one that is, so go by the docks raised at construction; a panel behind a tab
        # loads a few milliseconds after the first paint instead of before it.
        return not self.tabifiedDockWidgets(dock) or dock.objectName() in FRONT_DOCKS

    def _reload_meeting(self, *, undo: bool = True) -> None:
        if self.meeting_id is None:
            return
        self.runner.call(reads.meeting, self.runner.core, self.meeting_id, on_done=self._got_meeting)
        if undo:
            self._update_undo()

    def _got_meeting(self, info: reads.MeetingInfo) -> None:
        self.meeting = info
        self._show_meeting()

    def _show_meeting(self) -> None:
        m = self.meeting
        if m is None:
            self.setWindowTitle(_("Meeting Console — no meeting (Meeting › New or Import)"))
            self._state_width_for = None
            fix_width_for(self.state_label, [_("No meeting open")])
            self.state_label.setText(_("No meeting open"))
            return
        self.setWindowTitle(f"{m.title} — {m.date.strftime('%d/%m/%Y')} — Meeting Console")

        def state(status: str) -> str:
            return _("{status} · {form} · {place}").format(
                status=labels.meeting_status(status), form=labels.meeting_form(m.form), place=m.place or "—")

        key = (m.form, m.place, i18n_language())
        if key != self._state_width_for:  # (not at the meeting's start or close)
            self._state_width_for = key
            fix_width_for(self.state_label, [state(s) for s in vocab.MEETING_STATUSES])
        self.state_label.setText(state(m.status))
        self._tick()

    def _fix_busy_size(self) -> None:
        text = self.busy_label.text()
        self.busy_label.setText(_("Saving…"))
        _fix_size(self.busy_label)
        self.busy_label.setText(text)

    def _show_busy(self, busy: bool) -> None:
        if busy:
            if not self.busy_label.text():
                self._busy_timer.start()
            return
        self._busy_timer.stop()
        if self.busy_label.text():
            self.busy_label.setText("")

    def retranslate_ui(self) -> None:
        """After a language switch (ui/language.py): the texts made from data."""
        self._fix_busy_size()
        if self.busy_label.text():
            self.busy_label.setText(_("Saving…"))
        self.db_label.setText(_("Database: {where}").format(where=self.runner.core.db.location))
        self._show_meeting()
        if self.meeting_id is not None:
            self._update_undo()

    def _tick(self) -> None:
        tz = self.meeting.timezone if self.meeting else "Asia/Ho_Chi_Minh"
        now = local(self.runner.core.clock.now(), tz)
        self.clock_label.setText(now.strftime("%H:%M:%S"))

    # --- undo ------------------------------------------------------------------------------

    def _update_undo(self, sync: bool = False) -> None:
        if sync:
            self._show_undo(self.runner.read_sync(self.runner.core.undo_status, self.meeting_id))
        else:
            self.runner.call(self.runner.core.undo_status, self.meeting_id, on_done=self._show_undo)

    def _show_undo(self, status: Any) -> None:
        undo_text = _("Undo {action}").format(action=status.undo_label) if status.can_undo else _("Undo")
        redo_text = _("Redo {action}").format(action=status.redo_label) if status.can_redo else _("Redo")
        # left alone when unchanged: setting them emits QAction.changed to every menu showing them
        if (undo_text, status.can_undo) != (self.undo_action.text(), self.undo_action.isEnabled()):
            self.undo_action.setEnabled(status.can_undo)
            self.undo_action.setText(undo_text)
        if (redo_text, status.can_redo) != (self.redo_action.text(), self.redo_action.isEnabled()):
            self.redo_action.setEnabled(status.can_redo)
            self.redo_action.setText(redo_text)

    def undo(self) -> None:
        self.runner.undo(self.meeting_id, initiator=self)

    def redo(self) -> None:
        self.runner.redo(self.meeting_id, initiator=self)

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if changes.meeting_id not in (None, self.meeting_id):
            return
        # an operation of this console says what undo and redo are now (worked out in its own
        # transaction): no read on the worker after each key press
        known = changes.undo is not None and changes.meeting_id == self.meeting_id
        if known:
            self._show_undo(changes.undo)
        patch = meeting_update(changes, self.meeting_id) if MEETING in changes.areas else None
        if patch is not None and self.meeting is not None \
                and {f.name for f in fields(self.meeting)}.issuperset(patch):
            # the meeting's own columns this console just wrote (its start, its close): no read
            self.meeting = replace(self.meeting, **patch)
            self._show_meeting()
            if not known:
                self._update_undo()
        elif MEETING in changes.areas:
            self._reload_meeting(undo=not known)
        elif not known:
            self._update_undo()
        if changes.label:
            self.statusBar().showMessage(changes.label, 4000)

    def _on_failed(self, message: str, _initiator: object) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, _("Not done"), message, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("refusal")
        box.open()

    # --- menu actions ----------------------------------------------------------------------

    def edit_details(self) -> None:
        m = self.meeting
        if m is None:
            return
        fields = [
            Field("title", _("Title"), "multiline", value=m.title),
            Field("number", _("Number / series"), value=m.number),
            Field("parent_body", _("Parent body"), value=m.parent_body),
            Field("issuing_body", _("Issuing body"), value=m.issuing_body),
            Field("body_type", _("Body type"), "choice", value=m.body_type,
                  choices=labels.choices(vocab.BODY_TYPES, labels.body_type)),
            Field("date", _("Date"), "date", value=m.date),
            Field("place", _("Place"), value=m.place),
            Field("city", _("City (for the date line)"), value=m.city),
            Field("form", _("Form"), "choice", value=m.form,
                  choices=labels.choices(vocab.MEETING_FORMS, labels.meeting_form)),
            Field("timezone", _("Time zone"), value=m.timezone),
            Field("language", _("Language of the record"), "choice", value=m.language,
                  choices=[("vi", "Tiếng Việt"), ("en", "English")]),
            Field("summary", _("Summary"), "multiline", value=m.summary),
            Field("closing_remarks", _("Closing remarks"), "multiline", value=m.closing_remarks),
            Field("distribution", _("Distribution (Nơi nhận), one recipient a line"), "multiline",
                  value=m.distribution),
        ]
        mid = m.id

        def accept(values: dict[str, Any], done: Any) -> None:
            self.runner.run(meetings.update_meeting, mid, initiator=self, on_done=lambda _c: done(None),
                            on_error=done, seen={f.name: f.value for f in fields}, **values)

        ask(self, _("Meeting details"), fields, accept)

    def new_meeting(self) -> None:
        def accept(values: dict[str, Any], done: Any) -> None:
            title = values.pop("title", "") or ""
            day = values.pop("date", date.today())

            def created(ch: Changes) -> None:
                done(None)
                self.open_meeting(ch.result)

            self.runner.run(meetings.create_meeting, title, day, initiator=self, on_done=created, on_error=done,
                            **values)

        today = datetime.now(UTC).date()
        ask(self, _("New meeting"), [
            Field("title", _("Title"), value=""),
            Field("date", _("Date"), "date", value=today),
            Field("place", _("Place"), value=""),
        ], accept)

    def choose_meeting(self) -> None:
        self.runner.call(reads.list_meetings, self.runner.core, on_done=self._show_chooser)

    def _show_chooser(self, rows: list[reads.MeetingSummary]) -> None:
        dlg = QDialog(self)
        dlg.setObjectName("open-meeting")
        dlg.setWindowTitle(_("Open meeting"))
        lay = QVBoxLayout(dlg)
        lst = QListWidget(dlg)
        for r in rows:
            it = QListWidgetItem(f"{r.date.strftime('%d/%m/%Y')}  ·  {labels.meeting_status(r.status)}  ·  {r.title}")
            it.setData(Qt.ItemDataRole.UserRole, r.id)
            lst.addItem(it)
            if r.id == self.meeting_id:
                lst.setCurrentItem(it)
        lay.addWidget(lst)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        lay.addWidget(buttons)
        buttons.accepted.connect(dlg.accept)
        buttons.rejected.connect(dlg.reject)
        lst.itemActivated.connect(lambda _i: dlg.accept())

        def finished(result: int) -> None:
            item = lst.currentItem()
            if result == QDialog.DialogCode.Accepted and item is not None:
                self.open_meeting(int(item.data(Qt.ItemDataRole.UserRole)))

        dlg.finished.connect(finished)
        dlg.resize(640, 360)
        dlg.open()

    def import_file(self) -> None:
        dlg = QFileDialog(self, _("Import meeting file"), "", _("Meeting files (*.yaml *.yml)"))
        dlg.setFileMode(QFileDialog.FileMode.ExistingFile)

        def chosen(path: str) -> None:
            from meeting_console.core import meeting_file

            self.runner.run(meeting_file.import_meeting, path, initiator=self,
                            on_done=lambda ch: self.open_meeting(ch.result))

        dlg.fileSelected.connect(chosen)
        dlg.open()

    def export_file(self) -> None:
        if self.meeting_id is None:
            return
        mid = self.meeting_id
        dlg = QFileDialog(self, _("Export meeting file"), "", _("Meeting files (*.yaml *.yml)"))
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setDefaultSuffix("yaml")

        def chosen(path: str) -> None:
            from meeting_console.core import meeting_file

            self.runner.call(meeting_file.export_meeting, self.runner.core, mid, path,
                             on_done=lambda _r: self.statusBar().showMessage(_("Exported to {path}").format(path=path), 6000),
                             on_error=lambda msg: self._on_failed(msg, None))

        dlg.fileSelected.connect(chosen)
        dlg.open()

    def about(self) -> None:
        from meeting_console.ui.about import show_about

        self.about_dialog = show_about(self)

    # --- layout ----------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        s = settings()
        geo = s.value("window/geometry")
        state = s.value("window/state")
        if isinstance(geo, QByteArray):
            self.restoreGeometry(geo)
        self._restored = isinstance(state, QByteArray) and self.restoreState(state, STATE_VERSION)

    def save_layout(self) -> None:
        s = settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState(STATE_VERSION))
        s.sync()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sized and not self._restored:
            # default proportions, once the window has its size (a saved layout wins)
            self._sized = True
            QTimer.singleShot(0, self._default_dock_sizes)
        QTimer.singleShot(0, self.hide_stale_tab_bars)

    def _default_dock_sizes(self) -> None:
        self.resizeDocks([self.docks["endpoints"]], [640], Qt.Orientation.Horizontal)
        if "current-speaker" in self.docks:
            self.resizeDocks([self.docks["endpoints"], self.docks["current-speaker"]], [500, 440],
                             Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["speakers"]], [300], Qt.Orientation.Vertical)

    def hide_stale_tab_bars(self) -> None:
        """Hide the tab bars of tabified docks that QMainWindow left visible at an old place.

        Tabifying the docks at start-up leaves, for the two groups of the right column, a second
        tab bar where the first layout put it, visible for good. It shows through the docks'
        see-through parts (at 1366×768: "Người đang phát biểu | Chi tiết điểm cầu" across the
        speaker queue's toolbar). The tab bar in use is the one against the bottom edge of its
        group's dock (tabs at the south, the default); another bar with the same tabs is stale."""
        docks = [d for d in self.docks.values() if d.isVisible() and not d.isFloating()]
        for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if not bar.isVisible():
                continue
            titles = {bar.tabText(i) for i in range(bar.count())}
            mine = [d for d in docks if d.windowTitle() in titles]
            if mine and not any(abs(bar.x() - d.x()) <= 1 and abs(bar.y() - (d.y() + d.height())) <= 1
                                for d in mine):
                bar.hide()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.runner is not None:  # closed on the first screen: nothing to save or stop
            self.save_layout()
            self.endpoints.shutdown()  # monitoring writes its last observations first
            safety = getattr(self, "safety", None)
            if safety is not None:
                safety.scheduler.shutdown()  # a backup waiting for a quiet moment: taken now
        super().closeEvent(event)
