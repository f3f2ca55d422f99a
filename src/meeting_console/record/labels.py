"""The fixed words of the record, per language.

A plain table keyed by a stable id, so that a later translation layer (gettext catalogs) can take
it over key by key. ``Labels(lang)("key", n=3)`` formats with ``str.format``. A key missing in a
language falls back to Vietnamese, the language of the official format.
"""

from __future__ import annotations

from typing import Any

from meeting_console.core.text import nfc

VI: dict[str, str] = {
    # headers
    "party_name": "ĐẢNG CỘNG SẢN VIỆT NAM",
    "state_name": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "state_motto": "Độc lập - Tự do - Hạnh phúc",
    "number_party": "Số {number}",
    "number_state": "Số: {number}",
    "place_date": "{city}, {date}",
    "page": "{n}",
    # titles
    "title_minutes": "BIÊN BẢN",
    "title_programme": "CHƯƠNG TRÌNH HỘI NGHỊ",
    "programme_note": "(Chương trình dự kiến; hội nghị chưa diễn ra)",
    "title_attendance": "BÁO CÁO THÀNH PHẦN THAM DỰ",
    "title_awards": "DANH SÁCH KHEN THƯỞNG",
    "title_annex": "PHỤ LỤC",
    "annex_of": "(Kèm theo Biên bản {meeting})",
    # section headings
    "sec_general": "THỜI GIAN, ĐỊA ĐIỂM, HÌNH THỨC",
    "sec_chairs": "CHỦ TRÌ VÀ THƯ KÝ",
    "sec_attendance": "THÀNH PHẦN THAM DỰ",
    "sec_endpoints": "CÁC ĐIỂM CẦU",
    "sec_proceedings": "DIỄN BIẾN HỘI NGHỊ",
    "sec_programme": "CHƯƠNG TRÌNH",
    "sec_awards": "CÔNG TÁC THI ĐUA, KHEN THƯỞNG",
    "sec_awards_planned": "KHEN THƯỞNG TẠI HỘI NGHỊ",
    "sec_conclusion": "KẾT LUẬN HỘI NGHỊ",
    "annex_chart": "Thời gian dự kiến và thực tế của các nội dung",
    "annex_ledger": "Sổ theo dõi sự cố kết nối các điểm cầu",
    # section 1
    "time_actual": "Thời gian: bắt đầu vào hồi {time}, {date}.",
    "time_planned": "Thời gian: {time}, {date}.",
    "time_planned_day": "Thời gian: {date}.",
    "place": "Địa điểm: {place}.",
    "form_online": "Hình thức: trực tuyến từ điểm cầu {main} tới {n} điểm cầu.",
    "form_hybrid": "Hình thức: trực tiếp tại {main}, kết hợp trực tuyến tới {n} điểm cầu.",
    "form_in_person": "Hình thức: trực tiếp.",
    "form_online_nomain": "Hình thức: trực tuyến, {n} điểm cầu.",
    "content": "Nội dung: {summary}",
    # section 2
    "chairs": "Chủ trì:",
    "chair_one": "Chủ trì: {who}.",
    "recorder": "Thư ký (người ghi biên bản): {who}.",
    # section 3
    "cat_member": "Đại biểu chính thức",
    "cat_invited": "Khách mời",
    "cat_press": "Phóng viên báo chí",
    "cat_staff": "Phục vụ",
    "cat_count": "{label}: có mặt {present}/{total}",
    "cat_count_planned": "{label}: {total}",
    "absent_list": "Vắng mặt: {who}.",
    "att_in_person": "Trực tiếp",
    "att_online": "Trực tuyến",
    "att_absent": "Vắng",
    "att_absent_reason": "Vắng ({reason})",
    "att_unknown": "—",
    "endpoints_intro": "Hội nghị có {n} điểm cầu; đại biểu có mặt {present}/{expected}.",
    "endpoints_intro_planned": "Hội nghị dự kiến có {n} điểm cầu, {expected} đại biểu.",
    "endpoints_outages": "Trong hội nghị có {n} sự cố kết nối tại {m} điểm cầu (chi tiết tại Phụ lục).",
    "col_no": "STT",
    "col_name": "Họ và tên",
    "col_post": "Chức vụ",
    "col_endpoint": "Điểm cầu",
    "col_attendance": "Tham dự",
    "col_host": "Chủ trì tại điểm cầu",
    "col_delegates": "Đại biểu",
    "col_expected": "Đại biểu dự kiến",
    "col_connected": "Kết nối",
    "col_outages": "Sự cố",
    "col_award": "Hình thức khen thưởng",
    "col_recipient": "Người, tập thể được khen",
    "col_authority": "Cấp khen",
    "col_presenter": "Người trao",
    "col_presented": "Giờ trao",
    "col_decision": "Quyết định",
    "col_severity": "Sự cố",
    "col_span": "Thời gian",
    "col_duration": "Thời lượng",
    "col_item": "Nội dung đang diễn ra",
    "col_speaker": "Người đang phát biểu",
    "total": "Tổng cộng",
    "total_endpoints": "{n} điểm cầu",
    "not_connected": "không kết nối",
    "still_connected": "đến cuối",
    "none": "—",
    "sev_lost": "mất tín hiệu",
    "sev_unstable": "không ổn định",
    "not_restored": "chưa khôi phục",
    "left": "rời hội nghị",
    # section 4
    "item_time": "Thời gian: {parts}.",
    "part_planned": "dự kiến {start} ({minutes})",
    "part_planned_nostart": "dự kiến {minutes}",
    "part_programme": "{start} – {end} ({minutes})",
    "part_actual": "thực tế {start} – {end} ({minutes})",
    "part_actual_open": "thực tế bắt đầu {start}",
    "part_skipped": "không thực hiện",
    "item_unplanned": "(ngoài chương trình)",
    "item_presenter": "Trình bày: {who}.",
    "item_presenter_planned": "Trình bày: {who}.",
    "speeches": "Ý kiến phát biểu:",
    "speakers_registered": "Đăng ký phát biểu:",
    "speech_at": "tại điểm cầu {endpoint}",
    "speech_time": "{start} – {end}, {minutes}",
    "speech_time_open": "từ {start}",
    "speech_topic": "Nội dung: {topic}",
    # section 5
    "posthumous": "Truy tặng",
    "received_by": "nhận thay: {who}",
    "not_presented": "chưa trao",
    "awards_intro": "Hội nghị đã trao khen thưởng cho {n} cá nhân, tập thể theo thứ tự sau.",
    "awards_intro_planned": "Hội nghị dự kiến trao khen thưởng cho {n} cá nhân, tập thể theo thứ tự sau.",
    # section 6
    "closing": "Hội nghị kết thúc vào hồi {time}, {date}./.",
    # section 7
    "sign_recorder_party": "NGƯỜI GHI BIÊN BẢN",
    "sign_recorder_state": "THƯ KÝ",
    "sign_chair_party": "CHỦ TRÌ HỘI NGHỊ",
    "sign_chair_state": "CHỦ TỌA",
    "sign_hint": "(Ký, ghi rõ họ tên)",
    # the distribution list under the signatures
    "distribution": "Nơi nhận:",
    "distribution_file": "Lưu: VT, hồ sơ hội nghị",
    # annex
    "legend_planned": "Dự kiến",
    "legend_actual": "Thực tế",
    "ledger_intro": "{n} sự cố tại {m} điểm cầu; tổng thời gian gián đoạn {minutes}.",
    "ledger_empty": "Không có sự cố kết nối.",
    "provenance": "Số liệu lấy từ dữ liệu hội nghị, nhật ký đến mục số {journal}.",
    # time words
    "minutes_n": "{n} phút",
    "hours_minutes": "{h} giờ {m:02d} phút",
    "seconds_n": "{n} giây",
    "clock": "{h} giờ {m:02d}",
    "clock_short": "{h}h{m:02d}",
    "date": "ngày {d} tháng {mo} năm {y}",
}

EN: dict[str, str] = {
    "party_name": "COMMUNIST PARTY OF VIETNAM",
    "state_name": "SOCIALIST REPUBLIC OF VIETNAM",
    "state_motto": "Independence - Freedom - Happiness",
    "number_party": "No. {number}",
    "number_state": "No. {number}",
    "place_date": "{city}, {date}",
    "page": "{n}",
    "title_minutes": "MINUTES",
    "title_programme": "MEETING PROGRAMME",
    "programme_note": "(Planned programme; the meeting has not yet taken place)",
    "title_attendance": "ATTENDANCE REPORT",
    "title_awards": "LIST OF AWARDS",
    "title_annex": "ANNEX",
    "annex_of": "(to the minutes of the {meeting})",
    "sec_general": "TIME, PLACE AND FORM",
    "sec_chairs": "CHAIR AND RECORDER",
    "sec_attendance": "ATTENDANCE",
    "sec_endpoints": "BRIDGE POINTS",
    "sec_proceedings": "PROCEEDINGS",
    "sec_programme": "PROGRAMME",
    "sec_awards": "COMMENDATION",
    "sec_awards_planned": "AWARDS TO BE PRESENTED",
    "sec_conclusion": "CONCLUSION",
    "annex_chart": "Planned and actual times of the agenda items",
    "annex_ledger": "Connection incidents at the bridge points",
    "time_actual": "Time: opened at {time}, {date}.",
    "time_planned": "Time: {time}, {date}.",
    "time_planned_day": "Time: {date}.",
    "place": "Place: {place}.",
    "form_online": "Form: online, from the {main} bridge point to {n} bridge points.",
    "form_hybrid": "Form: in person at {main}, and online to {n} bridge points.",
    "form_in_person": "Form: in person.",
    "form_online_nomain": "Form: online, {n} bridge points.",
    "content": "Subject: {summary}",
    "chairs": "Chaired by:",
    "chair_one": "Chaired by: {who}.",
    "recorder": "Recorder: {who}.",
    "cat_member": "Members",
    "cat_invited": "Invited guests",
    "cat_press": "Press",
    "cat_staff": "Staff",
    "cat_count": "{label}: {present}/{total} present",
    "cat_count_planned": "{label}: {total}",
    "absent_list": "Absent: {who}.",
    "att_in_person": "In person",
    "att_online": "Online",
    "att_absent": "Absent",
    "att_absent_reason": "Absent ({reason})",
    "att_unknown": "—",
    "endpoints_intro": "{n} bridge points; delegates present {present}/{expected}.",
    "endpoints_intro_planned": "{n} bridge points planned, {expected} delegates expected.",
    "endpoints_outages": "{n} connection incidents at {m} bridge points (details in the annex).",
    "col_no": "No.",
    "col_name": "Name",
    "col_post": "Post",
    "col_endpoint": "Bridge point",
    "col_attendance": "Attendance",
    "col_host": "Host",
    "col_delegates": "Delegates",
    "col_expected": "Delegates expected",
    "col_connected": "Connected",
    "col_outages": "Incidents",
    "col_award": "Award",
    "col_recipient": "Recipient",
    "col_authority": "Conferred by",
    "col_presenter": "Presented by",
    "col_presented": "Presented at",
    "col_decision": "Decision",
    "col_severity": "Incident",
    "col_span": "Time",
    "col_duration": "Duration",
    "col_item": "Agenda item",
    "col_speaker": "Speaker",
    "total": "Total",
    "total_endpoints": "{n} bridge points",
    "not_connected": "not connected",
    "still_connected": "to the end",
    "none": "—",
    "sev_lost": "signal lost",
    "sev_unstable": "unstable",
    "not_restored": "not restored",
    "left": "left the meeting",
    "item_time": "Time: {parts}.",
    "part_planned": "planned {start} ({minutes})",
    "part_planned_nostart": "planned {minutes}",
    "part_programme": "{start} – {end} ({minutes})",
    "part_actual": "actual {start} – {end} ({minutes})",
    "part_actual_open": "actual: started {start}",
    "part_skipped": "not taken",
    "item_unplanned": "(not in the programme)",
    "item_presenter": "Presented by {who}.",
    "item_presenter_planned": "Presenter: {who}.",
    "speeches": "Speeches:",
    "speakers_registered": "Speakers registered:",
    "speech_at": "at the {endpoint} bridge point",
    "speech_time": "{start} – {end}, {minutes}",
    "speech_time_open": "from {start}",
    "speech_topic": "Topic: {topic}",
    "posthumous": "Posthumously",
    "received_by": "received by {who}",
    "not_presented": "not presented",
    "awards_intro": "Awards were presented to {n} recipients, in this order.",
    "awards_intro_planned": "Awards to be presented to {n} recipients, in this order.",
    "closing": "The meeting closed at {time}, {date}./.",
    "sign_recorder_party": "RECORDER",
    "sign_recorder_state": "SECRETARY",
    "sign_chair_party": "CHAIR",
    "sign_chair_state": "CHAIR",
    "sign_hint": "(Signature and full name)",
    "distribution": "Distribution:",
    "distribution_file": "File: records office, meeting file",
    "legend_planned": "Planned",
    "legend_actual": "Actual",
    "ledger_intro": "{n} incidents at {m} bridge points; {minutes} of interruption in all.",
    "ledger_empty": "No connection incidents.",
    "provenance": "Drawn from the meeting's data, journal up to entry {journal}.",
    "minutes_n": "{n} min",
    "hours_minutes": "{h} h {m:02d} min",
    "seconds_n": "{n} s",
    "clock": "{h}:{m:02d}",
    "clock_short": "{h}:{m:02d}",
    "date": "{d} {month_en} {y}",
}

TABLES: dict[str, dict[str, str]] = {"vi": VI, "en": EN}

MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)


class Labels:
    """The record's words in one language (``vi`` when the language is unknown)."""

    def __init__(self, language: str) -> None:
        self.language = language if language in TABLES else "vi"
        self._table = TABLES[self.language]
        self._plain: dict[str, str] = {}

    def num(self, n: int) -> str:
        """A count as the language writes it: "31.000" in Vietnamese (a dot between thousands,
        Nghị định 30/2020), "31,000" in English."""
        text = f"{n:,}"
        return text.replace(",", ".") if self.language == "vi" else text

    def __call__(self, key: str, /, **values: Any) -> str:
        if not values:
            hit = self._plain.get(key)
            if hit is None:
                hit = self._plain[key] = nfc(self._table.get(key) or VI[key])
            return hit
        template = self._table.get(key)
        if template is None:
            template = VI[key]
        return nfc(template.format(**values) if values else template)
