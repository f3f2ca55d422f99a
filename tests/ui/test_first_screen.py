"""The window's first screen (painted before the Core loads) and its hand-over to the panels."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTableView

from meeting_console.core import reads
from meeting_console.core.api import Core
from meeting_console.store.quickread import read_first_screen
from meeting_console.ui.bus import Runner
from meeting_console.ui.form import FormDialog
from meeting_console.ui.main_window import DOCKS, MainWindow


def _column(view: QTableView, col: int) -> list[str]:
    model = view.model()
    return [model.index(r, col).data() for r in range(model.rowCount())]


def _first_window(qtbot, db_path: Path) -> MainWindow:
    screen = read_first_screen(db_path)
    assert screen is not None
    w = MainWindow(None, first_screen=screen)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_first_screen_shows_what_the_full_window_shows(qtbot, qtmodeltester, window: MainWindow,
                                                       demo_id: int, core: Core, db_path: Path) -> None:
    first = _first_window(qtbot, db_path)
    assert first.windowTitle() == window.windowTitle()
    agenda = first.findChild(QTableView, "first-agenda")
    assert agenda is first.centralWidget()
    qtmodeltester.check(agenda.model())
    full = window.agenda.model
    assert _column(agenda, 3) == [full.index(r, 3).data() for r in range(full.rowCount())]  # titles
    assert _column(agenda, 1) == [full.index(r, 1).data() for r in range(full.rowCount())]  # planned
    endpoints = first.findChild(QTableView, "first-endpoints")
    assert _column(endpoints, 0) == [e.name for e in reads.endpoints(core, demo_id)]
    queue = first.findChild(QTableView, "first-speakers")
    assert _column(queue, 1) == [s.person_name for s in reads.speakers(core, demo_id)]
    # the same docks in the same places: a saved layout restores onto the first screen as it is
    assert list(first.docks) == list(window.docks) == [name for name, _t, _a in DOCKS]
    for name, dock in first.docks.items():
        assert first.dockWidgetArea(dock) == window.dockWidgetArea(window.docks[name])


def test_nothing_can_be_done_until_the_core_is_attached_then_everything_works(
        qtbot, core: Core, runner: Runner, demo_id: int, db_path: Path) -> None:
    w = _first_window(qtbot, db_path)
    assert not w.is_ready()
    menus = [a for a in w.menuBar().actions()]
    assert menus and not any(a.isEnabled() for a in menus)  # greyed: nothing to choose
    # no operation's action exists yet: no shortcut can start one (the docks' own show/hide
    # toggles are all there is)
    assert w.findChild(QAction, "act-undo") is None
    assert not [a.text() for a in w.findChildren(QAction) if a.isEnabled() and not a.shortcut().isEmpty()]
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # no undo to run
    assert w.statusBar().findChild(QLabel, "opening").text() == "Opening…"

    w.attach(runner, demo_id)
    assert w.is_ready() and w.runner is runner
    assert w.centralWidget() is w.agenda and w.docks["endpoints"].widget() is w.endpoints
    assert None not in [d.widget() for d in w.docks.values()]
    qtbot.waitUntil(lambda: not w.findChildren(QTableView, "first-agenda")
                    and not w.findChildren(QTableView, "first-endpoints"))  # deleted
    assert w.menuBar().actions()[0].isEnabled() and w.undo_action is not None
    assert w.agenda.model.rowCount() == 7
    assert "Opening…" not in [lbl.text() for lbl in w.statusBar().findChildren(QLabel)]

    # an edit through the UI reaches the store, and Edit › Undo takes it back
    item = reads.agenda(core, demo_id)[0]
    w.agenda.select_id(item.id)
    w.agenda.view.setFocus()
    qtbot.keyClick(w.agenda.view, Qt.Key.Key_F2)

    def dialog() -> FormDialog | None:
        shown = [d for d in w.findChildren(FormDialog) if d.isVisible()]
        return shown[-1] if shown else None

    qtbot.waitUntil(lambda: dialog() is not None)
    dlg = dialog()
    assert dlg is not None and isinstance(dlg.widgets["title"], QPlainTextEdit)
    dlg.widgets["title"].setPlainText("Khai mạc (sửa sau khi mở)")
    dlg.buttons.accepted.emit()
    qtbot.waitUntil(lambda: reads.agenda(core, demo_id)[0].title == "Khai mạc (sửa sau khi mở)")
    qtbot.waitUntil(lambda: w.undo_action.isEnabled())
    w.undo_action.trigger()
    qtbot.waitUntil(lambda: reads.agenda(core, demo_id)[0].title == item.title)
    qtbot.waitUntil(lambda: w.redo_action.isEnabled() and w.agenda.model.index(0, 3).data() == item.title)


def test_the_console_paints_first_then_opens_the_core(core: Core, demo_id: int, db_path: Path) -> None:
    """The real start: the first paint, then the Core and panels ("ready"); a database the
    first screen cannot vouch for (here: newer) takes the ordinary path and its message."""
    core.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MEETING_CONSOLE_EXIT_AFTER_PAINT": "1"}
    out = subprocess.run([sys.executable, "-m", "meeting_console", "--db", str(db_path)],
                         capture_output=True, text=True, timeout=180, env=env)
    assert out.returncode == 0, out.stderr
    events = [line.split()[0] for line in out.stdout.splitlines()]
    assert events == ["painted", "ready"]

    import sqlite3

    with sqlite3.connect(db_path) as c:
        c.execute("UPDATE alembic_version SET version_num = '9999'")
    c.close()
    out = subprocess.run([sys.executable, "-m", "meeting_console", "--db", str(db_path)],
                         capture_output=True, text=True, timeout=180, env=env)
    assert out.returncode == 2 and "newer version" in out.stderr and "painted" not in out.stdout


_DELETED_WHILE_OPENING = """
import sys
import meeting_console.cli as cli
from meeting_console.ui import main_window

real = cli.open_core

def open_then_delete(args, ask=None):  # another console deletes the meeting meanwhile
    core = real(args, ask)
    from meeting_console.core import meetings
    meetings.delete_meeting(core, int(sys.argv[2]))
    return core

cli.open_core = open_then_delete
titles = []
show = main_window.MainWindow._show_meeting
def shown(self):
    show(self)
    titles.append(self.windowTitle())
main_window.MainWindow._show_meeting = shown
code = cli.main(["--db", sys.argv[1]])
print("title", titles[-1] if titles else None)
sys.exit(code)
"""


def test_a_meeting_deleted_while_the_core_opens(core: Core, demo_id: int, db_path: Path) -> None:
    """The first screen's meeting deleted by another console before the Core is open: the
    window opens what the ordinary start would (here no meeting), follows other consoles,
    and is ready (not left with the deleted meeting's title and an error)."""
    core.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MEETING_CONSOLE_EXIT_AFTER_PAINT": "1"}
    out = subprocess.run([sys.executable, "-c", _DELETED_WHILE_OPENING, str(db_path), str(demo_id)],
                         capture_output=True, text=True, timeout=180, env=env)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["painted", "ready", "title"]
    assert "no meeting" in lines[-1]
