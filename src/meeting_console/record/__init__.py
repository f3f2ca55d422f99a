"""The PDF session record (reportlab platypus; no Qt).

    from meeting_console.record import build_record
    build_record(core, meeting_id, "bien-ban.pdf", progress=lambda done, total, what: ...)

The minutes of a meeting held, or the planned programme of one not yet held, in the official
Vietnamese format (Party or state header by the meeting's body type), from the store and the
endpoints' status events. ``build_attendance_report`` and ``build_awards_list`` make the two
separate lists from the same building blocks.
"""

from meeting_console.record.build import build_attendance_report, build_awards_list, build_record
from meeting_console.record.output import Progress

__all__ = ["Progress", "build_attendance_report", "build_awards_list", "build_record"]
