"""The SQLite file watched: gone, moved, replaced, unreadable, back (core.file_watch)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from meeting_console.core import agenda
from meeting_console.core.api import Core
from meeting_console.core.file_watch import FileWatch, check, identity
from meeting_console.errors import StoreError
from tests.factories import small_meeting


def _db(tmp_path: Path, clock) -> tuple[Core, Path]:
    share = tmp_path / "share"
    share.mkdir()
    path = share / "meetings.db"
    return Core.open(str(path), clock=clock, seat="thư ký"), path


def test_check_names_what_happened(tmp_path: Path, clock) -> None:
    core, path = _db(tmp_path, clock)
    try:
        small_meeting(core)
        ident = identity(path)
        assert check(path, ident) is None
        # the folder moved away (a share unplugged, a drive renamed): open connections still
        # answer, the check does not
        path.parent.rename(tmp_path / "away")
        assert "is gone" in (check(path, ident) or "")
        # the open connections would still write into the moved file: the core refuses the
        # commit instead, so nothing is acknowledged into a file no one will find
        before = core.high_water()
        with pytest.raises(StoreError, match="cannot be reached"):
            small_meeting(core)
        (tmp_path / "away").rename(path.parent)
        assert check(path, ident) is None
        assert core.high_water() == before  # nothing of it was committed
        b = small_meeting(core)  # the file is back: operations go through again
        # another file put in its place is not taken for it
        saved = tmp_path / "saved.db"
        path.rename(saved)
        shutil.copy(saved, path)
        assert "another file is now at" in (check(path, ident) or "")
        with pytest.raises(StoreError, match="another file is now at"):
            agenda.start_item(core, b.items[0])  # not into the copy standing in its place
        path.unlink()
        saved.rename(path)
        assert check(path, ident) is None
        # not a database any more (overwritten)
        garbage = tmp_path / "garbage.db"
        garbage.write_bytes(b"x" * 4096)
        assert "cannot be read" in (check(garbage, identity(garbage)) or "")
        agenda.start_item(core, b.items[0])
    finally:
        core.close()


def test_the_watch_tells_down_and_up(tmp_path: Path, clock) -> None:
    core, path = _db(tmp_path, clock)
    events: list[bool] = []
    changed = threading.Event()

    def on_link(up: bool) -> None:
        events.append(up)
        changed.set()

    watch = FileWatch(path, on_link, interval_s=0.05)
    watch.start()
    try:
        path.parent.rename(tmp_path / "away")
        assert changed.wait(10)
        assert events == [False] and "is gone" in (watch.reason or "")
        changed.clear()
        (tmp_path / "away").rename(path.parent)
        assert changed.wait(10)
        assert events == [False, True] and watch.reason is None
    finally:
        watch.stop()
        core.close()
