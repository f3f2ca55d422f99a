"""The files a desktop needs: the icon in every size, a valid desktop entry, AppStream metadata
that validates and names the package's version as its newest release."""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path

import pytest

from meeting_console import __version__
from meeting_console.credits import APP_ID

ROOT = Path(__file__).resolve().parents[1]
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
ICONS = ROOT / "resources" / "icons"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: scripts/setup.sh installs it (Debian desktop-file-utils, appstream)")
    return path


def test_version_comes_from_pyproject_only() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == metadata.version("meeting-console") == __version__
    init = (ROOT / "src" / "meeting_console" / "__init__.py").read_text(encoding="utf-8")
    assert project["version"] not in init  # no second literal to forget


def test_icon_in_every_size() -> None:
    svg = ET.parse(ICONS / "meeting-console.svg").getroot()
    assert svg.get("viewBox") == "0 0 512 512"
    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        data = (ICONS / f"meeting-console-{size}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (size, size)
    ico = (ICONS / "meeting-console.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 5


def test_desktop_entry_is_valid() -> None:
    p = subprocess.run([_tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True)
    assert p.returncode == 0 and not p.stdout.strip(), p.stdout + p.stderr
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP, encoding="utf-8")
    e = entry["Desktop Entry"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert e["Exec"].split()[0] in scripts  # the console script (and the PyInstaller program's name)
    assert e["Icon"] == APP_ID
    assert e["Name[vi]"] and "điểm cầu" in e["Comment[vi]"]


def test_metainfo_validates_and_follows_the_version() -> None:
    p = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", "--explain", str(METAINFO)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    root = ET.parse(METAINFO).getroot()
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == DESKTOP.name
    assert {e.get(lang) for e in root.findall("summary")} == {None, "vi"}
    assert {e.get(lang) for e in root.findall("name")} == {None, "vi"}
    assert root.find("content_rating").get("type").startswith("oars-")
    releases = root.findall("releases/release")
    assert releases[0].get("version") == __version__, "add a <release> for the new version"
    for image in root.findall("screenshots/screenshot/image"):  # each names a file in docs/
        name = image.text.rsplit("/docs/", 1)[1]
        assert (ROOT / "docs" / name).is_file(), name
