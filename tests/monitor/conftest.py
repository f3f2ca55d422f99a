"""Monitor tests run plain asyncio (no Qt) against real peers on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from meeting_console.core.api import Core
from meeting_console.core.clock import SystemClock


async def until(predicate: Callable[[], bool], timeout: float = 15.0, step: float = 0.02) -> None:
    """Wait for a condition (a wait, not a timing assertion: the bound is generous)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(step)


class Ticker:
    """Counts loop turns every 10 ms while a test runs: the longest gap shows whether anything
    blocked the event loop (reported, not asserted against a time bound)."""

    def __init__(self) -> None:
        self.ticks = 0
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(0.01)
            now = loop.time()
            self.longest = max(self.longest, now - last)
            last = now
            self.ticks += 1

    def start(self) -> Ticker:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def stop(self) -> None:
        if self._task:
            self._task.cancel()


@pytest.fixture
def live_core(tmp_path: Path) -> Iterator[Core]:
    """A core on a real SQLite file with the real clock (probes happen in real time)."""
    c = Core.open(str(tmp_path / "live.db"), clock=SystemClock(), seat="monitor-test")
    yield c
    c.close()
