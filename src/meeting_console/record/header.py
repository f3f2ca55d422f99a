"""The header of a record: the issuing bodies top left, the national heading top right.

Party body (Hướng dẫn 36-HD/VPTW):            State body (Nghị định 30/2020, Mẫu 1.9):
    ĐẢNG BỘ TỈNH TUYÊN QUANG   ĐẢNG CỘNG SẢN VIỆT NAM       UBND TỈNH …    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
           TỈNH ỦY             ──────────────────────       SỞ …           Độc lập - Tự do - Hạnh phúc
              *                                              ───           ───────────────────────────
       Số 12-BB/TU       Tuyên Quang, ngày 14 tháng 01 năm 2022   Số: …/BB-…   Hà Nội, ngày … tháng … năm …
"""

from __future__ import annotations

from datetime import date

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from meeting_console.core.text import nfc
from meeting_console.record import styles as st
from meeting_console.record.flowables import HeadLine, markup
from meeting_console.record.fonts import SERIF, SERIF_BOLD, SERIF_ITALIC
from meeting_console.record.labels import Labels
from meeting_console.record.timefmt import TimeFormat


def _upper(text: str) -> str:
    return nfc(text).upper()


def _line(text: str, font: str, size: float, width: float, *, rule: float = 0) -> Flowable:
    """A centred heading line; a heading too long for its column wraps (without a rule)."""
    line = HeadLine(text, font, size, width, rule=rule)
    if line.text_width <= width - 4:
        return line
    style = ParagraphStyle("hd", fontName=font, fontSize=size, leading=size * 1.2, alignment=1)
    return Paragraph(markup(text), style)


def _split(left: list[tuple[str, str, float]], right: list[tuple[str, str, float]],
           place_date: tuple[str, str, float], share: float) -> tuple[float, float]:
    """Widths of the two blocks: each as wide as its longest line (the left one gets what is
    left over split evenly), else the usual share, the left lines then wrapping."""
    total = st.FRAME_WIDTH

    def need(lines: list[tuple[str, str, float]]) -> float:
        return max((pdfmetrics.stringWidth(t, f, z) for t, f, z in lines if t), default=0)

    gap = 14.0  # at least this much white between the blocks
    left_need = need(left)
    right_need = max(need(right), need([place_date]))
    if left_need + right_need + gap > total:
        lw = max(total * 0.3, min(total * share, total - right_need - gap))
        return lw, total - lw
    lw = left_need + (total - left_need - right_need) / 2
    return lw, total - lw


def header(
    *, body_type: str, parent_body: str, issuing_body: str, number: str, city: str,
    day: date, labels: Labels, times: TimeFormat,
) -> Table:
    """The two header blocks side by side, their first lines on one baseline."""
    sz = st.sizes(body_type)
    state = body_type == "state"
    place_date = times.day(day)
    if city:
        place_date = labels("place_date", city=nfc(city), date=place_date)
    else:
        place_date = place_date[:1].upper() + place_date[1:]
    lw, rw = _split(
        [(_upper(parent_body), SERIF, sz.parent), (_upper(issuing_body), SERIF_BOLD, sz.issuer),
         (labels("number_state" if state else "number_party", number=nfc(number)), SERIF,
          sz.number) if number else ("", SERIF, sz.number)],
        [(labels("state_name"), SERIF_BOLD, sz.top_name),
         (labels("state_motto"), SERIF_BOLD, sz.motto)] if state else
        [(labels("party_name"), SERIF_BOLD, sz.top_name)],
        (place_date, SERIF_ITALIC, sz.place_date), sz.left_share)

    left: list[Flowable] = []
    if parent_body:
        left.append(_line(_upper(parent_body), SERIF, sz.parent, lw))
    if issuing_body:
        if state:
            left.append(_line(_upper(issuing_body), SERIF_BOLD, sz.issuer, lw, rule=0.4))
        else:
            left.append(_line(_upper(issuing_body), SERIF_BOLD, sz.issuer, lw))
            left.append(HeadLine("*", SERIF, sz.issuer, lw))
    if number:
        key = "number_state" if state else "number_party"
        left.append(Spacer(1, 2))
        left.append(_line(labels(key, number=nfc(number)), SERIF, sz.number, lw))

    right: list[Flowable] = []
    if state:
        right.append(_line(labels("state_name"), SERIF_BOLD, sz.top_name, rw))
        right.append(_line(labels("state_motto"), SERIF_BOLD, sz.motto, rw, rule=1.0))
    else:
        right.append(_line(labels("party_name"), SERIF_BOLD, sz.top_name, rw, rule=1.0))
    right.append(Spacer(1, 8))
    right.append(_line(place_date, SERIF_ITALIC, sz.place_date, rw))

    table = Table([[left, right]], colWidths=[lw, rw], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, -1), SERIF),  # not the cells' default, Helvetica
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table
