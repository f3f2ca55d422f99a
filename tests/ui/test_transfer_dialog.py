"""Meeting › Copy meeting to another database…: two SQLite files; the copy with its journal,
its progress, the refusal of a second copy, opening the copy, and back."""

from __future__ import annotations

from pathlib import Path

from meeting_console.core import reads
from meeting_console.core.api import Core
from meeting_console.ui.main_window import MainWindow
from meeting_console.ui.transfer_dialog import CopyMeetingDialog
from tests.ui.test_agenda_ui import visible_dialog
from tests.ui.test_awards_ui import shots


def test_copy_meeting_to_another_file_and_back(qtbot, window: MainWindow, core: Core, clock,
                                               demo_id: int, tmp_path: Path) -> None:
    other = tmp_path / "laptop.db"
    act = next(a for a in window.findChildren(type(window.undo_action)) if a.objectName() == "act-copy-meeting")
    act.trigger()
    dlg = visible_dialog(qtbot, window, CopyMeetingDialog)
    assert isinstance(dlg, CopyMeetingDialog)
    assert not dlg.copy_button.isEnabled()
    steps: list[int] = []
    dlg.relay.step.connect(lambda d, _t, _w: steps.append(d))
    dlg.target.setText(str(other))
    dlg.copy_button.click()
    qtbot.waitUntil(lambda: dlg.result_id is not None, timeout=30000)
    assert dlg.status.text().startswith(f"Copied: the meeting is meeting {dlg.result_id} in {other}.")
    assert steps[0] == 0 and steps[-1] == 100
    assert dlg.open_button.isVisible()
    qtbot.waitUntil(lambda: dlg.height() >= dlg.minimumSizeHint().height())
    dlg.grab().save(str(shots(tmp_path) / "copy-meeting.png"))
    laptop = Core.open(str(other), clock=clock, seat="laptop")
    try:
        copied = dlg.result_id
        assert reads.meeting(laptop, copied).title == reads.meeting(core, demo_id).title
        labels = [j.label for j in reads.journal(laptop, copied)]
        assert [x for x in labels if x != "Directory rows of a copied meeting"][:-1] == \
            [j.label for j in reads.journal(core, demo_id)]
        assert labels[-1].startswith("Copied from ")
    finally:
        laptop.close()

    # "open it there": a console on that database, on that meeting; no password on the line
    launched: list[tuple[str, list[str]]] = []
    dlg.launch = lambda program, args, env: launched.append((program, args)) or True  # type: ignore[method-assign]
    dlg.open_button.click()
    assert launched and launched[0][1][-4:] == ["--role", "secretariat", "open", str(copied)]
    assert launched[0][1][:4] == ["-m", "meeting_console", "--db", str(other)]

    # a second copy is refused, naming the meeting there, and offers to open it
    dlg.target.setText("")
    assert not dlg.open_button.isVisible() and not dlg.copy_button.isEnabled()
    dlg.target.setText(str(other))
    dlg.copy_button.click()
    qtbot.waitUntil(lambda: "has this meeting already" in dlg.status.text(), timeout=30000)
    assert f"(meeting {copied} there: " in dlg.status.text() and dlg.result_id == copied
    assert dlg.open_button.isVisible()
    # this very database is not a destination
    dlg.target.setText(str(core.db.location))
    dlg.copy_button.click()
    assert dlg.status.text() == "Not copied: This is the database the console works on; name another one."
    dlg.reject()
    qtbot.waitUntil(lambda: not dlg.isVisible())

    # and back: the laptop's console copies it into a third file
    from meeting_console.ui.bus import Runner

    laptop = Core.open(str(other), clock=clock, seat="laptop")
    runner = Runner(laptop)
    try:
        back = CopyMeetingDialog(runner, copied, "", window)
        back.open()
        back.target.setText(str(tmp_path / "back.db"))
        back.copy_button.click()
        qtbot.waitUntil(lambda: back.result_id is not None, timeout=30000)
        assert back.status.text().startswith("Copied:")
        back.reject()
    finally:
        runner.shutdown()
        laptop.close()
