"""The bridge to the import store (:mod:`geo.store.imports` holds its SQL): :class:`Store`, and
the committed layers of a province (:func:`load_layers`) put into its data (:func:`apply_layers`).
"""

from __future__ import annotations

import dataclasses
import io
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo import auth, names
from geo import placements as placements_mod
from geo import sites as sites_mod
from geo import villages as villages_mod
from geo.readers.columns import MappingMemory
from geo.store import imports as store_sql
from geo.store.imports import default_store_path

log = logging.getLogger(__name__)


class Store:
    """The planner's imported layers, per province, in one SQLite file (WAL mode); the SQL is
    in :mod:`geo.store.imports`.

    Parameters
    ----------
    path
        The SQLite file; :func:`default_store_path` when None. Created with its tables if
        missing; a store of the first schema is migrated; another program's SQLite file, a
        newer or damaged store, or a read-only place raises :class:`StoreFileError` (by name,
        the file untouched).
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        with store_sql.opened(self.path):
            pass
        self.mappings = MappingMemory(self.path)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def connect(self) -> store_sql.Connection:
        """A connection in WAL mode with foreign keys on, in autocommit mode (transactions are
        explicit); close it after use: ``with closing(store.connect()) as con``."""
        return store_sql.connect(self.path)

    def imports(self, province_code: str | None = None, *, removed: bool = False) -> pd.DataFrame:
        """The committed imports (newest first), of one province or all: ``import_id``,
        ``province_code``, ``kind``, ``file``, ``sheet``, ``n_rows``, ``committed_at``,
        ``committed_by``, ``mode``, ``operators`` (list), and with ``removed=True`` the removed
        ones too (``removed_at``, ``removed_by`` set)."""
        with store_sql.opened(self.path) as con:
            return store_sql.imports_frame(con, province_code, removed=removed)

    def find_import(self, province_code: str, kind: str, content_hash: str, sheet: str | None):
        """The id of an active import of the same content, or None."""
        with store_sql.opened(self.path) as con:
            return store_sql.find_active(con, province_code, kind, content_hash, sheet)

    def count_rows(self, province_code: str, kind: str) -> int:
        """How many rows the committed layer of a kind holds for a province."""
        with store_sql.opened(self.path) as con:
            return len(store_sql.layer_rows(con, province_code, kind))

    def stored_rows(self, province_code: str, kind: str) -> list[tuple]:
        """Every row stored for a kind in a province, of every import (removed ones too):
        ``(row_key, import_id, props, wkb)``; to tell what a commit changed."""
        with store_sql.opened(self.path) as con:
            return store_sql.stored_rows(con, province_code, kind)

    def version(self, province_code: str) -> tuple[int, ...]:
        """What identifies the store's content for a province (for cache keys)."""
        with store_sql.opened(self.path) as con:
            return store_sql.version(con, province_code)

    def remove(
        self, import_id: int, who: str = "", *, account: auth.Account = auth.CONSOLE
    ) -> dict:
        """Take an import back: mark it removed (who, when; nothing is deleted) so that its
        layer is recomputed from the other imports. Returns the import's record.

        ``account`` must be allowed :attr:`geo.auth.Action.IMPORT_REMOVE` in the import's
        province; it is recorded by name (:func:`geo.auth.recorded_name`: ``who`` is only the
        display name of the command line's :data:`geo.auth.CONSOLE`, the default).

        Raises
        ------
        InputError
            No such import, or it was removed already.
        PermissionDeniedError
            The account may not remove it; nothing is changed.
        """
        who = auth.recorded_name(account, who)
        with store_sql.writing(self.path) as con:
            found = store_sql.imports_frame(con, None, removed=True)
            found = found[found["import_id"] == int(import_id)]
            if len(found):  # an unknown id is named by mark_removed
                auth.authorize(
                    account,
                    auth.Action.IMPORT_REMOVE,
                    province_code=str(found["province_code"].iloc[0]),
                )
            record = store_sql.mark_removed(con, import_id, who)
        log.info("import %d (%s) removed by %s", import_id, record["file"], who)
        return record

    def remember(
        self, province_code: str, level: str, scope: str, printed: str, target_id: str
    ) -> None:
        """Remember that ``printed`` (a commune within district ``scope``, or a village within
        commune ``scope``) is ``target_id``."""
        key = names.name_key(printed, level=level)
        with store_sql.opened(self.path) as con:
            store_sql.remember(con, province_code, level, scope, key, printed, target_id)

    def confirmations(self, province_code: str, level: str) -> pd.DataFrame:
        """Remembered confirmations: ``scope``, ``name_key``, ``target_id``, ``printed``."""
        with store_sql.opened(self.path) as con:
            return store_sql.confirmations(con, province_code, level)


@dataclass
class Layers:
    """The planner's imported layers of one province (None where nothing was imported).

    ``sites`` and ``fibre`` go to :func:`geo.pipeline.build` (:meth:`build_kwargs`);
    ``villages`` (a :class:`~geo.villages.Register`) and ``unserved`` go into the province's
    data (:func:`apply_layers`); ``coverage`` holds declared coverage polygons (operator,
    technology, geometry); ``placed`` the villages placed by hand
    (:func:`geo.placements.placements`, the latest per village), which :func:`apply_layers`
    moves in the register and in the declared unserved list alike.
    """

    province_code: str
    sites: gpd.GeoDataFrame | None = None
    fibre: pd.DataFrame | None = None
    villages: villages_mod.Register | None = None
    unserved: gpd.GeoDataFrame | None = None
    coverage: gpd.GeoDataFrame | None = None
    imports: pd.DataFrame | None = None
    placed: pd.DataFrame | None = None

    def build_kwargs(self) -> dict:
        """``sites=`` and ``fibre=`` for :func:`geo.pipeline.build` (only those imported)."""
        out = {}
        if self.sites is not None:
            out["sites"] = self.sites
        if self.fibre is not None:
            out["fibre"] = self.fibre
        return out


def _load_kind(con: store_sql.Connection, province_code: str, kind: str) -> gpd.GeoDataFrame | None:
    rows = store_sql.layer_rows(con, province_code, kind)
    if rows.empty:
        return None
    props = pd.read_json(io.StringIO("\n".join(rows["props"])), lines=True, dtype=False)
    wkb = rows["wkb"].tolist()
    if wkb[0] is None:
        return props
    return gpd.GeoDataFrame(props, geometry=shapely.from_wkb(wkb), crs="EPSG:4326")


def load_layers(store: Store, province_code: str) -> Layers:
    """The planner's committed layers of a province, ready for the pipeline.

    Returns
    -------
    Layers
        ``sites`` validated as :func:`geo.sites.validate_sites` expects (EPSG:4326,
        ``on_air_date`` as dates); ``fibre`` with ``village_id``, ``operator``, ``source``;
        ``villages`` as a Register (``in_register`` False for old villages the planner's
        register lacks); ``unserved`` in the schema of the declared list; ``placed`` the
        villages placed by hand (None when there are none), applied by :func:`apply_layers`.
    """
    with store_sql.opened(store.path) as con:
        sites = _load_kind(con, province_code, "sites")
        fibre = _load_kind(con, province_code, "fibre")
        vill = _load_kind(con, province_code, "villages")
        aliases = _load_kind(con, province_code, "villages_aliases")
        unserved = _load_kind(con, province_code, "unserved")
        coverage = _load_kind(con, province_code, "coverage")
    if sites is not None:
        sites["on_air_date"] = pd.to_datetime(sites["on_air_date"], errors="coerce")
        sites = sites_mod.validate_sites(sites, file=f"store:{province_code}:sites")
    if fibre is not None:
        fibre = pd.DataFrame(fibre[["village_id", "operator", "source"]])
    register = None
    if vill is not None:
        if "in_register" in vill:
            vill["in_register"] = vill["in_register"].astype("boolean").fillna(True).astype(bool)
        for c in ("commune_code", "district_code", "province_code", "source_id"):
            if c in vill:
                vill[c] = vill[c].astype("string").astype(object)
        al = pd.DataFrame(aliases) if aliases is not None else villages_mod.aliases_for(vill)
        register = villages_mod.Register(
            vill,
            al,
            note_vi="Danh mục thôn/bản do người lập quy hoạch nhập.",
            note_en="Village register imported by the planner.",
        )
    if unserved is not None and "document_date" in unserved:
        unserved["document_date"] = pd.to_datetime(unserved["document_date"], errors="coerce")
    placed = placements_mod.placements(store.path, province_code)
    return Layers(
        province_code,
        sites,
        fibre,
        register,
        unserved,
        coverage,
        store.imports(province_code),
        placed if len(placed) else None,
    )


def apply_layers(data, layers: Layers, *, unserved: bool = True):
    """The province's data with the planner's village register and unserved list, and the
    villages placed by hand moved to their point.

    Parameters
    ----------
    data
        A :class:`~geo.province.ProvinceData`.
    layers
        From :func:`load_layers`.
    unserved
        Replace the plan's declared unserved list by the imported one (when there is one).

    Returns
    -------
    ProvinceData
        A copy; ``data`` is not changed. A placed village (``layers.placed``) is moved both in
        the register and in the declared list (the imported one or the plan's), wherever it
        has the same ``village_id``: ``location_precision`` "point", ``join_method``
        "placed" (:func:`geo.placements.apply_placements`).
    """
    out = dataclasses.replace(data)
    if layers.villages is not None:
        out.register = layers.villages
    if unserved and layers.unserved is not None:
        out.declared = layers.unserved
    placed = layers.placed
    if placed is not None and len(placed):
        out.register = dataclasses.replace(
            out.register, villages=placements_mod.apply_placements(out.register.villages, placed)
        )
        if out.declared is not None:
            out.declared = placements_mod.apply_placements(out.declared, placed)
    return out
