"""Helpers for the reliability tests: a database with a varied history, byte snapshots."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from meeting_console.core import agenda, endpoints, meeting_file, people, speakers
from meeting_console.core.api import Core
from tests.factories import Built, small_meeting


def varied_history(core: Core) -> Built:
    """A meeting built by operations, the demo meeting imported, edits, undos and redos."""
    from meeting_console.cli import demo_path

    built = small_meeting(core)
    if demo_path().exists():
        meeting_file.import_meeting(core, demo_path())
    mid = built.meeting_id
    agenda.update_item(core, built.items[0], notes="Đồng chí Bí thư phát biểu khai mạc")
    agenda.move_item(core, built.items[2], 0)
    people.update_person(core, built.people["anh"], posts=["Bí thư Huyện ủy Sơn Dương"])
    speakers.add_request(core, built.items[1], built.people["son"], topic="Kinh tế")
    endpoints.update_participation(core, built.endpoints["Sơn Dương"], present_delegates=24)
    core.undo(mid)
    core.undo(mid)
    core.redo(mid)
    people.remove_person(core, built.people["thu"])
    core.undo(mid)
    return built


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "absent"


def raw(path: Path) -> sqlite3.Connection:
    """A plain connection that writes behind the journal's back (to break things on purpose)."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def mc(*args: str, db: Path | None = None, env: dict[str, str] | None = None
       ) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "meeting_console"]
    if db is not None:
        cmd += ["--db", str(db)]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Built]:
    """The varied history, built once (it takes seconds: every commit is synced to disk)."""
    from datetime import UTC, datetime

    from meeting_console.core.clock import FakeClock

    path = tmp_path_factory.mktemp("template") / "meetings.db"
    c = Core.open(str(path), clock=FakeClock(datetime(2022, 1, 14, 0, 30, tzinfo=UTC)), seat="test")
    built = varied_history(c)
    c.close()
    return path, built


@pytest.fixture
def history(_template: tuple[Path, Built], db_path: Path, clock) -> Iterator[tuple[Core, Built]]:
    """A copy of the varied history at ``db_path``, open in a Core."""
    shutil.copy(_template[0], db_path)
    c = Core.open(str(db_path), clock=clock, seat="test")
    yield c, _template[1]
    c.close()
