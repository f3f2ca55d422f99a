"""The endpoint panel's Qt model: one row per endpoint (tens of thousands), sorted, filtered and
optionally grouped by kind in the model itself, with batched updates.

Why not ``QSortFilterProxyModel``: its sorting and filtering call back into Python for every
comparison and every row, which takes seconds on 50,000 rows. Here the keys are plain Python
values computed once per row: filtering scans precomputed search keys over a list kept in
sort order (so no re-sort), sorting is one ``list.sort``; the view learns the result through
one reset or layout change, and live updates through one ``dataChanged`` per run of rows (one
for the whole table when thousands changed).

A flat table (``QTableView``): a tree view lays out every row through Python calls on each
change, a table asks only for the rows on screen. Grouped by kind, a bold header row (kind,
count, connected, delegates) precedes each kind's endpoints. ``multiData`` answers all the
roles a cell paints with in ONE Python call instead of seven: with the DB worker busy in Python,
each call from Qt into Python waits for the interpreter lock, so fewer calls = a smoother UI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap

from meeting_console.core import vocab
from meeting_console.core.outages import NO_OUTAGES, Totals
from meeting_console.core.reads import MeetingEndpointInfo
from meeting_console.core.text import fold
from meeting_console.core.timefmt import duration, hhmm
from meeting_console.i18n import _
from meeting_console.monitor.probes import ProbeResult, detail_text
from meeting_console.ui import labels

Index = QModelIndex | QPersistentModelIndex

IdRole = Qt.ItemDataRole.UserRole + 1
RowRole = Qt.ItemDataRole.UserRole + 2
StatusRole = Qt.ItemDataRole.UserRole + 4
KindRole = Qt.ItemDataRole.UserRole + 5

STATUS_COLOURS = {
    "not_connected": QColor("#757575"),
    "connected": QColor("#1b7f3b"),
    "unstable": QColor("#b26a00"),
    "lost": QColor("#c62828"),
    "left": QColor("#455a64"),
}
STATUS_ORDER = {s: i for i, s in enumerate(("lost", "unstable", "not_connected", "left", "connected"))}
KIND_ORDER = {k: i for i, k in enumerate(vocab.ENDPOINT_KINDS)}
LOST_BG = QColor("#fdecea")
UNSTABLE_BG = QColor("#fff4e0")

# roles as plain ints: comparing Qt's enum members costs Python calls on every painted cell
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_PAINT_ROLES = frozenset({_DECORATION, _FOREGROUND, _FONT})
_FLAGS = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_LOST_BRUSH = QBrush(LOST_BG)
_UNSTABLE_BRUSH = QBrush(UNSTABLE_BG)
_STATUS_BRUSHES = {k: QBrush(c) for k, c in STATUS_COLOURS.items()}


_new_object = object.__new__
_set_attribute = object.__setattr__


def _with_values(e: MeetingEndpointInfo, cols: dict[str, Any]) -> MeetingEndpointInfo:
    """``dataclasses.replace(e, **cols)`` in a fifth of the time (no ``__init__`` call with
    every field): thousands of rows change each second under a storm, on the UI thread."""
    values = e.__dict__.copy()
    values.update(cols)
    new = _new_object(MeetingEndpointInfo)
    _set_attribute(new, "__dict__", values)
    return new  # type: ignore[no-any-return]


# --- search keys --------------------------------------------------------------------------

_FOLD_TABLE: dict[int, str] = {}


def search_key(text: str) -> str:
    """``text.fold(text)``, computed a character at a time through a cached table (50,000
    names fold in a fraction of the time); equal to ``fold`` (checked by a property test)."""
    missing = {c for c in text if ord(c) not in _FOLD_TABLE}
    for c in missing:
        _FOLD_TABLE[ord(c)] = " " if c.isspace() else fold(c)
    return " ".join(text.translate(_FOLD_TABLE).split())


# --- icons --------------------------------------------------------------------------------

_ICONS: dict[str, QIcon] = {}


def status_icon(status: str) -> QIcon:
    """A shape per status, not only a colour: ● connected, ▲ unstable, ✕ lost, ○ not yet
    connected, ■ left."""
    icon = _ICONS.get(status)
    if icon is not None:
        return icon
    icon = QIcon()
    for size in (16, 24, 32):
        pm = QPixmap(size, size)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = STATUS_COLOURS.get(status, QColor("#757575"))
        m = size * 0.12
        r = QRectF(m, m, size - 2 * m, size - 2 * m)
        pen = QPen(colour, max(1.5, size / 9))
        if status == "connected":
            p.setBrush(colour)
            p.setPen(Qt.PenStyle.NoPen)
            p.drawEllipse(r)
            p.setPen(QPen(QColor("white"), max(1.5, size / 10)))
            s = size
            path = QPainterPath()
            path.moveTo(s * 0.30, s * 0.52)
            path.lineTo(s * 0.45, s * 0.66)
            path.lineTo(s * 0.71, s * 0.36)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
        elif status == "unstable":
            path = QPainterPath()
            path.moveTo(size / 2, m)
            path.lineTo(size - m, size - m)
            path.lineTo(m, size - m)
            path.closeSubpath()
            p.setBrush(colour)
            p.setPen(Qt.PenStyle.NoPen)
            p.drawPath(path)
            p.setPen(QPen(QColor("white"), max(1.5, size / 10)))
            p.drawLine(int(size / 2), int(size * 0.40), int(size / 2), int(size * 0.66))
            p.drawPoint(int(size / 2), int(size * 0.78))
        elif status == "lost":
            p.setBrush(colour)
            p.setPen(Qt.PenStyle.NoPen)
            p.drawEllipse(r)
            p.setPen(QPen(QColor("white"), max(1.5, size / 9)))
            a, b = size * 0.34, size * 0.66
            p.drawLine(int(a), int(a), int(b), int(b))
            p.drawLine(int(b), int(a), int(a), int(b))
        elif status == "left":
            p.setBrush(colour)
            p.setPen(Qt.PenStyle.NoPen)
            p.drawRect(r.adjusted(size * 0.06, size * 0.06, -size * 0.06, -size * 0.06))
        else:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(pen)
            p.drawEllipse(r.adjusted(size * 0.05, size * 0.05, -size * 0.05, -size * 0.05))
        p.end()
        icon.addPixmap(pm)
    _ICONS[status] = icon
    return icon


# --- rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """What a full load brings from the DB worker, with what can be computed there already
    (the UI thread then only swaps it in)."""

    tz: str
    rows: tuple[MeetingEndpointInfo, ...]
    totals: dict[int, Totals]
    keys: tuple[str, ...]
    at: dict[int, int] | None = None  # endpoint id → index in rows
    tally: tuple[dict[str, int], int, int, int] | None = None  # counts, present, expected, unanswered

    def prepared(self) -> Loaded:
        """The same, with the index and the running totals computed (call it on the worker)."""
        counts: dict[str, int] = {}
        present = expected = unanswered = 0
        for e in self.rows:
            counts[e.status] = counts.get(e.status, 0) + 1
            present += e.present_delegates or 0
            expected += e.expected_delegates
            unanswered += e.roll_call_at is None
        return Loaded(self.tz, self.rows, self.totals, self.keys, {e.id: i for i, e in enumerate(self.rows)},
                      (counts, present, expected, unanswered))


def search_keys(rows: Iterable[MeetingEndpointInfo]) -> tuple[str, ...]:
    return tuple(search_key(f"{r.name} {r.code or ''} {r.host}") for r in rows)


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft


NAME, KIND, STATUS, SINCE, OUTAGES, PRESENT, HOST, PROBE, ROLL_CALL, CODE, NOTE = range(11)

# columns whose values change while the meeting runs (names, kinds and codes change only with
# a directory edit, which reloads everything)
LIVE_SORT = frozenset({STATUS, SINCE, OUTAGES, PRESENT, PROBE, ROLL_CALL, HOST, NOTE})
CELL_BY_CELL = 120  # more changed cells on screen than this: one dataChanged for their range
# a view repaints what changed in one paint per turn of the event loop, each cell a call into
# Python: a block of endpoints changing together (a district's link down) changed every row on
# screen at once, and that one repaint of the whole table held the UI thread 30–50 ms on a busy
# machine. At most this many rows are repainted per turn; the rest in the next turns (a few ms)
PAINT_ROWS_PER_TURN = 10
FILTERS = ("all", "problems", "not_answered", *vocab.ENDPOINT_STATUSES)


def filter_label(v: str) -> str:
    return {"all": _("All statuses"), "problems": _("Problems (unstable or lost)"),
            "not_answered": _("Not answered (roll call)")}.get(v) or labels.endpoint_status(v)


class EndpointModel(QAbstractTableModel):
    """Rows of ``MeetingEndpointInfo`` with outage totals and live probe results."""

    layout_done = Signal()  # after a load, a filter or a sort: counts may have changed
    rows_changed = Signal()  # rows were replaced (on screen or not): the totals changed

    def __init__(self, parent: Any = None, *, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(parent)
        right = Qt.AlignmentFlag.AlignRight
        self.cols = [
            Col("name", _("Endpoint")), Col("kind", _("Kind")), Col("status", _("Status")),
            Col("since", _("Since")), Col("outages", _("Outages")),
            Col("present", _("Present / expected"), right), Col("host", _("Host")),
            Col("probe", _("Last probe")), Col("roll_call", _("Roll call")), Col("code", _("Code")),
            Col("note", _("Note")),
        ]
        from meeting_console.core.clock import SystemClock

        self.now = clock or SystemClock().now
        self.tz = "Asia/Ho_Chi_Minh"
        self.rows: list[MeetingEndpointInfo] = []
        self.keys: list[str] = []
        self.totals: dict[int, Totals] = {}
        self.live: dict[int, ProbeResult] = {}
        self._at: dict[int, int] = {}  # endpoint id → index in self.rows
        # what is shown
        self.query = ""
        self.status_filter = "all"
        self.grouped = False
        self.sort_column = -1  # -1: meeting order (position)
        self.sort_order = Qt.SortOrder.AscendingOrder
        self._sorted: list[int] = []  # every row index, in sort order
        self._display: list[int] = []  # shown rows: a row index, or -(g + 1) for group g's header
        self._groups: list[tuple[str, list[int]]] = []  # grouped: (kind, rows shown)
        self._pos: dict[int, int] = {}  # row index → display row
        self._moved = False  # a row's position changed since the rows were read in order
        self._layout_stale = False  # rows followed (``follow``) since the last layout
        self.visible: tuple[int, int] | None = None  # display rows on screen (None: all)
        self._painted = 0  # rows asked to repaint in this turn of the event loop
        self._paint_later: dict[int, tuple[int, int]] = {}  # row index → columns, for the next turns
        self._turn = QTimer(self)  # fires at the next turn: a new turn's quota, what waited
        self._turn.setSingleShot(True)
        self._turn.setInterval(0)
        self._turn.timeout.connect(self._next_turn)
        # running totals for the summary line (kept as rows change, not recounted)
        self.counts: dict[str, int] = {}
        self.present_sum = self.expected_sum = self.unanswered = 0
        self._font_bold = QFont()
        self._font_bold.setBold(True)
        self._font_italic = QFont()
        self._font_italic.setItalic(True)
        self._group_bg = QBrush(QColor("#e8eaf0"))
        self._align = [int(c.align | Qt.AlignmentFlag.AlignVCenter) for c in self.cols]

    # --- Qt interface ------------------------------------------------------------------------

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.cols)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._display)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.cols):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.cols[section].header
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return self._align[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else _NO_FLAGS

    def row_index(self, index: Index) -> int | None:
        """The position in ``self.rows`` of an endpoint's index; None for a group header."""
        if not index.isValid() or not 0 <= index.row() < len(self._display):
            return None
        v = self._display[index.row()]
        return v if v >= 0 else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._display):
            return None
        v = self._display[index.row()]
        role = int(role)
        if v < 0:
            return self._group_data(-v - 1, index.column(), role)
        return self._cell(self.rows[v], index.column(), role)

    def multiData(self, index: Index, roles: Any) -> None:  # noqa: N802
        """All roles of one cell in one call (what a view's delegate asks when it paints).

        Every role asked gets a value or is cleared: the delegate reuses its role buffer from
        cell to cell, so a role left alone would paint the previous cell's icon or colour."""
        r = index.row()
        display = self._display
        if not 0 <= r < len(display):
            for rd in roles:
                rd.clearData()
            return
        v = display[r]
        col = index.column()
        if v < 0:
            for rd in roles:
                value = self._group_data(-v - 1, col, rd.role())
                if value is None:
                    rd.clearData()
                else:
                    rd.setData(value)
            return
        e = self.rows[v]
        for rd in roles:
            role = rd.role()
            if role == _DISPLAY:
                rd.setData(self._text(e, col))
            elif role == _ALIGN:
                rd.setData(self._align[col])
            elif role == _BACKGROUND:
                bg = _LOST_BRUSH if e.status == "lost" else (_UNSTABLE_BRUSH if e.status == "unstable" else None)
                if bg is None:
                    rd.clearData()
                else:
                    rd.setData(bg)
            elif role in _PAINT_ROLES:
                value = self._cell(e, col, role)
                if value is None:
                    rd.clearData()
                else:
                    rd.setData(value)
            else:
                rd.clearData()

    def _cell(self, e: MeetingEndpointInfo, col: int, role: int) -> Any:
        if role == _DISPLAY:
            return self._text(e, col)
        if role == IdRole:
            return e.id
        if role == RowRole:
            return e
        if role == StatusRole:
            return e.status
        if role == _DECORATION:
            return status_icon(e.status) if col == STATUS else None
        if role == _FOREGROUND:
            if col == STATUS:
                return _STATUS_BRUSHES.get(e.status)
            if col == PROBE and self._probe(e)[0] is False:
                return _STATUS_BRUSHES["lost"]
            return None
        if role == _BACKGROUND:
            if e.status == "lost":
                return _LOST_BRUSH
            if e.status == "unstable":
                return _UNSTABLE_BRUSH
            return None
        if role == _FONT:
            return self._font_italic if col == STATUS and e.manual_override and e.monitored else None
        if role == _ALIGN:
            return self._align[col]
        if role == _TOOLTIP:
            return self._tooltip(e, col)
        return None

    def _group_data(self, g: int, col: int, role: int) -> Any:
        if not 0 <= g < len(self._groups):
            return None
        kind, members = self._groups[g]
        if role == KindRole:
            return kind
        if role == _FONT:
            return self._font_bold
        if role == _BACKGROUND:
            return self._group_bg
        if role == _ALIGN:
            return self._align[col]
        if role != _DISPLAY:
            return None
        rows = self.rows
        if col == NAME:
            return f"{labels.endpoint_kind(kind)} ({len(members)})"
        if col == STATUS:
            up = sum(1 for i in members if rows[i].status in ("connected", "unstable"))
            lost = sum(1 for i in members if rows[i].status == "lost")
            text = _("{up}/{n} connected").format(up=up, n=len(members))
            return text + (_(" · {lost} lost").format(lost=lost) if lost else "")
        if col == PRESENT:
            present = sum(rows[i].present_delegates or 0 for i in members)
            expected = sum(rows[i].expected_delegates for i in members)
            return f"{present} / {expected}"
        return ""

    # --- cell text ---------------------------------------------------------------------------

    def _probe(self, e: MeetingEndpointInfo) -> tuple[bool | None, float | None, str, datetime | None]:
        live = self.live.get(e.id)
        if live is not None:
            return live.ok, live.latency_ms, live.detail, None
        return e.last_probe_ok, e.last_latency_ms, e.last_probe_detail, e.last_probe_at

    def _text(self, e: MeetingEndpointInfo, col: int) -> str:
        if col == NAME:
            return e.name
        if col == KIND:
            return labels.endpoint_kind(e.kind)
        if col == STATUS:
            text = labels.endpoint_status(e.status)
            return text + _(" (manual)") if e.manual_override and e.monitored else text
        if col == SINCE:
            return hhmm(e.status_since, self.tz, seconds=True)
        if col == OUTAGES:
            t = self.totals.get(e.id, NO_OUTAGES)
            if not t.count:
                return ""
            return f"{t.count} · {duration(t.seconds(self.now()))}" + (" ●" if t.open_since else "")
        if col == PRESENT:
            present = "—" if e.present_delegates is None else str(e.present_delegates)
            return f"{present} / {e.expected_delegates}"
        if col == HOST:
            return e.host
        if col == PROBE:
            ok, latency, detail, _at = self._probe(e)
            if ok is None and not detail:
                return ""
            if ok:
                return _("✓ {ms:g} ms").format(ms=latency) if latency is not None else "✓"
            return ("✗ " if ok is False else "? ") + detail_text(detail)
        if col == ROLL_CALL:
            return hhmm(e.roll_call_at, self.tz) if e.roll_call_at else ""
        if col == CODE:
            return e.code or ""
        if col == NOTE:
            return e.note.replace("\n", " ⏎ ")
        return ""

    def _tooltip(self, e: MeetingEndpointInfo, col: int) -> str | None:
        if col == STATUS:
            who = _("set by a clerk; the monitor does not change it until released (Ctrl+R)") \
                if e.manual_override and e.monitored else (_("monitored") if e.monitored else _("not monitored"))
            return f"{labels.endpoint_status(e.status)} — {who}"
        if col == PROBE:
            ok, latency, detail, at = self._probe(e)
            when = hhmm(at, self.tz, seconds=True) if at else ""
            return " · ".join(x for x in (detail_text(detail), when) if x) or None
        if col == NAME:
            return " · ".join(x for x in (e.name, e.code or "", e.address) if x)
        if col == NOTE and e.note:
            return e.note
        if col == OUTAGES:
            t = self.totals.get(e.id, NO_OUTAGES)
            if t.open_since:
                return _("outage under way since {t}").format(t=hhmm(t.open_since, self.tz, seconds=True))
        return None

    # --- sort keys ---------------------------------------------------------------------------

    def _sort_key(self, col: int) -> Callable[[int], Any]:
        rows, keys, totals = self.rows, self.keys, self.totals
        if col == NAME:
            return lambda i: keys[i]
        if col == KIND:
            return lambda i: (KIND_ORDER.get(rows[i].kind, 99), keys[i])
        if col == STATUS:
            return lambda i: (STATUS_ORDER.get(rows[i].status, 9), keys[i])
        if col == SINCE:
            return lambda i: (rows[i].status_since is None, rows[i].status_since or 0, keys[i])  # type: ignore[operator]
        if col == OUTAGES:
            now = self.now()
            return lambda i: (totals.get(rows[i].id, NO_OUTAGES).seconds(now), keys[i])
        if col == PRESENT:
            return lambda i: (rows[i].present_delegates is None, rows[i].present_delegates or 0,
                              rows[i].expected_delegates)
        if col == PROBE:
            live = self.live

            def probe_key(i: int) -> Any:
                e = rows[i]
                lv = live.get(e.id)
                ok, lat = (lv.ok, lv.latency_ms) if lv is not None else (e.last_probe_ok, e.last_latency_ms)
                return ({False: 0, None: 2}.get(ok, 1), lat if lat is not None else 1e12)

            return probe_key
        if col == ROLL_CALL:
            return lambda i: (rows[i].roll_call_at is not None, rows[i].roll_call_at or 0, keys[i])  # type: ignore[operator]
        attr = {HOST: "host", CODE: "code", NOTE: "note"}.get(col)
        if attr is not None:
            return lambda i: (search_key(getattr(rows[i], attr) or ""), keys[i])
        return lambda i: (rows[i].position, rows[i].id)

    # --- loading and updating ------------------------------------------------------------------

    def _account(self, e: MeetingEndpointInfo, sign: int) -> None:
        self.counts[e.status] = self.counts.get(e.status, 0) + sign
        self.present_sum += sign * (e.present_delegates or 0)
        self.expected_sum += sign * e.expected_delegates
        if e.roll_call_at is None:
            self.unanswered += sign

    def load(self, loaded: Loaded) -> None:
        """Replace everything (a meeting opened, endpoints added or removed)."""
        if loaded.at is None or loaded.tally is None:
            loaded = loaded.prepared()
        assert loaded.at is not None and loaded.tally is not None
        self.tz = loaded.tz
        self.rows = list(loaded.rows)
        self.keys = list(loaded.keys)
        self.totals = dict(loaded.totals)
        self._at = loaded.at
        self._paint_later = {}  # row indices of the rows replaced: all is repainted anyway
        if self.live:
            self.live = {k: v for k, v in self.live.items() if k in self._at}
        counts, self.present_sum, self.expected_sum, self.unanswered = loaded.tally
        self.counts = dict(counts)
        self._moved = False
        self._resort()
        self._relayout(reset=True)

    def ids(self) -> set[int]:
        return set(self._at)

    def update_rows(self, rows: Sequence[MeetingEndpointInfo], totals: dict[int, Totals],
                    keys: Sequence[str], ids: Iterable[int]) -> bool:
        """Replace changed rows in place; False when a row is unknown (then load anew).
        ``ids`` are the endpoints read (their outage totals are replaced, absent ones cleared)."""
        at = self._at
        if any(e.id not in at for e in rows):
            return False
        changed: list[int] = []
        for e, key in zip(rows, keys, strict=True):
            i = at[e.id]
            old = self.rows[i]
            if old != e:
                if old.position != e.position:
                    self._moved = True
                self._account(old, -1)
                self._account(e, +1)
                self.rows[i] = e
                self.keys[i] = key
                changed.append(i)
        for me_id in ids:
            t = totals.get(me_id)
            if t != self.totals.get(me_id):
                if t is None:
                    self.totals.pop(me_id, None)
                else:
                    self.totals[me_id] = t
                if me_id in at:
                    changed.append(at[me_id])
        if not changed:
            return True
        self.rows_changed.emit()
        if self.sort_column in LIVE_SORT or self.status_filter != "all" or self.query or self.grouped \
                or self._moved:
            # the order, the filter or the group headers may depend on what changed
            self._resort()
            self._relayout(reset=False)
        else:
            self.refresh_indices(changed)
        return True

    def follow(self, changes: Iterable[tuple[int, dict[str, Any], Sequence[tuple[datetime, str]]]]) -> None:
        """Apply what a monitor batch wrote — per endpoint the new values of the columns that
        changed and its new status events, in order — without reading it back. Called a slice
        at a time (a few hundred rows per turn of the event loop); when the order, the filter
        or the group headers depend on live values, the new layout waits for ``settle``."""
        at, rows, totals = self._at, self.rows, self.totals
        account = self._account
        done: list[int] = []
        for me_id, cols, events in changes:
            i = at.get(me_id)
            if i is None:
                continue
            if cols:
                old = rows[i]
                new = _with_values(old, cols)
                account(old, -1)
                account(new, +1)
                rows[i] = new
            if events:
                t = totals.get(me_id, NO_OUTAGES)
                for when, status in events:
                    t = t.after(when, status)
                if t.count:
                    totals[me_id] = t
            done.append(i)
        if not done:
            return
        self.rows_changed.emit()
        if self._layout_depends_on_values():
            self._layout_stale = True
        else:
            self.refresh_indices(done)

    def _layout_depends_on_values(self) -> bool:
        return self.sort_column in LIVE_SORT or self.status_filter != "all" or self.grouped or self._moved

    def settle(self) -> None:
        """The order and the filter again in step with the rows (after ``follow``)."""
        if self._layout_stale:
            self._layout_stale = False
            self._resort()
            self._relayout(reset=False)

    def set_live(self, results: dict[int, ProbeResult]) -> None:
        """New live probe values (thousands a second in a storm): kept for every row, but only
        the rows on screen are looked at — the work per call follows the screen, not the storm."""
        self.live.update(results)
        if self.visible is None:  # no view tells what is on screen: the rows named
            at = self._at
            self.refresh_indices([at[i] for i in results if i in at], columns=(PROBE, PROBE))
            return
        display, rows = self._display, self.rows
        lo, hi = self.visible
        self._emit_rows([r for r in range(max(lo, 0), min(hi, len(display) - 1) + 1)
                         if (i := display[r]) >= 0 and rows[i].id in results], PROBE, PROBE)

    def refresh_indices(self, changed: Iterable[int], columns: tuple[int, int] | None = None) -> None:
        """Tell the view which cells changed — only those on screen (``visible``, set by the
        view's owner), cell by cell: a range of several cells makes a table view repaint its
        whole viewport, and each painted cell is a call into Python, which waits for the
        interpreter lock while the DB worker is busy. Many rows on screen changed: one range."""
        first, last = columns or (0, len(self.cols) - 1)
        display = self._display
        lo, hi = self.visible if self.visible is not None else (0, len(display) - 1)
        hi = min(hi, len(display) - 1)
        if hi < lo:
            return
        changed = changed if isinstance(changed, set | frozenset) else set(changed)
        if len(changed) > (hi - lo + 1) * 4:  # look at the rows on screen, not at all changes
            rows = [r for r in range(lo, hi + 1) if display[r] in changed]
        else:
            pos = self._pos
            rows = sorted(r for i in changed if (r := pos.get(i)) is not None and lo <= r <= hi)
        self._emit_rows(rows, first, last)

    def _emit_rows(self, rows: list[int], first: int, last: int) -> None:
        """dataChanged for these display rows (ascending), columns ``first``–``last``."""
        if not rows:
            return
        if len(rows) * (last - first + 1) > CELL_BY_CELL:
            self._emit_spread(rows, first, last)
            return
        for r in rows:
            for c in range(first, last + 1):
                cell = self.index(r, c)
                self.dataChanged.emit(cell, cell)

    def _emit_spread(self, rows: list[int], first: int, last: int) -> None:
        """Many rows on screen changed: ``PAINT_ROWS_PER_TURN`` of them a turn, each run of
        neighbouring rows as one range (a range over rows far apart repaints all between)."""
        room = max(PAINT_ROWS_PER_TURN - self._painted, 0)
        now, later = rows[:room], rows[room:]
        if later:
            display, waiting = self._display, self._paint_later
            for r in later:
                v = display[r]
                cols = waiting.get(v)
                waiting[v] = (first, last) if cols is None else (min(cols[0], first), max(cols[1], last))
        self._painted += len(now)
        if not self._turn.isActive():
            self._turn.start()
        start = 0
        for k in range(1, len(now) + 1):
            if k == len(now) or now[k] != now[k - 1] + 1:
                self.dataChanged.emit(self.index(now[start], first), self.index(now[k - 1], last))
                start = k

    def _next_turn(self) -> None:
        self._painted = 0
        waiting, self._paint_later = self._paint_later, {}
        if not waiting:
            return
        pos = self._pos
        lo, hi = self.visible if self.visible is not None else (0, len(self._display) - 1)
        by_cols: dict[tuple[int, int], list[int]] = {}
        for v, cols in waiting.items():
            r = pos.get(v)
            if r is not None and lo <= r <= hi:  # still shown, still on screen
                by_cols.setdefault(cols, []).append(r)
        for (first, last), rows in by_cols.items():
            self._emit_spread(sorted(rows), first, last)

    def refresh_all(self, columns: tuple[int, int] | None = None) -> None:
        first, last = columns or (0, len(self.cols) - 1)
        if self._display:
            self.dataChanged.emit(self.index(0, first), self.index(len(self._display) - 1, last))

    def open_outage_rows(self) -> list[int]:
        """Row indices on screen whose outage is under way (their time grows every second)."""
        display = self._display
        lo, hi = self.visible if self.visible is not None else (0, len(display) - 1)
        rows, totals = self.rows, self.totals
        out = []
        for r in range(lo, min(hi, len(display) - 1) + 1):
            i = display[r]
            if i >= 0 and (t := totals.get(rows[i].id)) is not None and t.open_since is not None:
                out.append(i)
        return out

    # --- sorting, filtering, grouping ----------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column = column
        self.sort_order = order
        self._resort()
        self._relayout(reset=False)

    def set_filter(self, query: str | None = None, status: str | None = None) -> None:
        if query is not None:
            self.query = search_key(query)
        if status is not None:
            self.status_filter = status
        self._relayout(reset=False)

    def set_grouped(self, grouped: bool) -> None:
        if grouped != self.grouped:
            self.grouped = grouped
            self._relayout(reset=False)

    def _resort(self) -> None:
        self._layout_stale = False
        order = list(range(len(self.rows)))
        if self.sort_column >= 0:
            order.sort(key=self._sort_key(self.sort_column),
                       reverse=self.sort_order == Qt.SortOrder.DescendingOrder)
        elif self._moved:  # else the meeting's order, which is how the rows are read
            rows = self.rows
            order.sort(key=lambda i: (rows[i].position, rows[i].id))
        self._sorted = order

    def _relayout(self, *, reset: bool) -> None:
        # one tight pass per condition over a list that shrinks: no per-row closure calls
        visible = self._sorted
        keys, rows = self.keys, self.rows
        for w in self.query.split():
            visible = [i for i in visible if w in keys[i]]
        status = self.status_filter
        if status == "problems":
            visible = [i for i in visible if rows[i].status in ("unstable", "lost")]
        elif status == "not_answered":
            visible = [i for i in visible if rows[i].roll_call_at is None]
        elif status != "all":
            visible = [i for i in visible if rows[i].status == status]
        if visible is self._sorted:
            visible = list(visible)
        groups: list[tuple[str, list[int]]] = []
        display = visible
        if self.grouped:
            by_kind: dict[str, list[int]] = {}
            rows = self.rows
            for i in visible:
                by_kind.setdefault(rows[i].kind, []).append(i)
            groups = sorted(by_kind.items(), key=lambda kv: KIND_ORDER.get(kv[0], 99))
            display = []
            for g, (_kind, members) in enumerate(groups):
                display.append(-(g + 1))
                display.extend(members)
        if reset:
            self.beginResetModel()
            self._set_layout(display, groups)
            self.endResetModel()
        else:
            # a new order of the same model: a layout change keeps the selection and current row
            self.layoutAboutToBeChanged.emit()
            old_kinds = [k for k, _m in self._groups]
            old = [(p, self._display[p.row()] if 0 <= p.row() < len(self._display) else None)
                   for p in self.persistentIndexList()]
            self._set_layout(display, groups)
            kind_row = {k: self._pos_of_group(g) for g, (k, _m) in enumerate(groups)}
            gone = QModelIndex()
            new_to = []
            for p, v in old:
                if v is None:
                    new_to.append(gone)
                    continue
                row = self._pos.get(v) if v >= 0 else kind_row.get(
                    old_kinds[-v - 1] if -v - 1 < len(old_kinds) else "")
                new_to.append(gone if row is None else self.index(row, p.column()))
            self.changePersistentIndexList([p for p, _v in old], new_to)
            self.layoutChanged.emit()
        self.layout_done.emit()

    def _pos_of_group(self, g: int) -> int:
        return self._display.index(-(g + 1))

    def _set_layout(self, display: list[int], groups: list[tuple[str, list[int]]]) -> None:
        self._display = display
        self._groups = groups
        self._pos = {v: r for r, v in enumerate(display) if v >= 0}

    # --- for the panel -------------------------------------------------------------------------

    def index_of(self, me_id: int, column: int = 0) -> QModelIndex:
        i = self._at.get(me_id)
        row = self._pos.get(i) if i is not None else None
        return QModelIndex() if row is None else self.index(row, column)

    def info(self, me_id: int) -> MeetingEndpointInfo | None:
        i = self._at.get(me_id)
        return self.rows[i] if i is not None else None

    def shown_ids(self) -> list[int]:
        """The endpoints shown, in display order (group headers left out)."""
        rows = self.rows
        return [rows[v].id for v in self._display if v >= 0]

    def shown_count(self) -> int:
        return len(self._pos)

    def group_rows(self) -> list[int]:
        """Display rows that are group headers."""
        return [r for r, v in enumerate(self._display) if v < 0]
