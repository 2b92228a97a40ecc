"""``python -m geo export | indicators | map``: a scope's layers, indicators and map.

Every command builds its model through :func:`geo.workspace.build`, reading the same stores as
the app: the import store (``--store``, else ``$COVERAGE_IMPORTS_DB``, else the user's data
folder) and the assignment register (``--db``, else ``$COVERAGE_ASSIGNMENTS_DB``), so the file
written here and the app's screen agree. ``--demo`` ignores the stores (the synthetic demo
layers only). Which layers are synthetic is said on stderr; results go to stdout or the file.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from pathlib import Path

from geo import cells, workspace
from geo.cli import actuals as actuals_cli
from geo.cli import snapshots as snapshots_cli
from geo.errors import InputError
from geo.vocab import UnitSystem

__all__ = ["LAYERS", "MAP_FORMATS", "add_parsers", "map_format", "run_export", "run_indicators",
           "run_map", "run_national_map"]

log = logging.getLogger("geo")

LAYERS = ("communes", "villages", "unserved", "sites", "fibre")
MAP_FORMATS = ("html", "pdf", "png")


def _scope_arguments(
    p: argparse.ArgumentParser, *, district: bool = True, province_required: bool = True
) -> None:
    p.add_argument(
        "--province", required=province_required, help="name in any spelling, or GSO code"
    )
    if district:
        p.add_argument("--district", default=None, help="only this district (name or code)")
        p.add_argument(
            "--commune", default=None, help="--units 2025 only: one new commune (name or code)"
        )
    p.add_argument("--units", choices=[u.value for u in UnitSystem], default="pre2025")
    p.add_argument("--year", type=int, default=None, help="sites on air by 31/12 of this year")
    p.add_argument(
        "--store", default=None,
        help="the import store (default $COVERAGE_IMPORTS_DB, else the user's data folder)",
    )
    p.add_argument(
        "--db", default=None,
        help="the assignment register (default $COVERAGE_ASSIGNMENTS_DB, else the user's data "
        "folder)",
    )
    p.add_argument(
        "--demo", action="store_true",
        help="ignore the stores: the SYNTHETIC demo layers only",
    )
    measured_arguments(p)


def measured_arguments(p: argparse.ArgumentParser) -> None:
    """The measurement store and how measurements decide a village's status."""
    p.add_argument(
        "--measurements", default=None, metavar="DB",
        help="the measurement store (default $COVERAGE_MEASUREMENTS_DB, else the user's data "
        "folder)",
    )
    p.add_argument("--measured-within", type=float, default=500.0, metavar="M",
                   help="measurements count for the nearest village within M metres (500)")
    p.add_argument("--measured-min-count", type=int, default=5, metavar="N",
                   help="points of one technology a village needs to take its status (5)")
    p.add_argument("--measured-min-share", type=float, default=0.5, metavar="S",
                   help="covered when this share (0-1) of points is above threshold (0.5)")


def add_parsers(sub) -> None:
    """Add ``export``, ``indicators`` and ``map`` to the command line's subparsers."""
    e = sub.add_parser("export", help="write a layer of a province")
    _scope_arguments(e)
    e.add_argument("--layer", required=True, choices=LAYERS)
    e.add_argument("--output", required=True, help=".geojson, .gpkg, .kml, .kmz or .shp")
    e.add_argument("--crs", default=None, help="e.g. EPSG:9205 (VN-2000 TM-3) for .gpkg/.shp")

    i = sub.add_parser("indicators", help="the plan's indicators for a province")
    _scope_arguments(i)
    i.add_argument("--format", choices=("json", "csv", "xlsx"), default="json")
    i.add_argument("--output", default=None, help="file to write (required for xlsx)")
    actuals_cli.add_indicator_arguments(i)
    snapshots_cli.add_snapshot_arguments(i)

    m = sub.add_parser("map", help="the map of a province: HTML, or a printable PDF or PNG")
    _scope_arguments(m, province_required=False)
    m.add_argument(
        "--national", action="store_true",
        help="all Vietnam, light: every province and its communes (--units 2025) or districts "
        "(pre2025), with whether real data is loaded and its indicators (HTML only)",
    )
    m.add_argument("--output", required=True)
    m.add_argument("--lang", choices=("vi", "en"), default="vi", dest="map_lang")
    m.add_argument(
        "--format", choices=MAP_FORMATS, default=None, dest="map_format",
        help="default: from the output's extension (.pdf, .png, else html)",
    )
    m.add_argument("--paper", choices=("A4", "A3"), default="A4", help="pdf/png only")
    m.add_argument(
        "--orientation", choices=("landscape", "portrait"), default="landscape",
        help="pdf/png only",
    )


def _model(args):
    """The scope, settings and model the arguments name (via the workspace)."""
    scope = workspace.resolve_scope(
        args.province,
        units_system=args.units,
        district=getattr(args, "district", None),
        commune_2025=getattr(args, "commune", None),
    )
    from geo import measurements

    rules = measurements.Rules.make(
        within_m=getattr(args, "measured_within", 500.0),
        min_count=getattr(args, "measured_min_count", 5),
        min_share=getattr(args, "measured_min_share", 0.5),
    )
    settings = dataclasses.replace(workspace.Settings.make(year=args.year), measured=rules)
    stores = (
        workspace.Stores() if args.demo
        else workspace.Stores.default(args.store, args.db, getattr(args, "measurements", None))
    )
    model = workspace.build(scope, settings, stores=stores)
    _say_sources(model, stores)
    return scope, settings, stores, model


def _say_sources(model, stores: workspace.Stores) -> None:
    """Tell on stderr where the sites and fibre come from (synthetic or the planner's)."""
    for key in ("sites", "fibre"):
        info = model.sources.get(key, {})
        by = info.get("by_province", {})
        parts = ", ".join(f"{code}: {what or 'none'}" for code, what in by.items())
        warn = " — SYNTHETIC demo data (mô phỏng), not real" if info.get("synthetic") else ""
        print(f"{key}: {parts or 'none'}{warn}", file=sys.stderr)
    if stores.imports is not None:
        print(f"import store: {stores.imports}", file=sys.stderr)


def _assignments(model, scope, stores: workspace.Stores):
    """The register's assignments of the scope as a GeoDataFrame, or None without a
    register."""
    if stores.assignments is None or not Path(stores.assignments).is_file():
        return None
    from geo import assignments as asg

    conn = asg.connect(stores.assignments)
    try:
        parts = [asg.current(conn, province_code=c) for c in scope.codes]
    finally:
        conn.close()
    import pandas as pd

    a = pd.concat(parts, ignore_index=True)
    if scope.district_code is not None:
        a = a[a["district_code"] == scope.district_code]
    return asg.to_geodataframe(a) if len(a) else None


def run_export(args) -> int:
    """``export``: one layer of the scope to a file."""
    from layers import export

    scope, _, _, model = _model(args)
    gdf = workspace.layer_for(model, scope, args.layer)
    out = export.write_layer(gdf, args.output, layer=args.layer, crs=args.crs)
    log.info("wrote %d features to %s", len(gdf), out)
    return 0


def run_indicators(args) -> int:
    """``indicators``: the scope's indicators as JSON, CSV or the Phụ lục 1 workbook."""
    from geo import indicators

    if args.format == "xlsx" and not args.output:
        raise InputError(
            "--format xlsx needs --output FILE.xlsx",
            "--format xlsx cần --output TỆP.xlsx",
            field="--output",
        )
    actuals_cli.plan_scope(args)
    scope, settings, stores, model = _model(args)
    result = workspace.indicators_for(model, scope, settings)
    snapshots_cli.save_if_asked(args, scope, settings, stores, model, result)
    if args.format == "xlsx":
        from layers import tables

        options = actuals_cli.workbook_options(args, result)
        Path(args.output).write_bytes(tables.indicators_xlsx(result, **options))
        log.info("wrote %s", args.output)
        return 0
    if args.format == "json":
        text = json.dumps(result, ensure_ascii=False, indent=2, default=str)
    else:
        text = cells.to_csv(indicators.to_frame(result))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def map_format(args) -> str:
    """``map``'s format: ``--format``, else the output's extension (.pdf, .png), else html."""
    if args.map_format:
        return args.map_format
    ext = Path(args.output).suffix.lower().lstrip(".")
    return ext if ext in ("pdf", "png") else "html"


def run_map(args) -> int:
    """``map``: the standalone HTML map of the scope, or the printable map (PDF or PNG)."""
    fmt = map_format(args)
    if args.national:
        return run_national_map(args, fmt)
    if not args.province:
        raise InputError(
            "map needs --province P (or --national for all Vietnam)",
            "map cần --province P (hoặc --national cho toàn quốc)",
            field="--province",
        )
    scope, _, stores, model = _model(args)
    if fmt in ("pdf", "png"):
        from layers import print_map

        data = print_map.print_map(
            model, paper=args.paper, orientation=args.orientation, fmt=fmt,
            lang=args.map_lang, district_code=scope.district_code, units=str(scope.units),
            commune_2025_code=scope.commune_2025_code,
            assignments=_assignments(model, scope, stores),
        )
        Path(args.output).write_bytes(data)
        log.info("wrote %s (%d bytes)", args.output, len(data))
        return 0
    from layers import maps

    html = maps.standalone_html(
        model,
        lang=args.map_lang,
        district_code=scope.district_code,
        units=str(scope.units),
        commune_2025_code=scope.commune_2025_code,
        assignments=_assignments(model, scope, stores),
        declared_coverage=model.declared_coverage,
    )
    Path(args.output).write_text(html, encoding="utf-8")
    log.info("wrote %s (%d bytes)", args.output, len(html.encode()))
    return 0


def run_national_map(args, fmt: str) -> int:
    """``map --national``: all Vietnam's provinces and units as one light HTML page."""
    from geo import national
    from layers import national as national_layers

    if fmt != "html" or args.province or getattr(args, "district", None) or args.commune:
        raise InputError(
            "--national writes an HTML page of all Vietnam: give no --province, --district, "
            "--commune, and an .html output",
            "--national ghi trang HTML toàn quốc: không ghi --province, --district, --commune; "
            "tệp ra là .html",
            field="--national",
        )
    stores = workspace.Stores() if args.demo else workspace.Stores.default(args.store, args.db)
    settings = workspace.Settings.make(year=args.year)
    outlines = national.outlines(args.units)
    figures = national.province_figures(args.units, settings, stores=stores)
    for origin, group in figures.groupby("origin"):
        print(f"{origin}: {', '.join(group['province'])}", file=sys.stderr)
    html = national_layers.national_html(outlines, figures, lang=args.map_lang)
    Path(args.output).write_text(html, encoding="utf-8")
    log.info("wrote %s (%d bytes)", args.output, len(html.encode()))
    return 0


def register(subparsers) -> dict:
    """Add this group's commands to ``python -m geo``; return each command's runner by name."""
    add_parsers(subparsers)
    return {"export": run_export, "indicators": run_indicators, "map": run_map}
