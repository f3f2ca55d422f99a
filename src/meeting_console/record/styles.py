"""Page geometry and paragraph styles of the record (Hướng dẫn 36-HD/VPTW for Party bodies,
Nghị định 30/2020/NĐ-CP for state bodies)."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm

from meeting_console.record.fonts import SERIF, SERIF_BOLD, SERIF_BOLD_ITALIC, SERIF_ITALIC

PAGE = A4
TOP = 20 * mm
BOTTOM = 20 * mm
LEFT = 30 * mm
RIGHT = 15 * mm
FRAME_WIDTH = PAGE[0] - LEFT - RIGHT
FRAME_HEIGHT = PAGE[1] - TOP - BOTTOM
PAGE_NUMBER_SIZE = 13
TABLE_SIZE = 11
BIG_TABLE_SIZE = 9  # the per-endpoint tables: 31,000 rows at a national conference


@dataclass(frozen=True)
class Sizes:
    """Header sizes: the Party heading is 15 pt, the state heading 13 pt (its motto 14)."""

    top_name: float
    motto: float
    parent: float
    issuer: float
    number: float
    place_date: float
    left_share: float  # share of the width for the left header block


PARTY = Sizes(top_name=15, motto=14, parent=14, issuer=14, number=14, place_date=14,
              left_share=0.45)
STATE = Sizes(top_name=13, motto=14, parent=13, issuer=13, number=13, place_date=14,
              left_share=0.40)


def sizes(body_type: str) -> Sizes:
    return STATE if body_type == "state" else PARTY


class Styles:
    def __init__(self, body: float = 14) -> None:
        lead = body * 1.25

        def ps(name: str, **kw: object) -> ParagraphStyle:
            base: dict[str, object] = {"fontName": SERIF, "fontSize": body, "leading": lead}
            base.update(kw)
            return ParagraphStyle(name, **base)  # type: ignore[arg-type]

        self.body = ps("body", alignment=TA_JUSTIFY, firstLineIndent=1 * cm, spaceAfter=6)
        self.field = ps("field", alignment=TA_JUSTIFY, firstLineIndent=1 * cm, spaceAfter=3)
        self.hanging = ps("hanging", alignment=TA_JUSTIFY, leftIndent=1 * cm,
                          firstLineIndent=-0.5 * cm, spaceAfter=3)
        self.title = ps("title", fontName=SERIF_BOLD, fontSize=16, leading=20,
                        alignment=TA_CENTER, spaceBefore=18)
        self.subtitle = ps("subtitle", fontName=SERIF_BOLD, alignment=TA_CENTER, spaceAfter=2)
        self.note = ps("note", fontName=SERIF_ITALIC, alignment=TA_CENTER, spaceAfter=2)
        self.heading = ps("heading", fontName=SERIF_BOLD, spaceBefore=10, spaceAfter=4,
                          keepWithNext=1)
        # before a table: a CondPageBreak keeps them together instead (keepWithNext would
        # move a whole table that fits a page onto the next page)
        self.heading_free = ps("heading_free", fontName=SERIF_BOLD, spaceBefore=10,
                               spaceAfter=4)
        self.subheading_free = ps("subheading_free", fontName=SERIF_BOLD,
                                  firstLineIndent=1 * cm, spaceBefore=6, spaceAfter=3)
        self.subheading = ps("subheading", fontName=SERIF_BOLD, firstLineIndent=1 * cm,
                             alignment=TA_JUSTIFY, spaceBefore=6, spaceAfter=3, keepWithNext=1)
        self.label = ps("label", fontName=SERIF_ITALIC, firstLineIndent=1 * cm, spaceAfter=2,
                        keepWithNext=1)
        self.sign_role = ps("sign_role", fontName=SERIF_BOLD, alignment=TA_CENTER)
        self.sign_hint = ps("sign_hint", fontName=SERIF_ITALIC, fontSize=12, leading=15,
                            alignment=TA_CENTER)
        self.sign_name = ps("sign_name", fontName=SERIF_BOLD, alignment=TA_CENTER)
        # "Nơi nhận": Nghị định 30/2020 sets it 12 pt bold italic, the list 11 pt; a Party
        # document (Hướng dẫn 36-HD/VPTW) underlines it, upright 14 pt, the list 12 pt
        self.distribution_state = ps("distribution_state", fontName=SERIF_BOLD_ITALIC,
                                     fontSize=12, leading=14, spaceBefore=12)
        self.distribution_party = ps("distribution_party", fontSize=14, leading=16,
                                     spaceBefore=12)
        self.distribution_line = ps("distribution_line", fontSize=11, leading=13)
        self.distribution_line_party = ps("distribution_line_party", fontSize=12, leading=14)
        self.provenance = ps("provenance", fontName=SERIF_ITALIC, fontSize=10, leading=12,
                             spaceBefore=12)
        small = TABLE_SIZE
        self.cell = ps("cell", fontSize=small, leading=small * 1.2, alignment=TA_LEFT)
        self.cell_center = ps("cell_center", fontSize=small, leading=small * 1.2,
                              alignment=TA_CENTER)
        self.cell_head = ps("cell_head", fontName=SERIF_BOLD, fontSize=small,
                            leading=small * 1.2, alignment=TA_CENTER)
        self.cell_bold_italic = ps("cell_bi", fontName=SERIF_BOLD_ITALIC, fontSize=small,
                                   leading=small * 1.2)
