"""A throwaway PostgreSQL cluster for tests: its own directory, a free port on 127.0.0.1, trust
authentication, stopped at the end. ``initdb`` refuses to run as root, so as root the cluster
belongs to the ``postgres`` system user (created by Debian's postgresql package)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path


def _bindir() -> Path | None:
    for cand in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(cand, "initdb").exists():
            return Path(cand)
    exe = shutil.which("initdb")
    return Path(exe).parent if exe else None


def _base_dir() -> str:
    """A temporary folder the postgres user can reach (others may traverse it)."""
    for cand in (tempfile.gettempdir(), "/var/tmp", "/dev/shm"):
        if os.path.isdir(cand) and os.stat(cand).st_mode & 0o001:
            return cand
    raise RuntimeError("no temporary folder that the postgres user can reach")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """``durable=False`` (the tests): fsync and synchronous commit off, for speed.
    ``durable=True`` (benchmark figures): PostgreSQL's defaults, as an office server runs —
    fsync on, synchronous_commit on, full-page writes on."""

    def __init__(self, durable: bool = False) -> None:
        self.durable = durable
        bindir = _bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed (Debian package postgresql)")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="mc-pg-", dir=_base_dir()))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else os.environ.get("USER", "postgres")

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def start(self) -> PgServer:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", self.user,
                  "-E", "UTF8", "--locale=C.UTF-8")
        self.start_server()
        return self

    def start_server(self) -> None:
        """Start the (initialised) cluster on its port; with ``stop_server`` a server outage."""
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l",
                  str(self.root / "log"), "-w", "-t", "60", "start")

    def stop_server(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def require_password(self, user: str, password: str) -> None:
        """A login role that must give ``password`` (SCRAM) when connecting over TCP; the
        other users keep trust authentication."""
        import psycopg
        from psycopg import sql

        try:
            self.admin(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(user), sql.Literal(password)).as_string(None))
        except psycopg.errors.DuplicateObject:  # a second test module asking for it
            return
        hba = self.data / "pg_hba.conf"
        lines = hba.read_text().splitlines()
        hba.write_text("\n".join([f"host all {user} 127.0.0.1/32 scram-sha-256", *lines]) + "\n")
        self.admin("SELECT pg_reload_conf()")

    def terminate(self, database: str, where: str = "true") -> int:
        """Kill the server processes of ``database``'s connections (as a dropped network
        link or an administrator would); returns how many were killed."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres",
                             autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = %s AND pid <> pg_backend_pid() AND ({where})", (database,)
            ).fetchall()
        return len(rows)

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self, template: str | None = None) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        self.admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def reset_database(self, name: str) -> None:
        """Empty a database made from the migrated template (every table but Alembic's, ids
        from 1 again): a few milliseconds, where creating one from the template takes far
        longer (CREATE DATABASE copies and logs every page). Raises if something still holds
        a lock on it (the caller then drops it)."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} dbname={name}",
                             autocommit=True) as conn:
            conn.execute("SET lock_timeout = '2s'")
            tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")]
            sequences = [r[0] for r in conn.execute(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")]
            # DELETE beats TRUNCATE on a test's few rows (TRUNCATE makes new files for every
            # table and index); foreign-key triggers off for the while (we are superuser)
            conn.execute("BEGIN; SET LOCAL session_replication_role = replica; "
                         + "".join(f'DELETE FROM "{t}"; ' for t in tables)
                         + "".join(f'ALTER SEQUENCE "{q}" RESTART; ' for q in sequences) + "COMMIT")

    def take_database(self, template: str) -> str:
        """A database as fresh as one made from ``template`` (see ``give_back``)."""
        pool = self.__dict__.setdefault("_pool", [])
        return pool.pop() if pool else self.new_database(template=template)

    def give_back(self, name: str) -> None:
        try:
            self.reset_database(name)
        except Exception:  # still in use, or damaged by the test: not reused
            self.drop_database(name)
            return
        self.__dict__.setdefault("_pool", []).append(name)

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
