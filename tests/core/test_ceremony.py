"""The ceremony: order by precedence, groups, hand adjustments, the live run with undo."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from meeting_console.cli import demo_path
from meeting_console.core import awards, catalogue, ceremony, meeting_file, people, reads
from meeting_console.core.api import Core, Tx, operation
from meeting_console.core.clock import FakeClock
from meeting_console.errors import OperationRefused
from meeting_console.store import models as m
from tests.factories import small_meeting

PHU_NU = "Kỷ niệm chương “Vì sự phát triển phụ nữ Việt Nam”"
ARTICLE = [  # the seed article, 10h35: award, recipients, presenter
    ("Huân chương Hồ Chí Minh", ["Trần Hoài Quang"], "Lãnh đạo tỉnh"),
    ("Huân chương Lao động hạng Ba", ["Sở Văn hóa, Thể thao và Du lịch"], "Chẩu Văn Lâm"),
    ("Bằng khen của Thủ tướng Chính phủ", ["Âu Thị Mai"], "Nguyễn Văn Sơn"),
    (PHU_NU, ["Chẩu Văn Lâm", "Phùng Tiến Quân", "Nguyễn Hồng Trang"], "Nguyễn Văn Sơn"),
]


@operation("Set endpoint status (test)")
def set_endpoint_status(tx: Tx, meeting_endpoint_id: int, status: str) -> None:
    """Stands in for the endpoint panel's and the monitor's status changes."""
    me = tx.get(m.MeetingEndpoint, meeting_endpoint_id)
    tx.meeting_id = me.meeting_id
    me.status = status
    me.status_since = tx.now


def demo(core: Core) -> int:
    return int(meeting_file.import_meeting(core, demo_path()).result)


def shape(core: Core, mid: int) -> list[tuple[str, list[str]]]:
    return [(", ".join(g.award_names), list(g.recipients))
            for g in ceremony.ceremony(core, mid).groups]


def order_ids(core: Core, mid: int) -> list[list[int]]:
    return [list(g.grant_ids) for g in ceremony.ceremony(core, mid).groups]


def assert_well_formed(core: Core, mid: int) -> None:
    """Positions 1…n, each group contiguous and numbered by its place."""
    grants = reads.grants(core, mid)
    assert [g.ceremony_position for g in grants] == list(range(1, len(grants) + 1))
    numbers = [g.group_no for g in grants]
    seen: list[int] = []
    for n in numbers:
        if not seen or seen[-1] != n:
            assert n not in seen, f"group {n} split: {numbers}"
            seen.append(n)
    assert seen == list(range(1, len(seen) + 1))


# --- the demo meeting ----------------------------------------------------------------------


def test_demo_awards_come_out_in_the_articles_order(core: Core) -> None:
    mid = demo(core)
    cer = ceremony.ceremony(core, mid)
    got = [(g.award_names[0], list(g.recipients), g.presenter_names[0]) for g in cer.groups]
    assert got == ARTICLE
    assert cer.in_precedence_order
    # the Kỷ niệm chương: one group of three recipients, one presenter
    kn = cer.groups[3]
    assert (kn.index, len(kn.grants), len(kn.presenter_names)) == (4, 3, 1)
    # the posthumous order with its receiving relative
    hcm = cer.groups[0].grants[0]
    assert hcm.posthumous and hcm.received_by == "thân nhân đồng chí Trần Hoài Quang"
    assert hcm.authority == "Chủ tịch nước"
    assert cer.current is cer.groups[0]
    # ordering by precedence keeps the article's order: it is the legal precedence
    before = core.high_water()
    ch = ceremony.order_by_precedence(core, mid)
    assert ch.journal_id is None and core.high_water() == before
    assert_well_formed(core, mid)


def test_shuffled_demo_goes_back_to_precedence(core: Core) -> None:
    mid = demo(core)
    ids = order_ids(core, mid)
    ceremony.move_group(core, ids[3][0], -3)  # the Kỷ niệm chương first
    ceremony.move_group(core, ids[0][0], 3)  # the Hồ Chí Minh Order last
    assert [a for a, _ in shape(core, mid)] == [
        PHU_NU, "Huân chương Lao động hạng Ba", "Bằng khen của Thủ tướng Chính phủ",
        "Huân chương Hồ Chí Minh"]
    assert not ceremony.ceremony(core, mid).in_precedence_order
    ceremony.order_by_precedence(core, mid)
    assert order_ids(core, mid) == ids
    assert_well_formed(core, mid)
    core.undo(mid)
    assert shape(core, mid)[0][0] == PHU_NU


# --- ordering ------------------------------------------------------------------------------


@pytest.fixture
def meeting(core: Core):
    b = small_meeting(core)
    types = {t.name: t.id for t in catalogue.award_types(core)}
    return b, types


def add(core: Core, mid: int, type_id: int, person: int, **kw) -> int:
    return int(awards.add_grant(core, mid, type_id, recipient_person_id=person, **kw).result)


def test_new_award_goes_to_its_precedence_keeping_list_order(core: Core, meeting) -> None:
    b, types = meeting
    mid = b.meeting_id
    ld3 = b.grants[0]  # Huân chương Lao động hạng Ba, from the factory
    bk1 = add(core, mid, types["Bằng khen của Thủ tướng Chính phủ"], b.people["anh"])
    hcm = add(core, mid, types["Huân chương Hồ Chí Minh"], b.people["son"])
    bk2 = add(core, mid, types["Bằng khen của Thủ tướng Chính phủ"], b.people["thu"])
    gk = add(core, mid, types["Giấy khen"], b.people["lam"])
    assert order_ids(core, mid) == [[hcm], [ld3], [bk1], [bk2], [gk]]
    assert_well_formed(core, mid)
    # a hand-made order of the others is left alone
    ceremony.move_group(core, gk, -4)
    kn = add(core, mid, types[PHU_NU], b.people["anh"])
    assert order_ids(core, mid) == [[gk], [hcm], [ld3], [bk1], [bk2], [kn]]


def test_order_by_precedence_keeps_list_order_within_a_type(core: Core, meeting) -> None:
    b, types = meeting
    mid = b.meeting_id
    a1 = add(core, mid, types["Bằng khen của Thủ tướng Chính phủ"], b.people["anh"])
    a2 = add(core, mid, types["Bằng khen của Thủ tướng Chính phủ"], b.people["thu"])
    a3 = add(core, mid, types["Bằng khen của Thủ tướng Chính phủ"], b.people["son"])
    ceremony.move_group(core, a3, -3)  # by hand: a3, ld3, a1, a2
    ceremony.move_group(core, a2, -1)  # a3, ld3, a2, a1
    assert order_ids(core, mid) == [[a3], [b.grants[0]], [a2], [a1]]
    ceremony.order_by_precedence(core, mid)
    # the order "within a type" is the list as it stands
    assert order_ids(core, mid) == [[b.grants[0]], [a3], [a2], [a1]]


def test_groups_join_split_and_move_together(core: Core, meeting) -> None:
    b, types = meeting
    mid = b.meeting_id
    kn = types[PHU_NU]
    g1 = add(core, mid, kn, b.people["lam"], presenter_id=b.people["son"])
    g2 = add(core, mid, kn, b.people["anh"])
    g3 = add(core, mid, kn, b.people["thu"], group_no=3)  # g2's group
    assert order_ids(core, mid) == [[b.grants[0]], [g1], [g2, g3]]
    ceremony.join_previous_group(core, g2)
    cer = ceremony.ceremony(core, mid)
    assert order_ids(core, mid) == [[b.grants[0]], [g1, g2], [g3]]
    assert cer.groups[1].presenter_names == ("Nguyễn Văn Sơn",)  # took the group's presenter
    assert cer.groups[1].group_no == 2
    ceremony.join_previous_group(core, g3)
    assert order_ids(core, mid) == [[b.grants[0]], [g1, g2, g3]]
    ceremony.move_in_group(core, g3, -2)
    assert order_ids(core, mid) == [[b.grants[0]], [g3, g1, g2]]
    ceremony.move_group(core, g1, -1)
    assert order_ids(core, mid) == [[g3, g1, g2], [b.grants[0]]]
    with pytest.raises(OperationRefused, match="further"):
        ceremony.move_group(core, g2, -1)
    ceremony.split_from_group(core, g1)
    assert order_ids(core, mid) == [[g3, g2], [g1], [b.grants[0]]]
    assert_well_formed(core, mid)
    for _ in range(5):
        core.undo(mid)
    assert order_ids(core, mid) == [[b.grants[0]], [g1], [g2, g3]]
    with pytest.raises(OperationRefused, match="on its own"):
        ceremony.split_from_group(core, g1)
    with pytest.raises(OperationRefused, match="already presented together"):
        ceremony.join_previous_group(core, g3)


def test_one_presentation_has_one_presenter(core: Core, meeting) -> None:
    b, types = meeting
    mid = b.meeting_id
    g1 = add(core, mid, types[PHU_NU], b.people["anh"], presenter_id=b.people["son"])
    with pytest.raises(OperationRefused, match="presenter"):
        ceremony.join_previous_group(core, g1)  # the factory's grant: Chẩu Văn Lâm presents


def test_edit_group_number_joins_that_group(core: Core, meeting) -> None:
    b, types = meeting
    mid = b.meeting_id
    g1 = add(core, mid, types["Giấy khen"], b.people["anh"])
    g2 = add(core, mid, types[PHU_NU], b.people["thu"])
    assert order_ids(core, mid) == [[b.grants[0]], [g2], [g1]]
    awards.update_grant(core, g1, group_no=2)
    assert order_ids(core, mid) == [[b.grants[0]], [g2, g1]]
    awards.update_grant(core, g1, group_no=0)  # on its own again, where it stands
    assert order_ids(core, mid) == [[b.grants[0]], [g2], [g1]]
    awards.remove_grant(core, g2)
    assert order_ids(core, mid) == [[b.grants[0]], [g1]]
    assert_well_formed(core, mid)


# --- the live ceremony ---------------------------------------------------------------------


def test_present_records_the_time_and_undo_takes_it_back(core: Core, clock: FakeClock) -> None:
    mid = demo(core)
    clock.set(datetime(2022, 1, 14, 3, 35, tzinfo=UTC))  # 10:35 in Tuyên Quang
    ch = ceremony.present(core, mid)
    assert ch.label == "Presented 1: Huân chương Hồ Chí Minh"
    cer = ceremony.ceremony(core, mid)
    assert cer.groups[0].presented_at == clock.now()
    assert cer.current is not None and cer.current.index == 2
    assert core.undo_status(mid).undo_label == "Presented 1: Huân chương Hồ Chí Minh"
    for minutes in (3, 6, 9):
        clock.advance(minutes=3)
        ceremony.present(core, mid)
        assert ceremony.ceremony(core, mid).presented_count == 1 + minutes // 3
    cer = ceremony.ceremony(core, mid)
    assert cer.current is None
    kn = cer.groups[3]
    assert [g.presented_at for g in kn.grants] == [clock.now()] * 3  # one key, three recipients
    assert core.undo_status(mid).undo_label == f"Presented 4: {PHU_NU} (3)"
    with pytest.raises(OperationRefused, match="every award has been presented"):
        ceremony.present(core, mid)
    with pytest.raises(OperationRefused, match="presented at 10:44 already"):
        ceremony.present(core, mid, kn.grant_ids[1])
    core.undo(mid)
    cer = ceremony.ceremony(core, mid)
    assert cer.current is not None and cer.current.index == 4
    assert all(g.presented_at is None for g in cer.current.grants)
    core.redo(mid)
    assert ceremony.ceremony(core, mid).current is None
    # the presentation times reach the meeting file export
    text = meeting_file.dump_meeting(core, mid)
    assert "presented_at:" in text and "10:44" in text


def test_a_presented_group_stays_where_it_was(core: Core) -> None:
    mid = demo(core)
    ids = order_ids(core, mid)
    ceremony.present(core, mid, ids[2][0])  # the Bằng khen first, out of order
    with pytest.raises(OperationRefused, match="rewrite history"):
        ceremony.move_group(core, ids[2][0], 1)
    with pytest.raises(OperationRefused, match="further"):
        ceremony.move_group(core, ids[3][0], -3)  # not above what was presented before it
    ceremony.move_group(core, ids[1][0], -1)
    ceremony.order_by_precedence(core, mid)
    # the presented group first (it happened), then the rest by precedence
    assert order_ids(core, mid) == [ids[2], ids[0], ids[1], ids[3]]
    with pytest.raises(OperationRefused, match="further"):
        ceremony.move_group(core, ids[0][0], -1)
    with pytest.raises(OperationRefused, match="presented"):
        awards.remove_grant(core, ids[2][0])
    ceremony.clear_presented(core, ids[2][0])
    assert ceremony.ceremony(core, mid).current.grant_ids == tuple(ids[2])


def test_warns_before_calling_a_recipient_whose_endpoint_is_lost(core: Core, clock) -> None:
    mid = demo(core)
    snap = reads.snapshot(core, mid)
    chiem_hoa = next(e.id for e in snap.endpoints if e.name == "Chiêm Hóa")
    ids = order_ids(core, mid)
    mai = ids[2][0]  # Âu Thị Mai receives the Bằng khen at the Chiêm Hóa bridge point
    awards.update_grant(core, mai, meeting_endpoint_id=chiem_hoa)
    clock.set(datetime(2022, 1, 14, 3, 42, tzinfo=UTC))
    set_endpoint_status(core, chiem_hoa, "lost")
    ceremony.present(core, mid)
    ceremony.present(core, mid)
    cer = ceremony.ceremony(core, mid)
    assert cer.current.index == 3
    (caution,) = cer.current.cautions
    assert caution.text(cer.timezone) == "Âu Thị Mai: endpoint Chiêm Hóa has lost its link since 10:42"
    with pytest.raises(ceremony.CautionRefused) as refused:
        ceremony.present(core, mid)
    assert refused.value.cautions == (caution,)
    assert "Chiêm Hóa has lost its link" in str(refused.value)
    assert ceremony.ceremony(core, mid).current.index == 3  # nothing changed
    # the ceremony goes on: the Bằng khen waits until after the Kỷ niệm chương
    ceremony.defer_group(core, mid)
    cer = ceremony.ceremony(core, mid)
    assert [g.grant_ids for g in cer.groups][2:] == [tuple(ids[3]), tuple(ids[2])]
    ceremony.present(core, mid)
    with pytest.raises(OperationRefused, match="last one"):
        ceremony.defer_group(core, mid)
    # the link comes back
    set_endpoint_status(core, chiem_hoa, "connected")
    assert ceremony.ceremony(core, mid).current.cautions == ()
    set_endpoint_status(core, chiem_hoa, "left")
    with pytest.raises(ceremony.CautionRefused, match="has left the meeting"):
        ceremony.present(core, mid)
    ceremony.present(core, mid, despite_cautions=True)  # the operator confirmed
    assert ceremony.ceremony(core, mid).current is None


def test_cautions_for_absent_recipients_not_for_the_departed(core: Core) -> None:
    mid = demo(core)
    snap = reads.snapshot(core, mid)
    who = {p.full_name: p.id for p in snap.people}
    people.update_person(core, who["Phùng Tiến Quân"], attendance="absent")
    people.update_person(core, who["Trần Hoài Quang"], attendance="absent")
    hall = next(e.id for e in snap.endpoints if e.kind == "main_hall")
    set_endpoint_status(core, hall, "lost")  # recipients in the hall still walk up
    cer = ceremony.ceremony(core, mid)
    assert cer.groups[0].cautions == ()  # posthumous: the relative is called
    assert [c.text(cer.timezone) for c in cer.groups[3].cautions] == [
        "Phùng Tiến Quân: marked absent"]


def test_remote_recipient_at_the_persons_endpoint(core: Core) -> None:
    b = small_meeting(core)
    mid = b.meeting_id
    types = {t.name: t.id for t in catalogue.award_types(core)}
    g = add(core, mid, types["Giấy khen"], b.people["anh"])  # he sits at Sơn Dương
    set_endpoint_status(core, b.endpoints["Sơn Dương"], "lost")
    group = ceremony.ceremony(core, mid).group_of(g)
    assert [c.endpoint for c in group.cautions] == ["Sơn Dương"]


# --- invariants under any sequence ---------------------------------------------------------


class CeremonyMachine(RuleBasedStateMachine):
    """Whatever is done and undone, positions stay 1…n and groups contiguous and numbered;
    undo of the last step restores exactly the order before it."""

    def __init__(self) -> None:
        super().__init__()
        import tempfile

        self.dir = tempfile.TemporaryDirectory()
        self.core = Core.open(str(Path(self.dir.name) / "t.db"),
                              clock=FakeClock(datetime(2022, 1, 14, 3, 0, tzinfo=UTC)))
        b = small_meeting(self.core)
        self.mid = b.meeting_id
        self.people = list(b.people.values())
        self.types = [t.id for t in catalogue.award_types(self.core)][::7]
        self.before: list[tuple[tuple[int, int, int, bool], ...]] = []

    def teardown(self) -> None:
        self.core.close()
        self.dir.cleanup()

    def state(self) -> tuple[tuple[int, int, int, bool], ...]:
        return tuple((g.id, g.ceremony_position, g.group_no, g.presented_at is not None)
                     for g in reads.grants(self.core, self.mid))

    def ids(self) -> list[int]:
        return [g.id for g in reads.grants(self.core, self.mid)]

    def attempt(self, op, *args, **kw) -> None:
        snapshot = self.state()
        try:
            ch = op(self.core, *args, **kw)
        except OperationRefused:
            assert self.state() == snapshot
            return
        if ch.journal_id is not None:
            self.before.append(snapshot)

    @rule(t=st.integers(0, 100), p=st.integers(0, 100), group=st.integers(0, 4))
    def add(self, t: int, p: int, group: int) -> None:
        self.attempt(awards.add_grant, self.mid, self.types[t % len(self.types)],
                     recipient_person_id=self.people[p % len(self.people)],
                     **({"group_no": group} if group else {}))

    @precondition(lambda self: self.ids())
    @rule(i=st.integers(0, 100), steps=st.integers(-3, 3))
    def move(self, i: int, steps: int) -> None:
        ids = self.ids()
        self.attempt(ceremony.move_group, ids[i % len(ids)], steps)

    @precondition(lambda self: self.ids())
    @rule(i=st.integers(0, 100), steps=st.integers(-2, 2))
    def move_in(self, i: int, steps: int) -> None:
        ids = self.ids()
        self.attempt(ceremony.move_in_group, ids[i % len(ids)], steps)

    @precondition(lambda self: self.ids())
    @rule(i=st.integers(0, 100), join=st.booleans())
    def regroup(self, i: int, join: bool) -> None:
        ids = self.ids()
        op = ceremony.join_previous_group if join else ceremony.split_from_group
        self.attempt(op, ids[i % len(ids)])

    @rule(defer=st.booleans())
    def live(self, defer: bool) -> None:
        self.core.clock.advance(minutes=1)  # type: ignore[attr-defined]
        self.attempt(ceremony.defer_group if defer else ceremony.present, self.mid)

    @rule()
    def order(self) -> None:
        self.attempt(ceremony.order_by_precedence, self.mid)

    @precondition(lambda self: self.ids())
    @rule(i=st.integers(0, 100))
    def remove(self, i: int) -> None:
        ids = self.ids()
        self.attempt(awards.remove_grant, ids[i % len(ids)])

    @precondition(lambda self: self.before)
    @rule()
    def undo(self) -> None:
        self.core.undo(self.mid)
        assert self.state() == self.before.pop()

    @invariant()
    def well_formed(self) -> None:
        assert_well_formed(self.core, self.mid)

    @invariant()
    def presented_groups_are_whole(self) -> None:
        for gr in ceremony.ceremony(self.core, self.mid).groups:
            flags = {g.presented_at is not None for g in gr.grants}
            assert len(flags) == 1


CeremonyMachine.TestCase.settings = settings(
    max_examples=8, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestCeremonyMachine = CeremonyMachine.TestCase
