"""The translation layer without Qt: choosing the language, the catalogues, their compilation."""

from __future__ import annotations

import gettext
import importlib.util
import io
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from meeting_console import i18n
from meeting_console.i18n import _

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "resources" / "locale"


def _script():  # scripts/i18n.py, the catalogue tool CI and translators use
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(autouse=True)
def _english_again() -> Iterator[None]:
    yield
    i18n.set_language("en")


@pytest.fixture
def no_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", i18n.ENV):
        monkeypatch.delenv(var, raising=False)


# --- which language ------------------------------------------------------------------------


@pytest.mark.parametrize("value, lang", [
    ("vi_VN.UTF-8", "vi"), ("vi", "vi"), ("vi-VN", "vi"), ("Vietnamese_Vietnam.1258", "vi"),
    ("en_GB.UTF-8", "en"), ("en_US", "en"), ("English_United States.1252", "en"),
    ("de_DE.UTF-8", None), ("C", None), ("POSIX", None), ("C.UTF-8", None), ("", None), (None, None),
])
def test_normalise(value: str | None, lang: str | None) -> None:
    assert i18n.normalise(value) == lang


@pytest.mark.parametrize("system", ["de_DE.UTF-8", "fr_FR.UTF-8", "C", "C.UTF-8", "POSIX", "zh_CN.UTF-8"])
def test_first_start_on_an_unsupported_locale_opens_in_vietnamese(no_locale, monkeypatch, system) -> None:
    monkeypatch.setenv("LANG", system)
    assert i18n.saved_language() is None
    assert i18n.choose_language() == "vi"


def test_a_supported_system_language_is_used(no_locale, monkeypatch) -> None:
    monkeypatch.setenv("LANG", "en_AU.UTF-8")
    assert i18n.choose_language() == "en"
    monkeypatch.setenv("LANGUAGE", "de:en")  # GNU's list of preferences: the first we speak
    assert i18n.choose_language() == "en"


def test_precedence_lang_then_env_then_saved_then_system(no_locale, monkeypatch) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    path = i18n.settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    # as QSettings writes it, with the window's other keys around
    path.write_text('[General]\nx=1\n\n[ui]\nlanguage=vi\n\n[window]\ngeometry="@ByteArray(\\x1\\xd9)"\n',
                    encoding="utf-8")
    assert i18n.saved_language() == "vi"
    assert i18n.choose_language() == "vi"  # the saved choice beats the system
    monkeypatch.setenv(i18n.ENV, "en")
    assert i18n.choose_language() == "en"  # the environment beats the saved choice
    assert i18n.choose_language("vi") == "vi"  # --lang beats everything
    path.write_bytes(b"\xff\xfe garbage [ui")
    monkeypatch.delenv(i18n.ENV)
    assert i18n.choose_language() == "en"  # an unreadable file is no choice


def test_translations_switch_and_fall_back() -> None:
    assert _("Agenda") == "Agenda"  # the tests' language: English source text
    i18n.set_language("vi")
    assert i18n.language() == "vi"
    assert _("Agenda") == "Chương trình"
    assert _("Undo {action}").format(action="X") == "Hoàn tác: X"
    assert _("a string nobody marked") == "a string nobody marked"
    assert i18n.pgettext("Qt", "Cancel") == "Hủy"
    n = 3
    assert i18n.ngettext("✘ The database is NOT sound: {n} problem.",
                         "✘ The database is NOT sound: {n} problems.", n).format(n=n) == \
        "✘ Cơ sở dữ liệu KHÔNG tốt: 3 lỗi."
    i18n.set_language("fr")  # not supported: the default language
    assert i18n.language() == "vi"
    i18n.set_language("en")
    assert _("Agenda") == "Agenda"


# --- the catalogues ------------------------------------------------------------------------


def test_catalogues_are_complete() -> None:
    """Every string the source marks is in both catalogues, none is stale, and every
    Vietnamese one is translated and not fuzzy. Fix: python scripts/i18n.py update, then
    translate what it lists."""
    problems = _script().problems()
    assert problems == [], "\n".join(problems[:40])


def test_the_check_finds_a_missing_a_stale_an_empty_and_a_fuzzy_entry(tmp_path: Path) -> None:
    from babel.messages.pofile import read_po, write_po

    script = _script()
    shutil.copytree(LOCALE, tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo", "*.pot"))
    po = tmp_path / "locale" / "vi" / "LC_MESSAGES" / "meeting_console.po"
    with po.open("rb") as fh:
        cat = read_po(fh)
    cat.delete("Agenda")
    cat.add("A string the source no longer marks", "Một chuỗi cũ")
    cat["Speakers"].string = ""
    cat["Awards"].flags.add("fuzzy")
    with po.open("wb") as fh:
        write_po(fh, cat)
    found = script.problems(tmp_path / "locale")
    assert any("lacks 'Agenda'" in p for p in found)
    assert any("stale 'A string the source no longer marks'" in p for p in found)
    assert any("untranslated 'Speakers'" in p for p in found)
    assert any("fuzzy 'Awards'" in p for p in found)
    assert all("/en/" not in p for p in found)


def test_placeholders_survive_translation() -> None:
    """A translation keeps the fields of its source ({name}), or .format() would fail."""
    import re

    field = re.compile(r"\{[^{}]*\}")
    t = i18n.load("vi")
    for key, text in t._catalog.items():  # type: ignore[attr-defined]
        source = key[0] if isinstance(key, tuple) else key
        if source:
            assert sorted(field.findall(source.split("\x04")[-1])) == sorted(field.findall(text)), source


def test_our_compiler_matches_babels() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for lang in i18n.LANGUAGES:
        po = LOCALE / lang / "LC_MESSAGES" / "meeting_console.po"
        with po.open("rb") as fh:
            buf = io.BytesIO()
            write_mo(buf, read_po(fh))
        theirs = gettext.GNUTranslations(io.BytesIO(buf.getvalue()))
        ours = gettext.GNUTranslations(io.BytesIO(i18n.compile_po(po.read_text(encoding="utf-8"))))
        expected = dict(theirs._catalog)  # type: ignore[attr-defined]
        if lang == "en":  # Babel fills untranslated plurals with the ids; gettext falls back the same
            expected = {k: v for k, v in expected.items() if not isinstance(k, tuple)}
        got = dict(ours._catalog)  # type: ignore[attr-defined]
        # the header: Babel writes its own version into "Generated-By" when it compiles
        def header(h: str) -> list[str]:
            return [line for line in h.splitlines() if not line.startswith("Generated-By:")]
        assert header(got.pop("")) == header(expected.pop(""))
        assert got == expected


def test_a_compiled_mo_is_used_and_a_stale_one_is_not(tmp_path: Path, monkeypatch) -> None:
    shutil.copytree(LOCALE, tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo", "*.pot"))
    monkeypatch.setattr(i18n, "locale_dir", lambda: tmp_path / "locale")
    folder = tmp_path / "locale" / "vi" / "LC_MESSAGES"
    written = i18n.compile_catalogues(tmp_path / "locale", tmp_path / "locale")
    assert folder / "meeting_console.mo" in written
    assert i18n.load("vi").gettext("Agenda") == "Chương trình"
    po = folder / "meeting_console.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Chương trình"', 'msgstr "Nghị trình"'),
                  encoding="utf-8")
    mo = folder / "meeting_console.mo"
    import os

    os.utime(mo, (po.stat().st_mtime - 10, po.stat().st_mtime - 10))
    assert i18n.load("vi").gettext("Agenda") == "Nghị trình"  # the .po is newer: read it


# --- the command line ----------------------------------------------------------------------


def test_cli_help_in_vietnamese_with_lang(capsys) -> None:
    from meeting_console import cli

    with pytest.raises(SystemExit):
        cli.main(["--lang", "vi", "--help"])
    out = capsys.readouterr().out
    assert "điều hành hội nghị trực tuyến nhiều điểm cầu" in out
    assert "nhập một tệp hội nghị" in out
    assert out.startswith("cách dùng: meeting-console") and "in hướng dẫn này rồi thoát" in out  # argparse's own
    with pytest.raises(SystemExit):
        cli.main(["--lang=en", "--help"])
    out = capsys.readouterr().out
    assert "import a meeting file" in out and out.startswith("usage: ")


def test_cli_messages_follow_the_language(capsys, tmp_path: Path) -> None:
    from meeting_console import cli

    assert cli.main(["--lang", "vi", "--db", str(tmp_path / "m.db"), "record", "x", "-o", "x.pdf"]) == 2
    assert "mã số hội nghị phải là số" in capsys.readouterr().err
    assert cli.main(["--db", str(tmp_path / "m.db"), "record", "x", "-o", "x.pdf"]) == 2
    assert "meeting id must be a number" in capsys.readouterr().err  # the tests' environment: en


# --- the wheel -----------------------------------------------------------------------------


@pytest.mark.slow
def test_wheel_ships_compiled_catalogues(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(wheels), str(ROOT)], check=True, timeout=600)
    (wheel,) = wheels.glob("meeting_console-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for lang in i18n.LANGUAGES:
        assert f"meeting_console/resources/locale/{lang}/LC_MESSAGES/meeting_console.mo" in names
    assert not [n for n in names if n.endswith((".po", ".pot"))]
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, timeout=300)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(target), "PYTHONSAFEPATH": "1",
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "LANG": "de_DE.UTF-8"}
    out = subprocess.run([sys.executable, "-m", "meeting_console", "--help"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "nhập một tệp hội nghị" in out  # unsupported system locale: Vietnamese, from the .mo


def test_vietnamese_texts_are_unique() -> None:
    """The live switch recognises a text by its translation, so two different English texts
    must not share one Vietnamese text (ui/language.py)."""
    from collections import defaultdict

    sources = defaultdict(list)
    for key, text in i18n.load("vi")._catalog.items():  # type: ignore[attr-defined]
        if isinstance(key, str) and key and "\x04" not in key:
            sources[text].append(key)
    assert {t: s for t, s in sources.items() if len(s) > 1} == {}
