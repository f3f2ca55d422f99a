"""Checking and applying field edits: one place that knows each editable field's type, so
every operation normalises text to NFC and refuses bad values the same way."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from meeting_console.core.text import clean_text
from meeting_console.errors import OperationRefused
from meeting_console.i18n import _

Check = Callable[[str, Any], Any]


def text(max_len: int = 500, *, multiline: bool = False, required: bool = False) -> Check:
    def check(field: str, value: Any) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise OperationRefused(_("{field}: expected text, got {type}").format(field=field, type=type(value).__name__))
        try:
            out = clean_text(value, field=field, max_len=max_len, multiline=multiline)
        except ValueError as exc:
            raise OperationRefused(str(exc)) from None
        if required and not out:
            raise OperationRefused(_("{field}: must not be empty").format(field=field))
        return out

    return check


def optional_text(max_len: int = 500) -> Check:
    inner = text(max_len)

    def check(field: str, value: Any) -> str | None:
        if value is None:
            return None
        out = inner(field, value)
        return out or None

    return check


def text_list(max_len: int = 500) -> Check:
    inner = text(max_len)

    def check(field: str, value: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            raise OperationRefused(_("{field}: expected a list of texts").format(field=field))
        return [t for t in (inner(field, v) for v in value) if t]

    return check


def choice(values: tuple[str, ...]) -> Check:
    def check(field: str, value: Any) -> str:
        if value not in values:
            raise OperationRefused(_("{field}: {value} is not one of {fields}").format(field=field, value=repr(value), fields=', '.join(values)))
        return str(value)

    return check


def integer(minimum: int | None = 0, maximum: int | None = None, *, optional: bool = False) -> Check:
    def check(field: str, value: Any) -> int | None:
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise OperationRefused(_("{field}: expected a whole number, got {value}").format(field=field, value=repr(value)))
        if minimum is not None and value < minimum:
            raise OperationRefused(_("{field}: must be at least {minimum}, got {value}").format(field=field, minimum=minimum, value=value))
        if maximum is not None and value > maximum:
            raise OperationRefused(_("{field}: must be at most {maximum}, got {value}").format(field=field, maximum=maximum, value=value))
        return value

    return check


def boolean() -> Check:
    def check(field: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise OperationRefused(_("{field}: expected true or false, got {value}").format(field=field, value=repr(value)))
        return value

    return check


def moment(*, optional: bool = True) -> Check:
    def check(field: str, value: Any) -> datetime | None:
        if value is None and optional:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise OperationRefused(_("{field}: expected a date and time with its time zone").format(field=field))
        return value

    return check


def day(*, optional: bool = False) -> Check:
    def check(field: str, value: Any) -> date | None:
        if value is None and optional:
            return None
        if not isinstance(value, date) or isinstance(value, datetime):
            raise OperationRefused(_("{field}: expected a date").format(field=field))
        return value

    return check


def timezone() -> Check:
    def check(field: str, value: Any) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(str(value))
        except Exception:
            raise OperationRefused(_("{field}: unknown time zone {value}").format(field=field, value=repr(value))) from None
        return str(value)

    return check


def reference(optional: bool = True) -> Check:
    """An id of another row (checked by the operation against the right meeting)."""
    return integer(1, optional=optional)


def apply_fields(obj: Any, fields: Mapping[str, Any], spec: Mapping[str, Check], what: str) -> None:
    unknown = sorted(set(fields) - set(spec))
    if unknown:
        raise OperationRefused(_("{what}: cannot edit field(s) {fields}").format(what=what, fields=', '.join(unknown)))
    for name, value in fields.items():
        new = spec[name](name, value)
        if getattr(obj, name) != new:
            setattr(obj, name, new)


def checked(fields: Mapping[str, Any], spec: Mapping[str, Check], what: str) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(spec))
    if unknown:
        raise OperationRefused(_("{what}: unknown field(s) {fields}").format(what=what, fields=', '.join(unknown)))
    return {name: spec[name](name, value) for name, value in fields.items()}
