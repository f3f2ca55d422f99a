"""SQLAlchemy 2 models: the whole domain of Meeting Console.

Times are stored as naive UTC datetimes (``UtcDateTime`` strips and re-adds the zone) so that
SQLite and PostgreSQL hold the same values. Meeting-local time is a matter of display.
Every table has an integer primary key ``id``: the journal identifies rows by (table, id).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored naive UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# --- meetings -----------------------------------------------------------------------------


class Meeting(Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    number: Mapped[str] = mapped_column(String(100), default="")  # "lần thứ 8"
    parent_body: Mapped[str] = mapped_column(String(300), default="")  # ĐẢNG BỘ TỈNH TUYÊN QUANG
    issuing_body: Mapped[str] = mapped_column(String(300), default="")  # TỈNH ỦY
    body_type: Mapped[str] = mapped_column(String(20), default="party")  # party | state
    record_number: Mapped[str] = mapped_column(String(100), default="")  # Số …-BB/TU
    date: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(500), default="")
    city: Mapped[str] = mapped_column(String(200), default="")  # for "Tuyên Quang, ngày …"
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    form: Mapped[str] = mapped_column(String(20), default="hybrid")  # online|hybrid|in_person
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft|live|closed
    language: Mapped[str] = mapped_column(String(10), default="vi")
    summary: Mapped[str] = mapped_column(Text, default="")  # what the meeting is about
    closing_remarks: Mapped[str] = mapped_column(Text, default="")
    distribution: Mapped[str] = mapped_column(Text, default="")  # "Nơi nhận": one recipient a line
    actual_start: Mapped[datetime | None] = mapped_column(UtcDateTime)
    actual_end: Mapped[datetime | None] = mapped_column(UtcDateTime)
    default_speaking_minutes: Mapped[int] = mapped_column(Integer, default=5)
    # monitoring hysteresis (issue: endpoint panel)
    probe_interval_s: Mapped[int] = mapped_column(Integer, default=5)
    probe_timeout_s: Mapped[int] = mapped_column(Integer, default=2)
    probe_fail_threshold: Mapped[int] = mapped_column(Integer, default=3)
    probe_recover_threshold: Mapped[int] = mapped_column(Integer, default=2)
    status_feed_url: Mapped[str] = mapped_column(String(1000), default="")
    # what the hall display shows: live | blank | logo (switched by the secretariat)
    display_mode: Mapped[str] = mapped_column(String(10), default="live")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Organisation(Base):
    """A collective: an award recipient, or a person's organisation."""

    __tablename__ = "organisation"
    __table_args__ = (UniqueConstraint("meeting_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    note: Mapped[str] = mapped_column(Text, default="")


class Person(Base):
    """A participant of one meeting (posts change over time, so people are per meeting)."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(300))
    posts: Mapped[list[str]] = mapped_column(JSON, default=list)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    # member (official member), invited (guest), press, staff
    category: Mapped[str] = mapped_column(String(20), default="member")
    chair_order: Mapped[int | None] = mapped_column(Integer)  # 1, 2, … for the chairs
    is_recorder: Mapped[bool] = mapped_column(Boolean, default=False)
    meeting_endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_endpoint.id", ondelete="SET NULL")
    )
    attendance: Mapped[str] = mapped_column(String(20), default="unknown")
    absence_reason: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")


# --- endpoints ----------------------------------------------------------------------------


class Endpoint(Base):
    """A bridge point in the directory, reused across meetings."""

    __tablename__ = "endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    # main_hall | provincial | district | bloc | commune | other
    kind: Mapped[str] = mapped_column(String(20), default="other")
    code: Mapped[str | None] = mapped_column(String(100), unique=True)
    address: Mapped[str] = mapped_column(String(1000), default="")
    host_name: Mapped[str] = mapped_column(String(300), default="")


class MeetingEndpoint(Base):
    __tablename__ = "meeting_endpoint"
    __table_args__ = (UniqueConstraint("meeting_id", "endpoint_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("endpoint.id", ondelete="RESTRICT"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    expected_delegates: Mapped[int] = mapped_column(Integer, default=0)
    present_delegates: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(300), default="")
    # not_connected | connected | unstable | lost | left
    status: Mapped[str] = mapped_column(String(20), default="not_connected")
    status_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    manual_override: Mapped[bool] = mapped_column(Boolean, default=False)
    monitored: Mapped[bool] = mapped_column(Boolean, default=False)
    roll_call_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_probe_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_probe_ok: Mapped[bool | None] = mapped_column(Boolean)
    last_latency_ms: Mapped[float | None] = mapped_column()
    last_probe_detail: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class EndpointStatusEvent(Base):
    """One change of an endpoint's connection status: the outage ledger is built from these."""

    __tablename__ = "endpoint_status_event"
    __table_args__ = (Index("ix_status_event_me_at", "meeting_endpoint_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_endpoint.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20))
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    detail: Mapped[str] = mapped_column(String(500), default="")


# --- agenda -------------------------------------------------------------------------------


class AgendaItem(Base):
    __tablename__ = "agenda_item"
    __table_args__ = (Index("ix_agenda_meeting_pos", "meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20), default="")
    title: Mapped[str] = mapped_column(Text)
    # opening | report | draft | discussion | commendation | closing | other
    kind: Mapped[str] = mapped_column(String(20), default="other")
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    presenter_text: Mapped[str] = mapped_column(String(500), default="")  # when not a named person
    planned_start: Mapped[datetime | None] = mapped_column(UtcDateTime)
    planned_minutes: Mapped[int] = mapped_column(Integer, default=0)
    actual_start: Mapped[datetime | None] = mapped_column(UtcDateTime)
    actual_end: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # pending | running | paused | done | skipped
    status: Mapped[str] = mapped_column(String(20), default="pending")
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    extended_minutes: Mapped[int] = mapped_column(Integer, default=0)
    unplanned: Mapped[bool] = mapped_column(Boolean, default=False)
    speaking_minutes: Mapped[int | None] = mapped_column(Integer)  # default per speaker
    notes: Mapped[str] = mapped_column(Text, default="")


# --- speakers -----------------------------------------------------------------------------


class SpeakerRequest(Base):
    __tablename__ = "speaker_request"
    __table_args__ = (Index("ix_speaker_item_pos", "agenda_item_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    meeting_endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_endpoint.id", ondelete="SET NULL")
    )
    topic: Mapped[str] = mapped_column(Text, default="")
    requested_minutes: Mapped[int | None] = mapped_column(Integer)
    limit_minutes: Mapped[int | None] = mapped_column(Integer)  # per-speaker override
    source: Mapped[str] = mapped_column(String(20), default="advance")  # advance|floor|endpoint
    # queue order among waiting requests of the item (None once out of the queue)
    position: Mapped[int | None] = mapped_column(Integer)
    # queued | held | speaking | paused | done | withdrawn | skipped
    status: Mapped[str] = mapped_column(String(20), default="queued")
    requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    actual_start: Mapped[datetime | None] = mapped_column(UtcDateTime)
    actual_end: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    extended_seconds: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(Text, default="")


# --- awards -------------------------------------------------------------------------------


class AwardType(Base):
    """An award in the catalogue; lower precedence number = higher rank."""

    __tablename__ = "award_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    precedence: Mapped[int] = mapped_column(Integer)
    # order | medal | title | prize | certificate | flag | commemorative | other
    category: Mapped[str] = mapped_column(String(20), default="other")
    authority: Mapped[str] = mapped_column(String(300), default="")  # "Chủ tịch nước"
    # president | prime_minister | central | province | local | other
    authority_kind: Mapped[str] = mapped_column(String(20), default="other")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)


class AwardGrant(Base):
    __tablename__ = "award_grant"
    __table_args__ = (Index("ix_grant_meeting_pos", "meeting_id", "ceremony_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    award_type_id: Mapped[int] = mapped_column(ForeignKey("award_type.id", ondelete="RESTRICT"))
    recipient_kind: Mapped[str] = mapped_column(String(20), default="individual")  # |collective
    recipient_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    recipient_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT")
    )
    recipient_post: Mapped[str] = mapped_column(Text, default="")  # post as cited in the decision
    posthumous: Mapped[bool] = mapped_column(Boolean, default=False)
    received_by: Mapped[str] = mapped_column(String(500), default="")  # who receives (truy tặng)
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    presenter_text: Mapped[str] = mapped_column(String(500), default="")
    decision_number: Mapped[str] = mapped_column(String(100), default="")
    decision_date: Mapped[date | None] = mapped_column(Date)
    citation: Mapped[str] = mapped_column(Text, default="")
    meeting_endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_endpoint.id", ondelete="SET NULL")
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL")
    )
    group_no: Mapped[int] = mapped_column(Integer, default=0)  # same group: presented together
    ceremony_position: Mapped[int] = mapped_column(Integer, default=0)
    presented_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


# --- journal ------------------------------------------------------------------------------


class JournalEntry(Base):
    """One operation: when, which seat, what, and the row images to undo and redo it."""

    __tablename__ = "journal"
    __table_args__ = (Index("ix_journal_meeting_id", "meeting_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(Integer)  # no FK: outlives a deleted meeting
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    seat: Mapped[str] = mapped_column(String(100), default="")
    op: Mapped[str] = mapped_column(String(100))  # operation name, e.g. "agenda.start_item"
    label: Mapped[str] = mapped_column(String(300))  # human label, e.g. "Start item"
    kind: Mapped[str] = mapped_column(String(10), default="op")  # op | undo | redo
    target_id: Mapped[int | None] = mapped_column(Integer)  # for undo/redo: the op entry
    undone: Mapped[bool] = mapped_column(Boolean, default=False)  # for op entries
    undoable: Mapped[bool] = mapped_column(Boolean, default=True)
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    areas: Mapped[str] = mapped_column(String(200), default="")  # comma-separated
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)
