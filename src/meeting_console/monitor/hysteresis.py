"""The hysteresis state machine: a single lost packet must not flap the panel.

connected → unstable at the first failure → lost after N consecutive failures; back to
connected after M consecutive successes (from unstable, lost or not yet connected). A
"degraded" success (the feed says the link is up but poor) counts towards recovery but lands
in unstable. An endpoint that never connected stays "not connected" while it fails.
"""

from __future__ import annotations

from dataclasses import dataclass

UP = frozenset({"connected", "unstable"})


@dataclass
class Hysteresis:
    fail_threshold: int  # N: consecutive failures to call a link lost
    recover_threshold: int  # M: consecutive successes to call it connected again
    state: str = "not_connected"
    fails: int = 0
    successes: int = 0  # consecutive successes, degraded ones included
    good: int = 0  # consecutive successes that were not degraded
    observed: bool = False  # has seen at least one result since it started

    def __post_init__(self) -> None:
        if self.fail_threshold < 1 or self.recover_threshold < 1:
            raise ValueError("thresholds must be at least 1")

    def observe(self, ok: bool, *, degraded: bool = False) -> str | None:
        """Feed one probe result; returns the new state when it changed, else None."""
        self.observed = True
        before = self.state
        if ok:
            self.successes += 1
            self.good = 0 if degraded else self.good + 1
            self.fails = 0
            if self.state == "connected":
                if degraded:
                    self.state = "unstable"
            elif self.good >= self.recover_threshold:
                self.state = "connected"
            elif self.state not in UP and self.successes >= self.recover_threshold:
                self.state = "unstable"  # back, but with a poor link
        else:
            self.fails += 1
            self.successes = self.good = 0
            if self.state in UP:
                self.state = "lost" if self.fails >= self.fail_threshold else "unstable"
        return self.state if self.state != before else None

    def reset(self, state: str) -> None:
        """Start again from a stored status (a clerk's, or after the monitor restarts)."""
        self.state = state
        self.fails = self.successes = self.good = 0
        self.observed = False
