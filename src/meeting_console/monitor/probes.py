"""Direct probes by address: tcp:// (a connection is accepted), sip: (OPTIONS answered),
http(s):// (a 2xx status). Each returns a ``ProbeResult`` and never raises for what a peer
does; ``ok`` is None when the problem is on this computer (then nothing is concluded)."""

from __future__ import annotations

import asyncio
import errno
import socket
import time
from dataclasses import dataclass

from meeting_console.core.endpoints import Address
from meeting_console.monitor import http, sip

PROBE_BODY_LIMIT = 64 * 1024


@dataclass(frozen=True)
class ProbeResult:
    ok: bool | None  # True alive, False not, None: not concluded (local problem)
    latency_ms: float | None
    detail: str
    degraded: bool = False


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


async def tcp_probe(address: Address, timeout: float) -> ProbeResult:
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            transport, _ = await loop.create_connection(asyncio.Protocol, address.host, address.port)
        latency = _ms(start)
        transport.abort()
        return ProbeResult(True, latency, f"TCP connected in {latency:g} ms")
    except TimeoutError:
        return ProbeResult(False, None, f"TCP: no connection within {timeout:g} s")
    except ConnectionRefusedError:
        return ProbeResult(False, None, "TCP: connection refused")
    except socket.gaierror as exc:
        return ProbeResult(False, None, f"TCP: host name not found ({exc.strerror})")
    except OSError as exc:
        if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
            return ProbeResult(None, None, f"local: {exc.strerror}")
        return ProbeResult(False, None, f"TCP: {exc.strerror or exc}")


async def sip_probe(address: Address, timeout: float) -> ProbeResult:
    start = time.perf_counter()
    try:
        answer = await sip.options_ping(address.host, address.port, timeout=timeout)
    except sip.SipError as exc:
        return ProbeResult(None if exc.local else False, None, f"SIP: {exc}")
    latency = _ms(start)
    return ProbeResult(True, latency, f"SIP {answer.code} {answer.reason}".rstrip() + f" in {latency:g} ms")


async def http_probe(address: Address, timeout: float) -> ProbeResult:
    start = time.perf_counter()
    try:
        reply = await http.get(address, timeout=timeout, max_bytes=PROBE_BODY_LIMIT, want_body=False)
    except http.HttpError as exc:
        return ProbeResult(None if exc.local else False, None, f"HTTP: {exc}")
    latency = _ms(start)
    ok = 200 <= reply.status < 300
    return ProbeResult(ok, latency if ok else None, f"HTTP {reply.status} {reply.reason}".rstrip()
                       + (f" in {latency:g} ms" if ok else ""))


async def probe(address: Address, timeout: float) -> ProbeResult:
    """Probe by the address's scheme. Never raises for the peer's behaviour."""
    try:
        if address.scheme == "tcp":
            return await tcp_probe(address, timeout)
        if address.scheme == "sip":
            return await sip_probe(address, timeout)
        return await http_probe(address, timeout)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # a bug or an odd peer must not stop the monitor
        return ProbeResult(False, None, f"probe failed: {type(exc).__name__}: {exc}")
