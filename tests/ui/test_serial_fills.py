"""The console has Qt paint on the GUI thread alone (``ui.app.serial_fills``): set before the
QApplication, kept when the user set Qt's variable, left out when asked to keep Qt's pool."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from meeting_console.ui.app import serial_fills


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "1"),
    ({"QT_NO_GUI_THREADPOOL": "yes"}, "yes"),  # the user's own setting kept
    ({"MEETING_CONSOLE_QT_GUI_POOL": "1"}, None),  # Qt's pool of painters kept
])
def test_serial_fills_sets_qts_variable_unless_told_otherwise(monkeypatch, env: dict[str, str],
                                                             expected: str | None) -> None:
    monkeypatch.delenv("QT_NO_GUI_THREADPOOL", raising=False)
    monkeypatch.delenv("MEETING_CONSOLE_QT_GUI_POOL", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    serial_fills()
    assert os.environ.get("QT_NO_GUI_THREADPOOL") == expected


def test_the_console_application_is_made_with_serial_fills() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_NO_GUI_THREADPOOL", "MEETING_CONSOLE_QT_GUI_POOL")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    code = ("import os; from meeting_console.ui.app import ensure_app; "
            "app = ensure_app(icon=False); print(os.environ.get('QT_NO_GUI_THREADPOOL'))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip().splitlines()[-1] == "1"
