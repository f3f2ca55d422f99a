"""The first screen's read without SQLAlchemy: the same meeting the Core shows, or None (and
nothing written) whenever it cannot be sure."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from meeting_console.cli import demo_path
from meeting_console.core import meeting_file, reads, speakers
from meeting_console.core.api import Core
from meeting_console.store import engine, quickread
from meeting_console.store.quickread import read_first_screen


@pytest.fixture
def demo(core: Core) -> int:
    return int(meeting_file.import_meeting(core, demo_path()).result)


def test_the_first_screen_is_the_meeting_the_core_shows(core: Core, demo: int, db_path: Path) -> None:
    screen = read_first_screen(db_path)
    assert screen is not None
    assert screen.meeting.id == reads.latest_meeting_id(core) == demo
    info = reads.meeting(core, demo)
    m = screen.meeting
    assert (m.title, m.date, m.place, m.form, m.status, m.timezone) == (
        info.title, info.date, info.place, info.form, info.status, info.timezone)
    assert [(i.id, i.position, i.number, i.title, i.kind, i.presenter_name, i.planned_start,
             i.planned_minutes, i.status) for i in screen.agenda] == [
        (i.id, i.position, i.number, i.title, i.kind, i.presenter_name, i.planned_start,
         i.planned_minutes, i.status) for i in reads.agenda(core, demo)]
    assert [(e.id, e.name, e.kind, e.status, e.expected_delegates, e.present_delegates)
            for e in screen.endpoints] == [
        (e.id, e.name, e.kind, e.status, e.expected_delegates, e.present_delegates)
        for e in reads.endpoints(core, demo)]
    waiting = [s for s in reads.speakers(core, demo) if s.actual_end is None
               and s.status not in ("withdrawn", "done", "skipped")]
    assert len(waiting) == 8
    assert [(s.id, s.person_name, s.person_posts, s.endpoint_name, s.status) for s in screen.speakers] == [
        (s.id, s.person_name, s.person_posts, s.endpoint_name, s.status) for s in waiting]


def test_the_current_speaker_comes_first_and_a_finished_one_is_gone(core: Core, demo: int,
                                                                     db_path: Path) -> None:
    from meeting_console.core import agenda

    discussion = next(i for i in reads.agenda(core, demo) if i.title == "Thảo luận")
    agenda.start_item(core, discussion.id)
    queue = [s for s in reads.speakers(core, demo) if s.agenda_item_id == discussion.id]
    speakers.call_speaker(core, queue[0].id)
    speakers.end_speech(core, queue[0].id)
    speakers.call_speaker(core, queue[3].id)
    screen = read_first_screen(db_path, demo)
    assert screen is not None and screen.meeting.id == demo
    assert [(s.person_name, s.status) for s in screen.speakers] == [
        (queue[3].person_name, "speaking"),
        *[(q.person_name, "queued") for q in queue[1:3] + queue[4:]]]
    assert next(i for i in screen.agenda if i.id == discussion.id).status == "running"
    assert read_first_screen(db_path, demo + 1000) is None  # unknown: the ordinary path says so


def test_head_revision_is_the_stores() -> None:
    assert quickread.HEAD_REVISION == engine.HEAD_REVISION == engine.head_revision()


def _snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


@pytest.mark.parametrize("case", ["postgres", "missing", "empty", "directory", "foreign", "read-only",
                                  "older", "newer", "no meeting"])
def test_anything_doubtful_takes_the_ordinary_path(tmp_path: Path, case: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "m.db"
    if case == "postgres":
        assert read_first_screen("postgresql://u@localhost/mc") is None
        return
    if case == "empty":
        db.touch()
    elif case == "directory":
        db.mkdir()
    elif case == "foreign":
        db.write_text("not a database at all, just text")
    elif case in ("read-only", "older", "newer", "no meeting"):
        Core.open(db).close()
        if case in ("older", "newer"):
            with sqlite3.connect(db) as c:
                c.execute("UPDATE alembic_version SET version_num = ?", ("0000" if case == "older" else "9999",))
            c.close()
        if case == "read-only":
            db.chmod(0o444)
    before = _snapshot(db) if db.is_file() else None
    if case == "read-only" and os.access(db, os.W_OK):
        # root writes through the mode bits: the file is then read-only as the console sees it
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode == os.W_OK and
                            Path(p) == db else real_access(p, mode, **kw))
    assert read_first_screen(db) is None
    if before is not None:
        assert _snapshot(db) == before  # nothing written
    assert not db.is_file() or case != "missing"


def test_nothing_is_written_to_the_database(core: Core, demo: int, db_path: Path) -> None:
    core.close()
    before = _snapshot(db_path)
    assert read_first_screen(db_path) is not None
    assert _snapshot(db_path) == before


def test_the_start_path_loads_no_sqlalchemy() -> None:
    """What the first screen needs (the command line, this read, the window's first screen)
    imports neither SQLAlchemy nor the core's operations: that is the whole point."""
    code = ("import sys; import meeting_console.cli, meeting_console.store.quickread, "
            "meeting_console.ui.app, meeting_console.ui.main_window, meeting_console.ui.first_screen; "
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic', 'qasync', "
            "'asyncio') or m in ('meeting_console.core.api', 'meeting_console.core.reads', "
            "'meeting_console.store.models', 'importlib.metadata')); print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
