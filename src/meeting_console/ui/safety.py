"""Data safety in the console: Meeting › Check database, Back up now, Restore from backup, and
the backups taken by themselves when a meeting starts, closes, and every few minutes while live.

Checks and backups run on their own thread with their own read connection (SQLite in WAL mode:
they never hold up the clerk's operations on the DB worker); a restore runs on the DB worker,
which it has to itself while it swaps the file. Results come back to the GUI thread through
queued signals. Wiring, in ``MainWindow._build_menus``::

    from meeting_console.ui.safety import safety_actions
    m.addActions(safety_actions(self))   # in the Meeting menu, before Quit
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QColor, QFontDatabase, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from meeting_console.core import reads, verify
from meeting_console.core.changes import MEETING, Changes
from meeting_console.core.timefmt import local
from meeting_console.errors import UserError
from meeting_console.i18n import N_, _, ngettext
from meeting_console.store import backup
from meeting_console.ui.status_labels import RowHeight, fix_width_for
from meeting_console.ui.table_model import Column, RowsModel, meeting_update

log = logging.getLogger(__name__)
TZ = "Asia/Ho_Chi_Minh"
GREEN, RED, GREY = QColor("#15803d"), QColor("#b91c1c"), QColor("#6b7280")
STAGES = {"integrity": N_("SQLite integrity check"), "foreign keys": N_("foreign keys"),
          "journal": N_("replaying the journal"), "tables": N_("comparing tables")}


def reason_label(reason: str) -> str:
    return {"start": _("meeting started"), "close": _("meeting closed"),
            "periodic": _("every few minutes"), "manual": _("by hand"),
            "before-restore": _("before a restore")}.get(reason, reason)


REASONS = ("start", "close", "periodic", "manual", "before-restore")
FAILED_STYLE = f"QLabel {{ color: white; background: {RED.name()}; padding: 1px 6px; }}"


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{max(1, round(n / 1024))} KB"


class _Deliver(QObject):
    """Carries a finished background job to the GUI thread (queued connection)."""

    done = Signal(object, object, object)  # on_done, on_error, future

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.done.connect(self._finish, Qt.ConnectionType.QueuedConnection)

    @Slot(object, object, object)
    def _finish(self, on_done: Callable[[Any], None], on_error: Callable[[BaseException], None],
                fut: Future[Any]) -> None:
        err = fut.exception()
        if err is None:
            on_done(fut.result())
        else:
            if not isinstance(err, UserError):
                log.error("background job failed", exc_info=err)
            on_error(err)


class Background(QObject):
    """One thread for checks and backups (never the DB worker), results on the GUI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="safety")
        self._deliver = _Deliver(self)
        self.closed = False

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
               on_error: Callable[[BaseException], None]) -> Future[Any]:
        fut = self._pool.submit(fn)
        fut.add_done_callback(lambda f: None if self.closed else
                              self._deliver.done.emit(on_done, on_error, f))
        return fut

    def shutdown(self) -> None:
        self.closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)


# --- check database -------------------------------------------------------------------------


class CheckDatabaseDialog(QDialog):
    """Runs ``verify`` with a progress bar and a Cancel button, then shows what it found."""

    progressed = Signal(str, int, int)
    finished_check = Signal(object)  # VerifyReport

    def __init__(self, core: Any, parent: QWidget | None = None,
                 check: Callable[..., verify.VerifyReport] = verify.verify) -> None:
        super().__init__(parent)
        self.setObjectName("check-database")
        self.setWindowTitle(_("Check database"))
        self.core = core
        self._check = check
        self._cancel = threading.Event()
        self._bg = Background(self)
        self.report: verify.VerifyReport | None = None

        self.headline = QLabel(_("Checking {where}…").format(where=core.db.location))
        self.headline.setObjectName("headline")
        self.headline.setWordWrap(True)
        self.advice = QLabel()
        self.advice.setObjectName("advice")
        self.advice.setWordWrap(True)
        self.advice.hide()
        self.stage = QLabel(_("starting"))
        self.stage.setObjectName("stage")
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first figures come
        self.details = QPlainTextEdit()
        self.details.setObjectName("details")
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setPlaceholderText(_("The integrity check, the foreign keys, and a replay of "
                                          "every journal entry onto an empty database, compared "
                                          "row by row with the tables."))
        self.buttons = QDialogButtonBox()
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.copy_button = QPushButton(_("&Copy report"))
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.copy_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.accept)
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.details.toPlainText()))
        lay = QVBoxLayout(self)
        lay.addWidget(self.headline)
        lay.addWidget(self.advice)
        lay.addWidget(self.stage)
        lay.addWidget(self.bar)
        lay.addWidget(self.details, 1)
        lay.addWidget(self.buttons)
        self.resize(760, 420)
        self.progressed.connect(self._show_progress)
        self.finished_check.connect(self._show_report)

    def start(self) -> None:
        cancel, core, check = self._cancel, self.core, self._check

        def run() -> verify.VerifyReport:
            return check(core, progress=lambda s, d, t: self.progressed.emit(s, d, t), cancel=cancel)

        self._bg.submit(run, self.finished_check.emit, self._failed)

    def cancel(self) -> None:
        self._cancel.set()
        self.stage.setText(_("cancelling…"))
        self.cancel_button.setEnabled(False)

    @Slot(str, int, int)
    def _show_progress(self, stage: str, done: int, total: int) -> None:
        self.stage.setText(_(STAGES[stage]) if stage in STAGES else stage)
        if total > 0 and stage in ("journal", "tables"):
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setRange(0, 0)

    def _done(self) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.cancel_button.setEnabled(False)
        self.close_button.setEnabled(True)
        self.copy_button.setEnabled(True)
        self.close_button.setFocus()

    @Slot(object)
    def _show_report(self, report: verify.VerifyReport) -> None:
        self.report = report
        self._done()
        if report.cancelled:
            self._headline(_("Check cancelled; nothing was changed."), GREY)
            self.stage.setText("")
        elif report.sound:
            self._headline(_("✔ The database is sound."), GREEN)
            self.stage.setText(_("{entries} journal entries replayed onto {rows} rows in {tables} "
                                 "tables, {seconds:.1f} s").format(
                entries=report.entries, rows=report.rows, tables=report.tables,
                seconds=report.seconds))
        else:
            n = len(report.problems) + report.more
            if report.error:
                self._headline(_("✘ The database cannot be checked: {error}").format(
                    error=report.error), RED)
            else:
                self._headline(ngettext("✘ The database is NOT sound: {n} problem.",
                                        "✘ The database is NOT sound: {n} problems.", n).format(n=n),
                               RED)
            self.advice.setText(_("The check changed nothing. Restore a backup (Meeting › Restore "
                                  "from backup…), or keep working and have this report looked "
                                  "at: copy it with the button below."))
            self.advice.show()
            self.stage.hide()
        self.details.setPlainText("\n".join(report.lines()))
        self.layout().activate()

    def _failed(self, err: BaseException) -> None:
        self._done()
        self._headline(_("✘ The check failed: {error}").format(error=err), RED)

    def _headline(self, text: str, color: QColor) -> None:
        self.headline.setText(text)
        self.headline.setStyleSheet(f"QLabel {{ color: {color.name()}; font-weight: bold; }}")

    def done(self, result: int) -> None:
        self._cancel.set()
        self._bg.shutdown()
        super().done(result)


# --- restore from backup --------------------------------------------------------------------


@dataclass(frozen=True)
class BackupRow:
    id: int
    info: backup.BackupInfo
    state: str = "checking"  # checking | sound | unsound
    detail: str = ""


def _backup_columns(tz: str) -> list[Column]:
    state_text = {"checking": _("checking…"), "sound": _("✔ sound"), "unsound": _("✘ not sound")}
    return [
        Column(_("Taken"), lambda r: local(r.info.taken_at, tz).strftime("%d/%m/%Y %H:%M:%S"),
               sort=lambda r: r.info.taken_at),
        Column(_("When"), lambda r: reason_label(r.info.reason)),
        Column(_("Size"), lambda r: _size(r.info.size), sort=lambda r: r.info.size,
               align=Qt.AlignmentFlag.AlignRight),
        Column(_("Check"), lambda r: state_text.get(r.state, r.state), tooltip=lambda r: r.detail,
               foreground=lambda r: GREEN if r.state == "sound" else RED if r.state == "unsound"
               else GREY),
    ]


def describe_backup(path: Path) -> tuple[str | None, str]:
    """(None when sound else why not, what it holds) — run in the background."""
    report = verify.verify_path(path)
    if not report.sound:
        return report.error or (report.problems[0] if report.problems else report.summary()), \
            "\n".join(report.lines())
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        meetings = conn.execute("SELECT title, status FROM meeting ORDER BY date DESC, id DESC "
                                "LIMIT 5").fetchall()
        last = conn.execute("SELECT max(at), count(*) FROM journal").fetchone()
    finally:
        conn.close()
    lines = [report.summary(), _("Last change: {at} UTC; {n} journal entries").format(
        at=(last[0] or "—")[:19], n=last[1])]
    lines += [f"  · {title} ({status})" for title, status in meetings]
    return None, "\n".join(lines)


class RestoreDialog(QDialog):
    """Lists this database's backups, checks each (only a sound one can be restored), and
    restores the chosen one after a confirmation."""

    restored = Signal(object)  # RestoreResult

    def __init__(self, runner: Any, parent: QWidget | None = None, tz: str = TZ) -> None:
        super().__init__(parent)
        self.setObjectName("restore-backup")
        self.setWindowTitle(_("Restore from backup"))
        self.runner = runner
        self.core = runner.core
        self.db_path = backup.sqlite_path(self.core)
        self._bg = Background(self)
        self.model = RowsModel(_backup_columns(tz), self)
        self.view = QTableView()
        self.view.setObjectName("backups")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setAlternatingRowColors(True)
        where = backup.backup_dir(self.db_path) if self.db_path else None
        intro = QLabel(_("Backups of {db}, kept in {folder}. Each is checked before it can be "
                         "restored; the database as it is now is backed up before it is "
                         "replaced.").format(db=self.db_path, folder=where))
        intro.setWordWrap(True)
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("backup-detail")
        self.detail.setReadOnly(True)
        self.detail.setMaximumHeight(130)
        self.buttons = QDialogButtonBox()
        self.restore_button = QPushButton(_("&Restore this backup…"))
        self.restore_button.setObjectName("restore")
        self.restore_button.setEnabled(False)
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self.confirm)
        self.view.selectionModel().currentRowChanged.connect(lambda *_a: self._selected())
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.detail)
        lay.addWidget(self.buttons)
        self.resize(780, 460)

    def start(self) -> None:
        if self.db_path is None:
            self.detail.setPlainText(_("The database is on a PostgreSQL server: restore it with "
                                       "the server's own tools."))
            return
        rows = [BackupRow(i, b) for i, b in enumerate(backup.list_backups(self.db_path))]
        self.model.set_rows(rows)
        if not rows:
            self.detail.setPlainText(_("No backups yet. One is taken when a meeting starts, when "
                                       "it closes, every few minutes while it is live, and by "
                                       "Meeting › Back up now."))
            return
        self.view.selectRow(0)
        for row in rows:  # one after the other on the background thread, newest first
            self._bg.submit(lambda p=row.info.path: describe_backup(p),
                            lambda res, rid=row.id: self._checked(rid, *res),
                            lambda err, rid=row.id: self._checked(rid, str(err), str(err)))

    def _checked(self, rid: int, problem: str | None, detail: str) -> None:
        rows = list(self.model.rows)
        i = self.model.row_of(rid)
        if i is None:
            return
        rows[i] = replace(rows[i], state="unsound" if problem else "sound", detail=detail)
        self.model.set_rows(rows)
        self._selected()

    def selected(self) -> BackupRow | None:
        idx = self.view.currentIndex()
        return self.model.row_at(idx.row()) if idx.isValid() else None

    def _selected(self) -> None:
        row = self.selected()
        self.restore_button.setEnabled(row is not None and row.state == "sound")
        if row is not None:
            self.detail.setPlainText(row.detail or _("checking…"))

    def confirm(self) -> None:
        row = self.selected()
        if row is None or row.state != "sound":
            return
        when = local(row.info.taken_at, TZ).strftime("%d/%m/%Y %H:%M:%S")
        box = QMessageBox(QMessageBox.Icon.Question, _("Restore from backup"),
                          _("Replace the database with the backup of {when} ({reason})?\n\n"
                            "Changes made since then are no longer shown; the database as it is "
                            "now is kept as a backup first, so this can be undone by restoring "
                            "that one.").format(when=when, reason=reason_label(row.info.reason)),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("confirm-restore")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda r: self.restore(row) if r == QMessageBox.StandardButton.Yes
                             else None)
        box.open()

    def restore(self, row: BackupRow) -> None:
        self.restore_button.setEnabled(False)
        self.detail.setPlainText(_("Restoring…"))
        self.runner.call(restore_into_core, self.core, row.info.path,
                         on_done=self._restored, on_error=self._refused)

    def _restored(self, result: backup.RestoreResult) -> None:
        self.restored.emit(result)
        self.accept()

    def _refused(self, message: str) -> None:
        row = self.selected()
        self.restore_button.setEnabled(row is not None and row.state == "sound")
        self.detail.setPlainText(_("Not restored: {why}").format(why=message))

    def done(self, result: int) -> None:
        self._bg.shutdown()
        super().done(result)


def restore_into_core(core: Any, path: Path) -> backup.RestoreResult:
    """On the DB worker: close the core's connections, restore, open the database again (also
    when the restore is refused, so the console goes on with what it had)."""
    from meeting_console.store.engine import open_database

    url = core.db.url
    db_path = backup.sqlite_path(core)
    if db_path is None:
        raise UserError(_("the database is on a PostgreSQL server"))
    core.db.dispose()
    try:
        return backup.restore(path, db_path, check=verify.backup_problem, now=core.clock.now())
    finally:
        core.db = open_database(url)


# --- backups by themselves ------------------------------------------------------------------


class BackupScheduler(QObject):
    """A backup when the open meeting starts and when it closes, and every ``minutes`` while
    it is live; a label in the status bar says when the last one was taken (or why it failed).

    The start and periodic backups wait for a quiet moment: ``QUIET_MS`` without an operation
    (``LATEST_MS`` at most). Taken at once, the start backup ran during the secretary's next
    key presses (a "start meeting" is often followed at once by "next item"s to the item under
    way): its thread, its reading of the file and its writing of the copy took the CPU and the
    disk from the DB worker and the GUI thread, and such a press took some 10 ms more. What is
    committed is on disk before a backup is; the copy waits a second or two. The closing
    backup is taken at once (the console may be closed right after), and a backup still
    waiting when the console closes is taken before it goes."""

    backed_up = Signal(object)  # BackupInfo
    failed = Signal(str)
    QUIET_MS = 1500
    LATEST_MS = 20_000
    DEFERRED = ("start", "periodic")

    def __init__(self, window: Any, minutes: float = backup.DEFAULT_INTERVAL_MINUTES) -> None:
        super().__init__(window)
        self.window = window
        self.runner = window.runner
        self.core = window.runner.core
        self.enabled = backup.sqlite_path(self.core) is not None
        self._bg = Background(self)
        self._running = False
        self._status: dict[int, str] = {}  # meeting id → last status seen
        self.label = QLabel()
        self.label.setObjectName("backup-state")
        window.statusBar().addPermanentWidget(self.label)
        if self.enabled:
            self._fix_width()
        self.timer = QTimer(self)
        self.timer.setInterval(int(minutes * 60_000))
        self.timer.timeout.connect(self.tick)
        # a start or periodic backup waiting for a quiet moment (see the class)
        self._waiting: str | None = None
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.timeout.connect(self._now)
        self._latest = QTimer(self)
        self._latest.setSingleShot(True)
        self._latest.timeout.connect(self._now)
        if self.enabled:
            self.timer.start()
            self.runner.operation_did_execute.connect(self._on_changes)
            self.runner.busy_changed.connect(self._activity)
            QTimer.singleShot(0, self, self._read_status)  # dropped if the window goes first

    def _fix_width(self) -> None:
        """The label as wide as the widest text it can show (a backup at 88:88 for each reason,
        the failure in its red box): a backup's new text then repaints the label alone. A label
        whose size changes lays out the whole window (every dock, ~2–3 ms of the GUI thread),
        and the start backup lands during the secretary's next key presses."""
        label = self.label
        label.setText(_("⚠ Backup failed"))
        label.setStyleSheet(FAILED_STYLE)
        failed = label.sizeHint().width()
        label.setStyleSheet("")
        label.setText("")
        fix_width_for(label, [_("Backup {at} ({reason})").format(at="88:88", reason=reason_label(r))
                              for r in REASONS], at_least=failed)
        self._rows = RowHeight(self.window.statusBar(), [label])  # its height: the bar's row

    def _on_changes(self, changes: Changes, _initiator: object) -> None:
        if MEETING in changes.areas and changes.meeting_id in (None, self.window.meeting_id):
            mid = self.window.meeting_id
            patch = meeting_update(changes, mid)
            if patch is None:
                self._read_status()
            elif mid is not None and "status" in patch:  # this console's change says it
                self._status_is(mid, patch["status"])

    def _read_status(self) -> None:
        mid = self.window.meeting_id
        if mid is None:
            return
        try:
            self.runner.call(reads.meeting, self.core, mid,
                             on_done=lambda info: self._status_is(mid, info.status),
                             on_error=lambda _m: None)
        except RuntimeError:  # the DB worker has shut down: the console is closing
            pass

    def _status_is(self, mid: int, status: str) -> None:
        before = self._status.get(mid)
        self._status[mid] = status
        if before is None or before == status:
            return
        if status == "live":
            self.take("start")
        elif status == "closed":
            self.take("close")

    def tick(self) -> None:
        meeting = self.window.meeting
        if meeting is not None and self._status.get(meeting.id, meeting.status) == "live":
            self.take("periodic")

    def take(self, reason: str) -> None:
        if not self.enabled or self._bg.closed:
            return
        if reason in self.DEFERRED:
            # the next quiet moment (a start backup is not made a periodic one by a tick)
            if self._waiting != "start":
                self._waiting = reason
            self._quiet.start(self.QUIET_MS)
            if not self._latest.isActive():
                self._latest.start(self.LATEST_MS)
            return
        if self._waiting is not None:
            self._now()  # the one waiting first: the backups keep their order (start, then close)
        self._submit(reason)

    def waiting(self) -> str | None:
        """The reason of the backup waiting for a quiet moment, if one is."""
        return self._waiting

    def _activity(self, busy: bool) -> None:
        if busy and self._waiting is not None:
            self._quiet.start(self.QUIET_MS)  # an operation under way: not quiet yet

    def _now(self) -> Future[Any] | None:
        """The backup waiting for a quiet moment, if one is, taken now (its future)."""
        self._quiet.stop()
        self._latest.stop()
        reason, self._waiting = self._waiting, None
        return self._submit(reason) if reason is not None else None

    def _submit(self, reason: str) -> Future[Any] | None:
        if self._running:
            if reason == "periodic":
                return None
            # a start/close backup is not skipped: it runs after the one under way
        self._running = True
        core = self.core
        return self._bg.submit(lambda: backup.backup_core(core, reason), self._done, self._fail)

    def _done(self, info: backup.BackupInfo | None) -> None:
        self._running = False
        if info is None:
            return
        at = local(info.taken_at, TZ).strftime("%H:%M")
        self.label.setText(_("Backup {at} ({reason})").format(at=at, reason=reason_label(info.reason)))
        self.label.setToolTip(str(info.path))
        self.label.setStyleSheet("")
        log.info("backup taken (%s): %s", info.reason, info.path.name)
        self.backed_up.emit(info)

    def _fail(self, err: BaseException) -> None:
        self._running = False
        text = str(err)
        self.label.setText(_("⚠ Backup failed"))
        self.label.setToolTip(text)
        self.label.setStyleSheet(FAILED_STYLE)
        log.warning("backup failed: %s", text)
        self.failed.emit(text)

    def shutdown(self) -> None:
        """Stop; a backup waiting for a quiet moment is taken first (waited for)."""
        self.timer.stop()
        fut = self._now() if not self._bg.closed else None
        if fut is not None:
            try:
                fut.result(timeout=120)
            except Exception as exc:  # noqa: BLE001 — logged; the console is closing anyway
                log.warning("backup at close of the console failed: %s", exc)
        self._bg.shutdown()


# --- the actions ------------------------------------------------------------------------------


class SafetyControls(QObject):
    """The Meeting menu's data-safety actions and the backup scheduler of one main window."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("safety-controls")
        self.window = window
        self.runner = window.runner
        sqlite = backup.sqlite_path(self.runner.core) is not None
        self.check_action = self._action(_("C&heck database…"), self.check_database,
                                         "act-check-database")
        self.backup_action = self._action(_("&Back up now"), self.backup_now, "act-backup",
                                          QKeySequence("Ctrl+Alt+B"))
        self.restore_action = self._action(_("&Restore from backup…"), self.restore,
                                           "act-restore-backup")
        for act in (self.backup_action, self.restore_action):
            act.setEnabled(sqlite)
            if not sqlite:
                act.setToolTip(_("PostgreSQL: the server's own backups apply"))
        self.scheduler = BackupScheduler(window)
        self.scheduler.backed_up.connect(self._announce)
        self.dialog: QDialog | None = None

    def _action(self, text: str, slot: Callable[[], None], name: str,
                shortcut: QKeySequence | None = None) -> QAction:
        act = QAction(text, self.window)
        act.setObjectName(name)
        if shortcut is not None:
            act.setShortcut(shortcut)
        act.triggered.connect(slot)
        return act

    def actions(self) -> list[QAction]:
        return [self.check_action, self.backup_action, self.restore_action]

    def check_database(self) -> None:
        dlg = CheckDatabaseDialog(self.runner.core, self.window)
        self.dialog = dlg
        dlg.open()
        dlg.start()

    def backup_now(self) -> None:
        self.scheduler.take("manual")

    def _announce(self, info: backup.BackupInfo) -> None:
        if info.reason == "manual":
            self.window.statusBar().showMessage(
                _("Backup written: {path}").format(path=info.path), 8000)

    def restore(self) -> None:
        dlg = RestoreDialog(self.runner, self.window)
        self.dialog = dlg
        dlg.restored.connect(self._after_restore)
        dlg.open()
        dlg.start()

    def _after_restore(self, result: backup.RestoreResult) -> None:
        w = self.window
        self.runner.watch_external()  # the journal's high-water mark is the restored one's
        mid = w.meeting_id
        known = {m.id for m in self.runner.read_sync(reads.list_meetings, self.runner.core)}
        w.open_meeting(mid if mid in known else self.runner.read_sync(
            reads.latest_meeting_id, self.runner.core))
        kept = f"\n\n{_('The database as it was is kept as:')} {result.kept.path}" if result.kept else ""
        box = QMessageBox(QMessageBox.Icon.Information, _("Restored"),
                          _("The database was restored from {name}.").format(
                              name=result.restored_from.name) + kept,
                          QMessageBox.StandardButton.Ok, w)
        box.setObjectName("restored")
        box.open()


def safety_actions(window: Any) -> list[QAction]:
    """Create the data-safety controls of ``window`` (kept as ``window.safety``) and return
    the actions for its Meeting menu."""
    controls = SafetyControls(window)
    window.safety = controls
    return controls.actions()


__all__ = ["BackupScheduler", "CheckDatabaseDialog", "RestoreDialog", "SafetyControls",
           "describe_backup", "restore_into_core", "safety_actions"]
