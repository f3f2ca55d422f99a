"""The annex of the minutes: the planned-vs-actual chart and the outage ledger."""

from __future__ import annotations

from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Paragraph, Spacer

from meeting_console.record import styles as st
from meeting_console.record.chart import ChartRow, timeline
from meeting_console.record.context import Ctx
from meeting_console.record.flowables import Measure, columns, markup
from meeting_console.record.fonts import SERIF
from meeting_console.record.sections import table


def chart_part(ctx: Ctx) -> list[Flowable]:
    src = ctx.src
    rows = []
    for n, it in enumerate(src.snap.agenda, start=1):
        slot = src.planned.get(it.id)
        rows.append(ChartRow(
            label=f"{it.number or n}. {it.title}",
            planned_start=None if it.unplanned or slot is None else slot.start,
            planned_end=None if it.unplanned or slot is None else slot.end,
            actual_start=it.actual_start,
            actual_end=it.actual_end,
        ))
    if not any(r.actual_start for r in rows):
        return []
    legend = (ctx.labels("legend_planned"), ctx.labels("legend_actual"))
    drawings = timeline(rows, ctx.width, ctx.times, legend)
    return [*drawings]


def _clip(text: str, measure: Measure, room: float, cache: dict[str, str]) -> str:
    """``text`` in at most two lines of ``room`` points (the second cut with an ellipsis)."""
    hit = cache.get(text)
    if hit is not None:
        return hit
    lines = measure.lines(text, room)
    if len(lines) > 2:
        second = " ".join(lines[1:])
        while second and measure.width(second + "…") > room:
            second = second[:-1]
        lines = [lines[0], second.rstrip() + "…"]
    out = cache[text] = "\n".join(lines)
    return out


def ledger_part(ctx: Ctx) -> list[Flowable]:
    L, T, src = ctx.labels, ctx.times, ctx.src
    if not src.spans:
        return []  # no endpoint has a status history: nothing was monitored
    outages = src.all_outages
    if not outages:
        return [Paragraph(markup(L("ledger_empty")), ctx.styles.body)]
    names = {e.id: e.name for e in src.snap.endpoints}
    items = {i.id: f"{i.number or n}. {i.title}" for n, i in enumerate(src.snap.agenda, start=1)}
    speakers = {s.id: s.person_name for s in src.snap.speakers}
    until = src.meeting.actual_end
    total = sum(o.seconds(until) or 0 for o in outages)
    intro = L("ledger_intro", n=L.num(len(outages)), m=L.num(len(src.outages)),
              minutes=T.duration(total))
    head = [L("col_no"), L("col_endpoint"), L("col_severity"), L("col_span"),
            L("col_duration"), L("col_item"), L("col_speaker")]
    shares = [0.6, 2.8, 1.5, 1.35, 1.0, 1.85, 1.4]
    widths = columns(ctx.width, shares)
    size = st.BIG_TABLE_SIZE
    item_room = widths[5] - 4
    measure = Measure.of(SERIF, size)
    clipped: dict[str, str] = {}
    severity = {"lost": L("sev_lost"), "unstable": L("sev_unstable")}
    none = L("none")
    after = {"": L("not_restored"), "left": L("left"), "not_connected": L("left")}
    rows = []
    for i, o in enumerate(outages, start=1):
        sev = severity[o.severity]
        if o.ended_by in after:
            sev = f"{sev}, {after[o.ended_by]}"
        secs = o.seconds(until)
        item = items.get(o.item_id or -1)
        rows.append([
            str(i), names.get(o.meeting_endpoint_id, ""), sev,
            T.span(o.start, o.end) if o.end is not None else f"{T.short(o.start)}–",
            T.duration(secs) if secs is not None else none,
            _clip(item, measure, item_room, clipped) if item else none,
            speakers.get(o.speech_id or -1, none),
        ])
    aligns = ["CENTER", "LEFT", "LEFT", "CENTER", "CENTER", "LEFT", "LEFT"]
    return [Paragraph(markup(intro), ctx.styles.body), CondPageBreak(60),
            table(ctx, head, rows, shares, aligns, size=size)]


def annex(ctx: Ctx) -> list[Flowable]:
    """PHỤ LỤC on a new page; left out when there is neither a chart nor a ledger."""
    chart = chart_part(ctx)
    ledger = ledger_part(ctx)
    if not chart and not ledger:
        return []
    L, S = ctx.labels, ctx.styles
    out: list[Flowable] = [
        PageBreak(),
        Paragraph(markup(L("title_annex")), S.title),
        Paragraph(markup(L("annex_of", meeting=ctx.meeting_name())), S.note),
        Spacer(1, 8),
    ]
    n = 0
    for key, part in (("annex_chart", chart), ("annex_ledger", ledger)):
        if part:
            n += 1
            out.append(Paragraph(f"{n}. {markup(L(key))}", S.subheading))
            out.extend(part)
            out.append(Spacer(1, 8))
    return out


def provenance(ctx: Ctx) -> list[Flowable]:
    return [Paragraph(markup(ctx.labels("provenance", journal=ctx.src.journal_high_water)),
                      ctx.styles.provenance)]
