"""Monitor batches of thousands of rows followed by the endpoint panel a slice per turn of the
event loop: the end state equals a fresh load, in every order and filter, and a load read
after the batches supersedes what is still queued."""

from __future__ import annotations

import gc
import pickle
from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from meeting_console.core import endpoints, meetings
from meeting_console.core.api import Core
from meeting_console.core.changes import Changes
from meeting_console.core.endpoints import MonitorBatch, Observed
from meeting_console.monitor.writer_process import _pack, _unpack
from meeting_console.ui import endpoints_panel as ep
from meeting_console.ui.bus import Runner
from meeting_console.ui.endpoint_model import STATUS, EndpointModel
from meeting_console.ui.endpoint_monitor import CollectorHold
from meeting_console.ui.endpoints_panel import EndpointsPanel, load_all

N = 600  # more than two slices


@pytest.fixture
def big(core: Core) -> int:
    mid = meetings.create_meeting(core, "Hội nghị toàn tỉnh", date(2022, 1, 14)).result
    endpoints.add_endpoints(core, mid, endpoints.Listing(
        {"name": f"Xã {i:04d} Chiêm Hóa", "kind": "commune" if i % 3 else "district", "code": f"XA{i:04d}",
         "expected_delegates": 5, "monitored": True} for i in range(N)))
    return mid


@pytest.fixture
def panels(qtbot) -> Iterator[list[EndpointsPanel]]:
    made: list[EndpointsPanel] = []
    yield made
    # gone here, on the UI thread: a Qt wrapper left to a later garbage collection could be
    # collected on the DB worker thread of the next test
    for panel in made:
        # the detail pane is a top-level widget until a main window docks it: it goes too (left
        # to the garbage collector, its models went before its views, in a later test)
        for w in (panel.detail, panel):
            w.close()
            w.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    made.clear()
    gc.collect()


def _panel(qtbot, panels: list[EndpointsPanel], runner: Runner, mid: int) -> EndpointsPanel:
    panel = EndpointsPanel(runner)
    panels.append(panel)
    panel.resize(1200, 600)
    panel.show()
    panel.set_meeting(mid)
    qtbot.waitUntil(lambda: panel.emodel.rowCount() == N, timeout=20000)
    return panel


def _via_columns(core: Core, mid: int, batch: MonitorBatch) -> Changes:
    """The operation's Changes as the writer helper hands them back (rows' values in columns)."""
    changes = endpoints.apply_monitor_batch(core, mid, batch)
    return _unpack(pickle.loads(pickle.dumps(_pack(changes))))  # type: ignore[no-any-return]


def _storm(core: Core, runner: Runner, mid: int, rounds: int, columns: bool = False) -> None:
    ids = [e.id for e in endpoints.rows(core, mid)]
    for k in range(rounds):
        core.clock.advance(seconds=7)  # type: ignore[attr-defined]
        status = ("lost", "connected", "unstable")[k % 3]
        batch = MonitorBatch(Observed(i, core.clock.now(), status if (j + k) % 4 else "connected", status != "lost",
                                      12.0, f"round {k}") for j, i in enumerate(ids))
        runner.run(_via_columns if columns else endpoints.apply_monitor_batch, mid, batch)


def _same_as_fresh(core: Core, panel: EndpointsPanel, mid: int) -> None:
    fresh = EndpointModel()
    fresh.load(load_all(core, mid))
    m = panel.emodel
    assert m.rows == fresh.rows
    assert m.totals == fresh.totals
    assert {k: v for k, v in m.counts.items() if v} == fresh.counts


@pytest.mark.parametrize("view", ["meeting order", "sorted by status", "problems only", "grouped",
                                  "meeting order, written by the helper", "grouped, written by the helper"])
def test_big_batches_are_followed_a_slice_at_a_time(qtbot, qtmodeltester, core: Core, runner: Runner, big: int,
                                                     panels: list[EndpointsPanel], view: str, monkeypatch) -> None:
    columns = view.endswith("written by the helper")
    view = view.split(",")[0]
    reads_back: list[int] = []
    real = ep.load_some
    monkeypatch.setattr(ep, "load_some", lambda *a: reads_back.append(1) or real(*a))
    panel = _panel(qtbot, panels, runner, big)
    m = panel.emodel
    if view == "sorted by status":
        m.sort(STATUS)
    elif view == "problems only":
        m.set_filter(status="problems")
    elif view == "grouped":
        m.set_grouped(True)
    slices: list[int] = []
    # patched on the class, not on the model object: a bound method stored on a Qt object's
    # wrapper makes a cycle that a later garbage collection tore down after Qt had deleted the
    # object (a segmentation fault in the next test)
    real_follow = EndpointModel.follow
    monkeypatch.setattr(EndpointModel, "follow",
                        lambda self, changes: slices.append(len(changes)) or real_follow(self, changes))
    _storm(core, runner, big, 4, columns)
    qtbot.waitUntil(lambda: not runner._pending and not panel._follow_in and not panel._follow_queue
                    and not panel._follow_timer.isActive(), timeout=30000)
    assert max(slices) <= ep.FOLLOW_SLICE < N and len(slices) >= N // ep.FOLLOW_SLICE
    _same_as_fresh(core, panel, big)
    shown = [m.info(i) for i in m.shown_ids()]
    if view == "sorted by status":
        order = ("lost", "unstable", "not_connected", "left", "connected")
        assert [order.index(e.status) for e in shown] == sorted(order.index(e.status) for e in shown)
    if view == "problems only":
        assert shown and all(e.status in ("unstable", "lost") for e in shown)
        assert len(shown) == sum(1 for e in m.rows if e.status in ("unstable", "lost"))
    qtmodeltester.check(m)
    assert reads_back == []


def test_a_full_load_supersedes_what_is_still_queued(qtbot, core: Core, runner: Runner, big: int,
                                                    panels: list[EndpointsPanel]) -> None:
    panel = _panel(qtbot, panels, runner, big)
    panel._follow_timer.setInterval(60_000)  # hold the queue: nothing is applied by itself
    _storm(core, runner, big, 2)
    qtbot.waitUntil(lambda: not runner._pending and len(panel._follow_in) == 2, timeout=30000)
    panel._merge_in(N // 2)  # some of it merged into the queue, the rest still as received
    assert panel._follow_queue and panel._follow_in
    panel.refresh()  # e.g. a directory edit: everything is read again, after those batches
    qtbot.waitUntil(lambda: not runner._pending, timeout=30000)
    assert not panel._follow_queue and not panel._follow_in
    _same_as_fresh(core, panel, big)


def test_collector_hold_freezes_and_restores() -> None:
    before = gc.get_threshold()
    hold = CollectorHold()
    hold.begin()
    try:
        assert hold.holding and gc.get_freeze_count() > 0
        assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] > 1_000_000
        hold.quiet()
    finally:
        hold.end()
    assert not hold.holding and gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_live_values_are_kept_for_every_row_and_only_rows_on_screen_are_repainted(
        qtbot, core: Core, runner: Runner, big: int, panels: list[EndpointsPanel]) -> None:
    from meeting_console.monitor.probes import ProbeResult
    from meeting_console.ui.endpoint_model import PROBE

    panel = _panel(qtbot, panels, runner, big)
    m = panel.emodel
    assert m.visible is not None
    lo, hi = m.visible
    assert hi < N - 1  # the panel shows part of the rows
    told: list[tuple[int, int, int, int]] = []
    m.dataChanged.connect(lambda a, b, *_r: told.append((a.row(), b.row(), a.column(), b.column())))
    ids = [e.id for e in m.rows]
    results = {i: ProbeResult(True, 5.0 + k, f"probe {k}") for k, i in enumerate(ids)}
    m.set_live(results)
    assert all(m.live[i] == results[i] for i in ids)  # kept for every row, on screen or not
    rows = {r for a, b, _c0, _c1 in told for r in range(a, b + 1)}
    assert rows and rows <= set(range(lo, hi + 1))  # only rows on screen were repainted
    assert {(c0, c1) for _a, _b, c0, c1 in told} == {(PROBE, PROBE)}
    told.clear()
    m.set_live({ids[-1]: ProbeResult(False, None, "down")})  # a row far below the screen
    assert told == [] and m.live[ids[-1]].ok is False


def test_many_rows_on_screen_changed_are_repainted_a_few_per_turn(qtbot, core: Core, big: int) -> None:
    from meeting_console.ui import endpoint_model

    m = EndpointModel()
    m.load(load_all(core, big))
    m.visible = (0, 30)
    painted: list[set[int]] = [set()]
    m.dataChanged.connect(lambda a, b, *_: painted[-1].update(range(a.row(), b.row() + 1)))
    m.refresh_indices([m._display[r] for r in range(0, 31)])  # every row on screen changed
    assert len(painted[0]) == endpoint_model.PAINT_ROWS_PER_TURN == 10
    m.refresh_indices([m._display[r] for r in range(40, 45)])  # off screen: nothing
    assert len(painted[0]) == endpoint_model.PAINT_ROWS_PER_TURN
    while m._paint_later:  # the next turns, one at a time
        m._turn.stop()
        painted.append(set())
        m._next_turn()
    assert [len(p) for p in painted] == [10, 10, 10, 1] and set().union(*painted) == set(range(31))
    qtbot.waitUntil(lambda: not m._turn.isActive())
    m.load(load_all(core, big))  # a reload drops what waited (all is repainted anyway)
    m.refresh_indices([m._display[r] for r in range(0, 31)])
    m.load(load_all(core, big))
    assert not m._paint_later
