"""What ran in the UI thread's worst event-loop turns, and what held the interpreter lock then.

Used by ``endpoints_scale.py --turns``. Before the panel is built, ``TurnTrace.install()`` wraps
the functions that take part in a storm (class attributes, so signal connections made later go
through the wrappers):

- on the UI thread: the panel's and the model's slots (following batches, live values, the
  summary, the monitor line, deliveries of the DB worker), each with its size (rows, results);
- on the other threads (monitor thread and its executor, DB worker): the monitor's feed round,
  the hysteresis pass, the flush, the writer helper's round trip — split into the wait on the
  pipe (no interpreter lock) and the unpickling (one C call that holds it) — and every garbage
  collection (``gc.callbacks``), whichever thread runs it.

Each wrapper appends ``(start, end, thread, name, size)`` to one list (an append is atomic under
the interpreter lock). The stall meter's ticks mark the turns: a tick that comes ``late`` ms after
it was due means the UI thread did not get back to its event loop for that long. For the worst
ticks, ``report`` lists what ran on the UI thread between the tick before and that tick, how much
CPU the UI thread used meanwhile (little CPU in a long gap: it waited — for the interpreter lock
or for a core), and what the other threads ran in Python over the same time.
"""

from __future__ import annotations

import functools
import gc
import threading
import time
from typing import Any

Event = tuple[float, float, str, str, int]


def _size(args: tuple[Any, ...], result: Any) -> int:
    for a in args[1:]:
        try:
            return len(a)
        except TypeError:
            continue
    return -1


class TurnTrace:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.ticks: list[tuple[float, float, float]] = []  # (perf_counter, ui thread_time, late ms)
        self._gc_start: dict[int, float] = {}
        self.on = False

    # --- wrapping -------------------------------------------------------------------------

    def _wrap(self, owner: Any, attr: str, name: str | None = None) -> None:
        fn = getattr(owner, attr, None)
        if fn is None or getattr(fn, "_traced", False):
            return
        label = name or f"{getattr(owner, '__name__', owner)}.{attr}"
        events = self.events
        trace = self

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not trace.on:
                return fn(*args, **kwargs)
            t0 = time.perf_counter()
            result = fn(*args, **kwargs)
            events.append((t0, time.perf_counter(), threading.current_thread().name, label, _size(args, result)))
            return result

        wrapper._traced = True  # type: ignore[attr-defined]
        setattr(owner, attr, wrapper)

    def install(self) -> None:
        from meeting_console.monitor import feed_process, service, writer_process
        from meeting_console.ui import bus, endpoint_model, endpoint_monitor, endpoints_panel

        P = endpoints_panel.EndpointsPanel
        for a in ("_follow_step", "_on_changes", "_show_full", "_got_some", "update_summary",
                  "_tick_outages", "_show_monitor", "_note_visible"):
            self._wrap(P, a)
        M = endpoint_model.EndpointModel
        for a in ("set_live", "follow", "settle", "refresh_indices", "_relayout", "_resort", "multiData", "data"):
            self._wrap(M, a)
        C = endpoint_monitor.MonitorController
        for a in ("_write_batch", "_on_changes"):
            self._wrap(C, a)
        self._wrap(bus.Runner, "_deliver")
        S = service.Monitor
        for a in ("_take", "_observe", "_report", "_hand_over"):
            self._wrap(S, a)
        F = feed_process.FeedDiffer
        for a in ("_ask", "follow", "stored"):
            self._wrap(F, a)
        W = writer_process.BatchWriter
        for a in ("_remote", "apply"):
            self._wrap(W, a)
        for mod in (writer_process, endpoint_monitor):
            for a in ("_unpack", "_rows", "_apply_batch"):
                if hasattr(mod, a):
                    self._wrap(mod, a, f"{mod.__name__.rsplit('.', 1)[1]}.{a}")
        # the unpickling of every framed reply (writer and feed helper): one C call
        pickle_mod = feed_process.pickle
        trace = self

        class _Pickle:
            HIGHEST_PROTOCOL = pickle_mod.HIGHEST_PROTOCOL
            UnpicklingError = pickle_mod.UnpicklingError
            dumps = staticmethod(pickle_mod.dumps)

            @staticmethod
            def loads(data: bytes) -> Any:
                t0 = time.perf_counter()
                out = pickle_mod.loads(data)
                if trace.on:
                    trace.events.append((t0, time.perf_counter(), threading.current_thread().name,
                                         f"pickle.loads {len(data) // 1024} KiB", len(data)))
                return out

        feed_process.pickle = _Pickle  # type: ignore[assignment]
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict[str, Any]) -> None:
        if not self.on:
            return
        me = threading.get_ident()
        if phase == "start":
            self._gc_start[me] = time.perf_counter()
        else:
            t0 = self._gc_start.pop(me, None)
            if t0 is not None:
                self.events.append((t0, time.perf_counter(), threading.current_thread().name,
                                    f"gc gen {info.get('generation')}", info.get("collected", 0)))

    # --- ticks ----------------------------------------------------------------------------

    def tick(self, late_ms: float) -> None:
        if self.on:
            self.ticks.append((time.perf_counter(), time.thread_time(), late_ms))

    # --- report ---------------------------------------------------------------------------

    def worst(self, n: int = 10) -> list[dict[str, Any]]:
        ticks = self.ticks
        order = sorted(range(1, len(ticks)), key=lambda k: ticks[k][2], reverse=True)[:n]
        ui = threading.main_thread().name
        out = []
        for k in order:
            (t0, c0, _l0), (t1, c1, late) = ticks[k - 1], ticks[k]
            on_ui, others = [], []
            for (s, e, th, name, size) in self.events:
                if e < t0 or s > t1:
                    continue
                (on_ui if th == ui else others).append((s - t0, e - s, th, name, size))
            out.append({"late": late, "gap": (t1 - t0) * 1000, "ui_cpu": (c1 - c0) * 1000,
                        "ui": on_ui, "others": others})
        return out

    def report(self, n: int = 10) -> None:
        print(f"  the {n} worst turns (tick late by; the gap between the two ticks around it; CPU of the UI thread in it):")
        for w in self.worst(n):
            print(f"    late {w['late']:.1f} ms: gap {w['gap']:.1f} ms, UI thread CPU {w['ui_cpu']:.1f} ms")
            # on the UI thread, calls of one name together (count, first start, total time)
            ui: dict[str, list[float]] = {}
            for at, dur, _th, name, size in sorted(w["ui"]):
                agg = ui.setdefault(name, [0, at, 0.0, 0])
                agg[0] += 1
                agg[2] += dur
                agg[3] = max(agg[3], size)
            for name, (count, at, total, size) in sorted(ui.items(), key=lambda kv: kv[1][1]):
                times = f" ×{count}" if count > 1 else ""
                sz = f" (size {size})" if size >= 0 else ""
                print(f"      UI    +{at * 1000:6.1f} ms {total * 1000:6.1f} ms  {name}{times}{sz}")
            for at, dur, th, name, size in sorted(w["others"]):
                if dur * 1000 < 0.5:
                    continue
                sz = f" ({size})" if size >= 0 else ""
                print(f"      other +{at * 1000:6.1f} ms {dur * 1000:6.1f} ms  [{th}] {name}{sz}")
