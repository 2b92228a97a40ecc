"""Vietnam's mobile operators: canonical names and the spellings planners use for them.

Plans, site lists and spreadsheets write the same operator many ways ("Vinaphone", "VNPT-Vinaphone",
"Vina", "mobi fone", "VMS", "G-Mobile", "Beeline"...). :func:`canonical_operator` maps all of them
to one of :data:`OPERATORS`; :data:`OPERATOR_DISPLAY` gives the label to print.
"""

from __future__ import annotations

import re

from unidecode import unidecode

OPERATORS: tuple[str, ...] = ("Viettel", "VNPT", "MobiFone", "Vietnamobile", "Gmobile")
"""The canonical operator names, in the order the tool lists them."""

OPERATOR_DISPLAY: dict[str, str] = {
    "Viettel": "Viettel",
    "VNPT": "VNPT (Vinaphone)",
    "MobiFone": "MobiFone",
    "Vietnamobile": "Vietnamobile",
    "Gmobile": "Gmobile",
}
"""The label to show for each canonical operator (VNPT sells mobile service as Vinaphone)."""

# Keys are spellings with diacritics removed, lower-cased and with every non-alphanumeric
# character dropped ("VNPT-Vinaphone" -> "vnptvinaphone").
_ALIASES: dict[str, str] = {
    # Viettel
    "viettel": "Viettel",
    "vietteltelecom": "Viettel",
    "viettelmobile": "Viettel",
    "vtl": "Viettel",
    "vienthongquandoi": "Viettel",  # Tập đoàn Công nghiệp - Viễn thông Quân đội
    # VNPT (mobile brand Vinaphone)
    "vnpt": "VNPT",
    "vinaphone": "VNPT",
    "vinafone": "VNPT",
    "vina": "VNPT",
    "vnptvinaphone": "VNPT",
    "vinaphonevnpt": "VNPT",
    "vnp": "VNPT",
    # MobiFone (formerly VMS, Vietnam Mobile Telecom Services)
    "mobifone": "MobiFone",
    "mobiphone": "MobiFone",
    "mobi": "MobiFone",
    "vms": "MobiFone",
    "vmsmobifone": "MobiFone",
    # Vietnamobile (Hanoi Telecom, formerly HT Mobile)
    "vietnamobile": "Vietnamobile",
    "vietnammobile": "Vietnamobile",
    "vnmobile": "Vietnamobile",
    "vnmb": "Vietnamobile",
    "htmobile": "Vietnamobile",
    # Gmobile (GTEL Mobile, formerly Beeline)
    "gmobile": "Gmobile",
    "gtel": "Gmobile",
    "gtelmobile": "Gmobile",
    "beeline": "Gmobile",
}

_MAX_SPAN = 4  # the longest alias is written as at most 4 words ("Viễn thông Quân đội")


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", unidecode(text).lower())


def canonical_operator(value: str | None) -> str | None:
    """The canonical name of an operator, whatever its spelling.

    Matching ignores case, diacritics, spaces and punctuation. A value that holds an operator's
    name among other words ("Viettel Telecom", "Chi nhánh Viettel Điện Biên",
    'Vinaphone "VNPT"') is recognised when every name in it points to the same operator.

    Parameters
    ----------
    value
        The operator as written, e.g. ``"Vinaphone"``, ``"mobi fone"``, ``"G-Mobile"``.

    Returns
    -------
    str or None
        One of :data:`OPERATORS`, or ``None`` when the value is empty, names no known operator,
        or names several operators.

    Examples
    --------
    >>> canonical_operator("VNPT-Vinaphone")
    'VNPT'
    >>> canonical_operator("Beeline")
    'Gmobile'
    >>> canonical_operator("S-Fone") is None
    True
    """
    if value is None:
        return None
    text = str(value)
    whole = _key(text)
    if not whole:
        return None
    if whole in _ALIASES:
        return _ALIASES[whole]
    words = [w for w in re.split(r"[^0-9a-z]+", unidecode(text).lower()) if w]
    found: set[str] = set()
    for size in range(1, _MAX_SPAN + 1):
        for i in range(len(words) - size + 1):
            hit = _ALIASES.get("".join(words[i : i + size]))
            if hit:
                found.add(hit)
    return found.pop() if len(found) == 1 else None


def display_operator(name: str) -> str:
    """The label to show for an operator, e.g. ``"VNPT (Vinaphone)"`` for ``"VNPT"``.

    Unknown names are returned unchanged.
    """
    canonical = canonical_operator(name)
    return OPERATOR_DISPLAY[canonical] if canonical else name
