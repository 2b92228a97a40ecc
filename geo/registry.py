"""The dataset registry: every external file the project reads, where it comes from, and where it is.

The project commits no copy or derivative of these files (GADM's licence forbids redistribution).
It reads them from a data folder: ``$COVERAGE_DATA_DIR`` if set, else ``../shared/data`` beside
the repository when the code runs from a checkout; an installed copy has no such place and reads
only ``$COVERAGE_DATA_DIR``. :func:`path` resolves a dataset, checks its sha256 and raises an error
naming the file and where to get it when it is missing or altered. The list of files, with each
file's origin, licence, attribution and checksum, is the committed manifest
``data/boundaries/manifest.csv``.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo import paths
from geo.errors import DatasetChecksumError, DatasetMissingError

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The folder above the ``geo`` package (the repository's root in a checkout)."""

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


#: The manifest of external datasets (committed; the files themselves are not).
MANIFEST = "boundaries/manifest.csv"


def _load_manifest() -> dict[str, Dataset]:
    """The datasets listed in ``data/boundaries/manifest.csv`` (name, relpath, origin, licence,
    attribution, sha256, description), by name."""
    with (paths.package_data() / MANIFEST).open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = {f.name for f in dataclasses.fields(Dataset)}
    return {r["name"]: Dataset(**{k: v for k, v in r.items() if k in fields}) for r in rows}


DATASETS: dict[str, Dataset] = _load_manifest()
"""Every external file the project reads (from :data:`MANIFEST`)."""

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
