"""The awards panel: the ceremony run from the keyboard, the Excel import's problem list, the
run sheet export, reordering by keyboard; and the screenshot in docs/."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from meeting_console.core import awards, ceremony, reads
from meeting_console.core.api import Tx, operation
from meeting_console.store import models as m
from meeting_console.ui.award_import_dialog import ImportProblemsDialog
from meeting_console.ui.awards_panel import CURRENT, AwardsPanel
from meeting_console.ui.main_window import MainWindow
from tests.record.conftest import pdf_text

ROOT = Path(__file__).resolve().parents[2]
SHEETS = ROOT / "tests" / "bad_inputs" / "spreadsheets"
PHU_NU = "Kỷ niệm chương “Vì sự phát triển phụ nữ Việt Nam”"


@operation("Set endpoint status (UI test)")
def endpoint_status(tx: Tx, meeting_endpoint_id: int, status: str) -> None:
    """Stands in for the endpoint panel's status change."""
    me = tx.get(m.MeetingEndpoint, meeting_endpoint_id)
    tx.meeting_id = me.meeting_id
    me.status = status
    me.status_since = tx.now


@pytest.fixture
def panel(qtbot, window: MainWindow) -> AwardsPanel:
    window.docks["awards"].raise_()
    p = window.awards
    qtbot.waitUntil(lambda: p.model.rowCount() == 6 and p.cer is not None)
    return p


def shots(tmp_path: Path) -> Path:
    """Where pictures go: docs/ when MEETING_CONSOLE_SCREENSHOTS names it, else the test's
    own folder (a test run leaves the work tree as it was)."""
    folder = os.environ.get("MEETING_CONSOLE_SCREENSHOTS")
    return Path(folder) if folder else tmp_path


def presented(core, mid: int) -> list[bool]:
    return [g.presented for g in ceremony.ceremony(core, mid).groups]


def key(qtbot, widget, k, mod=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press as the operator makes it: in the active console window."""
    top = widget.window()
    if QApplication.activeWindow() is not top:
        top.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is top)
    qtbot.keyClick(widget, k, mod)


CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
ALT_CTRL = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


def test_the_ceremony_by_keyboard(qtbot, qtmodeltester, window: MainWindow, panel: AwardsPanel,
                                  runner, core, clock, demo_id: int, tmp_path: Path) -> None:
    qtmodeltester.check(panel.model)
    # the article's order: four presentations, the fourth with three recipients
    rows = [panel.model.index(r, 0).data() for r in range(6)]
    assert rows == ["1", "2", "3", "4", "·", "·"]
    assert panel.model.index(0, 3).data() == "Trần Hoài Quang (posthumous)"
    assert panel.model.index(0, 5).data() == "thân nhân đồng chí Trần Hoài Quang"
    assert panel.now_label.text().startswith("Now 1/4: Huân chương Hồ Chí Minh — Trần Hoài Quang "
                                             "(thân nhân đồng chí Trần Hoài Quang)")
    assert panel.model.index(0, 2).data(Qt.ItemDataRole.BackgroundRole).color() == CURRENT
    assert panel.model.index(1, 2).data(Qt.ItemDataRole.BackgroundRole) is None

    # 10:35: the keys work from anywhere in the window (here: the agenda has the focus)
    clock.set(datetime(2022, 1, 14, 3, 35, tzinfo=UTC))
    window.agenda.view.setFocus()
    key(qtbot, window.agenda.view, Qt.Key.Key_P, CTRL_SHIFT)
    qtbot.waitUntil(lambda: presented(core, demo_id) == [True, False, False, False])
    qtbot.waitUntil(lambda: panel.now_label.text().startswith("Now 2/4"))
    assert panel.model.index(0, 1).data() == "10:35"
    clock.advance(minutes=3)
    key(qtbot, window.agenda.view, Qt.Key.Key_P, CTRL_SHIFT)
    qtbot.waitUntil(lambda: panel.now_label.text().startswith("Now 3/4"))

    # Âu Thị Mai receives at the Chiêm Hóa bridge point, whose link drops at 10:40
    snap = reads.snapshot(core, demo_id)
    chiem_hoa = next(e.id for e in snap.endpoints if e.name == "Chiêm Hóa")
    mai = snap.grants[2].id
    runner.run_sync(awards.update_grant, mai, meeting_endpoint_id=chiem_hoa)
    clock.advance(minutes=2)
    runner.run_sync(endpoint_status, chiem_hoa, "lost")
    qtbot.waitUntil(lambda: panel.caution_label.isVisible())
    assert panel.caution_label.text().startswith(
        "⚠ Âu Thị Mai: endpoint Chiêm Hóa has lost its link since 10:40")
    assert panel.model.index(2, 7).data() == "Chiêm Hóa — Lost"
    dock = window.docks["awards"]
    dock.setMinimumSize(1400, 400)  # a larger view for the picture in docs/
    qtbot.waitUntil(lambda: panel.height() >= 360 and panel.width() >= 1300)
    panel.view.clearSelection()  # show the highlight of the current presentation
    assert panel.grab().save(str(shots(tmp_path) / "awards.png"))
    dock.setMinimumSize(0, 0)

    # "presented" asks first; No leaves everything as it was
    key(qtbot, panel.view, Qt.Key.Key_P, CTRL_SHIFT)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, QMessageBox) and panel.dialog.isVisible())
    panel.dialog.button(QMessageBox.StandardButton.No).click()
    assert presented(core, demo_id) == [True, True, False, False]

    # next group: the Kỷ niệm chương goes ahead, its three recipients with one key
    key(qtbot, panel.view, Qt.Key.Key_G, CTRL_SHIFT)
    qtbot.waitUntil(lambda: panel.now_label.text().startswith(f"Now 3/4: {PHU_NU}"))
    assert not panel.caution_label.isVisible()
    clock.advance(minutes=2)
    key(qtbot, panel.view, Qt.Key.Key_P, CTRL_SHIFT)
    qtbot.waitUntil(lambda: presented(core, demo_id) == [True, True, True, False])
    kn = ceremony.ceremony(core, demo_id).groups[2]
    assert len(kn.grants) == 3 and all(g.presented_at == clock.now() for g in kn.grants)

    # the link is still down: confirmed by the operator, recorded anyway
    qtbot.waitUntil(lambda: panel.now_label.text().startswith("Now 4/4: Bằng khen"))
    key(qtbot, panel.view, Qt.Key.Key_P, CTRL_SHIFT)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, QMessageBox) and panel.dialog.isVisible())
    panel.dialog.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: presented(core, demo_id) == [True] * 4)
    qtbot.waitUntil(lambda: panel.now_label.text().startswith("All 4 presentations made"))
    assert not panel.act_present.isEnabled()

    # Ctrl+Z takes the last presentation back
    qtbot.waitUntil(lambda: window.undo_action.text().startswith("Undo Presented 4: Bằng khen"))
    key(qtbot, panel.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: presented(core, demo_id) == [True, True, True, False])
    qtbot.waitUntil(lambda: panel.now_label.text().startswith("Now 4/4"))
    # a presentation recorded by mistake is corrected on its row
    panel.select_id(ceremony.ceremony(core, demo_id).groups[0].grant_ids[0])
    panel.view.setFocus()
    key(qtbot, panel.view, Qt.Key.Key_U,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: presented(core, demo_id) == [False, True, True, False])
    qtbot.waitUntil(lambda: panel.now_label.text().startswith("Now 1/4"))
    qtmodeltester.check(panel.model)


def test_reorder_and_group_by_keyboard(qtbot, window: MainWindow, panel: AwardsPanel, core,
                                       demo_id: int) -> None:
    ids = [gr.grant_ids for gr in ceremony.ceremony(core, demo_id).groups]
    panel.select_id(ids[3][0])  # the Kỷ niệm chương
    panel.view.setFocus()
    key(qtbot, panel.view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: ceremony.ceremony(core, demo_id).groups[2].grant_ids == ids[3])
    qtbot.waitUntil(lambda: "adjusted by hand" in panel.progress_label.text())
    assert panel.selected_id() == ids[3][0]  # the selection follows the moved row
    key(qtbot, panel.view, Qt.Key.Key_O, ALT_CTRL)  # back to precedence
    qtbot.waitUntil(lambda: [g.grant_ids for g in panel.cer.groups] == ids)
    # the last recipient of the group presented on their own, then together again
    panel.select_id(ids[3][2])
    key(qtbot, panel.view, Qt.Key.Key_J, CTRL_SHIFT)
    qtbot.waitUntil(lambda: len(panel.cer.groups) == 5)  # what the operator sees
    key(qtbot, panel.view, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(ceremony.ceremony(core, demo_id).groups) == 4)


def test_excel_import_lists_every_problem(qtbot, qtmodeltester, panel: AwardsPanel, runner,
                                          core, demo_id: int, tmp_path: Path) -> None:
    panel.import_excel(str(SHEETS / "merged_cells.xlsx"))
    qtbot.waitUntil(lambda: isinstance(panel.dialog, ImportProblemsDialog)
                    and panel.dialog.isVisible())
    dlg = panel.dialog
    qtmodeltester.check(dlg.model)
    # the demo has these awards already: every row a duplicate, plus the merged cells
    assert dlg.model.rowCount() == 7
    assert dlg.model.index(0, 0).data() == "2"
    assert "duplicate" in dlg.model.index(0, 3).data()
    merged = [dlg.model.index(r, 3).data() for r in range(7)]
    assert any(t.startswith("merged cells H5:H7") for t in merged)
    assert dlg.grab().save(str(shots(tmp_path) / "awards-import-problems.png"))
    dlg.reject()
    assert len(reads.grants(core, demo_id)) == 6
    # without the demo's own awards the good list goes in, in precedence order
    for g in reads.grants(core, demo_id):
        runner.run_sync(awards.remove_grant, g.id)
    # the panel shows the empty list first (a reload from before the removals also has 6 rows)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    panel.import_excel(str(SHEETS / "good.xlsx"))
    qtbot.waitUntil(lambda: "Import 6 awards from good.xlsx" in panel.summary.text())
    qtbot.waitUntil(lambda: panel.model.rowCount() == 6)
    assert panel.model.index(0, 2).data() == "Huân chương Hồ Chí Minh"
    assert panel.model.index(0, 8).data() == "1530/QĐ-CTN 05/10/2021"


def test_run_sheet_export(qtbot, panel: AwardsPanel, tmp_path: Path) -> None:
    target = tmp_path / "kich-ban.pdf"
    panel.export_run_sheet(str(target))
    qtbot.waitUntil(lambda: "Run sheet written" in panel.summary.text(), timeout=10_000)
    text = pdf_text(target)
    assert "KỊCH BẢN TRAO KHEN THƯỞNG" in text
    assert text.index("1. Huân chương Hồ Chí Minh") < text.index(f"4. {PHU_NU}")


def test_catalogue_add_a_type_and_place_it(qtbot, qtmodeltester, window: MainWindow,
                                           panel: AwardsPanel, core) -> None:
    from meeting_console.core import catalogue
    from meeting_console.ui.award_catalogue_dialog import CatalogueDialog
    from meeting_console.ui.form import FormDialog

    panel.view.setFocus()
    key(qtbot, panel.view, Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: isinstance(panel.dialog, CatalogueDialog)
                    and panel.dialog.model.rowCount() > 60)
    dlg = panel.dialog
    qtmodeltester.check(dlg.model)
    names = [t.name for t in catalogue.award_types(core)]
    pm = names.index("Bằng khen của Thủ tướng Chính phủ")
    dlg.select(catalogue.award_types(core)[pm].id)
    dlg.view.setFocus()
    key(qtbot, dlg.view, Qt.Key.Key_Insert)
    qtbot.waitUntil(lambda: any(f.isVisible() for f in dlg.findChildren(FormDialog)))
    form = next(f for f in dlg.findChildren(FormDialog) if f.isVisible())
    form.widgets["name"].setText("Bằng khen của Bộ trưởng Bộ Nội vụ")
    form.widgets["authority"].setText("Bộ trưởng Bộ Nội vụ")
    form.buttons.accepted.emit()
    new = "Bằng khen của Bộ trưởng Bộ Nội vụ"
    qtbot.waitUntil(lambda: new in [t.name for t in catalogue.award_types(core)])
    order = [t.name for t in catalogue.award_types(core)]
    assert order.index(new) == pm  # just above the Prime Minister's certificate
    qtbot.waitUntil(lambda: dlg.selected() is not None and dlg.selected().name == new)
    key(qtbot, dlg.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: [t.name for t in catalogue.award_types(core)].index(new) == pm + 1)
    key(qtbot, dlg.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: [t.name for t in catalogue.award_types(core)].index(new) == pm)
    # the legal types stay
    dlg.select(catalogue.award_types(core)[0].id)
    key(qtbot, dlg.view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: any(b.isVisible() and "legal catalogue" in b.text()
                                for b in dlg.findChildren(QMessageBox)))
    assert catalogue.award_types(core)[0].name == "Huân chương Sao vàng"


def test_run_sheet_export_can_be_cancelled(qtbot, panel: AwardsPanel, tmp_path: Path) -> None:
    import threading

    from PySide6.QtWidgets import QProgressDialog

    target = tmp_path / "kich-ban.pdf"
    busy = threading.Event()
    panel.runner.call(busy.wait, 10)  # the DB worker is busy with something else
    panel.export_run_sheet(str(target))
    dlg = panel.findChildren(QProgressDialog)[-1]
    dlg.canceled.emit()  # the Cancel button, before the first page is laid out
    busy.set()
    qtbot.waitUntil(lambda: "cancelled" in panel.summary.text(), timeout=10_000)
    assert not [p for p in tmp_path.iterdir() if "kich-ban" in p.name]  # not even a part file


def test_endpoint_changes_elsewhere_do_not_reload_the_ceremony(qtbot, panel: AwardsPanel,
                                                                runner, core,
                                                                demo_id: int) -> None:
    """A national meeting's monitor changes endpoints all the time; only the recipients'
    endpoints matter to the ceremony."""
    snap = reads.snapshot(core, demo_id)
    na_hang = next(e.id for e in snap.endpoints if e.name == "Na Hang")
    chiem_hoa = next(e.id for e in snap.endpoints if e.name == "Chiêm Hóa")
    runner.run_sync(awards.update_grant, snap.grants[2].id, meeting_endpoint_id=chiem_hoa)
    qtbot.waitUntil(lambda: chiem_hoa in panel._watched_endpoints() and not panel._loading)
    loads: list[int] = []
    panel.loaded.connect(lambda: loads.append(1))
    runner.run_sync(endpoint_status, na_hang, "lost")  # nobody is called from Na Hang
    runner.run_sync(endpoint_status, chiem_hoa, "lost")
    qtbot.waitUntil(lambda: panel.model.index(2, 7).data() == "Chiêm Hóa — Lost")
    assert len(loads) == 1
