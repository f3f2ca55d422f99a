"""The Monitor end to end: real peers go down and up; the hysteresis, the batched automatic
journal entries, the clerk's manual status and the outage ledger are checked in the database."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from meeting_console.core import endpoints, meetings, outages, reads
from meeting_console.core.api import Core
from meeting_console.core.clock import SystemClock
from meeting_console.core.endpoints import (
    BatchResult,
    MonitorBatch,
    MonitorSetup,
    MonitorTarget,
    Observed,
)
from meeting_console.monitor.service import Monitor
from tests.monitor.conftest import Ticker, until
from tests.monitor.peers import FeedServer, Http, RawServer, TcpListener, free_port, never_answer


def meeting(core: Core, **fields: Any) -> int:
    return meetings.create_meeting(core, "Hội nghị trực tuyến", date(2022, 1, 14), **fields).result


def start(core: Core, mid: int, *, interval: float = 0.2, n: int = 3, m: int = 2, **kw: Any) -> tuple[Monitor, asyncio.Task[None]]:
    setup = replace(endpoints.monitor_setup(core, mid), interval_s=interval, timeout_s=interval,
                    fail_threshold=n, recover_threshold=m)

    async def apply(batch: MonitorBatch) -> BatchResult:
        return (await asyncio.to_thread(endpoints.apply_monitor_batch, core, mid, batch)).result

    kw.setdefault("flush_s", 0.1)
    mon = Monitor(setup, clock=core.clock, apply=apply, **kw)
    return mon, asyncio.get_running_loop().create_task(mon.run())


async def stop(mon: Monitor, task: asyncio.Task[None]) -> None:
    mon.stop()
    await task


def status(core: Core, mid: int, me_id: int) -> str:
    return next(e.status for e in endpoints.rows(core, mid, [me_id]))


def statuses(core: Core, mid: int) -> dict[int, str]:
    return {e.id: e.status for e in endpoints.rows(core, mid)}


def test_tcp_endpoint_down_and_up_with_hysteresis_journal_and_ledger(live_core: Core) -> None:
    core = live_core
    lst = TcpListener().open()
    mid = meeting(core)
    sd = endpoints.create_in_meeting(core, mid, "Sơn Dương", code="SD", address=lst.address, monitored=True).result

    async def main() -> None:
        mon, task = start(core, mid, n=3, m=2)
        await until(lambda: status(core, mid, sd) == "connected")
        lst.close()  # the link drops
        await until(lambda: status(core, mid, sd) == "unstable", step=0.005)
        await until(lambda: status(core, mid, sd) == "lost")
        lst.open()  # same port again
        await until(lambda: status(core, mid, sd) == "connected")
        await stop(mon, task)

    asyncio.run(main())
    lst.close()
    evs = reads.status_events(core, sd)
    assert [(e.status, e.automatic) for e in evs] == [
        ("connected", True), ("unstable", True), ("lost", True), ("connected", True)]
    assert evs[2].detail == "TCP: connection refused"
    ledger = outages.endpoint_ledger(core, sd)
    assert len(ledger) == 1
    o = ledger[0]
    assert (o.start, o.end, o.severity, o.automatic) == (evs[1].at, evs[3].at, "lost", True)
    journal = reads.journal(core, mid)
    auto = [j for j in journal if j.automatic]
    assert auto and all(j.label.startswith("Monitor: ") and not j.undone for j in auto)
    # the clerk's undo never reaches the monitor's entries
    assert core.undo_status(mid).undo_label == "New endpoint in meeting"
    e = endpoints.rows(core, mid, [sd])[0]
    assert e.last_probe_ok is True and e.last_latency_ms is not None


def test_manual_status_holds_until_released(live_core: Core) -> None:
    core = live_core
    lst = TcpListener().open()
    mid = meeting(core)
    sd = endpoints.create_in_meeting(core, mid, "Sơn Dương", address=lst.address, monitored=True).result

    async def main() -> None:
        mon, task = start(core, mid, n=2, m=1, persist_s=0.0)
        await until(lambda: status(core, mid, sd) == "connected")
        await asyncio.to_thread(endpoints.set_status, core, sd, "lost", detail="phone: no sound in the hall")
        mon.update(replace(endpoints.monitor_setup(core, mid), interval_s=0.2, timeout_s=0.2,
                           fail_threshold=2, recover_threshold=1))
        probes = mon.status.probes
        await until(lambda: mon.status.probes >= probes + 8)  # the probe keeps saying "up" …
        assert status(core, mid, sd) == "lost"  # … and the clerk's status stands
        assert endpoints.rows(core, mid, [sd])[0].last_probe_ok is True
        await asyncio.to_thread(endpoints.release_override, core, sd)
        mon.update(replace(endpoints.monitor_setup(core, mid), interval_s=0.2, timeout_s=0.2,
                           fail_threshold=2, recover_threshold=1))
        await until(lambda: status(core, mid, sd) == "connected")
        await stop(mon, task)

    asyncio.run(main())
    lst.close()
    evs = reads.status_events(core, sd)
    assert [(e.status, e.automatic) for e in evs] == [("connected", True), ("lost", False), ("connected", True)]
    assert evs[1].detail == "phone: no sound in the hall"
    assert evs[2].detail == "monitor resumes"


@pytest.mark.parametrize("where", ["helper process", "this process"])
def test_feed_with_thousands_of_endpoints_flipping_between_polls(live_core: Core, where: str) -> None:
    core = live_core
    process_from = 1 if where == "helper process" else 10**9
    codes = [f"X{i:05d}" for i in range(3000)]
    srv = FeedServer(dict.fromkeys(codes, "connected"))
    srv.states.update({"ZZ-UNKNOWN-1": "connected", "ZZ-UNKNOWN-2": "disconnected"})
    mid = meeting(core, status_feed_url=srv.url("/api/participants"))
    endpoints.add_endpoints(core, mid, endpoints.Listing(
        {"name": f"Xã {c}", "kind": "commune", "code": c, "monitored": True} for c in codes))
    ids = {e.code: e.id for e in endpoints.rows(core, mid)}

    async def main() -> Monitor:
        mon, task = start(core, mid, interval=1.0, n=1, m=1, feed_process_from=process_from)
        await until(lambda: set(statuses(core, mid).values()) == {"connected"}, timeout=60, step=0.3)
        assert (mon._big_differ is not None) == (where == "helper process")
        for c in codes[:1000]:
            srv.states[c] = "disconnected"
        for c in codes[1000:1100]:
            del srv.states[c]  # no longer listed
        await until(lambda: sum(s == "lost" for s in statuses(core, mid).values()) == 1100, timeout=60, step=0.3)
        for c in codes[:500]:
            srv.states[c] = "connected"
        await until(lambda: sum(s == "lost" for s in statuses(core, mid).values()) == 600, timeout=60, step=0.3)
        await stop(mon, task)
        return mon

    mon = asyncio.run(main())
    srv.close()
    assert mon.status.feed_ok_at is not None
    assert mon.status.feed_unmatched == 2 and mon.status.via_feed == 3000
    st = statuses(core, mid)
    assert st[ids["X00000"]] == "connected" and st[ids["X00600"]] == "lost" and st[ids["X01050"]] == "lost"
    assert reads.status_events(core, ids["X01050"])[-1].detail == "not listed by the status feed"
    # every change journaled, in a few automatic batch entries (not one per endpoint)
    events = sum(len(reads.status_events(core, i)) for i in (ids["X00000"], ids["X00600"], ids["X02999"]))
    assert events == 3 + 2 + 1
    auto = [j for j in reads.journal(core, mid) if j.automatic]
    assert 3 <= len(auto) <= mon.status.batches
    assert sum(j.label != "Monitor: 0 status change(s)" for j in auto) <= len(auto)
    assert len(outages.meeting_ledger(core, mid)) == 1100


@pytest.mark.parametrize("where", ["this process", "helper process"])
def test_bad_feeds_change_nothing_and_say_why(live_core: Core, where: str) -> None:
    core = live_core
    process_from = 1 if where == "helper process" else 10**9
    srv = Http()
    srv.headers = {"Content-Type": "application/json"}
    good = json.dumps({"endpoints": [{"code": "SD", "state": "connected"}, {"code": "SD", "state": "disconnected"},
                                     {"code": "CH", "state": "connected"}]}).encode()
    srv.body = good
    mid = meeting(core, status_feed_url=srv.url("/feed"))
    sd = endpoints.create_in_meeting(core, mid, "Sơn Dương", code="SD", monitored=True).result
    ch = endpoints.create_in_meeting(core, mid, "Chiêm Hóa", code="CH", monitored=True).result

    async def main() -> list[str]:
        mon, task = start(core, mid, n=1, m=1, feed_max_bytes=1024 * 1024, feed_process_from=process_from)
        await until(lambda: status(core, mid, sd) == "connected" and status(core, mid, ch) == "connected")
        assert mon.status.feed_duplicates == ["SD"]
        await asyncio.to_thread(endpoints.set_status, core, ch, "unstable", detail="clerk: picture frozen")
        errors = []
        for body, status_code in [(b"{not json", 200), (b"<html>Bad gateway</html>", 502),
                                  (b'{"endpoints": {}}', 200), (b"x" * (2 * 1024 * 1024), 200),
                                  (b"", 200), (b'{"endpoints": [' + b"1," * 200_000 + b"2]}", 200)]:
            srv.body, srv.status = body, status_code
            polls = srv.requests
            await until(lambda p=polls: srv.requests >= p + 2 and mon.status.feed_error != "")
            errors.append(mon.status.feed_error)
            assert status(core, mid, sd) == "connected"
            assert status(core, mid, ch) == "unstable"  # the clerk's entry survives
        srv.body, srv.status = good, 200
        await until(lambda: mon.status.feed_error == "")
        await stop(mon, task)
        return errors

    errors = asyncio.run(main())
    srv.close()
    assert errors[0].startswith("status feed unusable: invalid JSON at line 1 column 2")
    assert errors[1] == "status feed unusable: the feed answered HTTP 502 Bad Gateway"
    assert 'expected a list "["' in errors[2]
    assert "larger than 1 MiB" in errors[3]
    assert "the feed is empty" in errors[4]
    # 200,001 entries that are not objects: readable, but nothing in it can be used
    assert errors[5] == ("status feed unusable: no usable entry (200001 bad ones, e.g. entry 1: "
                         "not an object with a code)")
    assert [e.status for e in reads.status_events(core, ch)] == ["connected", "unstable"]


@pytest.mark.parametrize("where", ["this process", "helper process"])
def test_feed_that_never_answers_and_feed_down(live_core: Core, where: str) -> None:
    core = live_core
    process_from = 1 if where == "helper process" else 10**9
    peer = RawServer(never_answer)
    mid = meeting(core, status_feed_url=f"http://127.0.0.1:{peer.port}/feed")
    endpoints.create_in_meeting(core, mid, "Sơn Dương", code="SD", monitored=True)

    async def main() -> tuple[str, Ticker]:
        ticker = Ticker().start()
        mon, task = start(core, mid, feed_process_from=process_from)
        await until(lambda: mon.status.feed_error != "")
        first = mon.status.feed_error
        peer.close()
        await until(lambda: "refused" in mon.status.feed_error)
        await stop(mon, task)
        ticker.stop()
        return first, ticker

    first, ticker = asyncio.run(main())
    assert first == "status feed unusable: no complete reply within 0.2 s"
    assert ticker.ticks > 5


def test_ten_megabyte_feed_keeps_the_loop_turning(live_core: Core) -> None:
    core = live_core
    states = {f"XA{i:06d}": "connected" for i in range(110_000)}
    srv = FeedServer(states)
    srv.body = lambda: json.dumps({"endpoints": [
        {"code": c, "state": s, "detail": "Điểm cầu " + "x" * 60} for c, s in states.items()]}).encode()
    mid = meeting(core, status_feed_url=srv.url())
    endpoints.add_endpoints(core, mid, endpoints.Listing(
        {"name": f"Xã {i}", "code": f"XA{i:06d}", "monitored": True} for i in range(0, 110_000, 100)))

    async def main() -> tuple[Monitor, Ticker]:
        mon, task = start(core, mid, interval=1.0, n=1, m=1)
        await until(lambda: mon.status.feed_ok_at is not None, timeout=60)
        ticker = Ticker().start()
        await until(lambda: srv.requests >= 3, timeout=60)
        ticker.stop()
        await stop(mon, task)
        return mon, ticker

    mon, ticker = asyncio.run(main())
    srv.close()
    assert mon.status.feed_entries == 110_000 and mon.status.feed_unmatched == 110_000 - 1100
    assert set(statuses(core, mid).values()) == {"connected"}
    print(f"10 MB feed: longest loop gap {ticker.longest * 1000:.0f} ms over {ticker.ticks} ticks")


def test_thousands_of_unreachable_endpoints(live_core: Core) -> None:
    core = live_core
    mid = meeting(core)
    endpoints.add_endpoints(core, mid, endpoints.Listing(
        {"name": f"Xã {i}", "address": f"tcp://127.0.0.1:{free_port()}", "monitored": True} for i in range(2000)))
    ids = list(statuses(core, mid))
    now = core.clock.now()
    endpoints.apply_monitor_batch(core, mid, MonitorBatch(Observed(i, now, "connected") for i in ids))

    async def main() -> tuple[Monitor, Ticker]:
        ticker = Ticker().start()
        mon, task = start(core, mid, interval=1.0, n=2, m=1)
        # generous: 2,000 probes on a shared 2-CPU machine
        await until(lambda: set(statuses(core, mid).values()) == {"lost"}, timeout=240, step=0.3)
        await stop(mon, task)
        ticker.stop()
        return mon, ticker

    mon, ticker = asyncio.run(main())
    assert mon.status.direct == 2000 and mon.status.probes >= 4000
    evs = reads.status_events(core, ids[0])
    assert [e.status for e in evs] == ["connected", "unstable", "lost"]
    print(f"2,000 unreachable: longest loop gap {ticker.longest * 1000:.0f} ms")


def test_unusable_targets_are_reported_not_probed() -> None:
    setup = MonitorSetup(1, 5, 2, 3, 2, "ftp://mcu/feed", (
        MonitorTarget(1, "A", None, "bogus", "not_connected", False),
        MonitorTarget(2, "B", None, "", "not_connected", False),
        MonitorTarget(3, "C", "C", "", "not_connected", False),
        MonitorTarget(4, "D", None, "tcp://127.0.0.1:9", "connected", False),
    ))

    async def main() -> Monitor:
        async def apply(batch: MonitorBatch) -> BatchResult:
            raise AssertionError("not called")

        return Monitor(setup, clock=SystemClock(), apply=apply)

    mon = asyncio.run(main())
    assert mon.status.direct == 1 and mon.status.via_feed == 0
    assert "say how to probe it" in mon.status.unusable[1]
    assert mon.status.unusable[2] == "no address and no code: nothing to monitor"
    assert mon.status.unusable[3] == "no address, and the meeting has no usable status feed"
    assert mon.status.feed_error.startswith("status feed URL refused: ")


def test_feed_hysteresis_counts_polls_where_nothing_changed(live_core: Core) -> None:
    """Only changed codes and unsettled machines are looked at each poll; an endpoint that
    stays 'disconnected' still walks unstable → lost over N polls, and back over M."""
    core = live_core
    srv = FeedServer({"SD": "connected", "CH": "connected"})
    mid = meeting(core, status_feed_url=srv.url())
    sd = endpoints.create_in_meeting(core, mid, "Sơn Dương", code="SD", monitored=True).result
    ch = endpoints.create_in_meeting(core, mid, "Chiêm Hóa", code="CH", monitored=True).result

    async def main() -> None:
        mon, task = start(core, mid, interval=0.3, n=3, m=2)
        await until(lambda: status(core, mid, sd) == "connected" and status(core, mid, ch) == "connected")
        srv.states["SD"] = "disconnected"
        await until(lambda: status(core, mid, sd) == "lost")
        srv.states["SD"] = "connected"
        await until(lambda: status(core, mid, sd) == "connected")
        await stop(mon, task)

    asyncio.run(main())
    srv.close()
    evs = reads.status_events(core, sd)
    assert [e.status for e in evs] == ["connected", "unstable", "lost", "connected"]
    assert [e.status for e in reads.status_events(core, ch)] == ["connected"]
