"""Vietnamese text: NFC on entry, folding for search, Vietnamese sort keys, mojibake detection."""

from __future__ import annotations

import unicodedata


def nfc(value: str) -> str:
    """Every string that enters the console goes through here."""
    return unicodedata.normalize("NFC", value)
