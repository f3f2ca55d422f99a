"""The closed vocabularies of the domain (stored values). Labels for people live in the UI
and record layers, through the translation layer."""

from __future__ import annotations

BODY_TYPES = ("party", "state")
MEETING_FORMS = ("online", "hybrid", "in_person")
MEETING_STATUSES = ("draft", "live", "closed")
LANGUAGES = ("vi", "en")
ITEM_KINDS = ("opening", "report", "draft", "discussion", "commendation", "closing", "other")
ITEM_STATUSES = ("pending", "running", "paused", "done", "skipped")
PERSON_CATEGORIES = ("member", "invited", "press", "staff")
ATTENDANCE = ("unknown", "in_person", "online", "absent")
ENDPOINT_KINDS = ("main_hall", "provincial", "district", "bloc", "commune", "other")
ENDPOINT_STATUSES = ("not_connected", "connected", "unstable", "lost", "left")
SPEAKER_SOURCES = ("advance", "floor", "endpoint")
SPEAKER_STATUSES = ("queued", "held", "speaking", "paused", "done", "withdrawn", "skipped")
RECIPIENT_KINDS = ("individual", "collective")
AWARD_CATEGORIES = (
    "order", "medal", "title", "prize", "certificate", "flag", "commemorative", "other",
)
AUTHORITY_KINDS = ("president", "prime_minister", "central", "province", "local", "other")
