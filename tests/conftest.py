"""Shared fixtures: a real SQLite file per test, a fake clock, a small meeting built by ops."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

# UI tests run without a display; settings and data go to the test's own folders.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MEETING_CONSOLE_NO_ERROR_DIALOG", "1")

from meeting_console.core.api import Core  # noqa: E402
from meeting_console.core.clock import FakeClock  # noqa: E402

MEETING_DAY = date(2022, 1, 14)
T0 = datetime(2022, 1, 14, 0, 30, tzinfo=UTC)  # 07:30 in Tuyên Quang


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.delenv("MEETING_CONSOLE_DB", raising=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "meetings.db"


@pytest.fixture
def core(db_path: Path, clock: FakeClock) -> Iterator[Core]:
    c = Core.open(str(db_path), clock=clock, seat="test")
    yield c
    c.close()
