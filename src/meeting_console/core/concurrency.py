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

from collections.abc import Callable, Mapping, Sequence
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
    by: Callable[[list[str]], str] | None = None,
) -> dict[str, Any]:
    """The fields of ``new`` to write, given what the user ``seen`` (``None``: no check).

    ``current(name)`` reads a field's stored value; ``spec`` normalises values as the
    operation's checks do (so "" and None compare as the form shows them); ``by()`` says who
    changed the fields and when (``changed_by``), asked only on a conflict."""
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
    names: list[str] = []
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
            names.append(name)
            continue
        out[name] = value
    if moved:
        raise Conflict(
            _("{what} was changed meanwhile at another console{by}: {changes}. "
              "Nothing was changed; check the current values and edit again").format(
                what=what, by=by(names) if by is not None else "", changes="; ".join(moved))
        )
    return out


def changed_by(tx: Any, table: str, row_id: int, meeting_id: int | None,
               fields: Sequence[str] | None = None, *, scan: int = 200) -> str:
    """Who last changed a row (one of its ``fields``, if given) and when, from the journal:
    " (by seat X at 09:14:05: label)", or "" when none of the meeting's last ``scan`` entries
    did. Read only on a refusal."""
    from sqlalchemy import select

    from meeting_console.core.timefmt import hhmm
    from meeting_console.store import models as m

    q = (select(m.JournalEntry.seat, m.JournalEntry.at, m.JournalEntry.label, m.JournalEntry.changes)
         .where(m.JournalEntry.meeting_id == meeting_id)
         .order_by(m.JournalEntry.id.desc()).limit(scan))
    for seat, at, label, changes in tx.session.execute(q):
        if any(c.get("t") == table and c.get("id") == row_id
               and (not fields or c.get("op") != "u" or set(fields) & set(c.get("a", ())))
               for c in changes or ()):
            meeting = tx.session.get(m.Meeting, meeting_id) if meeting_id is not None else None
            tz = meeting.timezone if meeting is not None else "Asia/Ho_Chi_Minh"
            return _(" (by seat {seat} at {time}: {label})").format(
                seat=seat or "—", time=hhmm(at, tz, seconds=True), label=label)
    return ""


def expect_seen(
    tx: Any,
    what: str,
    obj: Any,
    seen: Mapping[str, Any] | None,
    *,
    table: str,
    meeting_id: int | None,
    again: str = "",
) -> None:
    """Refuse (``Conflict``) when a field of ``obj`` is no longer what the user ``seen``.

    For actions on the live state (call, timer, queue order, presented): unlike an edit there
    is nothing to merge, the action was meant for the state shown. ``None``: no check."""
    if not seen:
        return
    names = [name for name, was in seen.items() if getattr(obj, name) != was]
    moved = [
        _("{field} is now {now} (you saw {seen})").format(
            field=name.replace("_", " "), now=_show(getattr(obj, name)), seen=_show(seen[name]))
        for name in names
    ]
    if moved:
        raise Conflict(
            _("{what} was changed meanwhile at another console{by}: {changes}. "
              "Nothing was changed{again}").format(
                what=what, by=changed_by(tx, table, obj.id, meeting_id, names), changes="; ".join(moved),
                again=again or _("; check the current state and try again"))
        )
