"""Vietnamese place names: normalisation, comparison keys and matching within a parent unit.

The same village, commune or district is spelt many ways across the GSO code list, GADM, the
2019 census, GeoNames and planners' spreadsheets: with or without the administrative prefix
("Xã", "X.", "Thị trấn", "TDP"), with the tone mark on either vowel ("Hoà"/"Hòa"), with Roman
or Arabic numbers ("Thôn III"/"Thôn 3"), with the spaces lost ("MườngChà", "Thịtrấn") or the
diacritics lost ("Ngoi Cay"), in any case. Nothing here is a hand-written list of place names:
every rule is about the writing system, and every key is computed from the name alone.

Two keys are used for comparison:

* :func:`name_key` keeps the diacritics: NFC, one tone placement, casefolded, administrative
  prefix removed, Roman numerals as Arabic, punctuation as spaces. Two names with the same
  ``name_key`` are the same name.
* :func:`ascii_key` also drops the diacritics (and, with ``compact=True``, the spaces). Two
  names with the same ``ascii_key`` are the same name up to tones and vowel marks, which is
  how names differ between sources ("Ngồi Cáy"/"Ngối Cáy") but also how two different units
  can collide, so a match on it is reported as ``normalised``, not ``exact``.

:func:`match_within` matches a table of names to a table of candidates within a group (the
communes of one district, say) and says how each match was made; a low or tied score is
reported as ``none`` or ``ambiguous``, never silently accepted.

Prefix rules
------------
Prefixes are removed only at the start of a name, case-insensitively, followed by a space, a
dot, a digit ("Q1", "TDP5") or a capital letter glued to it ("XãNgốiCáy"); never when the
prefix is the whole name ("Bản" alone stays). Words of a prefix may be glued ("Thịtrấn").
A run of prefixes is removed ("Xã Bản Xá" with ``level=None`` gives "Xá"; with
``level="commune"``, "Bản" is not a commune prefix and "Bản Xá" is kept), which is what makes
the keys idempotent. The one-letter abbreviations "X.", "H.", "Q.", "P." need their dot, or a
number after them ("Q1", "P 12", "P. IV"): "X Hua Thanh" keeps its "X".

:func:`name_key` recognises a prefix written with its diacritics ("Xã", "Phường") or in a form
that cannot be another word ("thi tran", "thanh pho", "TP", "tdp", "thon"). A bare ASCII
"Xa", "Phuong", "Quan", "Ban", "To", "Lang", "Tinh" is kept there, because it may be the name
itself ("Xã Xa Dung", "Xã Phương Trung", "Huyện Quan Hóa"). :func:`ascii_key` has lost the
diacritics that tell them apart, so it removes every prefix of the level in its ASCII form:
"Xa Ngoi Cay" and "Xã Ngối Cáy" get the same key, and so do "Huyện Quan Hóa" and
"Huyen Quan Hoa" (both "hoa"). This can make two different names collide ("Phương Trung" and
"Trung" in one district): when both are candidates :func:`match_within` reports
``ambiguous``; it tries the diacritics-keeping :func:`name_key` first, so "Xã Phương Trung"
still finds its own commune exactly.

Tone placement
--------------
:func:`normalise_tones` uses the traditional ("old") placement, the one in GSO's code list:
in an open syllable with two vowels the mark goes on the first ("hòa", "khỏe", "thủy",
"múa"); see :func:`normalise_tones` for the whole rule.

Roman numerals
--------------
:func:`roman_to_arabic` turns a token written only with I, V and X that is a valid numeral from
1 to 30 into its number ("Nậm Chan III" → "Nậm Chan 3", "Thôn X" → "Thôn 10"), in any case.
A one-letter token ("I", "V", "X") is kept when it is the first of several tokens, where it is
an abbreviation or an initial ("X Hua Thanh"). C, L, D and M are never numerals here:
"Mường Tình C" is the letter C. "VI" and "XI" are converted even though "vi"/"xi" are also
syllables: a name written with diacritics ("Vì", "Xí") is never touched, and an ASCII "Ba Vi"
becomes "ba 6" on both sides of any comparison.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from unidecode import unidecode

from geo.errors import InputError

__all__ = [
    "ALPHABET",
    "LEVELS",
    "MATCH_STATUSES",
    "ascii_key",
    "ascii_keys",
    "match_within",
    "name_key",
    "name_keys",
    "nfc",
    "normalise_tones",
    "roman_to_arabic",
    "TONE_ORDER",
    "strip_prefix",
    "vietnamese_sort_key",
    "vietnamese_sort_keys",
]

LEVELS = ("province", "district", "commune", "village")
"""Administrative levels, from the largest."""

MATCH_STATUSES = ("exact", "normalised", "fuzzy", "ambiguous", "none")
"""Values of ``match_status`` in :func:`match_within`, from the most certain."""

# ---------------------------------------------------------------------------------------------
# Unicode and tones
# ---------------------------------------------------------------------------------------------

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền sắc ngã hỏi nặng
_VOWEL_MARKS = frozenset("\u0302\u0306\u031b")  # circumflex (â ê ô), breve (ă), horn (ơ ư)
_VOWELS = frozenset("aeiouy")
_SYLLABLE_RE = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")
# Legacy encodings write Đ with the Icelandic eth, which looks the same.
_ETH = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})
_SEPARATORS_RE = re.compile(r"[\s.]*")
_EDGES_RE = re.compile(r"^[\s.]+|[\s.]+$")


def nfc(s: str) -> str:
    """The Unicode NFC form of ``s`` (precomposed letters: "ệ" is one character).

    Parameters
    ----------
    s
        Any text.

    Returns
    -------
    str
    """
    return unicodedata.normalize("NFC", s)


def _retone_syllable(syllable: str) -> str:
    """Move the tone mark of one NFD syllable to its traditional place (see normalise_tones)."""
    letters: list[list[str]] = []  # [base letter, vowel marks]
    tone = ""
    n_tones = 0
    for ch in syllable:
        if unicodedata.combining(ch):
            if not letters:
                return syllable
            if ch in _TONE_MARKS:
                tone = ch
                n_tones += 1
            else:
                letters[-1][1] += ch
        else:
            letters.append([ch, ""])
    if n_tones != 1:
        return syllable
    lower = [base.lower() for base, _ in letters]
    vowels = [i for i, c in enumerate(lower) if c in _VOWELS]
    if not vowels or vowels[-1] - vowels[0] + 1 != len(vowels):
        return syllable  # no vowel, or several vowel groups: not one Vietnamese syllable
    start, end = vowels[0], vowels[-1]
    if end > start and start > 0:
        if lower[start - 1] == "q" and lower[start] == "u":
            start += 1  # the u of "qu" is part of the consonant: quý, quỳnh
        elif start == 1 and lower[0] == "g" and lower[start] == "i":
            start += 1  # so is the i of "gi" before a vowel: giữ, giếng
    marked = [i for i in range(start, end + 1) if set(letters[i][1]) & _VOWEL_MARKS]
    if marked:
        pos = marked[-1]  # â ă ê ô ơ ư take the tone; in ươ the ơ: người, rượu
    elif end < len(letters) - 1:
        pos = end  # closed syllable: the last vowel (hoàn, huỳnh)
    elif end - start + 1 >= 3:
        pos = start + 1  # three vowels: the middle one (ngoài, khuỷu)
    else:
        pos = start  # open syllable, traditional placement: hòa, khỏe, thủy, múa
    return "".join(
        base + marks + (tone if i == pos else "") for i, (base, marks) in enumerate(letters)
    )


def normalise_tones(s: str) -> str:
    """Put every tone mark where the traditional ("old") convention puts it.

    Vietnamese has two placements of the tone mark in the open syllables oa, oe, uy: the
    traditional one, on the first vowel ("hòa", "khỏe", "thủy"), which GSO's code list uses,
    and the newer one, on the second ("hoà", "khoẻ", "thuỷ"). Sources mix them, so names are
    compared after moving every mark to one place. The rule, per syllable:

    1. the u of "qu" and the i of "gi" (before another vowel) are consonants ("quý", "giữ");
    2. a vowel with a circumflex, breve or horn takes the mark (the last one in "ươ": "người");
    3. else, in a syllable closed by a consonant, the last vowel ("hoàn", "huỳnh");
    4. else, with three vowels, the middle one ("ngoài", "khuỷu");
    5. else the first vowel ("hòa", "thủy", "múa", "mía").

    Syllables are the runs of letters between spaces, digits and punctuation. A syllable
    without exactly one tone mark, or whose vowels are not one run (glued words such as
    "mườngchà"), is left as it is. Case is kept.

    Parameters
    ----------
    s
        Any text.

    Returns
    -------
    str
        NFC text; "Hoà Bình" → "Hòa Bình", "THUỶ" → "THỦY", "Quỳ" unchanged.
    """
    decomposed = unicodedata.normalize("NFD", s)
    retoned = _SYLLABLE_RE.sub(lambda m: _retone_syllable(m.group()), decomposed)
    return unicodedata.normalize("NFC", retoned)


def _is_capital(ch: str) -> bool:
    """An uppercase letter that has a lowercase form (not, say, a mathematical capital)."""
    return ch.isupper() and ch.casefold() != ch


def _fold_char(ch: str) -> str:
    """One lowercase letter without diacritics (đ → d); other characters unchanged."""
    low = ch.lower()
    if len(low) != 1:
        return ch
    if low == "\u0111":
        return "d"
    base = unicodedata.normalize("NFD", low)[0]
    return base if base.isascii() else low


# ---------------------------------------------------------------------------------------------
# Roman numerals
# ---------------------------------------------------------------------------------------------


def _roman(n: int) -> str:
    tens, units = divmod(n, 10)
    return "x" * tens + ("", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix")[units]


_ROMAN = {_roman(n): str(n) for n in range(1, 31)}
_TOKEN_RE = re.compile(r"[^\W_]+")


def _roman_tokens(tokens: list[str]) -> list[str]:
    out = []
    for i, tok in enumerate(tokens):
        value = _ROMAN.get(tok.lower())
        if value is None or (len(tok) == 1 and i == 0 and len(tokens) > 1):
            out.append(tok)
        else:
            out.append(value)
    return out


def roman_to_arabic(s: str) -> str:
    """Write standalone Roman numerals I to XXX as Arabic numbers.

    Parameters
    ----------
    s
        A name: "Nậm Chan III", "Thôn x", "Mường Tình C".

    Returns
    -------
    str
        "Nậm Chan 3", "Thôn 10", "Mường Tình C". Only whole tokens (between spaces or
        punctuation) made of I, V, X that form a valid numeral from 1 to 30 are converted, in
        any case; a one-letter token that is the first of several is kept ("X Hua Thanh");
        C, L, D, M are never numerals. Everything else, including the separators, is kept.
    """
    spans = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(s)]
    if not spans:
        return s
    tokens = [s[a:b] for a, b in spans]
    converted = _roman_tokens(tokens)
    parts = []
    last = 0
    for (a, b), new in zip(spans, converted, strict=True):
        parts.append(s[last:a])
        parts.append(new)
        last = b
    parts.append(s[last:])
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Administrative prefixes
# ---------------------------------------------------------------------------------------------

# (level, written form, kind): "word" = words with diacritics, also recognised in ASCII by
# ascii_key; "word+ascii" = the same but its ASCII form is recognised by name_key too, as it
# cannot be another word; "abbr" = letters, dots optional between them; "abbr1" = one letter
# that needs a dot or a number after it.
_PREFIX_TABLE: tuple[tuple[str, str, str], ...] = (
    ("province", "Tỉnh", "word"),
    ("province", "Thành phố", "word+ascii"),
    ("province", "TP", "abbr"),
    ("district", "Huyện", "word"),
    ("district", "H", "abbr1"),
    ("district", "Quận", "word"),
    ("district", "Q", "abbr1"),
    ("district", "Thị xã", "word+ascii"),
    ("district", "TX", "abbr"),
    ("district", "Thành phố", "word+ascii"),
    ("district", "TP", "abbr"),
    ("commune", "Xã", "word"),
    ("commune", "X", "abbr1"),
    ("commune", "Phường", "word"),
    ("commune", "P", "abbr1"),
    ("commune", "Thị trấn", "word+ascii"),
    ("commune", "TT", "abbr"),
    ("commune", "Đặc khu", "word+ascii"),
    ("village", "Thôn", "word+ascii"),
    ("village", "Bản", "word"),
    ("village", "Tổ dân phố", "word+ascii"),
    ("village", "TDP", "abbr"),
    ("village", "Tổ", "word"),
    ("village", "Xóm", "word+ascii"),
    ("village", "Ấp", "word"),
    ("village", "Làng", "word"),
    ("village", "Buôn", "word+ascii"),
    ("village", "Khối", "word"),
    ("village", "Khu phố", "word+ascii"),
    ("village", "KP", "abbr"),
    ("village", "Khu", "word"),
    ("village", "Bon", "word"),
    ("village", "Plei", "word"),
    ("village", "Tiểu khu", "word+ascii"),
)


_ABBREVIATED = {
    "TP": "Thành phố",
    "TX": "Thị xã",
    "TT": "Thị trấn",
    "TDP": "Tổ dân phố",
    "KP": "Khu phố",
    "H": "Huyện",
    "Q": "Quận",
    "X": "Xã",
    "P": "Phường",
}


class _Prefix:
    """One prefix: a pattern on lowercased or folded text, whether it needs a dot or a number
    after it, and the unit type it names (ASCII, e.g. "thi xa" for "Thị xã" and "TX.")."""

    __slots__ = ("kind", "needs_dot", "on_folded", "pattern")

    def __init__(self, pattern: str, kind: str, *, on_folded: bool, needs_dot: bool) -> None:
        self.pattern = re.compile(pattern)
        self.kind = kind
        self.on_folded = on_folded
        self.needs_dot = needs_dot


def _word_pattern(words: str) -> str:
    return r"[\s.]*".join(re.escape(w) for w in words.split())


def _build_prefixes(level: str | None, mode: str) -> tuple[_Prefix, ...]:
    """Prefixes of ``level`` (all levels when None) for ``mode`` "name" or "ascii"."""
    out: list[_Prefix] = []
    for lvl, written, kind in _PREFIX_TABLE:
        if level is not None and lvl != level:
            continue
        low = written.lower()
        folded = "".join(_fold_char(c) for c in low)
        unit = "".join(_fold_char(c) for c in _ABBREVIATED.get(written, written).lower())
        if kind.startswith("abbr"):
            pattern = r"\.?".join(re.escape(c) for c in low)
            out.append(_Prefix(pattern, unit, on_folded=False, needs_dot=kind == "abbr1"))
            continue
        if mode == "name":
            out.append(_Prefix(_word_pattern(low), unit, on_folded=False, needs_dot=False))
        if mode == "ascii" or kind == "word+ascii":
            out.append(_Prefix(_word_pattern(folded), unit, on_folded=True, needs_dot=False))
    return tuple(out)


_PREFIXES = {
    (level, mode): _build_prefixes(level, mode)
    for level in (*LEVELS, None)
    for mode in ("name", "ascii")
}


def _check_level(level: str | None) -> None:
    if level is not None and level not in LEVELS:
        raise InputError(
            f"Unknown administrative level {level!r}; use one of {', '.join(LEVELS)} or None.",
            f"Cấp hành chính {level!r} không hợp lệ; dùng một trong {', '.join(LEVELS)} hoặc None.",
            field="level",
        )


def _prefix_end(
    text: str, lower: str, folded: str, prefixes: tuple[_Prefix, ...]
) -> tuple[int, _Prefix] | None:
    """Where the name starts after one leading prefix of ``text``, and the prefix; None if
    there is none.

    ``lower`` and ``folded`` are ``text`` lowercased and without diacritics, character by
    character (same length). Prefixes are tried from the longest that matches ("Tổ dân phố"
    before "Tổ"); one followed by a letter is skipped ("Tổng"); if one is the whole name,
    nothing is removed ("Tổ dân phố" alone is not "dân phố").
    """
    hits = []
    for p in prefixes:
        m = p.pattern.match(folded if p.on_folded else lower)
        if m and m.end() > 0:
            hits.append((m.end(), p))
    for end, p in sorted(hits, key=lambda h: -h[0]):
        rest = text[end:]
        if not any(c.isalnum() for c in rest):
            return None  # the prefix is the whole name
        nxt = rest[0]
        if nxt == "." or nxt.isspace():
            after = _SEPARATORS_RE.match(text, end).end()
            if p.needs_dot and nxt != ".":
                token = _TOKEN_RE.match(text, after)
                word = token.group().lower() if token else ""
                if not (word[:1].isdigit() or word in _ROMAN):
                    continue  # "X Hua Thanh": a lone letter without its dot is not a prefix
            return after, p
        if nxt.isdigit():
            return end, p  # "Q1", "TDP5"
        if _is_capital(nxt) and text[end - 1].islower() and not p.needs_dot:
            return end, p  # glued by a capital: "XãNgốiCáy"
    return None


def _strip_prefixes(text: str, prefixes: tuple[_Prefix, ...]) -> tuple[str, str]:
    """Remove the leading run of prefixes of ``text`` (NFC, stripped).

    Returns the rest and the unit type named by the first prefix ("" if none).
    """
    unit = ""
    while True:
        lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        folded = "".join(_fold_char(c) for c in text)
        hit = _prefix_end(text, lower, folded, prefixes)
        if hit is None:
            return text, unit
        end, prefix = hit
        unit = unit or prefix.kind
        text = text[_SEPARATORS_RE.match(text, end).end() :]


def strip_prefix(s: str, level: str | None = None) -> str:
    """Remove the administrative prefix at the start of a name.

    Parameters
    ----------
    s
        A name: "Xã Ngối Cáy", "Thành phố Điện Biên Phủ", "TDP 5", "Bản Na Sang".
    level
        One of :data:`LEVELS`, to remove only that level's prefixes (province: Tỉnh, Thành
        phố, TP; district: Huyện, H., Quận, Q., Thị xã, TX, Thành phố, TP; commune: Xã, X.,
        Phường, P., Thị trấn, TT, Đặc khu; village: Thôn, Bản, Tổ dân phố, TDP, Tổ, Xóm, Ấp,
        Làng, Buôn, Khối, Khu phố, KP, Khu, Bon, Plei, Tiểu khu), or None for any level's.

    Returns
    -------
    str
        The name without its prefix, in NFC, otherwise as written: "Điện Biên Phủ",
        "5", "Na Sang". A prefix that is the whole name is kept ("Bản"). A run of prefixes is
        removed, and prefixes are recognised as :func:`name_key` does (see the module notes).

    Raises
    ------
    InputError
        If ``level`` is not one of :data:`LEVELS` or None.
    """
    _check_level(level)
    text = nfc(s).translate(_ETH).strip()
    retoned = normalise_tones(text)  # "Phừơng" is "Phường"
    rest = _strip_prefixes(retoned, _PREFIXES[(level, "name")])[0]
    if len(retoned) == len(text):  # keep the name's own tone placement
        return text[len(text) - len(rest) :]
    return rest


# ---------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------


def _clean(s: str) -> str:
    """NFC; punctuation (but dots) to spaces; invisible characters dropped; words glued by a
    capital split ("MườngChà" → "Mường Chà"); trimmed."""
    s = nfc(s).translate(_ETH)
    out = []
    prev = ""
    for ch in s:
        cat = unicodedata.category(ch)
        if cat == "Cf":
            continue  # zero-width space, soft hyphen, BOM
        if ch != "." and not (ch.isalnum() or ch.isspace() or cat.startswith("M")):
            ch = " "
        elif _is_capital(ch) and prev.islower():
            out.append(" ")
        out.append(ch)
        prev = ch
    return _EDGES_RE.sub("", "".join(out))


def _key(s: str, level: str | None, mode: str) -> tuple[str, str]:
    """The key of ``s`` and the unit type its prefix names ("" if none)."""
    text = _clean(s)
    if mode == "name":
        text = normalise_tones(text)
    text, unit = _strip_prefixes(text, _PREFIXES[(level, mode)])
    text = nfc(text.casefold()).replace(".", " ")
    return " ".join(_roman_tokens(text.split())), unit


@lru_cache(maxsize=1 << 16)
def _name_key(s: str, level: str | None) -> tuple[str, str]:
    return _key(s, level, "name")


@lru_cache(maxsize=1 << 16)
def _ascii_key(s: str, level: str | None) -> tuple[str, str]:
    return _key(unidecode(nfc(s)), level, "ascii")


@lru_cache(maxsize=1 << 16)
def _compact_key(s: str, level: str | None) -> str:
    # Joining the words can glue a prefix to a number ("x a0" → "xa0"), which a second pass
    # would strip: strip it now, so that the compact key is a fixed point too.
    glued = _ascii_key(s, level)[0].replace(" ", "")
    return _strip_prefixes(glued, _PREFIXES[(level, "ascii")])[0]


def name_key(s: str, level: str | None = None) -> str:
    """The comparison key of a name, keeping its diacritics.

    Parameters
    ----------
    s
        A name, in any case, normalisation form and tone placement.
    level
        One of :data:`LEVELS` to remove only that level's prefixes, or None for any level's.

    Returns
    -------
    str
        NFC, tone marks in the traditional place (:func:`normalise_tones`), casefolded,
        prefixes removed (:func:`strip_prefix`), Roman numerals as Arabic
        (:func:`roman_to_arabic`), punctuation as spaces, "đ" kept, single spaces, trimmed.
        ``name_key("Xã Hoà  Bình") == "hòa bình"``. Idempotent.

    Raises
    ------
    InputError
        If ``level`` is not one of :data:`LEVELS` or None.
    """
    _check_level(level)
    return _name_key(s, level)[0]


def ascii_key(s: str, level: str | None = None, compact: bool = False) -> str:
    """The comparison key of a name without diacritics.

    Parameters
    ----------
    s
        A name, with or without diacritics.
    level
        One of :data:`LEVELS` to remove only that level's prefixes, or None for any level's.
    compact
        Remove the spaces too, to compare with sources that lost them ("MườngChà",
        "ĐiệnBiênĐông", "Thịtrấn"); a prefix that the joining glues to a number is removed
        too, so that the compact key is also idempotent.

    Returns
    -------
    str
        Lowercase ASCII: :func:`name_key` of the name with its diacritics removed (unidecode;
        "đ" → "d"), where every prefix of the level is recognised in its ASCII form ("Xa",
        "Phuong": see the module notes). ``ascii_key("Xã Ngồi Cáy") == ascii_key("Ngối Cáy")
        == ascii_key("Ngoi Cay") == "ngoi cay"``. Idempotent.

    Raises
    ------
    InputError
        If ``level`` is not one of :data:`LEVELS` or None.
    """
    _check_level(level)
    return _compact_key(s, level) if compact else _ascii_key(s, level)[0]


def _map_keys(series: pd.Series, func) -> pd.Series:
    values = series.to_numpy(dtype=object)
    missing = pd.isna(values)
    out = np.empty(len(values), dtype=object)
    out[missing] = pd.NA
    out[~missing] = [func(str(v)) for v in values[~missing]]
    return pd.Series(out, index=series.index, name=series.name, dtype=object)


def name_keys(series: pd.Series, level: str | None = None) -> pd.Series:
    """:func:`name_key` of every name of a Series.

    Parameters
    ----------
    series
        Names; missing values stay missing (<NA>).
    level
        As in :func:`name_key`.

    Returns
    -------
    Series
        Same index and name, object dtype.
    """
    _check_level(level)
    return _map_keys(series, lambda v: _name_key(v, level)[0])


def ascii_keys(series: pd.Series, level: str | None = None, compact: bool = False) -> pd.Series:
    """:func:`ascii_key` of every name of a Series.

    Parameters
    ----------
    series
        Names; missing values stay missing (<NA>).
    level, compact
        As in :func:`ascii_key`.

    Returns
    -------
    Series
        Same index and name, object dtype.
    """
    _check_level(level)
    if compact:
        return _map_keys(series, lambda v: _compact_key(v, level))
    return _map_keys(series, lambda v: _ascii_key(v, level)[0])


# ---------------------------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------------------------


def _require(df: pd.DataFrame, columns: list[str | None], what_en: str, what_vi: str) -> None:
    for col in columns:
        if col is not None and col not in df.columns:
            raise InputError(
                f"The {what_en} table has no column {col!r}.",
                f"Bảng {what_vi} không có cột {col!r}.",
                field=col,
            )


def _key_columns(names: np.ndarray, level: str) -> dict[str, list[str]]:
    """Name key, compact ASCII key and the unit types their prefixes name, per name."""
    nk, nu, ak, ck, au = [], [], [], [], []
    for v in names:
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            key_n, unit_n, key_a, unit_a = "", "", "", ""
        else:
            key_n, unit_n = _name_key(str(v), level)
            key_a, unit_a = _ascii_key(str(v), level)
        nk.append(key_n)
        nu.append(unit_n)
        ak.append(key_a)
        ck.append("" if not key_a else _compact_key(str(v), level))
        au.append(unit_a)
    return {"_nk": nk, "_nu": nu, "_ak": ak, "_ck": ck, "_au": au}


def _lookup(
    q: pd.DataFrame, c: pd.DataFrame, on: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each query row, the candidates equal to it on the columns ``on``.

    Returns, aligned to ``q``: the number of distinct candidate ids, the first id, the first
    name, and (when there are several) the ids joined by "|".
    """
    hit = c[c[on[1]] != ""]
    agg = hit.groupby(on, sort=False).agg(
        _n=("_id", "nunique"), _id=("_id", "first"), _name=("_name", "first")
    )
    agg["_ids"] = ""
    several = agg.index[agg["_n"].to_numpy() > 1]
    if len(several):
        dup = hit.set_index(on).loc[several, "_id"]
        agg.loc[several, "_ids"] = dup.groupby(level=list(range(len(on))), sort=False).agg(
            lambda ids: "|".join(str(i) for i in pd.unique(ids))
        )
    joined = q[on].join(agg, on=on)
    return (
        joined["_n"].fillna(0).to_numpy(dtype=np.int64),
        joined["_id"].to_numpy(dtype=object),
        joined["_name"].to_numpy(dtype=object),
        joined["_ids"].fillna("").to_numpy(dtype=object),
    )


def _scores(q_keys: list[str], c_keys: list[str]) -> np.ndarray:
    """Scores (queries × candidate rows): the better of fuzz.ratio on the ASCII keys with and
    without their spaces."""
    spaced = process.cdist(q_keys, c_keys, scorer=fuzz.ratio, dtype=np.float32)
    glued = process.cdist(
        [k.replace(" ", "") for k in q_keys],
        [k.replace(" ", "") for k in c_keys],
        scorer=fuzz.ratio,
        dtype=np.float32,
    )
    return np.maximum(spaced, glued)


def match_within(
    queries: pd.DataFrame,
    candidates: pd.DataFrame,
    *,
    level: str,
    query_name: str = "name",
    query_group: str | None = "group",
    cand_name: str = "name",
    cand_group: str | None = "group",
    cand_id: str = "id",
    score_cutoff: float = 85.0,
    margin: float = 5.0,
) -> pd.DataFrame:
    """Match each query name to one candidate of the same group, and say how.

    For each query, the first rule that applies decides:

    1. ``exact``: its :func:`name_key` equals that of exactly one candidate of its group;
    2. ``normalised``: its compact :func:`ascii_key` equals that of exactly one candidate;
    3. ``ambiguous``: rule 1 or 2 finds several candidates (``match_score`` 100);
    4. ``fuzzy``: the best fuzzy score is at least ``score_cutoff`` and at least ``margin``
       ahead of the second-best candidate;
    5. ``ambiguous``: the best score is at least ``score_cutoff`` but other candidates are
       within ``margin`` of it (all of them are listed);
    6. ``none``: no candidate scores ``score_cutoff``, or the name or group is missing.

    In rules 1 and 2, when several candidates share the key but the query's prefix names a
    unit type ("Thị trấn", "TX.", "Phường") that only one of them has, that one is the match:
    "Thị trấn Mường Tè" and "Xã Mường Tè" are two communes of one district, and "TT Mường Tè"
    is the first. A query without a prefix stays ``ambiguous``.

    The fuzzy score is :func:`rapidfuzz.fuzz.ratio` (the normalised Indel similarity) of the
    ASCII keys, the better of the keys with and without their spaces. Vietnamese names are
    short ordered syllables; what differs between sources is letters (s/x, d/gi, a dropped
    h), tones and spaces, which ``ratio`` measures, and not word order or extra words, which
    ``token_sort_ratio``, ``token_set_ratio`` and ``partial_ratio`` forgive but which make
    different places alike ("Chà" would score 100 against "Mường Chà" with the last two). The
    comparison without spaces keeps "Xinchai" close to "Xín Chải".

    Candidate rows with the same id are one candidate (aliases): a query matches an id, and
    the id's score is that of its best row.

    Parameters
    ----------
    queries
        The names to match, with a group column unless ``query_group`` is None.
    candidates
        The units to match to: name, id and group columns.
    level
        One of :data:`LEVELS`: which prefixes to ignore.
    query_name, query_group, cand_name, cand_group, cand_id
        Column names. Groups are compared as they are: use codes, e.g. the district code of
        the communes. A missing group matches nothing. With ``query_group`` and
        ``cand_group`` both None, every query is matched against all candidates.
    score_cutoff
        Lowest fuzzy score (0–100) accepted.
    margin
        How many points the best candidate must be ahead of the second.

    Returns
    -------
    DataFrame
        Aligned to ``queries.index``, with columns ``match_status`` (see above), ``match_id``
        (the candidate's id for exact, normalised and fuzzy, else <NA>; nullable), ``match_name``
        (its name, else <NA>), ``match_score`` (float: 100 for exact and normalised, the best
        fuzzy score otherwise, 0 when there is no candidate) and ``match_candidates`` (for
        ambiguous, the ids "|"-joined, best first; else "").

    Raises
    ------
    InputError
        If a column is missing, only one of the two group columns is given, or ``level`` is
        not one of :data:`LEVELS`.
    """
    if level not in LEVELS:
        _check_level(str(level))
    if (query_group is None) != (cand_group is None):
        raise InputError(
            "Give both query_group and cand_group, or neither.",
            "Cần cả query_group và cand_group, hoặc không cột nào.",
            field="query_group" if query_group is None else "cand_group",
        )
    _require(queries, [query_name, query_group], "query", "tên cần khớp")
    _require(candidates, [cand_name, cand_group, cand_id], "candidate", "đơn vị ứng viên")

    grouped = query_group is not None
    q_names = queries[query_name].to_numpy(dtype=object)
    q = pd.DataFrame(
        {
            "_g": queries[query_group].to_numpy(dtype=object) if grouped else 0,
            "_name": q_names,
            **_key_columns(q_names, level),
        }
    )
    c = pd.DataFrame(
        {
            "_g": candidates[cand_group].to_numpy(dtype=object) if grouped else 0,
            "_name": candidates[cand_name].to_numpy(dtype=object),
            "_id": candidates[cand_id].to_numpy(dtype=object),
        }
    )
    c = c[c["_g"].notna() & c["_name"].notna() & c["_id"].notna()].reset_index(drop=True)
    c = c.assign(**_key_columns(c["_name"].to_numpy(dtype=object), level))
    q["_g"] = q["_g"].astype(object)
    c["_g"] = c["_g"].astype(object)

    n = len(q)
    status = np.full(n, "none", dtype=object)
    match_id = np.full(n, None, dtype=object)
    match_name = np.full(n, None, dtype=object)
    score = np.zeros(n, dtype=np.float64)
    cands = np.full(n, "", dtype=object)
    todo = q["_g"].notna().to_numpy() & (q["_nk"] != "").to_numpy()

    for key, unit, found in (("_nk", "_nu", "exact"), ("_ck", "_au", "normalised")):
        count, ids, nm, joined = _lookup(q, c, ["_g", key])
        t_count, t_ids, t_nm, _ = _lookup(q, c, ["_g", key, unit])
        typed = (count > 1) & (q[unit] != "").to_numpy() & (t_count == 1)
        ids = np.where(typed, t_ids, ids)
        nm = np.where(typed, t_nm, nm)
        one = todo & ((count == 1) | typed)
        many = todo & (count > 1) & ~typed
        status[one], match_id[one], match_name[one], score[one] = found, ids[one], nm[one], 100.0
        status[many], cands[many], score[many] = "ambiguous", joined[many], 100.0
        todo &= count == 0

    rows = np.flatnonzero(todo)
    c_groups = c.groupby("_g", sort=False).indices if len(c) else {}
    for g, local in q.iloc[rows].groupby("_g", sort=False).indices.items():
        c_rows = c_groups.get(g)
        if c_rows is None:
            continue
        q_rows = rows[local]
        cg = c.iloc[c_rows]
        matrix = _scores(q["_ak"].iloc[q_rows].tolist(), cg["_ak"].tolist())
        # One column per distinct id, holding its best row's score.
        codes, uniq = pd.factorize(cg["_id"])
        order = np.argsort(codes, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
        bounds = np.r_[starts, len(order)]
        per_id = np.maximum.reduceat(matrix[:, order], starts, axis=1)
        ranked = np.argsort(-per_id, axis=1, kind="stable")
        best = np.take_along_axis(per_id, ranked[:, :1], axis=1)[:, 0]
        second = (
            np.take_along_axis(per_id, ranked[:, 1:2], axis=1)[:, 0]
            if per_id.shape[1] > 1
            else np.zeros_like(best)
        )
        score[q_rows] = np.round(best.astype(np.float64), 2)
        accepted = best >= score_cutoff
        unique = accepted & (best - second >= margin)
        for j in np.flatnonzero(unique):
            k = ranked[j, 0]
            cols = order[bounds[k] : bounds[k + 1]]
            i = q_rows[j]
            status[i], match_id[i] = "fuzzy", uniq[k]
            match_name[i] = cg["_name"].iloc[cols[np.argmax(matrix[j, cols])]]
        for j in np.flatnonzero(accepted & ~unique):
            close = ranked[j][per_id[j, ranked[j]] > best[j] - margin]
            status[q_rows[j]] = "ambiguous"
            cands[q_rows[j]] = "|".join(str(uniq[k]) for k in close)

    if pd.api.types.is_integer_dtype(candidates[cand_id].dtype):
        id_out = pd.array(match_id, dtype="Int64")
    else:
        id_out = pd.array([None if v is None else str(v) for v in match_id], dtype="string")
    return pd.DataFrame(
        {
            "match_status": status.astype(str),
            "match_id": id_out,
            "match_name": pd.array(
                [None if v is None else str(v) for v in match_name], dtype="string"
            ),
            "match_score": score,
            "match_candidates": cands.astype(str),
        },
        index=queries.index,
    )


# ---------------------------------------------------------------------------------------------
# Vietnamese alphabetical order
# ---------------------------------------------------------------------------------------------

ALPHABET: tuple[str, ...] = tuple("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")
"""The order of letters: the Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s
t u ư v x y) with the Latin letters it lacks (f, j, w, z) where the Latin alphabet has them."""

TONE_ORDER = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
"""Tones as a secondary key, in dictionary order: ngang (none), huyền, hỏi, ngã, sắc, nặng."""

_LETTER_RANK = {
    unicodedata.normalize("NFD", letter): rank for rank, letter in enumerate(ALPHABET, start=1)
}
_TONE_RANK = {mark: rank for rank, mark in enumerate(TONE_ORDER) if mark}
# Units of the primary key; each starts with a code telling its kind, lowest first:
# end of key < separator (space, punctuation) < number < Vietnamese/Latin letter < other letter.
_END, _SEP, _NUM, _OTHER = "\x00", "\x01", "\x02", "\u0400"
_LETTER_BASE = 0x100


def _sort_units(text: str) -> tuple[str, str]:
    """The primary and secondary parts of :func:`vietnamese_sort_key`."""
    decomposed = unicodedata.normalize("NFD", nfc(text).translate(_ETH).casefold())
    primary: list[str] = []
    tones: list[str] = []
    i, n = 0, len(decomposed)
    in_syllable = False
    tone = 0
    while i < n:
        ch = decomposed[i]
        if "0" <= ch <= "9":
            j = i
            while j < n and "0" <= decomposed[j] <= "9":
                j += 1
            digits = decomposed[i:j].lstrip("0") or "0"
            primary.append(_NUM + chr(0x20 + min(len(digits), 0xFFFF)) + digits)
            i = j
        elif ch.isalpha():
            j = i + 1
            while j < n and unicodedata.combining(decomposed[j]):
                j += 1
            marks = decomposed[i + 1 : j]
            vowel = "".join(m for m in marks if m in _VOWEL_MARKS)
            tone = tone or next((_TONE_RANK[m] for m in marks if m in _TONE_RANK), 0)
            rank = _LETTER_RANK.get(ch + vowel) or _LETTER_RANK.get(ch)
            primary.append(chr(_LETTER_BASE + rank) if rank else _OTHER + ch)
            in_syllable = True
            i = j
            continue
        elif not unicodedata.combining(ch):
            if not primary or primary[-1] != _SEP:
                primary.append(_SEP)
            i += 1
        else:
            i += 1  # a mark on no letter: only the tertiary part sees it
        if in_syllable:
            tones.append(chr(0x30 + tone))
            in_syllable, tone = False, 0
    if in_syllable:
        tones.append(chr(0x30 + tone))
    return "".join(primary), "".join(tones)


def vietnamese_sort_key(text: str | None) -> str:
    """A key that sorts names in Vietnamese alphabetical order.

    Letters compare by the Vietnamese alphabet (:data:`ALPHABET`: "đ" after every "d…", "ă" and
    "â" after "a…", "ê" after "e", "ô" and "ơ" after "o", "ư" after "u"), regardless of case;
    the tones do not change where a name falls ("Ảng" sorts among the "A…" names) and only
    order names that are otherwise equal, syllable by syllable, as ngang, huyền, hỏi, ngã,
    sắc, nặng (:data:`TONE_ORDER`). Words compare one by one (a space or punctuation sorts
    before any letter: "An Bình" before "Anh"), and numbers by their value ("Thôn 2" before
    "Thôn 10"). Names still equal (case, tone placement "hoà"/"hòa", punctuation) are ordered
    by their NFC text, so the order is total and the same on every run. The prefix
    ("Xã", "Huyện") is part of the name: remove it first (:func:`strip_prefix`) to sort by the
    name alone.

    Parameters
    ----------
    text
        A name; None sorts first, like "".

    Returns
    -------
    str
        A key for ``sorted(..., key=vietnamese_sort_key)``; compare keys only with each other.

    Examples
    --------
    >>> sorted(["Điện Biên", "Dương", "Ăn", "Az", "Ảng", "Bà", "Ba"], key=vietnamese_sort_key)
    ['Ảng', 'Az', 'Ăn', 'Ba', 'Bà', 'Dương', 'Điện Biên']
    """
    text = "" if text is None else str(text)
    primary, tones = _sort_units(text)
    return primary + _END + tones + _END + nfc(text)


def vietnamese_sort_keys(values: pd.Series) -> pd.Series:
    """:func:`vietnamese_sort_key` of each value (missing values give ``NaN`` keys, which
    pandas puts last), for ``frame.sort_values(column, key=vietnamese_sort_keys)``.

    Parameters
    ----------
    values
        Names.

    Returns
    -------
    pandas.Series
        The keys, same index.
    """
    return pd.Series(
        [None if _is_missing(v) else vietnamese_sort_key(v) for v in values],
        index=values.index,
        dtype=object,
    )


def _is_missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)
