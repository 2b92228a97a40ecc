"""The dataset registry: every external file the project reads, where it comes from, and where it is.

The project commits no copy or derivative of these files (GADM's licence forbids redistribution).
It reads them from a data folder: ``$COVERAGE_DATA_DIR`` if set, else ``../shared/data`` beside
the repository when the code runs from a checkout; an installed copy has no such place and reads
only ``$COVERAGE_DATA_DIR``. :func:`path` resolves a dataset, checks its sha256 and raises an error
naming the file and where to get it when it is missing or altered.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo import paths
from geo.errors import DatasetChecksumError, DatasetMissingError

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The folder above the ``geo`` package (the repository's root in a checkout)."""

_GADM_LICENCE = "GADM licence: non-commercial use only, no redistribution (gadm.org/license.html)"
_GADM_ATTRIBUTION = "GADM 4.1 (gadm.org); GSO codes from daohoangson/dvhcvn (GPL-3.0)"


@dataclass(frozen=True)
class Dataset:
    """One external file.

    Attributes
    ----------
    name
        The registry key used in code.
    relpath
        Path inside the data folder.
    origin
        Public address or repository (and commit) the file comes from.
    licence, attribution
        Its licence and the credit to show with it.
    sha256
        Checksum of the exact file the project was built and tested against.
    """

    name: str
    relpath: str
    origin: str
    licence: str
    attribution: str
    sha256: str
    description: str = ""


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            "communes_pre2025",
            "boundaries/vn_communes_pre2025_gadm41.gpkg",
            "GADM 4.1 level 3 (gadm.org) via GitHub rexin4n15/vietnam-map-34-provinces@026d337a, "
            "GSO codes joined from daohoangson/dvhcvn@4b1b6b59",
            _GADM_LICENCE,
            _GADM_ATTRIBUTION,
            "175b7b6a4f59a82d1cd60bc4903ba25cff9625671df3642dbb2631dc07df136f",
            "Commune polygons of all Vietnam before 01/07/2025 (11,163), GSO codes",
        ),
        Dataset(
            "districts_pre2025",
            "boundaries/vn_districts_pre2025_gadm41.gpkg",
            "GADM 4.1 level 3 dissolved by GID_2",
            _GADM_LICENCE,
            _GADM_ATTRIBUTION,
            "b542084c277fdb61b23811411734dd27f0669a957e99fc117d53f7d40829637e",
            "District polygons before 01/07/2025 (710)",
        ),
        Dataset(
            "provinces_pre2025",
            "boundaries/vn_provinces_pre2025_gadm41.gpkg",
            "GADM 4.1 level 3 dissolved by GID_1",
            _GADM_LICENCE,
            _GADM_ATTRIBUTION,
            "2fa7f21a65645436f38e9e9535906354f5cf2acb03b171f6b777bfe4da1e1f25",
            "Province polygons before 01/07/2025 (63)",
        ),
        Dataset(
            "provinces_2025",
            "boundaries/vn_provinces_2025_34_from_gadm41.gpkg",
            "GADM 4.1 level 3 dissolved by the 63→34 province merger",
            _GADM_LICENCE,
            _GADM_ATTRIBUTION,
            "ea1ba2f86e8f9d06cd24df03e2b5d1dc8ddee2a7f932084e6f3302cb1fb64e95",
            "Province polygons from 01/07/2025 (34)",
        ),
        Dataset(
            "communes_2025_dienbien_laichau",
            "boundaries/dienbien_laichau_communes_2025_derived.geojson",
            "Derived from GADM 4.1 by union through dvhcvn/20250701@dd94887c",
            _GADM_LICENCE,
            _GADM_ATTRIBUTION,
            "4097029438ed5b25da3486e579393070bbe7b2a141bbc3997e9aac7e3f1b6cc2",
            "Communes of Điện Biên and Lai Châu from 01/07/2025 (83), for checks",
        ),
        Dataset(
            "gso_units_pre2025",
            "boundaries/gso_units_pre2025_20250301.csv",
            "GitHub daohoangson/dvhcvn@4b1b6b59 data/dvhcvn.json (GSO list of 01/03/2025)",
            "GPL-3.0",
            "GSO (danhmuchanhchinh.gso.gov.vn) via daohoangson/dvhcvn",
            "81f2f9ff37557cb86a4f5411d190f18aba5be361d163ca60a2d40f1d6fdfd5f1",
            "GSO code list at 01/03/2025: 63 provinces, 10,047 communes",
        ),
        Dataset(
            "units_2025",
            "boundaries/units_2025_34tinh_3321xa.csv",
            "GitHub dvhcvn/20250701@dd94887c mapping/merges.json",
            "MIT",
            "dvhcvn/20250701 (Resolutions 1654–1687/NQ-UBTVQH15)",
            "a89edef2cd66bac99fc1bff6453df85bab45a77d46e5dbec11e31ea5fab08faf",
            "The 34 provinces and 3,321 communes from 01/07/2025",
        ),
        Dataset(
            "mapping_2025",
            "boundaries/mapping_xa_cu_moi_20250701.csv",
            "GitHub dvhcvn/20250701@dd94887c mapping/splits.json",
            "MIT",
            "dvhcvn/20250701 (Resolutions 1654–1687/NQ-UBTVQH15)",
            "514cba8b82b2971119cfdef359157e81a618735262b499e76817290e51fa397c",
            "Old commune → new commune (10,599 rows, full/partial)",
        ),
        Dataset(
            "population_2019",
            "admin/vn_commune_population_2019.csv",
            "GitHub hgscarlette/vn-demographic@bfc55081 VN_Population_ward.csv (2019 census, GSO)",
            "none declared (public statistics; compilation by the repository author)",
            "Tổng điều tra dân số 2019 (GSO) via hgscarlette/vn-demographic",
            "dae94622bff576df1a0a52a591e2ac81e7fadcb2c57cd348d5f73fe4693a0e46",
            "Population per commune, 2019 census (11,165)",
        ),
        Dataset(
            "worldpop_2020",
            "rasters/worldpop_vnm_ppp_2020_1km_UNadj.tif",
            "WorldPop vnm_ppp_2020_1km_Aggregated_UNadj (doi:10.5258/SOTON/WP00671) via "
            "GitHub kraemer-lab/geoglue@e83cf4e8",
            "CC BY 4.0",
            "WorldPop (www.worldpop.org), University of Southampton, doi:10.5258/SOTON/WP00671",
            "55cc3fb948c9afec65d674f3ae43f2e47c7cdd2ab89e232b66d52959dcc92415",
            "Population per 1 km pixel, 2020, all Vietnam",
        ),
        Dataset(
            "geonames_places",
            "villages/geonames_vn_populated_places_2020_all.csv",
            "GeoNames VN.txt export 15/01/2020 via GitHub luuthi/bank-demo@9a4884f2",
            "CC BY 4.0",
            "GeoNames (geonames.org)",
            "43c63c9f77e4c94c26362fdcca0143b608b363c37ed0dd553baa43815413c335",
            "Populated places of Vietnam (40,858 points; partial, not a village register)",
        ),
        Dataset(
            "operators_mcc452",
            "operators/mcc452_operators.csv",
            "npm mcc-mnc-list 1.1.11 (Wikipedia 'Mobile Network Codes in ITU region 4xx')",
            "CC BY-SA 4.0 (Wikipedia contributors); package code MIT",
            "Wikipedia contributors",
            "ffb38c8fc527dfbbea8cada4f0a7faad58551e5845204cdf2145ae570315495c",
            "Mobile network codes of Vietnam (MCC 452)",
        ),
    ]
}

_README_HINT = (
    "Get it as described in shared/data/README.md of the project's data bundle, or set "
    "COVERAGE_DATA_DIR to a folder that holds it."
)


def data_dir() -> Path | None:
    """The folder external data is read from.

    Returns
    -------
    pathlib.Path or None
        ``$COVERAGE_DATA_DIR`` if set; else ``../shared/data`` beside the repository in a
        checkout; ``None`` in an installed copy without ``$COVERAGE_DATA_DIR`` (then
        :func:`path` raises an error saying to set it).
    """
    env = os.environ.get("COVERAGE_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    root = paths.repo_root()
    if root is None:
        return None
    return (root.parent / "shared" / "data").resolve()


@lru_cache(maxsize=64)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def path(name: str, *, verify: bool = True) -> Path:
    """Resolve a registered dataset to a path in the data folder.

    Parameters
    ----------
    name
        A key of :data:`DATASETS`.
    verify
        Check the file's sha256 against the registry.

    Raises
    ------
    DatasetMissingError
        The file is not there; the message names it and where to get it.
    DatasetChecksumError
        The file differs from the registered one.
    """
    if name not in DATASETS:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(sorted(DATASETS))}")
    ds = DATASETS[name]
    folder = data_dir()
    if folder is None:
        raise DatasetMissingError(
            f"Data file {ds.relpath} cannot be found: COVERAGE_DATA_DIR is not set. Set it to the "
            f"folder that holds the data bundle (export COVERAGE_DATA_DIR=/path/to/data). "
            f"It comes from {ds.origin} ({ds.licence}).",
            f"Không tìm được tệp dữ liệu {ds.relpath}: chưa đặt biến COVERAGE_DATA_DIR. Đặt biến "
            f"này trỏ tới thư mục chứa bộ dữ liệu (export COVERAGE_DATA_DIR=/đường/dẫn/dữ/liệu). "
            f"Nguồn: {ds.origin} ({ds.licence}).",
            file=ds.relpath,
        )
    p = folder / ds.relpath
    if not p.is_file():
        raise DatasetMissingError(
            f"Data file {ds.relpath} is missing from {folder}. It comes from {ds.origin} "
            f"({ds.licence}). {_README_HINT}",
            f"Thiếu tệp dữ liệu {ds.relpath} trong {folder}. Nguồn: {ds.origin} "
            f"({ds.licence}). Tải theo hướng dẫn trong shared/data/README.md hoặc đặt biến "
            "COVERAGE_DATA_DIR trỏ tới thư mục chứa tệp.",
            file=ds.relpath,
        )
    if verify:
        st = p.stat()
        digest = _sha256(str(p), st.st_size, st.st_mtime_ns)
        if digest != ds.sha256:
            raise DatasetChecksumError(
                f"Data file {ds.relpath} has sha256 {digest[:12]}…, not the registered "
                f"{ds.sha256[:12]}…: it was altered or is another version. Get the original "
                f"from {ds.origin}.",
                f"Tệp dữ liệu {ds.relpath} có sha256 {digest[:12]}…, khác bản đã đăng ký "
                f"{ds.sha256[:12]}…: tệp đã bị sửa hoặc là phiên bản khác. Lấy lại bản gốc từ "
                f"{ds.origin}.",
                file=ds.relpath,
            )
    return p


def attribution(names: list[str] | None = None) -> str:
    """One line crediting the given datasets (all when ``None``), for maps and exports."""
    names = names or list(DATASETS)
    seen: list[str] = []
    for n in names:
        a = DATASETS[n].attribution
        if a not in seen:
            seen.append(a)
    return "; ".join(seen)


def status() -> list[dict]:
    """Every registered dataset with whether it is present and intact (for the CLI and the app)."""
    rows = []
    for ds in DATASETS.values():
        try:
            path(ds.name)
            state = "ok"
        except DatasetMissingError:
            state = "missing"
        except DatasetChecksumError:
            state = "altered"
        rows.append(
            {
                "name": ds.name,
                "file": ds.relpath,
                "state": state,
                "licence": ds.licence,
                "origin": ds.origin,
            }
        )
    return rows
