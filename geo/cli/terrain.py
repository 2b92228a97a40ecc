"""``python -m geo import dem`` and ``python -m geo terrain``: a province's DEM and the terrain
model's rasters.

Examples
--------
python -m geo import dem dem_laichau.tif --province "Lai Châu" --commit --user "Lò Văn Minh"
python -m geo import dem dem_vn2000.tif --province 11 --crs 9205 --output dem_11.tif
python -m geo terrain rasters --province 12 --operator Viettel --technology 4G \
    --output-dir rasters/ --population population_covered.csv

``import dem`` reads the raster windowed to the province (any CRS GDAL knows, VN-2000 TM-3
included), checks its size first, and with ``--commit`` keeps a cropped Cloud-Optimized GeoTIFF
beside the import store with a record of who and when (``--output`` writes the same file
elsewhere). From then on the province's villages are covered according to the terrain model
(``python -m geo export --layer villages`` says ``evidence`` = terrain). ``terrain rasters``
writes, for an operator and a technology, the path loss, covered/not and best-server rasters
as Cloud-Optimized GeoTIFFs, and the population covered per commune (WorldPop × coverage).
Exit 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.errors import InputError

__all__ = ["register", "run_import_dem", "run_rasters"]


def run_import_dem(args: argparse.Namespace) -> int:
    """``python -m geo import dem FILE --province P [--crs C] [--commit] [--output F]``."""
    from geo.terrain import committed
    from geo.terrain import dem as dem_mod

    if not args.output and not args.commit:
        raise InputError(
            "Give --output FILE.tif to write the cropped DEM, or --commit to save it in the store.",
            "Hãy cho --output TỆP.tif để ghi DEM đã cắt, hoặc --commit để lưu vào kho.",
            field="--output",
        )
    dem, info = committed.import_dem(
        args.file,
        args.province,
        imports_path=args.store,
        crs=args.crs,
        commit=args.commit,
        who=args.user,
    )
    if args.output:
        dem_mod.write_cog(dem.elevation, dem.transform, dem.crs, args.output)
        print(f"wrote {args.output}", file=sys.stderr)
    ny, nx = dem.elevation.shape
    print(
        f"{info['source_file']}: {nx} × {ny} cells of {info['resolution_m']:.1f} m in "
        f"{info['crs']} (from {info['source_crs']}) over province {info['province_code']}",
        file=sys.stderr,
    )
    if args.commit:
        print(f"committed DEM {info['dem_id']} to {info['path']}", file=sys.stderr)
    return 0


def run_rasters(args: argparse.Namespace) -> int:
    """``python -m geo terrain rasters``: coverage and best-server rasters of one operator and
    technology, and the population covered per commune."""
    from geo import workspace
    from geo.terrain import raster_outputs

    scope = workspace.resolve_scope(args.province)
    stores = workspace.Stores.default(args.store, None)
    model = workspace.build(scope, workspace.Settings.make(year=args.year), stores=stores)
    written, population = raster_outputs.write_rasters(
        model,
        stores.imports,
        operator=args.operator,
        technology=args.technology,
        folder=Path(args.output_dir),
    )
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    if args.population:
        from geo import cells

        Path(args.population).parent.mkdir(parents=True, exist_ok=True)
        cells.to_csv(population, args.population, encoding="utf-8-sig")
        print(f"wrote {args.population}", file=sys.stderr)
    if model.sources.get("sites", {}).get("synthetic"):
        print("sites: SYNTHETIC demo data (mô phỏng), not real", file=sys.stderr)
    return 0


def register(subparsers) -> dict:
    """Add ``terrain`` to ``python -m geo``; return its runner (``import dem`` is dispatched
    from :mod:`geo.cli.imports`)."""
    from geo.sites import OPERATORS, TECHNOLOGIES

    t = subparsers.add_parser(
        "terrain",
        help="the terrain model's rasters (needs a committed DEM)",
        description="Coverage and best-server rasters of the terrain model, as Cloud-Optimized "
        "GeoTIFFs, and the population covered per commune.",
    )
    actions = t.add_subparsers(dest="terrain_action", required=True)
    r = actions.add_parser("rasters", help="coverage, path-loss and best-server rasters")
    r.add_argument("--province", required=True, help="name in any spelling, or GSO code")
    r.add_argument("--operator", required=True, choices=OPERATORS)
    r.add_argument("--technology", required=True, choices=TECHNOLOGIES)
    r.add_argument("--output-dir", required=True, help="folder of the .tif files")
    r.add_argument("--population", default=None, help="CSV of population covered per commune")
    r.add_argument("--year", type=int, default=None, help="sites on air by 31/12 of this year")
    r.add_argument("--store", default=None, help="the import store (default $COVERAGE_IMPORTS_DB)")
    return {"terrain": run_rasters}
