"""The record's language follows the meeting's language, not the UI's (issue 10)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from meeting_console import i18n
from meeting_console.cli import demo_path
from meeting_console.core import meeting_file, meetings
from meeting_console.core.api import Core
from meeting_console.record import build_record
from tests.record.conftest import pdf_text


@pytest.fixture(autouse=True)
def _english_again() -> Iterator[None]:
    yield
    i18n.set_language("en")


@pytest.mark.parametrize("ui, record", [("en", "vi"), ("vi", "en"), ("vi", "vi"), ("en", "en")])
def test_the_record_speaks_the_meetings_language(core: Core, tmp_path: Path, ui: str, record: str) -> None:
    mid = int(meeting_file.import_meeting(core, demo_path()).result)
    meetings.update_meeting(core, mid, language=record)
    i18n.set_language(ui)
    text = pdf_text(build_record(core, mid, tmp_path / "record.pdf"))
    if record == "vi":
        assert "CHƯƠNG TRÌNH" in text or "BIÊN BẢN" in text
        assert "PROGRAMME" not in text and "MINUTES" not in text
    else:
        assert "PROGRAMME" in text or "MINUTES" in text
        assert "CHƯƠNG TRÌNH" not in text and "BIÊN BẢN" not in text
    assert i18n.language() == ui  # building the record changed nothing in the UI's language
