"""The three documents: the session record, the attendance report, the awards list."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from reportlab.platypus import Flowable

from meeting_console.core.api import Core
from meeting_console.record import annex as ax
from meeting_console.record import fonts, source
from meeting_console.record import sections as sc
from meeting_console.record.context import Ctx
from meeting_console.record.output import Progress, paused_collection, write_pdf

ROWS_PER_PAGE = 38  # for the page estimate behind the progress figures


def _estimate(ctx: Ctx, *, people: bool = True, endpoints: bool = True, speeches: bool = True,
              grants: bool = True, ledger: bool = True) -> int:
    snap = ctx.src.snap
    rows = 0
    rows += len(snap.people) if people else 0
    rows += len(snap.endpoints) if endpoints else 0
    rows += 3 * len(snap.speakers) + 4 * len(snap.agenda) if speeches else 0
    rows += 2 * len(snap.grants) if grants else 0
    rows += sum(len(v) for v in ctx.src.outages.values()) if ledger else 0
    return 2 + rows // ROWS_PER_PAGE


def record_story(ctx: Ctx) -> list[Flowable]:
    """The minutes of a held meeting, or the planned programme of one not yet held."""
    if ctx.held:
        story = sc.top(ctx, "title_minutes")
    else:
        story = sc.top(ctx, "title_programme", number=False, note_key="programme_note")
    for part in (sc.general, sc.chairs, sc.attendance, sc.proceedings, sc.awards,
                 sc.conclusion, sc.signatures, sc.distribution):
        story.extend(part(ctx))
    if ctx.held:
        story.extend(ax.annex(ctx))
    story.extend(ax.provenance(ctx))
    return story


def attendance_story(ctx: Ctx) -> list[Flowable]:
    story = sc.top(ctx, "title_attendance", number=False)
    for part in (sc.general, sc.attendance):
        story.extend(part(ctx))
    if ctx.held:
        ledger = ax.ledger_part(ctx)
        if ledger:
            story.append(ctx.heading("annex_ledger"))
            story.extend(ledger)
    story.extend(ax.provenance(ctx))
    return story


def awards_story(ctx: Ctx) -> list[Flowable]:
    story = sc.top(ctx, "title_awards", number=False)
    story.extend(sc.grants_table(ctx))
    story.extend(ax.provenance(ctx))
    return story


def _write(ctx: Ctx, path: str | os.PathLike[str], story: list[Flowable], title_key: str,
           pages: int, progress: Progress | None) -> Path:
    mt = ctx.src.meeting
    out = write_pdf(
        path, lambda: story, title=f"{ctx.labels(title_key)} – {ctx.meeting_name()}",
        subject=f"{ctx.meeting_name()}; journal {ctx.src.journal_high_water}",
        author=mt.issuing_body or mt.parent_body, lang=ctx.labels.language,
        expected_pages=pages, progress=progress,
    )
    if progress is not None:
        progress(1, 1, "done")
    return out


DOCUMENTS = ("record", "attendance", "awards")


def write_document(src: source.RecordSource, kind: str, path: str | os.PathLike[str], *,
                   progress: Progress | None = None,
                   distribution: Sequence[str] | None = None) -> Path:
    """Lay out one of the ``DOCUMENTS`` from a source read before (``source.load``) and write
    it to ``path``: the console reads on its database worker and lays out on a thread of
    its own, so a national record does not hold the database for its whole layout."""
    fonts.register()
    if distribution is not None:
        src.distribution = source.distribution_lines("\n".join(distribution))
    if kind not in DOCUMENTS:
        raise ValueError(f"unknown document {kind!r}")
    with paused_collection():
        return _lay_out(src, kind, path, progress)


def _lay_out(src: source.RecordSource, kind: str, path: str | os.PathLike[str],
             progress: Progress | None) -> Path:
    ctx = Ctx.of(src)
    if kind == "record":
        key = "title_minutes" if ctx.held else "title_programme"
        return _write(ctx, path, record_story(ctx), key, _estimate(ctx), progress)
    if kind == "attendance":
        pages = _estimate(ctx, speeches=False, grants=False)
        return _write(ctx, path, attendance_story(ctx), "title_attendance", pages, progress)
    if kind == "awards":
        pages = _estimate(ctx, people=False, endpoints=False, speeches=False, ledger=False)
        return _write(ctx, path, awards_story(ctx), "title_awards", pages, progress)
    raise ValueError(f"unknown document {kind!r}")


def _read(core: Core, meeting_id: int, progress: Progress | None) -> source.RecordSource:
    fonts.register()
    if progress is not None:
        progress(0, 1, "reading")
    with paused_collection():
        return source.load(core, meeting_id)


def build_record(core: Core, meeting_id: int, path: str | os.PathLike[str], *,
                 progress: Progress | None = None,
                 distribution: Sequence[str] | None = None) -> Path:
    """Write the session record of a meeting to ``path`` (PDF): the minutes (biên bản) of a
    meeting held, the planned programme of one not yet held. Returns the file's path.

    Raises ``NotFound`` for an unknown meeting and ``UserError`` when the file cannot be
    written; no partial file is ever left under ``path``. ``progress(done, total, what)`` is
    called as pages are laid out; raising from it cancels. ``distribution``: who receives a
    copy ("Nơi nhận"), one recipient per item, instead of the meeting's own list."""
    return write_document(_read(core, meeting_id, progress), "record", path, progress=progress,
                          distribution=distribution)


def build_attendance_report(core: Core, meeting_id: int, path: str | os.PathLike[str], *,
                            progress: Progress | None = None) -> Path:
    """Write the attendance report (participants, bridge points, outages) to ``path``."""
    return write_document(_read(core, meeting_id, progress), "attendance", path,
                          progress=progress)


def build_awards_list(core: Core, meeting_id: int, path: str | os.PathLike[str], *,
                      progress: Progress | None = None) -> Path:
    """Write the list of awards, in ceremony order, to ``path``."""
    return write_document(_read(core, meeting_id, progress), "awards", path,
                          progress=progress)
