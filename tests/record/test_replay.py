"""The seed conference replayed through the console's own live operations, as the secretariat
would key it, on a fake clock: start, next item, call and end each speaker, "presented", the
endpoint incidents, close. Every time in the record then comes from the operations' clock
(nothing is written in by hand), and the record's actual times, speeches and awards match the
article's programme as held (tests/record/seed.py)."""

from __future__ import annotations

from pathlib import Path

from meeting_console.core import agenda, ceremony, endpoints, meetings, reads, speakers
from meeting_console.core.api import Core
from meeting_console.core.clock import FakeClock
from meeting_console.core.meeting_file import import_meeting
from meeting_console.paths import resource
from meeting_console.record import build_record
from tests.record import article, seed
from tests.record.conftest import pdf_text

DEMO = resource("demo", "tuyen-quang-2022-01-14.yaml")


def replay_live(core: Core, mid: int, clock: FakeClock) -> None:
    snap = reads.snapshot(core, mid)
    eps = {e.name: e.id for e in snap.endpoints}
    items = [i.id for i in snap.agenda]
    discussion = [r.id for r in snap.speakers if r.agenda_item_id == items[4]]
    steps: list[tuple[str, int, object]] = []

    def step(hhmm: str, seconds: int, fn: object) -> None:
        steps.append((hhmm, seconds, fn))

    step("7:45", 0, lambda: [endpoints.set_status(core, e.id, "connected")
                             for e in snap.endpoints])
    step("7:50", 0, lambda: [endpoints.set_present(core, e.id, max(e.expected_delegates - 1, 0))
                             for e in snap.endpoints])
    step("8:00", 0, lambda: meetings_start(core, mid))
    for start, _end in seed.ACTUAL[1:]:
        step(start, 0, lambda: agenda.next_item(core, mid))
    for j, (a, b) in enumerate(seed.SPEECH_TIMES):
        rid = discussion[j]
        step(a, 1, lambda rid=rid: speakers.call_speaker(core, rid))
        step(b, 0, lambda rid=rid, j=j: (speakers.end_speech(core, rid),
                                          speakers.set_summary(core, rid, seed.DISCUSSION[j][2])))
    for hhmm in dict.fromkeys(seed.PRESENTED):  # the last three are one group, presented once
        step(hhmm, 0, lambda: ceremony.present(core, mid, despite_cautions=True))
    for name, hhmm, status in seed.INCIDENTS:
        step(hhmm, 0, lambda me=eps[name], status=status: endpoints.set_status(core, me, status))
    step("11:10", 0, lambda: agenda.close_meeting(core, mid))
    step("11:10", 30, lambda: [endpoints.set_status(core, e.id, "left")
                               for e in snap.endpoints if e.name != "Hàm Yên"])
    ordered = sorted(enumerate(steps), key=lambda x: (seed.at(x[1][0], x[1][1]), x[0]))
    for _n, (hhmm, seconds, fn) in ordered:
        clock.set(seed.at(hhmm, seconds))
        fn()  # type: ignore[operator]


def meetings_start(core: Core, mid: int) -> None:
    agenda.start_meeting(core, mid)
    agenda.next_item(core, mid)  # the opening item, at once


def test_live_replay_gives_the_articles_times(core: Core, clock: FakeClock,
                                              tmp_path: Path) -> None:
    mid = import_meeting(core, DEMO).result
    meetings.update_meeting(core, mid, closing_remarks=seed.CLOSING)
    replay_live(core, mid, clock)
    text = pdf_text(build_record(core, mid, tmp_path / "bien-ban.pdf"))
    assert "Thời gian: bắt đầu vào hồi 8 giờ 00, ngày 14 tháng 01 năm 2022." in text
    for fact in [*article.NAMES, *article.POSTS, *article.ENDPOINTS, *article.AWARDS]:
        assert fact in text, fact
    for planned, (start, end) in zip(article.TIMES, seed.ACTUAL, strict=True):
        assert f"dự kiến {planned}" in text
        assert f"thực tế {clock_(start)} – {clock_(end)}" in text, (start, end)
    at = []
    for n, ((name, _ep, summary), (a, b)) in enumerate(
            zip(seed.DISCUSSION, seed.SPEECH_TIMES, strict=True), start=1):
        i = text.index(f"{n}. {name}")
        assert f"{short(a)} – {short(b)}" in text[i:i + 300]
        assert summary in text[i:i + 500]
        at.append(i)
    assert at == sorted(at)
    assert "Hội nghị đã trao khen thưởng cho 6 cá nhân, tập thể theo thứ tự sau." in text
    ceremony_at = text.index("CÔNG TÁC THI ĐUA, KHEN THƯỞNG")
    order = [text.index(a, ceremony_at) for a in article.AWARDS]
    assert order == sorted(order)
    times = [text.index(short(hhmm), ceremony_at) for hhmm in dict.fromkeys(seed.PRESENTED)]
    assert times == sorted(times)
    assert text.count(short("10:55"), ceremony_at) >= 3  # the group of three, presented once
    assert "Hội nghị kết thúc vào hồi 11 giờ 10, ngày 14 tháng 01 năm 2022./." in text
    # the incidents, from the status operations' own times, tied to what was running
    assert "3 sự cố tại 3 điểm cầu" in text
    assert "9h18–9h23 mất tín hiệu" in text
    assert "10h41–10h47 mất tín hiệu" in text
    assert "11h05 mất tín hiệu, chưa khôi phục" in text


def clock_(hhmm: str) -> str:
    h, mi = hhmm.split(":")
    return f"{int(h)} giờ {mi}"


def short(hhmm: str) -> str:
    h, mi = hhmm.split(":")
    return f"{int(h)}h{mi}"
