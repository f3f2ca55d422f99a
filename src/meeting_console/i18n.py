"""One translation layer, usable without Qt: gettext catalogs in resources/locale.

``_("text")`` marks and translates a user-visible string. Until ``set_language`` is called the
strings pass through unchanged (English source text)."""

from __future__ import annotations

import gettext

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(language: str) -> None:
    global _translation, _language
    from meeting_console.paths import resource

    _language = language
    _translation = gettext.translation(
        "meeting_console", localedir=str(resource("locale")), languages=[language], fallback=True
    )


def language() -> str:
    return _language


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)
