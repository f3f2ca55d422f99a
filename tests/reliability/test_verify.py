"""verify: SQLite's checks and the journal replay find what is wrong, and only that."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.pool import StaticPool

from meeting_console.core import agenda, journal, meetings
from meeting_console.core.api import Core
from meeting_console.core.verify import STATE_TABLES, apply, verify, verify_path
from meeting_console.store.models import Base, JournalEntry
from tests.factories import Built
from tests.reliability.conftest import file_digest, mc, raw

History = tuple[Core, Built]


def test_a_varied_history_is_sound(history: History) -> None:
    core, _ = history
    report = verify(core)
    assert report.sound, report.lines()
    assert report.entries > 20 and report.rows > 50 and report.tables == len(STATE_TABLES)
    assert "sound" in report.summary()


def test_quick_mode_and_progress(history: History) -> None:
    seen: list[str] = []
    report = verify(history[0], quick=True, progress=lambda stage, done, total: seen.append(stage))
    assert report.sound and report.quick
    assert {"integrity", "foreign keys", "tables"} <= set(seen)


def test_cancel_stops_and_is_not_sound(history: History) -> None:
    cancel = threading.Event()
    cancel.set()
    report = verify(history[0], cancel=cancel)
    assert report.cancelled and not report.sound
    assert "cancelled" in report.summary()


def test_update_behind_the_journal_is_named(db_path: Path, history: History) -> None:
    core, built = history
    with raw(db_path) as conn:
        conn.execute("UPDATE agenda_item SET status='running' WHERE id=?", (built.items[1],))
    report = verify(core)
    assert not report.sound
    assert any(f"agenda_item #{built.items[1]} status is 'running' in the database, 'pending' "
               "by the journal" in d for d in report.differences), report.lines()


def test_insert_and_delete_behind_the_journal(db_path: Path, history: History) -> None:
    core, built = history
    with raw(db_path) as conn:
        conn.execute("DELETE FROM speaker_request WHERE id=?", (built.requests[0],))
        conn.execute("INSERT INTO organisation (id, meeting_id, name, note) VALUES (900, ?, 'X', '')",
                     (built.meeting_id,))
    text = "\n".join(verify(core).lines())
    assert f"speaker_request #{built.requests[0]} is missing from the database" in text
    assert "organisation #900 is in the database but the journal does not account for it" in text


def test_lost_journal_entry_is_pinned(db_path: Path, history: History) -> None:
    core, built = history
    first = agenda.update_item(core, built.items[0], title="Khai mạc").journal_id
    second = agenda.update_item(core, built.items[0], title="Khai mạc hội nghị lần thứ 8").journal_id
    with raw(db_path) as conn:
        conn.execute("DELETE FROM journal WHERE id=?", (first,))
    report = verify(core)
    assert not report.sound
    assert any(f"entry #{second} starts from agenda_item #{built.items[0]} title='Khai mạc'" in j
               for j in report.journal), report.lines()


def test_undo_flag_contradicting_its_entries(db_path: Path, history: History) -> None:
    core, built = history
    jid = agenda.update_item(core, built.items[0], notes="x").journal_id
    with raw(db_path) as conn:
        conn.execute("UPDATE journal SET undone=1 WHERE id=?", (jid,))
    assert any(f"entry #{jid} is marked undone" in j for j in verify(core).journal)


def test_dangling_foreign_key(db_path: Path, history: History) -> None:
    core, built = history
    with raw(db_path) as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("UPDATE speaker_request SET person_id=4242 WHERE id=?", (built.requests[0],))
    report = verify(core)
    assert any(f"speaker_request #{built.requests[0]}: person_id points to a person row" in f
               for f in report.foreign_keys), report.lines()


def test_corrupted_file_is_not_sound(db_path: Path, tmp_path: Path, history: History) -> None:
    history[0].close()
    bad = tmp_path / "bad.db"
    shutil.copy(db_path, bad)
    data = bytearray(bad.read_bytes())
    page = 4096
    for start in range(2 * page, len(data) - page, 3 * page):  # wreck every third page
        data[start + 8:start + 400] = b"\xa5" * 392
    bad.write_bytes(bytes(data))
    report = verify_path(bad)
    assert not report.sound
    assert report.integrity or report.error


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "no such file"),
    (lambda p: p.mkdir(), "is a directory"),
    (lambda p: p.write_bytes(b""), "is empty"),
    (lambda p: p.write_text("Biên bản hội nghị"), "not an SQLite database"),
], ids=["missing", "directory", "empty", "text"])
def test_what_cannot_be_checked(tmp_path: Path, make, message: str) -> None:
    p = tmp_path / "x.db"
    make(p)
    report = verify_path(p)
    assert not report.sound and message in report.error


def test_verify_writes_nothing(db_path: Path, history: History) -> None:
    history[0].close()
    before = file_digest(db_path)
    assert verify_path(db_path).sound
    assert file_digest(db_path) == before
    assert not Path(f"{db_path}-wal").exists()


def test_fast_apply_equals_journal_apply(history: History) -> None:
    """The replay's bound-parameter apply builds exactly what core.journal.apply builds."""
    with history[0].reading() as s:
        entries = [[journal.RowChange.from_json(d) for d in e.changes]
                   for e in s.scalars(select(JournalEntry).order_by(JournalEntry.id))]
    tables = []
    for fn in (journal.apply, apply):
        engine = create_engine("sqlite://", poolclass=StaticPool)
        with engine.begin() as conn:
            Base.metadata.create_all(conn, tables=list(STATE_TABLES))
            for changes in entries:
                fn(conn, changes)  # type: ignore[arg-type]
            tables.append({t.name: [tuple(r) for r in conn.execute(select(t).order_by(t.c.id))]
                           for t in STATE_TABLES})
        engine.dispose()
    assert tables[0] == tables[1]
    assert sum(len(v) for v in tables[0].values()) > 50


def test_sound_while_another_console_writes(db_path: Path, clock, history: History) -> None:
    """One read snapshot: a check running beside a busy writer never sees half an operation."""
    core, built = history
    other = Core.open(str(db_path), clock=clock, seat="other")
    stop = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            n = 0
            while not stop.is_set():
                n += 1
                agenda.add_item(other, built.meeting_id, f"Mục bổ sung {n}")
                meetings.update_meeting(other, built.meeting_id, summary=f"lần {n}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=write)
    t.start()
    try:
        reports = [verify(core, quick=True) for _ in range(5)]
    finally:
        stop.set()
        t.join()
        other.close()
    assert not errors
    assert all(r.sound for r in reports), [r.lines() for r in reports if not r.sound]


def test_cli_verify_exit_codes(db_path: Path, history: History) -> None:
    core, built = history
    core.close()
    ok = mc("verify", db=db_path)
    assert ok.returncode == 0, ok.stderr
    assert "sound" in ok.stdout
    with raw(db_path) as conn:
        conn.execute("UPDATE meeting SET title='Đã sửa' WHERE id=?", (built.meeting_id,))
    bad = mc("verify", db=db_path)
    assert bad.returncode == 1
    assert "NOT SOUND" in bad.stdout and f"meeting #{built.meeting_id} title" in bad.stdout
    missing = mc("verify", db=db_path.with_name("nothing.db"))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    assert not db_path.with_name("nothing.db").exists()


def test_a_row_changed_then_deleted_by_one_operation_is_journaled_as_it_was_stored(
        history: History) -> None:
    from meeting_console.core import people, reads
    from meeting_console.store import models as m

    core, built = history
    pid = people.add_person(core, built.meeting_id, "Nguyễn Văn A", note="as stored").result

    def edit_then_delete(tx, person_id: int) -> None:
        p = tx.get(m.Person, person_id)
        tx.meeting_id = p.meeting_id
        p.note = "changed in the session"
        tx.delete(p)

    # run as an operation without registering one (the registry is what the tests walk)
    core.run("test.edit_then_delete", "Edit then delete", edit_then_delete, (pid,), {})
    assert verify(core).sound, verify(core).lines()
    core.undo(built.meeting_id)
    assert next(p for p in reads.people(core, built.meeting_id) if p.id == pid).note == "as stored"


def test_verify_on_postgresql(pg_server, clock) -> None:
    """On a PostgreSQL server the replay is the check (the server enforces keys itself)."""
    from sqlalchemy import text

    from tests.factories import small_meeting

    name = pg_server.new_database(template="mc_template")
    core = Core.open(pg_server.url(name), clock=clock, seat="test")
    try:
        built = small_meeting(core)
        core.undo(built.meeting_id)
        report = verify(core)
        assert report.sound, report.lines()
        assert report.entries > 10 and "integrity" not in " ".join(report.integrity)
        with core.db.engine.begin() as conn:  # behind the journal's back
            conn.execute(text("UPDATE meeting SET place='Nơi khác' WHERE id=:id"),
                         {"id": built.meeting_id})
        report = verify(core)
        assert any(f"meeting #{built.meeting_id} place is 'Nơi khác' in the database" in d
                   for d in report.differences), report.lines()
    finally:
        core.close()
        pg_server.drop_database(name)
