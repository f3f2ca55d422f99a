"""Opening a database: URL resolution, SQLite pragmas, checks of bad files, migrations."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from meeting_console.errors import StoreError
from meeting_console.store.checkpoint import Checkpointer


class PasswordNeeded(StoreError):
    """The server asks for a password that neither the URL, ``PGPASSWORD`` nor ``.pgpass``
    gave (or the one given was refused); the console may prompt for it."""

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_MAGIC = b"SQLite format 3\x00"
# The newest migration shipped; a test keeps it equal to Alembic's head. Checking against it
# lets an up-to-date database open without importing Alembic (start-up time).
HEAD_REVISION = "0001"
BUSY_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Database:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]
    # an SQLite file's (device, inode) when it was opened: a write commits only into that file
    file_identity: tuple[int, int] | None = None
    # an SQLite file's WAL checkpoints, run off the commits' path (store.checkpoint)
    checkpointer: Checkpointer | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def location(self) -> str:
        """What to show the user: the file path, or the URL without password."""
        url = self.engine.url
        if self.is_sqlite:
            return url.database or ":memory:"
        return url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()  # the last connection closed folds the WAL into the file

    def check_same_file(self) -> None:
        """Refuse (StoreError) when the SQLite file opened is no longer at its path: deleted,
        moved, its drive gone, or another file put there. The open connections would go on
        writing into the old file (it lives on while open), where no one would find the change;
        checked just before a commit, so nothing is acknowledged into a lost file (the file
        watch tells the user within half a second; this closes that half second)."""
        if self.file_identity is None:
            return
        path = self.engine.url.database or ""
        try:
            st = os.stat(path)
        except OSError as exc:
            raise StoreError(f"{path}: the database file cannot be reached ({exc.strerror or exc}); "
                             "nothing was changed") from None
        if (st.st_dev, st.st_ino) != self.file_identity:
            raise StoreError(f"{path}: another file is now at this path (the database this console "
                             "opened was moved or replaced); nothing was changed")


def _file_identity(engine: Engine) -> tuple[int, int] | None:
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    try:
        st = os.stat(engine.url.database)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("meeting-console", appauthor=False) / "meetings.db"


def resolve_url(db: str | os.PathLike[str] | None) -> str:
    """``--db`` value, else ``MEETING_CONSOLE_DB``, else the user data directory."""
    value = os.fspath(db) if db is not None else os.environ.get("MEETING_CONSOLE_DB") or ""
    if not value:
        path = default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def _check_sqlite_file(path: Path) -> None:
    """Refuse files that are not SQLite databases before SQLAlchemy touches them."""
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, not a database file")
    # SQLite deletes a write-ahead log it finds beside a missing or empty database file; that
    # log may hold the last commits of a file that was moved, deleted or cut short.
    wal = Path(f"{path}-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        if not path.exists():
            raise StoreError(f"{path}: is missing but {wal.name} beside it holds its latest "
                             "changes; put the database file back (or restore a backup)")
        if path.stat().st_size == 0:
            raise StoreError(f"{path}: is empty (0 bytes) but {wal.name} beside it holds changes; "
                             "the database file was cut short: restore it or a backup")
    if path.exists():
        try:
            with path.open("rb") as fh:
                head = fh.read(16)
        except PermissionError:
            raise StoreError(f"{path}: cannot be read (permission denied)") from None
        if head and head != SQLITE_MAGIC:
            raise StoreError(f"{path}: is not a Meeting Console database (not an SQLite file)")
        if not os.access(path, os.W_OK):
            raise StoreError(f"{path}: is read-only; the console needs to write to it")
    else:
        parent = path.parent
        if not parent.is_dir():
            raise StoreError(f"{path}: folder {parent} does not exist")
        if not os.access(parent, os.W_OK):
            raise StoreError(f"{path}: folder {parent} is not writable")


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # FULL: a commit is on disk before it returns, so an acknowledged action survives power loss.
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    # no checkpoint inside a COMMIT (it would copy pages into the file and fsync it there, on
    # a key press): store.checkpoint runs them on a thread of its own
    cur.execute("PRAGMA wal_autocheckpoint=0")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # Writers take the write lock at BEGIN so two consoles never deadlock on a lock upgrade;
    # readers (engine option mc_read) take none and never wait for a writer under WAL.
    if conn.get_execution_options().get("mc_read"):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_db_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            path = Path(u.database)
            _check_sqlite_file(path)
            created = not path.exists()
        else:
            created = False
        engine = create_engine(
            url,
            # one DB worker thread in the UI, but the pool may hand a connection to another
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling is off so that BEGIN IMMEDIATE is ours.
        event.listen(
            engine,
            "connect",
            lambda c, r: setattr(c, "isolation_level", None),
        )
        event.listen(engine, "begin", _sqlite_begin)
        if created:
            # Create the file owner-only before SQLite writes names and posts into it.
            Path(u.database).touch(mode=0o600)  # type: ignore[arg-type]
        return engine
    try:
        # A group of operations (core.api.Core.run_group) inserts its rows in pages: a page
        # of ten keeps the statement short enough for psycopg to cache its parsing and for the
        # server to prepare it; a whole group in one statement is parsed anew every time.
        return create_engine(url, pool_pre_ping=True, insertmanyvalues_page_size=10)
    except Exception as exc:  # unknown dialect, missing driver
        raise StoreError(f"{u.render_as_string(hide_password=True)}: {exc}") from None


def _alembic_config(connection: object):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(None))
    return {rev.revision for rev in script.walk_revisions()}


def migrate(engine: Engine) -> None:
    """Apply the shipped migrations; refuse a database written by a newer version."""
    with engine.connect() as conn:
        insp = inspect(conn)
        tables = set(insp.get_table_names())
        current = None
        if "alembic_version" in tables:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        conn.rollback()
    if current == HEAD_REVISION:
        return
    if current is not None and current not in _known_revisions():
        raise StoreError(
            f"{engine.url.render_as_string(hide_password=True)}: written by a newer version of "
            f"Meeting Console (schema {current}); update the console to open it"
        )
    if tables and "alembic_version" not in tables:
        raise StoreError(
            f"{engine.url.render_as_string(hide_password=True)}: "
            "holds tables that are not a Meeting Console database"
        )
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")


def open_database(db: str | os.PathLike[str] | None = None, *, password: str | None = None) -> Database:
    """Open (creating and migrating as needed) the database named by ``db``.

    A PostgreSQL password comes from the URL, else libpq's own sources (``PGPASSWORD``, the
    ``.pgpass`` file), else ``password`` (what the user typed at a prompt). It stays in memory:
    what is shown, logged or stored names the database without it. TLS settings in the URL's
    query (``?sslmode=verify-full&sslrootcert=…``) go to libpq as they are."""
    url = resolve_url(db)
    if password is not None:
        url = make_url(url).set(password=password).render_as_string(hide_password=False)
    engine = create_db_engine(url)
    try:
        migrate(engine)
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            # WAL (persistent in the file) only once the file is known to be ours: a file
            # refused above (another program's, a newer version's) is left as it was.
            raw = engine.raw_connection()
            try:
                mode = raw.driver_connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            finally:
                raw.close()
            if mode != "wal":
                raise StoreError(f"{engine.url.database}: cannot switch to WAL mode")
    except StoreError:
        engine.dispose()
        raise
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        orig = getattr(exc, "orig", exc)
        where = (engine.url.database if engine.dialect.name == "sqlite"
                 else engine.url.render_as_string(hide_password=True))
        msg = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        if "no password supplied" in msg or "password authentication failed" in msg:
            raise PasswordNeeded(f"{where}: {msg}", refused="authentication failed" in msg) from None
        if "malformed" in msg or "not a database" in msg:
            msg = f"is corrupted ({msg})"
        elif "readonly" in msg or "read-only" in msg:
            msg = f"is read-only ({msg})"
        raise StoreError(f"{where}: {msg}") from None
    sessions = sessionmaker(engine, expire_on_commit=False)
    read_sessions = sessionmaker(engine.execution_options(mc_read=True), expire_on_commit=False)
    identity = _file_identity(engine)
    checkpointer = None
    if identity is not None:
        checkpointer = Checkpointer(engine.url.database or "", identity)
        event.listen(engine, "commit", checkpointer.wrote)
    return Database(url=url, engine=engine, sessions=sessions, read_sessions=read_sessions,
                    file_identity=identity, checkpointer=checkpointer)
