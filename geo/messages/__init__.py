"""Topic catalogs of user-facing words, merged into :data:`geo.i18n.LABELS`.

Each module here holds one topic's messages as ``LABELS: dict[str, dict[str, str]]`` (each
``{"vi": …, "en": …}``), keyed ``"<topic>.<name>"`` so that topics never collide. They are
found by :func:`catalogs`, so a new topic needs no edit elsewhere; a key defined twice is an
error naming both places.
"""

from __future__ import annotations

import importlib
import pkgutil

__all__ = ["catalogs"]


def catalogs() -> dict[str, dict[str, dict[str, str]]]:
    """Every topic module's ``LABELS``, by module name, in name order."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        out[info.name] = dict(getattr(module, "LABELS", {}))
    return out
