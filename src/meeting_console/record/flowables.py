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
from collections.abc import Callable, Sequence
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
    """Fast string widths and line breaking for one font and size (reportlab's own loops
    over each character in Python; a table of widths summed by ``map`` is several times
    quicker). Words and whole cells repeat across a 31,000-row table (place names, times,
    counts), so their widths and line breaks are remembered."""

    _cache: dict[tuple[str, float], Measure] = {}
    MEMO = 200_000  # remembered cells and words, per font and size, before starting afresh

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
        chars = self._w.__getitem__
        memo = self.MEMO

        class Words(dict[str, float]):
            def __missing__(self, word: str) -> float:
                if len(self) > memo:
                    self.clear()
                w = self[word] = sum(map(chars, word))
                return w

        # a cell is measured word by word: place names, times and counts repeat, so most
        # words are a look-up (a cell summed character by character costs five times more)
        self._words = Words()
        self._word = self._words.__getitem__
        self._broken: dict[tuple[str, float], list[str]] = {}
        self._cells: dict[float, dict[str, tuple[str, int]]] = {}

    @classmethod
    def of(cls, fontname: str, size: float) -> Measure:
        m = cls._cache.get((fontname, size))
        if m is None:
            m = cls._cache[(fontname, size)] = cls(fontname, size)
        return m

    def width(self, text: str) -> float:
        return sum(map(self._w.__getitem__, text))

    def word(self, text: str) -> float:
        """The width of a word (or any short string that repeats), remembered."""
        return self._word(text)

    def lines(self, text: str, room: float) -> list[str]:
        """``text`` broken into lines no wider than ``room``: at spaces; a word longer than a
        line after a dash or slash in it ("10h41–10h47"), else cut where it must be. The
        list returned may be shared: do not change it."""
        key = (text, room)
        hit = self._broken.get(key)
        if hit is None:
            if len(self._broken) > self.MEMO:
                self._broken.clear()
            hit = self._broken[key] = self._lines(text, room)
        return hit

    def cells(self, room: float) -> dict[str, tuple[str, int]]:
        """The cells of a column ``room`` points wide seen so far: text → (its lines joined
        by line breaks, how many lines); fill it with ``cell``."""
        cache = self._cells.get(room)
        if cache is None:
            cache = self._cells[room] = {}
        return cache

    def cell(self, text: str, room: float, cache: dict[str, tuple[str, int]]) -> tuple[str, int]:
        if len(cache) > self.MEMO:
            cache.clear()
        if not text:
            hit = cache[text] = ("", 1)
            return hit
        text_nfc = _nfc("NFC", text)
        if "\n" not in text_nfc:
            words = text_nfc.split()
            widths = list(map(self._word, words))
            if sum(widths) + self.space * (len(words) - 1) <= room:
                hit = cache[text] = (" ".join(words), 1)  # one line: most cells
                return hit
            lines: list[str] = []
            self._break(words, widths, room, lines)
        else:
            lines = self._lines(text_nfc, room)
        hit = cache[text] = ("\n".join(lines), len(lines))
        return hit

    def _lines(self, text: str, room: float) -> list[str]:
        out: list[str] = []
        word, space = self._word, self.space
        for para in text.split("\n"):
            words = para.split()
            if not words:
                out.append("")
                continue
            widths = list(map(word, words))
            if sum(widths) + space * (len(words) - 1) <= room:
                out.append(" ".join(words))
            else:
                self._break(words, widths, room, out)
        return out

    def _break(self, words: list[str], widths: list[float], room: float,
               out: list[str]) -> None:
        """Words with their widths set in lines of ``room`` points, appended to ``out``."""
        space = self.space
        line: list[str] = []
        used = 0.0
        for w, ww in zip(words, widths, strict=True):
            if line and used + space + ww <= room:
                line.append(w)
                used += space + ww
                continue
            if line:
                out.append(" ".join(line))
            if ww > room:  # a word longer than a line: cut it, the rest starts a line
                while ww > room and len(w) > 1:
                    cut = self._cut(w, room)
                    out.append(w[:cut])
                    w = w[cut:]
                    ww = self.width(w)
            line, used = [w], ww
        out.append(" ".join(line))

    def _cut(self, word: str, room: float) -> int:
        """Where to cut a word too long for a line: after the last dash or slash that fits,
        else after as many characters as fit (at least one)."""
        ends = list(accumulate(map(self._w.__getitem__, word)))
        fits = max(bisect_right(ends, room), 1)
        for i in range(fits, 0, -1):
            if word[i - 1] in "–-/":
                return i
        return fits


class _Unlearned(dict[int, str]):
    """A ``str.translate`` table that turns a character not learned yet into U+FFFF."""

    def __missing__(self, key: int) -> str:
        return "\uffff"


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
        self._sized: dict[float, Callable[[str], str]] = {}
        self._caches: dict[float, dict[str, str]] = {}
        # for str.translate: a learned character of subset 0 → the character of its code
        # (0-255), of another subset or not learned yet → U+FFFF; so a line all in subset 0
        # encodes in C (translate, then latin-1), without a Python loop
        self.table = _Unlearned()

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
            self.table[ord(ch)] = chr(code[0]) if subset == 0 else "\uffff"
            if subset not in self.names:
                self.names[subset] = self.font.getSubsetInternalName(subset, self.doc)

    def sized(self, size: float) -> Callable[[str], str]:
        """``ops(text)``: the operators that show ``text`` at ``size`` (font, then glyphs)."""
        fn = self._sized.get(size)
        if fn is not None:
            return fn
        cache = self.cache(size)
        table = self.table

        def ops(text: str) -> str:
            hit = cache.get(text)
            if hit is not None:
                return hit
            try:
                data = text.translate(table).encode("latin-1").hex()
            except UnicodeEncodeError:
                hit = cache[text] = self._mixed(size, text)
                return hit
            if not data:
                return ""
            hit = cache[text] = f"{self.names[0]} {size:g} Tf <{data}> Tj"
            return hit

        fn = self._sized[size] = ops
        return fn

    def cache(self, size: float) -> dict[str, str]:
        """The lines already encoded at ``size``: text → operators (``sized`` fills it)."""
        hit = self._caches.get(size)
        if hit is None:
            hit = self._caches[size] = {}
        return hit

    def ops(self, size: float, text: str) -> str:
        return self.sized(size)(text)

    def _mixed(self, size: float, text: str) -> str:
        """A line with characters of other subsets, or not learned yet."""
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
        return " ".join(parts)


class FastTable(LongTable):
    """A LongTable of plain-text cells with one style object per column, as ``_Grid`` makes
    them (``mc_grid`` set): drawn straight into the page stream in one loop, each line one
    positioned text operation, the whole grid one path. Without ``mc_grid`` it is a
    LongTable like any other."""

    mc_grid: tuple[float, list[tuple[int, int, int]]] | None = None  # width, spans (row, c0, c1)
    # the column facts of each row kind, shared by the pages of one PagedTable (same
    # columns, same style lists): id of the style list → (canvas, style list, facts)
    mc_kinds: dict[int, tuple[Any, Any, list[tuple[Any, ...]]]] | None = None

    def draw(self) -> None:
        if self.mc_grid is None:
            super().draw()
            return
        canv = self.canv
        canv.setFillGray(0)
        out = canv._code.append
        ws, xs = self._colWidths, self._colpositions
        # a merged cell spans the width of its columns
        spanned = {(r, c0): sum(ws[c0:c1 + 1]) for r, c0, c1 in self.mc_grid[1]}
        # per row kind (the style objects are shared along a row kind: header, body, total),
        # for each column: x of a left-aligned line (formatted once), alignment, encoder,
        # width, size, leading, centre/right reference, baseline offset
        kinds = self.mc_kinds if self.mc_kinds is not None else {}

        def columns_of(r: int, styles: Sequence[CellStyle]) -> list[tuple[Any, ...]]:
            info = []
            for col, cs in enumerate(styles):
                colwidth = spanned.get((r, col), ws[col])
                size = cs.fontsize
                if cs.alignment == "RIGHT":
                    ref = colwidth - cs.rightPadding
                else:
                    ref = (colwidth + cs.leftPadding - cs.rightPadding) / 2.0
                enc = Encoder.of(canv, cs.fontname)
                info.append((f"{xs[col] + cs.leftPadding:.2f}", cs.alignment,
                             enc.sized(size), enc.cache(size).get,
                             Measure.of(cs.fontname, size).word, cs.leading,
                             xs[col] + ref, (cs.bottomPadding - cs.topPadding) / 2.0 - size))
            return info

        for r, (row, styles, rowpos, rowheight) in enumerate(zip(
                self._cellvalues, self._cellStyles, self._rowpositions[1:], self._rowHeights,
                strict=False)):
            if spanned and any(k[0] == r for k in spanned):
                info = columns_of(r, styles)
            else:
                known_kind = kinds.get(id(styles))
                if known_kind is not None and known_kind[0] is canv and known_kind[1] is styles:
                    info = known_kind[2]
                else:
                    info = columns_of(r, styles)
                    kinds[id(styles)] = (canv, styles, info)
            middle = rowpos + rowheight / 2.0
            one_line = ""  # the baseline of a one-line cell: the same along the row
            for cellval, (x_left, just, ops, known, width, leading, ref, lift) in zip(
                    row, info, strict=False):
                if not cellval:
                    continue
                if "\n" not in cellval:
                    if not one_line:
                        one_line = f"{middle + leading / 2.0 + lift:.2f}"
                    if just == "LEFT":
                        x = x_left
                    elif just == "RIGHT":
                        x = f"{ref - width(cellval):.2f}"
                    else:
                        x = f"{ref - width(cellval) / 2.0:.2f}"
                    out(f"BT {x} {one_line} Td {known(cellval) or ops(cellval)} ET")
                    continue
                lines = cellval.split("\n")
                y = middle + len(lines) * leading / 2.0 + lift
                for line in lines:
                    if line:
                        if just == "LEFT":
                            x = x_left
                        elif just == "RIGHT":
                            x = f"{ref - width(line):.2f}"
                        else:
                            x = f"{ref - width(line) / 2.0:.2f}"
                        out(f"BT {x} {y:.2f} Td {known(line) or ops(line)} ET")
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
        self.body_cells = [self.body.cells(room) for room in self.rooms]
        self.header = self._prepare(header, self.bold, self.rooms)
        self._prepared: dict[int, tuple[list[str], float]] = {}
        self.kinds: dict[int, tuple[Any, Any, list[tuple[Any, ...]]]] = {}

    def _prepare(self, cells: Sequence[str], measure: Measure, rooms: Sequence[float],
                 caches: Sequence[dict[str, tuple[str, int]]] | None = None,
                 ) -> tuple[list[str], float]:
        """A row's cells broken into lines for their columns, and the row's height."""
        if caches is None:
            caches = [measure.cells(room) for room in rooms]
        out = []
        most = 1
        for text, room, cache in zip(cells, rooms, caches, strict=True):
            hit = cache.get(text)
            if hit is None:
                hit = measure.cell(text, room, cache)
            out.append(hit[0])
            if hit[1] > most:
                most = hit[1]
        return out, most * self.leading + 2 * self.padding

    def row(self, index: int) -> tuple[list[str], float]:
        hit = self._prepared.get(index)
        if hit is None:
            if index < len(self.rows):
                hit = self._prepare(self.rows[index], self.body, self.rooms, self.body_cells)
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
        table.mc_kinds = self.kinds
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
