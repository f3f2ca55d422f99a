"""Record tests use the shared ``core`` and ``clock`` fixtures (tests/conftest.py) and read
the PDFs back with pypdf."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader


def pdf_pages(path: Path) -> list[str]:
    """The text of each page, as pypdf extracts it."""
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def pdf_text(path: Path) -> str:
    """The whole text with line breaks turned into spaces (table cells and wrapped lines
    break anywhere), spaces collapsed."""
    return " ".join(" ".join(pdf_pages(path)).split())
