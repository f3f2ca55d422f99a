"""Writing safely: a clear one-line error and no partial file under the target name, whatever
goes wrong; long tables paginate with their header on every page; long names wrap."""

from __future__ import annotations

import errno
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from reportlab.platypus import Flowable

from meeting_console.core import endpoints, meetings
from meeting_console.core.api import Core, Tx, operation
from meeting_console.errors import UserError
from meeting_console.record import build, build_attendance_report, build_record, output
from meeting_console.store import models as m
from tests.record.conftest import pdf_pages, pdf_text

OLD = b"%PDF-1.4 the record printed yesterday\n"


@pytest.fixture
def meeting(core: Core) -> int:
    mid = meetings.create_meeting(core, "Hội nghị giao ban", date(2022, 1, 14),
                                  city="Tuyên Quang", issuing_body="Tỉnh ủy").result
    endpoints.create_in_meeting(core, mid, "Tỉnh ủy", kind="main_hall", expected_delegates=10)
    return mid


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def one_line(err: BaseException) -> str:
    msg = str(err)
    assert msg and "\n" not in msg and "Traceback" not in msg
    return msg


def test_missing_folder(core: Core, meeting: int, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "r.pdf"
    with pytest.raises(UserError) as err:
        build_record(core, meeting, target)
    assert "does not exist" in one_line(err.value)
    assert str(target.parent) in str(err.value)
    assert not target.parent.exists()


def test_target_is_a_folder(core: Core, meeting: int, tmp_path: Path) -> None:
    (tmp_path / "r.pdf").mkdir()
    with pytest.raises(UserError) as err:
        build_record(core, meeting, tmp_path / "r.pdf")
    assert "is a folder" in one_line(err.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway; "
                    "test_read_only_folder_simulated covers it")
def test_read_only_folder(core: Core, meeting: int, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "r.pdf"
    target.write_bytes(OLD)
    folder.chmod(0o555)
    try:
        with pytest.raises(UserError) as err:
            build_record(core, meeting, target)
        assert "not writable" in one_line(err.value)
        assert target.read_bytes() == OLD
        assert leftovers(folder) == []
    finally:
        folder.chmod(0o755)


def test_read_only_folder_simulated(core: Core, meeting: int, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.pdf"
    target.write_bytes(OLD)

    def refuse(*a: Any, **kw: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(output.tempfile, "mkstemp", refuse)
    with pytest.raises(UserError) as err:
        build_record(core, meeting, target)
    assert one_line(err.value) == f"cannot write {target}: folder {tmp_path} is not writable"
    assert target.read_bytes() == OLD


def test_disk_full_while_writing(core: Core, meeting: int, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.pdf"
    target.write_bytes(OLD)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", full)
    with pytest.raises(UserError) as err:
        build_record(core, meeting, target)
    assert "the disk is full" in one_line(err.value)
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path) == []


class Boom(Flowable):
    """A flowable that fails while its page is drawn: a failure in the middle of the layout."""

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return aw, 10

    def draw(self) -> None:
        raise RuntimeError("layout failed")


def test_failure_during_layout_leaves_the_target_untouched(
        core: Core, meeting: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.pdf"
    target.write_bytes(OLD)
    real = build.record_story
    monkeypatch.setattr(build, "record_story", lambda ctx: [*real(ctx), Boom()])
    with pytest.raises(RuntimeError, match="layout failed"):
        build_record(core, meeting, target)
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path) == []
    # and no target at all when there was none
    fresh = tmp_path / "new.pdf"
    with pytest.raises(RuntimeError):
        build_record(core, meeting, fresh)
    assert not fresh.exists()
    assert leftovers(tmp_path) == []


def test_cancelling_from_progress(core: Core, meeting: int, tmp_path: Path) -> None:
    target = tmp_path / "r.pdf"

    class Cancelled(Exception):
        pass

    def progress(done: int, total: int, what: str) -> None:
        if what == "pages":
            raise Cancelled

    with pytest.raises(Cancelled):
        build_record(core, meeting, target, progress=progress)
    assert not target.exists()
    assert leftovers(tmp_path) == []


def test_replaces_an_existing_file_with_normal_permissions(core: Core, meeting: int,
                                                           tmp_path: Path) -> None:
    target = tmp_path / "r.pdf"
    target.write_bytes(OLD)
    build_record(core, meeting, target)
    assert target.read_bytes().startswith(b"%PDF-1.")
    assert target.read_bytes() != OLD
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


@operation("Test: many endpoints")
def _many_endpoints(tx: Tx, meeting_id: int, names: list[str]) -> None:
    tx.meeting_id = meeting_id
    for i, name in enumerate(names, start=1):
        ep = m.Endpoint(name=name, kind="commune")
        tx.session.add(ep)
        tx.session.flush()
        tx.session.add(m.MeetingEndpoint(meeting_id=meeting_id, endpoint_id=ep.id, position=i + 1,
                                         expected_delegates=20, host=f"Chủ tịch UBND xã {i}"))


LONG = ("Điểm cầu Ủy ban nhân dân xã Thượng Lâm, huyện Lâm Bình, tỉnh Tuyên Quang, tại hội trường "
        "nhà văn hóa thôn Nà Thuôn, kết nối qua đường truyền dự phòng của Viễn thông Tuyên Quang")


def test_long_table_paginates_with_repeated_header_and_long_names_wrap(
        core: Core, meeting: int, tmp_path: Path) -> None:
    names = [f"Xã số {i:04d} huyện Yên Sơn" for i in range(1, 1201)]
    names[600] = LONG
    _many_endpoints(core, meeting, names)
    pages = pdf_pages(build_attendance_report(core, meeting, tmp_path / "a.pdf"))
    table_pages = [p for p in pages if "Xã số" in p]
    assert len(table_pages) >= 20
    for page in table_pages:  # the header row on every page of the table
        assert "STT Điểm cầu Chủ trì tại điểm cầu Đại biểu dự kiến" in " ".join(page.split())
    text = pdf_text(tmp_path / "a.pdf")
    at = [text.index(f"{n} {name} ") for n, name in enumerate(names[:5], start=2)]
    assert at == sorted(at)
    assert all(name in text for name in names)  # the long one too, whole
    assert "Tổng cộng: 1.201 điểm cầu 24.010" in text  # thousands with a dot
    # the long name is wrapped over lines inside its cell, not cut or overflowing
    long_page = next(p for p in pages if "Thượng Lâm" in p)
    lines = [ln for ln in long_page.splitlines() if any(w in ln for w in ("Thượng", "Nà Thuôn"))]
    assert len(lines) >= 1
    assert LONG not in long_page  # not on one line


def test_collector_paused_during_a_build_and_restored_after(
        core: Core, meeting: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    seen: list[bool] = []
    real = build.record_story
    monkeypatch.setattr(build, "record_story", lambda ctx: (seen.append(gc.isenabled()), real(ctx))[1])
    assert gc.isenabled()
    build_record(core, meeting, tmp_path / "r.pdf")
    assert seen == [False]
    assert gc.isenabled()
    # restored after a failure too, and nested builds (two threads) restore it once, last
    monkeypatch.setattr(build, "record_story", lambda ctx: [*real(ctx), Boom()])
    with pytest.raises(RuntimeError):
        build_record(core, meeting, tmp_path / "r.pdf")
    assert gc.isenabled()
    with output.paused_collection():
        with output.paused_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    # a caller that had disabled it keeps it disabled
    gc.disable()
    try:
        with output.paused_collection():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
