"""The hysteresis of feed-followed endpoints where the feed is read (``feed_process.Follower``,
in this process and in the feed helper): flapping, a clerk's override, settings changed while
running, the helper dying and restarting."""

from __future__ import annotations

import json
from array import array
from typing import Any

import pytest

from meeting_console.core.endpoints import parse_address
from meeting_console.monitor.feed_process import (
    FeedDiffer,
    FollowAnswer,
    Follower,
    ids_of,
    indices_of,
)
from tests.monitor.peers import FeedServer


def body(states: dict[str, str]) -> bytes:
    return json.dumps({"format": "meeting-console-status-feed", "version": 1,
                       "endpoints": [{"code": c, "state": s} for c, s in states.items()]}).encode()


def ids(values: Any) -> bytes:
    return array("q", values).tobytes()


def obs(answer: FollowAnswer) -> list[tuple[int, str | None, str, bool]]:
    """(id, new status, detail, probe kept) of what must be written."""
    res = answer.results
    return [(i, s, res[k].detail, bool(p)) for i, s, k, p in
            zip(ids_of(answer.obs_ids), answer.obs_status, indices_of(answer.obs_idx), answer.obs_probe,
                strict=True)]


def changes(answer: FollowAnswer) -> dict[int, str]:
    return {i: s for i, s, _d, _p in obs(answer) if s is not None}


def live(answer: FollowAnswer) -> dict[int, bool | None]:
    res = answer.results
    return {i: res[k].ok for i, k in zip(ids_of(answer.live_ids), indices_of(answer.live_idx), strict=True)}


def follower(n: int, m: int, targets: list[tuple[int, str, str, bool]], share: int = 1000) -> Follower:
    f = Follower()
    f.setup(n, m, share, targets)
    return f


def test_a_flapping_endpoint_does_not_flap_the_status() -> None:
    f = follower(3, 2, [(1, "SD", "not_connected", False), (2, "CH", "not_connected", False)], share=1)
    first = f.follow_body(body({"SD": "connected", "CH": "connected"}))
    assert changes(first) == {}  # one success of the two needed
    assert live(first) == {1: True, 2: True}
    assert {i for i, _s, _d, p in obs(first) if p} == {1, 2}  # probe details kept the first time
    assert changes(f.follow_body(body({"SD": "connected", "CH": "connected"}))) == {1: "connected", 2: "connected"}
    seen: list[dict[int, str]] = []
    for k in range(8):  # SD flaps every poll: unstable, never lost, never back to connected
        seen.append(changes(f.follow_body(body({"SD": "disconnected" if k % 2 == 0 else "connected",
                                                "CH": "connected"}))))
    assert seen[0] == {1: "unstable"} and all(s == {} for s in seen[1:])
    # it stays down: lost after the third failure in a row (polls where the feed says the same)
    got = [changes(f.follow_body(body({"SD": "disconnected", "CH": "connected"}))) for _ in range(3)]
    assert got == [{}, {}, {1: "lost"}]
    quiet = f.follow_body(body({"SD": "disconnected", "CH": "connected"}))
    # settled and unchanged: nothing looked at but the one code whose probe details are due
    assert changes(quiet) == {} and len(live(quiet)) == len(obs(quiet)) == 1


def test_a_clerks_override_holds_and_the_monitor_resumes_after_release() -> None:
    f = follower(1, 1, [(1, "SD", "connected", False)])
    f.follow_body(body({"SD": "connected"}))
    # the clerk sets "lost" by hand: the store keeps it (its batch reports it held)
    f.setup(1, 1, 1000, [(1, "SD", "lost", True)])
    for _ in range(3):
        assert changes(f.follow_body(body({"SD": "connected"}))) == {}
    # a batch written meanwhile said the status held: still no resume
    f.stored(ids([1]), ["lost"], ids([1]))
    assert changes(f.follow_body(body({"SD": "connected"}))) == {}
    f.setup(1, 1, 1000, [(1, "SD", "lost", False)])  # released
    answer = f.follow_body(body({"SD": "connected"}))
    assert [(i, s, d) for i, s, d, _p in obs(answer) if s] == [(1, "connected", "monitor resumes")]
    f.stored(ids([1]), ["connected"], ids([]))
    assert changes(f.follow_body(body({"SD": "connected"}))) == {}


def test_a_status_the_store_did_not_take_is_resumed() -> None:
    f = follower(1, 1, [(1, "SD", "connected", False)])
    f.follow_body(body({"SD": "connected"}))
    assert changes(f.follow_body(body({"SD": "disconnected"}))) == {1: "lost"}
    f.stored(ids([1]), ["connected"], ids([]))  # e.g. an undo put it back meanwhile
    answer = f.follow_body(body({"SD": "disconnected"}))
    assert [(i, s, d) for i, s, d, _p in obs(answer) if s] == [(1, "lost", "monitor resumes")]


def test_settings_changed_while_running_apply_to_the_running_machines() -> None:
    f = follower(3, 1, [(1, "SD", "connected", False)])
    f.follow_body(body({"SD": "connected"}))
    assert changes(f.follow_body(body({"SD": "disconnected"}))) == {1: "unstable"}
    f.setup(2, 1, 1000, [(1, "SD", "unstable", False)])  # N 3 → 2: the second failure is lost
    assert changes(f.follow_body(body({"SD": "disconnected"}))) == {1: "lost"}
    # an endpoint added, one whose code changed: looked at at the next poll
    f.setup(2, 1, 1000, [(1, "SD2", "lost", False), (2, "CH", "not_connected", False)])
    answer = f.follow_body(body({"SD": "disconnected", "SD2": "connected", "CH": "connected"}))
    assert changes(answer) == {1: "connected", 2: "connected"}


@pytest.mark.parametrize("where", ["helper process", "this process"])
def test_the_helper_dying_restarts_from_the_stored_statuses_nothing_lost_or_doubled(where: str) -> None:
    codes = [f"X{i:03d}" for i in range(300)]
    srv = FeedServer(dict.fromkeys(codes, "connected"))
    stored = dict.fromkeys(range(300), "not_connected")

    def restore() -> tuple[Any, ...]:
        return 1, 1, 10, [(i, c, stored[i], False) for i, c in enumerate(codes)]

    differ = FeedDiffer(in_process=where == "this process", restore=restore)
    address = parse_address(srv.url())
    written: dict[int, list[str]] = {i: [] for i in range(300)}

    def poll() -> FollowAnswer:
        answer = differ.follow(address, 5.0, 1 << 24)
        for i, s in changes(answer).items():  # "written": the store takes every change
            written[i].append(s)
            stored[i] = s
        differ.stored(ids(stored), list(stored.values()), ids([]))
        return answer

    try:
        differ.setup(*restore())
        poll()
        assert all(w == ["connected"] for w in written.values())
        for c in codes[:100]:
            srv.states[c] = "disconnected"
        poll()
        if where == "helper process":
            proc = differ._helper.proc
            assert proc is not None
            proc.kill()
            proc.wait()
            for c in codes[100:150]:  # changed while no helper runs
                srv.states[c] = "disconnected"
        else:
            for c in codes[100:150]:
                srv.states[c] = "disconnected"
        answer = poll()  # a new helper: machines from the stored statuses, every code looked at
        assert len(live(answer)) == (300 if where == "helper process" else 50 + 10)
        poll()
        assert all(w == ["connected", "lost"] for w in list(written.values())[:150])
        assert all(w == ["connected"] for w in list(written.values())[150:])
        assert differ.restarts == (1 if where == "helper process" else 0)
    finally:
        differ.close()
        srv.close()
