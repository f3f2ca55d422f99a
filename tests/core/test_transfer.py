"""Moving a meeting from a local SQLite file to the shared PostgreSQL database and back, with
its journal: the meeting reads the same, the journal is the same, and undo still works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from meeting_console.core import agenda, endpoints, reads, speakers
from meeting_console.core.api import Core
from meeting_console.core.transfer import copy_meeting
from tests.factories import small_meeting


def picture(core: Core, mid: int) -> dict[str, Any]:
    """The meeting as a user sees it, without ids."""
    snap = reads.snapshot(core, mid)
    people = {p.id: p.full_name for p in snap.people}
    return {
        "title": snap.meeting.title,
        "items": [(i.title, i.status, i.actual_start, i.actual_end, people.get(i.presenter_id))
                  for i in snap.agenda],
        "endpoints": [(e.name, e.status, e.present_delegates, e.note,
                       [(s.status, s.at) for s in reads.status_events(core, e.id)])
                      for e in reads.endpoints(core, mid)],
        "requests": [(people[r.person_id], r.status, r.position) for r in snap.speakers],
        "grants": len(snap.grants),
        "journal": [(j.seat, j.label, j.kind, j.undone) for j in reads.journal(core, mid)],
    }


def lived_meeting(core: Core) -> int:
    b = small_meeting(core)
    extra = agenda.add_item(core, b.meeting_id, "Mục tạm").result
    agenda.remove_item(core, extra)  # a row only the journal remembers
    agenda.next_item(core, b.meeting_id)
    core.clock.advance(600)
    endpoints.set_status(core, b.endpoints["Chiêm Hóa"], "lost")
    endpoints.set_present(core, b.endpoints["Tỉnh ủy"], 78)
    agenda.next_item(core, b.meeting_id)
    speakers.call_next(core, b.items[1])
    endpoints.set_note(core, b.endpoints["Chiêm Hóa"], "tiếng nhỏ")
    core.undo(b.meeting_id)  # the note again gone
    return b.meeting_id


def test_sqlite_to_postgresql_and_back(tmp_path: Path, clock, pg_server) -> None:
    local = Core.open(str(tmp_path / "local.db"), clock=clock, seat="thư ký")
    name = pg_server.new_database(template="mc_template")
    shared = Core.open(pg_server.url(name), clock=clock, seat="thư ký")
    back = Core.open(str(tmp_path / "back.db"), clock=clock, seat="thư ký")
    try:
        mid = lived_meeting(local)
        small_meeting(shared)  # the shared database holds another meeting (same endpoints)
        hw = shared.high_water()
        new = copy_meeting(local, shared, mid)
        before = picture(local, mid)
        after = picture(shared, new)
        assert after["journal"][-1][1].startswith("Copied from ")
        assert {**after, "journal": after["journal"][:-1]} == before
        _top, changes = shared.changes_since(hw)  # other consoles hear of it
        assert changes and changes[-1].meeting_id == new

        # the journal works where it landed: redo the note, undo it, undo the call
        shared.redo(new)
        assert next(e for e in reads.endpoints(shared, new) if e.name == "Chiêm Hóa").note == "tiếng nhỏ"
        shared.undo(new)
        assert shared.undo_status(new).undo_label == "Call next speaker: Giang Tuấn Anh"
        shared.undo(new)
        assert not [r for r in reads.snapshot(shared, new).speakers if r.status == "speaking"]
        shared.redo(new)
        # and new ids go on after the copied ones
        agenda.add_item(shared, new, "Thêm")

        home = copy_meeting(shared, back, new)
        landed = picture(back, home)
        assert landed["journal"][0][1] == "Directory rows of a copied meeting"
        assert {**landed, "journal": landed["journal"][1:-1]} == picture(shared, new)
        from meeting_console.cli import main

        assert main(["--db", pg_server.url(name), "verify"]) == 0
        assert main(["--db", str(tmp_path / "back.db"), "verify"]) == 0
        # the other meeting in the shared database is untouched
        assert len(reads.list_meetings(shared)) == 2
    finally:
        for c in (local, shared, back):
            c.close()
        pg_server.drop_database(name)


def test_copy_on_the_command_line(tmp_path: Path, clock, capsys) -> None:
    from meeting_console.cli import main

    src = Core.open(str(tmp_path / "a.db"), clock=clock, seat="thư ký")
    try:
        mid = lived_meeting(src)
        want = picture(src, mid)
    finally:
        src.close()
    assert main(["--db", str(tmp_path / "a.db"), "copy", str(mid), "--to", str(tmp_path / "b.db")]) == 0
    new = int(capsys.readouterr().out)
    dst = Core.open(str(tmp_path / "b.db"), clock=clock)
    try:
        got = picture(dst, new)
        assert got["journal"][0][1] == "Directory rows of a copied meeting"  # the award type
        assert {**got, "journal": got["journal"][1:-1]} == want
    finally:
        dst.close()
    # the copy is sound: the journal replayed from an empty database gives its tables
    assert main(["--db", str(tmp_path / "b.db"), "verify"]) == 0
    assert main(["--db", str(tmp_path / "a.db"), "copy", "99", "--to", str(tmp_path / "b.db")]) == 2


def test_a_second_copy_is_refused(tmp_path: Path, clock) -> None:
    from meeting_console.core.transfer import AlreadyThere

    local = Core.open(str(tmp_path / "local.db"), clock=clock, seat="thư ký")
    other = Core.open(str(tmp_path / "other.db"), clock=clock, seat="thư ký")
    steps: list[int] = []
    try:
        mid = lived_meeting(local)
        new = copy_meeting(local, other, mid, progress=lambda d, _t, _w: steps.append(d))
        assert steps[0] == 0 and steps[-1] == 100 and steps == sorted(steps)
        hw = other.high_water()
        try:
            copy_meeting(local, other, mid)
        except AlreadyThere as exc:
            assert exc.meeting_id == new
            assert str(exc).startswith(f"{tmp_path / 'other.db'} has this meeting already (meeting {new} there: ")
        else:
            raise AssertionError("copied twice")
        assert other.high_water() == hw
        # and back: the source has it (it is the same meeting)
        try:
            copy_meeting(other, local, new)
        except AlreadyThere as exc:
            assert exc.meeting_id == mid
        else:
            raise AssertionError("copied back over itself")
    finally:
        local.close()
        other.close()
