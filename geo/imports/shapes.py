"""Reading vector files (zipped Shapefile, KML/KMZ, GeoJSON, GeoPackage) and GeoTIFF rasters into
:class:`~geo.imports.model._Parsed` rows: attributes mapped to fields, shapes brought to WGS 84.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo.imports.mapping import _provided, _require_columns
from geo.imports.model import _Context, _Parsed
from geo.imports.values import _issue
from geo.readers import columns as cols
from geo.readers import coords, vector
from geo.readers.columns import MappingMemory


def _read_vector(
    data: bytes,
    file: str,
    kind: str,
    ctx: _Context,
    opts: dict,
    memory: MappingMemory | None,
    planner_epsg: int | None,
    content_hash: str,
) -> _Parsed:
    """Read a vector file (every layer, or the one chosen) into rows: attributes mapped to
    fields, a point per feature (on the surface of an area) and its shape, both in WGS 84."""
    vt = vector.read_vector(
        data,
        file,
        layer=opts.get("sheet"),
        max_rows=opts["max_rows"],
        max_unzipped=opts["max_bytes"] * 10,
    )
    f = vt.frame
    proposal = _vector_mapping(f, vt, kind, opts, memory, file)
    rows = pd.DataFrame(index=pd.RangeIndex(len(f)))
    rows["source_row"] = f["_row"].to_numpy(dtype=np.int64)
    rows["sheet"] = f["_layer"].to_numpy(dtype=object) if len(vt.layers) > 1 else None
    rows["layer"] = f["_layer"].to_numpy(dtype=object)
    labels = dict(proposal.mapping)
    for fld, label in labels.items():
        rows[fld] = f[label].to_numpy(dtype=object)
    geoms = np.asarray(f.geometry.array, dtype=object)
    x, y, empty, is_point, has_geom = _shape_points(geoms)
    lon, lat, geometry, crs, notes, issues = _locate_shapes(
        rows, geoms, x, y, is_point, has_geom, vt, ctx, planner_epsg
    )
    rows["lon"], rows["lat"] = lon, lat
    rows["geometry"] = geometry
    rows["geom_type"] = np.where(empty, "", shapely.get_type_id(geoms).astype(str))
    rows["is_point"] = is_point
    rows["has_geom"] = has_geom
    return _Parsed(
        kind,
        file,
        None if len(vt.layers) > 1 else vt.layers[0],
        vt.layers,
        rows,
        labels,
        issues,
        pd.DataFrame(columns=["row", "reason", "text"]),
        proposal,
        crs,
        notes,
        content_hash,
    )


def _vector_mapping(f, vt, kind: str, opts: dict, memory: MappingMemory | None, file: str):
    """The column mapping of a vector file's attributes (a KML placemark's ``name`` read as
    the village, site or area name), checked and remembered."""
    attr_labels = [
        c for c in f.columns if c not in ("_layer", "_row", "geometry") and f[c].notna().any()
    ]
    proposal = cols.propose_mapping(attr_labels, kind, memory=memory, given=opts.get("mapping"))
    if proposal.source == "recognised":
        # A KML placemark's label names the village (or the site, or the area).
        target = {"sites": "site_name", "coverage": "name"}.get(kind, "village")
        for label in attr_labels:
            if (
                label.lower() == "name"
                and target in cols.KIND_FIELDS[kind]
                and proposal.mapping.get(target) in (None, label)
            ):
                proposal.mapping[target] = label
                proposal.confidence[target] = 0.85
    proposal.geometry = True
    proposal.provided = _provided(opts)
    _require_columns(proposal, file, None if len(vt.layers) > 1 else vt.layers[0])
    if proposal.source == "planner" and memory is not None:
        memory.put(proposal)
    return proposal


def _shape_points(geoms: np.ndarray):
    """A point per feature (the feature itself, or a point on the surface of a line or area)
    as x and y, and which features are empty, points, or have a geometry."""
    type_id = shapely.get_type_id(geoms)
    empty = (type_id < 0) | shapely.is_empty(geoms)
    is_point = ~empty & (type_id == shapely.GeometryType.POINT)
    rep = geoms.copy()
    has_geom = ~empty
    rep[has_geom & ~is_point] = shapely.point_on_surface(geoms[has_geom & ~is_point])
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    x[has_geom] = shapely.get_x(rep[has_geom])
    y[has_geom] = shapely.get_y(rep[has_geom])
    return x, y, empty, is_point, has_geom


def _locate_shapes(rows, geoms, x, y, is_point, has_geom, vt, ctx: _Context, planner_epsg):
    """The features' points and shapes in WGS 84 (the planner's CRS, the file's, or one found
    from the coordinates, axes swapped when they look swapped), the CRS, notes and the issue of
    features whose coordinates were exchanged."""
    f = vt.frame
    epsg_given = planner_epsg or vt.epsg
    labels_xy = ("lon", "lat") if epsg_given == coords.WGS84 else ("easting", "northing")
    notes = list(vt.notes)
    issues: list[pd.DataFrame] = []
    crs = None
    lon = np.full(len(f), np.nan)
    lat = np.full(len(f), np.nan)
    if has_geom.any():
        located = coords.locate(
            pd.Series(x),
            pd.Series(y),
            labels=labels_xy,
            prj_epsg=vt.epsg,
            planner_epsg=planner_epsg,
            province_code=ctx.province_code,
            inside=ctx.inside,
        )
        crs = located.crs
        lon, lat = located.lon, located.lat
        swap_file = crs is not None and crs.axis in ("latlon", "x_northing")
        notes += located.notes
        # Non-point geometries: transform the whole shapes the same way.
        shapes = has_geom & ~is_point
        geometry = np.full(len(f), None, dtype=object)
        if shapes.any() and crs is not None:
            if crs.epsg == coords.WGS84 and not swap_file:
                geometry[shapes] = geoms[shapes]
            else:
                geometry[shapes] = vector.geometry_to_wgs84(geoms[shapes], crs.epsg, swap=swap_file)
        issues.append(
            _issue(
                rows,
                located.swapped_rows,
                "review",
                "geometry",
                "the two coordinates of this feature look swapped against the rest; they were "
                "exchanged",
                "hai tọa độ của đối tượng này có vẻ bị đảo so với các đối tượng khác; đã đổi chỗ",
            )
        )
    else:
        geometry = np.full(len(f), None, dtype=object)
    return lon, lat, geometry, crs, notes, issues


def _read_raster(data: bytes, file: str, kind: str, content_hash: str, opts: dict) -> _Parsed:
    g = vector.read_raster(data, file)
    rows = pd.DataFrame(
        {
            "source_row": [1],
            "sheet": [None],
            "layer": g["_layer"].to_numpy(dtype=object),
            "lon": [np.nan],
            "lat": [np.nan],
            "geometry": g.geometry.to_numpy(dtype=object),
            "is_point": [False],
            "has_geom": [not g.geometry.iloc[0].is_empty],
        }
    )
    return _Parsed(
        kind,
        file,
        None,
        [],
        rows,
        {},
        [],
        pd.DataFrame(columns=["row", "reason", "text"]),
        None,
        None,
        [],
        content_hash,
    )
