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

from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate, groupby
from operator import itemgetter
from typing import Any
from unicodedata import normalize as _nfc
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, LongTable, Paragraph
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
        self.widest = max(max(widths.values(), default=default), default) * scale

    @classmethod
    def of(cls, fontname: str, size: float) -> Measure:
        m = cls._cache.get((fontname, size))
        if m is None:
            m = cls._cache[(fontname, size)] = cls(fontname, size)
        return m

    def width(self, text: str) -> float:
        return sum(map(self._w.__getitem__, text))

    def lines(self, text: str, room: float) -> list[str]:
        """``text`` broken into lines no wider than ``room``: at spaces; a word longer than a
        line after a dash or slash in it ("10h41–10h47"), else cut where it must be."""
        out: list[str] = []
        for para in text.split("\n"):
            para = " ".join(para.split())
            if not para:
                out.append("")
            while para:
                ends = list(accumulate(map(self._w.__getitem__, para)))
                if ends[-1] <= room:
                    out.append(para)
                    break
                fit = bisect_right(ends, room)  # characters that fit
                cut = para.rfind(" ", 0, fit + 1)
                if cut > 0:
                    out.append(para[:cut])
                    para = para[cut + 1:]
                    continue
                word_end = para.find(" ")
                word = para if word_end < 0 else para[:word_end]
                cut = self._cut(word, room)
                out.append(para[:cut])
                para = para[cut:].lstrip()
        return out

    def _cut(self, word: str, room: float) -> int:
        """Where to cut a word too long for a line: after the last dash or slash that fits,
        else after as many characters as fit (at least one)."""
        fits = len(word) - 1
        while fits > 1 and self.width(word[:fits]) > room:
            fits -= 1
        for i in range(fits, 0, -1):
            if word[i - 1] in "–-/":
                return i
        return max(fits, 1)


class Encoder:
    """Text → PDF operators for one TrueType font in one document, fast.

    reportlab assigns each glyph a (subset, code) the first time it is shown in a document
    and never changes it; we ask it once per character and then encode whole strings by
    table look-up, written as hex strings (no escaping needed). Whole lines are cached too:
    times, counts and words repeat across a 1,000-page table."""

    def __init__(self, canv: Any, fontname: str) -> None:
        self.font = pdfmetrics.getFont(fontname)
        self.doc = canv._doc
        self.codes: dict[str, tuple[int, int]] = {}
        self.names: dict[int, str] = {}
        self.lines: dict[tuple[float, str], str] = {}
        # for str.translate: a learned character of subset 0 → U+E000 + its code, of another
        # subset → U+FFFF; so a line all in subset 0 encodes in C, without a Python loop
        self.table: dict[int, str] = {}

    @staticmethod
    def of(canv: Any, fontname: str) -> Encoder:
        encoders: dict[str, Encoder] | None = getattr(canv, "_mc_encoders", None)
        if encoders is None:
            encoders = canv._mc_encoders = {}
        enc = encoders.get(fontname)
        if enc is None:
            enc = encoders[fontname] = Encoder(canv, fontname)
        return enc

    def _learn(self, text: str) -> None:
        for ch in set(text) - self.codes.keys():
            (subset, code), = self.font.splitString(ch, self.doc)
            self.codes[ch] = (subset, code[0])
            self.table[ord(ch)] = chr(0xE000 + code[0]) if subset == 0 else "\uffff"
            if subset not in self.names:
                self.names[subset] = self.font.getSubsetInternalName(subset, self.doc)

    def ops(self, size: float, text: str) -> str:
        key = (size, text)
        hit = self.lines.get(key)
        if hit is not None:
            return hit
        coded = text.translate(self.table)
        if "\ue000" <= min(coded) and max(coded) <= "\ue0ff":
            data = coded.encode("utf-16-be")[1::2].hex()
            hit = self.lines[key] = f"{self.names[0]} {size:g} Tf <{data}> Tj"
            return hit
        codes = self.codes
        try:
            pairs = [codes[ch] for ch in text]
        except KeyError:
            self._learn(text)
            pairs = [codes[ch] for ch in text]
        parts = []
        for subset, group in groupby(pairs, key=itemgetter(0)):
            data = bytes(code for _s, code in group).hex()
            parts.append(f"{self.names[subset]} {size:g} Tf <{data}> Tj")
        hit = self.lines[key] = " ".join(parts)
        return hit


class FastTable(LongTable):
    """A LongTable of plain-text cells with one style object per column, as ``_Grid`` makes
    them (``mc_grid`` set): drawn straight into the page stream in one loop, each line one
    positioned text operation, the whole grid one path. Without ``mc_grid`` it is a
    LongTable like any other."""

    mc_grid: tuple[float, list[tuple[int, int, int]]] | None = None  # width, spans (row, c0, c1)

    def draw(self) -> None:
        if self.mc_grid is None:
            super().draw()
            return
        canv = self.canv
        canv.setFillColor("black")
        out = canv._code.append
        ws = self._colWidths
        # per column style: (x of a left-aligned line, alignment, encoder, measure, size,
        # leading, centre/right reference); styles are shared along a column
        # a merged cell spans the width of its columns
        spanned = {(r, c0): sum(ws[c0:c1 + 1]) for r, c0, c1 in self.mc_grid[1]}
        cache: dict[tuple[int, float], tuple[Any, ...]] = {}
        for r, (row, styles, rowpos, rowheight) in enumerate(zip(
                self._cellvalues, self._cellStyles, self._rowpositions[1:], self._rowHeights,
                strict=False)):
            for col, (cellval, cs, colpos) in enumerate(zip(row, styles, self._colpositions,
                                                            strict=False)):
                if not cellval:
                    continue
                colwidth = spanned.get((r, col), ws[col]) if spanned else ws[col]
                info = cache.get((id(cs), colwidth))
                if info is None:
                    size = cs.fontsize
                    just = cs.alignment
                    if just == "RIGHT":
                        ref = colwidth - cs.rightPadding
                    else:
                        ref = (colwidth + cs.leftPadding - cs.rightPadding) / 2.0
                    info = cache[(id(cs), colwidth)] = (
                        cs.leftPadding, just, Encoder.of(canv, cs.fontname).ops,
                        Measure.of(cs.fontname, size).width, size, cs.leading, ref,
                        (cs.bottomPadding - cs.topPadding) / 2.0 - size, cs)
                left, just, ops, width, size, leading, ref, lift, _keep = info
                if "\n" in cellval:
                    lines = cellval.split("\n")
                    y = rowpos + (rowheight + len(lines) * leading) / 2.0 + lift
                else:
                    lines = (cellval,)
                    y = rowpos + (rowheight + leading) / 2.0 + lift
                for line in lines:
                    if line:
                        if just == "LEFT":
                            x = colpos + left
                        elif just == "RIGHT":
                            x = colpos + ref - width(line)
                        else:
                            x = colpos + ref - width(line) / 2.0
                        out(f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm {ops(size, line)} ET")
                    y -= leading
        self._grid_path()

    def _grid_path(self) -> None:
        assert self.mc_grid is not None
        width, spans = self.mc_grid
        xs, ys = self._colpositions, self._rowpositions  # ys from the top row down
        x0, x1, top, bottom = xs[0], xs[-1], ys[0], ys[-1]
        path = [f"{width:g} w 0 J 0 G"]
        for y in ys:
            path.append(f"{x0:.2f} {y:.2f} m {x1:.2f} {y:.2f} l")
        for j, x in enumerate(xs):
            cut = {r for r, c0, c1 in spans if c0 < j <= c1}
            if not cut:
                path.append(f"{x:.2f} {top:.2f} m {x:.2f} {bottom:.2f} l")
                continue
            for r in range(len(ys) - 1):
                if r not in cut:
                    path.append(f"{x:.2f} {ys[r]:.2f} m {x:.2f} {ys[r + 1]:.2f} l")
        path.append("S")
        self.canv._code.append(" ".join(path))


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
        widest = measure.widest
        for text, room in zip(cells, rooms, strict=True):
            text = _nfc("NFC", text) if text else ""
            if len(text) * widest <= room:  # fits even in the widest glyphs: not measured
                if "\n" in text:
                    most = max(most, text.count("\n") + 1)
            else:
                lines = measure.lines(text, room)  # [text] when it fits after all
                if len(lines) > 1:
                    most = max(most, len(lines))
                    text = "\n".join(lines)
                else:
                    text = lines[0]
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
        spans = []
        if stop > len(self.rows) and self.total_span > 1:
            spans.append((stop - start, 0, self.total_span - 1))
        table = FastTable(data, colWidths=self.col_widths, rowHeights=heights, repeatRows=1,
                          hAlign="LEFT", cellStyles=styles, normalizedData=1)
        table.mc_grid = (0.5, spans)
        return table


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
