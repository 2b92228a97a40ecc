"""The module of each kind of import; each has ``_resolve_kind`` (check and match the rows read
from a file), ``_frame`` (the staged rows in the layer's schema) and ``_export`` (the rows in
the schema ``python -m geo export`` writes)."""

from __future__ import annotations

from types import ModuleType

from geo.imports import coverage, fibre, sites, unserved, villages

KINDS_MODULES: dict[str, ModuleType] = {
    "sites": sites,
    "villages": villages,
    "fibre": fibre,
    "unserved": unserved,
    "coverage": coverage,
}
"""Kind → its module (the kinds of :data:`geo.imports.KINDS`)."""
