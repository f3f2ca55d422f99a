"""Meeting › Copy meeting to another database…: move a meeting, with its journal, from this
console's database to another (a local SQLite file ↔ the shared PostgreSQL) — ``core.transfer``.

The copy runs on a thread of its own (it reads this database and writes the other; the console's
DB worker stays free), with its progress shown. A PostgreSQL server that wants a password no
standard source gave (URL, ``PGPASSWORD``, ``.pgpass``) gets it through the usual password
prompt; it stays in memory. When the destination has the meeting already, the copy is refused
and the dialog offers to open that one. Opening starts a console on the other database (a
console process works on one database); a typed password goes to it in its environment, never
on its command line.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from meeting_console.i18n import _


class _Relay(QObject):
    step = Signal(int, int, str)
    copied = Signal(int)
    there = Signal(str, int)  # message, the meeting's id in the destination
    failed = Signal(str)
    password = Signal(str)  # the server asks for one: why


class CopyMeetingDialog(QDialog):
    """Copies ``meeting_id`` of the runner's database to the database the user names."""

    def __init__(self, runner: Any, meeting_id: int, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("copy-meeting")
        self.setWindowTitle(_("Copy meeting to another database"))
        self.runner = runner
        self.meeting_id = meeting_id
        self.result_id: int | None = None
        self._password: str | None = None
        self._tries = 0
        self._thread: threading.Thread | None = None
        self.relay = _Relay()
        self.relay.step.connect(self._step)
        self.relay.copied.connect(self._copied)
        self.relay.there.connect(self._there)
        self.relay.failed.connect(self._failed)
        self.relay.password.connect(self._ask_password)

        lay = QVBoxLayout(self)
        lay.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # wrapped texts keep their lines
        self.setMinimumWidth(600)
        intro = QLabel(_("Copy “{title}” with its journal (the record, the outage ledger and undo keep "
                         "working there) from\n{source}\nto:").format(
            title=title, source=runner.core.db.location))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        row = QHBoxLayout()
        self.target = QLineEdit(self)
        self.target.setObjectName("copy-target")
        self.target.setPlaceholderText(_("a database file, or postgresql+psycopg://user@server/database"))
        self.target.setMinimumWidth(460)
        row.addWidget(self.target, 1)
        self.browse = QPushButton(_("File…"), self)
        self.browse.clicked.connect(self.choose_file)
        row.addWidget(self.browse)
        lay.addLayout(row)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 100)
        self.bar.setValue(0)
        self.bar.hide()
        lay.addWidget(self.bar)
        self.status = QLabel("", self)
        self.status.setObjectName("copy-status")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = self.buttons.addButton(_("Copy"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.copy_button.setDefault(True)
        self.open_button = self.buttons.addButton(_("Open it there"), QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.hide()
        self.copy_button.clicked.connect(self.start)
        self.open_button.clicked.connect(self.open_copy)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.target.textChanged.connect(lambda _t: self._reset())
        self._reset()

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.adjustSize()  # a longer text takes more lines: the dialog grows to show them

    # --- the target ------------------------------------------------------------------------

    def _reset(self) -> None:
        self.result_id = None
        self.open_button.hide()
        self.copy_button.setEnabled(bool(self.target.text().strip()) and self._thread is None)

    def choose_file(self) -> None:
        dlg = QFileDialog(self, _("Copy the meeting into the database file"), "",
                          _("Meeting Console databases (*.db *.sqlite);;All files (*)"))
        dlg.setFileMode(QFileDialog.FileMode.AnyFile)
        dlg.setOption(QFileDialog.Option.DontConfirmOverwrite, True)  # an existing database is added to
        dlg.fileSelected.connect(self.target.setText)
        self.file_dialog = dlg
        dlg.open()

    def _same_database(self, target: str) -> bool:
        here = self.runner.core.db.location
        if "://" in target:
            return False
        return os.path.abspath(os.path.expanduser(target)) == os.path.abspath(here)

    # --- the copy --------------------------------------------------------------------------

    def start(self) -> None:
        target = self.target.text().strip()
        if not target or self._thread is not None:
            return
        if self._same_database(target):
            self._failed(_("This is the database the console works on; name another one."))
            return
        self.copy_button.setEnabled(False)
        self.target.setEnabled(False)
        self.browse.setEnabled(False)
        self.open_button.hide()
        self.bar.setValue(0)
        self.bar.show()
        self._say(_("Opening {target}…").format(target=_shown(target)))
        core = self.runner.core
        relay, password, mid = self.relay, self._password, self.meeting_id

        def work() -> None:
            from meeting_console.core.api import Core
            from meeting_console.core.transfer import AlreadyThere, copy_meeting
            from meeting_console.errors import UserError
            from meeting_console.store.engine import PasswordNeeded

            try:
                dst = Core.open(target, clock=core.clock, seat=core.seat, role="secretariat",
                                password=password)
            except PasswordNeeded as exc:
                relay.password.emit(str(exc))
                return
            except UserError as exc:
                relay.failed.emit(str(exc))
                return
            except Exception as exc:  # a bad URL, an unknown driver: said, not raised
                relay.failed.emit(f"{type(exc).__name__}: {exc}")
                return
            try:
                new = copy_meeting(core, dst, mid, progress=relay.step.emit)
            except AlreadyThere as exc:
                relay.there.emit(str(exc), exc.meeting_id)
            except UserError as exc:
                relay.failed.emit(str(exc))
            except Exception as exc:
                relay.failed.emit(f"{type(exc).__name__}: {exc}")
            else:
                relay.copied.emit(new)
            finally:
                dst.close()

        self._thread = threading.Thread(target=work, name="copy-meeting", daemon=False)
        self._thread.start()

    def _finished(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.target.setEnabled(True)
        self.browse.setEnabled(True)
        self.copy_button.setEnabled(bool(self.target.text().strip()))

    def _step(self, done: int, total: int, what: str) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        self._say(what)

    def _copied(self, new_id: int) -> None:
        self._finished()
        self.result_id = new_id
        self._say(_("Copied: the meeting is meeting {id} in {target}. The journal says where it "
                              "came from; this database keeps its own.").format(
            id=new_id, target=_shown(self.target.text().strip())))
        self.open_button.show()
        self.open_button.setDefault(True)
        self.open_button.setFocus()

    def _there(self, message: str, meeting_id: int) -> None:
        self._finished()
        self.bar.hide()
        self.result_id = meeting_id
        self._say(message)
        self.open_button.show()

    def _failed(self, message: str) -> None:
        self._finished()
        self.bar.hide()
        self._say(_("Not copied: {why}").format(why=message))

    def _ask_password(self, why: str) -> None:
        self._finished()
        self.bar.hide()
        self._tries += 1
        if self._tries > 3:
            self._failed(why)
            return
        from meeting_console.ui.password import password_dialog

        dlg = password_dialog(why, self)
        self.password_dialog = dlg

        def answered(code: int) -> None:
            if code == QDialog.DialogCode.Accepted:
                self._password = dlg.textValue()
                self.start()
            else:
                self._say(_("Not copied: no password given."))

        dlg.finished.connect(answered)
        dlg.open()

    # --- open it -----------------------------------------------------------------------------

    def open_copy(self) -> None:
        """A console on the other database, on the copied meeting (this one stays open)."""
        if self.result_id is None:
            return
        core = self.runner.core
        args = ["-m", "meeting_console", "--db", self.target.text().strip()]
        if core.seat:
            args += ["--seat", core.seat]
        args += ["--role", core.role, "open", str(self.result_id)]
        env = QProcessEnvironment.systemEnvironment()
        if self._password is not None:
            env.insert("PGPASSWORD", self._password)  # never on the command line
        self.launch(sys.executable, args, env)
        self._say(_("A console on {target} is starting.").format(target=_shown(self.target.text().strip())))

    def launch(self, program: str, args: list[str], env: QProcessEnvironment) -> bool:
        proc = QProcess(self)
        proc.setProgram(program)
        proc.setArguments(args)
        proc.setProcessEnvironment(env)
        ok, _pid = proc.startDetached()
        return bool(ok)

    def done(self, r: int) -> None:
        if self._thread is not None:  # a copy is one transaction: let it end, then close
            self._say(_("Copying… the dialog closes when the copy has finished."))
            self.relay.copied.connect(lambda _i: QDialog.done(self, r))
            self.relay.failed.connect(lambda _m: QDialog.done(self, r))
            self.relay.there.connect(lambda _m, _i: QDialog.done(self, r))
            return
        super().done(r)


def _shown(target: str) -> str:
    """A URL as shown: without a password written into it."""
    if "://" not in target:
        return target
    from sqlalchemy.engine import make_url

    try:
        return make_url(target).render_as_string(hide_password=True)
    except Exception:
        return target.split("@")[-1]


def copy_meeting_dialog(window: Any) -> CopyMeetingDialog | None:
    """Opened from the Meeting menu on the meeting shown."""
    if window.meeting_id is None:
        return None
    title = window.meeting.title if getattr(window, "meeting", None) is not None else ""
    dlg = CopyMeetingDialog(window.runner, window.meeting_id, title, window)
    window.copy_dialog = dlg
    dlg.open()
    return dlg
