"""The annex of the minutes: the planned-vs-actual chart and the outage ledger."""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Paragraph, Spacer

from meeting_console.record import styles as st
from meeting_console.record.chart import ChartRow, timeline
from meeting_console.record.context import Ctx
from meeting_console.record.flowables import columns, markup
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


def _clip(text: str, width: float, size: float, cache: dict[str, str]) -> str:
    """One line of ``text`` that fits ``width`` (with an ellipsis when cut)."""
    hit = cache.get(text)
    if hit is not None:
        return hit
    out = text
    if pdfmetrics.stringWidth(out, SERIF, size) > width:
        while out and pdfmetrics.stringWidth(out + "…", SERIF, size) > width:
            out = out[: max(len(out) - max(len(out) // 8, 1), 0)]
        out = out.rstrip() + "…"
    cache[text] = out
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
    intro = L("ledger_intro", n=len(outages), m=len(src.outages), minutes=T.duration(total))
    head = [L("col_no"), L("col_endpoint"), L("col_severity"), L("col_from"), L("col_to"),
            L("col_duration"), L("col_item"), L("col_speaker")]
    shares = [0.7, 2.3, 1.35, 0.75, 0.85, 0.95, 2.25, 1.75]
    widths = columns(ctx.width, shares)
    size = st.BIG_TABLE_SIZE
    item_room = widths[6] - 6
    clipped: dict[str, str] = {}
    lost, unstable, none = L("sev_lost"), L("sev_unstable"), L("none")
    ended = {"left": L("left"), "not_connected": L("left")}
    rows = []
    for i, o in enumerate(outages, start=1):
        if o.end is None:
            to = L("not_restored")
        else:
            to = T.short(o.end)
            if o.ended_by in ended:
                to += f"\n({ended[o.ended_by]})"
        secs = o.seconds(until)
        item = items.get(o.item_id or -1)
        rows.append([
            str(i), names.get(o.meeting_endpoint_id, ""),
            lost if o.severity == "lost" else unstable,
            T.short(o.start), to,
            T.duration(secs) if secs is not None else none,
            _clip(item, item_room, size, clipped) if item else none,
            speakers.get(o.speech_id or -1, none),
        ])
    aligns = ["CENTER", "LEFT", "LEFT", "CENTER", "CENTER", "CENTER", "LEFT", "LEFT"]
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
