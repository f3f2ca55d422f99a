"""Two secretaries at two consoles: a press or an edit made on a state the other console changed
meanwhile is refused with who changed what and when; the panel then shows what is stored, and
text typed is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from meeting_console.core import ceremony, reads
from meeting_console.core import speakers as sp
from meeting_console.core.api import Core
from meeting_console.core.clock import FakeClock
from meeting_console.ui.main_window import MainWindow
from tests.ui.test_agenda_ui import visible_dialog
from tests.ui.test_awards_ui import shots
from tests.ui.test_speakers_ui import rows, type_text


def other_console(db_path: Path, core: Core) -> Core:
    return Core.open(str(db_path), clock=core.clock, seat="thư ký 2")


def test_two_secretaries_write_the_same_summary(qtbot, window: MainWindow, core: Core, clock: FakeClock,
                                                demo_id: int, db_path: Path, tmp_path: Path) -> None:
    panel = window.speakers
    window.docks["speakers"].raise_()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 8)
    runner = panel.runner
    rid = runner.run_sync(sp.call_next, reads.speakers(core, demo_id)[0].agenda_item_id).result
    clock.advance(timedelta(minutes=3).total_seconds())
    runner.run_sync(sp.end_speech, rid)
    qtbot.waitUntil(lambda: panel.pane.target_id == rid)
    panel.focus_summary()
    type_text(panel.pane.summary, "Chuyển đổi số")
    # meanwhile the other secretary saves their own summary of the same speech
    other = other_console(db_path, core)
    try:
        sp.set_summary(other, rid, "Đề xuất ba giải pháp", seen="")
    finally:
        other.close()
    panel.pane.save_summary()
    box = visible_dialog(qtbot, window, QMessageBox)
    assert box.text().startswith("Summary of Vân Đình Thảo was changed meanwhile at another console "
                                 "(by seat thư ký 2 at ")
    assert "Your text is kept in the summary editor" in box.text()
    assert rows(core, demo_id)["Vân Đình Thảo"].summary == "Đề xuất ba giải pháp"  # not overwritten
    # both texts in the editor, nothing lost; the next save starts from the stored one
    qtbot.waitUntil(lambda: panel.pane.summary.toPlainText() == "Đề xuất ba giải pháp\n\nChuyển đổi số")
    box.grab().save(str(shots(tmp_path) / "conflict-summary.png"))
    box.close()
    # the merged text is still to save, or saved already: the editor lost its focus to the
    # warning after the merge (the order of the two depends on the machine's load; both are
    # the product's behaviour: a summary is saved when its editor loses the focus; a save may
    # also be on its way to the database worker)
    qtbot.waitUntil(lambda: panel.pane.dirty
                    or rows(core, demo_id)["Vân Đình Thảo"].summary == "Đề xuất ba giải pháp\n\nChuyển đổi số")
    panel.pane.save_summary()
    qtbot.waitUntil(lambda: rows(core, demo_id)["Vân Đình Thảo"].summary
                    == "Đề xuất ba giải pháp\n\nChuyển đổi số")


def test_presented_pressed_after_another_console(qtbot, window: MainWindow, core: Core, clock: FakeClock,
                                                 demo_id: int, db_path: Path) -> None:
    window.docks["awards"].raise_()
    panel = window.awards
    qtbot.waitUntil(lambda: panel.model.rowCount() == 6 and panel.cer is not None)
    clock.set(datetime(2022, 1, 14, 3, 35, tzinfo=UTC))
    shown = panel.cer.current.grant_ids
    other = other_console(db_path, core)
    try:
        ceremony.present(other, demo_id, shown[0], expected_ids=list(shown), despite_cautions=True)
    finally:
        other.close()
    hw = core.high_water()
    panel.present_current()  # this console still shows presentation 1 as the current one
    box = visible_dialog(qtbot, window, QMessageBox)
    assert box.text() == "this group was presented at 10:35 already (by seat thư ký 2 at 10:35:00: Presented 1: " \
        "Huân chương Hồ Chí Minh)"
    assert core.high_water() == hw  # presentation 2 was not recorded by the second press
    assert [g.presented for g in ceremony.ceremony(core, demo_id).groups] == [True, False, False, False]
    # the panel reads the stored state again: presentation 2 is the current one now
    qtbot.waitUntil(lambda: panel.now_label.text().startswith("Now 2/4"))
    box.close()
