"""Labels for the stored vocabulary values, through the translation layer."""

from __future__ import annotations

from meeting_console.i18n import _


def item_kind(v: str) -> str:
    return {
        "opening": _("Opening"), "report": _("Report"), "draft": _("Draft for comment"),
        "discussion": _("Discussion"), "commendation": _("Commendation"), "closing": _("Closing"),
        "other": _("Other"),
    }.get(v, v)


def item_status(v: str) -> str:
    return {
        "pending": _("Pending"), "running": _("Running"), "paused": _("Paused"),
        "done": _("Done"), "skipped": _("Skipped"),
    }.get(v, v)


def endpoint_kind(v: str) -> str:
    return {
        "main_hall": _("Main hall"), "provincial": _("Provincial People's Committee"),
        "district": _("City / district"), "bloc": _("Bloc committee"),
        "commune": _("Commune / ward"), "other": _("Other"),
    }.get(v, v)


def endpoint_status(v: str) -> str:
    return {
        "not_connected": _("Not yet connected"), "connected": _("Connected"),
        "unstable": _("Unstable"), "lost": _("Lost"), "left": _("Left"),
    }.get(v, v)


def meeting_status(v: str) -> str:
    return {"draft": _("Draft"), "live": _("Live"), "closed": _("Closed")}.get(v, v)


def meeting_form(v: str) -> str:
    return {"online": _("Online"), "hybrid": _("Hybrid"), "in_person": _("In person")}.get(v, v)


def body_type(v: str) -> str:
    return {"party": _("Party body"), "state": _("State body")}.get(v, v)


def person_category(v: str) -> str:
    return {"member": _("Member"), "invited": _("Invited guest"), "press": _("Press"),
            "staff": _("Staff")}.get(v, v)


def attendance(v: str) -> str:
    return {"unknown": _("Not recorded"), "in_person": _("In person"), "online": _("Online"),
            "absent": _("Absent")}.get(v, v)


def speaker_status(v: str) -> str:
    return {"queued": _("Waiting"), "held": _("Held (link lost)"), "speaking": _("Speaking"),
            "paused": _("Paused"), "done": _("Done"), "withdrawn": _("Withdrawn"),
            "skipped": _("Skipped")}.get(v, v)


def speaker_source(v: str) -> str:
    return {"advance": _("Registered in advance"), "floor": _("From the floor"),
            "endpoint": _("From an endpoint")}.get(v, v)


def recipient_kind(v: str) -> str:
    return {"individual": _("Individual"), "collective": _("Collective")}.get(v, v)


def choices(values: tuple[str, ...], label) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(v, label(v)) for v in values]
