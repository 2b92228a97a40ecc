"""The review report: every issue of every row turned into a status (ok, confirmed, review,
error, skipped), the problems listed by file, sheet, row and field, and the staged frame in the
layer's schema.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.errors import InputError, Problem
from geo.imports.kinds import KINDS_MODULES
from geo.imports.model import REPORT_COLUMNS, Staged, _Context, _Parsed
from geo.imports.values import _text


def _resolve(parsed: _Parsed, ctx: _Context, overrides: dict, options: dict) -> Staged:
    """Check and match the rows read (the kind's module), turn every issue into a status and
    a problem, and assemble the staged import (its frame and report)."""
    kind = parsed.kind
    rows = parsed.rows
    ov_rows = {k: v for k, v in overrides.items() if isinstance(k, int | np.integer)}
    globals_ = {"_operator": options.get("operator"), "_technology": options.get("technology")}
    ov = {**ov_rows, **globals_}
    # Integer keys are row positions; strings are the options passed through.
    row_ov = {k: v for k, v in ov.items() if not isinstance(k, str)}
    out, issues, extra = KINDS_MODULES[kind]._resolve_kind(parsed, ctx, ov, options)
    iss, severity = _statuses(rows, [*parsed.issues, *issues], row_ov)
    problems = _problems(iss, rows, parsed.file)
    if options["on_error"] == "raise" and (iss["severity"] == "error").any():
        errors = [p for p, s in zip(problems, iss["severity"], strict=True) if s == "error"]
        n = len(errors)
        raise InputError(
            f"{parsed.file} has {n} cell{'s' if n > 1 else ''} that cannot be read; nothing was "
            "imported. Correct them and import the file again.",
            f"{parsed.file} có {n} ô không đọc được; chưa nhập gì. Hãy sửa rồi nhập lại tệp.",
            file=parsed.file,
            sheet=parsed.sheet,
            problems=errors,
        )
    status = severity.to_numpy(dtype=object)
    frame = KINDS_MODULES[kind]._frame(parsed, ctx, out, extra, status)
    report = _report(parsed, out, extra, severity, _messages(iss))
    notes = list(parsed.notes) + extra.get("notes", [])
    staged = Staged(
        kind=kind,
        file=parsed.file,
        sheet=parsed.sheet,
        sheets=parsed.sheets,
        province_code=ctx.province_code,
        province=ctx.data.province,
        content_hash=parsed.content_hash,
        frame=frame,
        report=report,
        problems=problems,
        columns=parsed.proposal,
        crs=parsed.crs,
        notes=notes,
        header_rows=parsed.header_rows,
        _parsed=parsed,
        _ctx=ctx,
        _overrides=dict(overrides),
        _options=dict(options),
    )
    if kind == "villages" and "register" in extra:
        staged.register = extra["register"]
        staged.link = extra["link"]
        staged.unlinked = extra["link"].kept_unlinked
    report = report.drop(columns="_pos")
    staged.report = report
    if ctx.store is not None:
        staged.already_imported = (
            ctx.store.find_import(ctx.province_code, kind, parsed.content_hash, parsed.sheet)
            is not None
        )
    return staged


def _statuses(
    rows: pd.DataFrame, issues: list[pd.DataFrame], row_ov: dict
) -> tuple[pd.DataFrame, pd.Series]:
    """The issues kept (one per cell, the first; review issues of rows the planner accepted
    are settled) and each row's status: its worst issue, ``confirmed`` when the planner
    accepted it, else ``ok``."""
    all_issues = [i for i in issues if len(i)]
    iss = (
        pd.concat(all_issues, ignore_index=True)
        if all_issues
        else pd.DataFrame(columns=["idx", "severity", "field", "en", "vi", "value"])
    )
    iss["idx"] = iss["idx"].astype(int)
    # One message per cell: the first (from reading the file) is the most specific.
    iss = iss.drop_duplicates(["idx", "field"], keep="first")
    # Rows the planner accepted as they are: their review issues are settled.
    accepted = [
        k
        for k, v in row_ov.items()
        if v.get("accept") or v.get("commune_code") or v.get("village_id")
    ]
    if accepted:
        settle = iss["idx"].isin(accepted) & (iss["severity"] == "review")
        iss = iss[~settle]
    severity = pd.Series("ok", index=rows.index, dtype=object)
    if len(iss):
        worst = (
            iss.assign(rank=iss["severity"].map({"error": 2, "review": 1}))
            .groupby("idx")["rank"]
            .max()
        )
        severity.iloc[worst.index.to_numpy()] = worst.map({2: "error", 1: "review"}).to_numpy()
    confirmed = np.isin(np.arange(len(rows)), accepted) & (severity == "ok").to_numpy()
    severity[confirmed] = "confirmed"
    return iss, severity


def _messages(iss: pd.DataFrame) -> pd.DataFrame:
    """Each row's messages (en, vi), joined, by row position."""
    return (
        iss.groupby("idx").agg(en=("en", "; ".join), vi=("vi", "; ".join))
        if len(iss)
        else pd.DataFrame(columns=["en", "vi"])
    )


def _problems(iss: pd.DataFrame, rows: pd.DataFrame, file: str) -> list[Problem]:
    if not len(iss):
        return []
    src = rows["source_row"].to_numpy()[iss["idx"].to_numpy()]
    sheet = rows["sheet"].to_numpy(dtype=object)[iss["idx"].to_numpy()]
    return [
        Problem(vi, en, file, sh, int(r), f, None if v is None or v is pd.NA else str(v))
        for vi, en, sh, r, f, v in zip(
            iss["vi"], iss["en"], sheet, src, iss["field"], iss["value"], strict=True
        )
    ]


def _report(
    parsed: _Parsed,
    out: pd.DataFrame,
    extra: dict,
    severity: pd.Series,
    messages: pd.DataFrame,
) -> pd.DataFrame:
    """One report row per file row (:data:`REPORT_COLUMNS`, with ``_pos`` the row's position,
    -1 for skipped rows): what was read, how it matched, its status and messages."""
    rows = parsed.rows
    pos = np.arange(len(rows))
    u = extra.get("units")
    vm = extra.get("villages")
    rep = pd.DataFrame(
        {
            "_pos": pos,
            "row": rows["source_row"].to_numpy(),
            "sheet": rows["sheet"].to_numpy(dtype=object),
            "status": severity.to_numpy(dtype=object),
        }
    )
    msg_en = pd.Series("", index=rows.index, dtype=object)
    msg_vi = pd.Series("", index=rows.index, dtype=object)
    if len(messages):
        msg_en.iloc[messages.index.to_numpy()] = messages["en"].to_numpy()
        msg_vi.iloc[messages.index.to_numpy()] = messages["vi"].to_numpy()

    def col(name):
        return _text(rows[name]).to_numpy(dtype=object) if name in rows else None

    rep["match_status"] = out["match_status"].to_numpy(dtype=object)
    rep["match_score"] = out["match_score"].to_numpy() if "match_score" in out else np.nan
    rep["village_match_status"] = (
        vm["village_match_status"].to_numpy(dtype=object) if vm is not None else None
    )
    rep["village"] = col("village")
    rep["commune"] = col("commune")
    rep["district"] = col("district")
    rep["operator"] = col("operator")
    rep["technology"] = col("technology")
    rep["site_id"] = out["site_id"].to_numpy(dtype=object) if "site_id" in out else None
    rep["commune_code"] = u["commune_code"].to_numpy(dtype=object) if u is not None else None
    rep["commune_gso"] = u["commune_gso"].to_numpy(dtype=object) if u is not None else None
    rep["district_code"] = u["district_code"].to_numpy(dtype=object) if u is not None else None
    rep["village_id"] = out["village_id"].to_numpy(dtype=object) if "village_id" in out else None
    rep["register_name"] = vm["register_name"].to_numpy(dtype=object) if vm is not None else None
    cand = u["candidates"].astype(str) if u is not None else pd.Series("", index=rows.index)
    cand_names = (
        u["candidate_names"].astype(str) if u is not None else pd.Series("", index=rows.index)
    )
    if vm is not None:
        vcand = vm["village_match_candidates"].fillna("").astype(str)
        use_v = vcand != ""
        cand = cand.where(~use_v, vcand)
        cand_names = cand_names.where(~use_v, vm["village_candidate_names"].astype(str))
    rep["candidates"] = cand.to_numpy(dtype=object)
    rep["candidate_names"] = cand_names.to_numpy(dtype=object)
    rep["location_precision"] = (
        out["location_precision"].to_numpy(dtype=object) if "location_precision" in out else None
    )
    rep["lon"] = rows["lon"].to_numpy()
    rep["lat"] = rows["lat"].to_numpy()
    rep["message_en"] = msg_en.to_numpy()
    rep["message_vi"] = msg_vi.to_numpy()
    rep = _with_skipped(rep, parsed)
    return rep.reindex(columns=["_pos", *REPORT_COLUMNS]).reset_index(drop=True)


def _with_skipped(rep: pd.DataFrame, parsed: _Parsed) -> pd.DataFrame:
    """The report with the table's skipped rows (totals, footers, sections, numbering) in
    their place, each saying why."""
    if not len(parsed.skipped):
        return rep
    sk = parsed.skipped
    reasons_en = {
        "total": "total row, skipped",
        "footer": "footer (signature, date or note), skipped",
        "section": "section heading, skipped (its unit fills the rows below)",
        "numbering": "row of column numbers, skipped",
    }
    reasons_vi = {
        "total": "dòng tổng, đã bỏ qua",
        "footer": "phần cuối (chữ ký, ngày tháng, ghi chú), đã bỏ qua",
        "section": "dòng tiêu đề nhóm, đã bỏ qua (đơn vị được điền cho các dòng dưới)",
        "numbering": "dòng đánh số cột, đã bỏ qua",
    }
    skipped = pd.DataFrame(
        {
            "_pos": -1,
            "row": sk["row"].to_numpy(),
            "sheet": parsed.sheet,
            "status": "skipped",
            "message_en": sk["reason"].map(reasons_en) + ": " + sk["text"].astype(str),
            "message_vi": sk["reason"].map(reasons_vi) + ": " + sk["text"].astype(str),
        }
    )
    return pd.concat([rep, skipped], ignore_index=True).sort_values(
        ["sheet", "row"], na_position="first", kind="stable"
    )
