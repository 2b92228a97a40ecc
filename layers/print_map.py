"""A printable map of a scope: A4 or A3, landscape or portrait, as PDF or PNG.

:func:`print_map` draws the same things as the web map (:mod:`layers.maps`, whose colours and
classes it reuses) with matplotlib on the Agg/PDF backends, without a browser or the internet:
communes shaded by ``villages_mobile_share``, villages coloured by ``gap_class`` (hollow when
located only at their commune), sites as triangles in their operator's colour, the plan's
unserved villages as rings in the assigned operator's colour and, when given, the register's
assignments as rings in the colour of their status. Around the map: a title (place, year), a
legend, a scale bar in km, a north arrow, the date (dd/mm/yyyy, today in Asia/Ho_Chi_Minh), the
data sources (:func:`geo.registry.attribution`) and, when any layer is synthetic, a diagonal
"DỮ LIỆU MÔ PHỎNG" / "SYNTHETIC DATA" stamp.

The map is drawn in the project's metric CRS (:func:`geo.sites.metric_crs`, UTM 48N or 49N), so
the scale bar is measured in metres (the UTM scale error is below 0.1 % in a province); the
north arrow points to true north at the map's centre (grid convergence, about 1° in Điện Biên).

Safety: names from data are drawn as text only: every figure is made under
``text.parse_math = False`` and ``text.usetex = False``, so ``$x^2$`` is printed as written.
The font is DejaVu Sans (shipped with matplotlib), which covers Vietnamese.

Drawing is vectorised (one collection per layer, no Python loop per village or site); point
layers above :data:`RASTERIZE_ABOVE` features are rasterised in the PDF to keep it small.
Measured (``python benchmarks/bench_print.py``, 2 shared cores): Điện Biên (130 communes, 594
villages, 315 synthetic sites) as an A4 or A3 PDF is about 130 kB in 0.9–1.5 s, as a 200 dpi
PNG 0.6 MB (A4) to 0.9 MB (A3) in about 0.8–1.3 s; Lai Châu (1,842 sites) as an A4 PDF
about 145 kB in 1.3 s. The model's build (about 1.7 s) is apart.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import textwrap
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from pyproj import CRS, Transformer

from geo import assignments as asg
from geo import registry, units2025
from geo.i18n import check_lang, fmt_date, fmt_number, fmt_percent, t
from geo.operators import OPERATOR_DISPLAY
from geo.pipeline import Model
from geo.sites import OPERATORS, metric_crs
from layers.maps import (
    GAP_COLOURS,
    NO_DATA_COLOUR,
    NO_VILLAGES_COLOUR,
    OPERATOR_COLOURS,
    SHARE_CLASSES,
    STATUS_COLOURS,
    synthetic_layers,
)

__all__ = [
    "FORMATS",
    "ORIENTATIONS",
    "PAPERS_MM",
    "STAMP",
    "print_label",
    "print_map",
    "share_colours",
    "today_vn",
]

#: Paper sizes in millimetres, (long side, short side).
PAPERS_MM: dict[str, tuple[float, float]] = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}
ORIENTATIONS: tuple[str, ...] = ("landscape", "portrait")
FORMATS: tuple[str, ...] = ("pdf", "png")

#: The stamp across a map with a synthetic layer.
STAMP: dict[str, str] = {"vi": "DỮ LIỆU MÔ PHỎNG", "en": "SYNTHETIC DATA"}

#: Point layers with more features than this are rasterised in the PDF.
RASTERIZE_ABOVE = 20_000

_MM_PER_INCH = 25.4
_TIMEZONE = "Asia/Ho_Chi_Minh"

#: Words of the printed map not (yet) in :data:`layers.i18n.LABELS`.
_LABELS: dict[str, dict[str, str]] = {
    "synthetic_suffix": {"vi": "mô phỏng", "en": "synthetic"},
    "synthetic_note": {
        "vi": "DỮ LIỆU MÔ PHỎNG (minh họa, không phải dữ liệu thật): {layers}",
        "en": "SYNTHETIC DATA (demo, not real data): {layers}",
    },
    "north": {"vi": "B", "en": "N"},
    "printed": {"vi": "Ngày in", "en": "Printed"},
    "download": {"vi": "Tải bản đồ in (PDF)", "en": "Download printable map (PDF)"},
    "paper": {"vi": "Khổ giấy", "en": "Paper"},
    "orientation": {"vi": "Hướng giấy", "en": "Orientation"},
    "landscape": {"vi": "Ngang", "en": "Landscape"},
    "portrait": {"vi": "Dọc", "en": "Portrait"},
}

_RC = {
    "text.parse_math": False,
    "text.usetex": False,
    "font.family": "DejaVu Sans",
    "pdf.fonttype": 42,
    "axes.unicode_minus": False,
}


def print_label(key: str, lang: str = "vi") -> str:
    """A word of the printed map (and its download button) in ``lang`` ("vi" or "en")."""
    return _LABELS[key][check_lang(lang)]


def today_vn() -> dt.date:
    """Today's date in Vietnam (Asia/Ho_Chi_Minh; UTC+7 when the tz database is missing)."""
    try:
        tz: dt.tzinfo = ZoneInfo(_TIMEZONE)
    except ZoneInfoNotFoundError:
        tz = dt.timezone(dt.timedelta(hours=7))
    return dt.datetime.now(tz).date()


def share_colours(share: pd.Series | np.ndarray) -> np.ndarray:
    """The fill colour of each commune by its share, in the web map's classes.

    A share falls in the first class of :data:`layers.maps.SHARE_CLASSES` whose upper bound
    exceeds it (1.0 in the last); a missing share (no villages) is
    :data:`layers.maps.NO_VILLAGES_COLOUR`.

    Parameters
    ----------
    share
        Shares between 0 and 1, missing values allowed.

    Returns
    -------
    numpy.ndarray
        Hex colours (object array) aligned with ``share``.
    """
    uppers = np.array([u for u, _ in SHARE_CLASSES])
    palette = np.array([c for _, c in SHARE_CLASSES] + [NO_VILLAGES_COLOUR], dtype=object)
    s = pd.to_numeric(pd.Series(share), errors="coerce").to_numpy(dtype=float)
    idx = np.minimum(np.searchsorted(uppers, s, side="right"), len(uppers) - 1)
    idx[np.isnan(s)] = len(uppers)
    return palette[idx]


# ---------------------------------------------------------------------------------------------
# The scope's frames
# ---------------------------------------------------------------------------------------------


class _Frames(NamedTuple):
    communes: gpd.GeoDataFrame
    status: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    declared: gpd.GeoDataFrame | None
    assignments: gpd.GeoDataFrame | None
    place: str


def _scoped(model: Model, district_code: str | None, units: str, commune_2025_code: str | None,
            assignments: gpd.GeoDataFrame | None) -> _Frames:
    """The scope's communes, villages, sites, declared villages and assignments, and its name
    (the same scoping as :func:`layers.maps.build_map`)."""
    communes, status, declared = model.communes, model.status, model.declared
    place = model.province
    if units == "2025":
        ctx = units2025.context(model)
        communes, status, place = units2025.communes_2025_table(model), ctx.status, ctx.province_2025
        if commune_2025_code is not None:
            communes = communes[communes["commune_2025_code"] == commune_2025_code]
            status = status[status["commune_2025_code"] == commune_2025_code]
            if len(communes):
                place = f"{communes['commune_2025'].iloc[0]}, {place}"
        communes = communes[~communes["geometry_method"].eq("missing")]
        if declared is not None:
            declared = declared[declared["village_id"].isin(set(status["village_id"]))]
    elif units != "pre2025":
        raise ValueError(f"units must be 'pre2025' or '2025', not {units!r}")
    elif district_code is not None:
        communes = communes[communes["district_code"] == district_code]
        status = status[status["district_code"] == district_code]
        if declared is not None:
            declared = declared[declared["district_code"] == district_code]
        if len(communes):
            place = f"{communes['district'].iloc[0]}, {model.province}"
    if assignments is not None and len(assignments):
        keep = assignments["village_id"].isin(set(status["village_id"]))
        assignments = assignments[keep & ~(assignments.geometry.is_empty
                                           | assignments.geometry.isna())]
    return _Frames(communes, status, model.sites, declared, assignments, place)


def _to_metric(gdf: gpd.GeoDataFrame | None, crs: CRS) -> gpd.GeoDataFrame | None:
    if gdf is None or not len(gdf):
        return None
    gdf = gdf if gdf.crs is not None else gdf.set_crs(4326)
    return gdf.to_crs(crs)


def _xy(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    return gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()


# ---------------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------------


def _draw_layers(ax: Axes, f: _Frames, crs: CRS, has_sites: bool) -> dict[str, list[str]]:
    """Draw the layers in ``crs`` on ``ax``; return what is present (for the legend)."""
    present: dict[str, list[str]] = {"operators": [], "declared": [], "statuses": []}
    communes = _to_metric(f.communes, crs)
    if communes is not None:
        fill = (share_colours(communes["villages_mobile_share"]) if has_sites
                else np.full(len(communes), NO_DATA_COLOUR, dtype=object))
        communes.plot(ax=ax, color=list(fill), edgecolor="#4d4d4d", linewidth=0.3, zorder=1)
    status = _to_metric(f.status, crs)
    if status is not None:
        gap = (status["gap_class"].astype(str) if has_sites
               else pd.Series("nosites", index=status.index))
        colours = gap.map(GAP_COLOURS).fillna(GAP_COLOURS["nosites"]).to_numpy(dtype=object)
        by_commune = status["location_precision"].eq("commune").to_numpy()
        x, y = _xy(status)
        raster = len(status) > RASTERIZE_ABOVE
        ax.scatter(x[~by_commune], y[~by_commune], s=9, c=list(colours[~by_commune]),
                   edgecolors="white", linewidths=0.25, zorder=3, rasterized=raster)
        ax.scatter(x[by_commune], y[by_commune], s=12, facecolors="none",
                   edgecolors=list(colours[by_commune]), linewidths=0.9, linestyles="--", zorder=3)
    sites = _to_metric(f.sites, crs)
    if sites is not None:
        ops = sites["operator"].astype(str)
        present["operators"] = [op for op in OPERATORS if op in set(ops)]
        x, y = _xy(sites)
        ax.scatter(x, y, s=16, marker="^", c=list(ops.map(OPERATOR_COLOURS).fillna("#000000")),
                   edgecolors="white", linewidths=0.3, zorder=4,
                   rasterized=len(sites) > RASTERIZE_ABOVE)
    declared = _to_metric(f.declared, crs)
    if declared is not None:
        ops = declared["operator"].astype(str)
        present["declared"] = [op for op in OPERATORS if op in set(ops)]
        x, y = _xy(declared)
        ax.scatter(x, y, s=70, facecolors="none", linewidths=1.5, zorder=5,
                   edgecolors=list(ops.map(OPERATOR_COLOURS).fillna("#000000")))
    assigned = _to_metric(f.assignments, crs)
    if assigned is not None:
        st = assigned["status"].astype(str)
        present["statuses"] = [s for s in asg.STATUSES if s in set(st)]
        x, y = _xy(assigned)
        ax.scatter(x, y, s=140, facecolors="none", linewidths=1.1, zorder=5,
                   edgecolors=list(st.map(STATUS_COLOURS).fillna("#000000")))
    return present


def _legend_entries(lang: str, present: dict[str, list[str]], *, has_sites: bool,
                    sites_syn: bool, doc: str) -> tuple[list, list[str], list[int]]:
    """Handles, labels and the indices of the section headers of the legend."""
    sx = f" ({print_label('synthetic_suffix', lang)})" if sites_syn else ""
    handles: list = []
    labels: list[str] = []
    headers: list[int] = []

    def header(text: str) -> None:
        headers.append(len(labels))
        handles.append(Patch(visible=False))
        labels.append(text)

    def dot(colour: str, text: str, *, ring: bool = False, marker: str = "o", size: float = 6,
            dashed: bool = False) -> None:
        handles.append(Line2D([], [], linestyle="none", marker=marker, markersize=size,
                              markerfacecolor="none" if ring else colour,
                              markeredgecolor=colour if ring else "white",
                              markeredgewidth=1.5 if ring else 0.4,
                              dash_capstyle="butt", fillstyle="none" if dashed else "full"))
        labels.append(text)

    header(t("villages_layer", lang) + sx)
    for k in ("all", "partial", "none") if has_sites else ("nosites",):
        dot(GAP_COLOURS[k], t(f"gap_{k}", lang))
    dot("#555555", t("location_commune_note", lang), ring=True, dashed=True)
    if present["declared"]:
        header(t("unserved_declared", lang) + (f" ({doc})" if doc else ""))
        for op in present["declared"]:
            dot(OPERATOR_COLOURS[op], OPERATOR_DISPLAY.get(op, op), ring=True, size=8)
    if present["statuses"]:
        header(t("assignment_layer", lang))
        for s in present["statuses"]:
            dot(STATUS_COLOURS[s], asg.STATUS_LABELS[s][lang], ring=True, size=9)
    if present["operators"]:
        header(t("sites_layer", lang) + sx)
        for op in present["operators"]:
            dot(OPERATOR_COLOURS[op], OPERATOR_DISPLAY.get(op, op), marker="^", size=6)
    if has_sites:
        header(t("commune_share_legend", lang) + sx)
        bounds = (0.0, *(u for u, _ in SHARE_CLASSES))
        for i, (upper, colour) in enumerate(SHARE_CLASSES):
            handles.append(Patch(facecolor=colour, edgecolor="#4d4d4d", linewidth=0.3))
            labels.append(f"{fmt_number(100 * bounds[i], lang)}–{fmt_percent(upper, lang, 0)}")
        handles.append(Patch(facecolor=NO_VILLAGES_COLOUR, edgecolor="#4d4d4d", linewidth=0.3))
        labels.append(t("no_villages", lang))
    else:
        handles.append(Patch(facecolor=NO_DATA_COLOUR, edgecolor="#4d4d4d", linewidth=0.3))
        labels.append(f"{t('commune', lang)}: {t('gap_nosites', lang).lower()}")
    return handles, labels, headers


# ---------------------------------------------------------------------------------------------
# Map furniture: extent, scale bar, north arrow
# ---------------------------------------------------------------------------------------------


def _fit_extent(bounds: np.ndarray, box_w: float, box_h: float) -> tuple[float, ...]:
    """Limits around ``bounds`` (padded 4 %) with the aspect of a ``box_w`` × ``box_h`` box."""
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    w, h = max(maxx - minx, 1000.0), max(maxy - miny, 1000.0)
    w, h = w * 1.08, h * 1.08
    if w / h < box_w / box_h:
        w = h * box_w / box_h
    else:
        h = w * box_h / box_w
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2


def _nice_length(target_m: float) -> float:
    """The largest 1, 2 or 5 × 10^k metres not above ``target_m``."""
    base = 10 ** math.floor(math.log10(max(target_m, 1.0)))
    return max(m for m in (1, 2, 5) if m * base <= target_m) * base


def _scale_bar(ax: Axes, extent: tuple[float, ...], lang: str, fontsize: float) -> float:
    """A two-part scale bar in km at the lower left of the map; returns its length in m."""
    x0, x1, y0, y1 = extent
    w, h = x1 - x0, y1 - y0
    length = _nice_length(w * 0.22)
    bx, by, bh = x0 + 0.03 * w, y0 + 0.035 * h, 0.009 * h
    ax.add_patch(Rectangle((bx - 0.01 * w, by - 0.015 * h), length + 0.035 * w + 0.02 * w,
                           bh + 0.05 * h, facecolor="white", alpha=0.8, edgecolor="none",
                           zorder=6))
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(Rectangle((bx + i * length / 2, by), length / 2, bh, facecolor=colour,
                               edgecolor="black", linewidth=0.6, zorder=7))

    def km(metres: float) -> str:
        v = metres / 1000
        return fmt_number(v, lang, 0 if float(v).is_integer() else 1)

    for pos, text in ((0, "0"), (length / 2, km(length / 2)), (length, f"{km(length)} km")):
        ax.text(bx + pos, by + bh + 0.008 * h, text, ha="center", va="bottom",
                fontsize=fontsize, zorder=7, parse_math=False)
    return length


def _north_arrow(ax: Axes, crs: CRS, extent: tuple[float, ...], lang: str,
                 fontsize: float) -> float:
    """A north arrow at the upper right, pointing to true north; returns its angle in
    degrees clockwise from the map's up."""
    x0, x1, y0, y1 = extent
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(cx, cy)
    nx, ny = Transformer.from_crs(4326, crs, always_xy=True).transform(lon, lat + 0.05)
    angle = math.atan2(nx - cx, ny - cy)
    size = 3.2 * fontsize  # points
    tip = (0.95, 0.90)
    ax.annotate("", xy=tip, xycoords="axes fraction",
                xytext=(-size * math.sin(angle), -size * math.cos(angle)),
                textcoords="offset points", zorder=8,
                arrowprops={"arrowstyle": "-|>,head_length=0.8,head_width=0.4", "color": "black",
                            "linewidth": 1.6})
    ax.annotate(print_label("north", lang), xy=tip, xycoords="axes fraction",
                xytext=(2 * fontsize * math.sin(angle), 2 * fontsize * math.cos(angle)),
                textcoords="offset points", ha="center", va="center", fontsize=1.4 * fontsize,
                fontweight="bold", zorder=8, parse_math=False)
    return math.degrees(angle)


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def _page_size(paper: str, orientation: str) -> tuple[float, float]:
    """The page's width and height in inches."""
    if paper not in PAPERS_MM:
        raise ValueError(f"paper must be one of {', '.join(PAPERS_MM)}, not {paper!r}")
    if orientation not in ORIENTATIONS:
        raise ValueError(f"orientation must be one of {', '.join(ORIENTATIONS)}, "
                         f"not {orientation!r}")
    long, short = (v / _MM_PER_INCH for v in PAPERS_MM[paper])
    return (long, short) if orientation == "landscape" else (short, long)


def _wrap(text: str, width_in: float, fontsize: float) -> str:
    """``text`` wrapped to about ``width_in`` inches at ``fontsize`` points."""
    chars = max(int(width_in * 72 / (0.55 * fontsize)), 20)
    return "\n".join(textwrap.wrap(text, chars, break_on_hyphens=False)) if text else ""


def print_map(
    model: Model,
    *,
    paper: str = "A4",
    orientation: str = "landscape",
    fmt: str = "pdf",
    lang: str = "vi",
    district_code: str | None = None,
    units: str = "pre2025",
    commune_2025_code: str | None = None,
    assignments: gpd.GeoDataFrame | None = None,
    dpi: int = 200,
    today: dt.date | None = None,
) -> bytes:
    """The printable map of ``model``'s scope as a PDF or PNG page.

    Parameters
    ----------
    model
        The built model (:func:`geo.workspace.build`).
    paper
        ``"A4"`` (default) or ``"A3"``.
    orientation
        ``"landscape"`` (default) or ``"portrait"``.
    fmt
        ``"pdf"`` (default, vector) or ``"png"`` (raster at ``dpi``).
    lang
        ``"vi"`` (default) or ``"en"``.
    district_code
        Only this district (3-digit GSO code), in the units before 01/07/2025.
    units
        ``"pre2025"`` (default) or ``"2025"`` (the communes from 01/07/2025).
    commune_2025_code
        With ``units="2025"``: only this new commune.
    assignments
        The register's assignments (:func:`geo.assignments.to_geodataframe`), drawn as rings
        in the colour of their status.
    dpi
        Resolution of the PNG and of rasterised layers in the PDF.
    today
        The date printed on the map; default today in Asia/Ho_Chi_Minh.

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    ValueError
        Unknown ``paper``, ``orientation``, ``fmt``, ``lang`` or ``units``.
    """
    check_lang(lang)
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
    width, height = _page_size(paper, orientation)
    frames = _scoped(model, district_code, units, commune_2025_code, assignments)
    with matplotlib.rc_context(_RC):
        fig = _figure(model, frames, width, height, lang=lang, units=units,
                      today=today or today_vn())
        buf = io.BytesIO()
        metadata = {"Title": fig.get_label(), "Creator": "vn-coverage"}
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata)
    return buf.getvalue()


def _texts(model: Model, f: _Frames, *, lang: str, units: str, today: dt.date,
           syn: list[str]) -> tuple[str, str, list[str]]:
    """The title, the synthetic-data note ("" when none) and the footer's lines."""
    title = f"{t('page_title', lang)}: {f.place}"
    if model.year is not None:
        title += f" ({model.year})"
    if units == "2025":
        title += f" – {t('units_2025_long', lang)}"
    note = ""
    if syn:
        names = ", ".join(t(f"layer_{k}", lang) for k in syn)
        note = print_label("synthetic_note", lang).format(layers=names)
    register = model.data.register
    foot = [
        f"{print_label('printed', lang)}: {fmt_date(today, lang)} · "
        f"{t('coverage_model_note', lang)}",
        f"{t('attribution', lang)}: {registry.attribution()}",
        register.note_vi if lang == "vi" else register.note_en,
    ]
    return title, note, [line for line in foot if line]


def _map_axes(fig: Figure, model: Model, f: _Frames, rect: list[float], *, lang: str,
              fs: float, has_sites: bool) -> dict[str, list[str]]:
    """The map in its frame, with its scale bar and north arrow; what it shows."""
    width, height = fig.get_size_inches()
    ax = fig.add_axes(rect)
    ax.set_axis_off()
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, linewidth=0.8,
                           edgecolor="#333333", zorder=9, clip_on=False))
    shown = f.communes if len(f.communes) else f.status
    if not len(shown):
        shown = model.communes
    crs = metric_crs(shown)
    extent = _fit_extent(shown.to_crs(crs).total_bounds, width * rect[2], height * rect[3])
    sites = f.sites
    if len(sites):  # only the sites in view (the map is clipped to its frame anyway)
        lons, lats = Transformer.from_crs(crs, 4326, always_xy=True).transform(
            [extent[0], extent[1], extent[0], extent[1]], [extent[2], extent[2], extent[3],
                                                           extent[3]])
        sites = sites.cx[min(lons):max(lons), min(lats):max(lats)]
    present = _draw_layers(ax, f._replace(sites=sites), crs, has_sites)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal", adjustable="datalim")
    _scale_bar(ax, extent, lang, fs)
    _north_arrow(ax, crs, extent, lang, fs)
    return present


def _figure(model: Model, f: _Frames, width: float, height: float, *, lang: str, units: str,
            today: dt.date) -> Figure:
    """The page as a matplotlib figure (not attached to pyplot)."""
    landscape = width > height
    fs = 7.0 * min(width, height) / (210 / _MM_PER_INCH)  # 7 pt on A4, about 10 on A3
    line = 1.3 * fs / 72  # inches per line of fs-point text
    margin = 0.3 * min(width, height) / 8.27
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    has_sites = len(model.sites) > 0
    syn = synthetic_layers(model)
    title, note, foot_lines = _texts(model, f, lang=lang, units=units, today=today, syn=syn)
    fig.set_label(title)

    title = _wrap(title, width - 2 * margin, 1.9 * fs)
    foot_text = "\n".join(_wrap(x, width - 2 * margin, 0.85 * fs) for x in foot_lines)
    top_in = margin + (title.count("\n") + 1) * 1.9 * line + (1.2 * line if note else 0) + line
    foot_in = margin + (foot_text.count("\n") + 1) * 0.85 * line + line
    x0, top, foot = margin / width, 1 - top_in / height, foot_in / height
    fig.text(x0, 1 - margin / height, title, ha="left", va="top", fontsize=1.9 * fs,
             fontweight="bold", parse_math=False)
    if note:
        fig.text(x0, top + 1.1 * line / height, note, ha="left", va="baseline", fontsize=fs,
                 color="#b2182b", fontweight="bold", parse_math=False)
    fig.text(x0, foot - 0.6 * line / height, foot_text, ha="left", va="top",
             fontsize=0.85 * fs, color="#333333", parse_math=False, linespacing=1.25)

    inner = 1 - 2 * x0
    if landscape:
        map_rect = [x0, foot, 0.72 * inner, top - foot]
        leg_rect = [x0 + 0.74 * inner, foot, 0.26 * inner, top - foot]
    else:
        band = 0.22
        map_rect = [x0, foot + band, inner, top - foot - band]
        leg_rect = [x0, foot, inner, band - 0.01]
    present = _map_axes(fig, model, f, map_rect, lang=lang, fs=fs, has_sites=has_sites)
    doc = ""
    if f.declared is not None and len(f.declared) and "document" in f.declared.columns:
        doc = str(f.declared["document"].iloc[0])
    entries = _legend_entries(lang, present, has_sites=has_sites, sites_syn="sites" in syn,
                              doc=doc)
    _legend(fig, leg_rect, entries, lang=lang, fs=fs, ncol=1 if landscape else 2)
    if syn:
        box_w, box_h = width * map_rect[2], height * map_rect[3]
        angle = math.degrees(math.atan2(box_h, box_w))
        # About 60 % of the map's diagonal (a bold capital of DejaVu Sans is ~0.75 em wide).
        size = 0.6 * math.hypot(box_w, box_h) * 72 / (0.75 * len(STAMP[lang]))
        fig.text(map_rect[0] + map_rect[2] / 2, map_rect[1] + map_rect[3] / 2, STAMP[lang],
                 ha="center", va="center", rotation=angle, rotation_mode="anchor",
                 fontsize=size, fontweight="bold", color="#b2182b", alpha=0.25, zorder=20,
                 parse_math=False)
    return fig


def _legend(fig: Figure, rect: list[float], entries: tuple[list, list[str], list[int]], *,
            lang: str, fs: float, ncol: int) -> None:
    """The legend in its own (empty) axes, section headers in bold."""
    handles, labels, headers = entries
    ax = fig.add_axes(rect)
    ax.set_axis_off()
    wrap_in = fig.get_size_inches()[0] * rect[2] / ncol - 0.4
    legend = ax.legend(
        handles, [_wrap(lb, wrap_in, 1.1 * fs) for lb in labels], loc="upper left", ncol=ncol,
        frameon=False, fontsize=fs, title=t("legend", lang),
        title_fontproperties={"weight": "bold", "size": 1.2 * fs}, alignment="left",
        handlelength=1.4, handletextpad=0.6, borderaxespad=0.0, labelspacing=0.45,
    )
    texts = legend.get_texts()
    for i in headers:  # a handful of section headers, not one per feature
        texts[i].set_fontweight("bold")
