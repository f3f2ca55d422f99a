"""Laying out a story on A4 pages and writing it safely.

The PDF is written to a temporary file in the target's folder and renamed over the target only
once complete, so a failure (read-only folder, full disk, an error while laying out) never
leaves a partial file under the target name. Page numbers are centred in the top margin from
page 2 on.
"""

from __future__ import annotations

import errno
import gc
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from meeting_console import __version__
from meeting_console.core.text import nfc
from meeting_console.errors import UserError
from meeting_console.i18n import _
from meeting_console.record import fonts
from meeting_console.record import styles as st
from meeting_console.record.flowables import Encoder, Measure

Progress = Callable[[int, int, str], None]
"""``progress(done, total, what)``; raising from it cancels the build (no file is written)."""


class _Doc(BaseDocTemplate):
    """A4 with the margins of the regulations (the frame has no padding of its own), no
    number on page 1, the number centred in the top margin from page 2 on."""

    def __init__(self, target: Any, *, expected_pages: int, progress: Progress | None,
                 stage: str, **kw: Any) -> None:
        super().__init__(target, pagesize=st.PAGE, leftMargin=st.LEFT, rightMargin=st.RIGHT,
                         topMargin=st.TOP, bottomMargin=st.BOTTOM,
                         # the canvas's own default font (Helvetica) would be listed unembedded
                         initialFontName=fonts.SERIF, **kw)
        frame = Frame(st.LEFT, st.BOTTOM, st.FRAME_WIDTH, st.FRAME_HEIGHT, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate("first", [frame], onPage=_no_number, autoNextPageTemplate="later"),
            PageTemplate("later", [frame], onPage=_page_number),
        ])
        self._expected = max(expected_pages, 1)
        self._progress = progress
        self._stage = stage

    def afterPage(self) -> None:  # noqa: N802 (reportlab's name)
        if self._progress is not None:
            page = self.page
            total = max(self._expected, page + 1)
            self._progress(page, total, self._stage)


def _page_number(canvas: Any, doc: Any) -> None:
    # written as the tables write their text (drawCentredString's own text object costs
    # more than the rest of a page's furniture, 3,000 times over)
    size = st.PAGE_NUMBER_SIZE
    text = str(doc.page)
    x = st.PAGE[0] / 2 - Measure.of(fonts.SERIF, size).width(text) / 2
    y = st.PAGE[1] - st.TOP / 2 - size / 3
    canvas._code.append(f"BT {x:.2f} {y:.2f} Td {Encoder.of(canvas, fonts.SERIF).ops(size, text)} ET")


def _no_number(canvas: Any, doc: Any) -> None:
    pass


_a85_lock = threading.Lock()


@contextmanager
def _plain_streams() -> Iterator[None]:
    """Page streams deflated only, not also ASCII85-encoded (reportlab's default, a global
    setting): a quarter smaller, and the encoder is pure Python, seconds on 1,000 pages."""
    with _a85_lock:
        saved = rl_config.useA85
        rl_config.useA85 = 0
        try:
            yield
        finally:
            rl_config.useA85 = saved


_gc_lock = threading.Lock()
_gc_pausing = 0  # builds under way that paused the collector
_gc_was_enabled = False


@contextmanager
def paused_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while a document is read and laid out.

    A national record holds millions of live objects (rows, cells, page streams) and makes
    next to no cyclic garbage (a few thousand objects over a whole build); the collector's
    passes over the growing heap cost about a quarter of the build's time, for nothing.
    Process-wide, so builds on several threads count themselves in and the last one out
    restores the collector; memory freed by reference counting is unaffected."""
    global _gc_pausing, _gc_was_enabled
    with _gc_lock:
        if _gc_pausing == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausing += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausing -= 1
            if _gc_pausing == 0 and _gc_was_enabled:
                gc.enable()


def _check_target(target: Path) -> None:
    folder = target.parent
    if not folder.exists():
        raise UserError(_("cannot write {target}: folder {folder} does not exist").format(target=target, folder=folder))
    if not folder.is_dir():
        raise UserError(_("cannot write {target}: {folder} is not a folder").format(target=target, folder=folder))
    if target.is_dir():
        raise UserError(_("cannot write {target}: it is a folder").format(target=target))


def _os_message(target: Path, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"cannot write {target}: the disk is full; nothing was written"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {target}: folder {target.parent} is not writable"
    return f"cannot write {target}: {exc.strerror or exc}"


def write_pdf(
    path: str | os.PathLike[str],
    story: Callable[[], Sequence[Flowable]],
    *,
    title: str,
    subject: str,
    author: str,
    lang: str = "vi",
    expected_pages: int = 1,
    progress: Progress | None = None,
) -> Path:
    """Lay out ``story()`` and write it to ``path`` atomically; returns the absolute path.

    Errors a user can act on (missing or read-only folder, full disk) are ``UserError`` with
    a one-line message; any other error propagates after the temporary file is removed."""
    fonts.register()
    target = Path(path).expanduser().absolute()
    _check_target(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                        dir=target.parent)
    except OSError as exc:
        raise UserError(_os_message(target, exc)) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            doc = _Doc(
                fh, expected_pages=expected_pages, progress=progress, stage="pages",
                title=nfc(title), subject=nfc(subject), author=nfc(author),
                creator=f"Meeting Console {__version__}", lang=lang,
            )
            with _plain_streams():
                doc.build(list(story()))
            fh.flush()
            os.fsync(fh.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(_os_message(target, exc)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
