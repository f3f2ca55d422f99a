"""The modules without Qt that the console window needs, imported before PySide6.

Once PySide6 is imported, its feature hook (shibokensupport) sees every further import and
reads the whole source of each new module to look for ``from __feature__`` switches: a few
milliseconds a module on a busy machine, for some fifty core and monitor modules at start-up.
Imported first, they are loaded before the hook exists. No Qt here (import-linter).
"""

from __future__ import annotations

import zoneinfo  # noqa: F401

import platformdirs  # noqa: F401

from meeting_console.core import (  # noqa: F401
    agenda,
    awards,
    catalogue,
    ceremony,
    display,
    endpoints,
    forecast,
    meetings,
    outages,
    people,
    reads,
    speaker_budget,
    speakers,
    verify,
)
from meeting_console.monitor import service  # noqa: F401
from meeting_console.store import backup  # noqa: F401
