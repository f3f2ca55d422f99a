"""UI fixtures: the main window on the demo meeting, over a real database file."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from meeting_console.cli import demo_path
from meeting_console.core import meeting_file
from meeting_console.core.api import Core
from meeting_console.ui.app import serial_fills
from meeting_console.ui.bus import Runner
from meeting_console.ui.main_window import MainWindow

serial_fills()  # Qt paints on the GUI thread alone, as in the console (set before the first paint)


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    """A main window freezes the objects alive when it settles (ui/settle.py): each test starts
    and ends with none frozen, so one test's leftovers are collected as usual."""
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.fixture
def demo_id(core: Core) -> int:
    return int(meeting_file.import_meeting(core, demo_path()).result)


@pytest.fixture
def runner(qtbot, core: Core) -> Iterator[Runner]:
    r = Runner(core)
    yield r
    r.shutdown()


@pytest.fixture
def window(qtbot, runner: Runner, demo_id: int) -> MainWindow:
    w = MainWindow(runner, demo_id)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w
