"""Villages placed by hand: a point for a village the register locates only at its commune.

A plan's village that no source gives coordinates for is located at its commune's
representative point (``location_precision=commune``, :func:`geo.unserved.add_to_register`).
A planner who knows where it is places it, by clicking a map or typing coordinates;
:func:`place` checks the point and stores it with who placed it and when, and
:func:`apply_placements` moves the village there (``location_precision=point``,
``join_method=placed``): :func:`geo.imports.apply_layers` applies it to the register and to the
declared unserved list alike (the same ``village_id``), so a placed village of the plan's list
moves on both layers.

The store
---------
A table ``placements`` in the import store's SQLite file (:func:`geo.imports.default_store_path`:
``$COVERAGE_IMPORTS_DB``, else ``imports.sqlite`` in the user data folder); its SQL is in
:mod:`geo.store.placements`, its schema versioned with the store's (:mod:`geo.store.imports`).
Every placement is a row (nothing is overwritten): the latest of a village wins, the earlier
ones are its history.

Checks
------
The point must be inside Viet Nam's extent (:data:`VN_BBOX`, mainland and islands) or
:func:`place` raises :class:`~geo.errors.InputError` naming the field (``lon``, ``lat``). A
point outside the village's commune is stored (the commune polygons are GADM's generalised
lines, and the plan's commune may be wrong) but flagged: ``inside_commune`` is False and the
:class:`Placement` carries a warning in Vietnamese and English.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import auth
from geo.errors import InputError, Problem
from geo.extent import VIETNAM_BBOX
from geo.readers import coords
from geo.store import imports as store_sql
from geo.store import placements as placements_sql

__all__ = [
    "COLUMNS",
    "VN_BBOX",
    "Placement",
    "apply_placements",
    "place",
    "placements",
]

#: Viet Nam's extent (:data:`geo.extent.VIETNAM_BBOX`, mainland and islands).
VN_BBOX = VIETNAM_BBOX
#: Columns of :func:`placements`.
COLUMNS = placements_sql.COLUMNS
MAX_WHO = 100
MAX_NOTE = 500
METRIC_CRS = "EPSG:32648"


@dataclass(frozen=True)
class Placement:
    """A stored placement, as :func:`place` returns it.

    Attributes
    ----------
    placement_id
        Its row in the ``placements`` table.
    village_id, village, province_code, commune_code, commune
        The village placed and the commune the register puts it in.
    lon, lat
        The point, WGS 84 degrees.
    who, when, note
        Who placed it, when (UTC, ISO 8601) and why.
    inside_commune
        False when the point lies outside the village's commune polygon (stored anyway).
    distance_m
        Distance from the point to the commune polygon in metres (0 inside).
    """

    placement_id: int
    village_id: str
    village: str
    province_code: str
    commune_code: str | None
    commune: str
    lon: float
    lat: float
    who: str
    when: str
    note: str
    inside_commune: bool
    distance_m: float

    def warning(self, lang: str = "vi") -> str | None:
        """What the planner should check (the point is outside the commune), or None."""
        if self.inside_commune:
            return None
        km = self.distance_m / 1000
        if lang == "vi":
            dist = f"{km:.1f}".replace(".", ",")
            return (
                f"Điểm đã lưu nằm ngoài {self.commune} (cách ranh giới xã {dist} km): hãy "
                "kiểm tra lại tọa độ hoặc xã của thôn."
            )
        return (
            f"The point was stored but lies outside {self.commune} ({km:.1f} km from the "
            "commune's boundary): check the coordinates or the village's commune."
        )


def _path(store_path) -> Path:
    if store_path is None:
        return store_sql.default_store_path()
    return Path(getattr(store_path, "path", store_path))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _degrees(value, field: str, axis: str, label_vi: str, label_en: str, problems: list):
    """One angle read from a number or text (decimal or DMS); problems appended."""
    lo, hi = (VN_BBOX[0], VN_BBOX[2]) if axis == "lon" else (VN_BBOX[1], VN_BBOX[3])
    text = "" if value is None else str(value).strip()
    if value is None or text == "" or (isinstance(value, float) and np.isnan(value)):
        problems.append(
            Problem(f"{label_vi} đang trống.", f"The {label_en} is empty.", field=field)
        )
        return None
    deg, bad, found_axis = coords.parse_degrees(pd.Series([value], dtype=object))
    if bad[0] or not np.isfinite(deg[0]):
        problems.append(
            Problem(
                f"Không đọc được {label_vi.lower()} “{text}”: hãy nhập độ thập phân (103,0125) "
                "hoặc độ-phút-giây (103°00'45\"Đ).",
                f"Cannot read the {label_en} “{text}”: give decimal degrees (103.0125) or "
                "degrees, minutes and seconds (103°00'45\"E).",
                field=field,
                value=text,
            )
        )
        return None
    if found_axis[0] and found_axis[0] != axis:
        problems.append(
            Problem(
                f"{label_vi} “{text}” mang ký hiệu của {'vĩ độ' if axis == 'lon' else 'kinh độ'}"
                ": hai giá trị có bị đảo không?",
                f"The {label_en} “{text}” has the hemisphere letter of a "
                f"{'latitude' if axis == 'lon' else 'longitude'}: are the two values swapped?",
                field=field,
                value=text,
            )
        )
        return None
    v = float(deg[0])
    if not lo <= v <= hi:
        problems.append(
            Problem(
                f"{label_vi} {text} nằm ngoài Việt Nam (từ {lo:g}° đến {hi:g}°).",
                f"The {label_en} {text} is outside Viet Nam ({lo:g}° to {hi:g}°).",
                field=field,
                value=text,
            )
        )
        return None
    return v


def _inside(lo: float, hi: float, value) -> bool:
    deg, bad, _ = coords.parse_degrees(pd.Series([value], dtype=object))
    return bool(not bad[0] and np.isfinite(deg[0]) and lo <= deg[0] <= hi)


def _province_data(province):
    from geo import province as province_mod

    if isinstance(province, province_mod.ProvinceData):
        return province
    return province_mod.load_province(str(province))


def place(
    store_path: str | os.PathLike | None,
    village_id: str,
    lon: float | str,
    lat: float | str,
    who: str,
    note: str = "",
    *,
    province,
    account: auth.Account = auth.CONSOLE,
) -> Placement:
    """Check a point for a village and store it with who placed it and when.

    Parameters
    ----------
    store_path
        The SQLite file (the import store's; :func:`geo.imports.default_store_path` when None).
        A :class:`geo.imports.Store` is accepted too.
    village_id
        A village of the province's register.
    lon, lat
        WGS 84 degrees: numbers, or text in decimal degrees ("103,0125") or degrees, minutes
        and seconds (``103°00'45"E``, ``21 23 15``; :func:`geo.readers.coords.parse_degrees`).
    who
        The planner's name (required, at most 100 characters): the display name of the
        command line's :data:`geo.auth.CONSOLE`; a signed-in ``account`` is recorded by its own
        name (:func:`geo.auth.recorded_name`).
    note
        Why or from what the point is known (at most 500 characters).
    province
        The province's :class:`~geo.province.ProvinceData` (with the planner's register when
        one was imported), or its name or GSO code.
    account
        The acting account; it must be allowed :attr:`geo.auth.Action.PLACE_VILLAGE` in the
        province. The default :data:`geo.auth.CONSOLE` is the command line's.

    Returns
    -------
    Placement
        What was stored; ``inside_commune`` False (and :meth:`Placement.warning`) when the
        point is outside the village's commune.

    Raises
    ------
    InputError
        The village is not in the register (field ``village_id``), a coordinate is empty,
        unreadable or outside Viet Nam (field ``lon`` or ``lat``; both listed when both are
        wrong), or ``who`` is empty (field ``who``). Nothing is stored.
    PermissionDeniedError
        The account may not place villages in this province. Nothing is stored.
    """
    who = auth.recorded_name(account, who) if account != auth.CONSOLE else (who or "").strip()
    note = (note or "").strip()
    x, y = _checked_point(lon, lat, who, note)
    data = _province_data(province)
    reg = data.villages
    hit = reg[reg["village_id"] == village_id]
    if not len(hit):
        raise InputError(
            f"Village {village_id!r} is not in the register of {data.province}.",
            f"Thôn {village_id!r} không có trong danh mục thôn/bản của {data.province}.",
            field="village_id",
        )
    v = hit.iloc[0]
    province_code = str(v.get("province_code") or data.province_code)
    district_code = v.get("district_code")
    auth.authorize(
        account,
        auth.Action.PLACE_VILLAGE,
        province_code=province_code,
        district_code=None if pd.isna(district_code) else str(district_code),
    )
    inside, distance = _in_commune(data.communes, v, x, y)
    when = _now()
    commune_code = None if pd.isna(v["commune_code"]) else str(v["commune_code"])
    commune = "" if pd.isna(v["commune"]) else str(v["commune"])
    with store_sql.writing(_path(store_path)) as con:
        placement_id = placements_sql.insert(
            con,
            province_code=province_code,
            village_id=village_id,
            village=str(v["village"]),
            commune_code=commune_code,
            commune=commune,
            lon=x,
            lat=y,
            who=who,
            when=when,
            note=note,
            inside_commune=inside,
            distance_m=round(distance, 1),
        )
    return Placement(
        placement_id,
        village_id,
        str(v["village"]),
        province_code,
        commune_code,
        commune,
        x,
        y,
        who,
        when,
        note,
        inside,
        round(distance, 1),
    )


def _checked_point(lon, lat, who: str, note: str) -> tuple[float, float]:
    """The point in degrees, once the coordinates, the name and the note are checked.

    Raises
    ------
    InputError
        Every problem at once (coordinates empty, unreadable or outside Viet Nam, perhaps
        swapped; no name; a name or note too long).
    """
    problems: list[Problem] = []
    x = _degrees(lon, "lon", "lon", "Kinh độ", "longitude", problems)
    y = _degrees(lat, "lat", "lat", "Vĩ độ", "latitude", problems)
    swapped = (
        x is None
        and y is None
        and _inside(VN_BBOX[1], VN_BBOX[3], lon)
        and _inside(VN_BBOX[0], VN_BBOX[2], lat)
    )
    if not who:
        problems.append(
            Problem(
                "Hãy nhập tên người thực hiện.",
                "Give the name of the person placing the village.",
                field="who",
            )
        )
    elif len(who) > MAX_WHO:
        problems.append(
            Problem(
                f"Tên người thực hiện dài quá {MAX_WHO} ký tự.",
                f"The name is longer than {MAX_WHO} characters.",
                field="who",
            )
        )
    if len(note) > MAX_NOTE:
        problems.append(
            Problem(
                f"Ghi chú dài quá {MAX_NOTE} ký tự.",
                f"The note is longer than {MAX_NOTE} characters.",
                field="note",
            )
        )
    if problems:
        raise InputError(
            "The placement cannot be stored"
            + (" (longitude and latitude look swapped)." if swapped else "."),
            "Không lưu được vị trí" + (" (kinh độ và vĩ độ có vẻ bị đảo)." if swapped else "."),
            field=problems[0].field if len(problems) == 1 else None,
            problems=problems,
        )
    return x, y


def _in_commune(communes: gpd.GeoDataFrame, v: pd.Series, x: float, y: float):
    """Whether the point lies in the village's commune polygon (by GADM id, else by GSO
    code), and its distance to it in metres (0 inside, or when the commune has no polygon)."""
    poly = communes[communes["gid_3"] == v.get("gid_3")] if pd.notna(v.get("gid_3")) else None
    if poly is None or not len(poly):
        poly = communes[communes["commune_code"] == v["commune_code"]]
    point = shapely.Point(x, y)
    if len(poly):
        shape = shapely.union_all(np.asarray(poly.geometry.array, dtype=object))
        inside = bool(shape.covers(point))
        if inside:
            distance = 0.0
        else:
            metric = gpd.GeoSeries([shape, point], crs="EPSG:4326").to_crs(METRIC_CRS)
            distance = float(metric.iloc[0].distance(metric.iloc[1]))
    else:  # the register's commune has no polygon: nothing to check against
        inside, distance = True, 0.0
    return inside, distance


def _empty() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    out["placement_id"] = out["placement_id"].astype("int64")
    for c in ("lon", "lat", "distance_m"):
        out[c] = out[c].astype("float64")
    out["inside_commune"] = out["inside_commune"].astype(bool)
    return out


def placements(
    store_path: str | os.PathLike | None = None,
    province_code: str | Iterable[str] | None = None,
    *,
    village_ids: Iterable[str] | None = None,
    history: bool = False,
) -> pd.DataFrame:
    """The stored placements: the latest of each village, or all of them.

    Parameters
    ----------
    store_path
        The SQLite file (:func:`geo.imports.default_store_path` when None). A missing file
        gives an empty table (it is not created).
    province_code
        Only this province's villages. An iterable of village ids in this place is read as
        ``village_ids``.
    village_ids
        Only these villages.
    history
        Every placement (newest first) instead of the latest per village.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`: ``when`` is the UTC time (ISO 8601), ``who`` the planner's name,
        ``inside_commune`` a bool.
    """
    if province_code is not None and not isinstance(province_code, str):
        village_ids, province_code = province_code, None
    path = _path(store_path)
    if not path.is_file():
        return _empty()
    if village_ids is not None:
        village_ids = [str(i) for i in village_ids]
        if not village_ids:
            return _empty()
    with store_sql.opened(path) as con:
        out = placements_sql.select(con, province_code, village_ids, history=history)
    if not len(out):
        return _empty()
    out["inside_commune"] = out["inside_commune"].astype(bool)
    return out[COLUMNS]


def apply_placements(villages: gpd.GeoDataFrame, placed: pd.DataFrame) -> gpd.GeoDataFrame:
    """Move placed villages to their point.

    Parameters
    ----------
    villages
        Villages with ``village_id`` and a point geometry (a register's villages, or a list
        such as the declared unserved villages).
    placed
        From :func:`placements` (the latest per village is used if it holds several).

    Returns
    -------
    GeoDataFrame
        A copy of ``villages``: placed rows at their point with ``location_precision`` =
        ``point`` and ``join_method`` = ``placed``; every row gets ``placed_by`` and
        ``placed_at`` (who and when, UTC; missing where not placed). Placements of villages
        the frame does not hold are ignored.
    """
    out = villages.copy()
    out["placed_by"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["placed_at"] = pd.Series(pd.NA, index=out.index, dtype="string")
    if placed is None or not len(placed):
        return out
    latest = placed.sort_values("placement_id").drop_duplicates("village_id", keep="last")
    latest = latest.set_index("village_id")
    hit = out["village_id"].isin(latest.index).to_numpy()
    if not hit.any():
        return out
    ids = out.loc[hit, "village_id"]
    lon = ids.map(latest["lon"]).to_numpy(dtype=float)
    lat = ids.map(latest["lat"]).to_numpy(dtype=float)
    points = gpd.points_from_xy(lon, lat, crs="EPSG:4326")
    if out.crs is not None and not out.crs.equals("EPSG:4326"):
        points = gpd.GeoSeries(points).to_crs(out.crs).array
    geom = out.geometry.array.copy()
    geom[hit] = points
    out[out.geometry.name] = geom
    out.loc[hit, "location_precision"] = "point"
    out.loc[hit, "join_method"] = "placed"
    out.loc[hit, "placed_by"] = ids.map(latest["who"]).astype(str).to_numpy()
    out.loc[hit, "placed_at"] = ids.map(latest["when"]).astype(str).to_numpy()
    return out
