"""Nhập dữ liệu (Import data): the planner's own files replace the synthetic layers, and villages
located only by their commune are placed by hand. Everything is in :mod:`ui.app_imports`."""

from __future__ import annotations

from ui import app_imports

app_imports.render()
