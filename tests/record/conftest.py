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
    break anywhere), spaces collapsed, and the page numbers left out (a sentence may run on
    from one page to the next)."""
    pages = []
    for n, page in enumerate(pdf_pages(path), start=1):
        lines = page.splitlines()
        if n > 1 and lines and lines[0].strip() == str(n):
            lines = lines[1:]
        pages.append(" ".join(lines))
    return " ".join(" ".join(pages).split())
