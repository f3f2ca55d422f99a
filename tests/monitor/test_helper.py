"""The helper processes' common life cycle (``monitor.helper``): framing, spawn, stop, kill."""

from __future__ import annotations

import io
import os

import pytest

from meeting_console.monitor import feed_process, helper
from meeting_console.monitor.feed_process import FeedDiff, pack_diff, unpack_diff
from meeting_console.monitor.helper import HelperProcess


def test_frames_round_trip_and_a_cut_frame_is_the_end() -> None:
    buf = io.BytesIO()
    helper.send(buf, ("ok", {"a": 1}))
    helper.send(buf, ("stop",))
    data = buf.getvalue()
    inp = io.BytesIO(data)
    assert helper.recv(inp) == ("ok", {"a": 1})
    assert helper.recv(inp) == ("stop",)
    with pytest.raises(EOFError):
        helper.recv(inp)
    cut = io.BytesIO(data[:-3])
    assert helper.recv(cut) == ("ok", {"a": 1})
    with pytest.raises(EOFError):  # a frame cut short (the child died while writing)
        helper.recv(cut)


def test_a_child_is_spawned_at_a_lower_priority_asked_to_stop_and_its_pipes_closed() -> None:
    h = HelperProcess("meeting_console.monitor.feed_process")
    assert not h.alive
    h.spawn()
    try:
        assert h.alive and h.proc is not None
        h.send(("codes", ["A", "B"]))
        h.send(("poll", b'{"format": "meeting-console-status-feed", "version": 1, "endpoints": []}', []))
        assert h.recv()[0] == "ok"  # an answer: the child is up (and has lowered its priority)
        proc = h.proc
        assert os.getpriority(os.PRIO_PROCESS, proc.pid) >= os.getpriority(os.PRIO_PROCESS, 0) + helper.HELPER_NICE \
            or os.getpriority(os.PRIO_PROCESS, proc.pid) == 19
    finally:
        h.stop(5)
    assert h.proc is None and not h.alive
    assert proc.returncode == 0  # it stopped when asked, not killed
    assert proc.stdin is not None and proc.stdin.closed and proc.stdout is not None and proc.stdout.closed
    h.stop(5)  # stopping a stopped helper does nothing


def test_a_child_killed_under_its_owner_gives_eof_and_a_new_one_starts() -> None:
    h = HelperProcess("meeting_console.monitor.feed_process")
    h.spawn()
    assert h.proc is not None
    h.proc.kill()
    h.proc.wait()
    with pytest.raises((EOFError, OSError)):
        h.send(("poll", b"{}", []))
        h.recv()
    h.kill()
    assert h.proc is None
    differ = feed_process.FeedDiffer()
    differ.set_codes(["A"])
    differ._ensure()
    first = differ._helper.proc
    assert first is not None
    first.kill()
    first.wait()
    body = b'{"format": "meeting-console-status-feed", "version": 1, "endpoints": [{"code": "A", "state": "connected"}]}'
    try:
        diff = differ.poll(body, ["A"])  # a new child, the dead one's pipes closed
        assert differ._helper.proc is not None and differ._helper.proc is not first
        assert first.stdin is not None and first.stdin.closed
        assert diff.changed == {"A": ("connected", None, None, "")} and diff.wanted == diff.changed
    finally:
        differ.close()
    assert differ._helper.proc is None


def test_a_diff_crosses_the_pipe_in_columns_unchanged() -> None:
    changed = {f"XA{i:05d}": ("connected" if i % 3 else "disconnected", 20.0 + i % 7, None if i % 2 else 1.5,
                              "" if i % 5 else f"note {i}") for i in range(500)}
    changed.update({"gone": None, "bad": "unknown state 'x' in the feed", "Sơn Dương": ("degraded", 0.0, 100.0, "")})
    diff = FeedDiff(changed=changed, wanted={"gone": None, "XA00001": changed["XA00001"]}, matched=3, entries=9,
                    duplicates=["X"], problems=["p"], problem_count=1)
    packed = pack_diff(diff)
    assert packed[2][0] == "cols"
    assert unpack_diff(packed) == diff
    assert unpack_diff(pack_diff(FeedDiff())) == FeedDiff()
    odd = FeedDiff(changed={"a\x1fb": None, "c": ("lost", None, None, "")})  # a code holding the separator
    assert pack_diff(odd)[2][0] == "dict" and unpack_diff(pack_diff(odd)) == odd
