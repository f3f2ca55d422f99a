"""Meeting › Session record / Attendance report / Awards list (PDF): the documents of
``meeting_console.record`` from the console's menu.

The PDF is laid out on a thread of its own, reading through its own short read sessions (a
national record takes seconds: the live keys must not wait behind it on the DB worker). A
progress dialog shows the pages laid out and can cancel; nothing is written under the chosen
name unless the document is complete (the record writes a temporary file and renames it).
When it is done the console offers to open the file."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from meeting_console.errors import UserError
from meeting_console.i18n import _
from meeting_console.ui.bus import Relay

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Document:
    key: str
    menu_text: str
    title: str  # the dialogs' title
    file_stem: str  # the suggested file name, before the date
    shortcut: str | None
    builder: str  # the function's name in meeting_console.record.build


def documents() -> list[Document]:
    return [
        Document("record", _("Session &record (PDF)…"), _("Session record"), "bien-ban",
                 "Ctrl+Shift+R", "build_record"),
        Document("attendance", _("&Attendance report (PDF)…"), _("Attendance report"),
                 "bao-cao-diem-danh", None, "build_attendance_report"),
        Document("awards", _("A&wards list (PDF)…"), _("Awards list"), "danh-sach-khen-thuong",
                 None, "build_awards_list"),
    ]


def file_name(stem: str, title: str, day: Any) -> str:
    """``bien-ban-hoi-nghi-ban-chap-hanh-2022-01-14.pdf``: ASCII, so that any mail system and
    USB stick keeps it (the title itself is inside the PDF, with its diacritics)."""
    flat = unicodedata.normalize("NFD", title.replace("đ", "d").replace("Đ", "D"))
    flat = "".join(c for c in flat if not unicodedata.combining(c)).lower()
    words = re.findall(r"[a-z0-9]+", flat)[:8]
    parts = [stem, *words, day.isoformat() if day is not None else ""]
    return "-".join(p for p in parts if p) + ".pdf"


class Export(QObject):
    """One document being written: the thread, its progress dialog, the offer to open it."""

    finished = Signal(str)  # "done", "cancelled" or "failed"

    def __init__(self, window: Any, doc: Document, path: str,
                 build: Callable[..., Path] | None = None) -> None:
        super().__init__(window)
        self.window, self.doc, self.path = window, doc, path
        if build is None:
            from meeting_console.record import build as record_build

            build = getattr(record_build, doc.builder)
        self.build = build
        self.cancelled = threading.Event()
        self.written: Path | None = None
        self.message = ""
        self.box: QMessageBox | None = None
        self.dialog = QProgressDialog(_("Writing the {what}…").format(what=doc.title.lower()),
                                      _("Cancel"), 0, 0, window)
        self.dialog.setObjectName(f"{doc.key}-progress")
        self.dialog.setWindowTitle(doc.title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)  # the demo's record is done before it would show
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel)
        self.relay = Relay()
        self.relay.step.connect(self._step)
        self.relay.done.connect(self._done)
        self.relay.failed.connect(self._failed)

    def start(self, meeting_id: int) -> None:
        core = self.window.runner.core
        self.window.statusBar().showMessage(_("Writing the {what}…").format(what=self.doc.title.lower()))
        self.dialog.setValue(0)

        def progress(done: int, total: int, what: str) -> None:  # on the layout thread
            if self.cancelled.is_set() and what != "done":  # once written, it is written
                raise UserError(_("{what} cancelled; nothing was written").format(what=self.doc.title))
            self.relay.step.emit(done, max(total, 1))

        def work() -> None:
            try:
                self.relay.done.emit(self.build(core, meeting_id, self.path, progress=progress))
            except UserError as exc:
                self.relay.failed.emit(str(exc))
            except Exception as exc:  # reported, not swallowed: the user sees why
                log.exception("%s failed", self.doc.key)
                self.relay.failed.emit(f"{type(exc).__name__}: {exc}")

        threading.Thread(target=work, name=f"pdf-{self.doc.key}", daemon=False).start()

    def cancel(self) -> None:
        self.cancelled.set()
        self.dialog.setLabelText(_("Cancelling…"))

    def _step(self, done: int, total: int) -> None:
        if not self.cancelled.is_set():
            self.dialog.setMaximum(total)
            self.dialog.setValue(min(done, total))

    def _done(self, written: object) -> None:
        self.dialog.reset()
        self.dialog.hide()
        self.written = Path(str(written))
        self.message = _("{what} written to {path}").format(what=self.doc.title, path=self.written)
        self.window.statusBar().showMessage(self.message, 10000)
        box = QMessageBox(QMessageBox.Icon.Information, self.doc.title, self.message,
                          QMessageBox.StandardButton.NoButton, self.window)
        box.setObjectName(f"{self.doc.key}-written")
        opener = box.addButton(_("&Open"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(_("Close"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(opener)
        opener.clicked.connect(self.open_file)
        self.box = box
        box.open()
        self.finished.emit("done")

    def open_file(self) -> None:
        if self.written is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.written)))

    def _failed(self, message: str) -> None:
        self.dialog.reset()
        self.dialog.hide()
        self.message = message
        if self.cancelled.is_set():
            self.window.statusBar().showMessage(message, 10000)
            self.finished.emit("cancelled")
            return
        self.window.statusBar().showMessage(message, 10000)
        box = QMessageBox(QMessageBox.Icon.Warning, self.doc.title, message, QMessageBox.StandardButton.Ok,
                          self.window)
        box.setObjectName(f"{self.doc.key}-failed")
        self.box = box
        box.open()
        self.finished.emit("failed")


def export(window: Any, doc: Document, path: str, build: Callable[..., Path] | None = None) -> Export | None:
    """Write ``doc`` of the window's open meeting to ``path``; None without a meeting."""
    if window.meeting_id is None:
        return None
    job = Export(window, doc, path, build)
    window._record_export = job  # kept alive while it runs; the latest one
    job.start(window.meeting_id)
    return job


def choose_and_export(window: Any, doc: Document) -> QFileDialog | None:
    if window.meeting_id is None:
        window.statusBar().showMessage(_("Open a meeting first"), 6000)
        return None
    m = window.meeting
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    name = file_name(doc.file_stem, m.title if m else "", m.date if m else None)
    dlg = QFileDialog(window, doc.title, str(Path(folder) / name), _("PDF documents (*.pdf)"))
    dlg.setObjectName(f"{doc.key}-file")
    dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dlg.setDefaultSuffix("pdf")
    dlg.fileSelected.connect(lambda path: export(window, doc, path))
    dlg.open()
    return dlg


def record_actions(window: QWidget) -> list[QAction]:
    """The Meeting menu's document actions."""
    out = []
    for doc in documents():
        act = QAction(doc.menu_text, window)
        act.setObjectName(f"act-{doc.key}-pdf")
        if doc.shortcut:
            act.setShortcut(QKeySequence(doc.shortcut))
        act.triggered.connect(lambda _checked=False, d=doc: choose_and_export(window, d))
        out.append(act)
    return out
