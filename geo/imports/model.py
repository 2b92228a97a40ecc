"""What an import is while it is reviewed: the context it is matched in (:class:`_Context`), the
rows read from the file (:class:`_Parsed`) and the staged import (:class:`Staged`) with its
report columns and statuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import province as province_mod
from geo import villages as villages_mod
from geo.errors import Problem
from geo.imports.store import Store, apply_layers, load_layers
from geo.readers.columns import ColumnProposal
from geo.readers.coords import CrsChoice

SOURCE = "planner"


ACCEPTED = ("exact", "normalised", "fuzzy")


TECHNOLOGIES = ("2G", "3G", "4G", "5G")


#: Columns of :attr:`Staged.report`, one row per row of the file.
REPORT_COLUMNS = [
    "row",
    "sheet",
    "status",
    "match_status",
    "match_score",
    "village_match_status",
    "village",
    "commune",
    "district",
    "operator",
    "technology",
    "site_id",
    "commune_code",
    "commune_gso",
    "district_code",
    "village_id",
    "register_name",
    "candidates",
    "candidate_names",
    "location_precision",
    "lon",
    "lat",
    "message_en",
    "message_vi",
]


STATUSES = ("ok", "confirmed", "review", "error", "skipped")
"""Values of ``report.status``: resolved; resolved by the planner; needs the planner; a cell
could not be read (only with ``on_error="skip"``); not a data row (total, footer, section)."""


@dataclass
class _Context:
    data: object  # geo.province.ProvinceData
    store: Store | None
    area: object = None  # the province, buffered, prepared

    @property
    def province_code(self) -> str:
        return self.data.province_code

    @property
    def communes(self) -> gpd.GeoDataFrame:
        return self.data.communes

    @property
    def register(self) -> villages_mod.Register:
        return self.data.register

    def inside(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        if self.area is None:
            area = shapely.union_all(np.asarray(self.communes.geometry.array, dtype=object))
            self.area = area.buffer(0.01)
            shapely.prepare(self.area)
        return shapely.contains_xy(self.area, lon, lat)


@dataclass
class _Parsed:
    """Rows read from a file, fields named, coordinates in WGS 84 (before any matching)."""

    kind: str
    file: str
    sheet: str | None
    sheets: list[str]
    rows: pd.DataFrame  # source_row, sheet, fields…, lon, lat, geometry
    labels: dict[str, str]  # field → header in the file
    issues: list[pd.DataFrame]
    skipped: pd.DataFrame
    proposal: ColumnProposal | None
    crs: CrsChoice | None
    notes: list[tuple[str, str]]
    content_hash: str
    header_rows: list[int] | None = None


@dataclass
class Staged:
    """An import read and matched, waiting for review and :func:`commit`.

    Attributes
    ----------
    kind, file, sheet
        What is imported, from which file (its sanitised name) and sheet or layer.
    sheets
        Every sheet (or layer) of the file, to offer the planner.
    province_code, province
        The province the rows are matched in.
    content_hash
        sha256 of the file's bytes.
    frame
        The rows in the layer's schema (EPSG:4326), with ``source_row`` and ``status``.
    report
        One row per file row (:data:`REPORT_COLUMNS`), skipped rows included.
    problems
        Every problem, with file, sheet, row, field and vi/en messages.
    columns
        The column mapping used (None for rasters).
    crs
        How coordinates were read (None when the file has none).
    notes
        (en, vi) notes on how the file was read.
    header_rows
        The row numbers of the header of a table (two for a two-row header; found, or the
        planner's ``header_row``); None for vector files and rasters.
    already_imported
        The store already holds this file (same content): committing adds nothing.
    register, link, unlinked
        For ``villages``: the register after linking, the link counts, and the current
        register's villages the new one does not hold (kept, flagged ``in_register=False``).
    """

    kind: str
    file: str
    sheet: str | None
    sheets: list[str]
    province_code: str
    province: str
    content_hash: str
    frame: gpd.GeoDataFrame
    report: pd.DataFrame
    problems: list[Problem]
    columns: ColumnProposal | None
    crs: CrsChoice | None
    notes: list[tuple[str, str]] = field(default_factory=list)
    header_rows: list[int] | None = None
    already_imported: bool = False
    register: villages_mod.Register | None = None
    link: villages_mod.LinkReport | None = None
    unlinked: pd.DataFrame | None = None
    _parsed: _Parsed | None = field(default=None, repr=False)
    _ctx: _Context | None = field(default=None, repr=False)
    _overrides: dict = field(default_factory=dict, repr=False)
    _options: dict = field(default_factory=dict, repr=False)

    @property
    def needs_review(self) -> bool:
        """True when a row, the column mapping or the CRS waits for the planner."""
        return bool(
            self.report["status"].isin(["review", "error"]).any()
            or (self.columns is not None and self.columns.needs_mapping)
            or (self.crs is not None and self.crs.needs_confirmation)
        )

    @property
    def review_rows(self) -> pd.DataFrame:
        """The report rows that need the planner (status review or error)."""
        return self.report[self.report["status"].isin(["review", "error"])]

    def summary(self) -> dict:
        """Counts per status and what else needs confirming, for the app and the CLI."""
        counts = self.report["status"].value_counts()
        return {
            "file": self.file,
            "sheet": self.sheet,
            "kind": self.kind,
            "province_code": self.province_code,
            "rows": int(len(self.frame)),
            **{s: int(counts.get(s, 0)) for s in STATUSES},
            "columns_to_confirm": []
            if self.columns is None
            else self.columns.unsure + self.columns.missing,
            "crs": None if self.crs is None else f"EPSG:{self.crs.epsg}",
            "crs_source": None if self.crs is None else self.crs.source,
            "crs_to_confirm": bool(self.crs is not None and self.crs.needs_confirmation),
            "header_rows": self.header_rows,
            "already_imported": self.already_imported,
            "needs_review": self.needs_review,
        }


def _load_context(province, store: Store | None) -> _Context:
    if isinstance(province, province_mod.ProvinceData):
        data = province
    else:
        data = province_mod.load_province(str(province))
    if store is not None:
        layers = load_layers(store, data.province_code)
        if layers.villages is not None or layers.placed is not None:
            data = apply_layers(data, layers, unserved=False)
    return _Context(data, store)
