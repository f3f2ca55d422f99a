"""Direct probes by address: tcp:// (a connection is accepted), sip: (OPTIONS answered),
http(s):// (a 2xx status). Each returns a ``ProbeResult`` and never raises for what a peer
does; ``ok`` is None when the problem is on this computer (then nothing is concluded)."""

from __future__ import annotations

import asyncio
import errno
import re
import socket
import time
from dataclasses import dataclass

from meeting_console import i18n
from meeting_console.core.endpoints import Address
from meeting_console.core.words import word
from meeting_console.i18n import N_, _
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


# --- details as shown ------------------------------------------------------------------------
# A probe's detail is stored in English (the database keeps one text whichever language the
# console that wrote it spoke; tests compare it); ``detail_text`` translates it where it is
# shown. A part it does not know (an OS error, a peer's reason phrase) is shown as it is.

_PREFIX = re.compile(r"(?P<proto>TCP|SIP|HTTP): (?P<inner>.+)", re.DOTALL)
_DETAILS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = tuple(
    (re.compile(pattern, re.DOTALL), template, inner)
    for pattern, template, inner in (
        (r"TCP connected in (?P<ms>[\d.]+) ms", N_("TCP connected in {ms} ms"), ()),
        (r"(?P<reply>(?:SIP|HTTP) \d{3}\b.*?) in (?P<ms>[\d.]+) ms", N_("{reply} in {ms} ms"), ()),
        (r"no connection within (?P<s>[\d.]+) s", N_("no connection within {s} s"), ()),
        (r"connection refused", N_("connection refused"), ()),
        (r"connection reset by the peer", N_("connection reset by the peer"), ()),
        (r"host name not found \((?P<why>.*)\)", N_("host name not found ({why})"), ()),
        (r"local: (?P<why>.*)", N_("local: {why}"), ()),
        (r"port unreachable \(nothing listens for SIP\)",
         N_("port unreachable (nothing listens for SIP)"), ()),
        (r"no SIP answer within (?P<s>[\d.]+) s \(only (?P<reply>.*)\)",
         N_("no SIP answer within {s} s (only {reply})"), ()),
        (r"no SIP answer within (?P<s>[\d.]+) s", N_("no SIP answer within {s} s"), ()),
        (r"socket failed: (?P<why>.*)", N_("socket failed: {why}"), ()),
        (r"not a SIP response: (?P<what>.*)", N_("not a SIP response: {what}"), ()),
        (r"no complete reply within (?P<s>[\d.]+) s", N_("no complete reply within {s} s"), ()),
        (r"TLS certificate not trusted: (?P<why>.*)", N_("TLS certificate not trusted: {why}"), ()),
        (r"TLS failed: (?P<why>.*)", N_("TLS failed: {why}"), ()),
        (r"not an HTTP reply: (?P<what>.*)", N_("not an HTTP reply: {what}"), ()),
        (r"probe failed: (?P<why>.*)", N_("probe failed: {why}"), ()),
        (r"feed: (?P<state>[a-z_]+), (?P<detail>.*)", N_("feed: {state}, {detail}"), ("state",)),
        (r"feed: (?P<state>[a-z_]+)", N_("feed: {state}"), ("state",)),
        (r"monitor resumes", N_("monitor resumes"), ()),
        (r"roll call", N_("roll call"), ()),
    )
)


def detail_text(detail: str) -> str:
    """A stored (English) probe or status-event detail in the console's language."""
    if not detail or i18n.language() == "en":
        return detail
    prefix = _PREFIX.fullmatch(detail)
    if prefix:
        return f"{prefix['proto']}: {detail_text(prefix['inner'])}"
    for pattern, template, words in _DETAILS:
        found = pattern.fullmatch(detail)
        if found:
            values = {k: (word(v) if k in words else v) for k, v in found.groupdict().items()}
            return _(template).format(**values)
    return detail


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
