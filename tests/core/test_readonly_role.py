"""A viewer (the hall screen's PC) on a PostgreSQL role that has only SELECT rights opens the
meeting, follows it, and cannot change it: refused by the core, and by the server too."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from meeting_console.cli import demo_path
from meeting_console.core import agenda, meeting_file, reads
from meeting_console.core.api import Core
from meeting_console.errors import OperationRefused


def read_only_url(pg_server, database: str) -> str:
    pg_server.admin("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mc_reader') "
                    "THEN CREATE ROLE mc_reader LOGIN; END IF; END $$")
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={pg_server.port} user={pg_server.user} dbname={database}",
                         autocommit=True) as conn:
        conn.execute("GRANT USAGE ON SCHEMA public TO mc_reader")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO mc_reader")
    return pg_server.url(database).replace(f"//{pg_server.user}@", "//mc_reader@")


def test_viewer_on_a_select_only_role(pg_server, clock) -> None:
    name = pg_server.new_database(template="mc_template")
    owner = Core.open(pg_server.url(name), clock=clock, seat="thư ký")
    try:
        mid = int(meeting_file.import_meeting(owner, demo_path()).result)
        viewer = Core.open(read_only_url(pg_server, name), clock=clock, seat="màn hình", role="viewer")
        try:
            snap = reads.snapshot(viewer, mid)
            assert snap.meeting.title == reads.meeting(owner, mid).title
            hw = viewer.high_water()
            agenda.next_item(owner, mid)
            top, changes = viewer.changes_since(hw)  # it follows the meeting
            assert [c.label for c in changes] == ["Next item: 1. Khai mạc hội nghị"]
            with pytest.raises(OperationRefused, match="viewer"):
                agenda.next_item(viewer, mid)
            with viewer.db.engine.connect() as conn, pytest.raises(Exception, match="permission denied"):
                conn.execute(text("UPDATE meeting SET title = 'x'"))
            assert viewer.high_water() == top
        finally:
            viewer.close()
    finally:
        owner.close()
        pg_server.drop_database(name)
