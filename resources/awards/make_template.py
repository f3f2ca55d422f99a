"""Regenerate ``grants-template.xlsx``, the award-list workbook staff fill in for the Excel
import (layout: docs/awards-import.md), from the shipped catalogue.

    python resources/awards/make_template.py
"""

from __future__ import annotations

from pathlib import Path

from meeting_console.core.award_import import write_template
from meeting_console.core.catalogue import load_catalogue

HERE = Path(__file__).resolve().parent


def main() -> None:
    names = [e.name for e in load_catalogue(HERE / "catalogue.yaml")]
    print(write_template(HERE / "grants-template.xlsx", names))


if __name__ == "__main__":
    main()
