"""PostgreSQL credentials: PGPASSWORD, .pgpass, a prompt; the password never lands in what is
shown, logged, stored in settings or journaled; TLS settings reach libpq."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

import pytest

from meeting_console.cli import open_core
from meeting_console.core import agenda, meetings
from meeting_console.core.api import Core
from meeting_console.core.follow import ChangeListener
from meeting_console.errors import ConnectionLost, StoreError
from meeting_console.store.engine import PasswordNeeded

SECRET = "Mật-khẩu-7xQ!"  # noqa: S105 (a test password)


@pytest.fixture(scope="module")
def locked_db(pg_server) -> str:
    """A database reachable by a role that needs a password; returns its URL without one."""
    pg_server.require_password("mc_user", SECRET)
    name = pg_server.new_database(template="mc_template")
    pg_server.admin(f'ALTER DATABASE "{name}" OWNER TO mc_user')
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={pg_server.port} user={pg_server.user} dbname={name}",
                         autocommit=True) as conn:
        conn.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO mc_user")
        conn.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO mc_user")
    return f"postgresql+psycopg://mc_user@127.0.0.1:{pg_server.port}/{name}"


@pytest.fixture(autouse=True)
def _no_password_sources(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))


def args(db: str, command: str = "list") -> argparse.Namespace:
    return argparse.Namespace(db=db, seat="thư ký", role="secretariat", command=command)


def test_no_password_anywhere_is_a_clear_error(locked_db: str) -> None:
    with pytest.raises(PasswordNeeded, match="no password supplied") as err:
        Core.open(locked_db)
    assert not err.value.refused
    with pytest.raises(PasswordNeeded, match="password authentication failed") as err:
        Core.open(locked_db, password="wrong")
    assert err.value.refused and "wrong" not in str(err.value)


def test_pgpassword(locked_db: str, monkeypatch) -> None:
    monkeypatch.setenv("PGPASSWORD", SECRET)
    Core.open(locked_db).close()


def test_pgpass_file(locked_db: str, monkeypatch, tmp_path: Path) -> None:
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:*:*:mc_user:{SECRET}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    Core.open(locked_db).close()


def test_prompt_asked_until_right(locked_db: str) -> None:
    asked: list[str] = []
    answers = iter(["wrong", SECRET])

    def ask(message: str) -> str:
        asked.append(message)
        return next(answers)

    core = open_core(args(locked_db), ask=ask)
    core.close()
    assert len(asked) == 2 and "no password supplied" in asked[0] and "authentication failed" in asked[1]
    with pytest.raises(PasswordNeeded):  # cancelled
        open_core(args(locked_db), ask=lambda _m: None)


def test_the_password_is_never_written(locked_db: str, tmp_path: Path, clock) -> None:
    from meeting_console.errlog import setup_logging

    url = locked_db.replace("mc_user@", f"mc_user:{SECRET}@")
    log_file = setup_logging(directory=tmp_path / "log")
    core = Core.open(url, clock=clock, seat="thư ký")
    try:
        assert SECRET not in core.db.location and "***" in core.db.location
        mid = meetings.create_meeting(core, "Họp", clock.now().date()).result
        agenda.add_item(core, mid, "Khai mạc")
        logging.getLogger("meeting_console.test").error("cannot reach %s", url)  # even if logged
        with core.db.engine.connect() as conn:
            from sqlalchemy import text

            rows = conn.execute(text("SELECT seat, op, label, args, changes FROM journal")).all()
        assert rows and SECRET not in repr(rows)
        listener = ChangeListener(core, lambda: None)
        assert "sslmode" not in listener._conninfo()
    finally:
        core.close()
    # a wrong password in the URL: the message names the database without it
    with pytest.raises(StoreError) as err:
        Core.open(url.replace(SECRET, SECRET + "x"))
    assert SECRET not in str(err.value)
    for folder in [tmp_path, *(Path(os.environ[v]) for v in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"))]:
        for f in folder.rglob("*") if folder.exists() else []:
            if f.is_file():
                assert SECRET.encode() not in f.read_bytes(), f
    assert log_file.read_text().count("***@") == 1


def test_sslmode_is_passed_through(locked_db: str, monkeypatch) -> None:
    monkeypatch.setenv("PGPASSWORD", SECRET)
    Core.open(locked_db + "?sslmode=disable").close()
    # the throwaway server has no TLS: libpq refuses as it was told to
    with pytest.raises(StoreError, match="SSL"):
        Core.open(locked_db + "?sslmode=require")
    core = Core.open(locked_db + "?sslmode=prefer")
    try:
        assert "sslmode=prefer" in ChangeListener(core, lambda: None)._conninfo()
    finally:
        core.close()
    assert issubclass(ConnectionLost, StoreError)
