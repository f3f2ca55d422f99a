"""A helper process of the console: ``python -m <module>`` talking framed pickles over its
stdin and stdout (8-byte length, then the pickle). The feed reader (``feed_process``) and the
batch writer (``writer_process``) are two of them; this is their common life cycle: spawn, send,
receive, stop, kill, close the pipes, and the child's ``__main__``.

A plain subprocess rather than multiprocessing: "spawn" would import the console's main module
again in the child. The child runs at a lower priority (``HELPER_NICE``): when the machine's
cores are all busy, the kernel should run the console's UI thread first (a helper a little
behind costs nothing a clerk sees; the UI thread waiting for a core is a frozen panel). Their
work and its durability are unchanged.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HELPER_NICE = 5


def send(stream: Any, msg: Any) -> None:
    data = pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(8, "little"))
    stream.write(data)
    stream.flush()


def recv(stream: Any) -> Any:
    head = stream.read(8)
    if len(head) < 8:
        raise EOFError
    size = int.from_bytes(head, "little")
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def lower_priority() -> None:
    try:
        os.nice(HELPER_NICE)
    except (AttributeError, OSError):  # not on this system: run at the console's priority
        pass


class HelperProcess:
    """One child process running ``python -m module``; not thread-safe (its owner locks)."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def spawn(self) -> None:
        """Start the child (raises what ``Popen`` raises: the caller falls back to working
        in its own process). The package is found where this console's is."""
        import meeting_console

        env = dict(os.environ)
        root = str(Path(meeting_console.__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen([sys.executable, "-m", self.module],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)

    def send(self, msg: Any) -> None:
        assert self.proc is not None
        send(self.proc.stdin, msg)

    def recv(self) -> Any:
        assert self.proc is not None
        return recv(self.proc.stdout)

    def kill(self) -> None:
        """End the child now (if still running) and close its pipes."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:  # what was left unsent goes nowhere
                    pass

    def stop(self, timeout: float) -> None:
        """Ask the child to stop, wait up to ``timeout`` seconds, then kill what is left."""
        if self.proc is None:
            return
        try:
            self.send(("stop",))
            self.proc.wait(timeout)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


def child_main(serve: Callable[[Any, Any], None]) -> None:
    """The child's ``__main__``: nothing but frames on stdout, a lower priority, then serve."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr
    lower_priority()
    serve(sys.stdin.buffer, out)
