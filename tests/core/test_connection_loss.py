"""The database connection drops mid-meeting (PostgreSQL): nothing is acknowledged that is not
stored, the next operation reconnects by itself, and a follower catches up from the journal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from meeting_console.core import agenda, endpoints, reads
from meeting_console.core.api import Core, Tx
from meeting_console.errors import ConnectionLost
from tests.factories import small_meeting


@pytest.fixture
def pg(pg_server, clock) -> Iterator[tuple[object, str, Core]]:
    name = pg_server.new_database(template="mc_template")
    core = Core.open(pg_server.url(name), clock=clock, seat="thư ký")
    try:
        yield pg_server, name, core
    finally:
        core.close()
        pg_server.drop_database(name)


def test_connection_killed_inside_an_operation(pg) -> None:
    srv, name, core = pg
    b = small_meeting(core)
    agenda.start_item(core, b.items[0])
    hw = core.high_water()
    before = reads.agenda(core, b.meeting_id)

    def body(tx: Tx) -> None:
        item = tx.session.get(agenda.m.AgendaItem, b.items[0])
        item.title = "never stored"
        tx.session.flush()
        pid = tx.session.execute(text("SELECT pg_backend_pid()")).scalar()
        assert srv.terminate(name, f"pid = {int(pid)}") == 1  # the link drops now
        tx.session.execute(text("SELECT 1"))

    with pytest.raises(ConnectionLost, match="connection to the database was lost"):
        core.run("test.killed", "Killed", body, (), {})
    assert core.high_water() == hw  # the next call reconnects by itself
    assert reads.agenda(core, b.meeting_id) == before
    # the meeting goes on; a console that followed up to hw catches up from the journal
    agenda.next_item(core, b.meeting_id, expected_current=b.items[0])
    top, changes = core.changes_since(hw)
    assert [c.label for c in changes] == ["Next item: 2. Thảo luận"] and top == hw + 1


def test_every_connection_killed_between_operations(pg) -> None:
    srv, name, core = pg
    b = small_meeting(core)
    other = Core.open(core.db.url, clock=core.clock, seat="clerk-1", role="clerk")
    try:
        endpoints.set_present(other, b.endpoints["Sơn Dương"], 20)
        assert srv.terminate(name) >= 1  # both consoles' pooled connections
        # pre-ping finds the dead connections: the operations go through on new ones
        endpoints.set_present(other, b.endpoints["Sơn Dương"], 21)
        agenda.next_item(core, b.meeting_id)
    finally:
        other.close()
    labels = [e.label for e in reads.journal(core, b.meeting_id)][-2:]
    assert labels == ["Present at Sơn Dương: 21", "Next item: 1. Khai mạc hội nghị"]


def test_server_stopped_and_started(pg) -> None:
    srv, _name, core = pg
    b = small_meeting(core)
    hw = core.high_water()
    srv.stop_server()
    try:
        with pytest.raises(ConnectionLost):
            agenda.next_item(core, b.meeting_id)
        with pytest.raises(ConnectionLost):
            core.high_water()
    finally:
        srv.start_server()
    assert core.high_water() == hw  # nothing was stored while down, and nothing claimed
    assert agenda.next_item(core, b.meeting_id).result == b.items[0]
    assert core.changes_since(hw)[0] == hw + 1


def test_a_sqlite_file_out_of_reach_is_a_lost_connection(tmp_path, clock) -> None:
    """A read needing a new connection while the file's folder is gone (a share unplugged)
    says the connection is lost, not a raw SQLite error."""
    share = tmp_path / "share"
    share.mkdir()
    core = Core.open(str(share / "m.db"), clock=clock, seat="t")
    try:
        hw = core.high_water()
        core.db.engine.dispose()  # no pooled connection left: the next read opens one
        share.rename(tmp_path / "away")
        with pytest.raises(ConnectionLost):
            core.high_water()
        (tmp_path / "away").rename(share)
        assert core.high_water() == hw  # the file back: read as before
    finally:
        core.close()
