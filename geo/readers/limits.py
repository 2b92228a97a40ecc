"""Every size limit the readers enforce, in one place.

A planner's file is checked against these numbers *before* any library (python-calamine,
openpyxl, GDAL) reads it, so that a crafted file (a zip bomb, a sheet with one cell at
XFD1048576, a zip whose headers lie about its sizes) is refused with a named
:class:`geo.errors.InputError` instead of exhausting the server's memory.

The numbers are chosen so that every real file seen in the plans passes with a wide margin:
a province's BTS register is a few thousand rows of 10–20 columns; a commune layer is a few
MB; Excel compresses a sheet's XML 5 to 30 times.
"""

from __future__ import annotations

__all__ = [
    "MAX_COMPRESSION_RATIO",
    "MAX_MEMBER_BYTES",
    "MAX_SHEET_CELLS",
    "MAX_SHEET_COLUMNS",
    "MAX_SHEET_ROWS",
    "MAX_UNZIPPED_BYTES",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_MB",
    "MAX_WORKBOOK_PART_BYTES",
    "MAX_ZIP_MEMBERS",
    "RATIO_CHECK_MIN_BYTES",
    "READ_CHUNK_BYTES",
    "TEXT_SNIFF_CHARS",
]

MAX_UPLOAD_MB = 50
"""Largest file accepted, in MB: the app's upload box (``server.maxUploadSize`` in
``.streamlit/config.toml`` holds the same number), the import functions and the command line.
Streamlit counts a MB as 1024 × 1024 bytes; :data:`MAX_UPLOAD_BYTES` counts 1,000,000, so the
readers' own check (with its Vietnamese message) is the one that speaks first."""

MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1_000_000
"""Largest file accepted, in bytes (:data:`MAX_UPLOAD_MB` MB)."""

MAX_UNZIPPED_BYTES = 200_000_000
"""Most bytes all the members of one zip (.xlsx, .ods, .kmz, zipped Shapefile) may declare
once unzipped: 200 MB, four times the upload limit (Excel's and GDAL's parsers need several
times this in memory)."""

MAX_MEMBER_BYTES = 150_000_000
"""Most bytes one member of a zip may declare once unzipped (150 MB): a sheet of
:data:`MAX_SHEET_CELLS` cells is about 80 MB of XML."""

MAX_COMPRESSION_RATIO = 100
"""Highest compression ratio (unzipped ÷ zipped) of a member larger than
:data:`RATIO_CHECK_MIN_BYTES`. Real sheets and Shapefiles compress 3 to 30 times; a zip bomb
(a long run of one byte) compresses about 1,000 times."""

RATIO_CHECK_MIN_BYTES = 1_000_000
"""Members smaller than this (1 MB unzipped) are not held to :data:`MAX_COMPRESSION_RATIO`:
small files of repeated bytes (an empty ``.dbf`` padding, a style sheet) compress well and
cannot hurt."""

MAX_ZIP_MEMBERS = 10_000
"""Most files one zip may hold (a Shapefile is 4 to 8 files; an .xlsx a few dozen)."""

MAX_SHEET_ROWS = 250_000
"""Most rows a sheet or a CSV file may use: the 200,000 data rows an import accepts
(:data:`geo.imports.MAX_ROWS`) with room for a title block, headers, section and total rows."""

MAX_SHEET_COLUMNS = 200
"""Most columns a sheet or a CSV file may use (a register has 10 to 40)."""

MAX_SHEET_CELLS = 2_000_000
"""Most cells a sheet or a CSV file may hold, and most cells of its used range (rows ×
columns from A1 to the last cell holding a value): 200,000 rows of 10 columns."""

MAX_WORKBOOK_PART_BYTES = 10_000_000
"""Largest ``xl/workbook.xml`` (or its relations) read to name the sheets in messages."""

READ_CHUNK_BYTES = 1 << 20
"""Zip members are unzipped and checked in pieces of this many bytes (1 MiB), never whole."""

TEXT_SNIFF_CHARS = 65_536
"""How much of a CSV file's start is used to guess its separator and to tell text from
binary."""
