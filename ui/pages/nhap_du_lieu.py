"""Nhập dữ liệu (Import data): the planner's own files replace the synthetic layers, and villages
located only by their commune are placed by hand. Everything is in :mod:`ui.imports`."""

from __future__ import annotations

from ui import imports as import_page

import_page.render()
