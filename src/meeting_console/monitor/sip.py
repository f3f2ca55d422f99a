"""SIP OPTIONS over UDP: the keep-alive video-conference systems use to see an endpoint drop.

Any final response (200 OK, but also 404 or 405: something answered) counts as alive;
provisional 1xx responses are waited past. The request is retransmitted with SIP's timer T1
doubling (0.5 s, 1 s, 2 s …) until the deadline, so one lost datagram does not fail a probe.
A reply that is not SIP, or does not carry our Call-ID, is never taken as alive.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass

from meeting_console import __version__

T1 = 0.5
MAX_DATAGRAM = 65535
_STATUS = re.compile(r"^SIP/2\.0 ([1-6][0-9]{2})(?: (.*))?$")


@dataclass(frozen=True)
class SipAnswer:
    code: int
    reason: str


class SipError(Exception):
    def __init__(self, message: str, *, local: bool = False) -> None:
        super().__init__(message)
        self.local = local


def options_request(host: str, port: int, local_host: str, local_port: int, call_id: str,
                    branch: str, tag: str) -> bytes:
    target = f"[{host}]" if ":" in host else host
    me = f"[{local_host}]" if ":" in local_host else local_host
    uri = f"sip:{target}:{port}"
    return (
        f"OPTIONS {uri} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {me}:{local_port};branch=z9hG4bK{branch};rport\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:monitor@{me}>;tag={tag}\r\n"
        f"To: <{uri}>\r\n"
        f"Call-ID: {call_id}\r\n"
        "CSeq: 1 OPTIONS\r\n"
        f"Contact: <sip:monitor@{me}:{local_port}>\r\n"
        "Accept: application/sdp\r\n"
        f"User-Agent: MeetingConsole/{__version__}\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


def parse_response(data: bytes, call_id: str) -> SipAnswer | None:
    """The status of a response to our request; None for a response to something else (stray
    or late). Raises ``SipError`` for data that is not a usable SIP response."""
    text = data.decode("utf-8", errors="replace")
    head, _, _ = text.partition("\r\n\r\n")
    lines = head.split("\r\n") if "\r\n" in head else head.split("\n")
    match = _STATUS.match(lines[0].strip()) if lines else None
    if match is None:
        raise SipError(f"not a SIP response: {data[:40]!r}")
    found = None
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon and name.strip().lower() in ("call-id", "i"):
            found = value.strip()
            break
    if found is None:
        raise SipError(f"incomplete SIP response (no Call-ID): {lines[0][:40]!r}")
    if found != call_id:
        return None
    return SipAnswer(int(match.group(1)), (match.group(2) or "").strip())


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, call_id: str) -> None:
        self.call_id = call_id
        self.done: asyncio.Future[SipAnswer] = asyncio.get_running_loop().create_future()
        self.provisional: SipAnswer | None = None

    def datagram_received(self, data: bytes, addr: object) -> None:
        if self.done.done():
            return
        try:
            answer = parse_response(data, self.call_id)
        except SipError as exc:
            self.done.set_exception(exc)
            return
        if answer is None:
            return
        if answer.code >= 200:
            self.done.set_result(answer)
        else:
            self.provisional = answer

    def error_received(self, exc: Exception) -> None:
        if not self.done.done():
            if isinstance(exc, ConnectionRefusedError):
                self.done.set_exception(SipError("port unreachable (nothing listens for SIP)"))
            else:
                self.done.set_exception(SipError(str(exc) or type(exc).__name__))

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None and not self.done.done():
            self.done.set_exception(SipError(f"socket failed: {exc}"))


async def options_ping(host: str, port: int, *, timeout: float) -> SipAnswer:
    """Send OPTIONS to host:port and wait for a final response within ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    call_id = f"{secrets.token_hex(12)}@meeting-console"
    proto = _Protocol(call_id)
    try:
        async with asyncio.timeout(timeout):
            try:
                transport, _ = await loop.create_datagram_endpoint(lambda: proto, remote_addr=(host, port))
            except OSError as exc:
                import errno
                import socket

                if isinstance(exc, socket.gaierror):
                    raise SipError(f"host name not found ({exc.strerror})") from None
                local = exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
                raise SipError(f"{'local: ' if local else ''}{exc.strerror or exc}", local=local) from None
            try:
                local_host, local_port = transport.get_extra_info("sockname")[:2]
                request = options_request(host, port, local_host, local_port, call_id,
                                          secrets.token_hex(8), secrets.token_hex(4))
                wait = T1
                while True:
                    transport.sendto(request)
                    try:
                        return await asyncio.wait_for(asyncio.shield(proto.done), wait)
                    except TimeoutError:
                        wait = min(wait * 2, 4.0)
            finally:
                if not proto.done.done():
                    proto.done.cancel()
                transport.close()
    except TimeoutError:
        extra = f" (only {proto.provisional.code} {proto.provisional.reason})" if proto.provisional else ""
        raise SipError(f"no SIP answer within {timeout:g} s{extra}") from None
