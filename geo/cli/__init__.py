"""The command groups of ``python -m geo`` (``vn-coverage``), one module per group.

Each module here defines ``register(subparsers) -> dict[str, Callable[[Namespace], int]]``:
it adds its sub-commands to the parser and returns the function that runs each. They are
found by :func:`groups`, so a new group needs no edit elsewhere. Every runner returns the
exit code (0 done, 2 bad input, 3 rows to review); a :class:`geo.errors.CoverageError` it
raises is written to stderr by :func:`geo.__main__.main` and exits 2.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

__all__ = ["groups"]


def groups() -> list[ModuleType]:
    """The command-group modules, in name order."""
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
        if not info.name.startswith("_")
    ]
