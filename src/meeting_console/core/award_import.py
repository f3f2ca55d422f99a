"""Award lists from Excel: grants read from an ``.xlsx`` sheet (layout in docs/awards-import.md).

    sheet = check_sheet(core, meeting_id, "khen-thuong.xlsx")   # reads only; sheet.problems
    changes = import_grants(core, meeting_id, "khen-thuong.xlsx")  # one undoable operation

The first worksheet is read; its first row holds the column headings (Vietnamese or English,
matched ignoring case and accents, in any order) unless a title block comes first (then the
first of the top ten rows naming the award and recipient columns), each further row one award. Every problem is found
before anything is written, each with its row number and column, and nothing is imported while
any remains (``SpreadsheetRefused.problems``). Workbooks are read with openpyxl, whose XML
parsing goes through defusedxml when it is installed (it is a dependency): no entity expansion,
no external entities. The package is checked before parsing: not a zip, an encrypted
(password-protected) or legacy ``.xls`` file, or a zip that would unpack to too much is refused.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from meeting_console.core import ceremony as cer
from meeting_console.core import reads
from meeting_console.core.api import Core, Tx, operation
from meeting_console.core.awards import GRANT_FIELDS, check_grant
from meeting_console.core.catalogue import award_types, seed_catalogue
from meeting_console.core.changes import Changes
from meeting_console.core.text import clean_text, decode_legacy, detect_mojibake, fold
from meeting_console.errors import ImportRefused, OperationRefused
from meeting_console.i18n import N_, _, ngettext
from meeting_console.store import models as m

MAX_BYTES = 20 * 1024 * 1024  # a list of awards is kilobytes; anything near this is not one
MAX_UNPACKED = 200 * 1024 * 1024  # refuse zip bombs before openpyxl inflates them
MAX_ROWS = 5000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .xls, or an encrypted .xlsx


@dataclass(frozen=True)
class Column:
    key: str
    heading: str  # as written in the template (Vietnamese)
    english: str
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("no", "STT", "No.", ("Số thứ tự", "TT")),
    Column("award", "Hình thức khen thưởng", "Award", ("Hình thức", "Danh hiệu"), True),
    Column("kind", "Cá nhân/Tập thể", "Individual/Collective", ("Đối tượng", "Loại")),
    Column("recipient", "Họ và tên / Tên tập thể", "Recipient",
           ("Họ và tên", "Họ tên", "Tên tập thể", "Người nhận"), True),
    Column("post", "Chức vụ, đơn vị", "Post", ("Chức vụ", "Chức vụ, đơn vị công tác")),
    Column("posthumous", "Truy tặng", "Posthumous"),
    Column("received_by", "Người nhận thay", "Received by", ("Thân nhân nhận thay",)),
    Column("presenter", "Người trao", "Presenter", ("Lãnh đạo trao",)),
    Column("decision_number", "Số quyết định", "Decision number", ("Số QĐ", "Quyết định số")),
    Column("decision_date", "Ngày quyết định", "Decision date", ("Ngày QĐ", "Ngày ký")),
    Column("citation", "Thành tích", "Citation", ("Lý do khen thưởng", "Nội dung thành tích")),
    Column("endpoint", "Điểm cầu", "Endpoint", ("Nhận tại điểm cầu",)),
    Column("group", "Nhóm trao", "Group", ("Nhóm", "Trao cùng")),
    Column("note", "Ghi chú", "Note", ("Notes",)),
)
BY_KEY = {c.key: c for c in COLUMNS}
IGNORED = ("no", "note")

INDIVIDUAL = ("ca nhan", "cn", "individual", "person")
COLLECTIVE = ("tap the", "tt", "collective", "organisation", "organization")
YES = ("x", "co", "truy tang", "yes", "y", "true", "1")
NO = ("khong", "no", "n", "false", "0")
_HONORIFIC = re.compile(r"^(đồng chí|đ/c|ông|bà)\s+", re.IGNORECASE)
_DATE_TEXT = (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"),
              re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"))


# --- what the check finds ------------------------------------------------------------------


@dataclass(frozen=True)
class SheetProblem:
    """One reason the sheet cannot be imported; ``row`` as Excel numbers it."""

    message: str
    row: int | None = None
    column: str = ""  # letter(s): "C", "B–D"
    heading: str = ""

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("row {row}").format(row=self.row))
        if self.column:
            col = _("column {column}").format(column=self.column)
            if self.heading:
                col += f" ({self.heading})"
            where.append(col)
        return f"{', '.join(where)}: {self.message}" if where else self.message


class SpreadsheetRefused(ImportRefused):
    """The sheet has problems; nothing was imported. ``problems`` lists every one."""

    def __init__(self, file: str, problems: Sequence[SheetProblem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        more = len(self.problems) - 1
        tail = ngettext(" (and {n} more problem)", " (and {n} more problems)",
                        more).format(n=more) if more else ""
        # the problem names its row and column itself; line and field are for callers
        super().__init__(_("{problem}{more}; nothing was imported").format(
            problem=first, more=tail), file=file)
        self.line = first.row
        self.field = first.heading


@dataclass(frozen=True)
class PlannedGrant:
    """One row, checked and matched against the meeting; ids None = created on import."""

    row: int
    award_type_id: int
    award_name: str
    recipient_kind: str
    recipient_name: str
    person_id: int | None
    org_id: int | None
    values: dict[str, Any] = field(default_factory=dict)  # AwardGrant columns
    group: int | None = None  # the file's own group number


@dataclass(frozen=True)
class GrantSheet:
    source: str
    sheet: str
    rows: tuple[PlannedGrant, ...]
    problems: tuple[SheetProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def __str__(self) -> str:  # what the journal records as the operation's argument
        return f"{self.source} (sheet “{self.sheet}”): {len(self.rows)} awards"


# --- reading the workbook ------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _key(value: str) -> str:
    """Loose comparison: case, accents, tone placement, quotes and spacing ignored."""
    return " ".join(fold(re.sub("[\"'“”‘’«»]", " ", value)).split())


@functools.lru_cache(maxsize=8192)
def _legacy(text: str) -> str | None:
    return detect_mojibake(text)  # lists repeat posts and citations: look each up once


def _package_problem(data: bytes) -> str | None:
    if not data:
        return _("the file is empty")
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            return _("the workbook is password-protected (encrypted); open it in Excel, remove "
                     "the password (File › Info › Protect Workbook), save it and import again")
        return _("this is an old Excel 97–2003 workbook (.xls); save it as .xlsx and import "
                 "again")
    if not data.startswith(b"PK"):
        return _("this is not an Excel workbook (.xlsx); save the list from Excel as .xlsx")
    return None


def _open_workbook(path: Path) -> tuple[Any, list[SheetProblem]]:
    import io

    import openpyxl  # type: ignore[import-untyped]

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [SheetProblem(_("the file is {size} MB; an award list is far smaller "
                                         "(limit {limit} MB)").format(
                size=size // 1_048_576, limit=MAX_BYTES // 1_048_576))]
        data = path.read_bytes()
    except FileNotFoundError:
        return None, [SheetProblem(_("no such file"))]
    except IsADirectoryError:
        return None, [SheetProblem(_("this is a folder, not a workbook"))]
    except OSError as exc:
        return None, [SheetProblem(_("cannot be read ({value})").format(
            value=exc.strerror or exc))]
    problem = _package_problem(data)
    if problem:
        return None, [SheetProblem(problem)]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "xl/workbook.xml" not in names:
                what = (_("this is a Word document, not an Excel workbook (.xlsx)")
                        if "word/document.xml" in names else
                        _("this is an OpenDocument file, not an Excel workbook (.xlsx)")
                        if "mimetype" in names else
                        _("this is a zip archive, not an Excel workbook (.xlsx)"))
                return None, [SheetProblem(what)]
            if sum(i.file_size for i in z.infolist()) > MAX_UNPACKED:
                return None, [SheetProblem(_("the workbook would unpack to more than {limit} MB; "
                                             "refused").format(limit=MAX_UNPACKED // 1_048_576))]
    except zipfile.BadZipFile:
        return None, [SheetProblem(_("the workbook is damaged (not a readable .xlsx)"))]
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken parts
        return None, [SheetProblem(_("the workbook cannot be read ({kind}: {detail})").format(
            kind=type(exc).__name__,
            detail=str(exc).splitlines()[0] if str(exc) else _("damaged")))]
    return wb, []


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    return str(get_column_letter(index + 1))


def _match_heading(text: str) -> Column | None:
    k = _key(text)
    for c in COLUMNS:
        if k in {_key(c.heading), _key(c.english), *(_key(a) for a in c.aliases)}:
            return c
    return None


def _suggest(value: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    keyed = {_key(c): c for c in choices}
    close = difflib.get_close_matches(_key(value), list(keyed), n=1, cutoff=0.6)
    return _("; did you mean “{name}”?").format(name=keyed[close[0]]) if close else ""


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value)


# --- checking rows -------------------------------------------------------------------------


class _Row:
    """One data row being checked: its cells by column key, and the problems found."""

    def __init__(self, number: int, cells: dict[str, tuple[int, Any]],
                 problems: list[SheetProblem]) -> None:
        self.number = number
        self.cells = cells
        self.problems = problems

    def problem(self, key: str, message: str) -> None:
        c = BY_KEY[key]
        col = _letter(self.cells[key][0]) if key in self.cells else ""
        self.problems.append(SheetProblem(message, self.number, col, c.heading))

    def raw(self, key: str) -> Any:
        return self.cells[key][1] if key in self.cells else None

    def text(self, key: str, *, multiline: bool = False) -> str:
        value = _cell_text(self.raw(key))
        try:
            out = clean_text(value, field="text", multiline=multiline)
        except ValueError as exc:
            self.problem(key, str(exc).removeprefix("text: "))
            return value.strip()  # reported; not also "empty"
        if not multiline:
            out = " ".join(out.split())
        legacy = _legacy(out)
        if legacy:
            name = "TCVN3 (ABC)" if legacy == "TCVN3" else "VNI-Windows"
            self.problem(key, _("“{text}” looks like text typed in {name} and read as Unicode "
                                "(it would read “{decoded}”); convert the file to Unicode (e.g. "
                                "UniKey's converter) and import again").format(
                text=out[:60], name=name, decoded=decode_legacy(out, legacy)[:60]))
        return out

    def checked(self, key: str, column: str, value: Any) -> Any:
        try:
            return GRANT_FIELDS[column](column, value)
        except OperationRefused as exc:
            self.problem(key, str(exc).removeprefix(f"{column}: "))
            return None


def _date(row: _Row) -> date | None:
    raw = row.raw("decision_date")
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = row.text("decision_date")
    for i, pattern in enumerate(_DATE_TEXT):
        mt = pattern.fullmatch(text)
        if mt:
            a, b, c = (int(x) for x in mt.groups())
            try:
                return date(c, b, a) if i == 0 else date(a, b, c)
            except ValueError:
                break
    if text:
        row.problem("decision_date",
                    _("“{text}” is not a date; write it as 05/01/2022").format(text=text))
    return None


def _flag(row: _Row) -> bool:
    raw = row.raw("posthumous")
    if isinstance(raw, bool):
        return raw
    text = _key(row.text("posthumous"))
    if not text or text in NO:
        return False
    if text in YES:
        return True
    row.problem("posthumous", _("“{text}”: write x (or “có”) for a posthumous award, leave "
                                "it empty otherwise").format(text=row.text("posthumous")))
    return False


def _group(row: _Row) -> int | None:
    raw = row.raw("group")
    if raw is None or raw == "":
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        row.problem("group", _("“{text}” is not a group number (1, 2, 3 …)").format(
            text=_cell_text(raw)))
        return None
    return raw


class _Context:
    """The meeting and the catalogue, indexed by loose key."""

    def __init__(self, snap: reads.MeetingSnapshot, catalogue: Sequence[tuple[int, str]]):
        self.snap = snap
        self.types = {_key(name): (tid, name) for tid, name in catalogue}
        self.type_names = [name for _i, name in catalogue]
        self.people: dict[str, list[reads.PersonInfo]] = {}
        for p in snap.people:
            self.people.setdefault(_key(p.full_name), []).append(p)
        self.orgs = {_key(o.name): o.id for o in snap.organisations}
        self.endpoints: dict[str, reads.MeetingEndpointInfo] = {}
        for e in snap.endpoints:
            self.endpoints.setdefault(_key(e.name), e)
            if e.code:
                self.endpoints.setdefault(_key(e.code), e)

    def people_named(self, name: str) -> list[reads.PersonInfo]:
        return self.people.get(_key(name), [])


def _check_row(row: _Row, ctx: _Context) -> PlannedGrant | None:
    snap = ctx.snap
    before = len(row.problems)
    award = row.text("award")
    type_id = None
    if not award:
        row.problem("award", _("empty: which award (as in the catalogue)?"))
    else:
        found = ctx.types.get(_key(award))
        if found is None:
            row.problem("award", _("“{award}” is not in the award catalogue").format(
                award=award) + _suggest(award, ctx.type_names))
        else:
            type_id, award = found
    kind_text = row.text("kind")
    name = _HONORIFIC.sub("", row.text("recipient"))
    if not name:
        row.problem("recipient", _("empty: who receives the award?"))
    kind = None
    if _key(kind_text) in INDIVIDUAL:
        kind = "individual"
    elif _key(kind_text) in COLLECTIVE:
        kind = "collective"
    elif kind_text:
        row.problem("kind", _("“{text}”: write “Cá nhân” or “Tập thể”").format(
            text=kind_text))
    else:  # not said: a collective when the meeting knows an organisation of that name
        kind = "collective" if name and _key(name) in ctx.orgs else "individual"
    post = row.text("post")
    posthumous = _flag(row)
    received_by = row.text("received_by")
    if kind == "collective":
        if post:
            row.problem("post", _("“{post}”: a collective has no post; leave it empty, or "
                                  "mark the row “Cá nhân” if it is a person").format(post=post))
        if posthumous:
            row.problem("posthumous", _("only an individual can be honoured posthumously"))
    if posthumous and not received_by and kind != "collective":
        row.problem("received_by", _("a posthumous award needs the relative or representative "
                                     "who receives it (e.g. “thân nhân đồng chí …”)"))
    values: dict[str, Any] = {
        "recipient_post": row.checked("post", "recipient_post", post),
        "posthumous": posthumous,
        "received_by": row.checked("received_by", "received_by", received_by),
        "decision_number": row.checked("decision_number", "decision_number",
                                       row.text("decision_number")),
        "decision_date": _date(row),
        "citation": row.checked("citation", "citation", row.text("citation", multiline=True)),
        "presenter_id": None,
        "presenter_text": "",
        "meeting_endpoint_id": None,
    }
    presenter = _HONORIFIC.sub("", row.text("presenter"))
    if presenter:
        who = ctx.people_named(presenter)
        if len(who) == 1:
            values["presenter_id"] = who[0].id
        else:  # a role ("Lãnh đạo tỉnh") or someone not on the meeting's list
            values["presenter_text"] = row.checked("presenter", "presenter_text",
                                                   row.text("presenter"))
    endpoint = row.text("endpoint")
    if endpoint:
        ep = ctx.endpoints.get(_key(endpoint))
        if ep is None:
            row.problem("endpoint", _("“{endpoint}” is not an endpoint of this meeting").format(
                endpoint=endpoint) + _suggest(endpoint, [e.name for e in snap.endpoints]))
        elif ep.kind != "main_hall":
            values["meeting_endpoint_id"] = ep.id
    group = _group(row)
    person_id = org_id = None
    if name and kind == "individual":
        who = ctx.people_named(name)
        if len(who) > 1:
            row.problem("recipient", _("the meeting has {n} participants named “{name}”; tell "
                                       "them apart in the people list first").format(
                n=len(who), name=name))
        elif who:
            person_id = who[0].id
    elif name and kind == "collective":
        org_id = ctx.orgs.get(_key(name))
    if len(row.problems) > before or type_id is None or kind is None:
        return None
    return PlannedGrant(row.number, type_id, award, kind, name, person_id, org_id, values, group)


def _duplicates(rows: list[PlannedGrant], row_cols: dict[int, dict[str, int]],
                snap: reads.MeetingSnapshot, problems: list[SheetProblem]) -> None:
    recipient = BY_KEY["recipient"]
    existing = {(g.award_type_id, g.recipient_kind, _key(g.recipient_name)): g
                for g in snap.grants}
    seen: dict[tuple[int, str, str], int] = {}
    for r in rows:
        k = (r.award_type_id, r.recipient_kind, _key(r.recipient_name))
        col = _letter(row_cols[r.row]["recipient"])
        if k in seen:
            problems.append(SheetProblem(
                _("duplicate: {award} to {recipient} is already in row {row}").format(
                    award=r.award_name, recipient=r.recipient_name, row=seen[k]),
                r.row, col, recipient.heading))
        elif k in existing:
            problems.append(SheetProblem(
                _("duplicate: {award} to {recipient} is already among this meeting's awards "
                  "(no. {position})").format(award=r.award_name, recipient=r.recipient_name,
                                             position=existing[k].ceremony_position),
                r.row, col, recipient.heading))
        seen.setdefault(k, r.row)


def _group_presenters(rows: list[PlannedGrant], row_cols: dict[int, dict[str, int]],
                      problems: list[SheetProblem]) -> None:
    first: dict[int, PlannedGrant] = {}
    for r in rows:
        if r.group is None:
            continue
        lead = first.setdefault(r.group, r)
        mine = (r.values["presenter_id"], r.values["presenter_text"])
        theirs = (lead.values["presenter_id"], lead.values["presenter_text"])
        if mine != theirs and mine != (None, ""):
            col = row_cols[r.row].get("presenter")
            problems.append(SheetProblem(
                _("group {group} is presented together, by one presenter; row {row} names "
                  "another").format(group=r.group, row=lead.row), r.row, _letter(col) if col is not None else "",
                BY_KEY["presenter"].heading))


HEADER_SEARCH = 10  # official lists open with a title block; the headings follow it


def _header_index(values: Sequence[Sequence[Any]]) -> int:
    """The row of headings: the first of the top rows naming both the award and the
    recipient columns (row 1 when none does, so that its problems are reported there)."""
    for i, row in enumerate(values[:HEADER_SEARCH]):
        keys = {c.key for c in (_match_heading(_cell_text(v).strip()) for v in row
                                if _cell_text(v).strip()) if c is not None}
        if {"award", "recipient"} <= keys:
            return i
    return 0


def read_sheet(path: str | os.PathLike[str], snap: reads.MeetingSnapshot,
               catalogue: Sequence[tuple[int, str]]) -> GrantSheet:
    """Read and check a workbook against a meeting (a snapshot) and the catalogue."""
    p = Path(path)
    source = p.name
    wb, problems = _open_workbook(p)
    if wb is None:
        return GrantSheet(source, "", (), tuple(problems))
    ws = wb.worksheets[0]
    title = ws.title
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    while values and all(v is None or _cell_text(v).strip() == "" for v in values[-1]):
        values.pop()
    if not values:
        problems.append(SheetProblem(_("the sheet “{title}” is empty: no headings, no awards; "
                                       "start from the template (grants-template.xlsx)").format(
            title=title)))
        return GrantSheet(source, title, (), tuple(problems))
    top = _header_index(values)
    head_row = top + 1  # as Excel numbers it
    # one value per cell: a merged range hides all but its top-left value (a title block
    # merged above the headings is fine: it is not read)
    for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        if rng.max_row < head_row:
            continue
        a, b = _letter(rng.min_col - 1), _letter(rng.max_col - 1)
        heading = (_cell_text(ws.cell(row=head_row, column=rng.min_col).value).strip()
                   if a == b else "")
        problems.append(SheetProblem(
            _("merged cells {cells}: one award per row, one value per cell; unmerge them and "
              "fill in every cell").format(cells=rng.coord), rng.min_row, a if a == b else f"{a}–{b}", heading))
    # headings
    columns: dict[str, int] = {}
    for i, h in enumerate(values[top]):
        text = _cell_text(h).strip()
        if not text:
            continue
        c = _match_heading(text)
        if c is None:
            known = [x.heading for x in COLUMNS]
            problems.append(SheetProblem(_("unknown column heading “{text}”").format(text=text)
                                         + _suggest(text, known + [x.english for x in COLUMNS]),
                                         head_row, _letter(i)))
        elif c.key in columns:
            problems.append(SheetProblem(_("“{text}” repeats column {column}").format(
                text=text, column=_letter(columns[c.key])),
                                         head_row, _letter(i), c.heading))
        else:
            columns[c.key] = i
    missing_column = False
    for c in COLUMNS:
        if c.required and c.key not in columns:
            missing_column = True
            problems.append(SheetProblem(
                _("no column “{heading}” ({english}) in row {row}").format(
                    heading=c.heading, english=c.english, row=head_row), head_row))
    data = [(n, r) for n, r in enumerate(values[top + 1:], start=head_row + 1)
            if any(v is not None and _cell_text(v).strip() for v in r)]
    if not data:
        problems.append(SheetProblem(_("the sheet “{title}” has headings but no awards under "
                                       "them").format(title=title), head_row + 1))
    if len(data) > MAX_ROWS:
        problems.append(SheetProblem(_("{n} rows; at most {limit} awards at once").format(
            n=len(data), limit=MAX_ROWS)))
        data = data[:MAX_ROWS]
    if missing_column:
        return GrantSheet(source, title, (), tuple(problems))
    ctx = _Context(snap, catalogue)
    planned: list[PlannedGrant] = []
    row_cols: dict[int, dict[str, int]] = {}
    for number, cells in data:
        by_key = {k: (i, cells[i] if i < len(cells) else None) for k, i in columns.items()
                  if k not in IGNORED}
        row = _Row(number, by_key, problems)
        planned_row = _check_row(row, ctx)
        row_cols[number] = {k: i for k, (i, _v) in by_key.items()}
        row_cols[number].setdefault("recipient", columns.get("recipient", 0))
        if planned_row is not None:
            planned.append(planned_row)
    _duplicates(planned, row_cols, snap, problems)
    _group_presenters(planned, row_cols, problems)
    problems.sort(key=lambda p: (p.row if p.row is not None else 0))
    return GrantSheet(source, title, tuple(planned), tuple(problems))


def check_sheet(core: Core, meeting_id: int, path: str | os.PathLike[str]) -> GrantSheet:
    """Read and check a workbook for a meeting; writes nothing (the catalogue is loaded
    into the database first if it is not there yet)."""
    seed_catalogue(core)
    snap = reads.snapshot(core, meeting_id)
    catalogue = [(t.id, t.name) for t in award_types(core)]
    return read_sheet(path, snap, catalogue)


def import_grants(core: Core, meeting_id: int, path: str | os.PathLike[str]) -> Changes:
    """Import the awards of a workbook into a meeting, as one undoable operation; returns
    its ``Changes`` (``result``: the new grant ids). Raises ``SpreadsheetRefused`` listing
    every problem, and imports nothing, when any row is bad."""
    sheet = check_sheet(core, meeting_id, path)
    if sheet.problems:
        raise SpreadsheetRefused(sheet.source, sheet.problems)
    return write_grants(core, meeting_id, sheet)


def _label(sheet: GrantSheet) -> str:
    n = len(sheet.rows)
    return ngettext("Import {n} award from {file}", "Import {n} awards from {file}",
                    n).format(n=n, file=sheet.source)


@operation(N_("Import awards"))
def write_grants(tx: Tx, meeting_id: int, sheet: GrantSheet) -> list[int]:
    """Write a checked sheet (prefer ``import_grants``): people and organisations not yet in
    the meeting are added, then the grants, each file group one presentation placed by
    precedence."""
    tx.get(m.Meeting, meeting_id, "meeting")
    tx.meeting_id = meeting_id
    tx.label = _label(sheet)
    s = tx.session
    if not sheet.rows or sheet.problems:
        raise OperationRefused(_("nothing to import"))
    people: dict[str, int] = {}
    orgs: dict[str, int] = {}
    # held here so the session's (weak) identity map keeps them for the checks' look-ups
    loaded = [
        *s.scalars(select(m.Person).where(m.Person.meeting_id == meeting_id)),
        *s.scalars(select(m.Organisation).where(m.Organisation.meeting_id == meeting_id)),
        *s.scalars(select(m.MeetingEndpoint).where(m.MeetingEndpoint.meeting_id == meeting_id)),
        *s.scalars(select(m.AwardType).where(
            m.AwardType.id.in_({r.award_type_id for r in sheet.rows}))),
    ]
    for obj in loaded:
        if isinstance(obj, m.Person):
            people.setdefault(_key(obj.full_name), obj.id)
        elif isinstance(obj, m.Organisation):
            orgs[_key(obj.name)] = obj.id
    # recipients the meeting does not know yet, added together (one flush)
    new_people: dict[str, m.Person] = {}
    new_orgs: dict[str, m.Organisation] = {}
    for r in sheet.rows:
        k = _key(r.recipient_name)
        if r.recipient_kind == "individual" and not (r.person_id or k in people):
            post = r.values["recipient_post"]
            new_people.setdefault(k, m.Person(
                meeting_id=meeting_id, full_name=r.recipient_name,
                posts=[post] if post and not r.values["posthumous"] else [],
                category="invited", is_recorder=False, attendance="unknown",
                note=_("award recipient ({file}, row {row})").format(file=sheet.source,
                                                                      row=r.row)))
        elif r.recipient_kind == "collective" and not (r.org_id or k in orgs):
            new_orgs.setdefault(k, m.Organisation(meeting_id=meeting_id, name=r.recipient_name,
                                                  note=""))
    s.add_all([*new_people.values(), *new_orgs.values()])
    s.flush()
    people.update({k: p.id for k, p in new_people.items()})
    orgs.update({k: o.id for k, o in new_orgs.items()})
    groups: dict[object, list[m.AwardGrant]] = {}
    with s.no_autoflush:  # the checks' look-ups must not flush each pending grant
        for r in sheet.rows:
            k = _key(r.recipient_name)
            refs = ({"recipient_person_id": r.person_id or people[k]}
                    if r.recipient_kind == "individual"
                    else {"recipient_org_id": r.org_id or orgs[k]})
            g = m.AwardGrant(meeting_id=meeting_id, award_type_id=r.award_type_id,
                             recipient_kind=r.recipient_kind, group_no=0, ceremony_position=0,
                             **refs, **r.values)
            check_grant(tx, g)
            s.add(g)
            groups.setdefault(("file", r.group) if r.group else ("row", r.row), []).append(g)
    s.flush()
    _refuse_duplicates(tx, meeting_id, sheet)
    cer.place_groups(tx, meeting_id, list(groups.values()))
    return [g.id for gr in groups.values() for g in gr]


def _refuse_duplicates(tx: Tx, meeting_id: int, sheet: GrantSheet) -> None:
    # another console may have added the same award between the check and the write
    snap_grants = reads._grants(tx.session, meeting_id)
    count: dict[tuple[int, str, str], int] = {}
    for g in snap_grants:
        k = (g.award_type_id, g.recipient_kind, _key(g.recipient_name))
        count[k] = count.get(k, 0) + 1
    rows = [r.row for r in sheet.rows
            if count.get((r.award_type_id, r.recipient_kind, _key(r.recipient_name)), 0) > 1]
    if rows:
        raise SpreadsheetRefused(sheet.source, [
            SheetProblem(_("duplicate: this award was added meanwhile (by another console)"), n)
            for n in rows])


__all__ = ["COLUMNS", "GrantSheet", "PlannedGrant", "SheetProblem", "SpreadsheetRefused",
           "check_sheet", "import_grants", "read_sheet"]


# --- the template --------------------------------------------------------------------------

HELP = (
    ("STT", "Số thứ tự (không bắt buộc, không được đọc). / Row number, optional, ignored."),
    ("Hình thức khen thưởng", "Bắt buộc. Tên đúng như trong danh mục (trang “Danh mục”). / "
     "Required: the award's name as in the catalogue."),
    ("Cá nhân/Tập thể", "“Cá nhân” hoặc “Tập thể”; để trống: cá nhân, trừ khi tên là một tập "
     "thể đã có trong hội nghị. / Individual or collective."),
    ("Họ và tên / Tên tập thể", "Bắt buộc. / Required: the person's full name or the "
     "collective's name."),
    ("Chức vụ, đơn vị", "Chức vụ như trong quyết định; chỉ cho cá nhân. / The post as cited "
     "in the decision; individuals only."),
    ("Truy tặng", "Ghi x nếu truy tặng. / x for a posthumous award."),
    ("Người nhận thay", "Bắt buộc khi truy tặng, ví dụ “thân nhân đồng chí …”. / Required "
     "for a posthumous award: who receives it."),
    ("Người trao", "Họ tên lãnh đạo trao (khớp danh sách đại biểu) hoặc chức danh. / The "
     "presenter: a participant's name, or a role."),
    ("Số quyết định", "Ví dụ 123/QĐ-CTN. / Decision number."),
    ("Ngày quyết định", "Ngày, ví dụ 05/01/2022. / Decision date, dd/mm/yyyy."),
    ("Thành tích", "Lý do khen thưởng, như trong quyết định. / Citation."),
    ("Điểm cầu", "Tên hoặc mã điểm cầu nơi người nhận dự; để trống: hội trường chính. / "
     "Endpoint (name or code) when not in the main hall."),
    ("Nhóm trao", "Các dòng cùng số nhóm được trao cùng lúc, một người trao. / Rows with "
     "the same group number are presented together, by one presenter."),
    ("Ghi chú", "Không được đọc. / Note, ignored."),
)


def write_template(path: str | os.PathLike[str], award_names: Sequence[str]) -> Path:
    """Write the empty award-list workbook: the headings, drop-down lists for the award
    (from ``award_names``), kind and posthumous columns, and a help sheet."""
    import openpyxl  # type: ignore[import-untyped]
    from openpyxl.styles import (  # type: ignore[import-untyped]
        Alignment,
        Font,
        PatternFill,
    )
    from openpyxl.worksheet.datavalidation import (  # type: ignore[import-untyped]
        DataValidation,
    )

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Khen thưởng"
    widths = (6, 40, 14, 30, 44, 10, 30, 26, 18, 16, 60, 20, 10, 20)
    bold = Font(name="Times New Roman", bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for i, (c, width) in enumerate(zip(COLUMNS, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=i, value=c.heading)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[_letter(i - 1)].width = width
    ws.freeze_panes = "A2"
    cat = wb.create_sheet("Danh mục")
    cat.cell(row=1, column=1, value="Hình thức khen thưởng (theo thứ tự ưu tiên)").font = bold
    cat.column_dimensions["A"].width = 70
    for n, name in enumerate(award_names, start=2):
        cat.cell(row=n, column=1, value=name)
    last = max(2, len(award_names) + 1)
    col = {c.key: _letter(i) for i, c in enumerate(COLUMNS)}
    for key, formula in (("award", f"='Danh mục'!$A$2:$A${last}"),
                         ("kind", '"Cá nhân,Tập thể"'), ("posthumous", '"x"')):
        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
        dv.error = "Chọn trong danh sách / choose from the list"
        dv.showErrorMessage = key != "award"  # a user's own award type may be typed in
        ws.add_data_validation(dv)
        dv.add(f"{col[key]}2:{col[key]}{MAX_ROWS + 1}")
    helpsheet = wb.create_sheet("Hướng dẫn")
    helpsheet.column_dimensions["A"].width = 26
    helpsheet.column_dimensions["B"].width = 100
    helpsheet.cell(row=1, column=1, value="Cột / Column").font = bold
    helpsheet.cell(row=1, column=2, value="Cách điền / How to fill it in").font = bold
    for n, (heading, text) in enumerate(HELP, start=2):
        helpsheet.cell(row=n, column=1, value=heading)
        helpsheet.cell(row=n, column=2, value=text).alignment = Alignment(wrap_text=True)
    fixed = datetime(2024, 1, 1)
    wb.properties.creator = "Meeting Console"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    target = Path(path)
    wb.save(target)
    return target
