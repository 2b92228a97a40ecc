"""The package installs: a wheel with its code, data, licence and command, runnable from any folder.

The wheel is built from the checkout without build isolation (hatchling is in requirements-dev),
installed with ``--no-deps`` into a fresh virtual environment that sees the current environment's
site-packages through a ``.pth`` file, so the test is fast and needs no network.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _names(lines: list[str]) -> set[str]:
    """Normalised distribution names of requirement lines (no options, comments or includes)."""
    out = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name = re.split(r"[\s<>=!~;\[]", line, maxsplit=1)[0]
        out.add(re.sub(r"[-_.]+", "-", name).lower())
    return out


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_requirements_txt_and_pyproject_dependencies_name_the_same_packages():
    declared = _names(_pyproject()["project"]["dependencies"])
    listed = _names((ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines())
    assert listed - declared == set(), "in requirements.txt, missing from pyproject dependencies"
    assert declared - listed == set(), "in pyproject dependencies, missing from requirements.txt"


def test_requirements_dev_txt_and_pyproject_dev_extra_name_the_same_packages():
    declared = _names(_pyproject()["project"]["optional-dependencies"]["dev"])
    listed = _names((ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines())
    assert listed == declared


def test_lock_file_pins_every_runtime_dependency_and_says_how_it_was_made():
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert "uv pip compile" in text.split("\n\n", 1)[0] or "pip-compile" in text
    pinned = {
        re.sub(r"[-_.]+", "-", m.group(1)).lower()
        for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==", text, flags=re.M)
    }
    missing = _names(_pyproject()["project"]["dependencies"]) - pinned
    assert not missing, f"regenerate requirements.lock: {sorted(missing)} not pinned"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)]
    try:
        import hatchling  # noqa: F401

        cmd.insert(4, "--no-build-isolation")
    except ImportError:  # build with isolation: pip fetches hatchling
        pass
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    (whl,) = out.glob("vn_coverage-*.whl")
    return whl


def test_wheel_holds_packages_data_types_licence_and_command(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        entry = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        entry_points = z.read(entry).decode()
    for module in ("geo/__init__.py", "geo/__main__.py", "geo/paths.py", "layers/__init__.py"):
        assert module in names
    for marker in ("geo/py.typed", "layers/py.typed"):
        assert marker in names
    for data in sorted(p.relative_to(ROOT / "data") for p in (ROOT / "data").glob("*/*.csv")):
        assert f"geo/_data/{data.as_posix()}" in names
    subpackages = {
        p.parent.relative_to(ROOT).as_posix()
        for top in ("geo", "layers")
        for p in (ROOT / top).rglob("__init__.py")
    }
    for sub in subpackages:
        assert f"{sub}/__init__.py" in names, f"{sub} is not in the wheel"
    if (ROOT / "static").is_dir():
        assert any(n.startswith("geo/_data/static/") for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert re.search(r"^vn-coverage = geo\.__main__:main$", entry_points, flags=re.M)


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    site = Path(
        subprocess.run(
            [str(bin_dir / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )
    # The current environment's packages (geopandas, …) without reinstalling them.
    (site / "_current_env.pth").write_text(
        sysconfig.get_path("purelib") + "\n" + sysconfig.get_path("platlib") + "\n"
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install", "-q",
         "--no-deps", "--no-index", str(wheel)],
        check=True, capture_output=True, timeout=120,
    )
    return bin_dir


def _run(bin_dir: Path, args: list[str], cwd: Path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COVERAGE_DATA_DIR")}
    return subprocess.run(
        [str(bin_dir / args[0]), *args[1:]],
        cwd=cwd, env=clean | env, capture_output=True, text=True, timeout=120,
    )


def test_installed_package_reads_its_data_from_the_package_not_the_checkout(installed, tmp_path):
    code = "import geo, geo.paths; print(geo.__file__); print(geo.paths.package_data())"
    out = _run(installed, ["python", "-c", code], tmp_path)
    assert out.returncode == 0, out.stderr
    module, data = out.stdout.split()
    assert not module.startswith(str(ROOT)) and data.endswith(os.path.join("geo", "_data"))
    assert (Path(data) / "plans" / "plan_targets.csv").is_file()


def test_vn_coverage_help_runs_from_another_folder(installed, tmp_path):
    out = _run(installed, ["vn-coverage", "--help"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert "indicators" in out.stdout


def test_installed_copy_without_coverage_data_dir_says_to_set_it(installed, tmp_path):
    out = _run(installed, ["vn-coverage", "indicators", "--province", "11"], tmp_path)
    assert out.returncode == 2
    assert "COVERAGE_DATA_DIR" in out.stderr


@pytest.mark.realdata
def test_vn_coverage_indicators_json_from_another_folder(installed, tmp_path, real_data):
    out = _run(
        installed,
        ["vn-coverage", "indicators", "--province", "11", "--format", "json"],
        tmp_path,
        COVERAGE_DATA_DIR=str(real_data),
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["province_code"] == "11"
    assert result["villages"] > 0
    assert 0 <= result["villages_mobile_share"] <= 1
    assert result["sources"]["sites"]["synthetic"] is True  # the packaged synthetic demo was read
    assert "villages_mobile_share" in result["targets"]
