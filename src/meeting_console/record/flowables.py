"""The record's building blocks: text that is always NFC and escaped, centred header lines
with their rules, and tables that paginate a page at a time.

A platypus ``LongTable`` re-measures and copies the rest of the table at every page break, so
a 31,000-row table costs time in the square of its length. ``PagedTable`` holds the rows,
breaks each cell's text into lines once (``Measure``: the row heights are then known), and at
each page break builds a ``LongTable`` of the header and exactly the rows that fit there, with
one shared cell style per column. ``FastTable`` draws text cells straight into the page
stream, with the glyph encoding of each distinct line computed once per document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, LongTable, Paragraph, TableStyle
from reportlab.platypus.tables import CellStyle

from meeting_console.core.text import nfc


def markup(text: str) -> str:
    """Plain text → Paragraph markup: NFC, XML-escaped, line breaks kept."""
    return escape(nfc(text)).replace("\n", "<br/>")


def para(text: str, style: ParagraphStyle, *, rich: str = "") -> Paragraph:
    """A paragraph of plain text; ``rich`` is trusted markup put before it (bold labels)."""
    return Paragraph(rich + markup(text), style)


class HeadLine(Flowable):
    """One line centred in the given width, with an optional rule under it: ``rule`` is a
    fraction of the text's width (1.0: as long as the text, 0.33: a short rule)."""

    def __init__(self, text: str, font: str, size: float, width: float, *, rule: float = 0,
                 space_after: float = 0) -> None:
        super().__init__()
        self.text = nfc(text)
        self.font = font
        self.size = size
        self.width = width
        self.rule = rule
        self.spaceAfter = space_after
        self.text_width = pdfmetrics.stringWidth(self.text, font, size)
        self.height = size * 1.2 + (4 if rule else 0)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        base = self.height - self.size  # baseline
        c.setFont(self.font, self.size)
        c.drawCentredString(self.width / 2, base, self.text)
        if self.rule:
            length = self.text_width * self.rule
            y = base - 0.3 * self.size
            c.setLineWidth(0.6)
            c.line((self.width - length) / 2, y, (self.width + length) / 2, y)


class Rule(Flowable):
    """A short centred rule (under the title block)."""

    def __init__(self, length: float, width: float, *, space: float = 4) -> None:
        super().__init__()
        self.length = length
        self.width = width
        self.space = space

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.space * 2

    def draw(self) -> None:
        self.canv.setLineWidth(0.6)
        x0 = (self.width - self.length) / 2
        self.canv.line(x0, self.space, x0 + self.length, self.space)


class Measure:
    """Fast string widths for one font and size (reportlab's own loops over each character
    in Python; a table of widths summed by ``map`` is several times quicker)."""

    _cache: dict[tuple[str, float], Measure] = {}

    def __init__(self, fontname: str, size: float) -> None:
        face = pdfmetrics.getFont(fontname).face
        widths, default = face.charWidths, face.defaultWidth
        scale = size / 1000.0

        class Table(dict[str, float]):
            def __missing__(self, ch: str) -> float:
                w = self[ch] = widths.get(ord(ch), default) * scale
                return w

        self._w = Table()
        self.space = self._w[" "]

    @classmethod
    def of(cls, fontname: str, size: float) -> Measure:
        m = cls._cache.get((fontname, size))
        if m is None:
            m = cls._cache[(fontname, size)] = cls(fontname, size)
        return m

    def width(self, text: str) -> float:
        return sum(map(self._w.__getitem__, text))

    def lines(self, text: str, room: float) -> list[str]:
        """``text`` broken into lines no wider than ``room`` (at spaces; a word longer than
        a line is cut)."""
        out: list[str] = []
        for para in text.split("\n"):
            words = para.split()
            if not words:
                out.append("")
                continue
            cur, cur_w = "", 0.0
            for word in words:
                ww = self.width(word)
                if cur and cur_w + self.space + ww <= room:
                    cur += " " + word
                    cur_w += self.space + ww
                    continue
                if cur:
                    out.append(cur)
                while ww > room and len(word) > 1:
                    cut = len(word) - 1
                    while cut > 1 and self.width(word[:cut]) > room:
                        cut -= 1
                    out.append(word[:cut])
                    word = word[cut:]
                    ww = self.width(word)
                cur, cur_w = word, ww
            out.append(cur)
        return out


def _text_ops(canv: Any, fontname: str, size: float, text: str) -> tuple[str, float]:
    """The PDF operators that show ``text`` (font subset switches included) and its width,
    cached per canvas: the subset assignment of a glyph never changes within a document."""
    cache: dict[tuple[str, float, str], tuple[str, float]] | None = getattr(canv, "_mc_text", None)
    if cache is None:
        cache = canv._mc_text = {}
    key = (fontname, size, text)
    hit = cache.get(key)
    if hit is not None:
        return hit
    font = pdfmetrics.getFont(fontname)
    doc = canv._doc
    esc = canv._escape
    parts = []
    for subset, chunk in font.splitString(text, doc):
        parts.append(f"{font.getSubsetInternalName(subset, doc)} {size:g} Tf ({esc(chunk)}) Tj")
    hit = (" ".join(parts), font.stringWidth(text, size))
    cache[key] = hit
    return hit


class FastTable(LongTable):
    """A LongTable whose text cells are drawn without a text object per cell."""

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: Any, size: Any) -> None:  # noqa: N802
        if (type(cellval) is not str or cellstyle.direction or cellstyle.shaping
                or cellstyle.alignment == "DECIMAL"
                or not getattr(pdfmetrics.getFont(cellstyle.fontname), "_dynamicFont", 0)):
            super()._drawCell(cellval, cellstyle, pos, size)
            return
        canv = self.canv
        if self._curcellstyle is not cellstyle:
            cur = self._curcellstyle
            if cur is None or cellstyle.color != cur.color:
                canv.setFillColor(cellstyle.color)
            if (cur is None or cellstyle.leading != cur.leading
                    or cellstyle.fontname != cur.fontname or cellstyle.fontsize != cur.fontsize):
                canv.setFont(cellstyle.fontname, cellstyle.fontsize, cellstyle.leading)
            self._curcellstyle = cellstyle
        if not cellval:
            return
        colpos, rowpos = pos
        colwidth, rowheight = size
        fontsize = cellstyle.fontsize
        leading = cellstyle.leading
        lines = cellval.split("\n")
        n = len(lines)
        valign = cellstyle.valign
        if valign == "TOP":
            y = rowpos + rowheight - cellstyle.topPadding - fontsize
        elif valign == "BOTTOM":
            y = rowpos + cellstyle.bottomPadding + n * leading - fontsize
        else:
            y = rowpos + (cellstyle.bottomPadding + rowheight - cellstyle.topPadding
                          + n * leading) / 2.0 - fontsize
        just = cellstyle.alignment
        code = canv._code
        for line in lines:
            if line:
                ops, w = _text_ops(canv, cellstyle.fontname, fontsize, line)
                if just == "LEFT":
                    x = colpos + cellstyle.leftPadding
                elif just == "RIGHT":
                    x = colpos + colwidth - cellstyle.rightPadding - w
                else:
                    x = colpos + (colwidth + cellstyle.leftPadding - cellstyle.rightPadding
                                  - w) / 2.0
                code.append(f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm {ops} ET")
            y -= leading


def _cell_style(name: str, font: str, size: float, leading: float, align: str,
                padding: float) -> CellStyle:
    cs = CellStyle(name)
    cs.fontname, cs.fontsize, cs.leading = font, size, leading
    cs.alignment, cs.valign = align, "MIDDLE"
    cs.leftPadding = cs.rightPadding = cs.topPadding = cs.bottomPadding = padding
    return cs


class _Grid:
    """What the pages of one PagedTable share: the rows, each broken into lines once, and
    the cell styles (one object per column: no per-cell style work)."""

    def __init__(self, header: Sequence[str], rows: Sequence[Sequence[str]],
                 col_widths: Sequence[float], *, font: str, bold_font: str, size: float,
                 aligns: Sequence[str], total: Sequence[str] | None, total_span: int,
                 padding: float) -> None:
        self.col_widths = list(col_widths)
        self.rows = rows
        self.total = list(total) if total is not None else None
        self.total_span = total_span
        self.count = len(rows) + (1 if total is not None else 0)
        self.padding = padding
        self.leading = size * 1.2
        self.body = Measure.of(font, size)
        self.bold = Measure.of(bold_font, size)
        self.rooms = [w - 2 * padding for w in self.col_widths]
        self.body_styles = [_cell_style(f"b{i}", font, size, self.leading, a, padding)
                            for i, a in enumerate(aligns)]
        self.head_styles = [_cell_style(f"h{i}", bold_font, size, self.leading, "CENTER", padding)
                            for i in range(len(aligns))]
        self.total_styles = [_cell_style(f"t{i}", bold_font, size, self.leading,
                                         "CENTER" if i < total_span else a, padding)
                             for i, a in enumerate(aligns)]
        self.header = self._prepare(header, self.bold, self.rooms)
        self._prepared: dict[int, tuple[list[str], float]] = {}

    def _prepare(self, cells: Sequence[str], measure: Measure,
                 rooms: Sequence[float]) -> tuple[list[str], float]:
        out = []
        most = 1
        for text, room in zip(cells, rooms, strict=True):
            text = nfc(text) if text else ""
            if "\n" in text or measure.width(text) > room:
                lines = measure.lines(text, room)
                most = max(most, len(lines))
                text = "\n".join(lines)
            out.append(text)
        return out, most * self.leading + 2 * self.padding

    def row(self, index: int) -> tuple[list[str], float]:
        hit = self._prepared.get(index)
        if hit is None:
            if index < len(self.rows):
                hit = self._prepare(self.rows[index], self.body, self.rooms)
            else:
                assert self.total is not None
                span = self.total_span
                rooms = [sum(self.rooms[:span]) + 2 * self.padding * (span - 1),
                         *self.rooms[span:]]
                cells, h = self._prepare([self.total[0], *self.total[span:]], self.bold, rooms)
                hit = ([cells[0], *[""] * (span - 1), *cells[1:]], h)
            self._prepared[index] = hit
        return hit

    def fit(self, start: int, avail: float) -> int:
        """How many rows from ``start`` fit under the header in ``avail`` points."""
        used = self.header[1]
        n = 0
        while start + n < self.count:
            used += self.row(start + n)[1]
            if used > avail:
                break
            n += 1
        return n

    def table(self, start: int, stop: int) -> FastTable:
        data = [self.header[0]]
        heights = [self.header[1]]
        styles = [self.head_styles]
        for i in range(start, stop):
            cells, h = self.row(i)
            data.append(cells)
            heights.append(h)
            styles.append(self.total_styles if i >= len(self.rows) else self.body_styles)
        cmds: list[Any] = [("GRID", (0, 0), (-1, -1), 0.5, "black")]
        if stop > len(self.rows) and self.total_span > 1:
            last = stop - start
            cmds.append(("SPAN", (0, last), (self.total_span - 1, last)))
        return FastTable(data, colWidths=self.col_widths, rowHeights=heights, repeatRows=1,
                         style=TableStyle(cmds), hAlign="LEFT", cellStyles=styles,
                         normalizedData=1)


class PagedTable(Flowable):
    """A table of any length laid out a page at a time (see the module docstring): each page
    gets a ``FastTable`` of the header and exactly the rows that fit there. Cells are plain
    text, broken into lines to fit their column."""

    def __init__(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        col_widths: Sequence[float],
        *,
        font: str,
        bold_font: str,
        size: float,
        aligns: Sequence[str],
        total: Sequence[str] | None = None,
        total_span: int = 1,
        padding: float = 3,
        _grid: _Grid | None = None,
        _start: int = 0,
    ) -> None:
        super().__init__()
        self.grid = _grid or _Grid(header, rows, col_widths, font=font, bold_font=bold_font,
                                   size=size, aligns=aligns, total=total,
                                   total_span=total_span, padding=padding)
        self.start = _start
        self.hAlign = "LEFT"
        self._table: FastTable | None = None

    def _rest(self, start: int) -> PagedTable:
        return PagedTable((), (), (), font="", bold_font="", size=0, aligns=(), _grid=self.grid,
                          _start=start)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        g = self.grid
        n = g.fit(self.start, availHeight)
        if self.start + n < g.count:
            self._table = None
            return sum(g.col_widths), availHeight + 1_000_000  # does not fit: split me
        self._table = g.table(self.start, g.count)
        return self._table.wrap(availWidth, availHeight)

    def draw(self) -> None:
        assert self._table is not None
        self._table.drawOn(self.canv, 0, 0)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        g = self.grid
        n = g.fit(self.start, availHeight)
        if n == 0:
            return []
        stop = self.start + n
        page = g.table(self.start, stop)
        return [page] if stop >= g.count else [page, self._rest(stop)]


def columns(total: float, shares: Sequence[float]) -> list[float]:
    """Column widths proportional to ``shares`` that sum to ``total``."""
    s = sum(shares)
    return [total * x / s for x in shares]
