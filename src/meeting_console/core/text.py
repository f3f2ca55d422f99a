"""Vietnamese text: NFC on entry, folding for search, Vietnamese sort keys, mojibake detection.

Pure standard-library functions (no Qt, no ICU) shared by the core, the store and the UI:

- :func:`nfc` and :func:`clean_text` for every string that enters the console;
- :func:`fold` and :func:`matches` for search and duplicate detection, blind to case, accents,
  tone marks and tone placement ("Hòa" = "Hoà");
- :func:`vi_sort_key` and :func:`name_sort_key` for the Vietnamese collation order (ICU/CLDR
  ``vi``): a < ă < â, d < đ, e < ê, o < ô < ơ, u < ư; tones as secondary differences;
- :func:`detect_mojibake`, :func:`decode_legacy` and :func:`encode_legacy` for text typed in the
  legacy TCVN3 (ABC) and VNI-Windows 8-bit encodings and then read as Windows-1252/Latin-1.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from meeting_console.i18n import _

__all__ = [
    "clean_text",
    "decode_legacy",
    "detect_mojibake",
    "encode_legacy",
    "fold",
    "matches",
    "name_sort_key",
    "nfc",
    "vi_sort_key",
]


def nfc(value: str) -> str:
    """Every string that enters the console goes through here: Unicode NFC.

    Every Vietnamese letter exists precomposed, and reportlab does no shaping, so decomposed
    tone marks would print misplaced.
    """
    return unicodedata.normalize("NFC", value)


# --------------------------------------------------------------------------- entry

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_SEPARATORS = frozenset("\u2028\u2029")
# Whitespace stripped from both ends. Unlike str.strip() this leaves the C0/C1 controls that
# Python counts as whitespace (U+001C..U+001F, U+0085) in place, so they are refused, not hidden.
_STRIP = (
    " \t\n\r\x0b\x0c\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)


def clean_text(
    value: str, *, field: str = "", max_len: int | None = None, multiline: bool = False
) -> str:
    """Normalize typed, pasted or imported text, or refuse it.

    Returns ``value`` in NFC with surrounding whitespace removed. In ``multiline`` text, CR LF,
    lone CR and U+2028/U+2029 become ``\\n``. Raises :class:`ValueError` with a one-line message
    starting with ``field`` when the text holds a control character (``\\n`` and ``\\t`` are
    allowed in multiline text only), a bidi override or isolate (U+202A–U+202E, U+2066–U+2069,
    which can make a name display differently from what it is), a lone surrogate, or is longer
    than ``max_len`` code points. Callers turn the ValueError into their own error type.
    """
    label = field or "text"
    text = nfc(value)
    if multiline:
        text = re.sub("\r\n?|[\u2028\u2029]", "\n", text)
    text = nfc(text.strip(_STRIP))
    for pos, ch in enumerate(text, start=1):
        if ch in _BIDI_CONTROLS:
            raise ValueError(
                _("{field}: contains a bidirectional control character ({code}) at position "
                  "{pos}").format(field=label, code=f"U+{ord(ch):04X}", pos=pos)
            )
        if ch in "\n\r" or ch in _LINE_SEPARATORS:
            if multiline and ch == "\n":
                continue
            raise ValueError(_("{field}: must be a single line (line break at position "
                               "{pos})").format(field=label, pos=pos))
        if ch == "\t" and multiline:
            continue
        category = unicodedata.category(ch)
        if category == "Cc":
            raise ValueError(
                _("{field}: contains a control character ({code}) at position {pos}").format(
                    field=label, code=f"U+{ord(ch):04X}", pos=pos)
            )
        if category == "Cs":
            raise ValueError(
                _("{field}: contains an invalid character ({code}) at position {pos}").format(
                    field=label, code=f"U+{ord(ch):04X}", pos=pos)
            )
    if max_len is not None and len(text) > max_len:
        raise ValueError(_("{field}: longer than {limit} characters ({n})").format(
            field=label, limit=max_len, n=len(text)))
    return text


# --------------------------------------------------------------------------- search


def _fold_once(value: str) -> str:
    text = unicodedata.normalize("NFD", value.casefold())
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))
    # đ has no decomposition; Ð/ð (Icelandic eth) is a common stand-in for Đ in old data.
    text = text.replace("đ", "d").replace("ð", "d")
    return " ".join(text.split())


def fold(value: str) -> str:
    """Search key ignoring case, accents, tone marks and tone placement; for search only.

    NFD, combining marks dropped, đ/Đ → d, casefolded, runs of whitespace collapsed to one
    space: ``fold("Sơn Dương") == fold("son duong")``, ``fold("Hoà") == fold("Hòa")``. The
    original text is what gets displayed; the key is idempotent.
    """
    folded = _fold_once(value)
    for _round in range(3):  # casefolding can expose new marks (İ → i + U+0307); reach a fixed point
        again = _fold_once(folded)
        if again == folded:
            break
        folded = again
    return folded


def matches(query: str, text: str) -> bool:
    """True if every whitespace-separated word of ``query`` occurs, folded, in ``text``.

    Each word is a substring match on :func:`fold` of ``text``, in any order: "duong son"
    matches "Sơn Dương", "hoa" matches "Chiêm Hóa". An empty query matches everything.
    """
    haystack = fold(text)
    return all(word in haystack for word in fold(query).split())


# --------------------------------------------------------------------------- collation

_ALPHABET = (
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m",
    "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
)  # fmt: skip
_ALPHA_INDEX = {letter: i for i, letter in enumerate(_ALPHABET)}
# Vowel modifiers that make a Vietnamese base letter (a primary difference), by base letter.
_MODIFIERS = {
    "a": {"\u0306": "ă", "\u0302": "â"},
    "e": {"\u0302": "ê"},
    "o": {"\u0302": "ô", "\u031b": "ơ"},
    "u": {"\u031b": "ư"},
}
# Tone marks as secondary weights: ngang (none) < huyền < hỏi < ngã < sắc < nặng.
_TONE_WEIGHT = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_TONE_MARKS = frozenset(_TONE_WEIGHT)

# Primary weight groups, in ICU's order: spaces < punctuation < symbols < digits < letters.
_W_SPACE = 1
_W_PUNCT = 10_000_000
_W_SYMBOL = 20_000_000
_W_DIGIT = 30_000_000
_W_LETTER = 40_000_000
_W_OTHER_LETTER = _W_LETTER + 1000  # letters outside the Vietnamese alphabet, by code point

LevelsKey = tuple[tuple[int, ...], tuple[tuple[int, ...], ...], tuple[int, ...]]
SortKey = tuple[tuple[int, ...], tuple[tuple[int, ...], ...], tuple[int, ...], str]


def _units(text: str) -> list[tuple[str, list[str]]]:
    """Split NFD text into (base character, combining marks) units."""
    units: list[tuple[str, list[str]]] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.category(ch).startswith("M"):
            if not units:
                units.append(("", []))
            units[-1][1].append(ch)
        else:
            units.append((ch, []))
    return units


def _mark_weight(mark: str) -> int:
    return _TONE_WEIGHT.get(mark, 100 + ord(mark))


def _letter_primaries(base: str, marks: list[str]) -> tuple[list[int], list[str], bool]:
    """Primary weights of a letter, the marks left over as secondary differences, and whether
    the letter is a variant form (ß for ss, Ð for Đ) that differs at the tertiary level."""
    low = base.lower()
    if len(low) != 1:
        low = base
    if low == "ð":
        return [_W_LETTER + _ALPHA_INDEX["đ"]], marks, True
    modifiers = _MODIFIERS.get(low)
    if modifiers:
        for i, mark in enumerate(marks):
            if mark in modifiers:
                weight = _W_LETTER + _ALPHA_INDEX[modifiers[mark]]
                return [weight], marks[:i] + marks[i + 1 :], False
    if low in _ALPHA_INDEX:
        return [_W_LETTER + _ALPHA_INDEX[low]], marks, False
    # ß → ss, ﬁ → fi, æ stays itself: expand compatibility forms into the alphabet if they fit.
    expanded = "".join(
        c
        for c in unicodedata.normalize("NFKD", base.casefold())
        if not unicodedata.category(c).startswith("M")
    )
    if expanded and expanded != low and all(c in _ALPHA_INDEX for c in expanded):
        return [_W_LETTER + _ALPHA_INDEX[c] for c in expanded], marks, True
    return [_W_OTHER_LETTER + ord(low)], marks, False


def vi_sort_key(value: str) -> SortKey:
    """Sort key for Vietnamese collation (after ICU/CLDR ``vi``), without ICU.

    The key compares, like ICU, the whole string level by level:

    1. primary: base letters in Vietnamese order — a < ă < â < b < c < d < đ < e < ê … o < ô <
       ơ … u < ư … z; spaces < punctuation < symbols < digits < letters; other letters (ß, æ,
       Greek, Cyrillic …) after z by code point, compatibility forms expanded (ß = ss);
    2. secondary: per word (run of letters) its tone — ngang < huyền < hỏi < ngã < sắc < nặng —
       then other accents. The tone belongs to the syllable, so "Hoà" and "Hòa" tie here;
    3. tertiary: lower case before upper case, plain letters before variant forms (ss < ß);
    4. the NFC string itself, so that two keys are equal exactly when the NFC strings are.

    Controls and format characters (zero-width space …) are ignored at the primary level.
    """
    text = nfc(value)
    primary: list[int] = []
    segments: list[list[int]] = []
    tertiary: list[int] = []
    run: list[int] | None = None  # mark weights of the current run of letters
    for base, marks in _units(text):
        category = unicodedata.category(base) if base else "Mn"
        if category.startswith("L"):
            weights, rest, variant = _letter_primaries(base, marks)
            if run is None:
                run = []
                segments.append(run)
            run.extend(_mark_weight(m) for m in rest)
            primary.extend(weights)
            case = (1 if base != base.lower() else 0) + (2 if variant else 0)
            tertiary.extend(case for _ in weights)
            continue
        if category in ("Cc", "Cf", "Mn"):  # ignorable; keep any marks with the current run
            if marks:
                if run is None:
                    run = []
                    segments.append(run)
                run.extend(_mark_weight(m) for m in marks)
            continue
        run = None
        if base.isspace():
            primary.append(_W_SPACE)
        elif category == "Nd":
            primary.append(_W_DIGIT + unicodedata.digit(base, 0))
        elif category.startswith("N"):
            primary.append(_W_DIGIT + 1000 + ord(base))
        elif category.startswith("P"):
            primary.append(_W_PUNCT + ord(base))
        else:
            primary.append(_W_SYMBOL + ord(base))
        segments.append([_mark_weight(m) for m in marks])
        tertiary.append(0)
    return (tuple(primary), tuple(tuple(s) for s in segments), tuple(tertiary), text)


def name_sort_key(full_name: str) -> tuple[LevelsKey, SortKey]:
    """Sort key for a Vietnamese person's name: the given name (last word) first, then the full
    name from the start, both by :func:`vi_sort_key`.

    "Nguyễn Văn Sơn" sorts under "Sơn"; two people called Sơn sort by their full names. The given
    name is compared on its primary, secondary and tertiary levels only, so that "Lê Hòa" and
    "Trần Hoà" are ordered by surname rather than by where the tone mark sits.
    """
    words = nfc(full_name).split()
    given = words[-1] if words else ""
    primary, secondary, tertiary, _ = vi_sort_key(given)
    return ((primary, secondary, tertiary), vi_sort_key(" ".join(words)))


# --------------------------------------------------------------------------- legacy encodings

_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # ngang huyền hỏi ngã sắc nặng

# TCVN3 (ABC, TCVN 5712:1993 VN3): one byte per lower-case letter, by tone in _TONES order.
# Upper-case toned letters have no code of their own: .VnTimeH fonts draw the lower-case codes
# as capitals. Only Ă Â Ê Ô Ơ Ư Đ have upper-case codes (0xA1–0xA7).
_TCVN3_ROWS = {
    "a": (None, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "a\u0306": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),  # ă
    "a\u0302": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB),  # â
    "e": (None, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "e\u0302": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6),  # ê
    "i": (None, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (None, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "o\u0302": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),  # ô
    "o\u031b": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE),  # ơ
    "u": (None, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "u\u031b": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9),  # ư
    "y": (None, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
_TCVN3_SINGLES = {
    "đ": 0xAE,
    "Ă": 0xA1,
    "Â": 0xA2,
    "Ê": 0xA3,
    "Ô": 0xA4,
    "Ơ": 0xA5,
    "Ư": 0xA6,
    "Đ": 0xA7,
}

# VNI-Windows: a base letter plus a second byte for the tone, or for circumflex/breve + tone;
# ơ, ư, đ and the toned i (and ỵ) are single bytes. Tables by tone in _TONES order.
_VNI_TONE = ("", "ø", "û", "õ", "ù", "ï")
_VNI_CIRCUMFLEX = ("â", "à", "å", "ã", "á", "ä")
_VNI_BREVE = ("ê", "è", "ú", "ü", "é", "ë")
_VNI_I = ("i", "ì", "æ", "ó", "í", "ò")
_VNI_Y_DOT = "î"  # ỵ is a single byte, unlike the other toned y


def _build_tcvn3() -> tuple[dict[str, bytes], dict[str, str]]:
    encode: dict[str, bytes] = {}
    for base, codes in _TCVN3_ROWS.items():
        for tone, byte in zip(_TONES, codes, strict=True):
            if byte is not None:
                encode[nfc(base + tone)] = bytes([byte])
    for letter, byte in _TCVN3_SINGLES.items():
        encode[letter] = bytes([byte])
    decode = {code.decode("latin-1"): letter for letter, code in encode.items()}
    # .VnTimeH convention: upper-case toned letters use the lower-case codes.
    for letter, code in list(encode.items()):
        upper = letter.upper()
        if upper != letter and upper not in encode:
            encode[upper] = code
    return encode, decode


def _build_vni() -> tuple[dict[str, bytes], dict[str, str]]:
    encode: dict[str, str] = {}
    for upper in (False, True):

        def case(s: str, upper: bool = upper) -> str:
            return s.upper() if upper else s

        for i, tone in enumerate(_TONES):
            suffix = case(_VNI_TONE[i])
            for base in "aeouy":
                encode[nfc(case(base) + tone)] = case(base) + suffix
            encode[nfc(case("o") + "\u031b" + tone)] = case("ô") + suffix  # ơ
            encode[nfc(case("u") + "\u031b" + tone)] = case("ö") + suffix  # ư
            for base in "aeo":
                encode[nfc(case(base) + "\u0302" + tone)] = case(base) + case(_VNI_CIRCUMFLEX[i])
            encode[nfc(case("a") + "\u0306" + tone)] = case("a") + case(_VNI_BREVE[i])
            encode[nfc(case("i") + tone)] = case(_VNI_I[i])
        encode[nfc(case("y") + "\u0323")] = case(_VNI_Y_DOT)
        encode[case("đ")] = case("ñ")
    encode = {letter: code for letter, code in encode.items() if not letter.isascii()}
    decode = {code: letter for letter, code in encode.items()}
    # A tone byte typed in the other case still belongs to the letter before it.
    for code, letter in list(decode.items()):
        if len(code) == 2:
            for variant in (code[0] + code[1].upper(), code[0] + code[1].lower()):
                decode.setdefault(variant, letter)
    return {k: v.encode("latin-1") for k, v in encode.items()}, decode


_TCVN3_ENCODE, _TCVN3_DECODE = _build_tcvn3()
_VNI_ENCODE, _VNI_DECODE = _build_vni()
_VNI_MODIFIERS = frozenset(code[1] for code in _VNI_DECODE if len(code) == 2)
_ENCODINGS = {"TCVN3": "TCVN3", "ABC": "TCVN3", "VNI": "VNI", "VNI-WINDOWS": "VNI"}


def _encoding(name: str) -> str:
    try:
        return _ENCODINGS[name.strip().upper()]
    except KeyError:
        raise ValueError(f"unknown legacy encoding {name!r} (TCVN3 or VNI)") from None


def encode_legacy(value: str, encoding: str) -> bytes:
    """Encode Unicode text as TCVN3 or VNI-Windows bytes (what an old office file holds).

    ASCII passes through. In TCVN3, upper-case toned letters get the lower-case codes (the
    .VnTimeH convention), so they come back lower case unless the word is in capitals (see
    :func:`decode_legacy`). Raises :class:`ValueError` for a character the encoding lacks.
    """
    table = _TCVN3_ENCODE if _encoding(encoding) == "TCVN3" else _VNI_ENCODE
    out = bytearray()
    for pos, ch in enumerate(nfc(value), start=1):
        if ch < "\x80":
            out.append(ord(ch))
        elif ch in table:
            out += table[ch]
        else:
            raise ValueError(f"{encoding}: no code for {ch!r} (U+{ord(ch):04X}) at position {pos}")
    return bytes(out)


def _decode_marked(text: str, encoding: str) -> list[tuple[str, bool]]:
    """Decode legacy mojibake; each output character comes with whether a table produced it."""
    out: list[tuple[str, bool]] = []
    if encoding == "TCVN3":
        for ch in text:
            letter = _TCVN3_DECODE.get(ch)
            out.append((letter, True) if letter else (ch, False))
        return out
    i = 0
    while i < len(text):
        pair = _VNI_DECODE.get(text[i : i + 2]) if i + 1 < len(text) else None
        if pair:
            out.append((pair, True))
            i += 2
            continue
        single = _VNI_DECODE.get(text[i])
        out.append((single, True) if single else (text[i], False))
        i += 1
    return out


def _restore_capitals(chars: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """TCVN3 upper-case toned letters share the lower-case codes: capitalize them in capitals.

    A decoded lower-case letter becomes upper case when the whole text is in capitals, or when
    its word has at least two other cased letters, all upper case.
    """

    def capitals(items: Iterable[tuple[str, bool]], minimum: int) -> bool:
        # Decoded lower-case letters are ambiguous; everything else cased is evidence.
        cased = [
            c for c, mapped in items if c.lower() != c.upper() and not (mapped and c.islower())
        ]
        return len(cased) >= minimum and all(c.isupper() for c in cased)

    if capitals(chars, 3):
        return [(c.upper() if mapped else c, mapped) for c, mapped in chars]
    result: list[tuple[str, bool]] = []
    word: list[tuple[str, bool]] = []
    for item in [*chars, (" ", False)]:
        if not item[0].isspace():
            word.append(item)
            continue
        if capitals(word, 2):
            word = [(c.upper() if mapped else c, mapped) for c, mapped in word]
        result.extend(word)
        result.append(item)
        word = []
    return result[:-1]


def decode_legacy(value: str, encoding: str) -> str:
    """Repair TCVN3 or VNI-Windows text that was read as Windows-1252/Latin-1 (best effort).

    ``encoding`` is "TCVN3" (or "ABC") or "VNI" (or "VNI-Windows"). Characters the table does
    not know are kept as they are. TCVN3 has no upper-case codes for most toned letters, so they
    are restored as capitals only inside words or texts written in capitals.
    """
    enc = _encoding(encoding)
    chars = _decode_marked(nfc(value), enc)
    if enc == "TCVN3":
        chars = _restore_capitals(chars)
    return nfc("".join(c for c, _ in chars))


# A Vietnamese syllable: initial consonant, vowel nucleus, final consonant, one tone at most,
# placed on the nucleus's main vowel. Used only to tell decoded Vietnamese from other text.
_INITIALS = (
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
    "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
)  # fmt: skip
_FINALS = ("", "c", "ch", "m", "n", "ng", "nh", "p", "t")
# Nuclei ending in a glide take no final consonant; the tone sits on their first vowel when they
# have two letters, on the middle one when they have three.
_OPEN_NUCLEI = frozenset(
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu "
    "iêu yêu oai oao oay oeo uây uôi uya uyu ươi ươu".split()
)
_CLOSED_NUCLEI = frozenset(
    "a ă â e ê i o ô ơ u ư y oa oă oe oo uâ uê uơ uy iê yê uô ươ uyê".split()
)
_NEEDS_FINAL = frozenset("ă â oă oo uâ iê yê uô ươ uyê".split())
_PALATAL_FINAL_NUCLEI = frozenset("a ê i y oa uê uy".split())  # the only ones before -ch, -nh
_STOP_FINALS = frozenset(("c", "ch", "p", "t"))
_STOP_TONES = frozenset(("\u0301", "\u0323"))  # after -c -ch -p -t only sắc or nặng
_VI_ONLY = frozenset("ăĂđĐĩĨũŨơƠưƯ") | frozenset(map(chr, range(0x1EA0, 0x1EFA)))
_EDGE_PUNCT = "".join(chr(c) for c in range(0x21, 0x80) if not chr(c).isalnum()) + "“”‘’…–—"


def _tone_on_main_vowel(nucleus: str, index: int, final: str) -> bool:
    if len(nucleus) == 1:
        return index == 0
    if nucleus in ("oa", "oe", "uy") and not final:
        return index in (0, 1)  # both the old (hòa) and the new (hoà) placement
    if nucleus == "uyê":
        return index == 2
    if len(nucleus) == 2:
        return index == (0 if nucleus in _OPEN_NUCLEI else 1)
    return index == 1


def _is_syllable(word: str) -> bool:
    """Whether ``word`` is one well-formed Vietnamese syllable (letters only, one tone)."""
    bases: list[str] = []
    tones: list[tuple[str, int]] = []  # (tone mark, index of the letter carrying it)
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONE_MARKS:
            tones.append((ch, len(bases) - 1))
        elif unicodedata.category(ch).startswith("M") and bases:
            bases[-1] += ch
        else:
            bases.append(ch)
    if len(tones) > 1 or (tones and tones[0][1] < 0):
        return False
    bare = nfc("".join(bases))
    if len(bare) != len(bases):
        return False  # a mark that does not compose with its letter
    tone, at = tones[0] if tones else ("", -1)
    for initial in _INITIALS:
        if not bare.startswith(initial):
            continue
        rest = bare[len(initial) :]
        for final in _FINALS:
            if not rest.endswith(final):
                continue
            nucleus = rest[: len(rest) - len(final)]
            if final and nucleus in _OPEN_NUCLEI:
                continue
            if nucleus not in _OPEN_NUCLEI and nucleus not in _CLOSED_NUCLEI:
                continue
            if not final and nucleus in _NEEDS_FINAL:
                continue
            if final in ("ch", "nh") and nucleus not in _PALATAL_FINAL_NUCLEI:
                continue
            if final in _STOP_FINALS and tone not in _STOP_TONES:
                continue
            if tone and not _tone_on_main_vowel(nucleus, at - len(initial), final):
                continue
            return True
    return False


def _mojibake_score(text: str, encoding: str) -> tuple[int, int]:
    """(words that read as Vietnamese once decoded, two-byte letters used), or (0, 0) when the
    decoding is not credible."""
    considered = valid_before = valid_after = changed = evidence = against = pairs = 0
    for token in re.split(r"[\s/]+", text):
        for part in token.split("-"):
            core = part.strip(_EDGE_PUNCT)
            chars = _decode_marked(core, encoding)
            decoded = "".join(c for c, _ in chars)
            if not any(c.isalpha() for c in decoded):
                continue
            considered += 1
            pairs += len(core) - len(chars)  # VNI letters written with two bytes
            before, after = _is_syllable(core), _is_syllable(decoded)
            valid_before += before
            valid_after += after
            mapped = any(m for _, m in chars)
            # A non-ASCII character the table did not produce cannot come from this encoding.
            stray = any(
                not m and c >= "\x80" and (c.isalpha() or c in _VNI_MODIFIERS) for c, m in chars
            )
            changed += mapped
            if mapped and after and any("a" <= c.lower() <= "z" for c in decoded):
                evidence += 1
            if stray or (mapped and not after):
                against += 1
    credible = (
        evidence >= 1
        and valid_after > valid_before
        and valid_after >= 0.6 * considered
        and against <= 0.2 * max(changed, 1)
    )
    return (valid_after, pairs) if credible else (0, 0)


def detect_mojibake(value: str) -> str | None:
    """Say whether text looks like Vietnamese typed in TCVN3 or VNI and read as Windows-1252.

    Returns "TCVN3", "VNI" or None. Text holding letters that only Unicode Vietnamese has (ă, đ,
    ơ, ư, ạ …) is taken as genuine. Otherwise the text is decoded with each table, and flagged
    when the decoded words are well-formed Vietnamese syllables while the words as read are
    not: "Hu©n ch­¬ng" (TCVN3) and "Huaân chöông" (VNI) are flagged; "café crème", "Straße",
    "Tôi là" are not. Short or mixed texts can be ambiguous; then the answer is None.
    """
    text = nfc(value)
    if text.isascii() or any(ch in _VI_ONLY for ch in text):
        return None
    # When both decodings read as Vietnamese equally well, VNI's base-letter + tone-byte pairs
    # are the more specific sign ("thoâng" is VNI "thông" more likely than TCVN3 "thoõng").
    tcvn3, vni = _mojibake_score(text, "TCVN3"), _mojibake_score(text, "VNI")
    if tcvn3 == vni:
        return None
    return "TCVN3" if tcvn3 > vni else "VNI"
