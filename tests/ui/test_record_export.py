"""Meeting › Session record / Attendance report / Awards list from the console: written on a
thread of its own with a progress dialog that cancels, and an offer to open the file."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from meeting_console.core import agenda
from meeting_console.record import build as record_build
from meeting_console.ui import record_export
from meeting_console.ui.main_window import MainWindow


def text_of(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def doc(key: str) -> record_export.Document:
    return next(d for d in record_export.documents() if d.key == key)


def test_meeting_menu_offers_the_three_documents(window: MainWindow) -> None:
    menu = next(a.menu() for a in window.menuBar().actions() if a.menu() and "Meeting" in a.text())
    names = [a.objectName() for a in menu.actions()]
    assert {"act-record-pdf", "act-attendance-pdf", "act-awards-pdf"} <= set(names)
    record = next(a for a in menu.actions() if a.objectName() == "act-record-pdf")
    assert record.shortcut().toString() == "Ctrl+Shift+R"
    # no other action of the window has the same key
    keys = [a.shortcut().toString() for a in window.findChildren(type(record)) if not a.shortcut().isEmpty()]
    assert keys.count("Ctrl+Shift+R") == 1


def test_the_file_dialog_suggests_an_ascii_name_with_the_date(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.meeting is not None)
    dlg = record_export.choose_and_export(window, doc("record"))
    assert dlg is not None
    chosen = Path(dlg.selectedFiles()[0]).name
    dlg.reject()
    assert chosen.startswith("bien-ban-hoi-nghi-") and chosen.endswith("-2022-01-14.pdf")
    assert chosen.isascii()


def test_record_written_then_offered_to_open(qtbot, window: MainWindow, core, demo_id: int, tmp_path: Path,
                                             monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    clock = core.clock
    clock.advance(minutes=30)
    window.runner.run_sync(agenda.next_item, demo_id)  # held: the minutes, not the programme
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "biên bản.pdf"
    job = record_export.export(window, doc("record"), str(out))
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=60000) as got:
        pass
    assert got.args == ["done"]
    assert out.exists() and text_of(out).count("BIÊN BẢN") >= 1
    assert "Khai mạc hội nghị" in text_of(out)
    assert str(out) in window.statusBar().currentMessage()
    box = job.box
    assert isinstance(box, QMessageBox) and box.isVisible() and str(out) in box.text()
    opener = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    opener.click()
    assert opened == [str(out)]
    assert list(out.parent.iterdir()) == [out]  # no temporary left behind


@pytest.mark.parametrize("key,expect", [("attendance", "Tuyên Quang"), ("awards", "Huân chương")])
def test_the_other_documents(qtbot, window: MainWindow, tmp_path: Path, key: str, expect: str) -> None:
    out = tmp_path / f"{key}.pdf"
    job = record_export.export(window, doc(key), str(out))
    with qtbot.waitSignal(job.finished, timeout=60000) as got:
        pass
    assert got.args == ["done"] and expect in text_of(out)
    job.box.done(0)


def test_cancel_leaves_no_file(qtbot, window: MainWindow, tmp_path: Path) -> None:
    """Cancel pressed while the record is being laid out: the real builder stops at its next
    progress step and nothing is left under the name or beside it."""
    cancel_pressed = threading.Event()

    def slow_build(core, meeting_id, path, *, progress):  # noqa: ANN001
        def gated(done, total, what):  # noqa: ANN001
            cancel_pressed.wait(30)  # the layout waits until the user has pressed Cancel
            progress(done, total, what)
        return record_build.build_record(core, meeting_id, path, progress=gated)

    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "record.pdf"
    job = record_export.export(window, doc("record"), str(out), build=slow_build)
    job.dialog.findChild(QPushButton).click()  # the dialog's Cancel button
    cancel_pressed.set()
    with qtbot.waitSignal(job.finished, timeout=60000) as got:
        pass
    assert got.args == ["cancelled"]
    assert "cancelled" in window.statusBar().currentMessage()
    assert list(out.parent.iterdir()) == []
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def test_a_refused_target_is_reported(qtbot, window: MainWindow, tmp_path: Path) -> None:
    out = tmp_path / "no such folder" / "record.pdf"
    job = record_export.export(window, doc("record"), str(out))
    with qtbot.waitSignal(job.finished, timeout=60000) as got:
        pass
    assert got.args == ["failed"]
    assert job.box is not None and job.box.isVisible() and "no such folder" in job.box.text()
    assert not out.parent.exists()
    job.box.done(0)


def test_file_name_is_ascii_and_readable() -> None:
    from datetime import date

    name = record_export.file_name("bien-ban", "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 8",
                                   date(2022, 1, 14))
    assert name == "bien-ban-hoi-nghi-ban-chap-hanh-dang-bo-tinh-2022-01-14.pdf"
