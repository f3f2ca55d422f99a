"""The clerk's live endpoint operations, roll call, the monitor's batch, addresses, bulk add."""

from __future__ import annotations

from datetime import timedelta

import pytest

from meeting_console.core import endpoints, meetings, reads
from meeting_console.core.api import Core
from meeting_console.core.clock import FakeClock
from meeting_console.core.endpoints import MonitorBatch, Observed, parse_address
from meeting_console.errors import OperationRefused
from tests.factories import small_meeting


def _ep(core: Core, mid: int, me_id: int) -> reads.MeetingEndpointInfo:
    return next(e for e in reads.endpoints(core, mid) if e.id == me_id)


def _undo_redo_roundtrip(core: Core, mid: int, before: object, after: object, read) -> None:  # type: ignore[no-untyped-def]
    assert read() == after
    core.undo(mid)
    assert read() == before
    core.redo(mid)
    assert read() == after


# --- clerk operations ------------------------------------------------------------------------


def test_set_status_writes_event_since_and_override(core: Core, clock: FakeClock) -> None:
    b = small_meeting(core)
    sd = b.endpoints["Sơn Dương"]
    clock.advance(minutes=5)
    ch = endpoints.set_status(core, sd, "connected")
    assert ch.label == "Status of Sơn Dương: connected"
    e = _ep(core, b.meeting_id, sd)
    assert (e.status, e.status_since, e.manual_override) == ("connected", clock.now(), True)
    evs = reads.status_events(core, sd)
    assert [(x.status, x.at, x.automatic) for x in evs] == [("connected", clock.now(), False)]
    entry = reads.journal(core, b.meeting_id)[-1]
    assert (entry.label, entry.automatic, entry.at) == ("Status of Sơn Dương: connected", False, clock.now())
    # undo removes the event and restores status, since and override; redo brings them back
    core.undo(b.meeting_id)
    e = _ep(core, b.meeting_id, sd)
    assert (e.status, e.status_since, e.manual_override) == ("not_connected", None, False)
    assert reads.status_events(core, sd) == ()
    core.redo(b.meeting_id)
    assert _ep(core, b.meeting_id, sd).status == "connected"
    assert len(reads.status_events(core, sd)) == 1


def test_same_status_again_writes_no_event(core: Core) -> None:
    b = small_meeting(core)
    sd = b.endpoints["Sơn Dương"]
    endpoints.set_status(core, sd, "lost")
    ch = endpoints.set_status(core, sd, "lost")
    assert ch.journal_id is None  # nothing changed, nothing journaled
    assert len(reads.status_events(core, sd)) == 1


@pytest.mark.parametrize("bad", ["gone", "", None, "Connected"])
def test_set_status_refuses_unknown_status(core: Core, bad: object) -> None:
    b = small_meeting(core)
    with pytest.raises(OperationRefused, match="status"):
        endpoints.set_status(core, b.endpoints["Sơn Dương"], bad)


def test_release_override_undoable(core: Core) -> None:
    b = small_meeting(core)
    sd = b.endpoints["Sơn Dương"]
    endpoints.set_status(core, sd, "lost")
    ch = endpoints.release_override(core, sd)
    assert ch.label == "Release manual status of Sơn Dương"
    read = lambda: _ep(core, b.meeting_id, sd).manual_override  # noqa: E731
    _undo_redo_roundtrip(core, b.meeting_id, True, False, read)


def test_present_note_host_each_journaled_and_undoable(core: Core) -> None:
    b = small_meeting(core)
    ch_ = b.endpoints["Chiêm Hóa"]
    mid = b.meeting_id

    ch = endpoints.set_present(core, ch_, 18)
    assert ch.label == "Present at Chiêm Hóa: 18"
    _undo_redo_roundtrip(core, mid, None, 18, lambda: _ep(core, mid, ch_).present_delegates)

    ch = endpoints.set_note(core, ch_, "Tiếng nhỏ, đã báo kỹ thuật")
    assert ch.label == "Note on Chiêm Hóa"
    _undo_redo_roundtrip(core, mid, "", "Tiếng nhỏ, đã báo kỹ thuật", lambda: _ep(core, mid, ch_).note)

    # decomposed input is stored in NFC
    decomposed = "Pho\u0301 Chu\u0309 ti\u0323ch huye\u0323\u0302n"
    endpoints.set_host(core, ch_, decomposed)
    assert _ep(core, mid, ch_).host == "Phó Chủ tịch huyện"
    assert reads.journal(core, mid)[-1].label == "Host at Chiêm Hóa: Phó Chủ tịch huyện"

    with pytest.raises(OperationRefused, match="present_delegates"):
        endpoints.set_present(core, ch_, -1)
    with pytest.raises(OperationRefused, match="present_delegates"):
        endpoints.set_present(core, ch_, "12")
    with pytest.raises(OperationRefused, match="host"):
        endpoints.set_host(core, ch_, "a\u202eb")


def test_set_monitoring_bulk(core: Core) -> None:
    b = small_meeting(core)
    assert endpoints.set_monitoring(core, b.meeting_id, True).result == 3
    assert all(e.monitored for e in reads.endpoints(core, b.meeting_id))
    assert endpoints.set_monitoring(core, b.meeting_id, False, [b.endpoints["Tỉnh ủy"]]).result == 1
    core.undo(b.meeting_id)
    assert all(e.monitored for e in reads.endpoints(core, b.meeting_id))


# --- roll call -----------------------------------------------------------------------------


def test_roll_call_one_endpoint_at_a_time(core: Core, clock: FakeClock) -> None:
    b = small_meeting(core)
    mid = b.meeting_id
    clock.advance(minutes=10)
    ch = endpoints.roll_call(core, b.endpoints["Tỉnh ủy"], status="connected", present=78)
    assert ch.label == "Roll call: Tỉnh ủy"
    e = _ep(core, mid, b.endpoints["Tỉnh ủy"])
    assert (e.status, e.present_delegates, e.roll_call_at, e.manual_override) == ("connected", 78, clock.now(), True)
    assert reads.status_events(core, e.id)[0].detail == "roll call"
    clock.advance(seconds=30)
    endpoints.roll_call(core, b.endpoints["Sơn Dương"], present=24)  # status left as it is
    e = _ep(core, mid, b.endpoints["Sơn Dương"])
    assert (e.status, e.present_delegates, e.manual_override) == ("not_connected", 24, False)
    not_answered = [x.name for x in reads.endpoints(core, mid) if x.roll_call_at is None]
    assert not_answered == ["Chiêm Hóa"]
    # undo the last answer: Sơn Dương has not answered again
    core.undo(mid)
    assert [x.name for x in reads.endpoints(core, mid) if x.roll_call_at is None] == ["Sơn Dương", "Chiêm Hóa"]
    # a new roll call clears every answer, in one undoable step
    assert endpoints.new_roll_call(core, mid).result == 1
    assert all(x.roll_call_at is None for x in reads.endpoints(core, mid))
    core.undo(mid)
    assert _ep(core, mid, b.endpoints["Tỉnh ủy"]).roll_call_at is not None


# --- the monitor's batch -----------------------------------------------------------------------


def test_monitor_batch_is_one_automatic_entry_off_the_undo_stack(core: Core, clock: FakeClock) -> None:
    b = small_meeting(core)
    mid = b.meeting_id
    endpoints.set_note(core, b.endpoints["Tỉnh ủy"], "clerk's note")
    t = clock.now()
    batch = MonitorBatch([
        Observed(b.endpoints["Sơn Dương"], t, "connected", True, 12.3, "tcp connect 12.3 ms"),
        Observed(b.endpoints["Chiêm Hóa"], t, "connected", True, 20.0, ""),
        Observed(b.endpoints["Sơn Dương"], t + timedelta(seconds=5), "unstable", False, None, "timeout"),
        Observed(b.endpoints["Tỉnh ủy"], t, None, True, 1.0, "ok"),  # probe result only
    ])
    before = len(reads.journal(core, mid))
    ch = endpoints.apply_monitor_batch(core, mid, batch)
    res = ch.result
    assert (res.applied, res.held, res.unchanged, res.unknown) == (3, 0, 0, 0)
    journal = reads.journal(core, mid)
    assert len(journal) == before + 1
    entry = journal[-1]
    assert entry.automatic and entry.label == "Monitor: 3 status change(s)"
    assert entry.args == {"args": [mid, "3 status change(s), 4 observation(s)"], "kwargs": {}}
    sd = _ep(core, mid, b.endpoints["Sơn Dương"])
    assert (sd.status, sd.last_probe_ok, sd.last_probe_detail) == ("unstable", False, "timeout")
    assert [(e.status, e.automatic) for e in reads.status_events(core, sd.id)] == [
        ("connected", True), ("unstable", True)]
    tu = _ep(core, mid, b.endpoints["Tỉnh ủy"])
    assert (tu.status, tu.last_latency_ms, tu.last_probe_ok) == ("not_connected", 1.0, True)
    # undo skips the automatic entry: it undoes the clerk's note
    assert core.undo_status(mid).undo_label == "Note on Tỉnh ủy"
    core.undo(mid)
    assert _ep(core, mid, b.endpoints["Tỉnh ủy"]).note == ""
    assert _ep(core, mid, b.endpoints["Sơn Dương"]).status == "unstable"


def test_manual_status_holds_against_the_monitor_until_released(core: Core, clock: FakeClock) -> None:
    b = small_meeting(core)
    mid, sd = b.meeting_id, b.endpoints["Sơn Dương"]
    endpoints.set_status(core, sd, "lost", detail="phone: the hall has no power")
    clock.advance(seconds=5)
    res = endpoints.apply_monitor_batch(core, mid, MonitorBatch([Observed(sd, clock.now(), "connected", True, 3.0)])).result
    assert (res.applied, res.held, res.statuses[sd]) == (0, 1, "lost")
    e = _ep(core, mid, sd)
    assert (e.status, e.last_probe_ok) == ("lost", True)  # the clerk's entry stands; the probe is kept
    endpoints.release_override(core, sd)
    clock.advance(seconds=5)
    res = endpoints.apply_monitor_batch(core, mid, MonitorBatch([Observed(sd, clock.now(), "connected", True, 3.0)])).result
    assert (res.applied, res.statuses[sd]) == (1, "connected")


def test_monitor_batch_ignores_removed_and_foreign_endpoints(core: Core, clock: FakeClock) -> None:
    b = small_meeting(core)
    other = meetings.create_meeting(core, "Khác", clock.now().date()).result
    foreign = endpoints.create_in_meeting(core, other, "Xã khác").result
    res = endpoints.apply_monitor_batch(core, b.meeting_id, MonitorBatch([
        Observed(foreign, clock.now(), "lost"), Observed(999_999, clock.now(), "lost")])).result
    assert (res.applied, res.unknown) == (0, 2)
    assert _ep(core, other, foreign).status == "not_connected"


def test_monitor_event_times_never_run_backwards(core: Core, clock: FakeClock) -> None:
    b = small_meeting(core)
    sd = b.endpoints["Sơn Dương"]
    endpoints.set_status(core, sd, "connected")
    endpoints.release_override(core, sd)
    late = clock.now() - timedelta(seconds=3)  # observed before the clerk's status, applied after
    endpoints.apply_monitor_batch(core, b.meeting_id, MonitorBatch([Observed(sd, late, "lost")]))
    evs = reads.status_events(core, sd)
    assert [e.status for e in evs] == ["connected", "lost"]
    assert evs[1].at == evs[0].at


def test_monitor_batch_refuses_unknown_status(core: Core, clock: FakeClock) -> None:
    b = small_meeting(core)
    with pytest.raises(OperationRefused):
        endpoints.apply_monitor_batch(core, b.meeting_id, MonitorBatch([Observed(b.endpoints["Sơn Dương"], clock.now(), "gone")]))


# --- addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize("text, scheme, host, port, path", [
    ("tcp://10.0.0.5:5060", "tcp", "10.0.0.5", 5060, ""),
    ("TCP://Example.VN:80", "tcp", "example.vn", 80, ""),
    ("tcp://[::1]:8080", "tcp", "::1", 8080, ""),
    ("sip:10.1.2.3", "sip", "10.1.2.3", 5060, ""),
    ("sip:mcu@tinhuy.tuyenquang.gov.vn:5070", "sip", "tinhuy.tuyenquang.gov.vn", 5070, ""),
    ("sip:[2001:db8::1]:5062;transport=udp", "sip", "2001:db8::1", 5062, ""),
    ("http://127.0.0.1:8080/health", "http", "127.0.0.1", 8080, "/health"),
    ("http://127.0.0.1", "http", "127.0.0.1", 80, "/"),
    ("https://mcu.example.vn/api/status?x=1", "https", "mcu.example.vn", 443, "/api/status?x=1"),
    ("https://mcu.example.vn?x=1", "https", "mcu.example.vn", 443, "/?x=1"),
    ("http://tuyênquang.vn/", "http", "xn--tuynquang-n4a.vn", 80, "/"),
])
def test_addresses_accepted(text: str, scheme: str, host: str, port: int, path: str) -> None:
    a = parse_address(text)
    assert (a.scheme, a.host, a.port, a.path) == (scheme, host, port, path)


def test_https_ca_file() -> None:
    a = parse_address("https://mcu.local:8443/status#ca=/etc/mc/ca.pem")
    assert (a.port, a.path, a.ca_file) == (8443, "/status", "/etc/mc/ca.pem")


@pytest.mark.parametrize("text, says", [
    ("10.0.0.5:5060", "say how to probe it"),
    ("localhost:80", "say how to probe it"),
    ("ftp://x.vn/", "unknown kind of address"),
    ("udp://1.2.3.4:5", "unknown kind of address"),
    ("tcp://10.0.0.5", "needs a port"),
    ("tcp://10.0.0.5:", "port after ':' is missing"),
    ("tcp://10.0.0.5:0", "outside 1–65535"),
    ("tcp://10.0.0.5:65536", "outside 1–65535"),
    ("tcp://10.0.0.5:80a", "not a number"),
    ("tcp://10.0.0.5:80/x", "only tcp://host:port"),
    ("tcp:10.0.0.5:80", "write tcp://host:port"),
    ("tcp://999.1.1.1:80", "not an IPv4 address"),
    ("tcp://1.2.3:80", "not an IPv4 address"),
    ("tcp://::1:80", "in brackets"),
    ("tcp://[::g]:80", "not an IPv6 address"),
    ("tcp://[::1:80", "unbalanced brackets"),
    ("tcp://bad_host.vn:80", "not a valid host name"),
    ("tcp://-x.vn:80", "not a valid host name"),
    ("tcp://:80", "names no host"),
    ("sip://10.0.0.1", "has no '//'"),
    ("sip:10.0.0.1;transport=tcp", "only SIP over UDP"),
    ("sips:10.0.0.1", "sips:"),
    ("sip:a b@10.0.0.1", "contains a space"),
    ("http://user:pw@mcu.vn/", "no user name or password"),
    ("http:mcu.vn", "write http://host/path"),
    ("http://mcu.vn/#ca=/x.pem", "only thing allowed after '#'"),
    ("https://mcu.vn/#x", "only thing allowed after '#'"),
    ("http://mcu.vn/a\x00b", "control character"),
    ("http://mcu.vn/a{b}", "characters a URL does not allow"),
    ("tcp://1.2.3.4:80\u202e", "control character"),
])
def test_malformed_addresses_refused_with_a_clear_message(text: str, says: str) -> None:
    with pytest.raises(OperationRefused) as err:
        endpoints.address_check("address", text)
    assert str(err.value).startswith("address: ") and says in str(err.value)


def test_operations_refuse_malformed_addresses(core: Core) -> None:
    b = small_meeting(core)
    for text in ("10.0.0.5:5060", "tcp://10.0.0.5", "http://u:p@x.vn/"):
        with pytest.raises(OperationRefused, match="address: "):
            endpoints.edit_endpoint(core, b.endpoints["Sơn Dương"], address=text)
        with pytest.raises(OperationRefused, match="address: "):
            endpoints.create_in_meeting(core, b.meeting_id, "Na Hang", address=text)
        with pytest.raises(OperationRefused, match="address: "):
            endpoints.update_directory_endpoint(core, 1, address=text)


def test_address_entry_is_normalised(core: Core) -> None:
    b = small_meeting(core)
    endpoints.edit_endpoint(core, b.endpoints["Sơn Dương"], address="  SIP:10.0.0.9:5062 ")
    assert _ep(core, b.meeting_id, b.endpoints["Sơn Dương"]).address == "sip:10.0.0.9:5062"
    endpoints.edit_endpoint(core, b.endpoints["Sơn Dương"], address="")
    assert _ep(core, b.meeting_id, b.endpoints["Sơn Dương"]).address == ""


# --- many endpoints -------------------------------------------------------------------------------


def test_add_endpoints_bulk_and_fast_rows(core: Core) -> None:
    b = small_meeting(core)
    specs = endpoints.Listing(
        {"name": f"Xã {i} Sơn Dương", "kind": "commune", "code": f"SD{i:04d}", "expected_delegates": 12,
         "address": f"tcp://127.0.0.1:{20000 + i}", "monitored": True}
        for i in range(1, 1001)
    )
    ch = endpoints.add_endpoints(core, b.meeting_id, specs)
    assert ch.result == 1000 and ch.label == "Add 1000 endpoint(s)"
    assert reads.journal(core, b.meeting_id)[-1].args["args"][1] == "1000 endpoint(s)"
    rows = endpoints.rows(core, b.meeting_id)
    assert rows == reads.endpoints(core, b.meeting_id)  # the fast read gives what reads gives
    assert [r.position for r in rows] == list(range(1, 1004))
    some = endpoints.rows(core, b.meeting_id, [rows[5].id, rows[500].id, 999_999])
    assert some == (rows[5], rows[500])
    setup = endpoints.monitor_setup(core, b.meeting_id)
    assert len(setup.targets) == 1000 and setup.targets[0].address == "tcp://127.0.0.1:20001"
    core.undo(b.meeting_id)
    assert len(endpoints.rows(core, b.meeting_id)) == 3


@pytest.mark.parametrize("specs, says", [
    ([{"name": "A"}, {"name": "A"}], "entry 2: name: 'A' is listed twice"),
    ([{"name": "A", "code": "X"}, {"name": "B", "code": "X"}], "entry 2: code: 'X' is listed twice"),
    ([{"name": "A"}, {"name": "B", "address": "10.0.0.1"}], "entry 2: address"),
    ([{"name": "A", "kind": "planet"}], "entry 1: kind"),
    ([{"kind": "commune"}], "entry 1: name"),
    ([{"name": "Sơn Dương"}], "entry 1: Sơn Dương takes part in this meeting already"),
    ([{"name": "Mới", "code": "SD"}], "entry 1: code: 'SD' belongs to 'Sơn Dương'"),
    ([{"name": "A", "colour": "red"}], "entry 1: endpoint: unknown field"),
])
def test_add_endpoints_refuses_bad_entries_as_a_whole(core: Core, specs: list, says: str) -> None:  # type: ignore[type-arg]
    b = small_meeting(core)
    with pytest.raises(OperationRefused, match=says):
        endpoints.add_endpoints(core, b.meeting_id, specs)
    assert len(reads.endpoints(core, b.meeting_id)) == 3


# --- the bulk path of the monitor's batch -------------------------------------------------------


def _batch_for(ids: list[int], t0) -> MonitorBatch:  # type: ignore[no-untyped-def]
    obs = []
    for k, i in enumerate(ids):
        obs.append(Observed(i, t0, "connected", True, 10.0 + k % 7, "feed: connected"))
        if k % 3 == 0:
            obs.append(Observed(i, t0 + timedelta(seconds=1), "unstable", False, None, "feed: connecting"))
        if k % 5 == 0:
            obs.append(Observed(i, t0 + timedelta(seconds=2), None, True, 3.0, "probe only"))
        if k % 7 == 0:
            obs.append(Observed(i, t0 - timedelta(seconds=30), "lost", False, None, "late report", probe=False))
    obs.append(Observed(999_999, t0, "lost"))
    return MonitorBatch(obs)


def _sorted_changes(entry) -> list:  # type: ignore[no-untyped-def]
    return sorted(entry.changes, key=lambda c: (c["t"], c["id"]))


def test_bulk_path_journals_exactly_what_the_orm_path_does(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from meeting_console.core.clock import FakeClock
    from tests.conftest import T0

    results = []
    for bulk_from in (10**9, 1):  # ORM objects, then bulk statements
        monkeypatch.setattr(endpoints, "BULK_FROM", bulk_from)
        core = Core.open(str(tmp_path / f"b{bulk_from}.db"), clock=FakeClock(T0))
        try:
            mid = meetings.create_meeting(core, "Hội nghị", T0.date()).result
            endpoints.add_endpoints(core, mid, endpoints.Listing(
                {"name": f"Xã {i}", "code": f"X{i}", "monitored": True} for i in range(300)))
            ids = [e.id for e in endpoints.rows(core, mid)]
            endpoints.set_status(core, ids[4], "left")  # a clerk's status: held
            res = endpoints.apply_monitor_batch(core, mid, _batch_for(ids, T0)).result
            entry = reads.journal(core, mid)[-1]
            from meeting_console.core.verify import verify

            report = verify(core)
            assert report.sound, report.problems
            results.append((res, entry.label, entry.automatic, _sorted_changes(entry),
                            endpoints.rows(core, mid), [reads.status_events(core, i) for i in ids[:20]]))
        finally:
            core.close()
    orm, bulk = results
    assert orm == bulk
    res = bulk[0]
    assert (res.applied, res.held, res.unknown) == (299 + 100 + 43, 1, 1)


def test_bulk_batch_then_clerk_undo_still_works(core: Core, clock: FakeClock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(endpoints, "BULK_FROM", 1)
    b = small_meeting(core)
    mid = b.meeting_id
    ids = list(b.endpoints.values())
    endpoints.set_note(core, ids[0], "ghi chú")
    endpoints.apply_monitor_batch(core, mid, MonitorBatch(Observed(i, clock.now(), "connected", True, 5.0, "ok") for i in ids))
    assert {e.status for e in reads.endpoints(core, mid)} == {"connected"}
    assert core.undo_status(mid).undo_label == "Note on Tỉnh ủy"
    core.undo(mid)
    assert _ep(core, mid, ids[0]).note == ""
    clock.advance(seconds=10)
    endpoints.set_status(core, ids[1], "lost")
    core.undo(mid)  # the clerk's status comes off over the monitor's change
    assert _ep(core, mid, ids[1]).status == "connected"


def test_address_problems_speak_vietnamese() -> None:
    from meeting_console import i18n
    from meeting_console.core.endpoints import AddressError

    i18n.set_language("vi")
    try:
        with pytest.raises(AddressError, match="'tcp://10.0.0.5' cần số cổng, ví dụ tcp://máy:5060"):
            parse_address("tcp://10.0.0.5")
        with pytest.raises(AddressError, match="cổng 0 nằm ngoài khoảng 1–65535"):
            parse_address("tcp://10.0.0.5:0")
    finally:
        i18n.set_language("en")


def test_not_found_names_the_object_in_vietnamese(core: Core) -> None:
    from meeting_console import i18n
    from meeting_console.errors import NotFound

    i18n.set_language("vi")
    try:
        with pytest.raises(NotFound, match="không có điểm cầu của hội nghị mã số 999999"):
            endpoints.set_status(core, 999999, "lost")
    finally:
        i18n.set_language("en")
