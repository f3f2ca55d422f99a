"""The console settles after start-up, before the secretary's first key press.

Two one-off costs used to land on the first live key presses (the agenda's "next item": 100–170 ms
for the first against 18 ms for the others):

- **compiling statements**: SQLAlchemy compiles an operation's queries, its UPDATEs and the
  journal's INSERT the first time they run (30–45 ms of the DB worker's CPU for the first "next
  item", 8 ms later). Once the window is attached and its panels have loaded, the DB worker dry
  runs the live operations the panels offer (``Core.dry_run``: next item twice — the meeting's
  start and "close the running item and start the next" —, a speaker's move in the queue, call
  next speaker, a bridge point's status), in one transaction that is always rolled back: nothing is stored, journaled or
  announced, the statements stay compiled. It is queued after the panels' loads, is one task
  (a few tens of milliseconds) and is skipped by a viewer (who cannot act) — an operation asked
  for meanwhile waits for it at most that long.
- **a full garbage collection of the start-up's objects** (tens of thousands of Qt wrappers,
  SQLAlchemy's mappers, the rows on screen: ~130 ms holding the interpreter). On the next idle
  moment the console collects once and freezes what survived (``gc.freeze``): later full
  collections no longer walk it (frozen objects are still freed as usual when no longer used;
  a reference cycle among them waits for ``gc.unfreeze``). ``ui/endpoint_monitor.CollectorHold``
  freezes the same way while a big meeting is monitored and unfreezes everything when it stops:
  the start-up objects are then walked again by full collections, which costs one slower
  collection, nothing else.

``MainWindow.settled`` is emitted (and ``MainWindow.is_settled()`` turns true) once both are done.
"""

from __future__ import annotations

import gc
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from meeting_console.core import agenda, endpoints, speakers
from meeting_console.store import models as m

if TYPE_CHECKING:
    from meeting_console.core.api import Core

log = logging.getLogger(__name__)


def warm_calls(core: Core, meeting_id: int) -> list[tuple[Any, tuple[Any, ...], dict[str, Any]]]:
    """The live operations a secretary's first key presses run, on this meeting's rows."""
    from sqlalchemy import select

    calls: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = []
    with core.reading() as s:
        meeting = s.get(m.Meeting, meeting_id)
        if meeting is None or meeting.status == "closed":
            return calls
        items = s.execute(select(m.AgendaItem.id, m.AgendaItem.status).where(
            m.AgendaItem.meeting_id == meeting_id).order_by(m.AgendaItem.position)).all()
        running = next((i for i, st in items if st in ("running", "paused")), None)
        pending = [i for i, st in items if st == "pending"]
        waiting = s.execute(select(m.SpeakerRequest.id).where(
            m.SpeakerRequest.meeting_id == meeting_id, m.SpeakerRequest.status == "queued",
            m.SpeakerRequest.position.is_not(None)).order_by(
            m.SpeakerRequest.agenda_item_id, m.SpeakerRequest.position).limit(1)).first()
        point = s.execute(select(m.MeetingEndpoint.id, m.MeetingEndpoint.status).where(
            m.MeetingEndpoint.meeting_id == meeting_id).order_by(m.MeetingEndpoint.id).limit(1)).first()
    if pending:
        # as the agenda's Ctrl+Return: starts the meeting and the first item (a draft), then
        # closes the running item and starts the next
        calls.append((agenda.next_item, (meeting_id,), {"expected_current": running}))
        if len(pending) > 1 or running is not None:
            calls.append((agenda.next_item, (meeting_id,), {}))
    if waiting is not None:
        # as the queue's Ctrl+Down: the first waiting request one place down
        calls.append((speakers.move_request, (waiting.id, 1),
                      {"seen": {"status": "queued"}}))
    # the item running once the dry run's "next item"s ran (they all run in one transaction)
    if not pending:
        item = running
    elif len(pending) > 1:
        item = pending[1]
    else:
        item = pending[0] if running is None else None
    if item is not None:
        calls.append((speakers.call_next, (item,), {"start_timer": True}))
    if point is not None:
        status = "unstable" if point.status == "connected" else "connected"
        calls.append((endpoints.set_status, (point.id, status), {"expected": point.status}))
    return calls


def warm_up(core: Core, meeting_id: int) -> int:
    """Runs on the DB worker: the live operations dry run (rolled back), and the reads that
    bring their rows back to the panels. Returns how many operations ran."""
    try:
        warm_reads(core, meeting_id)
    except Exception as exc:  # noqa: BLE001 — as below
        log.info("start-up read warm-up skipped: %s", exc)
    if core.role == "viewer":
        return 0
    calls = warm_calls(core, meeting_id)
    try:
        core.dry_run(calls)
    except Exception as exc:  # noqa: BLE001 — a warm-up that fails costs only its warmth
        log.info("start-up warm-up skipped: %s", exc)
    return len(calls)


def warm_reads(core: Core, meeting_id: int) -> None:
    """The reads a live key press runs after its operation: the timeline reads back the rows
    an operation changed (``agenda.read_items``, the meeting with them when it started or
    closed; ``AgendaPanel.load_changed``). The panels' start-up loads read whole tables, not
    rows by id: without this the first "next item" compiled these statements (~3 ms)."""
    from sqlalchemy import select

    from meeting_console.core import reads

    with core.reading() as s:
        ids = s.scalars(select(m.AgendaItem.id).where(m.AgendaItem.meeting_id == meeting_id)
                        .order_by(m.AgendaItem.position).limit(2)).all()
    if ids:
        reads.meeting(core, meeting_id)
        agenda.read_items(core, meeting_id, ids)


# what a time, a duration or a countdown is written with
_TIME_GLYPHS = "0123456789:+-−–() ·."


def warm_glyphs(window: Any) -> int:
    """GUI, once start-up is over: draws off screen, in the bold fonts, the texts the first
    "next item" draws in bold for the first time — the row it starts (the timeline's running
    row is bold, and so is the chart's label of the current item) and the digits of its times.
    A font's glyphs are rasterised and cached the first time they are drawn (some 1.5 ms for a
    title in a font not yet drawn with): a meeting opened as a draft shows nothing in bold, so
    that work fell on the secretary's first press. The glyph cache is the font engine's, shared
    by every paint device of the raster engine the window paints with. Returns how many texts
    were drawn."""
    panel = getattr(window, "agenda", None)
    model = getattr(panel, "model", None)
    rows = getattr(model, "rows", ())
    if panel is None or not rows:
        return 0
    running = next((i for i, r in enumerate(rows) if r.item.status in ("running", "paused")), -1)
    upcoming = next((r for r in rows[running + 1:] if r.item.status == "pending"), None)
    texts = [_TIME_GLYPHS]
    if upcoming is not None:
        texts += [text for text, _fg, _bg in upcoming.cells if text]
    fonts = [model.fonts["bold"]]
    chart = getattr(panel, "chart", None)
    if chart is not None:
        fonts.append(chart.label_font(bold=True))
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QImage, QPainter

    width = max(window.width(), 800)
    image = QImage(width, 40, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    for font in fonts:
        painter.setFont(font)
        for text in texts:
            painter.drawText(QPointF(2, 24), text)
    painter.end()
    return len(texts) * len(fonts)


def freeze_start_up() -> None:
    """One full collection, then what survived is left out of later full collections."""
    gc.collect()
    gc.freeze()


class Settler(QObject):
    """Queues the warm-up on the DB worker after what is queued (the panels' loads), then on the
    next idle moment collects and freezes; ``done`` when both are over."""

    done = Signal()
    _warmed = Signal()  # from the DB worker thread (queued to the GUI thread)

    def __init__(self, runner: Any, meeting_id: int | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._warmed.connect(self._after_warm_up)
        self.finished = False
        if meeting_id is None:
            QTimer.singleShot(0, self._after_warm_up)
            return
        # not a call the secretary asked for: the window's "Saving…" never shows for it, and
        # nothing is announced on the bus
        try:
            fut = runner.background(warm_up, runner.core, meeting_id)
        except RuntimeError:  # the worker is shutting down
            return
        fut.add_done_callback(self._tell)

    def _tell(self, _fut: Any) -> None:
        try:
            self._warmed.emit()
        except RuntimeError:  # the window went away meanwhile
            pass

    def _after_warm_up(self) -> None:
        QTimer.singleShot(0, self._freeze)  # once the events already waiting are handled

    def _freeze(self) -> None:
        try:
            warm_glyphs(self.parent())
        except Exception as exc:  # noqa: BLE001 — a warm-up that fails costs only its warmth
            log.info("start-up glyph warm-up skipped: %s", exc)
        freeze_start_up()
        self.finished = True
        self.done.emit()
