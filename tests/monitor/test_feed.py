"""The status feed's format: good feeds, bad feeds, big feeds."""

from __future__ import annotations

import json

import pytest

from meeting_console.monitor.feed import FeedEntry, FeedError, entry_of, lookup, parse_feed


def feed(entries: list[object], **head: object) -> bytes:
    return json.dumps({"format": "meeting-console-status-feed", "version": 1, **head,
                       "endpoints": entries}, ensure_ascii=False).encode()


def test_good_feed() -> None:
    r = parse_feed(feed([
        {"code": "SD", "state": "connected", "latency_ms": 38.5, "loss_pct": 0.4, "detail": "H.264 720p"},
        {"code": "LB", "state": "disconnected", "detail": "no media for 12 s"},
        {"code": "CH", "state": "degraded", "loss_pct": 6},
        {"code": "NH", "state": "connecting", "extra": {"nested": [1, 2, {"a": "},{"}]}},
    ], generated_at="2022-01-14T08:05:00+07:00"))
    assert set(r.entries) == {"SD", "LB", "CH", "NH"}
    assert entry_of(r.entries["SD"]) == FeedEntry("connected", 38.5, 0.4, "H.264 720p")
    assert entry_of(r.entries["CH"]).up and entry_of(r.entries["CH"]).state == "degraded"
    assert not entry_of(r.entries["LB"]).up
    assert r.generated_at == "2022-01-14T08:05:00+07:00"
    assert (r.duplicates, r.problems) == ([], [])


def test_minimal_feed_and_empty_list() -> None:
    assert parse_feed(b'{"endpoints": []}').entries == {}
    assert parse_feed(b' \n{ "endpoints" : [ {"code":"A","state":"connected"} ] }\n').entries["A"]["state"] == "connected"


@pytest.mark.parametrize("data, says", [
    (b"", "the feed is empty"),
    (b"   ", "the feed is empty"),
    (b"[]", "expected a JSON object"),
    (b"<html>502 Bad Gateway</html>", "expected a JSON object '{', found '<'"),
    (b'{"endpoints": [{"code": "A", "state": "connected"}', "expected ',' or ']', found the end"),
    (b'{"endpoints": [{"code": "A", "state": "conn', "invalid JSON at line 1 column"),
    (b'{"endpoints": [}', "invalid JSON at line 1 column 16"),
    (b'{"endpoints": []} extra', "extra data after the object"),
    (b'{"endpoints": {}}', 'expected a list "["'),
    (b'{"status": "ok"}', 'no "endpoints" list'),
    (b'{"format": "pexip", "endpoints": []}', "not a status feed"),
    (b'{"version": 2, "endpoints": []}', "feed version '2' is not supported"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'{"endpoints": [\n{"code": "A",\n "state": "connected",}\n]}', "invalid JSON at line 3"),
])
def test_unusable_feeds_say_why(data: bytes, says: str) -> None:
    with pytest.raises(FeedError) as err:
        parse_feed(data)
    assert says in str(err.value), str(err.value)


def test_bad_entries_skipped_and_counted_duplicates_first_wins() -> None:
    r = parse_feed(feed([
        {"code": "A", "state": "connected"},
        "just a string",
        {"state": "connected"},
        {"code": ["x"], "state": "connected"},
        {"code": "B", "state": "on fire"},
        {"code": "A", "state": "disconnected"},
        {"code": "C", "state": "connected", "latency_ms": "fast", "loss_pct": 300, "detail": 5},
    ]))
    assert r.entries["A"]["state"] == "connected" and r.duplicates == ["A"]
    assert r.problem_count == 3
    assert r.problems[0] == "entry 2: not an object with a code"
    assert entry_of(r.entries["B"]) == "unknown state 'on fire' in the feed"
    assert entry_of(r.entries["C"]) == FeedEntry("connected", None, None, "")


def test_codes_matched_in_nfc_without_spaces() -> None:
    decomposed = "Ha\u0300m Ye\u0302n"  # "Hàm Yên" decomposed
    r = parse_feed(feed([{"code": f" {decomposed} ", "state": "connected"}, {"code": "SD ", "state": "lost"}]))
    assert lookup(r, "Hàm Yên")["state"] == "connected"
    assert lookup(r, "SD")["state"] == "lost"
    assert lookup(r, "nope") is None


def test_slices_cut_inside_strings_are_refused_and_read_entry_by_entry() -> None:
    tricky = [{"code": f"X{i}", "state": "connected", "detail": "}, {\"code\": \"EVIL\""}
              for i in range(20000)]
    r = parse_feed(feed(tricky))
    assert len(r.entries) == 20000 and "EVIL" not in r.entries
    assert r.entries["X19999"]["detail"] == '}, {"code": "EVIL"'


def test_ten_megabyte_feed() -> None:
    entries = [{"code": f"XA{i:06d}", "state": "connected" if i % 3 else "disconnected",
                "latency_ms": i % 97, "detail": "Điểm cầu xã " + "x" * 60} for i in range(110_000)]
    data = feed(entries)
    assert len(data) > 10_000_000
    r = parse_feed(data)
    assert len(r.entries) == 110_000 and r.problem_count == 0
    assert entry_of(r.entries["XA000003"]).state == "disconnected"
