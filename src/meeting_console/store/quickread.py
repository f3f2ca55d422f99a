"""The console's first screen, read with the standard library's sqlite3 before SQLAlchemy loads.

Importing SQLAlchemy, the models and the core costs about a second of CPU; the window can show
the meeting before that: this module reads what the first screen shows (the meeting's header,
its agenda, its endpoints, the speaker queue) straight from the SQLite file, read-only
(``mode=ro``: nothing is written, no WAL checkpoint, no file created). The full Core opens right
after the first paint and every panel is then read again through it.

The fast read is only taken when it is sure to see the same database the Core will open: a plain
SQLite file that exists, is ours (SQLite header) and writable, and whose schema is at the
shipped migration. Anything else — a PostgreSQL URL, a missing, new, empty, foreign, read-only,
older or newer database, a write-ahead log beside a missing file, any read error — returns None
and the console takes the ordinary path, whose checks give the usual messages. No Qt, no
SQLAlchemy here (start-up time: ``benchmarks/startup.py``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

# Kept equal to store.engine.HEAD_REVISION (and so to Alembic's head) by a test.
HEAD_REVISION = "0001"
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class FirstMeeting:
    id: int
    title: str
    date: date
    place: str
    form: str
    status: str
    timezone: str


@dataclass(frozen=True)
class FirstItem:
    id: int
    position: int
    number: str
    title: str
    kind: str
    presenter_name: str
    planned_start: datetime | None
    planned_minutes: int
    status: str


@dataclass(frozen=True)
class FirstEndpoint:
    id: int
    name: str
    kind: str
    status: str
    expected_delegates: int
    present_delegates: int | None


@dataclass(frozen=True)
class FirstSpeaker:
    id: int
    item_number: str
    person_name: str
    person_posts: tuple[str, ...]
    endpoint_name: str
    status: str


@dataclass(frozen=True)
class FirstScreen:
    """What the window shows before the Core is loaded; ``path`` is the database file."""

    path: Path
    meeting: FirstMeeting
    agenda: tuple[FirstItem, ...]
    endpoints: tuple[FirstEndpoint, ...]
    speakers: tuple[FirstSpeaker, ...]


def sqlite_path(db: str | os.PathLike[str] | None) -> Path | None:
    """The SQLite file ``--db`` (else ``$MEETING_CONSOLE_DB``, else the default) names, as
    store.engine.resolve_url would resolve it; None for a URL (left to the ordinary path)."""
    value = os.fspath(db) if db is not None else os.environ.get("MEETING_CONSOLE_DB") or ""
    if not value:
        from platformdirs import user_data_path

        return user_data_path("meeting-console", appauthor=False) / "meetings.db"
    if "://" in value:
        return None
    return Path(value).expanduser().resolve()


def _usable(path: Path) -> bool:
    """The checks store.engine makes before it opens a file, answered without a message:
    anything doubtful goes the ordinary way, which explains it."""
    try:
        if not path.is_file() or path.stat().st_size == 0 or not os.access(path, os.W_OK):
            return False
        with path.open("rb") as fh:
            return fh.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def _utc(value: str | None) -> datetime | None:
    # UtcDateTime columns hold naive UTC text ("2022-01-14 01:00:00.000000")
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None


def read_first_screen(db: str | os.PathLike[str] | None, meeting_id: int | None = None) -> FirstScreen | None:
    """The first screen of meeting ``meeting_id`` (default: the one the console opens, as
    core.reads.latest_meeting_id picks it), or None when the fast read cannot be sure."""
    path = sqlite_path(db)
    if path is None or not _usable(path):
        return None
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error:
        return None
    try:
        return _read(conn, path, meeting_id)
    except (sqlite3.Error, ValueError, TypeError):
        return None
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, path: Path, meeting_id: int | None) -> FirstScreen | None:
    conn.execute("BEGIN")  # one snapshot for every query below (WAL: never waits for a writer)
    version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    if version is None or version[0] != HEAD_REVISION:
        return None
    if meeting_id is None:
        row = conn.execute(
            "SELECT j.meeting_id FROM journal j JOIN meeting m ON m.id = j.meeting_id "
            "ORDER BY j.id DESC LIMIT 1").fetchone() or conn.execute("SELECT max(id) FROM meeting").fetchone()
        meeting_id = row[0] if row else None
        if meeting_id is None:
            return None
    row = conn.execute("SELECT id, title, date, place, form, status, timezone FROM meeting WHERE id = ?",
                       (meeting_id,)).fetchone()
    if row is None:
        return None
    meeting = FirstMeeting(row[0], row[1], date.fromisoformat(row[2]), row[3], row[4], row[5], row[6])
    names = dict(conn.execute("SELECT id, full_name FROM person WHERE meeting_id = ?", (meeting_id,)))
    agenda = tuple(
        FirstItem(id_, pos, number, title, kind, names.get(presenter_id, "") or presenter_text,
                  _utc(start), minutes, status)
        for id_, pos, number, title, kind, presenter_id, presenter_text, start, minutes, status in conn.execute(
            "SELECT id, position, number, title, kind, presenter_id, presenter_text, planned_start, "
            "planned_minutes, status FROM agenda_item WHERE meeting_id = ? ORDER BY position", (meeting_id,)))
    endpoints = tuple(
        FirstEndpoint(*r) for r in conn.execute(
            "SELECT me.id, e.name, e.kind, me.status, me.expected_delegates, me.present_delegates "
            "FROM meeting_endpoint me JOIN endpoint e ON e.id = me.endpoint_id "
            "WHERE me.meeting_id = ? ORDER BY me.position, me.id", (meeting_id,)))
    ep_names = {e.id: e.name for e in endpoints}
    speakers = tuple(
        FirstSpeaker(id_, number, name, tuple(json.loads(posts or "[]")), ep_names.get(me_id, ""), status)
        for id_, number, name, posts, me_id, status in conn.execute(
            # the current speaker, then the queue, item by item (as core.reads orders them)
            "SELECT r.id, a.number, p.full_name, p.posts, r.meeting_endpoint_id, r.status "
            "FROM speaker_request r JOIN agenda_item a ON a.id = r.agenda_item_id "
            "JOIN person p ON p.id = r.person_id WHERE r.meeting_id = ? AND r.actual_end IS NULL "
            "AND r.status NOT IN ('withdrawn', 'done', 'skipped') "
            "ORDER BY a.position, r.actual_start IS NULL, r.position, r.id", (meeting_id,)))
    return FirstScreen(path=path, meeting=meeting, agenda=agenda, endpoints=endpoints, speakers=speakers)
