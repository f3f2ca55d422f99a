"""The meeting file: a whole meeting as human-editable YAML (format ``meeting-console/1``).

    doc = read_meeting_file("hoi-nghi.yaml")          # parsed and checked, nothing written
    changes = import_meeting(core, "hoi-nghi.yaml")   # changes.result is the new meeting's id
    export_meeting(core, meeting_id, "copy.yaml")     # dump_meeting() gives the text

The format is documented in ``docs/meeting-file.md`` and described by
``resources/schema/meeting-file.schema.json``. Reading never constructs Python objects from
tags: the YAML is composed into a node tree with the safe loader and every value is read from
its node, so each refusal names the file, the line and the field
(``demo.yaml:42 (agenda[3].start): "25:00" is not a time``). Everything is checked before
anything is written; the meeting is then written by one operation (one transaction, one
journal entry, undone as a whole).
"""

from __future__ import annotations

import codecs
import difflib
import gc
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from meeting_console.core import editing as ed
from meeting_console.core import reads, vocab
from meeting_console.core.agenda import ITEM_FIELDS
from meeting_console.core.api import Core, Tx, operation
from meeting_console.core.awards import GRANT_FIELDS
from meeting_console.core.changes import Changes
from meeting_console.core.endpoints import DIRECTORY_FIELDS, PARTICIPATION_FIELDS
from meeting_console.core.meetings import MEETING_FIELDS
from meeting_console.core.people import ORG_FIELDS, PERSON_FIELDS
from meeting_console.core.speakers import REQUEST_FIELDS
from meeting_console.errors import ImportRefused, StoreError, UserError
from meeting_console.i18n import N_, _
from meeting_console.store import models as m

FORMAT = "meeting-console/1"
MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 20  # the format nests 4 deep; anything far deeper is not a meeting file
KEY_RE = re.compile(r"[\w][\w.\-]{0,99}")
QUEUE_STATUSES = ("queued", "held")  # requests that wait in an item's queue (have a position)

_T = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_T + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}
_NULL = _T + "null"
_BOOL = _T + "bool"
_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INT_RE = re.compile(r"[-+]?\d{1,18}")


# --- the parsed document ------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One checked entry of a section (or the meeting itself).

    ``values`` holds model column values; ``refs`` the keys it refers to, by model column
    (``presenter_id: "chau-van-lam"``); ``lines`` the line of each field, for refusals that
    only the database can find (a directory endpoint that disagrees, an unknown award)."""

    key: str | None
    values: dict[str, Any]
    refs: dict[str, Any]
    line: int
    where: str  # "people[3]"
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, name: str) -> int:
        return self.lines.get(name, self.line)


@dataclass(frozen=True)
class MeetingDoc:
    """A meeting file read and checked, not yet written (what the import preview shows)."""

    source: str
    meeting: Entry
    award_types: tuple[Entry, ...]
    organisations: tuple[Entry, ...]
    endpoints: tuple[Entry, ...]
    people: tuple[Entry, ...]
    agenda: tuple[Entry, ...]
    speakers: tuple[Entry, ...]
    awards: tuple[Entry, ...]
    history: tuple[Entry, ...]

    @property
    def title(self) -> str:
        return str(self.meeting.values["title"])

    @property
    def date(self) -> date:
        return self.meeting.values["date"]  # type: ignore[no-any-return]

    def __str__(self) -> str:  # what the journal records as the operation's argument
        return (
            f"{self.source}: {self.title} ({self.date.isoformat()}; {len(self.agenda)} items, "
            f"{len(self.endpoints)} endpoints, {len(self.people)} people, "
            f"{len(self.speakers)} speakers, {len(self.awards)} awards)"
        )


# --- field specifications -----------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One field of the file: its name there, how it is read, the model column it fills."""

    name: str
    kind: str  # key text texts int bool date time ref refs
    target: str | None = None
    check: ed.Check | None = None
    required: bool = False
    section: str = ""  # for ref/refs: the section whose keys it names


def _s(
    name: str,
    kind: str,
    target: str | None = None,
    check: ed.Check | None = None,
    *,
    required: bool = False,
    section: str = "",
) -> Spec:
    return Spec(name, kind, target or name, check, required, section)


def _times(minimum: int, maximum: int) -> ed.Check:
    return ed.integer(minimum, maximum)


MEETING_SPECS: tuple[Spec, ...] = (
    _s("title", "text", check=MEETING_FIELDS["title"], required=True),
    _s("number", "text", check=MEETING_FIELDS["number"]),
    _s("parent_body", "text", check=MEETING_FIELDS["parent_body"]),
    _s("issuing_body", "text", check=MEETING_FIELDS["issuing_body"]),
    _s("body_type", "text", check=MEETING_FIELDS["body_type"]),
    _s("record_number", "text", check=MEETING_FIELDS["record_number"]),
    _s("date", "date", required=True),
    _s("place", "text", check=MEETING_FIELDS["place"]),
    _s("city", "text", check=MEETING_FIELDS["city"]),
    _s("timezone", "text", check=MEETING_FIELDS["timezone"]),
    _s("form", "text", check=MEETING_FIELDS["form"]),
    _s("status", "text", check=ed.choice(vocab.MEETING_STATUSES)),
    _s("language", "text", check=MEETING_FIELDS["language"]),
    _s("summary", "text", check=MEETING_FIELDS["summary"]),
    _s("closing_remarks", "text", check=MEETING_FIELDS["closing_remarks"]),
    _s("distribution", "text", check=MEETING_FIELDS["distribution"]),
    _s("actual_start", "time"),
    _s("actual_end", "time"),
    _s("default_speaking_minutes", "int", check=MEETING_FIELDS["default_speaking_minutes"]),
    _s("probe_interval_s", "int", check=MEETING_FIELDS["probe_interval_s"]),
    _s("probe_timeout_s", "int", check=MEETING_FIELDS["probe_timeout_s"]),
    _s("probe_fail_threshold", "int", check=MEETING_FIELDS["probe_fail_threshold"]),
    _s("probe_recover_threshold", "int", check=MEETING_FIELDS["probe_recover_threshold"]),
    _s("status_feed_url", "text", check=MEETING_FIELDS["status_feed_url"]),
    _s("chairs", "refs", "chairs", section="people"),
    _s("recorder", "ref", "recorder", section="people"),
)

AWARD_TYPE_SPECS: tuple[Spec, ...] = (
    _s("name", "text", check=ed.text(300, required=True), required=True),
    _s("category", "text", check=ed.choice(vocab.AWARD_CATEGORIES)),
    _s("authority", "text", check=ed.text(300)),
    _s("authority_kind", "text", check=ed.choice(vocab.AUTHORITY_KINDS)),
    _s("after", "text", check=ed.text(300)),
)

ORGANISATION_SPECS: tuple[Spec, ...] = (
    _s("key", "key", required=True),
    _s("name", "text", check=ORG_FIELDS["name"], required=True),
    _s("note", "text", check=ORG_FIELDS["note"]),
)

ENDPOINT_SPECS: tuple[Spec, ...] = (
    _s("key", "key", required=True),
    _s("name", "text", check=DIRECTORY_FIELDS["name"], required=True),
    _s("kind", "text", check=DIRECTORY_FIELDS["kind"]),
    _s("code", "text", check=DIRECTORY_FIELDS["code"]),
    _s("address", "text", check=DIRECTORY_FIELDS["address"]),
    _s("host_name", "text", check=DIRECTORY_FIELDS["host_name"]),
    _s("expected", "int", "expected_delegates", PARTICIPATION_FIELDS["expected_delegates"]),
    _s("present", "int", "present_delegates", PARTICIPATION_FIELDS["present_delegates"]),
    _s("host", "text", check=PARTICIPATION_FIELDS["host"]),
    _s("monitored", "bool", check=PARTICIPATION_FIELDS["monitored"]),
    _s("note", "text", check=PARTICIPATION_FIELDS["note"]),
    _s("status", "text", check=ed.choice(vocab.ENDPOINT_STATUSES)),
    _s("status_since", "time"),
    _s("manual_override", "bool", check=ed.boolean()),
    _s("roll_call_at", "time"),
)
DIRECTORY_COLUMNS = ("name", "kind", "code", "address", "host_name")

PERSON_SPECS: tuple[Spec, ...] = (
    _s("key", "key", required=True),
    _s("name", "text", "full_name", PERSON_FIELDS["full_name"], required=True),
    _s("posts", "texts", check=PERSON_FIELDS["posts"]),
    _s("organisation", "ref", "organisation_id", section="organisations"),
    _s("category", "text", check=PERSON_FIELDS["category"]),
    _s("endpoint", "ref", "meeting_endpoint_id", section="endpoints"),
    _s("attendance", "text", check=PERSON_FIELDS["attendance"]),
    _s("absence_reason", "text", check=PERSON_FIELDS["absence_reason"]),
    _s("note", "text", check=PERSON_FIELDS["note"]),
)

ITEM_SPECS: tuple[Spec, ...] = (
    _s("key", "key", required=True),
    _s("number", "text", check=ITEM_FIELDS["number"]),
    _s("title", "text", check=ITEM_FIELDS["title"], required=True),
    _s("kind", "text", check=ITEM_FIELDS["kind"]),
    _s("presenter", "ref", "presenter_id", section="people"),
    _s("presenter_text", "text", check=ITEM_FIELDS["presenter_text"]),
    _s("start", "time", "planned_start"),
    _s("minutes", "int", "planned_minutes", ITEM_FIELDS["planned_minutes"]),
    _s("speaking_minutes", "int", check=ITEM_FIELDS["speaking_minutes"]),
    _s("notes", "text", check=ITEM_FIELDS["notes"]),
    _s("status", "text", check=ed.choice(vocab.ITEM_STATUSES)),
    _s("actual_start", "time"),
    _s("actual_end", "time"),
    _s("paused_at", "time"),
    _s("paused_seconds", "int", check=_times(0, 10_000_000)),
    _s("extended_minutes", "int", check=_times(-24 * 60, 24 * 60)),
    _s("unplanned", "bool", check=ed.boolean()),
)

SPEAKER_SPECS: tuple[Spec, ...] = (
    _s("item", "ref", "agenda_item_id", required=True, section="agenda"),
    _s("person", "ref", "person_id", required=True, section="people"),
    _s("endpoint", "ref", "meeting_endpoint_id", section="endpoints"),
    _s("topic", "text", check=REQUEST_FIELDS["topic"]),
    _s("requested_minutes", "int", check=REQUEST_FIELDS["requested_minutes"]),
    _s("limit_minutes", "int", check=REQUEST_FIELDS["limit_minutes"]),
    _s("source", "text", check=REQUEST_FIELDS["source"]),
    _s("status", "text", check=ed.choice(vocab.SPEAKER_STATUSES)),
    _s("requested_at", "time"),
    _s("actual_start", "time"),
    _s("actual_end", "time"),
    _s("paused_at", "time"),
    _s("paused_seconds", "int", check=_times(0, 10_000_000)),
    _s("extended_seconds", "int", check=_times(-86_400, 86_400)),
    _s("summary", "text", check=REQUEST_FIELDS["summary"]),
)

AWARD_SPECS: tuple[Spec, ...] = (
    _s("award", "text", "award", ed.text(300, required=True), required=True),
    _s("recipient", "ref", "recipient_person_id", section="people"),
    _s("recipient_org", "ref", "recipient_org_id", section="organisations"),
    _s("recipient_post", "text", check=GRANT_FIELDS["recipient_post"]),
    _s("posthumous", "bool", check=GRANT_FIELDS["posthumous"]),
    _s("received_by", "text", check=GRANT_FIELDS["received_by"]),
    _s("presenter", "ref", "presenter_id", section="people"),
    _s("presenter_text", "text", check=GRANT_FIELDS["presenter_text"]),
    _s("decision_number", "text", check=GRANT_FIELDS["decision_number"]),
    _s("decision_date", "date"),
    _s("citation", "text", check=GRANT_FIELDS["citation"]),
    _s("endpoint", "ref", "meeting_endpoint_id", section="endpoints"),
    _s("item", "ref", "agenda_item_id", section="agenda"),
    _s("group", "int", "group_no", ed.integer(1, 1_000_000)),
    _s("presented_at", "time"),
)

HISTORY_SPECS: tuple[Spec, ...] = (
    _s("endpoint", "ref", "meeting_endpoint_id", required=True, section="endpoints"),
    _s("at", "time", required=True),
    _s("status", "text", check=ed.choice(vocab.ENDPOINT_STATUSES), required=True),
    _s("automatic", "bool", check=ed.boolean()),
    _s("detail", "text", check=ed.text(500)),
)

# Top-level sections, in the order they are read and written.
SECTIONS: dict[str, tuple[Spec, ...]] = {
    "award_types": AWARD_TYPE_SPECS,
    "organisations": ORGANISATION_SPECS,
    "endpoints": ENDPOINT_SPECS,
    "people": PERSON_SPECS,
    "agenda": ITEM_SPECS,
    "speakers": SPEAKER_SPECS,
    "awards": AWARD_SPECS,
    "history": HISTORY_SPECS,
}
TOP_LEVEL = ("format", "meeting", *SECTIONS)
# what the refusals say of an unknown reference, by section (translated where raised)
UNKNOWN_REF = {
    "organisations": N_('unknown organisation "{key}"'),
    "endpoints": N_('unknown endpoint "{key}"'),
    "people": N_('unknown person "{key}"'),
    "agenda": N_('unknown agenda item "{key}"'),
}
KNOWN_KEYS = {
    "organisations": N_("organisation keys"),
    "endpoints": N_("endpoint keys"),
    "people": N_("person keys"),
    "agenda": N_("agenda item keys"),
}


# --- small helpers ------------------------------------------------------------------------


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file's hundreds of thousands of small
    objects are made: its passes over a growing heap made reading a 2 MB file four times
    slower. What is made here holds no reference cycles to collect."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _ascii_fold(value: str) -> str:
    """Lower case ASCII without diacritics ("Đảng ủy" -> "dang uy"), for keys and hints."""
    value = value.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def slug(value: str, *, max_words: int | None = None, max_len: int = 40) -> str:
    """A readable ASCII key: "Chẩu Văn Lâm" -> "chau-van-lam"."""
    words = re.findall(r"[a-z0-9]+", _ascii_fold(value))
    if max_words is not None:
        words = words[:max_words]
    out = ""
    for w in words:
        candidate = f"{out}-{w}" if out else w
        if len(candidate) > max_len and out:
            break
        out = candidate[:max_len]
    return out or "x"


def _suggest(name: str, known: Iterable[str], what: str = "") -> str:
    known = list(known)
    folded = {_ascii_fold(k): k for k in known}
    close = difflib.get_close_matches(_ascii_fold(name), list(folded), n=3, cutoff=0.5)
    if close:
        names = ", ".join(f'"{folded[c]}"' for c in close)
        return _("; did you mean {names}?").format(names=names)
    if what and known and len(known) <= 12:
        return _("; known {what}: {names}").format(
            what=what, names=", ".join(f'"{k}"' for k in known))
    return ""


def _kind_of(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return _("a mapping")
    if isinstance(node, yaml.SequenceNode):
        return _("a list")
    return f'"{_short(node.value)}"'


def _short(value: str, limit: int = 60) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _tag(tag: str) -> str:
    return "!!" + tag[len(_T) :] if tag.startswith(_T) else tag


def _line(node: yaml.Node | yaml.Event | int) -> int:
    if isinstance(node, int):
        return node
    return int(node.start_mark.line) + 1


# --- bytes to text ------------------------------------------------------------------------


def _display_name(path: Path, source_name: str | None) -> str:
    return source_name or path.name


def _load_source(
    path_or_text: str | os.PathLike[str] | bytes, source_name: str | None
) -> tuple[str, str]:
    """The file's text (NFC) and the name refusals give it. A ``str`` is a path when it is
    one line naming an existing file (or ending in .yaml/.yml), otherwise the YAML itself."""
    if isinstance(path_or_text, bytes | bytearray):
        name = source_name or _("<meeting file>")
        return _decode(bytes(path_or_text), name), name
    if isinstance(path_or_text, str) and not _looks_like_path(path_or_text):
        name = source_name or _("<meeting file>")
        if (
            len(path_or_text) > MAX_BYTES // 4
            and len(path_or_text.encode("utf-8", "surrogatepass")) > MAX_BYTES
        ):
            raise ImportRefused(
                _too_big(len(path_or_text.encode("utf-8", "surrogatepass"))), file=name, line=1
            )
        try:
            path_or_text.encode("utf-8")
        except UnicodeEncodeError as exc:
            line = path_or_text.count("\n", 0, exc.start) + 1
            raise ImportRefused(
                _("is not valid Unicode text (a lone surrogate)"), file=name, line=line
            ) from None
        return _prepared(path_or_text), name
    path = Path(os.fspath(path_or_text))
    name = _display_name(path, source_name)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImportRefused(_too_big(size), file=name)
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ImportRefused(_("no such file"), file=name) from None
    except IsADirectoryError:
        raise ImportRefused(_("is a folder, not a meeting file"), file=name) from None
    except PermissionError:
        raise ImportRefused(_("cannot be read (permission denied)"), file=name) from None
    except OSError as exc:
        raise ImportRefused(_("cannot be read ({value})").format(value=exc.strerror or exc), file=name) from None
    return _decode(data, name), name


def _looks_like_path(value: str) -> bool:
    if "\n" in value or not value.strip() or len(value) > 4096:
        return False
    if value.lower().endswith((".yaml", ".yml")):
        return True
    try:
        return Path(value).is_file()
    except (OSError, ValueError):
        return False


def _too_big(size: int) -> str:
    return _("is {size} MB; a meeting file may be at most {limit} MB").format(
        size=f"{size / 1024 / 1024:.1f}", limit=MAX_BYTES // 1024 // 1024
    )


def _decode(data: bytes, name: str) -> str:
    if len(data) > MAX_BYTES:
        raise ImportRefused(_too_big(len(data)), file=name)
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode("utf-8-sig" if codec == "utf-8" else codec)
            except UnicodeDecodeError as exc:
                raise ImportRefused(
                    _("is not valid {upper} text although it starts with a {upper} byte-order mark ({reason})").format(upper=codec.upper(), reason=exc.reason),
                    file=name,
                    line=data.count(b"\n", 0, exc.start) + 1,
                ) from None
            return _prepared(text)
    if b"\x00" in data:
        even = data[0::2].count(0)
        odd = data[1::2].count(0)
        half = max(1, len(data) // 2)
        if max(even, odd) > half * 0.3:
            order = "big-endian" if even > odd else "little-endian"
            raise ImportRefused(
                _("looks like UTF-16 ({order}) text without a byte-order mark; save it as UTF-8 (or as UTF-16 with a byte-order mark)").format(order=order),
                file=name,
                line=1,
            )
        raise ImportRefused(
            _("contains NUL bytes: this is not a YAML text file"),
            file=name,
            line=data.count(b"\n", 0, data.index(b"\x00")) + 1,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportRefused(
            _("is not UTF-8 text (byte 0x{data:02X} cannot start a UTF-8 character){guess_encoding}").format(data=data[exc.start], guess_encoding=_guess_encoding(data)),
            file=name,
            line=line,
        ) from None
    return _prepared(text)


def _guess_encoding(data: bytes) -> str:
    from meeting_console.core import text as tx

    detect = getattr(tx, "detect_mojibake", None)
    if detect is not None:
        # the values on lines with 8-bit bytes, read as Latin-1 (what TCVN3 and VNI become)
        votes: dict[str, int] = {}
        for raw in data.splitlines():
            if raw.isascii():
                continue
            value = raw.split(b": ", 1)[-1].decode("latin-1")
            found = detect(value)
            if found:
                votes[found] = votes.get(found, 0) + 1
        if votes:
            found = max(votes, key=lambda k: votes[k])
            return _(
                "; it looks like {found}-encoded Vietnamese: convert it to Unicode "
                "(UTF-8), e.g. with Unikey's converter"
            ).format(found=found)
    try:
        decoded = data.decode("cp1258")
    except UnicodeDecodeError:
        return _("; save the file as UTF-8")
    if re.search("[ăâđêôơưĂÂĐÊÔƠƯ\u0300\u0301\u0303\u0309\u0323]", decoded):
        return _(
            "; it looks like Windows-1258 (the Vietnamese Windows code page): save the "
            "file as UTF-8"
        )
    return _("; it may be Windows-1252 or another 8-bit code page: save the file as UTF-8")


def _prepared(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    return unicodedata.normalize("NFC", text)


# --- YAML to a node tree ------------------------------------------------------------------


def _loader() -> type[Any]:
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_NULLS = frozenset(("", "~", "null", "Null", "NULL"))


def _compose(text: str, name: str) -> yaml.Node | None:
    """The document's node tree, built in one pass over the (C) parser's events: aliases,
    unknown tags, deep nesting and a second document are refused as they come. Plain scalars
    get only the tags the reader needs (null or str); values are read from their text."""

    def refuse(message: str, event: yaml.Event) -> NoReturn:
        raise ImportRefused(message, file=name, line=_line(event))

    root: yaml.Node | None = None
    stack: list[yaml.Node] = []
    pending: list[yaml.Node | None] = []  # per open mapping: a key waiting for its value
    documents = 0
    scalar_event, mapping_start, sequence_start = (
        yaml.ScalarEvent,
        yaml.MappingStartEvent,
        yaml.SequenceStartEvent,
    )
    collection_end = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    str_tag, seq_tag, map_tag = _T + "str", _T + "seq", _T + "map"
    try:
        for event in yaml.parse(text, Loader=_loader()):
            kind = type(event)
            node: yaml.Node
            if kind is scalar_event:
                tag = event.tag
                if not tag:
                    plain = event.style is None and event.implicit[0]
                    tag = _NULL if plain and event.value in _NULLS else str_tag
                elif tag not in _ALLOWED_TAGS:
                    refuse(_("the YAML tag {tag} is not allowed").format(tag=_tag(tag)), event)
                node = yaml.ScalarNode(
                    tag, event.value, event.start_mark, event.end_mark, style=event.style
                )
            elif kind is mapping_start or kind is sequence_start:
                if event.tag and event.tag not in _ALLOWED_TAGS:
                    refuse(_("the YAML tag {tag} is not allowed").format(tag=_tag(event.tag)),
                           event)
                if len(stack) >= MAX_DEPTH:
                    refuse(
                        _("is nested more than {depth} levels deep; a meeting file never "
                          "is").format(depth=MAX_DEPTH),
                        event,
                    )
                if kind is mapping_start:
                    node = yaml.MappingNode(map_tag, [], event.start_mark, event.end_mark)
                else:
                    node = yaml.SequenceNode(seq_tag, [], event.start_mark, event.end_mark)
            elif kind in collection_end:
                stack.pop()
                pending.pop()
                continue
            elif kind is yaml.AliasEvent:
                refuse(
                    _("YAML aliases (*{anchor}) are not allowed in a meeting file "
                      "(they can multiply a small file without bound); write the value "
                      "out").format(anchor=event.anchor),
                    event,
                )
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    refuse(
                        _("is not valid YAML: holds more than one YAML document (---); a "
                          "meeting file holds one"),
                        event,
                    )
                continue
            else:
                continue
            if not stack:
                root = node
            elif pending[-1] is None and type(stack[-1]) is yaml.MappingNode:
                pending[-1] = node
            elif type(stack[-1]) is yaml.MappingNode:
                stack[-1].value.append((pending[-1], node))
                pending[-1] = None
            else:
                stack[-1].value.append(node)
            if kind is not scalar_event:
                stack.append(node)
                pending.append(None)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = int(mark.line) + 1 if mark is not None else None
        if line is None and getattr(exc, "position", None) is not None:
            line = text.count("\n", 0, int(exc.position)) + 1  # type: ignore[attr-defined]
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ImportRefused(_("is not valid YAML: {problem}").format(problem=problem), file=name, line=line or 1) from None
    if isinstance(root, yaml.ScalarNode) and root.tag == _NULL:
        return None  # a document of comments only
    return root


# --- reading nodes ------------------------------------------------------------------------


class _Reader:
    """Reads checked values out of the node tree; every refusal carries file, line, field."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.day: date | None = None
        self.tz: ZoneInfo | None = None

    def refuse(self, message: str, at: yaml.Node | int, where: str) -> NoReturn:
        raise ImportRefused(message, file=self.file, line=_line(at), field=where)

    def fields(
        self, node: yaml.Node, where: str, allowed: Sequence[str]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            what = _("the file") if not where else where
            self.refuse(
                _("{what}: expected a mapping of fields (name: value), got {kind}").format(
                    what=what, kind=_kind_of(node)),
                node,
                where,
            )
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                self.refuse(_("a field name must be a plain word"), k, where)
            name = str(k.value)
            path = f"{where}.{name}" if where else name
            if name in out:
                self.refuse(
                    _('"{name}" appears twice in the same mapping (first on line '
                      "{line})").format(name=name, line=_line(out[name][0])),
                    k,
                    path,
                )
            if name not in allowed:
                self.refuse(_('unknown field "{name}"').format(name=name)
                            + _suggest(name, allowed), k, path)
            out[name] = (k, v)
        return out

    def items(self, node: yaml.Node, where: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.refuse(
                _("expected a list (lines starting with '- '), got {kind}").format(
                    kind=_kind_of(node)), node, where
            )
        return list(node.value)

    def scalar(self, node: yaml.Node, where: str, what: str = N_("a single value")) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.refuse(_("expected {what}, got {kind}").format(what=_(what), kind=_kind_of(node)),
                        node, where)
        if node.tag == _NULL:
            return None
        if node.tag not in _ALLOWED_TAGS:
            self.refuse(_("the YAML tag {tag} is not allowed").format(tag=_tag(node.tag)), node,
                        where)
        return str(node.value)

    def checked(self, check: ed.Check, value: Any, node: yaml.Node, where: str) -> Any:
        try:
            return check(where, value)
        except (UserError, ValueError) as exc:
            message = str(exc)
            for prefix in (f"{where}: ", f"{where.rsplit('.', 1)[-1]}: "):
                if message.startswith(prefix):
                    message = message[len(prefix) :]
                    break
            self.refuse(message, node, where)

    def text(self, value: str, node: yaml.Node, where: str) -> str:
        from meeting_console.core import text as tx

        detect = getattr(tx, "detect_mojibake", None)
        found = detect(value) if detect is not None and value else None
        if found:
            self.refuse(
                _("looks like {found}-encoded text read as Unicode; convert the file "
                  "to Unicode (e.g. with Unikey's converter)").format(found=found),
                node,
                where,
            )
        return value

    def value(self, spec: Spec, node: yaml.Node, where: str) -> Any:
        kind = spec.kind
        if kind == "refs":
            return self.keys(node, where)
        if kind == "texts":
            if isinstance(node, yaml.SequenceNode):
                raw: Any = [
                    self.scalar(n, f"{where}[{i}]", N_("a text"))
                    for i, n in enumerate(node.value, start=1)
                ]
                raw = [r for r in raw if r is not None]
            else:
                raw = self.scalar(node, where, N_("a text or a list of texts"))
                if raw is None:
                    return None
            out = self.checked(spec.check, raw, node, where) if spec.check else raw
            for v in out:
                self.text(v, node, where)
            return out
        raw = self.scalar(node, where)
        if raw is None:
            return None
        if kind == "key" or kind == "ref":
            return self.key(raw, node, where)
        if kind == "text":
            out = self.checked(spec.check, raw, node, where) if spec.check else raw
            return self.text(out, node, where) if isinstance(out, str) else out
        if kind == "int":
            if not _INT_RE.fullmatch(raw.strip()):
                self.refuse(_('expected a whole number, got "{value}"').format(
                    value=_short(raw)), node, where)
            number = int(raw.strip())
            if number < 0 and spec.target in (
                "planned_minutes",
                "requested_minutes",
                "limit_minutes",
                "speaking_minutes",
                "paused_seconds",
                "expected_delegates",
                "present_delegates",
                "default_speaking_minutes",
            ):
                self.refuse(_("must not be negative, got {number}").format(number=number),
                            node, where)
            return self.checked(spec.check, number, node, where) if spec.check else number
        if kind == "bool":
            low = raw.strip().lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            self.refuse(_('expected true or false, got "{value}"').format(value=_short(raw)),
                        node, where)
        if kind == "date":
            return self.date(raw, node, where)
        if kind == "time":
            return self.moment(raw, node, where)
        raise AssertionError(kind)

    def key(self, raw: str, node: yaml.Node, where: str) -> str:
        if not KEY_RE.fullmatch(raw):
            self.refuse(
                _('"{value}" is not a key: use letters, digits, "-", "_" or "." '
                  "(no spaces, at most 100)").format(value=_short(raw)),
                node,
                where,
            )
        return raw

    def keys(self, node: yaml.Node, where: str) -> list[str]:
        out: list[str] = []
        for i, n in enumerate(self.items(node, where), start=1):
            raw = self.scalar(n, f"{where}[{i}]", N_("a key"))
            if raw is None:
                self.refuse(_("an empty key in the list"), n, f"{where}[{i}]")
            k = self.key(raw, n, f"{where}[{i}]")
            if k in out:
                self.refuse(_('"{key}" is listed twice').format(key=k), n, f"{where}[{i}]")
            out.append(k)
        return out

    def date(self, raw: str, node: yaml.Node, where: str) -> date:
        raw = raw.strip()
        if not _DATE_RE.fullmatch(raw):
            self.refuse(_('"{value}" is not a date; write it as 2022-01-14').format(
                value=_short(raw)), node, where)
        try:
            value = date.fromisoformat(raw)
        except ValueError as exc:
            self.refuse(_('"{value}" is not a date ({error})').format(value=raw, error=exc),
                        node, where)
        if not 1900 <= value.year < 2200:
            self.refuse(_('"{value}": the year must be between 1900 and 2199').format(value=raw),
                        node, where)
        return value

    def moment(self, raw: str, node: yaml.Node, where: str) -> datetime:
        raw = raw.strip()
        hint = _(
            "; write 08:00 or 08:00:30 (on the meeting's date, in its time zone) or a "
            "full date and time like 2022-01-15T00:30+07:00"
        )
        not_a_time = _('"{value}" is not a time')
        if self.day is None or self.tz is None:
            self.refuse(_("a time needs the meeting's date and time zone"), node, where)
        match = _TIME_RE.fullmatch(raw)
        if match:
            h, mi, sec, frac = match.groups()
            hour, minute, second = int(h), int(mi), int(sec or 0)
            if hour > 23 or minute > 59 or second > 59:
                self.refuse(not_a_time.format(value=raw) + hint, node, where)
            micro = int((frac or "0").ljust(6, "0"))
            return datetime.combine(self.day, time(hour, minute, second, micro), tzinfo=self.tz)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}.*", raw):
            self.refuse(not_a_time.format(value=_short(raw)) + hint, node, where)
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            self.refuse(not_a_time.format(value=_short(raw)) + hint, node, where)
        if value.tzinfo is None:
            self.refuse(
                _('"{value}": a full date and time needs its UTC offset '
                  "(2022-01-15T00:30+07:00)").format(value=raw),
                node,
                where,
            )
        if not 1900 <= value.year < 2200:
            self.refuse(_('"{value}": the year must be between 1900 and 2199').format(value=raw),
                        node, where)
        return value

    def entry(
        self,
        node: yaml.Node,
        where: str,
        specs: Sequence[Spec],
        pre: Callable[[dict[str, tuple[yaml.Node, yaml.Node]]], None] | None = None,
    ) -> Entry:
        given = self.fields(node, where, [s.name for s in specs])
        if pre is not None:
            pre(given)
        by_name = {s.name: s for s in specs}
        key: str | None = None
        values: dict[str, Any] = {}
        refs: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for name, (_k, v) in given.items():
            spec = by_name[name]
            path = f"{where}.{name}"
            value = self.value(spec, v, path)
            if value is None or (spec.kind == "refs" and not value):
                continue
            lines[name] = _line(v)
            if spec.kind == "key":
                key = value
            elif spec.kind in ("ref", "refs"):
                refs[str(spec.target)] = value
            else:
                values[str(spec.target)] = value
        for spec in specs:
            if spec.required and spec.name not in lines:
                at = given[spec.name][1] if spec.name in given else node
                what = (_('"{name}" is missing') if spec.name not in given
                        else _('"{name}" must not be empty'))
                self.refuse(what.format(name=spec.name), at, f"{where}.{spec.name}")
        return Entry(key, values, refs, _line(node), where, lines)


# --- the whole document -------------------------------------------------------------------


def read_meeting_file(
    path_or_text: str | os.PathLike[str] | bytes, *, source_name: str | None = None
) -> MeetingDoc:
    """Parse and check a meeting file without writing anything (for a preview).

    ``path_or_text``: a path, the file's bytes, or its text. Raises ``ImportRefused`` naming
    the file, line and field of the first problem."""
    with _gc_paused():
        return _read(path_or_text, source_name)


def _read(path_or_text: str | os.PathLike[str] | bytes, source_name: str | None) -> MeetingDoc:
    text, name = _load_source(path_or_text, source_name)
    root = _compose(text, name)
    r = _Reader(name)
    if root is None:
        raise ImportRefused(
            _("is empty; a meeting file starts with 'format: {FORMAT}'").format(FORMAT=FORMAT), file=name, line=1
        )
    top = r.fields(root, "", TOP_LEVEL)
    if "format" not in top:
        r.refuse(
            _('"format" is missing: a meeting file starts with "format: {format}"').format(
                format=FORMAT), root, "format"
        )
    fmt_node = top["format"][1]
    fmt = r.scalar(fmt_node, "format")
    if fmt != FORMAT:
        extra = (
            _(" (written by a newer Meeting Console?)")
            if fmt and fmt.startswith("meeting-console/")
            else ""
        )
        r.refuse(
            _('this console reads "{format}", the file says "{value}"{extra}').format(
                format=FORMAT, value=_short(fmt or ""), extra=extra),
            fmt_node,
            "format",
        )
    if "meeting" not in top:
        r.refuse(_('"{name}" is missing').format(name="meeting"), root, "meeting")

    def meeting_pre(given: dict[str, tuple[yaml.Node, yaml.Node]]) -> None:
        # the date and time zone first: every time in the file is read against them
        if "date" in given:
            raw = r.scalar(given["date"][1], "meeting.date")
            if raw is not None:
                r.day = r.date(raw, given["date"][1], "meeting.date")
        tz = "Asia/Ho_Chi_Minh"
        if "timezone" in given:
            raw = r.scalar(given["timezone"][1], "meeting.timezone")
            if raw is not None:
                tz = r.checked(ed.timezone(), raw, given["timezone"][1], "meeting.timezone")
        r.tz = ZoneInfo(tz)

    meeting = r.entry(top["meeting"][1], "meeting", MEETING_SPECS, meeting_pre)
    sections: dict[str, tuple[Entry, ...]] = {}
    for section, specs in SECTIONS.items():
        entries: list[Entry] = []
        if section in top:
            for i, node in enumerate(r.items(top[section][1], section), start=1):
                entries.append(r.entry(node, f"{section}[{i}]", specs))
        sections[section] = tuple(entries)
    doc = MeetingDoc(source=name, meeting=meeting, **sections)
    _cross_check(doc, r)
    return doc


def _cross_check(doc: MeetingDoc, r: _Reader) -> None:
    """What no single field shows: keys, references, order, and the rules of each record."""
    keys: dict[str, dict[str, Entry]] = {}
    for section in ("organisations", "endpoints", "people", "agenda"):
        seen: dict[str, Entry] = {}
        for e in getattr(doc, section):
            assert e.key is not None
            if e.key in seen:
                r.refuse(
                    _('duplicate key "{key}" (also {where}, line {line})').format(
                        key=e.key, where=seen[e.key].where, line=seen[e.key].line_of("key")),
                    e.line_of("key"),
                    f"{e.where}.key",
                )
            seen[e.key] = e
        keys[section] = seen

    specs_of = {"meeting": MEETING_SPECS, **SECTIONS}
    for section, entries in (
        ("meeting", (doc.meeting,)),
        *((s, getattr(doc, s)) for s in SECTIONS),
    ):
        for e in entries:
            for spec in specs_of[section]:
                if spec.kind not in ("ref", "refs") or str(spec.target) not in e.refs:
                    continue
                value = e.refs[str(spec.target)]
                for i, k in enumerate(value if spec.kind == "refs" else [value], start=1):
                    if k not in keys[spec.section]:
                        where = f"{e.where}.{spec.name}" + (f"[{i}]" if spec.kind == "refs" else "")
                        r.refuse(
                            _(UNKNOWN_REF[spec.section]).format(key=k)
                            + _suggest(k, keys[spec.section], _(KNOWN_KEYS[spec.section])),
                            e.line_of(spec.name),
                            where,
                        )

    _unique(r, doc.organisations, "name", N_('duplicate organisation name "{value}" (also '
                                             "{where}, line {line})"))
    _unique(r, doc.endpoints, "name", N_('duplicate endpoint name "{value}" (also {where}, '
                                         "line {line})"))
    _unique(r, doc.endpoints, "code", N_('duplicate endpoint code "{value}" (also {where}, '
                                         "line {line})"), fold=True)
    _unique(r, doc.award_types, "name", N_('duplicate award type "{value}" (also {where}, '
                                           "line {line})"))

    _check_span(r, doc.meeting, "actual_start", "actual_end")
    previous: Entry | None = None
    live_items = []
    for e in doc.agenda:
        _check_span(r, e, "actual_start", "actual_end")
        start = e.values.get("planned_start")
        if start is not None:
            if previous is not None and start < previous.values["planned_start"]:
                r.refuse(
                    _("the planned start is before that of {where} (line {line}); list the "
                      "agenda in time order").format(where=previous.where,
                                                     line=previous.line_of("start")),
                    e.line_of("start"),
                    f"{e.where}.start",
                )
            previous = e
        if e.values.get("status") in ("running", "paused"):
            live_items.append(e)
    if len(live_items) > 1:
        e = live_items[1]
        r.refuse(
            _("only one item can be running or paused; {where} is too").format(
                where=live_items[0].where),
            e.line_of("status"),
            f"{e.where}.status",
        )

    live_speakers = []
    for e in doc.speakers:
        _check_span(r, e, "actual_start", "actual_end")
        if e.values.get("status") in ("speaking", "paused"):
            live_speakers.append(e)
    if len(live_speakers) > 1:
        e = live_speakers[1]
        r.refuse(
            _("only one speaker can have the floor; {where} has it too").format(
                where=live_speakers[0].where),
            e.line_of("status"),
            f"{e.where}.status",
        )

    for e in doc.awards:
        person = e.refs.get("recipient_person_id")
        org = e.refs.get("recipient_org_id")
        if (person is None) == (org is None):
            r.refuse(
                (_("give a recipient (a person key) or a recipient_org (an organisation key), "
                   "not both") if person else
                 _("give a recipient (a person key) or a recipient_org (an organisation key)")),
                e.line_of("recipient_org" if person else "award"),
                f"{e.where}.recipient",
            )
        if org is not None:
            for name, why in (
                ("recipient_post", N_("a collective has no post")),
                ("posthumous", N_("only a person can be honoured posthumously")),
            ):
                if e.values.get(name):
                    r.refuse(_(why), e.line_of(name), f"{e.where}.{name}")
        if e.values.get("posthumous") and not e.values.get("received_by"):
            r.refuse(
                _("a posthumous award needs received_by: the relative or representative "
                  "who receives it"),
                e.line_of("posthumous"),
                f"{e.where}.received_by",
            )

    first_of: dict[int, Entry] = {}
    previous_label: int | None = None
    for e in doc.awards:
        label = e.values.get("group_no")
        if label is not None and label in first_of and label != previous_label:
            start = first_of[label]
            r.refuse(
                _("the awards of group {group} are presented together: list them one after "
                  "another (the group starts at {where}, line {line})").format(
                    group=label, where=start.where, line=start.line_of("group")),
                e.line_of("group"),
                f"{e.where}.group",
            )
        if label is not None:
            first_of.setdefault(label, e)
        previous_label = label

    names = [t.values["name"] for t in doc.award_types]
    for i, t in enumerate(doc.award_types):
        after = t.values.get("after")
        if after is not None and after == t.values["name"]:
            r.refuse(_("an award type cannot follow itself"), t.line_of("after"),
                     f"{t.where}.after")
        if after is not None and after in names[i + 1 :]:
            r.refuse(
                _('"{name}" is defined further down; list it first').format(name=after),
                t.line_of("after"),
                f"{t.where}.after",
            )


def _unique(
    r: _Reader, entries: Sequence[Entry], column: str, message: str, *, fold: bool = False
) -> None:
    seen: dict[str, Entry] = {}
    for e in entries:
        value = e.values.get(column)
        if not value:
            continue
        k = value.casefold() if fold else value
        if k in seen:
            r.refuse(
                _(message).format(value=value, where=seen[k].where,
                                  line=seen[k].line_of(column)),
                e.line_of(column),
                f"{e.where}.{column}",
            )
        seen[k] = e


def _check_span(r: _Reader, e: Entry, start: str, end: str) -> None:
    a, b = e.values.get(start), e.values.get(end)
    if a is not None and b is not None and b < a:
        r.refuse(
            _("ends before it starts ({start} is later than {end})").format(
                start=start, end=end),
            e.line_of(end),
            f"{e.where}.{end}",
        )


# --- checks against the database ----------------------------------------------------------


def _refuse_at(doc: MeetingDoc, e: Entry, name: str, message: str) -> NoReturn:
    raise ImportRefused(message, file=doc.source, line=e.line_of(name), field=f"{e.where}.{name}")


def _chunks(values: Sequence[Any], size: int = 900) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _directory(s: Session, column: Any, values: Sequence[Any]) -> dict[Any, m.Endpoint]:
    """Directory endpoints by name (or code), looked up a few hundred at a time."""
    out: dict[Any, m.Endpoint] = {}
    for chunk in _chunks(list(dict.fromkeys(values))):
        for ep in s.scalars(select(m.Endpoint).where(column.in_(chunk))):
            out[getattr(ep, column.key)] = ep
    return out


def _check_store(s: Session, doc: MeetingDoc, extra_award_names: Iterable[str] = ()) -> None:
    """Refusals only the database can find: directory endpoints that disagree with the file,
    award types that do not exist. Reads only."""
    by_name = _directory(s, m.Endpoint.name, [e.values["name"] for e in doc.endpoints])
    by_code = _directory(
        s, m.Endpoint.code, [e.values["code"] for e in doc.endpoints if e.values.get("code")]
    )
    for e in doc.endpoints:
        name = e.values["name"]
        existing = by_name.get(name)
        if existing is not None:
            for column in ("kind", "code"):
                if column in e.values and e.values[column] != getattr(existing, column):
                    _refuse_at(
                        doc,
                        e,
                        column,
                        _('the directory has endpoint "{name}" with {column} {value}, the '
                          "file says {given}; make them agree").format(
                            name=name, column=column, value=repr(getattr(existing, column)),
                            given=repr(e.values[column])),
                    )
        code = e.values.get("code")
        if code:
            other = by_code.get(code)
            if other is not None and other.name != name:
                _refuse_at(
                    doc,
                    e,
                    "code",
                    _('code "{code}" belongs to the directory endpoint "{name}"').format(
                        code=code, name=other.name),
                )
    known = {t.name: t for t in s.scalars(select(m.AwardType))}
    names = set(known) | set(extra_award_names)
    for t in doc.award_types:
        name = t.values["name"]
        after = t.values.get("after")
        if after is not None and after not in names:
            _refuse_at(doc, t, "after", _('unknown award type "{name}"').format(name=after)
                       + _suggest(after, names))
        old = known.get(name)
        if old is not None:
            for column in ("category", "authority", "authority_kind"):
                if column in t.values and t.values[column] != getattr(old, column):
                    _refuse_at(
                        doc,
                        t,
                        column,
                        _('the catalogue has "{name}" with {column} {value}, the file says '
                          "{given}").format(name=name, column=column,
                                            value=repr(getattr(old, column)),
                                            given=repr(t.values[column])),
                    )
        names.add(name)
    for g in doc.awards:
        award = g.values["award"]
        if award not in names:
            _refuse_at(
                doc,
                g,
                "award",
                _('"{name}" is neither in the award catalogue nor in award_types').format(
                    name=award) + _suggest(award, names),
            )


# --- import -------------------------------------------------------------------------------


def import_meeting(
    core: Core, path_or_text: str | os.PathLike[str] | bytes, *, source_name: str | None = None
) -> Changes:
    """Read a meeting file and write it as a new meeting; ``Changes.result`` is its id.

    One operation ("Import meeting"): one transaction, one journal entry, undone as a whole.
    A refused file (``ImportRefused``) leaves the database as it was."""
    doc = read_meeting_file(path_or_text, source_name=source_name)
    from meeting_console.core.catalogue import load_catalogue, seed_catalogue

    with core.reading() as s:
        _check_store(s, doc, extra_award_names=[e.name for e in load_catalogue()])
    seed_catalogue(core)
    try:
        with _gc_paused():
            return write_meeting(core, doc)
    except (ImportRefused, StoreError):
        raise  # a store failure (disk full, locked, read-only) is not the file's fault
    except UserError as exc:
        # another console changed the directory or catalogue between the check and the write
        raise ImportRefused(str(exc), file=doc.source) from None


@operation(N_("Import meeting"))
def write_meeting(tx: Tx, doc: MeetingDoc) -> int:
    """Write a checked meeting file as a new meeting (prefer ``import_meeting``)."""
    from meeting_console.core.catalogue import add_award_type

    s = tx.session
    _check_store(s, doc)
    meeting = m.Meeting(created_at=tx.now, **doc.meeting.values)
    s.add(meeting)
    s.flush()
    tx.meeting_id = meeting.id
    mid = meeting.id

    for t in doc.award_types:
        name = t.values["name"]
        if s.scalars(select(m.AwardType.id).where(m.AwardType.name == name)).first():
            continue
        after = t.values.get("after")
        after_id = (
            s.scalars(select(m.AwardType.id).where(m.AwardType.name == after)).first()
            if after
            else None
        )
        add_award_type.__wrapped__(  # type: ignore[attr-defined]
            tx,
            name,
            category=t.values.get("category", "other"),
            authority=t.values.get("authority", ""),
            authority_kind=t.values.get("authority_kind", "other"),
            after_id=after_id,
        )

    ids: dict[str, dict[str, int]] = {}

    def added(section: str, rows: list[tuple[Entry, m.Base]]) -> None:
        s.add_all([row for _e, row in rows])
        s.flush()
        ids[section] = {str(e.key): int(row.id) for e, row in rows}  # type: ignore[attr-defined]

    def resolved(e: Entry, sections: dict[str, str]) -> dict[str, Any]:
        return {
            column: ids[section][e.refs[column]]
            for column, section in sections.items()
            if column in e.refs
        }

    added(
        "organisations",
        [(e, m.Organisation(meeting_id=mid, **e.values)) for e in doc.organisations],
    )

    directory = _directory(s, m.Endpoint.name, [e.values["name"] for e in doc.endpoints])
    new = []
    for e in doc.endpoints:
        if e.values["name"] not in directory:
            ep = m.Endpoint(**{k: v for k, v in e.values.items() if k in DIRECTORY_COLUMNS})
            directory[ep.name] = ep
            new.append(ep)
    s.add_all(new)
    s.flush()
    rows: list[tuple[Entry, m.Base]] = []
    for position, e in enumerate(doc.endpoints, start=1):
        part = {k: v for k, v in e.values.items() if k not in DIRECTORY_COLUMNS}
        me = m.MeetingEndpoint(
            meeting_id=mid, endpoint_id=directory[e.values["name"]].id, position=position, **part
        )
        rows.append((e, me))
    added("endpoints", rows)

    chairs = {k: i for i, k in enumerate(doc.meeting.refs.get("chairs", []), start=1)}
    recorder = doc.meeting.refs.get("recorder")
    added(
        "people",
        [
            (
                e,
                m.Person(
                    meeting_id=mid,
                    chair_order=chairs.get(str(e.key)),
                    is_recorder=e.key == recorder,
                    **e.values,
                    **resolved(
                        e, {"organisation_id": "organisations", "meeting_endpoint_id": "endpoints"}
                    ),
                ),
            )
            for e in doc.people
        ],
    )

    added(
        "agenda",
        [
            (
                e,
                m.AgendaItem(
                    meeting_id=mid,
                    position=position,
                    **e.values,
                    **resolved(e, {"presenter_id": "people"}),
                ),
            )
            for position, e in enumerate(doc.agenda, start=1)
        ],
    )

    queue: dict[int, int] = {}
    requests = []
    for e in doc.speakers:
        refs = resolved(
            e,
            {"agenda_item_id": "agenda", "person_id": "people", "meeting_endpoint_id": "endpoints"},
        )
        position = None
        if e.values.get("status", "queued") in QUEUE_STATUSES:
            position = queue[refs["agenda_item_id"]] = queue.get(refs["agenda_item_id"], 0) + 1
        requests.append(m.SpeakerRequest(meeting_id=mid, position=position, **e.values, **refs))
    s.add_all(requests)

    # ``group`` in the file is a label; stored, a group is numbered by its place in the
    # ceremony (1, 2, 3 …), as core.ceremony keeps it
    types = {name: id_ for name, id_ in s.execute(select(m.AwardType.name, m.AwardType.id))}
    grants = []
    number, label = 0, None
    for position, e in enumerate(doc.awards, start=1):
        values = dict(e.values)
        award = values.pop("award")
        given = values.pop("group_no", None)
        if given is None or given != label:
            number += 1
        label = given
        values["group_no"] = number
        refs = resolved(
            e,
            {
                "recipient_person_id": "people",
                "recipient_org_id": "organisations",
                "presenter_id": "people",
                "meeting_endpoint_id": "endpoints",
                "agenda_item_id": "agenda",
            },
        )
        kind = "collective" if "recipient_org_id" in refs else "individual"
        grants.append(
            m.AwardGrant(
                meeting_id=mid,
                award_type_id=types[award],
                recipient_kind=kind,
                ceremony_position=position,
                **values,
                **refs,
            )
        )
    s.add_all(grants)

    s.add_all(
        [
            m.EndpointStatusEvent(**e.values, **resolved(e, {"meeting_endpoint_id": "endpoints"}))
            for e in doc.history
        ]
    )
    s.flush()
    return mid


# --- export -------------------------------------------------------------------------------


class _Quoted(str):
    """A string written in double quotes (times: "08:00" reads the same everywhere)."""


# The export writes its own YAML: the structure is fixed and simple, and libyaml's emitter
# neither indents lists under their key nor writes block text, while PyYAML's is slow.
_PLAIN = re.compile(r"[^\W_][^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]*")
_LITERAL_BAD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]')
_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
    '"': '\\"',
    "\\": "\\\\",
}
_RESOLVER = yaml.resolver.Resolver()


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}"


def _double_quoted(value: str) -> str:
    return '"' + _ESCAPE.sub(_escape, value) + '"'


def _plain_ok(value: str) -> bool:
    """Whether a text reads back as the same text, and as text, when written bare."""
    return (
        _PLAIN.fullmatch(value) is not None
        and value == value.strip()
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
        and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _T + "str"
    )


def _literal_ok(value: str) -> bool:
    """Whether a multi-line text can be written as a ``|-`` block and read back the same."""
    return (
        "\n" in value
        and value[0] not in " \t\n"
        and value == value.rstrip()
        and _LITERAL_BAD.search(value) is None
    )


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, _Quoted) or not _plain_ok(value):
        return _double_quoted(str(value))
    return str(value)


def _emit_value(prefix: str, value: Any, indent: int, lines: list[str]) -> None:
    """``prefix`` ("key: " or "- ") and the value; a block's lines at ``indent``."""
    if isinstance(value, dict):
        lines.append(prefix.rstrip())
        _emit_mapping(value, indent, lines)
    elif isinstance(value, list):
        if not value:
            lines.append(prefix + "[]")
            return
        lines.append(prefix.rstrip())
        for item in value:
            dash = " " * indent + "- "
            if isinstance(item, dict) and item:
                _emit_mapping(item, indent + 2, lines, first=dash)
            else:
                _emit_value(dash, item, indent + 2, lines)
    elif isinstance(value, str) and not isinstance(value, _Quoted) and _literal_ok(value):
        lines.append(prefix + "|-")
        lines.extend(" " * indent + line if line else "" for line in value.split("\n"))
    else:
        lines.append(prefix + _scalar(value))


def _emit_mapping(
    mapping: dict[str, Any], indent: int, lines: list[str], first: str | None = None
) -> None:
    for i, (key, value) in enumerate(mapping.items()):
        prefix = first if i == 0 and first is not None else " " * indent
        _emit_value(f"{prefix}{key}: ", value, indent + 2, lines)


def _yaml_text(doc: dict[str, Any]) -> str:
    lines = [f"# Meeting Console meeting file ({FORMAT}); the format: docs/meeting-file.md"]
    for i, (key, value) in enumerate(doc.items()):
        if i > 1:
            lines.append("")  # a blank line before each section, for the eye
        _emit_value(f"{key}: ", value, 2, lines)
    return "\n".join(lines) + "\n"


def format_time(value: datetime, meeting_date: date, tz: str) -> str:
    """ "08:00" (seconds only when not zero) on the meeting's date, else a full ISO time
    with the offset of the meeting's zone."""
    zone = ZoneInfo(tz)
    local = value.astimezone(zone)
    spec = (
        "minutes"
        if local.second == 0 and local.microsecond == 0
        else ("seconds" if local.microsecond == 0 else "microseconds")
    )
    if local.date() == meeting_date:
        short = local.time().isoformat(timespec=spec)
        back = datetime.combine(meeting_date, local.time(), tzinfo=zone)
        if back.astimezone(UTC) == value.astimezone(UTC):  # not a repeated hour (DST)
            return short
    return local.isoformat(timespec=spec)


def _keys(names: Sequence[str], **kw: Any) -> list[str]:
    out: list[str] = []
    used: set[str] = set()
    for n in names:
        base = slug(n, **kw)
        k, i = base, 2
        while k in used:
            k, i = f"{base}-{i}", i + 1
        used.add(k)
        out.append(k)
    return out


def _default(model: type[m.Base], column: str) -> Any:
    col = model.__table__.c[column]  # type: ignore[attr-defined]
    d = col.default
    if d is None or d.is_callable:
        return None
    return d.arg


def _fields(
    info: Any,
    specs: Sequence[Spec],
    model: type[m.Base],
    day: date,
    tz: str,
    refs: dict[str, dict[int, str]],
    always: Sequence[str] = (),
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in specs:
        if spec.kind in ("key", "refs") or spec.target is None:
            continue
        value = getattr(info, spec.target, None)
        if spec.kind == "ref":
            if value is not None:
                out[spec.name] = refs[spec.section][value]
            continue
        if spec.name not in always:
            if value is None or value in ("", (), []):
                continue
            if spec.target in model.__table__.c and value == _default(model, spec.target):  # type: ignore[attr-defined]
                continue
        if spec.kind == "time":
            out[spec.name] = _Quoted(format_time(value, day, tz))
        elif spec.kind == "texts":
            out[spec.name] = list(value)
        else:
            out[spec.name] = value
    return out


def _status_history(core: Core, endpoint_ids: Sequence[int]) -> list[reads.StatusEventInfo]:
    """The status events of these meeting endpoints, by endpoint (in the given order), then
    time: what ``reads.status_events`` gives for each, in a few queries instead of one each."""
    rank = {me_id: i for i, me_id in enumerate(endpoint_ids)}
    events: list[reads.StatusEventInfo] = []
    with core.reading() as s:
        for chunk in _chunks(list(endpoint_ids)):
            for ev in s.scalars(
                select(m.EndpointStatusEvent).where(
                    m.EndpointStatusEvent.meeting_endpoint_id.in_(chunk)
                )
            ):
                events.append(
                    reads.StatusEventInfo(
                        id=ev.id,
                        meeting_endpoint_id=ev.meeting_endpoint_id,
                        at=ev.at,
                        status=ev.status,
                        automatic=ev.automatic,
                        detail=ev.detail,
                    )
                )
    events.sort(key=lambda ev: (rank[ev.meeting_endpoint_id], ev.at, ev.id))
    return events


def dump_meeting(core: Core, meeting_id: int) -> str:
    """The meeting as a meeting file (text): stable keys and order, readable by
    ``import_meeting`` to give the same meeting back."""
    with _gc_paused():
        return _dump(core, meeting_id)


def _dump(core: Core, meeting_id: int) -> str:
    from meeting_console.core.catalogue import award_types

    snap = reads.snapshot(core, meeting_id)
    mt = snap.meeting
    day, tz = mt.date, mt.timezone
    directory = {e.id: e for e in reads.directory(core)}
    refs: dict[str, dict[int, str]] = {
        "organisations": dict(
            zip(
                [o.id for o in snap.organisations],
                _keys([o.name for o in snap.organisations]),
                strict=True,
            )
        ),
        "endpoints": dict(
            zip(
                [e.id for e in snap.endpoints], _keys([e.name for e in snap.endpoints]), strict=True
            )
        ),
        "people": dict(
            zip([p.id for p in snap.people], _keys([p.full_name for p in snap.people]), strict=True)
        ),
        "agenda": dict(
            zip(
                [i.id for i in snap.agenda],
                _keys([i.title for i in snap.agenda], max_words=5),
                strict=True,
            )
        ),
    }

    meeting = _fields(
        mt,
        MEETING_SPECS,
        m.Meeting,
        day,
        tz,
        refs,
        always=("title", "date", "timezone", "form", "status"),
    )
    if snap.chairs:
        meeting["chairs"] = [refs["people"][p.id] for p in snap.chairs]
    if snap.recorder is not None:
        meeting["recorder"] = refs["people"][snap.recorder.id]

    doc: dict[str, Any] = {"format": FORMAT, "meeting": meeting}

    used = {g.award_type_id for g in snap.grants}
    types = award_types(core)
    own = [t for t in types if not t.builtin and t.id in used]
    if own:
        listed: list[dict[str, Any]] = []
        written = {t.name for t in types if t.builtin}
        for t in own:
            before = [o for o in types if o.precedence < t.precedence and o.name in written]
            entry: dict[str, Any] = {"name": t.name, "category": t.category}
            if t.authority:
                entry["authority"] = t.authority
            entry["authority_kind"] = t.authority_kind
            if before:
                entry["after"] = before[-1].name
            listed.append(entry)
            written.add(t.name)
        doc["award_types"] = listed

    doc["organisations"] = [
        {
            "key": refs["organisations"][o.id],
            **_fields(o, ORGANISATION_SPECS, m.Organisation, day, tz, refs),
        }
        for o in snap.organisations
    ]
    endpoints = []
    for e in snap.endpoints:
        d = directory.get(e.endpoint_id)
        row = {
            "key": refs["endpoints"][e.id],
            **_fields(e, ENDPOINT_SPECS, m.MeetingEndpoint, day, tz, refs),
        }
        for column in ("name", "kind", "code", "address"):
            row.pop(column, None)
        directory_part: dict[str, Any] = {"name": e.name}
        if e.kind != "other":
            directory_part["kind"] = e.kind
        for column, value in (
            ("code", e.code),
            ("address", e.address),
            ("host_name", d.host_name if d else ""),
        ):
            if value:
                directory_part[column] = value
        endpoints.append({"key": row.pop("key"), **directory_part, **row})
    doc["endpoints"] = endpoints
    doc["people"] = [
        {"key": refs["people"][p.id], **_fields(p, PERSON_SPECS, m.Person, day, tz, refs)}
        for p in snap.people
    ]
    doc["agenda"] = [
        {"key": refs["agenda"][i.id], **_fields(i, ITEM_SPECS, m.AgendaItem, day, tz, refs)}
        for i in snap.agenda
    ]
    doc["speakers"] = [
        _fields(r, SPEAKER_SPECS, m.SpeakerRequest, day, tz, refs) for r in snap.speakers
    ]

    # a group of several grants is written with its number; a grant on its own without
    # (group 0 also means "on its own", see core.ceremony)
    size: dict[int, int] = {}
    for g in snap.grants:
        size[g.group_no] = size.get(g.group_no, 0) + 1
    awards = []
    for g in snap.grants:
        row = {"award": g.award_name, **_fields(g, AWARD_SPECS, m.AwardGrant, day, tz, refs)}
        row.pop("group", None)
        if g.group_no and size[g.group_no] > 1:
            row["group"] = g.group_no
        if g.recipient_kind == "collective":
            row.pop("recipient", None)
        awards.append(_ordered(row, [s.name for s in AWARD_SPECS]))
    doc["awards"] = awards

    history = [
        _fields(ev, HISTORY_SPECS, m.EndpointStatusEvent, day, tz, refs, always=("status",))
        for ev in _status_history(core, [e.id for e in snap.endpoints])
    ]
    if history:
        doc["history"] = history

    return _yaml_text(doc)


def _ordered(row: dict[str, Any], order: Sequence[str]) -> dict[str, Any]:
    return {k: row[k] for k in order if k in row}


def export_meeting(core: Core, meeting_id: int, path: str | os.PathLike[str]) -> Path:
    """Write the meeting file to ``path`` atomically: a temporary file in the same folder,
    then ``os.replace`` (never a half-written file under the target name)."""
    target = Path(os.fspath(path))
    data = dump_meeting(core, meeting_id).encode("utf-8")
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target
