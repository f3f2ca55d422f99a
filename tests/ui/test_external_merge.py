"""Other consoles' journal entries read in one poll reach the bus merged per run of one meeting."""

from __future__ import annotations

from meeting_console.core.changes import Changes
from meeting_console.ui.bus import merge_external


def _ch(jid: int, mid: int | None, table: str, *ids: int, area: str = "endpoints") -> Changes:
    return Changes(areas=frozenset({area, "journal"}), meeting_id=mid, journal_id=jid, label=f"op {jid}",
                   rows={table: frozenset(ids)})


def test_a_run_of_one_meeting_is_one_change_in_journal_order() -> None:
    entries = [_ch(1, 7, "meeting_endpoint", 3), _ch(2, 7, "endpoint_status_event", 10),
               _ch(3, 7, "meeting_endpoint", 4), _ch(4, 8, "agenda_item", 1, area="agenda"),
               _ch(5, 7, "meeting_endpoint", 3)]
    out = merge_external(entries)
    assert [(c.meeting_id, c.journal_id) for c in out] == [(7, 3), (8, 4), (7, 5)]
    assert out[0].rows == {"meeting_endpoint": frozenset({3, 4}), "endpoint_status_event": frozenset({10})}
    assert out[0].areas == frozenset({"endpoints", "journal"}) and out[0].label == "op 3"
    assert out[1] is entries[3] and out[2] is entries[4]  # alone: passed on as it is
    assert merge_external([]) == []
