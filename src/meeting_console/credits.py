"""What the console is built from: its version, the libraries and fonts it ships with, their
licences (texts in resources/licences/ and beside the fonts). No Qt: Help › About shows it, and so
could the command line."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from meeting_console.paths import resource

# reverse-DNS id: the desktop entry's and the AppStream metadata's name (packaging/linux/)
APP_ID = "io.github.meetingconsole.MeetingConsole"

@dataclass(frozen=True)
class Component:
    name: str
    version: str  # "" when unknown (a library left out of this build)
    licence: str  # SPDX-style name
    licence_file: Path
    what: str  # what the console uses it for (English; the UI translates the few words)


# (shown name, distribution, module to ask for its version, licence, licence file, used for)
_LIBRARIES = [
    ("Python", "", "", "PSF-2.0", "Python.txt", "runtime"),
    ("Qt", "", "", "LGPL-3.0-only", "LGPL-3.0.txt", "user interface"),
    ("PySide6", "PySide6-Essentials", "PySide6", "LGPL-3.0-only", "LGPL-3.0.txt", "user interface"),
    ("shiboken6", "shiboken6", "shiboken6", "LGPL-3.0-only", "LGPL-3.0.txt", "user interface"),
    ("qasync", "qasync", "qasync", "BSD-2-Clause", "qasync.txt", "user interface"),
    ("SQLAlchemy", "SQLAlchemy", "sqlalchemy", "MIT", "SQLAlchemy.txt", "database"),
    ("Alembic", "alembic", "alembic", "MIT", "alembic.txt", "database"),
    ("Mako", "Mako", "mako", "MIT", "Mako.txt", "database"),
    ("MarkupSafe", "MarkupSafe", "markupsafe", "BSD-3-Clause", "MarkupSafe.txt", "database"),
    ("psycopg", "psycopg", "psycopg", "LGPL-3.0-only", "LGPL-3.0.txt", "database"),
    ("ReportLab", "reportlab", "reportlab", "BSD-3-Clause", "reportlab.txt", "session record"),
    ("Pillow", "pillow", "PIL", "MIT-CMU", "pillow.txt", "session record"),
    ("charset-normalizer", "charset_normalizer", "charset_normalizer", "MIT",
     "charset_normalizer.txt", "session record"),
    ("openpyxl", "openpyxl", "openpyxl", "MIT", "openpyxl.txt", "award lists"),
    ("et_xmlfile", "et_xmlfile", "et_xmlfile", "MIT", "et_xmlfile.txt", "award lists"),
    ("defusedxml", "defusedxml", "defusedxml", "PSF-2.0", "defusedxml.txt", "award lists"),
    ("PyYAML", "PyYAML", "yaml", "MIT", "PyYAML.txt", "meeting files"),
    ("platformdirs", "platformdirs", "platformdirs", "MIT", "platformdirs.txt", "files"),
    ("tzdata", "tzdata", "tzdata", "Apache-2.0", "tzdata.txt", "time zones"),
    ("typing_extensions", "typing_extensions", "typing_extensions", "PSF-2.0",
     "typing_extensions.txt", "runtime"),
]


def _version(dist: str, module: str) -> str:
    """From the distribution's metadata; else the module's own attribute (a PyInstaller build keeps
    no metadata of most libraries)."""
    from importlib import metadata  # here, not at import: the console's start needs only APP_ID

    try:
        return metadata.version(dist)
    except (metadata.PackageNotFoundError, ValueError):
        pass
    mod = sys.modules.get(module)
    if mod is None:
        try:
            mod = __import__(module)
        except Exception:  # a library left out of this build (psycopg without .[postgres])
            return ""
    for attr in ("__version__", "Version", "VERSION", "IANA_VERSION"):
        value = getattr(mod, attr, None)
        if isinstance(value, str):
            return value
    return "?"


def libraries(qt_version: str = "") -> list[Component]:
    """The libraries this installation runs on; ``qt_version`` from the UI (core knows no Qt)."""
    out = []
    for name, dist, module, licence, file, what in _LIBRARIES:
        if name == "Python":
            version = sys.version.split()[0]
        elif name == "Qt":
            version = qt_version
        else:
            version = _version(dist, module)
            if not version:
                continue
        out.append(Component(name, version, licence, resource("licences", file), what))
    return out


_FONT_LICENCES = [("Open Font License", "OFL-1.1"), ("Apache License", "Apache-2.0"),
                  ("Ubuntu Font Licence", "UFL-1.0"), ("Bitstream Vera", "Bitstream-Vera"),
                  ("GNU General Public License", "GPL")]


def fonts() -> list[Component]:
    """One entry per licence file in resources/fonts (``LICENSE-<name>.txt``, ``OFL*.txt``)."""
    root = resource("fonts")
    out = []
    for path in sorted(root.rglob("*")):
        if not (path.is_file() and re.match(r"(LICEN[SC]E|OFL|COPYING)", path.name, re.I)):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        upstream = re.search(r"^Upstream-Name:\s*(.+)$", text, re.M)
        stem = re.sub(r"^(LICEN[SC]E|OFL|COPYING)[-_ ]?", "", path.stem, flags=re.I) or path.parent.name
        name = upstream.group(1).strip() if upstream else re.sub(r"(?<=[a-z])(?=[A-Z])", " ", stem)
        licence = next((spdx for words, spdx in _FONT_LICENCES if words.lower() in text.lower()), "")
        out.append(Component(name, "", licence or "see the licence text", path, "fonts"))
    return out


def application() -> Component:
    from meeting_console import __version__

    return Component("Meeting Console", __version__, "MIT", resource("licences", "MeetingConsole.txt"),
                     "")


_SOURCES = {"Qt": "https://download.qt.io/official_releases/qt/",
            "PySide6": "https://download.qt.io/official_releases/QtForPython/",
            "shiboken6": "https://download.qt.io/official_releases/QtForPython/",
            "psycopg": "https://github.com/psycopg/psycopg"}


def source_url(component: Component) -> str:
    return _SOURCES.get(component.name, "https://pypi.org/project/" + component.name)


def gpl3() -> Component:
    """The GPL 3, on which the LGPL 3 builds (shown after it)."""
    return Component("GPL", "", "GPL-3.0", resource("licences", "GPL-3.0.txt"), "")


def licence_text(component: Component) -> str:
    try:
        return component.licence_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
