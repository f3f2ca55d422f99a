"""Translation catalogues: extract the marked strings, update the .po files, compile .mo.

    python scripts/i18n.py extract   # src → resources/locale/meeting_console.pot
    python scripts/i18n.py update    # .pot → resources/locale/{vi,en}/LC_MESSAGES/*.po
    python scripts/i18n.py compile   # .po → .mo (optional: the wheel build compiles, a checkout
                                     #  compiles in memory at start)
    python scripts/i18n.py check     # exit 1 when a catalogue lacks a marked string or keeps a stale one
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "resources" / "locale"
DOMAIN = "meeting_console"
LANGUAGES = ("vi", "en")
POT = LOCALE / f"{DOMAIN}.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def extract() -> None:
    LOCALE.mkdir(parents=True, exist_ok=True)
    pybabel("extract", "-F", "babel.cfg", "-k", "_", "-k", "N_", "-k", "ngettext:1,2",
            "-k", "pgettext:1c,2", "--no-location", "--sort-output", "--omit-header",
            "-o", str(POT), "src")


def update() -> None:
    for lang in LANGUAGES:
        po = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.exists():
            pybabel("update", "-i", str(POT), "-d", str(LOCALE), "-D", DOMAIN, "-l", lang,
                    "--no-fuzzy-matching", "--ignore-obsolete")
        else:
            pybabel("init", "-i", str(POT), "-d", str(LOCALE), "-D", DOMAIN, "-l", lang)


def compile_all() -> None:
    """.po → .mo beside it, with the compiler the wheel build uses (i18n.compile_catalogues)."""
    sys.path.insert(0, str(ROOT / "src"))
    from meeting_console.i18n import compile_catalogues

    compile_catalogues(LOCALE, LOCALE)


def marked_messages(src: Path = ROOT / "src") -> set[tuple[str | None, str]]:
    """(context, msgid) of every string the source marks."""
    from babel.messages.extract import extract_from_dir

    return {
        (msg[4], msg[2] if isinstance(msg[2], str) else msg[2][0])
        for msg in extract_from_dir(str(src), method_map=[("**.py", "python")], keywords=KEYWORDS)
    }


def problems(locale_dir: Path = LOCALE) -> list[str]:
    """What the catalogues lack or keep that the source no longer marks; for Vietnamese also
    what is untranslated or fuzzy (English may leave a string empty: the source is English)."""
    from babel.messages.pofile import read_po

    marked = marked_messages()
    out = []
    for lang in LANGUAGES:
        po = locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po.exists():
            out.append(f"{po}: missing")
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        ids = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}
        for missing in sorted(marked - ids, key=str):
            out.append(f"{po}: lacks {missing[1]!r}" + (f" (context {missing[0]})" if missing[0] else ""))
        for stale in sorted(ids - marked, key=str):
            out.append(f"{po}: stale {stale[1]!r}")
        for m in catalog:
            if not m.id or lang != "vi":
                continue
            if not (m.string if isinstance(m.string, str) else all(m.string)):
                out.append(f"{po}: untranslated {m.id!r}")
            elif m.fuzzy:
                out.append(f"{po}: fuzzy {m.id!r}")
    return out


def main() -> int:
    cmd = sys.argv[1] if len(sys.argv) > 1 else "check"
    if cmd == "extract":
        extract()
    elif cmd == "update":
        extract()
        update()
    elif cmd == "compile":
        compile_all()
    elif cmd == "check":
        found = problems()
        print("\n".join(found) or "catalogues complete")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
