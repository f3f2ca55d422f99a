"""The demo meeting file (resources/demo), imported: its planned programme carries every name,
post, bridge point, award and time of the seed article; replayed as held (fake clock), its
minutes carry the actual times, the speeches and the awards."""

from __future__ import annotations

from pathlib import Path

import pytest

from meeting_console.core.api import Core
from meeting_console.core.clock import FakeClock
from meeting_console.core.meeting_file import import_meeting
from meeting_console.paths import resource
from meeting_console.record import build_awards_list, build_record
from tests.record import article, seed
from tests.record.conftest import pdf_pages, pdf_text

DEMO = resource("demo", "tuyen-quang-2022-01-14.yaml")


@pytest.fixture
def demo(core: Core) -> int:
    assert DEMO.is_file(), DEMO
    return import_meeting(core, DEMO).result


def test_demo_programme_has_every_fact_of_the_article(core: Core, demo: int,
                                                      tmp_path: Path) -> None:
    out = build_record(core, demo, tmp_path / "chuong-trinh.pdf")
    pages = pdf_pages(out)
    first = [" ".join(line.split()) for line in pages[0].splitlines()]
    for line in ["ĐẢNG BỘ TỈNH TUYÊN QUANG", "TỈNH ỦY", "*", "ĐẢNG CỘNG SẢN VIỆT NAM",
                 article.DATE, "CHƯƠNG TRÌNH HỘI NGHỊ",
                 "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 8"]:
        assert line in first, line
    text = pdf_text(out)
    missing = [fact for fact in [*article.NAMES, *article.POSTS, *article.ENDPOINTS,
                                 *article.AWARDS, *article.TIMES, *article.ITEMS,
                                 article.COLLECTIVE, article.POSTHUMOUS]
               if fact not in text]
    assert missing == []
    # each announced time is the start of its item, in the article's order
    for hhmm, title in zip(article.TIMES, article.ITEMS, strict=True):
        assert text.index(title) < text.index(f"Thời gian: {hhmm} –", text.index(title))
    assert "BIÊN BẢN" not in text and "thực tế" not in text
    assert "Hình thức: trực tuyến từ điểm cầu Tỉnh ủy tới 9 điểm cầu." in text


def test_demo_held_minutes(core: Core, demo: int, clock: FakeClock, tmp_path: Path) -> None:
    seed.hold(core, demo, clock)
    text = pdf_text(build_record(core, demo, tmp_path / "bien-ban.pdf"))
    assert "BIÊN BẢN" in text and "CHƯƠNG TRÌNH HỘI NGHỊ" not in text
    assert "Thời gian: bắt đầu vào hồi 8 giờ 00, ngày 14 tháng 01 năm 2022." in text
    for fact in [*article.NAMES, *article.POSTS, *article.ENDPOINTS, *article.AWARDS,
                 *article.TIMES]:
        assert fact in text, fact

    def clock_(hhmm: str) -> str:
        h, mi = hhmm.split(":")
        return f"{int(h)} giờ {mi}"

    def short(hhmm: str) -> str:
        h, mi = hhmm.split(":")
        return f"{int(h)}h{mi}"

    for (planned, (start, end)) in zip(article.TIMES, seed.ACTUAL, strict=True):
        assert f"dự kiến {planned}" in text
        assert f"thực tế {clock_(start)} – {clock_(end)}" in text
    # the discussion: eight speeches in order, with their times and summaries
    at = []
    for n, ((name, _ep, summary), (a, b)) in enumerate(
            zip(seed.DISCUSSION, seed.SPEECH_TIMES, strict=True), start=1):
        i = text.index(f"{n}. {name}")
        assert f"{short(a)} – {short(b)}" in text[i:i + 300]
        assert summary in text[i:i + 500]
        at.append(i)
    assert at == sorted(at)
    # the ceremony: in order, each with its time
    assert "Hội nghị đã trao khen thưởng cho 6 cá nhân, tập thể theo thứ tự sau." in text
    order = [text.index(a, text.index("CÔNG TÁC THI ĐUA, KHEN THƯỞNG")) for a in article.AWARDS]
    assert order == sorted(order)
    for hhmm in seed.PRESENTED:
        assert short(hhmm) in text
    assert "nhận thay: thân nhân đồng chí Trần Hoài Quang" in text
    assert "Hội nghị kết thúc vào hồi 11 giờ 10, ngày 14 tháng 01 năm 2022./." in text
    assert "3 sự cố tại 3 điểm cầu" in text
    aw = pdf_text(build_awards_list(core, demo, tmp_path / "khen-thuong.pdf"))
    assert all(a in aw for a in article.AWARDS)
