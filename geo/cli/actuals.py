"""``python -m geo actuals …``: the planner enters the figures of the appendix the tool does not measure.

Examples
--------
python -m geo actuals import thuc_hien_2024.csv --plan dienbien_4638 --user "Nguyễn Văn An"
python -m geo actuals list --plan dienbien_4638 --year 2024
python -m geo actuals list --plan dienbien_4638 --history

The file is a CSV (UTF-8) with one row per figure and the columns ``stt`` (the appendix row as
printed: 1, 4.1, …; Mường Lay's second "16" is ``16b``), ``year`` (năm) and ``value`` (giá trị,
as printed: ``79,97``, ``1.234,5``, ``80 %``; ``Có``/``Không`` for yes/no rows). Headers may be
Vietnamese: ``Stt``/``TT``, ``Năm``, ``Giá trị``/``Thực hiện``. Every bad cell is reported at once
with its line and column, and nothing is saved until the whole file is right. Store:
``--db``, else ``$COVERAGE_ACTUALS_DB``, else ``actuals.sqlite`` in the user data folder.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from pathlib import Path

import pandas as pd

from geo import cells, plans
from geo.errors import InputError, ProblemList
from geo.store import actuals as store

log = logging.getLogger("geo.actuals")

_HEADERS: dict[str, tuple[str, ...]] = {
    "stt": ("stt", "tt", "row_key", "số thứ tự"),
    "year": ("year", "năm", "nam"),
    "value": ("value", "giá trị", "gia tri", "thực hiện", "thuc hien"),
}
_YES = {"có": 1.0, "co": 1.0, "yes": 1.0, "không": 0.0, "khong": 0.0, "no": 0.0}


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``actuals`` command (``import``, ``list``) to the CLI's subparsers."""
    p = subparsers.add_parser(
        "actuals", help="figures of the plan's appendix entered by the planner (Thực hiện)"
    )
    sub = p.add_subparsers(dest="actuals_command", required=True)
    im = sub.add_parser("import", help="enter figures from a CSV (stt, year, value)")
    im.add_argument("file", help="CSV with columns stt, year, value (Stt, Năm, Giá trị)")
    im.add_argument("--plan", required=True, dest="plan_id", help="e.g. dienbien_4638")
    im.add_argument("--user", required=True, help="who enters the figures (họ tên)")
    im.add_argument("--db", default=None, help="the store (default $COVERAGE_ACTUALS_DB)")
    ls = sub.add_parser("list", help="the figures entered, as CSV on stdout")
    ls.add_argument("--plan", required=True, dest="plan_id")
    ls.add_argument("--year", type=int, default=None)
    ls.add_argument("--history", action="store_true", help="also the replaced figures")
    ls.add_argument("--db", default=None)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``python -m geo actuals …``; returns the exit code (errors raise CoverageError)."""
    if args.actuals_command == "import":
        return _import(args)
    return _list(args)


def parse_value(text: str, unit: str) -> float:
    """A figure as printed (Vietnamese ``79,97``, ``1.234,5``, ``80 %``, ``Có``) as a float.

    Raises
    ------
    ValueError
        Not a number (the caller reports it with its line and column).
    """
    s = str(text).strip().replace("\u00a0", " ")
    if unit.strip().lower() == "có/không":
        key = s.lower()
        if key in _YES:
            return _YES[key]
        raise ValueError("write Có or Không")
    s = s.removesuffix("%").strip().replace(" ", "")
    if "," in s:  # Vietnamese: dots group thousands, the comma is the decimal mark
        s = s.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", s):
        if s.count(".") == 1:
            raise ValueError("ambiguous: write 1.234,0 for one thousand…, or 1,234 for one point…")
        s = s.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", s):
        raise ValueError("not a number")
    return float(s)


def _column(df: pd.DataFrame, name: str) -> str | None:
    for col in df.columns:
        if str(col).strip().lower() in _HEADERS[name]:
            return col
    return None


def read_actuals_file(path: str | Path, plan_id: str) -> list[dict]:
    """The figures of a planner's CSV, checked against the plan's appendix rows and units.

    Returns
    -------
    list of dict
        ``row_key, year, value, value_text`` per line, in file order.

    Raises
    ------
    InputError
        The file cannot be read, a column is missing, or cells are bad (unknown Stt, year not
        4 digits, value not a number, a % outside 0–100, one figure given twice); every problem
        is listed with its line (header = line 1) and column.
    """
    path = Path(path)
    _, rows = plans.appendix_rows(plan_id)
    units = {r["row_key"]: r["unit"] for r in rows if r["row_type"] == "indicator"}
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(
            f"Cannot read {path.name} as a UTF-8 CSV ({exc}): save it as 'CSV UTF-8'.",
            f"Không đọc được {path.name} dạng CSV UTF-8 ({exc}): lưu tệp dạng 'CSV UTF-8'.",
            file=path.name,
        ) from exc
    problems = ProblemList(file=path.name)
    cols = {name: _column(df, name) for name in _HEADERS}
    for name, col in cols.items():
        if col is None:
            problems.add(
                f"column {name!r} is missing (accepted headers: {', '.join(_HEADERS[name])})",
                f"thiếu cột {name!r} (tên cột nhận: {', '.join(_HEADERS[name])})",
                field=name,
            )
    problems.raise_if_any("The actuals file lacks columns", "Tệp số liệu thực hiện thiếu cột")
    out: list[dict] = []
    seen: dict[tuple[str, int], int] = {}
    for i, rec in enumerate(df.to_dict("records")):
        line = i + 2
        key, year_text, text = (str(rec[cols[n]]).strip() for n in ("stt", "year", "value"))
        if not (key or year_text or text):
            continue
        if key not in units:
            problems.add(
                f"Stt {key!r} is not a row of the plan's appendix; rows: {', '.join(units)}",
                f"Stt {key!r} không phải dòng của phụ lục; các dòng: {', '.join(units)}",
                row=line, field=cols["stt"], value=key,
            )
            continue
        if not re.fullmatch(r"\d{4}", year_text):
            problems.add(
                f"year {year_text!r} is not a 4-digit year (e.g. 2024)",
                f"năm {year_text!r} không phải năm 4 chữ số (ví dụ 2024)",
                row=line, field=cols["year"], value=year_text,
            )
            continue
        try:
            value = parse_value(text, units[key])
        except ValueError as exc:
            problems.add(
                f"value {text!r} is not a figure ({exc}); write it as printed, e.g. 79,97",
                f"giá trị {text!r} không phải số liệu; ghi như trong báo cáo, ví dụ 79,97",
                row=line, field=cols["value"], value=text,
            )
            continue
        if units[key] == "%" and not 0 <= value <= 100:
            problems.add(
                f"{text!r} is outside 0–100 %: write the percentage (80, not 0,8)",
                f"{text!r} ngoài khoảng 0–100 %: ghi số phần trăm (80, không phải 0,8)",
                row=line, field=cols["value"], value=text,
            )
            continue
        k = (key, int(year_text))
        if k in seen:
            problems.add(
                f"Stt {key}, year {year_text} is given twice (also line {seen[k]}): keep one",
                f"Stt {key}, năm {year_text} có hai lần (cả dòng {seen[k]}): giữ một dòng",
                row=line, field=cols["stt"], value=key,
            )
            continue
        seen[k] = line
        out.append({"row_key": key, "year": int(year_text), "value": value, "value_text": text})
    problems.raise_if_any("The actuals file has errors; nothing was saved",
                          "Tệp số liệu thực hiện có lỗi; chưa lưu gì")
    return out


def _import(args: argparse.Namespace) -> int:
    if not args.user.strip():
        raise InputError("--user must name who enters the figures",
                         "--user phải ghi tên người nhập", field="--user")
    entries = read_actuals_file(args.file, args.plan_id)
    conn = store.connect(args.db)
    try:
        counts = store.record(conn, args.plan_id, entries, user=args.user,
                              source=Path(args.file).name)
    finally:
        conn.close()
    log.info("actuals: %(added)d added, %(replaced)d replaced, %(unchanged)d unchanged", counts)
    print(f"đã thêm {counts['added']}, thay {counts['replaced']}, giữ nguyên "
          f"{counts['unchanged']} / added {counts['added']}, replaced {counts['replaced']}, "
          f"unchanged {counts['unchanged']}")
    return 0


def _list(args: argparse.Namespace) -> int:
    conn = store.connect(args.db)
    try:
        df = (store.history(conn, args.plan_id) if args.history
              else store.current(conn, args.plan_id, args.year))
    finally:
        conn.close()
    if args.history and args.year is not None:
        df = df[df["year"] == args.year]
    out = df.drop(columns=[] if args.history else ["replaced_at"]).copy()
    for col in ("entered_at", "replaced_at"):
        if col in out:
            out[col] = out[col].dt.tz_convert(None).dt.strftime("%d/%m/%Y %H:%M UTC")
    sys.stdout.write(cells.to_csv(out))
    return 0


# ---------------------------------------------------------------------------------------------
# For ``python -m geo indicators … --format xlsx`` (the appendix sheet reads the store)
# ---------------------------------------------------------------------------------------------


def add_indicator_arguments(p: argparse.ArgumentParser) -> None:
    """``--plan`` and ``--actuals-db`` for the ``indicators`` command."""
    p.add_argument("--plan", default=None, dest="plan_id",
                   help="the plan whose appendix to print when the province has several "
                   "(e.g. dienbien_4638, muonglay_2855)")
    p.add_argument("--actuals-db", default=None,
                   help="the planner's actuals store (default $COVERAGE_ACTUALS_DB)")


def plan_scope(args: argparse.Namespace) -> None:
    """A district-level ``--plan`` without ``--district`` scopes the indicators to its district."""
    plan_id = getattr(args, "plan_id", None)
    if plan_id is None or getattr(args, "district", None):
        return
    meta, _ = plans.appendix_rows(plan_id)
    if meta["district_code"]:
        args.district = meta["district_code"]


def workbook_options(args: argparse.Namespace, result: dict) -> dict:
    """Keyword arguments of :func:`layers.tables.indicators_xlsx`: the plan, year and the
    planner's actuals read from the store (none when the store file does not exist yet)."""
    plan_id = None
    if result.get("province_code") and result.get("units") != "2025":
        plan_id = plans.choose_plan(result["province_code"], result.get("district_code"),
                                    getattr(args, "plan_id", None))
    path = Path(args.actuals_db) if getattr(args, "actuals_db", None) else store.default_path()
    actuals = None
    if plan_id is not None and path.is_file():
        conn = store.connect(path)
        try:
            actuals = store.current(conn, plan_id)
        finally:
            conn.close()
    return {"plan_id": plan_id, "year": getattr(args, "year", None), "actuals": actuals}


def register(subparsers) -> dict:
    """Add this group's commands to ``python -m geo``; return each command's runner by name."""
    add_parser(subparsers)
    return {"actuals": run}
