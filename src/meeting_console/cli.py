"""Command line: argument parsing, headless commands, and the start of the console window.

Exit codes: 0 success, 1 a check that found problems (verify), 2 bad input or usage — always
with one line on stderr, never a traceback for a user error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from meeting_console import i18n
from meeting_console.errors import UserError
from meeting_console.i18n import _, pgettext

DEMO_FILE = ("demo", "tuyen-quang-2022-01-14.yaml")


# argparse's own words, marked for the catalogue (context "argparse"); argparse looks them up
# through its module's ``_``, which ``_parser`` points at the catalogue
_ARGPARSE_WORDS = (
    pgettext("argparse", "usage: "), pgettext("argparse", "positional arguments"),
    pgettext("argparse", "options"), pgettext("argparse", "show this help message and exit"),
    pgettext("argparse", "show program's version number and exit"),
    pgettext("argparse", "the following arguments are required: %s"),
    pgettext("argparse", "invalid choice: %(value)r (choose from %(choices)s)"),
    pgettext("argparse", "unrecognized arguments: %s"),
    pgettext("argparse", "argument %(argument_name)s: %(message)s"),
    pgettext("argparse", "expected one argument"),
    pgettext("argparse", "not allowed with argument %s"),
    pgettext("argparse", "one of the arguments %s is required"),
    pgettext("argparse", "invalid %(type)s value: %(value)r"),
    pgettext("argparse", "ambiguous option: %(option)s could match %(matches)s"),
)


class _Version(argparse.Action):
    """``--version``: the version is read (package metadata) only when asked for."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:  # noqa: A002
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from meeting_console import __version__

        print(f"meeting-console {__version__}")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"meeting-console: {message}\n")


def _parser() -> argparse.ArgumentParser:
    argparse._ = lambda text: pgettext("argparse", text)  # type: ignore[attr-defined]
    p = _Parser(
        prog="meeting-console",
        description=_("Meeting Console: run a hybrid multi-site meeting."),
    )
    p.add_argument("--version", action=_Version,
                   help=pgettext("argparse", "show program's version number and exit"))
    p.add_argument("--db", help=_("database file or SQLAlchemy URL (default: user data directory, "
                                  "or $MEETING_CONSOLE_DB)"))
    p.add_argument("--seat", default="", help=_("this console's seat name, written in the journal"))
    p.add_argument("--role", default="secretariat", choices=("secretariat", "clerk", "viewer"),
                   help=_("what this seat may change (default: secretariat)"))
    p.add_argument("--demo", action="store_true", help=_("import the demo meeting if absent, open it"))
    p.add_argument("--lang", choices=i18n.LANGUAGES,
                   help=_("language of the console and its messages: vi (Tiếng Việt) or en (English); "
                          "default: the one chosen in the console, else the system's, else vi"))
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    imp = sub.add_parser("import", help=_("import a meeting file; print the new meeting's id"))
    src = imp.add_mutually_exclusive_group(required=True)
    src.add_argument("file", nargs="?", help=_("meeting file (YAML)"))
    src.add_argument("--demo", dest="import_demo", action="store_true", help=_("the demo meeting"))

    exp = sub.add_parser("export", help=_("write a meeting file"))
    exp.add_argument("meeting", help=_("meeting id (see list)"))
    exp.add_argument("-o", "--output", required=True, help=_("file to write"))

    sub.add_parser("list", help=_("one line per meeting: id, date, status, title"))

    rec = sub.add_parser("record", help=_("write the session record (PDF)"))
    rec.add_argument("meeting", help=_("meeting id (see list)"))
    rec.add_argument("-o", "--output", required=True, help=_("PDF file to write"))
    rec.add_argument("--to", action="append", metavar="RECIPIENT",
                     help=_("who receives a copy (Nơi nhận); repeat for each recipient"))

    cpy = sub.add_parser("copy", help=_("copy a meeting with its journal to another database "
                                        "(SQLite file ↔ PostgreSQL); print its id there"))
    cpy.add_argument("meeting", help=_("meeting id in --db (see list)"))
    cpy.add_argument("--to", required=True, help=_("the database to copy it into (file or URL)"))

    opn = sub.add_parser("open", help=_("open the console on a meeting"))
    opn.add_argument("meeting", help=_("meeting id (see list)"))

    dsp = sub.add_parser("display", help=_("the hall display: follow a meeting full screen, "
                                           "read-only (for the PC that feeds the video link)"))
    dsp.add_argument("meeting", nargs="?", help=_("meeting id (default: the meeting changed "
                                                  "last, and whichever changes next)"))
    dsp.add_argument("--db", default=argparse.SUPPRESS, help=_("database file or URL (as above)"))
    dsp.add_argument("--screen", type=int, help=_("screen number, from 1 (default: the last)"))
    dsp.add_argument("--window", action="store_true", help=_("in a window, not full screen"))
    dsp.add_argument("--logo", help=_("image shown in the logo-only state (PNG, SVG …)"))
    dsp.add_argument("--print-states", action="store_true", help=_("print each new state as a "
                                                                   "JSON line (tests, logs)"))

    ver = sub.add_parser("verify", help=_("check the database (integrity, foreign keys, journal "
                                          "replay); exit 0 when sound, 1 when not"))
    ver.add_argument("--quick", action="store_true", help=_("SQLite's quick_check instead of the "
                                                            "full integrity check"))

    bak = sub.add_parser("backup", help=_("take an online backup of the database; print its path"))
    bak.add_argument("-o", "--output", help=_("folder to write it to (default: the backup folder "
                                              "in the user data directory)"))
    bak.add_argument("--list", action="store_true", help=_("list the backups of this database, "
                                                           "newest first, instead"))
    return p


def _requested_language(argv: list[str]) -> str | None:
    """``--lang`` read before the parser exists, so that its help is in that language."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _sqlite_file(db: str | None) -> Path | None:
    """The database file ``--db`` names (None for PostgreSQL), without creating it."""
    from sqlalchemy.engine import make_url

    from meeting_console.store.engine import resolve_url

    url = make_url(resolve_url(db))
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def _verify(args: argparse.Namespace) -> int:
    from meeting_console.core.verify import verify, verify_path

    path = _sqlite_file(args.db)
    if path is None:
        from meeting_console.core.api import Core

        core = Core.open(args.db, seat=args.seat, role=args.role)
        try:
            report = verify(core, quick=args.quick)
        finally:
            core.close()
    else:
        report = verify_path(path, quick=args.quick)  # no migration, no write
    if report.error:
        raise UserError(report.summary())
    print("\n".join(report.lines()))
    return 0 if report.sound else 1


def _backup(args: argparse.Namespace) -> int:
    from meeting_console.store import backup

    path = _sqlite_file(args.db)
    if path is None:
        raise UserError(_("backup: the database is on a PostgreSQL server; back it up with the "
                          "server's own tools (pg_dump)"))
    if args.list:
        for b in backup.list_backups(path):
            print(f"{b.taken_at.strftime('%Y-%m-%d %H:%M:%S')} UTC\t{b.reason}\t{b.size}\t{b.path}")
        return 0
    info = backup.make_backup(path, reason="manual", dest_dir=args.output)
    print(info.path)
    return 0


def _meeting_id(value: str) -> int:
    try:
        mid = int(value)
    except ValueError:
        raise UserError(_("meeting id must be a number (see `meeting-console list`), got {value}").format(
            value=repr(value))) from None
    if mid <= 0:
        raise UserError(_("meeting id must be positive, got {mid}").format(mid=mid))
    return mid


def _existing_meeting(core, value: str) -> int:  # type: ignore[no-untyped-def]
    from meeting_console.core import reads

    mid = _meeting_id(value)
    reads.meeting(core, mid)  # raises NotFound
    return mid


def demo_path() -> Path:
    from meeting_console.paths import resource

    return resource(*DEMO_FILE)


def import_demo_if_absent(core) -> int:  # type: ignore[no-untyped-def]
    """The demo meeting's id, importing it first when no meeting of that title and date exists."""
    from meeting_console.core import meeting_file, reads

    doc = meeting_file.read_meeting_file(demo_path())
    for m in reads.list_meetings(core):
        if m.title == doc.title and m.date == doc.date:
            return m.id
    return int(meeting_file.import_meeting(core, demo_path()).result)


def _password_prompt(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """How to ask for a database password: a dialog for the window, the terminal for the
    other commands when there is one, else no way (the error is reported)."""
    if args.command in (None, "open"):
        from meeting_console.ui.password import ask_password

        return ask_password
    if sys.stdin.isatty():
        import getpass

        return lambda message: getpass.getpass(f"{message}\nPassword: ")
    return None


def open_core(args: argparse.Namespace, ask=None):  # type: ignore[no-untyped-def]
    """Open the database named by ``--db`` for this seat; when the server wants a password no
    standard source gave, ask for it (three tries)."""
    from meeting_console.core.api import Core
    from meeting_console.store.engine import PasswordNeeded

    password = None
    for attempt in range(3):
        try:
            return Core.open(args.db, seat=args.seat, role=args.role, password=password)
        except PasswordNeeded as exc:
            ask = ask or _password_prompt(args)
            if ask is None or attempt == 2:
                raise
            password = ask(str(exc))
            if password is None:  # cancelled
                raise
    raise AssertionError("unreachable")


def _run(args: argparse.Namespace) -> int:
    if args.command == "display":
        from meeting_console.ui.display import run_display

        mid = _meeting_id(args.meeting) if args.meeting is not None else None
        return run_display(args.db, mid, screen=args.screen, windowed=args.window,
                           logo=args.logo, print_states=args.print_states)
    if args.command == "verify":
        return _verify(args)
    if args.command == "backup":
        return _backup(args)
    if args.command in (None, "open") and not args.demo:
        started = _start_first_screen(args)
        if started is not None:
            return started
    core = open_core(args)
    try:
        cmd = args.command
        if cmd == "import":
            from meeting_console.core import meeting_file

            path = demo_path() if args.import_demo else Path(args.file)
            changes = meeting_file.import_meeting(core, path)
            print(changes.result)
            return 0
        if cmd == "export":
            from meeting_console.core import meeting_file

            mid = _existing_meeting(core, args.meeting)
            meeting_file.export_meeting(core, mid, Path(args.output))
            return 0
        if cmd == "copy":
            from meeting_console.core.transfer import copy_meeting

            mid = _existing_meeting(core, args.meeting)
            dst = open_core(argparse.Namespace(**{**vars(args), "db": args.to}))
            try:
                print(copy_meeting(core, dst, mid))
            finally:
                dst.close()
            return 0
        if cmd == "list":
            from meeting_console.core import reads

            for m in reads.list_meetings(core):
                print(f"{m.id}\t{m.date.isoformat()}\t{m.status}\t{m.title}")
            return 0
        if cmd == "record":
            from meeting_console.record import build_record

            mid = _existing_meeting(core, args.meeting)
            build_record(core, mid, Path(args.output), distribution=args.to)
            return 0
        # the window
        from meeting_console.core import reads

        if cmd == "open":
            mid: int | None = _existing_meeting(core, args.meeting)
        elif args.demo:
            mid = import_demo_if_absent(core)
        else:
            mid = reads.latest_meeting_id(core)
        from meeting_console.errlog import setup_logging
        from meeting_console.ui import preload  # noqa: F401  (before PySide6: see there)
        from meeting_console.ui.app import run_console

        setup_logging()  # errors never vanish: the exception hook logs to the rotating file
        return run_console(core, mid)
    finally:
        core.close()


def _start_first_screen(args: argparse.Namespace) -> int | None:
    """Open the window on the meeting read without the Core (``store.quickread``) and the Core
    after the first paint; None when that read cannot be sure (PostgreSQL, a missing, new,
    old or foreign database, an unknown meeting …): the ordinary start then says why."""
    import os

    if os.environ.get("MEETING_CONSOLE_NO_FIRST_SCREEN"):
        return None
    from meeting_console.store.quickread import read_first_screen

    screen = read_first_screen(args.db, _meeting_id(args.meeting) if args.command == "open" else None)
    if screen is None:
        return None
    from meeting_console.ui.app import run_console_first

    return run_console_first(args, screen)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    i18n.set_language(i18n.choose_language(_requested_language(argv)))
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except UserError as exc:
        print(f"meeting-console: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file to write in a missing folder, a full disk …: one line
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"meeting-console: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from sqlalchemy.exc import DatabaseError

        if not isinstance(exc, DatabaseError):
            raise
        # a damaged page found after the database opened: say so, never a traceback
        msg = str(getattr(exc, "orig", exc)).splitlines()[0]
        print("meeting-console: " + _("{db}: cannot be read ({error}); check it with "
                                      "`meeting-console verify` and restore a backup").format(
                  db=args.db or _("the database"), error=msg), file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
