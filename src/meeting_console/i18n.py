"""One translation layer, usable without Qt: gettext catalogs in resources/locale.

``_("text")`` marks and translates a user-visible string; ``N_("text")`` only marks one (a
table built at import time, translated where it is shown); ``pgettext("Qt", "OK")`` translates
in a context. Until ``set_language`` is called the strings pass through unchanged (English
source text), which is what the tests and the library use.

The language is chosen, first found: ``--lang``, ``$MEETING_CONSOLE_LANG``, the choice saved in
the settings, the system locale when it is supported — else Vietnamese, the primary language
of this product's users.

Catalogues: the ``.po`` files are the source (in the repository); the ``.mo`` files are compiled
when the wheel is built (setup.py calls ``compile_po``). Running from a checkout, where no
``.mo`` exists or it is older than its ``.po``, the ``.po`` is compiled in memory at start.
"""

from __future__ import annotations

import configparser
import gettext
import io
import locale
import os
import re
import struct
from pathlib import Path

DOMAIN = "meeting_console"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}  # each in its own language, never translated
ENV = "MEETING_CONSOLE_LANG"

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


# --- marking and translating ------------------------------------------------------------------


def _(message: str) -> str:
    return _translation.gettext(message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark only: the string is translated later, with ``_()``, where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _translation.pgettext(context, message)


# --- the language ---------------------------------------------------------------------------


def language() -> str:
    return _language


def translation() -> gettext.NullTranslations:
    return _translation


def set_language(lang: str) -> None:
    """Switch every later ``_()`` to ``lang`` (unsupported: the default language). A running
    window switches with ``ui.language.switch_language``, which calls this."""
    global _translation, _language
    lang = normalise(lang) or DEFAULT_LANGUAGE
    _translation = load(lang)
    _language = lang


def normalise(value: str | None) -> str | None:
    """'vi_VN.UTF-8', 'vi-VN', 'Vietnamese_Vietnam.1258' → 'vi'; None when not supported."""
    if not value:
        return None
    v = value.strip().lower().replace("-", "_")
    code = v.split(".")[0].split("@")[0].split("_")[0]
    if code in LANGUAGES:
        return code
    for lang, name in (("vi", "vietnamese"), ("en", "english")):
        if v.startswith(name):
            return lang
    return None


def system_language() -> str | None:
    """The system locale's language when it is one we speak."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            # LANGUAGE may list several, 'vi:en'; C/POSIX say nothing about a language
            for part in value.split(":"):
                found = normalise(part)
                if found:
                    return found
            if var != "LANGUAGE":
                break
    if os.name != "nt":
        # not locale.getlocale(): Python maps a C locale to en_US, which is no choice of the user's
        return None
    try:  # pragma: no cover - Windows: the language of the user's Windows
        import ctypes

        lcid = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
        return normalise(locale.windows_locale.get(lcid)) or normalise(locale.getlocale()[0])
    except (AttributeError, OSError, ValueError):  # pragma: no cover
        return None


def settings_file() -> Path:
    """The console's settings file (QSettings INI, written by the window; read here without Qt)."""
    from platformdirs import user_config_path

    return user_config_path("meeting-console", appauthor=False) / "console.ini"


def saved_language() -> str | None:
    path = settings_file()
    if not path.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read(path, encoding="utf-8")
        return normalise(parser.get("ui", "language", fallback=None))
    except (configparser.Error, UnicodeDecodeError):
        return None


def choose_language(requested: str | None = None) -> str:
    """``--lang``, then ``$MEETING_CONSOLE_LANG``, the saved choice, the system's language,
    else Vietnamese."""
    return (normalise(requested) or normalise(os.environ.get(ENV)) or saved_language()
            or system_language() or DEFAULT_LANGUAGE)


# --- catalogues --------------------------------------------------------------------------------


def locale_dir() -> Path:
    from meeting_console.paths import resource

    return resource("locale")


_loaded: dict[tuple[str, str, float], gettext.NullTranslations] = {}


def load(lang: str) -> gettext.NullTranslations:
    """``lang``'s catalogue: the .mo, or the .po when the .mo is missing or older (read once
    per file version)."""
    folder = locale_dir() / lang / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        source = mo
    elif po.is_file():
        source = po
    else:
        return gettext.NullTranslations()
    key = (lang, str(source), source.stat().st_mtime)
    if key not in _loaded:
        data = source.read_bytes() if source is mo else _compiled(source)
        _loaded[key] = gettext.GNUTranslations(io.BytesIO(data))
    return _loaded[key]


def _compiled(po: Path) -> bytes:
    """``po`` compiled, through a cache in the user cache directory (a checkout has no .mo:
    compiling the Vietnamese catalogue at every start cost ~40 ms of CPU, see
    benchmarks/startup.py). Keyed by the file's path, size and time; a cache that cannot be
    read or written is only skipped."""
    import hashlib

    from platformdirs import user_cache_path

    st = po.stat()
    tag = hashlib.sha1(f"{po.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:16]
    cached = user_cache_path("meeting-console", appauthor=False) / "locale" / f"{po.parent.parent.name}-{tag}.mo"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    data = compile_po(po.read_text(encoding="utf-8"))
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        part = cached.with_name(f"{cached.name}.{os.getpid()}.part")
        part.write_bytes(data)
        os.replace(part, cached)
    except OSError:
        pass
    return data


def parse_po(text: str) -> list[dict[str, object]]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list), fuzzy."""
    entries: list[dict[str, object]] = []
    cur: dict[str, object] = {}
    key: str | None = None
    fuzzy = False

    def flush() -> None:
        nonlocal cur, key, fuzzy
        if "msgid" in cur:
            cur["fuzzy"] = fuzzy
            entries.append(cur)
        cur, key, fuzzy = {}, None, False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                if "msgid" in cur:
                    flush()
                fuzzy = True
            elif line.startswith("#~"):
                continue
            elif "msgid" in cur and "msgstr" in cur:
                flush()
            continue
        if line.startswith('"'):
            value = _unquote(line)
            if key == "msgstr":
                strs = cur["msgstr"]
                assert isinstance(strs, list)
                strs[-1] += value
            elif key is not None:
                cur[key] = str(cur[key]) + value
            continue
        word, _sep, rest = line.partition(" ")
        value = _unquote(rest)
        if word in ("msgctxt", "msgid") and "msgstr" in cur:
            flush()
        if word.startswith("msgstr"):
            cur.setdefault("msgstr", []).append(value)  # type: ignore[union-attr]
            key = "msgstr"
        else:
            cur[word] = value
            key = word
    flush()
    return entries


_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def _unquote(quoted: str) -> str:
    quoted = quoted.strip()
    if len(quoted) < 2 or quoted[0] != '"' or quoted[-1] != '"':
        raise ValueError(f"not a quoted .po string: {quoted!r}")
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), quoted[1:-1])


def compile_po(text: str) -> bytes:
    """A .po file's text as the bytes of a GNU .mo file (fuzzy and empty entries left out)."""
    pairs: dict[bytes, bytes] = {}
    for e in parse_po(text):
        strs = [str(s) for s in e.get("msgstr", [])]  # type: ignore[union-attr]
        msgid = str(e["msgid"])
        if (e["fuzzy"] and msgid) or not strs or not all(strs):
            continue
        key = msgid
        if "msgid_plural" in e:
            key += "\0" + str(e["msgid_plural"])
        if "msgctxt" in e:
            key = str(e["msgctxt"]) + "\x04" + key
        pairs[key.encode()] = "\0".join(strs).encode()
    keys = sorted(pairs)
    ids = b"".join(k + b"\0" for k in keys)
    strs_b = b"".join(pairs[k] + b"\0" for k in keys)
    n = len(keys)
    start = 7 * 4 + n * 16  # header, then the two tables of (length, offset)
    offsets_ids, offsets_strs, o1, o2 = [], [], 0, 0
    for k in keys:
        offsets_ids += [len(k), start + o1]
        o1 += len(k) + 1
    for k in keys:
        offsets_strs += [len(pairs[k]), start + len(ids) + o2]
        o2 += len(pairs[k]) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, n, 7 * 4, 7 * 4 + n * 8, 0, 0)
    return (header + struct.pack(f"{2 * n}i", *offsets_ids) + struct.pack(f"{2 * n}i", *offsets_strs)
            + ids + strs_b)


def compile_catalogues(source: Path, target: Path) -> list[Path]:
    """Compile every ``source/<lang>/LC_MESSAGES/*.po`` into ``target`` (the wheel build)."""
    written = []
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        mo.write_bytes(compile_po(po.read_text(encoding="utf-8")))
        written.append(mo)
    return written
