"""What every section of a record works with: the source data, the words, the time format,
the styles, and small helpers that describe people."""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.platypus import Flowable, Paragraph

from meeting_console.core.reads import PersonInfo
from meeting_console.record import styles as st
from meeting_console.record.flowables import markup
from meeting_console.record.labels import Labels
from meeting_console.record.source import RecordSource
from meeting_console.record.timefmt import TimeFormat, zone

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


@dataclass
class Ctx:
    src: RecordSource
    labels: Labels
    times: TimeFormat
    styles: st.Styles
    width: float = st.FRAME_WIDTH
    _sections: int = field(default=0)

    @classmethod
    def of(cls, src: RecordSource) -> Ctx:
        labels = Labels(src.meeting.language)
        return cls(src, labels, TimeFormat(labels, zone(src.meeting.timezone)), st.Styles())

    @property
    def held(self) -> bool:
        return self.src.held

    @property
    def party(self) -> bool:
        return self.src.meeting.body_type != "state"

    def person(self, person_id: int | None) -> PersonInfo | None:
        if person_id is None:
            return None
        index = getattr(self, "_people", None)
        if index is None:
            index = self._people = {p.id: p for p in self.src.snap.people}
        return index.get(person_id)

    def who(self, person: PersonInfo | None, fallback: str = "") -> str:
        """'Chẩu Văn Lâm, Ủy viên BCH Trung ương Đảng, Bí thư Tỉnh ủy'."""
        if person is None:
            return fallback
        return ", ".join([person.full_name, *person.posts])

    def heading(self, key: str, *, keep: bool = True) -> Paragraph:
        """'III. THÀNH PHẦN THAM DỰ': sections are numbered as they appear, so a section
        left out for want of data leaves no gap."""
        self._sections += 1
        number = ROMAN[self._sections - 1] if self._sections <= len(ROMAN) else str(self._sections)
        style = self.styles.heading if keep else self.styles.heading_free
        return Paragraph(f"{number}. {markup(self.labels(key))}", style)

    def field(self, text: str) -> Paragraph:
        """A line 'Label: value' with the label in bold."""
        head, sep, rest = text.partition(": ")
        if not sep:
            return Paragraph(markup(text), self.styles.field)
        return Paragraph(f"<b>{markup(head)}:</b> {markup(rest)}", self.styles.field)

    def paragraphs(self, text: str) -> list[Flowable]:
        """Body paragraphs from plain text (one per non-empty line)."""
        return [Paragraph(markup(line.strip()), self.styles.body)
                for line in text.splitlines() if line.strip()]

    def meeting_name(self) -> str:
        mt = self.src.meeting
        name = mt.title
        if mt.number and mt.number.casefold() not in name.casefold():
            name = f"{name} {mt.number}"
        return name
