"""Two consoles acting at once: exactly one wins, the other is told the current state.

Each console is its own ``Core`` (own engine, own connections) on the same database, run in
two threads released together by a barrier; on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from meeting_console.core import agenda, endpoints, reads
from meeting_console.core.api import Core
from meeting_console.core.concurrency import Conflict
from tests.factories import small_meeting


def console(core: Core, seat: str, role: str = "secretariat") -> Core:
    return Core.open(core.db.url, clock=core.clock, seat=seat, role=role)


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each result or the exception raised."""
    barrier = threading.Barrier(len(calls))
    out: list[Any] = [None] * len(calls)

    def go(i: int, fn: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            out[i] = fn()
        except Exception as exc:  # the outcome is what the test looks at
            out[i] = exc

    threads = [threading.Thread(target=go, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return out


def split(results: list[Any]) -> tuple[list[Any], list[Exception]]:
    """The calls that went through, and the exceptions of those refused."""
    return ([r for r in results if not isinstance(r, Exception)],
            [r for r in results if isinstance(r, Exception)])


def two_clerks_at_once(core: Core, first: Callable[[Core], Any], second: Callable[[Core], Any]) -> list[Any]:
    """``first`` and ``second`` run by two clerks' consoles, released together."""
    a, c = console(core, "clerk-1", "clerk"), console(core, "clerk-2", "clerk")
    try:
        return at_once(lambda: first(a), lambda: second(c))
    finally:
        a.close()
        c.close()


def running(core: Core, mid: int) -> list[int]:
    return [i.id for i in reads.agenda(core, mid) if i.status in ("running", "paused")]


def test_two_seats_press_next_item_at_once(core: Core) -> None:
    b = small_meeting(core)
    agenda.start_item(core, b.items[0])
    a, c = console(core, "thư ký 1"), console(core, "thư ký 2")
    try:
        for _round in range(3):  # the race goes either way; each round has one winner
            shown = running(core, b.meeting_id)
            shown_id = shown[0] if shown else None
            hw = core.high_water()
            results = at_once(
                lambda s=shown_id: agenda.next_item(a, b.meeting_id, expected_current=s),
                lambda s=shown_id: agenda.next_item(c, b.meeting_id, expected_current=s),
            )
            wins, losses = split(results)
            assert len(wins) == 1 and len(losses) == 1, results
            assert isinstance(losses[0], Conflict)
            assert "moved on at another console" in str(losses[0])
            assert core.high_water() == hw + 1  # one journal entry: the winner's
            if _round < 2:
                # the loser is told which item runs now
                now = next(i for i in reads.agenda(core, b.meeting_id) if i.id == wins[0].result)
                assert now.title in str(losses[0])
    finally:
        a.close()
        c.close()
    items = reads.agenda(core, b.meeting_id)
    assert [i.status for i in items] == ["done", "done", "done"]  # none skipped


def test_next_item_without_expectation_still_works(core: Core) -> None:
    b = small_meeting(core)
    assert agenda.next_item(core, b.meeting_id).result == b.items[0]
    assert agenda.next_item(core, b.meeting_id, expected_current=b.items[0]).result == b.items[1]
    with pytest.raises(Conflict, match="this console showed no item running"):
        agenda.next_item(core, b.meeting_id, expected_current=None)
    assert running(core, b.meeting_id) == [b.items[1]]


def test_two_clerks_edit_the_same_field_one_wins(core: Core) -> None:
    b = small_meeting(core)
    sd = b.endpoints["Sơn Dương"]
    results = two_clerks_at_once(
        core,
        lambda a: endpoints.edit_endpoint(a, sd, present_delegates=20, seen={"present_delegates": None}),
        lambda c: endpoints.edit_endpoint(c, sd, present_delegates=22, seen={"present_delegates": None}),
    )
    wins, losses = split(results)
    assert len(wins) == 1 and len(losses) == 1 and isinstance(losses[0], Conflict), results
    present = next(e for e in reads.endpoints(core, b.meeting_id) if e.id == sd).present_delegates
    assert present in (20, 22)
    assert f"present delegates is now {present} (you saw —)" in str(losses[0])
    assert str(losses[0]).startswith("Sơn Dương was changed meanwhile")


def test_edits_of_different_fields_merge(core: Core) -> None:
    b = small_meeting(core)
    sd = b.endpoints["Sơn Dương"]
    seen = {"note": "", "host": "", "present_delegates": None}
    # both forms send every field they showed; each user changed one
    endpoints.edit_endpoint(core, sd, seen=seen, note="tiếng nhỏ")
    endpoints.edit_endpoint(core, sd, seen=seen, host="Giang Tuấn Anh", note="")
    e = next(e for e in reads.endpoints(core, b.meeting_id) if e.id == sd)
    assert (e.note, e.host) == ("tiếng nhỏ", "Giang Tuấn Anh")  # the first edit is not undone
    # both typed the same value: no conflict
    endpoints.edit_endpoint(core, sd, seen={"host": ""}, host="Giang Tuấn Anh")
    # directory fields too, normalised as the form shows them ("" for no code)
    with pytest.raises(Conflict, match="code is now SD"):
        endpoints.edit_endpoint(core, sd, seen={"code": ""}, code="SD2")


def test_clerks_marking_status_at_once(core: Core) -> None:
    b = small_meeting(core)
    ch = b.endpoints["Chiêm Hóa"]
    endpoints.set_status(core, ch, "connected")
    results = two_clerks_at_once(
        core,
        lambda a: endpoints.set_status(a, ch, "lost", expected="connected"),
        lambda c: endpoints.set_status(c, ch, "unstable", expected="connected"),
    )
    wins, losses = split(results)
    assert len(wins) == 1 and len(losses) == 1 and isinstance(losses[0], Conflict), results
    status = next(e for e in reads.endpoints(core, b.meeting_id) if e.id == ch).status
    assert f"marked it {status!r} meanwhile" in str(losses[0])
    # the same mark twice is no conflict (nothing to record the second time)
    endpoints.set_status(core, ch, status, expected="connected")


def test_present_count_conflict(core: Core) -> None:
    b = small_meeting(core)
    sd = b.endpoints["Sơn Dương"]
    endpoints.set_present(core, sd, 18, seen={"present_delegates": None})
    with pytest.raises(Conflict, match=r"present delegates is now 18 \(you saw —\)"):
        endpoints.set_present(core, sd, 19, seen={"present_delegates": None})
    endpoints.set_present(core, sd, 19, seen={"present_delegates": 18})
