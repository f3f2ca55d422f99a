"""The catalogue of bad inputs: every case in ``tests/bad_inputs/`` fed to what reads it.

- ``meeting_files/*.yaml`` (first line ``# expect: …``) through the command line, ``import``:
  exit code 2, one line on stderr naming the file (and line, field), the database byte for byte
  unchanged; plus a few made here (binary, 50 MB, a 10,000-character name, a folder …);
- ``spreadsheets/*.xlsx`` through the award import: refused with the file named, or imported
  (the good one), nothing else; plus an XML entity bomb, defused;
- ``databases/*.yaml`` (each describes a broken database file and what ``list``, ``verify``
  and ``backup`` must answer): exit code and message, the file untouched;
- ``status_feeds/`` (``expect.yaml`` says what each file must give) through the feed parser;
- ``probe_replies/`` (``expect.yaml`` likewise): HTTP replies served by a real server on
  127.0.0.1 to the monitor's HTTP client, SIP replies to the SIP parser;
- command-line misuse: exit code 2, one line, the database unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from meeting_console import cli
from meeting_console.core.api import Core
from meeting_console.errors import ImportRefused
from meeting_console.store import engine

BAD = Path(__file__).resolve().parents[1] / "bad_inputs"
MEETING_FILES = sorted((BAD / "meeting_files").glob("*.yaml"))
SPREADSHEETS = sorted((BAD / "spreadsheets").glob("*.xlsx"))
DATABASES = sorted((BAD / "databases").glob("*.yaml"))
FEEDS = BAD / "status_feeds"
REPLIES = BAD / "probe_replies"


def _manifest(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / "expect.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


FEED_CASES = _manifest(FEEDS)
REPLY_CASES = _manifest(REPLIES)


def test_the_catalogue_is_big_enough() -> None:
    total = (len(MEETING_FILES) + len(SPREADSHEETS) + len(DATABASES) + len(FEED_CASES)
             + len(REPLY_CASES) + len(MADE_MEETING_FILES) + len(CLI_MISUSE))
    assert total >= 60, total
    assert len(DATABASES) >= 15 and len(FEED_CASES) >= 15 and len(REPLY_CASES) >= 15


def test_every_case_file_has_an_expectation() -> None:
    for folder, cases in ((FEEDS, FEED_CASES), (REPLIES, REPLY_CASES)):
        files = {p.name for p in folder.iterdir() if p.name != "expect.yaml"}
        listed = {name for name, case in cases.items() if not case.get("made")}
        assert files == listed, (folder.name, files ^ listed)


# --- running the command line in this process ----------------------------------------------


def digest(path: Path) -> str:
    """What "unchanged" means: the bytes of the file and of its -wal, or a folder's listing."""
    if path.is_dir():
        return "dir:" + ",".join(sorted(p.name for p in path.iterdir()))
    parts = []
    for p in (path, Path(f"{path}-wal")):
        parts.append(hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "absent")
    return "|".join(parts)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A console database with a small meeting, closed cleanly (no WAL beside it)."""
    from datetime import UTC, datetime

    from meeting_console.core.clock import FakeClock
    from tests.factories import small_meeting

    path = tmp_path_factory.mktemp("healthy") / "meetings.db"
    core = Core.open(str(path), clock=FakeClock(datetime(2022, 1, 14, 0, 30, tzinfo=UTC)))
    small_meeting(core)
    core.close()
    return path


@pytest.fixture
def db(healthy: Path, tmp_path: Path) -> Path:
    path = tmp_path / "meetings.db"
    shutil.copy(healthy, path)
    return path


# --- meeting files through `import` ---------------------------------------------------------


def expected_message(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] == b"#\x00":  # the UTF-16 case: its comment is UTF-16 too
        first = data.decode("utf-16-le").split("\n", 1)[0]
    else:
        first = data.split(b"\n", 1)[0].decode("utf-8")
    assert first.startswith("# expect: "), f"{path.name}: first line must be '# expect: …'"
    return first[len("# expect: "):].strip()


@pytest.mark.parametrize("path", MEETING_FILES, ids=[p.stem for p in MEETING_FILES])
def test_meeting_file_refused_by_the_command_line(path: Path, db: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(db)
    code, out, err = run_cli(capsys, "--db", str(db), "import", str(path))
    assert code == 2 and out == ""
    line = one_line(err)
    assert line.startswith(f"meeting-console: {path.name}:"), line  # names the file
    assert expected_message(path) in line, line
    assert digest(db) == before


def _sparse(size: int, head: bytes) -> Callable[[Path], None]:
    def make(p: Path) -> None:
        with p.open("wb") as fh:
            fh.write(head)
            fh.seek(size - 1)
            fh.write(b"\n")
    return make


MINIMAL = "format: meeting-console/1\nmeeting:\n  title: {title}\n  date: 2022-01-14\n"
MADE_MEETING_FILES: dict[str, tuple[Callable[[Path], None], str]] = {
    "binary_png": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),
                   "meeting.yaml:"),
    "fifty_megabytes": (_sparse(50 * 1024 * 1024, MINIMAL.format(title="Hội nghị").encode()),
                        "a meeting file may be at most 20 MB"),
    "ten_thousand_character_title": (
        lambda p: p.write_text(MINIMAL.format(title="Hội nghị " * 1112), encoding="utf-8"),
        "(meeting.title):"),
    "a_folder": (lambda p: p.mkdir(), "meeting.yaml"),
    "missing": (lambda p: None, "meeting.yaml"),
}


@pytest.mark.parametrize("case", sorted(MADE_MEETING_FILES))
def test_made_meeting_file_refused(case: str, db: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    make, says = MADE_MEETING_FILES[case]
    path = tmp_path / "meeting.yaml"
    make(path)
    before = digest(db)
    code, out, err = run_cli(capsys, "--db", str(db), "import", str(path))
    assert code == 2 and out == ""
    line = one_line(err)
    assert says in line, line
    assert digest(db) == before


def test_decomposed_unicode_is_accepted_and_stored_composed(db: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    import unicodedata

    from meeting_console.core import reads

    title = "Hội nghị Ban Chấp hành Đảng bộ tỉnh"
    path = tmp_path / "nfd.yaml"
    path.write_text(MINIMAL.format(title=unicodedata.normalize("NFD", title)), encoding="utf-8")
    code, out, err = run_cli(capsys, "--db", str(db), "import", str(path))
    assert code == 0, err
    core = Core.open(str(db))
    try:
        assert reads.meeting(core, int(out.strip())).title == title  # NFC
    finally:
        core.close()


# --- spreadsheets through the award import --------------------------------------------------


@pytest.fixture
def award_core(db: Path) -> Iterator[tuple[Core, int]]:
    from meeting_console.core import reads

    core = Core.open(str(db))
    try:
        yield core, reads.latest_meeting_id(core) or 0
    finally:
        core.close()


def _journal_top(core: Core) -> int:
    return core.high_water()


@pytest.mark.parametrize("path", SPREADSHEETS, ids=[p.stem for p in SPREADSHEETS])
def test_spreadsheet(path: Path, award_core: tuple[Core, int]) -> None:
    ai = pytest.importorskip("meeting_console.core.award_import")
    core, mid = award_core
    before = _journal_top(core)
    try:
        ai.import_grants(core, mid, path)
    except ImportRefused as err:
        assert str(err).startswith(f"{path.name}"), str(err)
        assert "nothing was imported" in str(err)
        assert _journal_top(core) == before
        return
    assert path.stem == "good", f"{path.name} was imported"
    assert _journal_top(core) == before + 1  # one undoable operation


def _xml_bomb_workbook() -> bytes:
    """A workbook whose shared strings define the "billion laughs" entity."""
    from tests.bad_inputs.spreadsheets.make_bad import workbook_bytes

    good = zipfile.ZipFile(io.BytesIO(workbook_bytes([["Hình thức khen thưởng"], ["x"]])))
    out = io.BytesIO()
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'
                     for i in range(1, 10))
           + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
           'uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        names = good.namelist()
        for name in names:
            data = good.read(name)
            if name == "xl/sharedStrings.xml":
                data = lol.encode()
            z.writestr(name, data)
        if "xl/sharedStrings.xml" not in names:
            z.writestr("xl/sharedStrings.xml", lol.encode())
    return out.getvalue()


def test_spreadsheet_xml_bomb_is_defused(award_core: tuple[Core, int], tmp_path: Path) -> None:
    ai = pytest.importorskip("meeting_console.core.award_import")
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML, "defusedxml must be installed: openpyxl then resists XML bombs"
    core, mid = award_core
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_xml_bomb_workbook())
    before = _journal_top(core)
    with pytest.raises(ImportRefused) as err:
        ai.import_grants(core, mid, path)
    assert str(err.value).startswith("bomb.xlsx")
    assert _journal_top(core) == before


# --- database files -------------------------------------------------------------------------


def _wreck(p: Path, pages: Callable[[int], list[int]]) -> None:
    data = bytearray(p.read_bytes())
    size = 4096
    for n in pages(len(data) // size):
        start = n * size
        data[start + (100 if n == 0 else 8):start + size] = b"\xff" * (size - (100 if n == 0 else 8))
    p.write_bytes(bytes(data))


LOCKER = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA locking_mode=EXCLUSIVE")
c.execute("BEGIN EXCLUSIVE")
c.execute("SELECT count(*) FROM sqlite_master").fetchall()
print("locked", flush=True)
sys.stdin.readline()
"""


def _with_wal(healthy: Path, target: Path) -> None:
    """``target``-wal holding commits that are not in any database file beside it."""
    work = target.parent / "source"
    work.mkdir()
    src = work / "meetings.db"
    shutil.copy(healthy, src)
    conn = sqlite3.connect(str(src), isolation_level=None)
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("UPDATE meeting SET place='Hội trường B'")
    shutil.copy(f"{src}-wal", f"{target}-wal")
    shutil.copy(f"{src}-shm", f"{target}-shm")
    conn.close()


class DbCase:
    """Builds the broken database of one catalogue case at ``path``."""

    def __init__(self, healthy: Path, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.healthy, self.path, self.mp = healthy, path, monkeypatch
        self.cleanup: list[Callable[[], None]] = []

    def build(self, make: str) -> Path:
        p = self.path
        if make in ("schema_page_wrecked", "data_pages_wrecked", "truncated", "newer_version",
                    "read_only", "locked_exclusively", "changed_behind_the_journal",
                    "journal_entry_deleted", "dangling_reference"):
            shutil.copy(self.healthy, p)
        getattr(self, f"make_{make}")()
        return self.where

    @property
    def where(self) -> Path:
        return getattr(self, "_where", self.path)

    def make_directory(self) -> None:
        self.path.mkdir()

    def make_text_file(self) -> None:
        self.path.write_text("Biên bản hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 8\n",
                             encoding="utf-8")

    def make_meeting_file(self) -> None:
        shutil.copy(cli.demo_path(), self.path)

    def make_empty_file(self) -> None:
        self.path.write_bytes(b"")

    def make_empty_file_beside_wal(self) -> None:
        _with_wal(self.healthy, self.path)
        self.path.write_bytes(b"")

    def make_wal_without_database(self) -> None:
        _with_wal(self.healthy, self.path)

    def make_missing_folder(self) -> None:
        self._where = self.path.parent / "usb-stick" / "meetings.db"

    def make_big_garbage(self) -> None:
        _sparse(50 * 1024 * 1024, b"PK\x03\x04")(self.path)

    def make_header_then_garbage(self) -> None:
        self.path.write_bytes(engine.SQLITE_MAGIC + bytes((i * 37 + 11) % 256 for i in range(16384)))

    def make_schema_page_wrecked(self) -> None:
        _wreck(self.path, lambda n: [0])

    def make_data_pages_wrecked(self) -> None:
        _wreck(self.path, lambda n: list(range(2, n, 3)))

    def make_truncated(self) -> None:
        data = self.path.read_bytes()
        self.path.write_bytes(data[: len(data) // 2 + 1000])

    def _sql(self, *statements: str, fk: bool = True) -> None:
        conn = sqlite3.connect(str(self.path), isolation_level=None)
        try:
            if not fk:
                conn.execute("PRAGMA foreign_keys=OFF")
            for s in statements:
                conn.execute(s)
        finally:  # the last connection folds the WAL back into the file
            conn.close()

    def make_newer_version(self) -> None:
        self._sql("UPDATE alembic_version SET version_num='9999_from_the_future'")

    def make_foreign_sqlite(self) -> None:
        self._sql("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")

    def make_changed_behind_the_journal(self) -> None:
        self._sql("UPDATE agenda_item SET status='running' WHERE id=(SELECT min(id) FROM agenda_item)")

    def make_journal_entry_deleted(self) -> None:
        self._sql("DELETE FROM journal WHERE op='speakers.add_request'")

    def make_dangling_reference(self) -> None:
        self._sql("UPDATE speaker_request SET person_id=4242", fk=False)

    def make_read_only(self) -> None:
        os.chmod(self.path, 0o444)
        real = os.access
        p = self.path
        # root ignores file modes; make os.access say what it says to a clerk's account
        self.mp.setattr(os, "access", lambda f, mode: False if Path(f) == p and mode == os.W_OK
                        else real(f, mode))

    def make_locked_exclusively(self) -> None:
        self.mp.setattr(engine, "BUSY_TIMEOUT_MS", 200)
        proc = subprocess.Popen([sys.executable, "-c", LOCKER, str(self.path)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"

        def release() -> None:
            assert proc.stdin is not None
            proc.stdin.write("\n")
            proc.stdin.flush()
            proc.wait(timeout=30)

        self.cleanup.append(release)


def _load_db_case(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case_file", DATABASES, ids=[p.stem for p in DATABASES])
@pytest.mark.parametrize("command", ["list", "verify", "backup"])
def test_database_file(case_file: Path, command: str, healthy: Path, tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    case = _load_db_case(case_file)
    code_expected, says = case["commands"][command]
    builder = DbCase(healthy, tmp_path / "meetings.db", monkeypatch)
    where = builder.build(case["make"])
    try:
        before = digest(where) if where.exists() else "absent"
        code, out, err = run_cli(capsys, "--db", str(where), command)
        assert code == code_expected, (code, out, err)
        if code == 2:
            line = one_line(err)
            assert says in line, line
            assert str(where) in line or where.name in line, line  # names the file
        else:
            assert "Traceback" not in err
            assert says in out, out
        if command not in case.get("changes", []):
            assert (digest(where) if where.exists() else "absent") == before
    finally:
        for undo in builder.cleanup:
            undo()


# --- status feeds ---------------------------------------------------------------------------


def _feed_bytes(name: str, case: dict[str, Any]) -> bytes:
    made = case.get("made")
    if made == "ten_megabytes":
        entries = ",".join(f'{{"code": "EP{i:05d}", "state": "connected", "latency_ms": {i % 300}}}'
                           for i in range(110_000))
        return f'{{"format": "meeting-console-status-feed", "version": 1, "endpoints": [{entries}]}}'.encode()
    if made == "deep_nesting":
        return (b'{"endpoints": [{"code": "A", "state": "connected", "detail": '
                + b"[" * 100_000 + b"]" * 100_000 + b"}]}")
    if made == "huge_integer":
        return b'{"endpoints": [{"code": "A", "state": "connected", "latency_ms": ' + b"9" * 5000 + b"}]}"
    if made == "long_string":
        return b'{"endpoints": [{"code": "A", "state": "connected", "detail": "' + b"x" * 5_000_000 + b'"}]}'
    return (FEEDS / name).read_bytes()


@contextlib.contextmanager
def known_gap(case: dict[str, Any]) -> Iterator[None]:
    """A case marked ``gap`` must still fail (strictly: once fixed, the mark must go)."""
    if "gap" not in case:
        yield
        return
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - any failure is the known one
        pytest.xfail(f"known gap: {case['gap']} ({type(exc).__name__})")
    pytest.fail(f"the known gap is fixed ({case['gap']}); remove the gap note from expect.yaml")


@pytest.mark.parametrize("name", sorted(FEED_CASES), ids=lambda n: n.rsplit(".", 1)[0])
def test_status_feed(name: str) -> None:
    case = FEED_CASES[name]
    with known_gap(case):
        _check_feed(name, case)


def _check_feed(name: str, case: dict[str, Any]) -> None:
    feed = pytest.importorskip("meeting_console.monitor.feed")
    data = _feed_bytes(name, case)
    if "error" in case:
        with pytest.raises(feed.FeedError) as err:
            feed.parse_feed(data)
        assert case["error"] in str(err.value), str(err.value)
        return
    report = feed.parse_feed(data)  # usable: bad entries skipped and counted, never raised
    assert len(report.entries) == case["entries"], report
    assert report.problem_count == case.get("problems", 0), report.problems
    assert sorted(report.duplicates) == sorted(case.get("duplicates", []))
    for text in case.get("says", []):
        assert any(text in p for p in report.problems), report.problems
    for code, state in case.get("states", {}).items():
        got = feed.entry_of(report.entries[code])
        assert (got if isinstance(got, str) else got.state) == state or state in str(got), got


def _serve_once(reply: bytes) -> tuple[int, Callable[[], None]]:
    """A real peer on 127.0.0.1: accepts, reads the request, sends ``reply``, closes."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn:
                with contextlib.suppress(OSError):
                    conn.settimeout(5)
                    conn.recv(65536)
                    conn.sendall(reply)

    t = threading.Thread(target=run, daemon=True)
    t.start()

    def close() -> None:
        stop.set()
        with contextlib.suppress(OSError):
            srv.shutdown(socket.SHUT_RDWR)
        srv.close()
        t.join(timeout=5)

    return srv.getsockname()[1], close


def test_status_feed_over_the_limit_is_cut_off_by_the_client() -> None:
    http = pytest.importorskip("meeting_console.monitor.http")
    from meeting_console.core.endpoints import parse_address

    body = _feed_bytes("", {"made": "ten_megabytes"})
    reply = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
             + str(len(body)).encode() + b"\r\n\r\n" + body)
    port, close = _serve_once(reply)
    try:
        with pytest.raises(http.HttpError, match="larger than"):
            asyncio.run(http.get(parse_address(f"http://127.0.0.1:{port}/feed"), timeout=10,
                                 max_bytes=1024 * 1024))
    finally:
        close()


# --- probe replies --------------------------------------------------------------------------


def _reply_bytes(name: str, case: dict[str, Any]) -> bytes:
    made = case.get("made")
    if made == "huge_status_line":
        return b"HTTP/1.1 200 " + b"x" * 70_000 + b"\r\n\r\n"
    if made == "too_many_headers":
        return b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(500)) + b"\r\n"
    if made == "huge_sip":
        return b"SIP/2.0 200 OK\r\n" + b"X-Pad: " + b"y" * 65_000 + b"\r\n\r\n"
    return (REPLIES / name).read_bytes()


@pytest.mark.parametrize("name", sorted(REPLY_CASES), ids=lambda n: n.rsplit(".", 1)[0])
def test_probe_reply(name: str) -> None:
    case = REPLY_CASES[name]
    data = _reply_bytes(name, case)
    if case["kind"] == "sip":
        sip = pytest.importorskip("meeting_console.monitor.sip")
        data = data.replace(b"{call_id}", b"abc123@console")
        if "error" in case:
            with pytest.raises(sip.SipError) as err:
                sip.parse_response(data, "abc123@console")
            assert case["error"] in str(err.value), str(err.value)
        elif case.get("stray"):
            assert sip.parse_response(data, "abc123@console") is None
        else:
            assert sip.parse_response(data, "abc123@console").code == case["status"]
        return
    http = pytest.importorskip("meeting_console.monitor.http")
    from meeting_console.core.endpoints import parse_address

    port, close = _serve_once(data)
    try:
        address = parse_address(f"http://127.0.0.1:{port}/status")
        call = http.get(address, timeout=5, max_bytes=case.get("max_bytes", 64 * 1024))
        if "error" in case:
            with pytest.raises(http.HttpError) as err:
                asyncio.run(call)
            assert case["error"] in str(err.value), str(err.value)
        else:
            assert asyncio.run(call).status == case["status"]
    finally:
        close()


# --- command-line misuse --------------------------------------------------------------------

CLI_MISUSE: dict[str, tuple[list[str], str]] = {
    "unknown_command": (["frobnicate"], "invalid choice"),
    "import_without_file": (["import"], "one of the arguments"),
    "meeting_id_not_a_number": (["export", "abc", "-o", "{tmp}/x.yaml"], "meeting id must be a number"),
    "meeting_id_negative": (["record", "-3", "-o", "{tmp}/x.pdf"], "meeting id must be positive"),
    "meeting_id_unknown": (["export", "99999", "-o", "{tmp}/x.yaml"], "99999"),
    "export_into_missing_folder": (["export", "{mid}", "-o", "{tmp}/no/such/folder/x.yaml"], "x.yaml"),
    "open_unknown_meeting": (["open", "424242"], "424242"),
    "verify_with_an_argument": (["verify", "extra"], "unrecognized arguments"),
}


@pytest.mark.parametrize("case", sorted(CLI_MISUSE))
def test_command_line_misuse(case: str, db: Path, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    from meeting_console.core import reads

    core = Core.open(str(db))
    mid = reads.latest_meeting_id(core)
    core.close()
    args, says = CLI_MISUSE[case]
    args = [a.format(tmp=tmp_path, mid=mid) for a in args]
    before = digest(db)
    try:
        code, out, err = run_cli(capsys, "--db", str(db), *args)
    except SystemExit as exc:  # argparse exits for usage errors
        code = int(exc.code or 0)
        out, err = capsys.readouterr()
    assert code == 2, (code, out, err)
    assert says in one_line(err)
    assert digest(db) == before
