"""Several consoles, one meeting: exactly one of two conflicting actions wins.

Writers are serialised (SQLite's write lock, the PostgreSQL advisory lock in ``core.api``), so
an operation always reads the state the previous one left. What it cannot know by itself is
what the *user* saw when pressing the key: a console that showed item 3 running, pressing
"next item" a moment after another console already moved to item 4, would skip item 4. So
the UI passes what it showed (``expected_current=…``, ``seen={field: value}``) and the
operation refuses with a ``Conflict`` that names the current state when the state moved on.

Edits merge field by field (a three-way merge against what the user saw): a field the user
did not change is not written back; a field another console changed to something else since
is a conflict; the same new value from both is no conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from meeting_console.errors import OperationRefused
from meeting_console.i18n import _


class Conflict(OperationRefused):
    """Another console changed what this one showed. Nothing was changed."""


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def merge_seen(
    what: str,
    current: Callable[[str], Any],
    new: Mapping[str, Any],
    seen: Mapping[str, Any] | None,
    spec: Mapping[str, Callable[[str, Any], Any]],
) -> dict[str, Any]:
    """The fields of ``new`` to write, given what the user ``seen`` (``None``: no check).

    ``current(name)`` reads a field's stored value; ``spec`` normalises values as the
    operation's checks do (so "" and None compare as the form shows them)."""
    if seen is None:
        return dict(new)

    def norm(name: str, value: Any) -> Any:
        check = spec.get(name)
        if check is None:
            return value
        try:
            return check(name, value)
        except Exception:  # what the user saw is compared as it was shown
            return value

    out: dict[str, Any] = {}
    moved: list[str] = []
    for name, value in new.items():
        if name not in seen:
            out[name] = value
            continue
        was, now, want = norm(name, seen[name]), current(name), norm(name, value)
        if want == was and now != was:
            continue  # unchanged by this user: keep the other console's value
        if now != was and now != want:
            moved.append(_("{field} is now {now} (you saw {seen})").format(
                field=name.replace("_", " "), now=_show(now), seen=_show(was)))
            continue
        out[name] = value
    if moved:
        raise Conflict(
            _("{what} was changed meanwhile at another console: {changes}. "
              "Nothing was changed; check the current values and edit again").format(
                what=what, changes="; ".join(moved))
        )
    return out
