"""A small HTTP/1.1 GET client on asyncio streams, strict about limits: one deadline for the
whole exchange, a cap on header and body sizes, HTTPS verified by default (optionally against
the endpoint's own CA file). Enough for health probes and the status feed; no redirects."""

from __future__ import annotations

import asyncio
import re
import ssl
from dataclasses import dataclass, field
from urllib.parse import quote

from meeting_console import __version__
from meeting_console.core.endpoints import Address

USER_AGENT = f"MeetingConsole/{__version__}"
MAX_HEADER_BYTES = 64 * 1024
MAX_HEADERS = 100
_STATUS_LINE = re.compile(rb"^HTTP/1\.[01] ([0-9]{3})(?: ([^\r\n]*))?\r?\n$")


class HttpError(Exception):
    """The exchange failed; ``str()`` says why in one line. ``local`` marks a problem on this
    computer (no file descriptors, bad CA file) rather than at the peer."""

    def __init__(self, message: str, *, local: bool = False) -> None:
        super().__init__(message)
        self.local = local


@dataclass(frozen=True)
class HttpReply:
    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


_contexts: dict[str, ssl.SSLContext] = {}


def tls_context(ca_file: str = "") -> ssl.SSLContext:
    """A verifying client context (system CAs, or only ``ca_file`` when given); cached."""
    ctx = _contexts.get(ca_file)
    if ctx is None:
        try:
            ctx = ssl.create_default_context(cafile=ca_file or None)
        except (OSError, ssl.SSLError) as exc:
            raise HttpError(f"CA file {ca_file!r} cannot be used: {exc}", local=True) from None
        _contexts[ca_file] = ctx
    return ctx


def _target(address: Address) -> str:
    # keep the reserved characters of the path and query; encode spaces and non-ASCII
    return quote(address.path or "/", safe="/?&=%:@!$'()*+,;~-._")


async def get(address: Address, *, timeout: float, max_bytes: int, want_body: bool = True) -> HttpReply:
    """GET ``address`` within ``timeout`` seconds; the body only when ``want_body``. Raises
    ``HttpError`` for a refused connection, a timeout, a bad TLS certificate, a reply that is
    not HTTP, truncated, or larger than ``max_bytes``."""
    try:
        async with asyncio.timeout(timeout):
            return await _exchange(address, max_bytes, want_body)
    except TimeoutError:
        raise HttpError(f"no complete reply within {timeout:g} s") from None


async def _exchange(address: Address, max_bytes: int, want_body: bool) -> HttpReply:
    ctx = tls_context(address.ca_file) if address.scheme == "https" else None
    try:
        reader, writer = await asyncio.open_connection(
            address.host, address.port, ssl=ctx, server_hostname=address.host if ctx else None,
            limit=MAX_HEADER_BYTES)
    except ssl.SSLCertVerificationError as exc:
        raise HttpError(f"TLS certificate not trusted: {exc.verify_message}") from None
    except ssl.SSLError as exc:
        raise HttpError(f"TLS failed: {exc.reason or exc}") from None
    except OSError as exc:
        raise _os_error(exc) from None
    try:
        host = f"[{address.host}]" if ":" in address.host else address.host
        default = 443 if address.scheme == "https" else 80
        if address.port != default:
            host += f":{address.port}"
        writer.write(
            f"GET {_target(address)} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {USER_AGENT}\r\n"
            "Accept: application/json, */*;q=0.5\r\nConnection: close\r\n\r\n".encode("ascii"))
        await writer.drain()
        status, reason = await _status_line(reader)
        headers = await _headers(reader)
        body = b""
        if want_body:
            body = await _body(reader, headers, max_bytes)
        return HttpReply(status, reason, headers, body)
    except ssl.SSLError as exc:
        raise HttpError(f"TLS failed: {exc.reason or exc}") from None
    except (ConnectionError, OSError) as exc:
        raise _os_error(exc) from None
    finally:
        writer.transport.abort()  # no lingering close handshake: the deadline is ours


def _os_error(exc: OSError) -> HttpError:
    import errno

    if isinstance(exc, ConnectionRefusedError):
        return HttpError("connection refused")
    if isinstance(exc, ConnectionResetError):
        return HttpError("connection reset by the peer")
    if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
        return HttpError(f"local: {exc.strerror}", local=True)
    import socket

    if isinstance(exc, socket.gaierror):
        return HttpError(f"host name not found ({exc.strerror})")
    return HttpError(exc.strerror or str(exc) or type(exc).__name__)


async def _line(reader: asyncio.StreamReader, what: str) -> bytes:
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            raise HttpError(f"the peer closed the connection before the {what}") from None
        raise HttpError(f"reply cut short in the {what}: {exc.partial[:60]!r}") from None
    except asyncio.LimitOverrunError:
        raise HttpError(f"{what} longer than {MAX_HEADER_BYTES} bytes") from None
    return line


async def _status_line(reader: asyncio.StreamReader) -> tuple[int, str]:
    line = await _line(reader, "status line")
    match = _STATUS_LINE.match(line)
    if match is None:
        raise HttpError(f"not an HTTP reply: {line[:60]!r}")
    return int(match.group(1)), (match.group(2) or b"").decode("latin-1").strip()


async def _headers(reader: asyncio.StreamReader) -> dict[str, str]:
    headers: dict[str, str] = {}
    total = 0
    while True:
        line = await _line(reader, "headers")
        total += len(line)
        if total > MAX_HEADER_BYTES or len(headers) > MAX_HEADERS:
            raise HttpError("reply headers too large")
        if line in (b"\r\n", b"\n"):
            return headers
        name, colon, value = line.decode("latin-1").partition(":")
        if not colon or not name.strip() or name != name.strip():
            raise HttpError(f"malformed header line: {line[:60]!r}")
        key = name.lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value


def _too_big(max_bytes: int) -> HttpError:
    return HttpError(f"reply larger than {max_bytes / 1024 / 1024:g} MiB; ignored")


async def _body(reader: asyncio.StreamReader, headers: dict[str, str], max_bytes: int) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return await _chunked(reader, max_bytes)
    length_text = headers.get("content-length")
    if length_text is not None:
        if not length_text.isdigit():
            raise HttpError(f"bad Content-Length {length_text[:30]!r}")
        length = int(length_text)
        if length > max_bytes:
            raise _too_big(max_bytes)
        try:
            return await reader.readexactly(length)
        except asyncio.IncompleteReadError as exc:
            raise HttpError(f"reply cut short: {len(exc.partial)} of {length} bytes") from None
    data = bytearray()
    while chunk := await reader.read(65536):
        data += chunk
        if len(data) > max_bytes:
            raise _too_big(max_bytes)
    return bytes(data)


async def _chunked(reader: asyncio.StreamReader, max_bytes: int) -> bytes:
    data = bytearray()
    while True:
        size_line = (await _line(reader, "chunk size")).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise HttpError(f"bad chunk size {size_line[:20]!r}") from None
        if size == 0:
            while (await _line(reader, "trailer")) not in (b"\r\n", b"\n"):
                pass
            return bytes(data)
        if len(data) + size > max_bytes:
            raise _too_big(max_bytes)
        try:
            data += await reader.readexactly(size)
            await reader.readexactly(2)
        except asyncio.IncompleteReadError:
            raise HttpError(f"reply cut short inside a chunk after {len(data)} bytes") from None
