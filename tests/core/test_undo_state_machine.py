"""Random sequences of operations with undo and redo; undoing everything returns the start."""

from __future__ import annotations

from datetime import UTC, date, datetime

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from meeting_console.core import agenda, endpoints, meetings, people, speakers
from meeting_console.core.api import Core
from meeting_console.core.clock import FakeClock
from meeting_console.errors import UserError
from tests.core.test_operations import table_dump

NAMES = st.sampled_from(["Chẩu Văn Lâm", "Lê Thị Kim Dung", "Nguyễn Văn Sơn", "Âu Thị Mai", "Hoàng Anh Cương"])
TITLES = st.sampled_from(["Khai mạc", "Báo cáo", "Thảo luận", "Khen thưởng", "Bế mạc"])


class UndoMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        import tempfile

        self.dir = tempfile.TemporaryDirectory()
        self.clock = FakeClock(datetime(2022, 1, 14, 1, 0, tzinfo=UTC))
        self.core = Core.open(f"{self.dir.name}/m.db", clock=self.clock)
        self.mid = meetings.create_meeting(self.core, "Hội nghị", date(2022, 1, 14)).result
        self.initial = table_dump(self.core)
        self.done = 0  # operations on the undo stack

    def teardown(self) -> None:
        # undoing every operation still on the stack gives back the initial state
        try:
            for _ in range(self.done):
                self.core.undo(self.mid)
            assert table_dump(self.core) == self.initial
            assert self.core.undo_status(self.mid).undo_label == "New meeting"
        finally:
            self.core.close()
            self.dir.cleanup()

    @initialize()
    def start(self) -> None:
        pass

    def _op(self, fn, *args, **kwargs) -> None:
        self.clock.advance(7)
        try:
            changes = fn(self.core, *args, **kwargs)
        except UserError:
            return
        if changes.journal_id is not None:  # an edit that changed nothing is not journaled
            self.done += 1

    @rule(title=TITLES, index=st.integers(0, 5))
    def add_item(self, title: str, index: int) -> None:
        self._op(agenda.add_item, self.mid, title, index=index, planned_minutes=10)

    @rule(data=st.data(), minutes=st.integers(0, 90))
    def edit_item(self, data: st.DataObject, minutes: int) -> None:
        ids = [r[0] for r in table_dump(self.core)["agenda_item"]]
        if ids:
            self._op(agenda.update_item, data.draw(st.sampled_from(ids)), planned_minutes=minutes)

    @rule(data=st.data(), index=st.integers(0, 5))
    def move_item(self, data: st.DataObject, index: int) -> None:
        ids = [r[0] for r in table_dump(self.core)["agenda_item"]]
        if ids:
            self._op(agenda.move_item, data.draw(st.sampled_from(ids)), index)

    @rule(data=st.data())
    def remove_item(self, data: st.DataObject) -> None:
        ids = [r[0] for r in table_dump(self.core)["agenda_item"]]
        if ids:
            self._op(agenda.remove_item, data.draw(st.sampled_from(ids)))

    @rule(name=NAMES)
    def add_person(self, name: str) -> None:
        self._op(people.add_person, self.mid, name, posts=["Ủy viên"])

    @rule(data=st.data())
    def remove_person(self, data: st.DataObject) -> None:
        ids = [r[0] for r in table_dump(self.core)["person"]]
        if ids:
            self._op(people.remove_person, data.draw(st.sampled_from(ids)))

    @rule(name=st.sampled_from(["Sơn Dương", "Chiêm Hóa", "Na Hang"]), n=st.integers(0, 50))
    def add_endpoint(self, name: str, n: int) -> None:
        self._op(endpoints.create_in_meeting, self.mid, name, kind="district", expected_delegates=n)

    @rule(data=st.data())
    def request(self, data: st.DataObject) -> None:
        dump = table_dump(self.core)
        items = [r[0] for r in dump["agenda_item"]]
        ppl = [r[0] for r in dump["person"]]
        if items and ppl:
            self._op(speakers.add_request, data.draw(st.sampled_from(items)), data.draw(st.sampled_from(ppl)))

    @rule(place=st.sampled_from(["Hà Nội", "Tuyên Quang", ""]))
    def edit_meeting(self, place: str) -> None:
        self._op(meetings.update_meeting, self.mid, place=place)

    @precondition(lambda self: self.done > 0)
    @rule()
    def undo(self) -> None:
        self.core.undo(self.mid)
        self.done -= 1

    @precondition(lambda self: True)
    @rule()
    def redo(self) -> None:
        if self.core.undo_status(self.mid).can_redo:
            self.core.redo(self.mid)
            self.done += 1

    @invariant()
    def positions_contiguous(self) -> None:
        dump = table_dump(self.core)
        positions = sorted(r[2] for r in dump["agenda_item"])  # (id, meeting_id, position, …)
        assert positions == list(range(1, len(positions) + 1))


TestUndoMachine = UndoMachine.TestCase
TestUndoMachine.settings = settings(
    max_examples=25, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
