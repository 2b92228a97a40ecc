"""Before staging and after: what a file holds (its sheets, headers and proposed mapping), and
the staged rows in the schema ``python -m geo export`` writes.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath

import geopandas as gpd
import pandas as pd

from geo.errors import InputError
from geo.imports.files import MAX_BYTES, MAX_ROWS, _check_header_row, _check_type, _read_source
from geo.imports.kinds import KINDS_MODULES
from geo.imports.model import Staged
from geo.imports.store import Store
from geo.readers import columns as cols
from geo.readers import tables, vector


@dataclass
class Inspection:
    """What a file holds, before staging: for the app to offer sheets and map columns.

    ``sheets`` lists, per sheet or layer: ``name``, ``rows``, ``header_row`` (tables: the
    header's first row number), ``header_rows`` (all of them) and ``header_given`` (True when
    the planner gave it, see :func:`inspect`), ``columns`` (the headers), ``proposal`` (a
    :class:`ColumnProposal`), ``preview`` (the first rows) and ``kind_guess`` (the kind whose
    required columns are all there). A sheet that cannot be read has ``error_en`` and
    ``error_vi`` instead.
    """

    file: str
    kind: str
    sheets: list[dict]


def inspect(
    source: str | os.PathLike | bytes | io.IOBase,
    filename: str | None = None,
    kind: str = "sites",
    *,
    store: Store | None = None,
    max_bytes: int = MAX_BYTES,
    preview_rows: int = 5,
    header_row: int | Mapping[str | None, int] | None = None,
) -> Inspection:
    """List a file's sheets (or layers) with their headers and proposed column mapping.

    Nothing is matched and nothing is stored; the province is not needed.

    Parameters
    ----------
    header_row
        Tables only: the header's row number (1-based, as Excel shows it) when the one found
        is wrong; one number for every sheet, or sheet name → number (the key None for a
        CSV file). A sheet whose given row is not a row of it lists the error.
    """
    data, file = _read_source(source, filename, max_bytes)
    ext = _check_type(data, file, kind)
    _check_header_row(header_row, file, ext)
    memory = store.mappings if store is not None else None
    out = []
    if ext in vector.RASTER_EXTS:
        return Inspection(file, kind, [{"name": PurePath(file).stem, "rows": 1, "columns": []}])
    if ext in vector.VECTOR_EXTS:
        vt = vector.read_vector(data, file, max_rows=MAX_ROWS, max_unzipped=max_bytes * 10)
        for layer, part in vt.frame.groupby("_layer", sort=False):
            labels = [
                c
                for c in part.columns
                if c not in ("_layer", "_row", "geometry") and part[c].notna().any()
            ]
            proposal = cols.propose_mapping(labels, kind, memory=memory)
            out.append(
                {
                    "name": layer,
                    "rows": len(part),
                    "header_row": None,
                    "columns": labels,
                    "proposal": proposal,
                    "preview": pd.DataFrame(part[labels].head(preview_rows)),
                    "kind_guess": _guess_kind(labels),
                }
            )
        return Inspection(file, kind, out)
    sheets = tables.sheet_names(data, file) if ext in tables.SPREADSHEET_EXTS else [None]
    for s in sheets:
        given = header_row.get(s) if isinstance(header_row, Mapping) else header_row
        try:
            raw = tables.read_table(
                data, file, sheet=s, fields=cols.KIND_FIELDS[kind], header_row=given
            )
        except InputError as exc:
            out.append(
                {"name": s, "rows": 0, "error_en": exc.message("en"), "error_vi": exc.message("vi")}
            )
            continue
        proposal = cols.propose_mapping(raw.labels, kind, memory=memory)
        out.append(
            {
                "name": s,
                "rows": len(raw.data),
                "header_row": raw.header_rows[0],
                "header_rows": raw.header_rows,
                "header_given": given is not None,
                "columns": raw.labels,
                "proposal": proposal,
                "preview": raw.data.head(preview_rows),
                "kind_guess": _guess_kind(raw.labels),
                "skipped": raw.skipped,
            }
        )
    return Inspection(file, kind, out)


def _guess_kind(labels: list[str]) -> str | None:
    best = None
    for kind in ("sites", "unserved", "fibre", "villages"):
        p = cols.propose_mapping(labels, kind)
        if not p.missing and not p.unsure:
            score = len(p.mapping)
            if best is None or score > best[0]:
                best = (score, kind)
    return None if best is None else best[1]


def export_frame(staged: Staged) -> gpd.GeoDataFrame:
    """The staged rows in the schema ``python -m geo export`` writes for that layer.

    The columns that need the coverage model (``modelled_mobile_broadband``, the village
    status columns) are left out; the import's ``match_status``, ``status`` and
    ``source_row`` follow the layer's own columns. Rows whose cells could not be read are
    left out (they are in the report).
    """
    f = staged.frame
    f = f[f["status"] != "error"] if "status" in f else f
    return KINDS_MODULES[staged.kind]._export(f)
