"""A scripted console without a GUI, run as a process by the multi-console tests:

    python -m tests.console_driver URL SEAT ROLE MEETING_ID SEED STEPS

It opens its own ``Core``, follows the journal from its high-water mark as a console does
(re-reading only the rows each change touched), and acts on what its own view shows, passing
that view with each operation (``expected``/``seen``), so that it meets the other consoles'
changes as conflicts. Protocol on stdin/stdout, one JSON object a line:

    → {"ready": true}         ← go
    → {"done": true, "acked": [[journal_id, label], …], "conflicts": n, "refused": n}
    ← report
    → {"high_water": n, "view": {…}}
"""

from __future__ import annotations

import json
import random
import sys
import time
from typing import Any

from meeting_console.core import agenda, endpoints, reads
from meeting_console.core.api import Core
from meeting_console.core.concurrency import Conflict
from meeting_console.errors import OperationRefused

STATUSES = ("connected", "unstable", "lost")


class View:
    """What a console shows: endpoint rows and item statuses, kept up to date from the journal."""

    def __init__(self, core: Core, meeting_id: int) -> None:
        self.core, self.mid = core, meeting_id
        self.high_water = core.high_water()
        self.endpoints = {e.id: e for e in endpoints.rows(core, meeting_id)}
        self.items = {i.id: i.status for i in reads.agenda(core, meeting_id)}

    def follow(self) -> None:
        top, changes = self.core.changes_since(self.high_water)
        self.high_water = top
        ids: set[int] = set()
        items = False
        for ch in changes:
            ids |= ch.rows.get("meeting_endpoint", frozenset()) | ch.rows.get("endpoint", frozenset())
            items = items or "agenda_item" in ch.rows
        if ids:
            for e in endpoints.rows(self.core, self.mid, ids):
                self.endpoints[e.id] = e
        if items:
            self.items = {i.id: i.status for i in reads.agenda(self.core, self.mid)}

    def current(self) -> int | None:
        return next((i for i, s in self.items.items() if s in ("running", "paused")), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "endpoints": {str(i): [e.status, e.present_delegates, e.note, e.manual_override]
                          for i, e in sorted(self.endpoints.items())},
            "items": {str(i): s for i, s in sorted(self.items.items())},
        }


def say(obj: dict[str, Any]) -> None:
    print(json.dumps(obj), flush=True)


def step(core: Core, view: View, rnd: random.Random, seat: str, n: int) -> Any:
    hot = sorted(view.endpoints)[:3]  # every console works on the same few endpoints
    e = view.endpoints[rnd.choice(hot)]
    if core.role == "secretariat" and rnd.random() < 0.5:
        return agenda.next_item(core, view.mid, expected_current=view.current())
    pick = rnd.random()
    if core.role == "clerk" and pick < 0.45:
        status = rnd.choice([s for s in STATUSES if s != e.status])
        return endpoints.set_status(core, e.id, status, expected=e.status)
    if pick < 0.75:
        return endpoints.set_present(core, e.id, rnd.randint(0, 40),
                                     seen={"present_delegates": e.present_delegates})
    return endpoints.edit_endpoint(core, e.id, note=f"{seat} {n}", seen={"note": e.note})


def main(url: str, seat: str, role: str, meeting_id: int, seed: int, steps: int) -> None:
    core = Core.open(url, seat=seat, role=role)
    view = View(core, meeting_id)
    rnd = random.Random(seed)
    say({"ready": True})
    if sys.stdin.readline().strip() != "go":
        return
    acked: list[tuple[int, str]] = []
    conflicts = refused = 0
    for n in range(steps):
        view.follow()
        try:
            ch = step(core, view, rnd, seat, n)
        except Conflict:
            conflicts += 1
        except OperationRefused:
            refused += 1  # e.g. next item after the last one
        else:
            if ch.journal_id is not None:
                acked.append((ch.journal_id, ch.label))
        time.sleep(rnd.random() * 0.01)
    say({"done": True, "acked": acked, "conflicts": conflicts, "refused": refused})
    if sys.stdin.readline().strip() != "report":
        return
    view.follow()
    say({"high_water": view.high_water, "view": view.as_json()})
    core.close()


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], a[1], a[2], int(a[3]), int(a[4]), int(a[5]))
