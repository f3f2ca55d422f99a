"""Real peers on 127.0.0.1 for the monitor tests: TCP listeners, HTTP(S) servers with scripted
behaviour, a status-feed server, a pure-Python SIP/UDP responder and sipp as a real SIP UAS."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TcpListener:
    """A listening socket: the kernel completes connections (nobody needs to accept); closing
    it makes connects fail with 'refused' — an endpoint going down."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.sock: socket.socket | None = None

    def open(self) -> TcpListener:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(512)
        self.port = s.getsockname()[1]
        self.sock = s
        self._drain = threading.Thread(target=self._accept_and_close, daemon=True)
        self._drain.start()
        return self

    def _accept_and_close(self) -> None:
        s = self.sock
        while s is not None and s.fileno() >= 0:
            try:
                c, _ = s.accept()
                c.close()
            except OSError:
                return

    def close(self) -> None:
        if self.sock is not None:
            # shutdown first: it wakes the thread blocked in accept(), which would otherwise
            # keep the kernel socket listening after close()
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()
            self._drain.join(5)
            self.sock = None

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"


class RawServer:
    """Accepts connections and runs ``behaviour(conn)`` on each (garbage, silence, slow drip)."""

    def __init__(self, behaviour: Callable[[socket.socket], None]) -> None:
        self.behaviour = behaviour
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            threading.Thread(target=self._run, args=(c,), daemon=True).start()

    def _run(self, c: socket.socket) -> None:
        try:
            self.behaviour(c)
        except OSError:
            pass

    def close(self) -> None:
        self._stop.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass


def never_answer(c: socket.socket) -> None:
    """Accept and keep the connection open without a byte."""
    c.recv(65536)
    time.sleep(30)


def send_then_close(data: bytes) -> Callable[[socket.socket], None]:
    def run(c: socket.socket) -> None:
        c.recv(65536)
        c.sendall(data)
        c.close()

    return run


class Http:
    """A threaded HTTP(S) server whose reply the test sets: ``status``, ``body``, ``headers``."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        outer = self
        self.status = 200
        self.body: bytes | Callable[[], bytes] = b"ok"
        self.headers: dict[str, str] = {"Content-Type": "text/plain"}
        self.requests = 0
        self.paths: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                outer.requests += 1
                outer.paths.append(self.path)
                body = outer.body() if callable(outer.body) else outer.body
                self.send_response(outer.status)
                for k, v in outer.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.scheme = "https" if tls else "http"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str = "/health", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class FeedServer(Http):
    """Serves the status of many endpoints as the documented JSON feed; the test flips
    ``states[code]`` between polls (a missing code is not listed)."""

    def __init__(self, states: dict[str, str]) -> None:
        super().__init__()
        self.states = states
        self.headers = {"Content-Type": "application/json"}
        self.body = self._render
        self.polls = 0

    def _render(self) -> bytes:
        self.polls += 1
        return json.dumps({
            "format": "meeting-console-status-feed", "version": 1,
            "generated_at": "2022-01-14T08:00:00+07:00",
            "endpoints": [{"code": c, "state": s, "latency_ms": 20 + i % 50}
                          for i, (c, s) in enumerate(list(self.states.items()))],
        }).encode()


def self_signed(tmp: Path, host: str = "localhost") -> tuple[Path, Path]:
    """A certificate and key for ``host`` (and 127.0.0.1), made with the openssl tool."""
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={host}", "-addext", f"subjectAltName=DNS:{host},IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    return cert, key


class SipResponder:
    """A pure-Python UDP peer: answers each datagram as ``mode`` says (for the bad cases)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                data, addr = self.sock.recvfrom(65535)
            except OSError:
                return
            self.received.append(data)
            for reply in self._replies(data):
                try:
                    self.sock.sendto(reply, addr)
                except OSError:  # closed by the test while a reply was on its way
                    return

    def _replies(self, data: bytes) -> list[bytes]:
        text = data.decode("utf-8", "replace")
        headers = {line.split(":", 1)[0].lower(): line for line in text.split("\r\n")[1:] if ":" in line}
        call_id = headers.get("call-id", "Call-ID: ?")
        common = "\r\n".join(headers[h] for h in ("via", "from", "to", "cseq") if h in headers)
        def resp(code: str, cid: str = call_id) -> bytes:
            return f"SIP/2.0 {code}\r\n{common}\r\n{cid}\r\nContent-Length: 0\r\n\r\n".encode()
        if self.mode == "ok":
            return [resp("200 OK")]
        if self.mode == "not_found":
            return [resp("404 Not Found")]
        if self.mode == "drop_first":  # lose the first datagram: retransmission must save it
            return [] if len(self.received) == 1 else [resp("200 OK")]
        if self.mode == "garbage":
            return [b"\x00\xffHELLO\x13\x37 this is not SIP"]
        if self.mode == "truncated":
            return [b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1"]
        if self.mode == "http":
            return [b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"]
        if self.mode == "wrong_call_id":
            return [resp("200 OK", "Call-ID: somebody-else@x")]
        if self.mode == "trying_only":
            return [resp("100 Trying")]
        if self.mode == "huge":
            return [b"SIP/2.0 200 OK\r\n" + b"X: " + b"y" * 60000 + b"\r\n"]
        return []  # "silent"

    @property
    def address(self) -> str:
        return f"sip:127.0.0.1:{self.port}"

    def close(self) -> None:
        self.sock.close()


SIPP_SCENARIO = HERE / "sipp_options_uas.xml"


@contextmanager
def sipp_uas() -> Iterator[int]:
    """sipp (Debian package sip-tester) answering OPTIONS with 200 OK on 127.0.0.1; yields the
    port. Started and stopped by the test."""
    exe = shutil.which("sipp")
    if exe is None:
        raise RuntimeError("sipp is not installed (apt-get install sip-tester)")
    port = free_port(socket.SOCK_DGRAM)
    proc = subprocess.Popen(
        [exe, "-sf", str(SIPP_SCENARIO), "-i", "127.0.0.1", "-p", str(port), "-t", "u1",
         "-nostdin", "-nd", "-m", "100000", "-trace_err", "-error_file", "/dev/null"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # wait until it answers (a plain OPTIONS from Python)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"sipp exited: {proc.stderr.read().decode(errors='replace')[:500] if proc.stderr else ''}")
            if _sip_answers(port):
                break
        else:
            raise RuntimeError("sipp did not start answering")
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def _sip_answers(port: int) -> bool:
    from meeting_console.monitor.sip import options_request

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.3)
        s.connect(("127.0.0.1", port))
        lh, lp = s.getsockname()
        s.send(options_request("127.0.0.1", port, lh, lp, "probe-start@test", "abc", "t1"))
        try:
            return s.recv(65535).startswith(b"SIP/2.0 200")
        except OSError:
            time.sleep(0.1)
            return False
