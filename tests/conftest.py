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
os.environ.setdefault("MEETING_CONSOLE_LANG", "en")  # tests read English texts (tests/test_i18n.py: Vietnamese)

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
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("MEETING_CONSOLE_DB", raising=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "meetings.db"


def backends() -> list[str]:
    """Databases the core suite runs on: $MC_TEST_BACKENDS (comma-separated), default SQLite.
    The modules in ALWAYS_BOTH run on PostgreSQL as well in every run."""
    value = os.environ.get("MC_TEST_BACKENDS", "sqlite")
    return [b.strip() for b in value.split(",") if b.strip()]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    """One throwaway PostgreSQL cluster for the session, with a migrated template database."""
    from tests.pgserver import PgServer

    srv = PgServer().start()
    try:
        srv.admin('CREATE DATABASE "mc_template"')
        Core.open(srv.url("mc_template")).close()
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def sqlite_core(db_path: Path, clock: FakeClock) -> Iterator[Core]:
    c = Core.open(str(db_path), clock=clock, seat="test")
    yield c
    c.close()


@pytest.fixture
def core(request: pytest.FixtureRequest, db_path: Path, clock: FakeClock) -> Iterator[Core]:
    """A core on a real database: SQLite file by default; tests under tests/core run once per
    backend in ``backends()`` (see ``pytest_generate_tests``)."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        c = Core.open(str(db_path), clock=clock, seat="test")
        yield c
        c.close()
        return
    srv = request.getfixturevalue("pg_server")
    # databases are emptied and reused: creating one per test was most of PostgreSQL's cost
    name = srv.take_database(template="mc_template")
    c = Core.open(srv.url(name), clock=clock, seat="test")
    try:
        yield c
    finally:
        c.close()
        srv.give_back(name)


# Core modules that run on PostgreSQL in every run; the whole core suite does with
# MC_TEST_BACKENDS=sqlite,postgresql, which .ci/run sets.
ALWAYS_BOTH = ("test_operations.py", "test_seats.py", "test_catalogue.py", "test_concurrency.py",
               "test_group_commit.py", "test_conflicts.py")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "core" in metafunc.fixturenames and "/tests/core/" in str(metafunc.definition.path):
        chosen = backends()
        if metafunc.definition.path.name in ALWAYS_BOTH:
            chosen = sorted(set(chosen) | {"sqlite", "postgresql"}, key=["sqlite", "postgresql"].index)
        metafunc.parametrize("core", chosen, indirect=True)
