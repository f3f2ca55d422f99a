"""Where the shipped resources are: inside the installed package, or the source tree's
``resources/`` when running from a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_dir() -> Path:
    packaged = resources.files("meeting_console") / "resources"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)
