"""The record's typeface: Liberation Serif (metric-compatible with Times New Roman, every
Vietnamese letter), shipped in ``resources/fonts`` and embedded (subset) in every PDF."""

from __future__ import annotations

import threading
from collections.abc import Callable

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from meeting_console.errors import UserError
from meeting_console.i18n import _
from meeting_console.paths import resource

SERIF = "MC-Serif"
SERIF_BOLD = "MC-Serif-Bold"
SERIF_ITALIC = "MC-Serif-Italic"
SERIF_BOLD_ITALIC = "MC-Serif-BoldItalic"

FILES = {
    SERIF: "LiberationSerif-Regular.ttf",
    SERIF_BOLD: "LiberationSerif-Bold.ttf",
    SERIF_ITALIC: "LiberationSerif-Italic.ttf",
    SERIF_BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}

_lock = threading.Lock()
_done = False


def _widths(font: TTFont) -> Callable[..., float]:
    """The font's ``stringWidth``, same figures, several times faster: reportlab's loops over
    the characters in Python, this sums a table by ``map`` (Paragraph wrapping of 800 speeches
    and the width of every centred cell go through it)."""
    widths, default = font.face.charWidths, font.face.defaultWidth

    class Table(dict[str, float]):
        def __missing__(self, ch: str) -> float:
            w = self[ch] = widths.get(ord(ch), default)
            return w

    get = Table().__getitem__

    def string_width(text: str | bytes, size: float, encoding: str = "utf8") -> float:
        if not isinstance(text, str):
            text = text.decode(encoding)
        return sum(map(get, text)) * size * 0.001

    return string_width


def register() -> None:
    """Register the four faces with reportlab once (bold/italic markup maps to them)."""
    global _done
    with _lock:
        if _done:
            return
        for name, filename in FILES.items():
            path = resource("fonts", filename)
            try:
                # shapable=False: text arrives NFC, every letter is one precomposed glyph.
                font = TTFont(name, str(path), shapable=False)
                font.stringWidth = _widths(font)  # type: ignore[method-assign]
                pdfmetrics.registerFont(font)
            except (OSError, TTFError) as exc:
                raise UserError(
                    _("the record font {path} cannot be read ({exc}); reinstall Meeting Console").format(path=path, exc=exc)
                ) from None
        addMapping(SERIF, 0, 0, SERIF)
        addMapping(SERIF, 1, 0, SERIF_BOLD)
        addMapping(SERIF, 0, 1, SERIF_ITALIC)
        addMapping(SERIF, 1, 1, SERIF_BOLD_ITALIC)
        _done = True
