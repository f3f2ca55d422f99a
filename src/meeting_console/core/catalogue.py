"""The award catalogue: the award types a ceremony can present, in legal precedence.

The shipped catalogue (``resources/awards/catalogue.yaml``) lists the awards highest first;
``seed_catalogue`` copies the entries a database lacks into ``award_type`` as built-in types.
A secretariat adds its own types (a ministry's Bằng khen, a Party badge) between two others;
the order is the ``precedence`` column, lower number = higher rank, spaced by 10 so that a
type can usually slip in without touching its neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from meeting_console.core import vocab
from meeting_console.core.api import Core, Tx, operation
from meeting_console.core.text import nfc
from meeting_console.errors import ImportRefused, OperationRefused
from meeting_console.i18n import N_, _
from meeting_console.paths import resource
from meeting_console.store import models as m

STEP = 10
NAME_MAX = 300
AUTHORITY_MAX = 300
ENTRY_KEYS = ("name", "category", "authority", "authority_kind")
EDITABLE = frozenset(ENTRY_KEYS)


@dataclass(frozen=True)
class CatalogueEntry:
    """One award of the shipped catalogue; its rank is its place in the list."""

    name: str
    category: str
    authority: str
    authority_kind: str


@dataclass(frozen=True)
class AwardTypeInfo:
    id: int
    name: str
    precedence: int
    category: str
    authority: str
    authority_kind: str
    builtin: bool


# --- the catalogue file -------------------------------------------------------------------


def default_path() -> Path:
    return resource("awards", "catalogue.yaml")


def _entry_lines(text: str) -> list[int | None]:
    """The line (1-based) where each top-level list item starts, for error messages."""
    import yaml  # here, not at the top: the console's start-up reads award types, never YAML

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in node.value]


def _clean(
    value: Any, *, what: str, max_len: int, file: str, line: int | None, required: bool
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ImportRefused(_("expected text, got {value}").format(value=repr(value)), file=file, line=line, field=what)
    out = " ".join(nfc(value).split())
    if required and not out:
        raise ImportRefused(_("must not be empty"), file=file, line=line, field=what)
    if len(out) > max_len:
        raise ImportRefused(_("longer than {max_len} characters").format(max_len=max_len), file=file, line=line, field=what)
    return out


def load_catalogue(path: str | Path | None = None) -> list[CatalogueEntry]:
    """Read and check a catalogue file (a YAML list of entries, highest rank first).

    Text is normalised to NFC and its spaces collapsed. Raises ``ImportRefused`` naming the
    file (and the entry's line and field) when the file cannot be read, is not YAML, or holds
    an entry with a missing name, an unknown key, category or authority kind, or a name that
    repeats."""
    p = Path(path) if path is not None else default_path()
    file = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportRefused(_("no such file"), file=file) from None
    except UnicodeDecodeError:
        raise ImportRefused(_("is not UTF-8 text"), file=file) from None
    except OSError as exc:
        raise ImportRefused(_("cannot be read ({value})").format(value=exc.strerror or exc), file=file) from None
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "unreadable"
        raise ImportRefused(
            _("is not valid YAML: {problem}").format(problem=problem),
            file=file,
            line=mark.line + 1 if mark is not None else None,
        ) from None
    if not isinstance(data, list):
        raise ImportRefused(_("expected a list of awards, highest rank first"), file=file)
    lines = _entry_lines(text)
    entries: list[CatalogueEntry] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(data):
        line = lines[index] if index < len(lines) else None
        if not isinstance(raw, dict):
            raise ImportRefused(
                _("entry {value}: expected name, category, authority, authority_kind").format(value=index + 1),
                file=file,
                line=line,
            )
        unknown = sorted(str(k) for k in raw if k not in ENTRY_KEYS)
        if unknown:
            raise ImportRefused(
                _("entry {value}: unknown key(s) {fields}").format(value=index + 1, fields=', '.join(unknown)),
                file=file,
                line=line,
                field=unknown[0],
            )
        name = _clean(
            raw.get("name"), what="name", max_len=NAME_MAX, file=file, line=line, required=True
        )
        category = raw.get("category", "other")
        if category not in vocab.AWARD_CATEGORIES:
            raise ImportRefused(
                _("{name}: unknown category {category} (one of {fields})").format(name=name, category=repr(category), fields=', '.join(vocab.AWARD_CATEGORIES)),
                file=file,
                line=line,
                field="category",
            )
        kind = raw.get("authority_kind", "other")
        if kind not in vocab.AUTHORITY_KINDS:
            raise ImportRefused(
                _("{name}: unknown authority kind {kind} (one of {fields})").format(name=name, kind=repr(kind), fields=', '.join(vocab.AUTHORITY_KINDS)),
                file=file,
                line=line,
                field="authority_kind",
            )
        authority = _clean(
            raw.get("authority"),
            what="authority",
            max_len=AUTHORITY_MAX,
            file=file,
            line=line,
            required=False,
        )
        if name in seen:
            raise ImportRefused(
                _("{name}: listed twice (entries {seen} and {value})").format(name=name, seen=seen[name], value=index + 1),
                file=file,
                line=line,
                field="name",
            )
        seen[name] = index + 1
        entries.append(CatalogueEntry(name, category, authority, kind))
    return entries


# --- operations ---------------------------------------------------------------------------


@operation(N_("Load award catalogue"), undoable=False)
def seed_catalogue(tx: Tx, path: str | Path | None = None) -> int:
    """Add the catalogue's awards that the database lacks (matched by name), as built-in
    types with precedence 10 × their place in the list; returns how many were added.

    Existing rows, built-in or not, are left as they are, so running it again changes
    nothing and journals nothing."""
    entries = load_catalogue(path)
    existing = set(tx.session.scalars(select(m.AwardType.name)))
    added = 0
    for index, e in enumerate(entries):
        if e.name in existing:
            continue
        tx.session.add(
            m.AwardType(
                name=e.name,
                precedence=STEP * (index + 1),
                category=e.category,
                authority=e.authority,
                authority_kind=e.authority_kind,
                builtin=True,
            )
        )
        added += 1
    tx.session.flush()
    return added


def _ordered(tx: Tx) -> list[m.AwardType]:
    return list(
        tx.session.scalars(select(m.AwardType).order_by(m.AwardType.precedence, m.AwardType.id))
    )


def _slot(
    others: list[m.AwardType], before_id: int | None, after_id: int | None, *, default_end: bool
) -> int:
    """Where in ``others`` (the order without the placed type) it goes: an index."""
    ids = [t.id for t in others]
    b = ids.index(before_id) if before_id is not None else None
    a = ids.index(after_id) if after_id is not None else None
    if a is not None and b is not None:
        if a + 1 != b:
            raise OperationRefused(_("the two award types given are not next to each other"))
        return b
    if b is not None:
        return b
    if a is not None:
        return a + 1
    if default_end:
        return len(others)
    raise OperationRefused(_("say which award type it goes before or after"))


def _check_neighbours(
    tx: Tx, placed_id: int | None, before_id: int | None, after_id: int | None
) -> None:
    for ref in (before_id, after_id):
        if ref is None:
            continue
        tx.get(m.AwardType, ref, "award type")
        if ref == placed_id:
            raise OperationRefused(_("an award type cannot be placed next to itself"))


def _place(others: list[m.AwardType], index: int, obj: m.AwardType) -> None:
    """Give ``obj`` a precedence between its new neighbours, renumbering every type by
    steps of 10 when there is no whole number between them."""
    lo = others[index - 1].precedence if index > 0 else 0
    hi = others[index].precedence if index < len(others) else None
    if hi is None:
        obj.precedence = lo + STEP
        return
    if hi - lo >= 2:
        obj.precedence = (lo + hi) // 2
        return
    for n, t in enumerate([*others[:index], obj, *others[index:]], start=1):
        if t.precedence != STEP * n:
            t.precedence = STEP * n


def _name_free(tx: Tx, name: str, own_id: int | None = None) -> None:
    other = tx.session.scalars(select(m.AwardType).where(m.AwardType.name == name)).first()
    if other is not None and other.id != own_id:
        raise OperationRefused(_("name: the catalogue already has “{name}”").format(name=name))


def _checked_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - EDITABLE)
    if unknown:
        hint = " (use move_award_type to change the order)" if "precedence" in unknown else ""
        raise OperationRefused(_("award type: cannot edit field(s) {fields}{hint}").format(fields=', '.join(unknown), hint=hint))
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key in ("name", "authority"):
            if not isinstance(value, str):
                raise OperationRefused(_("{key}: expected text, got {type}").format(key=key, type=type(value).__name__))
            value = " ".join(nfc(value).split())
            limit = NAME_MAX if key == "name" else AUTHORITY_MAX
            if key == "name" and not value:
                raise OperationRefused(_("name: must not be empty"))
            if len(value) > limit:
                raise OperationRefused(_("{key}: longer than {limit} characters").format(key=key, limit=limit))
        elif key == "category" and value not in vocab.AWARD_CATEGORIES:
            raise OperationRefused(
                _("category: {value} is not one of {fields}").format(value=repr(value), fields=', '.join(vocab.AWARD_CATEGORIES))
            )
        elif key == "authority_kind" and value not in vocab.AUTHORITY_KINDS:
            raise OperationRefused(
                _("authority kind: {value} is not one of {fields}").format(value=repr(value), fields=', '.join(vocab.AUTHORITY_KINDS))
            )
        out[key] = value
    return out


@operation(N_("Add award type"))
def add_award_type(
    tx: Tx,
    name: str,
    *,
    category: str = "other",
    authority: str = "",
    authority_kind: str = "other",
    before_id: int | None = None,
    after_id: int | None = None,
) -> int:
    """A user's award type, ranked just above ``before_id`` and/or just below ``after_id``
    (at the bottom when neither is given); returns its id."""
    values = _checked_fields(
        {
            "name": name,
            "category": category,
            "authority": authority,
            "authority_kind": authority_kind,
        }
    )
    _name_free(tx, values["name"])
    _check_neighbours(tx, None, before_id, after_id)
    others = _ordered(tx)
    obj = m.AwardType(builtin=False, precedence=0, **values)
    _place(others, _slot(others, before_id, after_id, default_end=True), obj)
    return tx.add(obj).id


@operation(N_("Edit award type"))
def update_award_type(tx: Tx, type_id: int, **fields: Any) -> None:
    """Change a type's name, category, authority or authority kind. A built-in type keeps
    its name: the catalogue knows it by that name."""
    t = tx.get(m.AwardType, type_id, "award type")
    values = _checked_fields(fields)
    if "name" in values and values["name"] != t.name:
        if t.builtin:
            raise OperationRefused(_("“{name}” is from the legal catalogue; its name stays").format(name=t.name))
        _name_free(tx, values["name"], t.id)
    for key, value in values.items():
        if getattr(t, key) != value:
            setattr(t, key, value)


@operation(N_("Move award type"))
def move_award_type(
    tx: Tx, type_id: int, *, before_id: int | None = None, after_id: int | None = None
) -> None:
    """Rank a type just above ``before_id`` and/or just below ``after_id``."""
    t = tx.get(m.AwardType, type_id, "award type")
    _check_neighbours(tx, t.id, before_id, after_id)
    full = _ordered(tx)
    others = [o for o in full if o.id != t.id]
    index = _slot(others, before_id, after_id, default_end=False)
    if full.index(t) == index:
        return  # already there
    _place(others, index, t)


@operation(N_("Remove award type"))
def remove_award_type(tx: Tx, type_id: int) -> None:
    """Remove a user's award type that no award uses."""
    t = tx.get(m.AwardType, type_id, "award type")
    if t.builtin:
        raise OperationRefused(_("“{name}” is from the legal catalogue and cannot be removed").format(name=t.name))
    used = tx.session.execute(
        select(func.count()).select_from(m.AwardGrant).where(m.AwardGrant.award_type_id == t.id)
    ).scalar_one()
    if used:
        raise OperationRefused(
            _("“{name}” is given in {used} award(s); remove or change those first").format(name=t.name, used=used)
        )
    tx.delete(t)


# --- reads --------------------------------------------------------------------------------


def award_types(core: Core) -> list[AwardTypeInfo]:
    """Every award type, highest rank first."""
    with core.reading() as s:
        rows = s.scalars(select(m.AwardType).order_by(m.AwardType.precedence, m.AwardType.id))
        return [
            AwardTypeInfo(
                id=t.id,
                name=t.name,
                precedence=t.precedence,
                category=t.category,
                authority=t.authority,
                authority_kind=t.authority_kind,
                builtin=t.builtin,
            )
            for t in rows
        ]
