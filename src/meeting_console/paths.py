"""Where the shipped resources are: inside the installed package, or the source tree's
``resources/`` when running from a checkout."""

from __future__ import annotations

from pathlib import Path


def resource_dir() -> Path:
    # The package's own folder, as importlib.resources.files() gives it for an installed
    # package or a PyInstaller build (both unpacked on disk), without importing
    # importlib.resources: ~20 ms of CPU before the first paint (benchmarks/startup.py).
    packaged = Path(__file__).resolve().parent / "resources"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)
