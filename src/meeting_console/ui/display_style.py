"""The look of the hall display, defined once: colours, the timer's phase colours, fonts, the
layout grid, and the screen's fixed words in the meeting's language.

The timer phase colours are the console's too: the speaker pane imports ``PHASE_COLOURS`` so
that amber and red mean the same on the operator's screen and in the hall. The phases and the
30-second warning come from ``core.speaker_budget`` (``SpeechClock.phase``).

Sizes are in pixels of a 1920×1080 design canvas; the display scales them to its real size
(1280×720 to 4K) by ``min(width / 1920, height / 1080)``.
"""

from __future__ import annotations

# --- colours ---------------------------------------------------------------------------------

BACKGROUND = "#0a1020"  # near-black navy: no glare in a dark hall, clean on a video feed
PANEL = "#131c30"  # the timer panel and the footer strip
PANEL_EDGE = "#25324d"
BAND_TOP = "#9b1c1c"  # the title band: deep red, gold rule under it
BAND_BOTTOM = "#6d1010"
GOLD = "#f7c948"
TEXT = "#f8fafc"  # ≥ 15:1 on BACKGROUND
MUTED = "#c0cad8"  # posts and secondary lines, ≈ 11:1
DIM = "#8592a8"  # context lines, ≈ 5.6:1
ENDPOINT = "#7dd3fc"  # where the speaker is: a light cyan, apart from gold labels

# The speaking timer, by ``SpeechClock.phase`` (plus "paused"). Amber and red are the console's
# own (``ui/speaker_pane.PHASE_STYLE``: amber background, black figures; red background, white
# figures; a test keeps them equal): the last 30 seconds and the overrun look the same to the
# operator and in the hall. On the dark screen the other phases colour the figures.
WARNING_AMBER = "#ffb300"
OVERRUN_RED = "#c62828"
PHASE_COLOURS: dict[str, str] = {
    "waiting": "#94a3b8",  # called, the timer has not started
    "normal": "#4ade80",  # green
    "warning": WARNING_AMBER,  # the last 30 seconds
    "overrun": OVERRUN_RED,  # past the limit
    "paused": "#93c5fd",  # blue: the timer is held
}
# phases that fill the whole timer panel: (fill, figures)
PHASE_FILLS: dict[str, tuple[str, str]] = {
    "warning": (WARNING_AMBER, "#000000"),
    "overrun": (OVERRUN_RED, "#ffffff"),
}
OVERRUN_FILL = OVERRUN_RED


def phase_colour(phase: str, paused: bool = False) -> str:
    return PHASE_COLOURS["paused"] if paused else PHASE_COLOURS.get(phase, TEXT)


# --- fonts -----------------------------------------------------------------------------------

# Sans faces with every Vietnamese letter, in order of preference; the first one installed wins
# (Windows: Segoe UI or Arial; Linux: Noto Sans, Liberation Sans or DejaVu Sans).
FONT_FAMILIES = ["Segoe UI", "Noto Sans", "Liberation Sans", "Arial", "DejaVu Sans"]

DESIGN_W = 1920
DESIGN_H = 1080
BAND_H = 160
FOOTER_Y = 952
MARGIN = 64


# --- the screen's words ----------------------------------------------------------------------

VI: dict[str, str] = {
    "speaking": "ĐANG PHÁT BIỂU",
    "called": "MỜI PHÁT BIỂU",
    "speaker_paused": "TẠM DỪNG",
    "time_left": "THỜI GIAN CÒN LẠI",
    "time_over": "VƯỢT THỜI GIAN",
    "time_ready": "THỜI GIAN PHÁT BIỂU",
    "time_paused": "TẠM DỪNG",
    "spoken": "Đã phát biểu {elapsed} / {limit}",
    "limit": "Thời gian: {limit}",
    "from_endpoint": "Điểm cầu {name}",
    "from_hall": "Tại hội trường",
    "from_hall_named": "Tại hội trường · điểm cầu {name}",
    "now_running": "ĐANG DIỄN RA",
    "recess": "TẠM NGHỈ",
    "item_no": "NỘI DUNG {n}",
    "times": "{start} – {end}",
    "since": "Bắt đầu {start}",
    "next": "TIẾP THEO",
    "next_speakers": "ĐẠI BIỂU PHÁT BIỂU TIẾP THEO",
    "more_waiting": "và {n} đại biểu khác",
    "next_item": "NỘI DUNG TIẾP THEO",
    "first_item": "HỘI NGHỊ SẼ BẮT ĐẦU",
    "after": "SAU ĐÓ",
    "planned_at": "THEO CHƯƠNG TRÌNH",
    "expected_at": "Dự kiến bắt đầu {time}",
    "progress": "Đã thực hiện {done}/{total} nội dung",
    "ceremony": "TRAO TẶNG KHEN THƯỞNG",
    "group_of": "{i} / {n}",
    "authority": "của {authority}",
    "posthumous": "Truy tặng",
    "received_by": "Nhận thay: {who}",
    "presented_by": "Trao tặng: {who}",
    "and_more": "… và {n} người khác",
    "closed": "HỘI NGHỊ ĐÃ BẾ MẠC",
    "closed_at": "Bế mạc lúc {time}",
    "no_meeting": "CHƯA CÓ HỘI NGHỊ",
    "role_opening": "PHÁT BIỂU KHAI MẠC",
    "role_report": "TRÌNH BÀY",
    "role_draft": "TRÌNH BÀY",
    "role_discussion": "ĐIỀU HÀNH THẢO LUẬN",
    "role_commendation": "",
    "role_closing": "KẾT LUẬN, BẾ MẠC",
    "role_other": "TRÌNH BÀY",
    "weekday_0": "Thứ Hai",
    "weekday_1": "Thứ Ba",
    "weekday_2": "Thứ Tư",
    "weekday_3": "Thứ Năm",
    "weekday_4": "Thứ Sáu",
    "weekday_5": "Thứ Bảy",
    "weekday_6": "Chủ nhật",
    "date": "{weekday}, {d:02d}/{m:02d}/{y}",
    "logo_date": "{city}, ngày {d:02d} tháng {m:02d} năm {y}",
}

EN: dict[str, str] = {
    "speaking": "SPEAKING",
    "called": "GIVEN THE FLOOR",
    "speaker_paused": "PAUSED",
    "time_left": "TIME LEFT",
    "time_over": "OVER TIME",
    "time_ready": "SPEAKING TIME",
    "time_paused": "PAUSED",
    "spoken": "Spoken {elapsed} of {limit}",
    "limit": "Time: {limit}",
    "from_endpoint": "From {name}",
    "from_hall": "In the hall",
    "from_hall_named": "In the hall · {name}",
    "now_running": "NOW",
    "recess": "RECESS",
    "item_no": "ITEM {n}",
    "times": "{start} – {end}",
    "since": "Started {start}",
    "next": "NEXT",
    "next_speakers": "NEXT SPEAKERS",
    "more_waiting": "and {n} more",
    "next_item": "NEXT ITEM",
    "first_item": "THE MEETING OPENS WITH",
    "after": "THEN",
    "planned_at": "SCHEDULED",
    "expected_at": "Expected at {time}",
    "progress": "{done} of {total} items held",
    "ceremony": "AWARDS CEREMONY",
    "group_of": "{i} / {n}",
    "authority": "conferred by {authority}",
    "posthumous": "Posthumously",
    "received_by": "Received by {who}",
    "presented_by": "Presented by {who}",
    "and_more": "… and {n} more",
    "closed": "THE MEETING IS CLOSED",
    "closed_at": "Closed at {time}",
    "no_meeting": "NO MEETING",
    "role_opening": "OPENING ADDRESS",
    "role_report": "PRESENTED BY",
    "role_draft": "PRESENTED BY",
    "role_discussion": "CHAIRED BY",
    "role_commendation": "",
    "role_closing": "CLOSING ADDRESS",
    "role_other": "PRESENTED BY",
    "weekday_0": "Monday",
    "weekday_1": "Tuesday",
    "weekday_2": "Wednesday",
    "weekday_3": "Thursday",
    "weekday_4": "Friday",
    "weekday_5": "Saturday",
    "weekday_6": "Sunday",
    "date": "{weekday} {d:02d}/{m:02d}/{y}",
    "logo_date": "{city}, {d:02d}/{m:02d}/{y}",
}


class Words:
    """``Words(lang)("key", n=3)``: the screen's fixed words; Vietnamese when a key or the
    language is missing (the hall's language)."""

    def __init__(self, language: str = "vi") -> None:
        self.table = EN if language == "en" else VI

    def __call__(self, key: str, **values: object) -> str:
        text = self.table.get(key, VI.get(key, key))
        return text.format(**values) if values else text
