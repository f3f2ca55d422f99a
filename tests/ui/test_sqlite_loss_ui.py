"""SQLite: the database file made unreachable (its folder renamed away, as when a network share
is unplugged; works for root too, unlike chmod) is shown at once, operations are refused, and
the console comes back by itself when the file is back."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from meeting_console.cli import demo_path
from meeting_console.core import agenda, meeting_file, reads
from meeting_console.core.api import Core
from meeting_console.ui.bus import Runner, offline_refusal
from meeting_console.ui.main_window import MainWindow


def test_sqlite_file_lost_and_back(qtbot, clock, tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    core = Core.open(str(share / "meetings.db"), clock=clock, seat="thư ký")
    runner = Runner(core)
    try:
        demo_id = int(meeting_file.import_meeting(core, demo_path()).result)
        w = MainWindow(runner, demo_id)
        qtbot.addWidget(w)
        w.show()
        w.agenda.timer.stop()
        runner.watch_external()
        banner = w.seat.banner
        assert banner.isHidden() and w.seat.link_label.text() == "● Connected"
        # read while the file is there: unplugged, a read needing a new connection (the
        # pool's are with the worker or the file watch) cannot open it
        hw = core.high_water()

        share.rename(tmp_path / "unplugged")
        qtbot.waitUntil(lambda: not banner.isHidden(), timeout=5000)
        assert w.seat.link_label.text() == "● Not connected" and not runner.online
        assert "is gone" in w.seat.banner_label.toolTip()
        errors: list[str] = []
        runner.run(agenda.next_item, demo_id, on_error=errors.append)
        qtbot.waitUntil(lambda: errors == [offline_refusal()])
        w.grab().save(str(tmp_path / "sqlite-file-lost.png"))

        (tmp_path / "unplugged").rename(share)
        qtbot.waitUntil(lambda: banner.isHidden(), timeout=10000)
        assert w.seat.link_label.text() == "● Connected"
        assert core.high_water() == hw  # nothing went into the file no one could see
        done: list[object] = []
        runner.run(agenda.next_item, demo_id, on_done=done.append)
        qtbot.waitUntil(lambda: len(done) == 1, timeout=10000)
        assert reads.agenda(core, demo_id)[0].status == "running"
        w.close()
        qtbot.waitUntil(lambda: runner._pending == 0, timeout=10000)
        QApplication.processEvents()
    finally:
        runner.shutdown()
        core.close()
