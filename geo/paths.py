"""Where the project's own files are: the packaged data and the planner's stores.

Two places, one function each:

* :func:`package_data` — the data shipped with the tool (``plans/`` transcribed from the plans,
  ``synthetic/`` demo layers). In a checkout it is the repository's ``data/`` folder; in an
  installed wheel it is ``geo/_data`` inside the package (``pyproject.toml`` maps ``data/`` there),
  found with :mod:`importlib.resources`.
* :func:`data_home` — the folder where the stores (imports, assignments, actuals) live by default:
  ``platformdirs.user_data_path("vn-coverage")`` (``~/.local/share/vn-coverage`` on Linux). Each
  store's own environment variable (``$COVERAGE_IMPORTS_DB``, ``$COVERAGE_ASSIGNMENTS_DB``,
  ``$COVERAGE_ACTUALS_DB``) still overrides its file.

:func:`repo_root` says whether the code runs from a checkout; the external real data folder
(:func:`geo.registry.data_dir`) is ``../shared/data`` beside a checkout only.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

APP_NAME = "vn-coverage"
"""The application's name for platformdirs (and the distribution's name)."""


@cache
def repo_root() -> Path | None:
    """The repository's root when the code runs from a checkout, else ``None`` (installed).

    A checkout is recognised by ``pyproject.toml`` and ``data/plans`` beside the ``geo`` package.
    """
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / "data" / "plans").is_dir():
        return root
    return None


@cache
def package_data() -> Path:
    """The folder of the data shipped with the tool (``plans/``, ``synthetic/``).

    Returns
    -------
    pathlib.Path
        The repository's ``data/`` in a checkout; ``geo/_data`` of the installed package
        otherwise.

    Raises
    ------
    geo.errors.DatasetMissingError
        Neither exists: the installation is incomplete (reinstall with ``pip install vn-coverage``
        or run from a checkout).
    """
    root = repo_root()
    if root is not None:
        return root / "data"
    packaged = Path(str(resources.files("geo") / "_data"))
    if (packaged / "plans").is_dir():
        return packaged
    from geo.errors import DatasetMissingError

    raise DatasetMissingError(
        f"The tool's own data folder is missing (looked in {packaged}): reinstall the package "
        "(pip install --force-reinstall vn-coverage) or run from a checkout of the repository.",
        f"Thiếu thư mục dữ liệu của công cụ (đã tìm ở {packaged}): cài lại gói "
        "(pip install --force-reinstall vn-coverage) hoặc chạy từ bản sao kho mã nguồn.",
        file=str(packaged),
    )


def data_home() -> Path:
    """The default folder of the planner's stores: ``platformdirs.user_data_path("vn-coverage")``.

    The folder is not created here; a store creates it when it first writes.
    """
    import platformdirs

    return Path(platformdirs.user_data_path(APP_NAME))
