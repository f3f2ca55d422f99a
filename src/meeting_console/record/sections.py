"""Sections of the record, each a list of flowables (empty when the store holds nothing for
it, so the section is left out and the numbering closes up).

Minutes (a meeting held) and the planned programme (not yet held) share the sections; each
section reads ``ctx.held`` to choose actual or planned facts.
"""

from __future__ import annotations

from datetime import datetime

from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from meeting_console.core.reads import AgendaItemInfo, GrantInfo, SpeakerInfo
from meeting_console.record import styles as st
from meeting_console.record.context import Ctx
from meeting_console.record.flowables import PagedTable, Rule, columns, markup
from meeting_console.record.fonts import SERIF, SERIF_BOLD
from meeting_console.record.header import header
from meeting_console.record.ledger import Outage


def table(ctx: Ctx, head: list[str], rows: list[list[str]], shares: list[float],
          aligns: list[str], *, size: float = st.TABLE_SIZE,
          total: list[str] | None = None, total_span: int = 1) -> PagedTable:
    """A grid with a bold header repeated on every page; ``total`` is a last bold row whose
    first ``total_span`` cells are merged. The big tables (small type) are set tighter."""
    return PagedTable(head, rows, columns(ctx.width, shares), font=SERIF, bold_font=SERIF_BOLD,
                      size=size, aligns=aligns, total=total, total_span=total_span,
                      padding=2 if size < st.TABLE_SIZE else 3)


# --- the top of the document ---------------------------------------------------------------


def top(ctx: Ctx, title_key: str, *, number: bool = True, note_key: str = "") -> list[Flowable]:
    mt = ctx.src.meeting
    out: list[Flowable] = [
        header(body_type=mt.body_type, parent_body=mt.parent_body, issuing_body=mt.issuing_body,
               number=mt.record_number if number else "", city=mt.city, day=mt.date,
               labels=ctx.labels, times=ctx.times),
        Paragraph(markup(ctx.labels(title_key)), ctx.styles.title),
        Paragraph(markup(ctx.meeting_name()), ctx.styles.subtitle),
    ]
    if note_key:
        out.append(Paragraph(markup(ctx.labels(note_key)), ctx.styles.note))
    out.append(Rule(ctx.width * 0.18, ctx.width))
    out.append(Spacer(1, 6))
    return out


# --- I. time, place, form --------------------------------------------------------------


def general(ctx: Ctx) -> list[Flowable]:
    L, T, src = ctx.labels, ctx.times, ctx.src
    mt = src.meeting
    lines: list[str] = []
    if ctx.held:
        opened = src.opened_at()
        if opened is not None:
            lines.append(L("time_actual", time=T.clock(opened), date=T.day_of(opened)))
    else:
        start = src.planned_start()
        if start is not None:
            lines.append(L("time_planned", time=T.clock(start), date=T.day_of(start)))
        else:
            lines.append(L("time_planned_day", date=T.day(mt.date)))
    if mt.place:
        lines.append(L("place", place=mt.place))
    main = src.main_endpoint()
    others = len(src.snap.endpoints) - (1 if main else 0)
    if mt.form == "in_person":
        lines.append(L("form_in_person"))
    elif others > 0:
        if main is not None:
            key = "form_online" if mt.form == "online" else "form_hybrid"
            lines.append(L(key, main=main.name, n=L.num(others)))
        else:
            lines.append(L("form_online_nomain", n=L.num(others)))
    if mt.summary:
        lines.append(L("content", summary=mt.summary))
    if not lines:
        return []
    return [ctx.heading("sec_general"), *(ctx.field(x) for x in lines)]


# --- II. chairs and recorder -----------------------------------------------------------


def chairs(ctx: Ctx) -> list[Flowable]:
    L, snap = ctx.labels, ctx.src.snap
    chairs_, recorder = snap.chairs, snap.recorder
    if not chairs_ and recorder is None:
        return []
    out: list[Flowable] = [ctx.heading("sec_chairs")]
    if len(chairs_) == 1:
        out.append(ctx.field(L("chair_one", who=ctx.who(chairs_[0]))))
    elif chairs_:
        out.append(Paragraph(f"<b>{markup(L('chairs'))}</b>", ctx.styles.field))
        for p in chairs_:
            out.append(Paragraph("- " + markup(ctx.who(p)) + ";", ctx.styles.hanging))
    if recorder is not None:
        out.append(ctx.field(L("recorder", who=ctx.who(recorder))))
    return out


# --- III. attendance -------------------------------------------------------------------

CATEGORIES = (("member", "cat_member"), ("invited", "cat_invited"), ("press", "cat_press"))


def _attendance_word(ctx: Ctx, attendance: str, reason: str) -> str:
    L = ctx.labels
    if attendance == "in_person":
        return L("att_in_person")
    if attendance == "online":
        return L("att_online")
    if attendance == "absent":
        return L("att_absent_reason", reason=reason) if reason else L("att_absent")
    return L("att_unknown")


def people_part(ctx: Ctx) -> list[Flowable]:
    L, snap = ctx.labels, ctx.src.snap
    names = {e.id: e.name for e in snap.endpoints}
    # honoured posthumously: named in the awards, not a participant
    departed = {g.recipient_person_id for g in snap.grants if g.posthumous}
    out: list[Flowable] = []
    n = 0
    for category, key in CATEGORIES:
        group = [p for p in snap.people if p.category == category and p.id not in departed]
        if not group:
            continue
        n += 1
        recorded = [p for p in group if p.attendance != "unknown"]
        present = sum(1 for p in group if p.attendance in ("in_person", "online"))
        label = L(key)
        if ctx.held and recorded:
            text = L("cat_count", label=label, present=L.num(present), total=L.num(len(group)))
        else:
            text = L("cat_count_planned", label=label, total=L.num(len(group)))
        out.append(CondPageBreak(90))
        out.append(Paragraph(f"{n}. {markup(text)}", ctx.styles.subheading_free))
        head = [L("col_no"), L("col_name"), L("col_post"), L("col_endpoint")]
        shares = [0.7, 2.2, 3.6, 2.0]
        aligns = ["CENTER", "LEFT", "LEFT", "LEFT"]
        if ctx.held:
            head.append(L("col_attendance"))
            shares.append(1.5)
            aligns.append("LEFT")
        rows = []
        for i, p in enumerate(group, start=1):
            row = [str(i), p.full_name, ", ".join(p.posts), names.get(p.meeting_endpoint_id or -1, "")]
            if ctx.held:
                row.append(_attendance_word(ctx, p.attendance, p.absence_reason))
            rows.append(row)
        out.append(table(ctx, head, rows, shares, aligns))
        out.append(Spacer(1, 6))
    return out


def _outage_text(ctx: Ctx, o: Outage) -> str:
    L, T = ctx.labels, ctx.times
    sev = L("sev_lost") if o.severity == "lost" else L("sev_unstable")
    if o.end is None:
        return f"{T.short(o.start)} {sev}, {L('not_restored')}"
    return f"{T.span(o.start, o.end)} {sev}"


def connection_text(ctx: Ctx, me_id: int) -> str:
    L, T, src = ctx.labels, ctx.times, ctx.src
    span = src.spans.get(me_id)
    if span is None:
        return L("none")
    if span.first_connected is None:
        return L("not_connected")
    end = span.until or src.meeting.actual_end
    if end is None:
        return f"{T.short(span.first_connected)}–"
    return T.span(span.first_connected, end)


def endpoints_part(ctx: Ctx, number: int) -> list[Flowable]:
    L, src = ctx.labels, ctx.src
    eps = src.snap.endpoints
    if not eps:
        return []
    expected = sum(e.expected_delegates for e in eps)
    out: list[Flowable] = [
        CondPageBreak(120),
        Paragraph(f"{number}. {markup(L('sec_endpoints').capitalize())}", ctx.styles.subheading),
    ]
    if ctx.held:
        present = sum(e.present_delegates or 0 for e in eps)
        out.append(ctx.field(L("endpoints_intro", n=L.num(len(eps)), present=L.num(present),
                                 expected=L.num(expected))))
        n_out = sum(len(v) for v in src.outages.values())
        if n_out:
            out.append(ctx.field(L("endpoints_outages", n=L.num(n_out), m=L.num(len(src.outages)))))
        head = [L("col_no"), L("col_endpoint"), L("col_host"), L("col_delegates"),
                L("col_connected"), L("col_outages")]
        shares = [0.7, 3.2, 1.9, 1.0, 1.25, 2.1]
        aligns = ["CENTER", "LEFT", "LEFT", "CENTER", "CENTER", "LEFT"]
        rows = []
        none = L("none")
        for i, e in enumerate(eps, start=1):
            pres = str(e.present_delegates) if e.present_delegates is not None else none
            outs = "\n".join(_outage_text(ctx, o) for o in src.outages.get(e.id, ()))
            rows.append([str(i), e.name, e.host, f"{pres}/{e.expected_delegates}",
                         connection_text(ctx, e.id), outs])
        total = [f"{L('total')}: {L('total_endpoints', n=L.num(len(eps)))}", "", "",
                 f"{L.num(present)}/{L.num(expected)}", "", L.num(n_out) if n_out else ""]
        out.append(CondPageBreak(60))
        out.append(table(ctx, head, rows, shares, aligns, size=st.BIG_TABLE_SIZE, total=total,
                         total_span=3))
    else:
        out.append(ctx.field(L("endpoints_intro_planned", n=L.num(len(eps)),
                               expected=L.num(expected))))
        head = [L("col_no"), L("col_endpoint"), L("col_host"), L("col_expected")]
        rows = [[str(i), e.name, e.host, str(e.expected_delegates)]
                for i, e in enumerate(eps, start=1)]
        total = [f"{L('total')}: {L('total_endpoints', n=L.num(len(eps)))}", "", "",
                 L.num(expected)]
        out.append(CondPageBreak(60))
        out.append(table(ctx, head, rows, [0.7, 3.6, 3.2, 1.6],
                         ["CENTER", "LEFT", "LEFT", "CENTER"], size=st.BIG_TABLE_SIZE,
                         total=total, total_span=3))
    return out


def attendance(ctx: Ctx) -> list[Flowable]:
    people = people_part(ctx)
    n = sum(1 for f in people if isinstance(f, Paragraph))
    eps = endpoints_part(ctx, n + 1)
    if not people and not eps:
        return []
    return [CondPageBreak(120), ctx.heading("sec_attendance", keep=False), *people, *eps]


# --- IV. proceedings / programme -------------------------------------------------------


def _item_order(ctx: Ctx) -> list[AgendaItemInfo]:
    agenda = list(ctx.src.snap.agenda)
    if not ctx.held:
        return agenda
    far = datetime.max.replace(tzinfo=ctx.times.tz)
    # chronological: items in the order they were taken, the rest after in agenda order
    return sorted(agenda, key=lambda i: (i.actual_start or far, i.position))


def _speech_line(ctx: Ctx, n: int, s: SpeakerInfo) -> Paragraph:
    L, T = ctx.labels, ctx.times
    bits = [f"{n}. <b>{markup(s.person_name)}</b>"]
    if s.person_posts:
        bits[0] += ", " + markup(", ".join(s.person_posts))
    if s.endpoint_name:
        bits.append(markup(L("speech_at", endpoint=s.endpoint_name)))
    if ctx.held and s.actual_start is not None:
        if s.actual_end is not None:
            spoken = (s.actual_end - s.actual_start).total_seconds() - s.paused_seconds
            bits.append(markup(L("speech_time", start=T.short(s.actual_start),
                                 end=T.short(s.actual_end), minutes=T.duration(spoken))))
        else:
            bits.append(markup(L("speech_time_open", start=T.short(s.actual_start))))
    text = ", ".join(bits)
    if ctx.held and s.summary:
        text += ": " + markup(s.summary)
    elif s.topic:
        text += ". " + markup(L("speech_topic", topic=s.topic))
    return Paragraph(text, ctx.styles.hanging)


def _time_parts(ctx: Ctx, it: AgendaItemInfo) -> list[str]:
    """'dự kiến 8 giờ 15 (20 phút)', 'thực tế 8 giờ 14 – 8 giờ 36 (22 phút)'."""
    L, T = ctx.labels, ctx.times
    slot = ctx.src.planned.get(it.id)
    planned = not it.unplanned and slot is not None
    parts = []
    if not ctx.held:
        if planned and slot.start is not None and slot.end is not None:
            parts.append(L("part_programme", start=T.clock(slot.start), end=T.clock(slot.end),
                           minutes=T.minutes(it.planned_minutes)))
        return parts
    if planned and slot.start is not None:
        parts.append(L("part_planned", start=T.clock(slot.start),
                       minutes=T.minutes(it.planned_minutes)))
    elif planned and it.planned_minutes:
        parts.append(L("part_planned_nostart", minutes=T.minutes(it.planned_minutes)))
    if it.status == "skipped":
        parts.append(L("part_skipped"))
    elif it.actual_start is not None and it.actual_end is not None:
        parts.append(L("part_actual", start=T.clock(it.actual_start), end=T.clock(it.actual_end),
                       minutes=T.duration((it.actual_end - it.actual_start).total_seconds())))
    elif it.actual_start is not None:
        parts.append(L("part_actual_open", start=T.clock(it.actual_start)))
    return parts


def _item_block(ctx: Ctx, number: int, it: AgendaItemInfo) -> list[Flowable]:
    L, src = ctx.labels, ctx.src
    title = f"{it.number or number}. {it.title}"
    if it.unplanned:
        title += " " + L("item_unplanned")
    out: list[Flowable] = [Paragraph(markup(title), ctx.styles.subheading)]
    parts = _time_parts(ctx, it)
    if parts:
        out.append(ctx.field(L("item_time", parts="; ".join(parts))))
    presenter = ctx.who(ctx.person(it.presenter_id), it.presenter_name)
    if presenter:
        out.append(ctx.field(L("item_presenter" if ctx.held else "item_presenter_planned",
                               who=presenter)))
    if it.notes:
        out.extend(ctx.paragraphs(it.notes))
    speeches = [s for s in src.snap.speakers if s.agenda_item_id == it.id]
    if ctx.held:
        speeches = [s for s in speeches if s.actual_start is not None]
        label = L("speeches")
    else:
        speeches = [s for s in speeches if s.status in ("queued", "held")]
        label = L("speakers_registered")
    if speeches:
        out.append(Paragraph(markup(label), ctx.styles.label))
        out.extend(_speech_line(ctx, n, s) for n, s in enumerate(speeches, start=1))
    return out


def proceedings(ctx: Ctx) -> list[Flowable]:
    items = _item_order(ctx)
    if not items:
        return []
    heading: list[Flowable] = [ctx.heading("sec_proceedings" if ctx.held else "sec_programme")]
    out: list[Flowable] = []
    for n, it in enumerate(items, start=1):
        block = _item_block(ctx, n, it)
        # keep an item's title with its first lines (and the section's heading with the first)
        out.append(KeepTogether([*heading, *block[:3]]))
        out.extend(block[3:])
        heading = []
    return out


# --- V. commendation -------------------------------------------------------------------


def _recipient(ctx: Ctx, g: GrantInfo) -> str:
    L = ctx.labels
    lines = []
    name = g.recipient_name
    if g.recipient_post:
        name += ", " + g.recipient_post
    if g.posthumous:
        name = f"{L('posthumous')}: {name}"
    lines.append(name)
    if g.posthumous and g.received_by:
        lines.append(f"({L('received_by', who=g.received_by)})")
    if g.endpoint_name:
        lines.append(f"({L('speech_at', endpoint=g.endpoint_name)})")
    return "\n".join(lines)


def _award(ctx: Ctx, g: GrantInfo) -> str:
    text = g.award_name
    if g.decision_number:
        decision = g.decision_number
        if g.decision_date:
            decision += ", " + ctx.times.day(g.decision_date)
        text += f"\n({decision})"
    return text


def grants_table(ctx: Ctx) -> list[Flowable]:
    L, T = ctx.labels, ctx.times
    grants = ctx.src.snap.grants
    if not grants:
        return []
    head = [L("col_no"), L("col_award"), L("col_authority"), L("col_recipient"),
            L("col_presenter")]
    shares = [0.7, 2.4, 1.4, 3.4, 1.7]
    aligns = ["CENTER", "LEFT", "LEFT", "LEFT", "LEFT"]
    if ctx.held:
        head.append(L("col_presented"))
        shares.append(0.9)
        aligns.append("CENTER")
    rows = []
    for i, g in enumerate(grants, start=1):
        row = [str(i), _award(ctx, g), g.authority, _recipient(ctx, g), g.presenter_name]
        if ctx.held:
            row.append(T.short(g.presented_at) if g.presented_at else L("not_presented"))
        rows.append(row)
    return [table(ctx, head, rows, shares, aligns)]


def awards(ctx: Ctx) -> list[Flowable]:
    grants = ctx.src.snap.grants
    if not grants:
        return []
    L = ctx.labels
    if ctx.held:
        presented = sum(1 for g in grants if g.presented_at is not None)
        intro = L("awards_intro", n=L.num(presented))
        key = "sec_awards"
    else:
        intro = L("awards_intro_planned", n=L.num(len(grants)))
        key = "sec_awards_planned"
    return [ctx.heading(key), Paragraph(markup(intro), ctx.styles.body), *grants_table(ctx)]


# --- VI. conclusion and closing --------------------------------------------------------


def conclusion(ctx: Ctx) -> list[Flowable]:
    mt = ctx.src.meeting
    out: list[Flowable] = []
    if ctx.held and mt.closing_remarks:
        out.append(ctx.heading("sec_conclusion"))
        out.extend(ctx.paragraphs(mt.closing_remarks))
    if ctx.held and mt.actual_end is not None:
        T = ctx.times
        out.append(Spacer(1, 4))
        out.append(Paragraph(markup(ctx.labels("closing", time=T.clock(mt.actual_end),
                                                date=T.day_of(mt.actual_end))), ctx.styles.body))
    return out


# --- VII. signatures -------------------------------------------------------------------


def signatures(ctx: Ctx) -> list[Flowable]:
    if not ctx.held:
        return []
    L, S = ctx.labels, ctx.styles
    recorder = ctx.src.snap.recorder
    chairs = ctx.src.snap.chairs
    left_role = L("sign_recorder_party" if ctx.party else "sign_recorder_state")
    right_role = L("sign_chair_party" if ctx.party else "sign_chair_state")

    def block(role: str, name: str) -> list[Flowable]:
        return [Paragraph(markup(role), S.sign_role), Paragraph(markup(L("sign_hint")), S.sign_hint),
                Spacer(1, 60), Paragraph(markup(name), S.sign_name)]

    half = ctx.width / 2
    t = Table([[block(left_role, recorder.full_name if recorder else ""),
                block(right_role, chairs[0].full_name if chairs else "")]],
              colWidths=[half, half], hAlign="LEFT")
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("FONT", (0, 0), (-1, -1), SERIF),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [Spacer(1, 18), KeepTogether([t])]


# --- "Nơi nhận": who receives a copy ----------------------------------------------------


def distribution(ctx: Ctx) -> list[Flowable]:
    """The distribution list under the signatures (Nghị định 30/2020: "Nơi nhận:" 12 pt bold
    italic, the list 11 pt, items closed by ";" and the last by "."; a Party document:
    "Nơi nhận:" underlined, items closed by ","). The filing copy ("Lưu: …") closes it unless
    the list names it. Only the minutes carry it: the programme is not a signed document."""
    if not ctx.held:
        return []
    L, S = ctx.labels, ctx.styles
    lines = list(ctx.src.distribution)
    filing = L("distribution_file")
    if not any(x.casefold().startswith(filing.split(":")[0].split()[0].casefold())
               for x in lines):
        lines.append(filing)
    sep = "," if ctx.party else ";"
    head = markup(L("distribution"))
    out: list[Flowable] = [
        Paragraph(f"<u>{head}</u>" if ctx.party else head,
                  S.distribution_party if ctx.party else S.distribution_state)]
    for i, line in enumerate(lines, start=1):
        end = "." if i == len(lines) else sep
        out.append(Paragraph("- " + markup(line) + end,
                             S.distribution_line_party if ctx.party else S.distribution_line))
    return [KeepTogether(out)]
