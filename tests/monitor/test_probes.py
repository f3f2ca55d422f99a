"""Direct probes against real peers on 127.0.0.1: TCP listeners, HTTP(S) servers, sipp as a
SIP endpoint, and raw peers that misbehave (silence, garbage, truncation)."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from pathlib import Path

import pytest

from meeting_console.core.endpoints import parse_address
from meeting_console.monitor import http
from meeting_console.monitor.probes import ProbeResult, probe
from tests.monitor.conftest import Ticker
from tests.monitor.peers import (
    Http,
    RawServer,
    SipResponder,
    TcpListener,
    free_port,
    never_answer,
    self_signed,
    send_then_close,
    sipp_uas,
)


def run_probe(address: str, timeout: float = 1.0) -> ProbeResult:
    return asyncio.run(probe(parse_address(address), timeout))


# --- TCP -------------------------------------------------------------------------------------


def test_tcp_up_then_down() -> None:
    lst = TcpListener().open()
    r = run_probe(lst.address)
    assert r.ok is True and r.latency_ms is not None and r.detail.startswith("TCP connected in")
    lst.close()
    r = run_probe(lst.address)
    assert (r.ok, r.detail) == (False, "TCP: connection refused")


def test_tcp_unknown_host_name() -> None:
    r = run_probe("tcp://no-such-host.invalid:80")
    assert r.ok is False and "host name not found" in r.detail


# --- SIP -------------------------------------------------------------------------------------


def test_sip_options_answered_by_sipp() -> None:
    with sipp_uas() as port:
        r = run_probe(f"sip:127.0.0.1:{port}", timeout=2.0)
    assert r.ok is True and r.detail.startswith("SIP 200 OK in"), r.detail


def test_sip_down_after_sipp_stops() -> None:
    with sipp_uas() as port:
        assert run_probe(f"sip:127.0.0.1:{port}", timeout=2.0).ok
    r = run_probe(f"sip:127.0.0.1:{port}", timeout=1.0)
    assert r.ok is False and ("port unreachable" in r.detail or "no SIP answer" in r.detail)


@pytest.mark.parametrize("mode, ok, says", [
    ("ok", True, "SIP 200 OK"),
    ("not_found", True, "SIP 404 Not Found"),  # any final response: something answered
    ("drop_first", True, "SIP 200 OK"),  # the retransmission after T1 gets through
    ("garbage", False, "not a SIP response"),
    ("http", False, "not a SIP response"),
    ("truncated", False, "incomplete SIP response (no Call-ID)"),
    ("wrong_call_id", False, "no SIP answer within"),  # a stray answer is not ours
    ("trying_only", False, "only 100 Trying"),
    ("silent", False, "no SIP answer within 1 s"),
    ("huge", False, "no Call-ID"),
])
def test_sip_peer_behaviours(mode: str, ok: bool, says: str) -> None:
    peer = SipResponder(mode)
    try:
        r = run_probe(peer.address, timeout=1.0)
    finally:
        peer.close()
    assert r.ok is ok and says in r.detail, r.detail
    if mode == "drop_first":
        assert len(peer.received) >= 2


def test_sip_request_is_a_proper_options() -> None:
    peer = SipResponder("ok")
    try:
        run_probe(peer.address)
    finally:
        peer.close()
    text = peer.received[0].decode()
    first, *headers = text.split("\r\n")
    assert first == f"OPTIONS sip:127.0.0.1:{peer.port} SIP/2.0"
    names = {h.split(":", 1)[0] for h in headers if ":" in h}
    assert {"Via", "From", "To", "Call-ID", "CSeq", "Max-Forwards", "Content-Length"} <= names
    assert "branch=z9hG4bK" in text and text.endswith("\r\n\r\n")


# --- HTTP ------------------------------------------------------------------------------------


def test_http_2xx_alive_others_not() -> None:
    srv = Http()
    try:
        r = run_probe(srv.url("/health/trạng-thái"))
        assert r.ok is True and r.detail.startswith("HTTP 200 OK in")
        assert srv.paths[-1] == "/health/tr%E1%BA%A1ng-th%C3%A1i"
        srv.status = 204
        assert run_probe(srv.url()).ok is True
        srv.status = 503
        r = run_probe(srv.url())
        assert (r.ok, r.detail) == (False, "HTTP 503 Service Unavailable")
        srv.status = 302
        assert run_probe(srv.url()).ok is False  # redirects are not followed
    finally:
        srv.close()


def test_http_peer_that_accepts_and_never_answers_times_out_without_stalling() -> None:
    peer = RawServer(never_answer)

    async def main() -> tuple[ProbeResult, Ticker]:
        ticker = Ticker().start()
        r = await probe(parse_address(f"http://127.0.0.1:{peer.port}/"), 0.5)
        ticker.stop()
        return r, ticker

    try:
        r, ticker = asyncio.run(main())
    finally:
        peer.close()
    assert (r.ok, r.detail) == (False, "HTTP: no complete reply within 0.5 s")
    assert ticker.ticks >= 10  # the loop kept turning while the probe waited


@pytest.mark.parametrize("reply, says", [
    (b"\x00\x01garbage\r\n\r\n", "not an HTTP reply"),
    (b"HTTP/1.1 200 OK\r\nContent-Le", "reply cut short in the headers"),
    (b"", "closed the connection before the status line"),
    (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "malformed header line"),
    (b"HTTP/1.1 2000 OK\r\n\r\n", "not an HTTP reply"),
    (b"SIP/2.0 200 OK\r\n\r\n", "not an HTTP reply"),
    (b"HTTP/1.1 200 " + b"x" * 70000 + b"\r\n", "status line longer than"),
])
def test_http_garbage_and_truncated_replies(reply: bytes, says: str) -> None:
    peer = RawServer(send_then_close(reply))
    try:
        r = run_probe(f"http://127.0.0.1:{peer.port}/")
    finally:
        peer.close()
    assert r.ok is False and says in r.detail, r.detail


def test_https_verified_by_default_and_with_own_ca(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = Http(tls=ctx)
    try:
        r = run_probe(srv.url(host="localhost"))
        assert r.ok is False and "TLS certificate not trusted" in r.detail, r.detail
        r = run_probe(srv.url(host="localhost") + f"#ca={cert}")
        assert r.ok is True, r.detail
        r = run_probe(srv.url(host="127.0.0.1") + f"#ca={cert}")  # the cert names 127.0.0.1 too
        assert r.ok is True, r.detail
        # a CA file that cannot be read is this computer's problem: nothing concluded
        r = run_probe(srv.url(host="localhost") + f"#ca={tmp_path / 'missing.pem'}")
        assert r.ok is None and "CA file" in r.detail
    finally:
        srv.close()


def test_http_body_limit_and_truncated_body() -> None:
    srv = Http()
    srv.body = b"x" * 5000

    async def get(max_bytes: int) -> bytes:
        return (await http.get(parse_address(srv.url()), timeout=2, max_bytes=max_bytes)).body

    try:
        assert asyncio.run(get(5000)) == b"x" * 5000
        with pytest.raises(http.HttpError, match="larger than"):
            asyncio.run(get(4999))
    finally:
        srv.close()
    peer = RawServer(send_then_close(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"))
    try:
        with pytest.raises(http.HttpError, match="cut short: 5 of 100 bytes"):
            asyncio.run(http.get(parse_address(f"http://127.0.0.1:{peer.port}/"), timeout=2, max_bytes=1000))
    finally:
        peer.close()
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    peer = RawServer(send_then_close(chunked))
    try:
        body = asyncio.run(http.get(parse_address(f"http://127.0.0.1:{peer.port}/"), timeout=2, max_bytes=1000)).body
        assert body == b"hello world"
    finally:
        peer.close()


def test_slow_drip_peer_is_cut_by_the_deadline() -> None:
    def drip(c):  # type: ignore[no-untyped-def]
        c.recv(65536)
        for _ in range(100):
            c.sendall(b"HTTP/1.1 200 OK\r\n"[:1])
            time.sleep(0.05)

    peer = RawServer(drip)
    try:
        r = run_probe(f"http://127.0.0.1:{peer.port}/", timeout=0.5)
    finally:
        peer.close()
    assert (r.ok, r.detail) == (False, "HTTP: no complete reply within 0.5 s")


# --- many at once ------------------------------------------------------------------------------


def test_thousands_of_unreachable_addresses_at_once() -> None:
    """2,000 closed TCP ports, 500 closed SIP ports and 100 silent HTTP peers at the same time:
    each gets an answer, none raises, and the loop keeps turning."""
    silent = RawServer(never_answer)
    # ports bound but not listening: refused for sure, and no other process can take them
    closed = []
    for _ in range(2000):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        closed.append(sock)
    addresses = [f"tcp://127.0.0.1:{sock.getsockname()[1]}" for sock in closed]
    addresses += [f"sip:127.0.0.1:{free_port()}" for _ in range(500)]
    addresses += [f"http://127.0.0.1:{silent.port}/"] * 100

    async def main() -> tuple[list[ProbeResult], Ticker]:
        ticker = Ticker().start()
        sem = asyncio.Semaphore(256)

        async def one(a: str) -> ProbeResult:
            async with sem:
                # a closed port answers at once; the long limit only keeps a loaded CI machine
                # from turning "refused" into "no connection" (the silent peers use 1 s)
                return await probe(parse_address(a), 1.0 if a.startswith("http") else 20.0)

        results = await asyncio.gather(*(one(a) for a in addresses))
        ticker.stop()
        return results, ticker

    try:
        results, ticker = asyncio.run(main())
    finally:
        silent.close()
        for sock in closed:
            sock.close()
    assert len(results) == len(addresses)
    assert all(r.ok is False for r in results)
    assert {r.detail for r in results[:2000]} == {"TCP: connection refused"}
    assert ticker.ticks > 0
    print(f"longest loop gap while probing 2,600 dead peers: {ticker.longest * 1000:.0f} ms")


def test_details_are_stored_in_english_and_shown_in_the_console_language() -> None:
    from meeting_console import i18n
    from meeting_console.monitor.probes import detail_text

    stored = ["TCP connected in 3.2 ms", "TCP: no connection within 1 s", "TCP: connection refused",
              "SIP: no SIP answer within 2 s (only 100 Trying)", "HTTP 503 Service Unavailable",
              "HTTP: TLS failed: WRONG_VERSION_NUMBER", "feed: lost, MCU says down", "roll call",
              "TCP: Network is unreachable"]
    assert [detail_text(d) for d in stored] == stored  # English: as stored
    i18n.set_language("vi")
    try:
        assert [detail_text(d) for d in stored] == [
            "TCP kết nối được sau 3.2 ms", "TCP: không kết nối được trong 1 giây",
            "TCP: kết nối bị từ chối",
            "SIP: không có phản hồi SIP trong 2 giây (chỉ nhận 100 Trying)",
            "HTTP 503 Service Unavailable", "HTTP: lỗi TLS: WRONG_VERSION_NUMBER",
            "nguồn trạng thái: mất kết nối, MCU says down", "điểm danh",
            "TCP: Network is unreachable"]  # an OS message is shown as the OS gave it
    finally:
        i18n.set_language("en")
