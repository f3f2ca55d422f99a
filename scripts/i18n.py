"""Translation catalogues: extract the marked strings, update the .po files, compile .mo.

    python scripts/i18n.py extract   # src → resources/locale/meeting_console.pot
    python scripts/i18n.py update    # .pot → resources/locale/{vi,en}/LC_MESSAGES/*.po
    python scripts/i18n.py compile   # .po → .mo (run by setup.sh and the wheel build)
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


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def extract() -> None:
    LOCALE.mkdir(parents=True, exist_ok=True)
    pybabel("extract", "-F", "babel.cfg", "-k", "_", "-k", "ngettext:1,2", "--no-location",
            "--sort-output", "--omit-header", "-o", str(POT), "src")


def update() -> None:
    for lang in LANGUAGES:
        po = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.exists():
            pybabel("update", "-i", str(POT), "-d", str(LOCALE), "-D", DOMAIN, "-l", lang,
                    "--no-fuzzy-matching", "--ignore-obsolete", "--omit-header")
        else:
            pybabel("init", "-i", str(POT), "-d", str(LOCALE), "-D", DOMAIN, "-l", lang)


def compile_all() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        with po.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog)


def problems() -> list[str]:
    """What the catalogues lack or keep that the source no longer marks."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    marked = {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(str(ROOT / "src"), method_map=[("**.py", "python")],
                                    keywords={"_": None, "ngettext": (1, 2)})
    }
    out = []
    for lang in LANGUAGES:
        po = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po.exists():
            out.append(f"{po}: missing")
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        for missing in sorted(marked - ids):
            out.append(f"{po}: lacks {missing!r}")
        for stale in sorted(ids - marked):
            out.append(f"{po}: stale {stale!r}")
        for m in catalog:
            if m.id and lang == "vi" and not (m.string if isinstance(m.string, str) else all(m.string)):
                out.append(f"{po}: untranslated {m.id!r}")
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
