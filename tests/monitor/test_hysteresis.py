"""The hysteresis state machine."""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import given

from meeting_console.monitor.hysteresis import Hysteresis


def run(h: Hysteresis, results: str) -> list[str]:
    """Feed '+' (success), '-' (failure), '~' (degraded success); the state after each."""
    out = []
    for r in results:
        h.observe(r != "-", degraded=r == "~")
        out.append(h.state)
    return out


def test_connected_unstable_lost_and_back() -> None:
    h = Hysteresis(3, 2, "connected")
    assert run(h, "+-+--") == ["connected", "unstable", "unstable", "unstable", "unstable"]
    assert run(h, "-") == ["lost"]  # the 3rd failure in a row
    assert run(h, "+-++") == ["lost", "lost", "lost", "connected"]  # M=2 successes in a row


def test_single_lost_packet_does_not_flap_to_lost() -> None:
    h = Hysteresis(3, 2, "connected")
    assert "lost" not in run(h, "+-+-+-+-++-++")


def test_observe_returns_only_changes() -> None:
    h = Hysteresis(2, 1, "connected")
    assert [h.observe(ok) for ok in (True, False, False, False, True)] == [
        None, "unstable", "lost", None, "connected"]


def test_never_connected_stays_not_connected_while_failing() -> None:
    h = Hysteresis(1, 2, "not_connected")
    assert run(h, "---+") == ["not_connected"] * 4
    assert run(h, "+") == ["connected"]


def test_degraded_counts_as_up_but_unstable() -> None:
    h = Hysteresis(3, 2, "connected")
    assert run(h, "~") == ["unstable"]
    assert run(h, "~~+") == ["unstable", "unstable", "unstable"]  # degraded ones do not count
    assert run(h, "+") == ["connected"]
    h = Hysteresis(3, 2, "lost")
    assert run(h, "~~") == ["lost", "unstable"]


def test_n_equals_one_goes_straight_to_lost() -> None:
    assert run(Hysteresis(1, 1, "connected"), "-+") == ["lost", "connected"]


def test_reset_and_bad_thresholds() -> None:
    h = Hysteresis(2, 2, "connected")
    run(h, "-")
    h.reset("lost")
    assert (h.state, h.fails, h.successes, h.good, h.observed) == ("lost", 0, 0, 0, False)
    with pytest.raises(ValueError):
        Hysteresis(0, 1)


@given(n=st.integers(1, 5), m=st.integers(1, 5), results=st.lists(st.sampled_from("+-~"), max_size=60))
def test_lost_only_after_n_failures_connected_only_after_m_successes(n: int, m: int, results: list[str]) -> None:
    h = Hysteresis(n, m, "connected")
    streak_fail = streak_ok = 0
    prev = h.state
    for r in results:
        h.observe(r != "-", degraded=r == "~")
        streak_fail = streak_fail + 1 if r == "-" else 0
        streak_ok = streak_ok + 1 if r == "+" else 0
        if h.state == "lost" and prev != "lost":
            assert streak_fail >= n
        if h.state == "connected" and prev != "connected":
            assert streak_ok >= m
        if prev in ("connected", "unstable") and r == "-":
            assert h.state in ("unstable", "lost")
        prev = h.state
