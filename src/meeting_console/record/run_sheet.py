"""The MC's script (kịch bản) for the commendation ceremony, as PDF.

In ceremony order, for each presentation: the decision read out (for the awards of the
President and the Prime Minister the decision is announced before the presentation), the
sentence announcing the award with its recipients and citation, the call of the recipients
(the receiving relative for a posthumous award, the representative of a collective, the bridge
point for a recipient who is not in the hall) and the call of the presenter. The sentences
follow the announcements of the seed article ("Truy tặng Huân chương Hồ Chí Minh của Chủ tịch
nước cho đồng chí …", "Trao Kỷ niệm chương … cho các đồng chí …, gồm: …").

``script()`` builds the text from a snapshot (no I/O); ``build_run_sheet()`` writes the PDF.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from meeting_console.core import ceremony, reads
from meeting_console.core.api import Core
from meeting_console.core.catalogue import AwardTypeInfo, award_types
from meeting_console.core.timefmt import hhmm
from meeting_console.record import fonts
from meeting_console.record.flowables import markup
from meeting_console.record.output import Progress, write_pdf
from meeting_console.record.styles import Styles

DECISION_READ = ("president", "prime_minister")  # the decision is read before presenting


@dataclass(frozen=True)
class Line:
    kind: str  # decision | announce | call | present | direction | done
    text: str


@dataclass(frozen=True)
class Part:
    index: int
    heading: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Script:
    meeting: reads.MeetingInfo
    opening: str
    parts: tuple[Part, ...]
    closing: str

    @property
    def text(self) -> str:
        """Everything the MC reads, in order (for checks and previews)."""
        out = [self.opening]
        for p in self.parts:
            out.append(f"{p.index}. {p.heading}")
            out.extend(line.text for line in p.lines)
        out.append(self.closing)
        return "\n".join(out)


def _day(d: date) -> str:
    return f"ngày {d.day:02d}/{d.month:02d}/{d.year}"


def _of(g: reads.GrantInfo) -> str:
    """The award with its conferring authority, as announced: "Huân chương Hồ Chí Minh của
    Chủ tịch nước" (names that already say whose they are stay as they are)."""
    if g.authority and " của " not in f" {g.award_name} ":
        return f"{g.award_name} của {g.authority}"
    return g.award_name


def _person_posts(snap: reads.MeetingSnapshot, person_id: int | None) -> str:
    p = snap.person(person_id)
    return ", ".join(p.posts) if p else ""


def _named(g: reads.GrantInfo, *, comrade: bool = True) -> str:
    if g.recipient_kind == "collective":
        return g.recipient_name
    name = f"đồng chí {g.recipient_name}" if comrade else g.recipient_name
    return f"{name}, {g.recipient_post}" if g.recipient_post else name


def _at(g: reads.GrantInfo) -> str:
    return f" (tại điểm cầu {g.endpoint_name})" if g.endpoint_name else ""


def _citation(text: str) -> str:
    text = text.strip().rstrip(".")
    return f" {text}" if text else ""


def _announce(grants: Sequence[reads.GrantInfo]) -> str:
    """One sentence for grants of one award type presented together."""
    first = grants[0]
    verb = "Truy tặng" if all(g.posthumous for g in grants) else "Trao"
    if len(grants) == 1:
        return f"{verb} {_of(first)} cho {_named(first)}{_at(first)}{_citation(first.citation)}."
    citations = {g.citation.strip().rstrip(".") for g in grants}
    shared = citations.pop() if len(citations) == 1 else ""
    kinds = {g.recipient_kind for g in grants}
    whom = ("các đồng chí" if kinds == {"individual"} else
            "các tập thể" if kinds == {"collective"} else "các tập thể, cá nhân")
    names = []
    for n, g in enumerate(grants):
        item = _named(g, comrade=False) if g.recipient_kind == "individual" else g.recipient_name
        if n == 0 and g.recipient_kind == "individual":
            item = "Đồng chí " + item
        if g.posthumous:
            item += " (truy tặng)"
        item += _at(g)
        if not shared and g.citation.strip():
            item += f" ({g.citation.strip().rstrip('.')})"
        names.append(item)
    return f"{verb} {_of(first)} cho {whom}{_citation(shared)}, gồm: {'; '.join(names)}."


def _runs(grants: Sequence[reads.GrantInfo]) -> list[list[reads.GrantInfo]]:
    runs: list[list[reads.GrantInfo]] = []
    for g in grants:
        if runs and runs[-1][0].award_type_id == g.award_type_id:
            runs[-1].append(g)
        else:
            runs.append([g])
    return runs


def _called(g: reads.GrantInfo) -> str:
    if g.posthumous and g.received_by:
        return g.received_by
    if g.recipient_kind == "collective":
        return f"đại diện {g.recipient_name}"
    return f"đồng chí {g.recipient_name}"


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]


def _decision(grants: Sequence[reads.GrantInfo], kinds: dict[int, str]) -> Line | None:
    decisions = list(dict.fromkeys((g.decision_number, g.decision_date) for g in grants
                                   if g.decision_number))
    if not decisions:
        return None
    first = grants[0]
    parts = [f"số {n}" + (f" {_day(d)}" if d else "") for n, d in decisions]
    what = "Quyết định" if len(parts) == 1 else "các Quyết định"
    by = f" của {first.authority}" if first.authority else ""
    if kinds.get(first.award_type_id) in DECISION_READ:
        return Line("decision", f"Xin trân trọng công bố {what} {'; '.join(parts)}{by} về việc "
                    f"{'truy tặng' if first.posthumous else 'tặng'} {first.award_name}.")
    return Line("decision", f"Theo {what} {'; '.join(parts)}{by}.")


def _group_lines(group: ceremony.CeremonyGroup, snap: reads.MeetingSnapshot,
                 kinds: dict[int, str]) -> list[Line]:
    lines: list[Line] = []
    for run in _runs(group.grants):
        decision = _decision(run, kinds)
        if decision is not None:
            lines.append(decision)
        lines.append(Line("announce", _announce(run)))
    hall = [g for g in group.grants if not g.endpoint_name]
    remote = [g for g in group.grants if g.endpoint_name]
    awards = _join(list(group.award_names))
    if hall:
        if len(hall) > 1 and all(g.recipient_kind == "individual" and not g.posthumous
                                 for g in hall):
            called = "các đồng chí " + _join([g.recipient_name for g in hall])
        else:
            called = _join([_called(g) for g in hall])
        lines.append(Line("call", f"Trân trọng kính mời {called} lên nhận {awards}."))
    for g in remote:
        lines.append(Line("call", f"Trân trọng kính mời {_called(g)} tại điểm cầu "
                          f"{g.endpoint_name} nhận {g.award_name}."))
    first = group.grants[0]
    if first.presenter_id is not None:
        posts = _person_posts(snap, first.presenter_id)
        presenter = f"đồng chí {first.presenter_name}" + (f", {posts}," if posts else "")
    elif first.presenter_text:
        presenter = first.presenter_text
    else:
        presenter = ""
    if presenter and hall:
        whom = _join([_called(g) if g.posthumous else
                      (g.recipient_name if g.recipient_kind == "collective"
                       else f"đồng chí {g.recipient_name}") for g in hall])
        if len(hall) > 2:
            whom = "các đồng chí" if all(g.recipient_kind == "individual" for g in hall) \
                else "các tập thể, cá nhân"
        lines.append(Line("present", f"Trân trọng kính mời {presenter} lên trao {awards} "
                          f"cho {whom}."))
    lines.append(Line("direction", "(Nhạc trao thưởng; chụp ảnh lưu niệm.)"))
    if group.presented_at is not None:
        lines.append(Line("done", f"Đã trao lúc {hhmm(group.presented_at, snap.meeting.timezone)}."))
    return lines


def script(snap: reads.MeetingSnapshot, types: Sequence[AwardTypeInfo] = ()) -> Script:
    """The MC's script for a meeting's ceremony, in ceremony order."""
    kinds = {t.id: t.authority_kind for t in types}
    cer = ceremony.build(snap)
    parts = []
    for group in cer.groups:
        names = group.award_names
        heading = _join(list(names))
        if all(g.posthumous for g in group.grants):
            heading += " (truy tặng)"
        if len(group.grants) > 1:
            heading += f" — {len(group.grants)} người nhận"
        parts.append(Part(group.index, heading, tuple(_group_lines(group, snap, kinds))))
    opening = ("Thưa các đồng chí! Được sự nhất trí của Đoàn Chủ tịch hội nghị, sau đây xin "
               "trân trọng công bố các quyết định khen thưởng và tổ chức trao khen thưởng.")
    closing = ("Một lần nữa, xin nhiệt liệt chúc mừng các tập thể, cá nhân vừa được khen "
               "thưởng. Xin trân trọng cảm ơn!")
    return Script(snap.meeting, opening, tuple(parts), closing)


# --- the PDF -------------------------------------------------------------------------------


def _story(sc: Script) -> list[Flowable]:
    st = Styles(14)
    center = ParagraphStyle("rs_center", parent=st.body, alignment=TA_CENTER, firstLineIndent=0,
                            spaceAfter=0)
    italic = ParagraphStyle("rs_italic", parent=st.body, fontName=fonts.SERIF_ITALIC)
    small = ParagraphStyle("rs_small", parent=italic, fontSize=12, leading=15, textColor="#444")
    m = sc.meeting
    out: list[Flowable] = []
    if m.issuing_body:
        out.append(Paragraph(markup(m.issuing_body.upper()), st.subtitle))
    out.append(Paragraph(markup("KỊCH BẢN"), st.title))
    out.append(Paragraph(markup("TRAO KHEN THƯỞNG"), st.subtitle))
    out.append(Paragraph(markup(m.title), center))
    d = m.date
    place = f"{m.city}, " if m.city else ""
    out.append(Paragraph(markup(f"{place}ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"),
                         st.note))
    out.append(Spacer(1, 0.5 * cm))
    out.append(Paragraph("<b>" + markup("Người dẫn chương trình:") + "</b>", st.label))
    out.append(Paragraph(markup(sc.opening), st.body))
    styles = {"decision": st.body, "announce": st.body, "call": st.body, "present": st.body,
              "direction": italic, "done": small}
    for part in sc.parts:
        block: list[Flowable] = [Paragraph(markup(f"{part.index}. {part.heading}"), st.heading)]
        for line in part.lines:
            block.append(Paragraph(markup(line.text), styles.get(line.kind, st.body)))
        out.append(KeepTogether(block))
    out.append(Spacer(1, 0.3 * cm))
    out.append(Paragraph(markup(sc.closing), st.body))
    return out


def read_script(core: Core, meeting_id: int) -> Script:
    """The script from the store (a quick read; the layout can then run off the DB worker)."""
    return script(ceremony.snapshot_for(core, meeting_id), award_types(core))


def write_run_sheet(sc: Script, path: str | os.PathLike[str], *,
                    progress: Progress | None = None) -> Path:
    """Lay out a script and write the PDF to ``path`` (atomically); no database access."""
    return write_pdf(path, lambda: _story(sc), title=f"Kịch bản trao khen thưởng — {sc.meeting.title}",
                     subject="Kịch bản trao khen thưởng", author=sc.meeting.issuing_body or
                     "Meeting Console", lang=sc.meeting.language,
                     expected_pages=1 + len(sc.parts) // 3, progress=progress)


def build_run_sheet(core: Core, meeting_id: int, path: str | os.PathLike[str], *,
                    progress: Progress | None = None) -> Path:
    """Write the MC's script of the meeting's ceremony to ``path`` (atomically)."""
    return write_run_sheet(read_script(core, meeting_id), path, progress=progress)


__all__ = ["Line", "Part", "Script", "build_run_sheet", "read_script", "script",
           "write_run_sheet"]
