"""The record's building blocks: text that is always NFC and escaped, centred header lines
with their rules, and tables that paginate a page at a time.

A platypus ``LongTable`` re-measures and copies the rest of the table at every page break, so
a 31,000-row table costs time in the square of its length. ``PagedTable`` holds the rows and,
at each page break, builds a ``LongTable`` (header repeated) from only the rows that can
fit there. ``FastTable`` draws one-line text cells straight into the page stream, with the
glyph encoding of each distinct text computed once per document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, LongTable, Paragraph, TableStyle

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
    """A LongTable whose one-line text cells are drawn without a text object per cell."""

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: Any, size: Any) -> None:  # noqa: N802
        if (type(cellval) is not str or "\n" in cellval or cellstyle.direction
                or cellstyle.shaping or cellstyle.alignment == "DECIMAL"
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
        colpos, rowpos = pos
        colwidth, rowheight = size
        fontsize = cellstyle.fontsize
        valign = cellstyle.valign
        if valign == "TOP":
            y = rowpos + rowheight - cellstyle.topPadding - fontsize
        elif valign == "BOTTOM":
            y = rowpos + cellstyle.bottomPadding + cellstyle.leading - fontsize
        else:
            y = rowpos + (cellstyle.bottomPadding + rowheight - cellstyle.topPadding
                          + cellstyle.leading) / 2.0 - fontsize
        ops, w = _text_ops(canv, cellstyle.fontname, fontsize, cellval)
        just = cellstyle.alignment
        if just == "LEFT":
            x = colpos + cellstyle.leftPadding
        elif just == "RIGHT":
            x = colpos + colwidth - cellstyle.rightPadding - w
        else:
            x = colpos + (colwidth + cellstyle.leftPadding - cellstyle.rightPadding - w) / 2.0
        canv._code.append(f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm {ops} ET")


Cell = str | Flowable
RowStyle = tuple[Any, ...]  # (command, first column, last column, *arguments)


class PagedTable(Flowable):
    """A table of any length that lays out a page at a time (see the module docstring).

    ``rows`` hold plain strings (or flowables); a string too wide for its column becomes a
    wrapping Paragraph when its page is laid out. ``row_styles`` maps a row index (in
    ``rows``) to style commands for that row, given as (command, col0, col1, *args)."""

    def __init__(
        self,
        header: Sequence[Sequence[Cell]],
        rows: Sequence[Sequence[Cell]],
        col_widths: Sequence[float],
        *,
        font: str,
        bold_font: str,
        size: float,
        aligns: Sequence[str],
        row_styles: dict[int, list[RowStyle]] | None = None,
        start: int = 0,
        padding: float = 3,
    ) -> None:
        super().__init__()
        self.header = [list(r) for r in header]
        self.rows = rows
        self.col_widths = list(col_widths)
        self.font = font
        self.bold_font = bold_font
        self.size = size
        self.aligns = list(aligns)
        self.row_styles = row_styles or {}
        self.start = start
        self.padding = padding
        self.leading = size * 1.2
        self.min_row = self.leading + 2 * padding
        self.hAlign = "LEFT"
        self._table: FastTable | None = None
        self._cell_styles = [
            ParagraphStyle(f"c{i}", fontName=font, fontSize=size, leading=self.leading,
                           alignment={"LEFT": 0, "CENTER": 1, "RIGHT": 2}.get(a, 0))
            for i, a in enumerate(self.aligns)
        ]
        self._head_style = ParagraphStyle("h", fontName=bold_font, fontSize=size,
                                          leading=self.leading, alignment=1)

    # --- building one page's table -----------------------------------------------------

    def _fit(self, value: Cell, col: int, style: ParagraphStyle, font: str) -> Cell:
        if not isinstance(value, str):
            return value
        value = nfc(value)
        room = self.col_widths[col] - 2 * self.padding
        if "\n" in value or pdfmetrics.stringWidth(value, font, self.size) > room:
            return Paragraph(markup(value), style)
        return value

    def _build(self, stop: int) -> FastTable:
        head = [[self._fit(v, c, self._head_style, self.bold_font) for c, v in enumerate(r)]
                for r in self.header]
        body = [[self._fit(v, c, self._cell_styles[c], self.font) for c, v in enumerate(r)]
                for r in self.rows[self.start:stop]]
        nh = len(head)
        cmds: list[Any] = [
            ("FONT", (0, 0), (-1, -1), self.font, self.size, self.leading),
            ("FONT", (0, 0), (-1, nh - 1), self.bold_font, self.size, self.leading),
            ("GRID", (0, 0), (-1, -1), 0.5, "black"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (0, 0), (-1, nh - 1), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), self.padding),
            ("RIGHTPADDING", (0, 0), (-1, -1), self.padding),
            ("TOPPADDING", (0, 0), (-1, -1), self.padding),
            ("BOTTOMPADDING", (0, 0), (-1, -1), self.padding),
        ]
        for c, a in enumerate(self.aligns):
            cmds.append(("ALIGN", (c, nh), (c, -1), a))
        for r in range(self.start, stop):
            for cmd in self.row_styles.get(r, ()):
                name, c0, c1, *args = cmd
                rr = r - self.start + nh
                cmds.append((name, (c0, rr), (c1, rr), *args))
        return FastTable(head + body, colWidths=self.col_widths, repeatRows=nh,
                         style=TableStyle(cmds), hAlign="LEFT")

    def _chunk_end(self, avail_height: float) -> int:
        # more rows than can possibly fit: the page's table always has to split
        return min(len(self.rows), self.start + int(avail_height / self.min_row) + 2)

    # --- Flowable protocol -------------------------------------------------------------

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        stop = self._chunk_end(availHeight)
        if stop < len(self.rows):
            self._table = None
            return sum(self.col_widths), availHeight + 1_000_000  # does not fit: split me
        self._table = self._build(stop)
        return self._table.wrap(availWidth, availHeight)

    def draw(self) -> None:
        assert self._table is not None
        self._table.drawOn(self.canv, 0, 0)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        stop = self._chunk_end(availHeight)
        table = self._build(stop)
        parts = table.split(availWidth, availHeight)
        if not parts:
            return []
        first = parts[0]
        taken = len(first._cellvalues) - len(self.header)
        if taken <= 0:
            return []
        if self.start + taken >= len(self.rows):
            return [first]
        rest = PagedTable(
            self.header, self.rows, self.col_widths, font=self.font, bold_font=self.bold_font,
            size=self.size, aligns=self.aligns, row_styles=self.row_styles,
            start=self.start + taken, padding=self.padding,
        )
        return [first, rest]


def columns(total: float, shares: Sequence[float]) -> list[float]:
    """Column widths proportional to ``shares`` that sum to ``total``."""
    s = sum(shares)
    return [total * x / s for x in shares]


ProgressHook = Callable[[int], None]
