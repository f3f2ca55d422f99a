"""Stored status values as words inside a sentence (a refusal, a journal label), in the
console's language. In English the word is the stored value itself, so English messages read
as before; other languages translate it ("running" → "đang diễn ra")."""

from __future__ import annotations

from meeting_console.i18n import N_, _

WORDS = {
    # agenda items
    "pending": N_("pending"), "running": N_("running"), "paused": N_("paused"),
    "done": N_("done"), "skipped": N_("skipped"),
    # speakers
    "queued": N_("queued"), "held": N_("held"), "speaking": N_("speaking"),
    "withdrawn": N_("withdrawn"),
    # endpoint links
    "not_connected": N_("not_connected"), "connected": N_("connected"), "unstable": N_("unstable"),
    "lost": N_("lost"), "left": N_("left"),
}


def word(value: str) -> str:
    return _(WORDS[value]) if value in WORDS else value
