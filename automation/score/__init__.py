"""Figures of SPEC §3: pure functions from :class:`automation.core.frames.LedgerFrames` + config to frames.

Read :func:`compute_all` first: it lists every figure and the period each is computed for.
Modules: :mod:`targets` (splits), :mod:`activity`, :mod:`attainment`, :mod:`timeliness`,
:mod:`quality`, :mod:`abc`, :mod:`rfm`, :mod:`policy`, :mod:`churn`, :mod:`funnel`,
:mod:`complaints`, :mod:`scorecard`. No function here reads files, the clock or the database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from automation.core import clock
from automation.core.config import Config
from automation.core.frames import LedgerFrames
from automation.core.texts.errors import ERRORS
from automation.core.workcal import (
    PERIOD_KINDS,
    Period,
    PeriodKind,
    WorkCalendar,
    default_as_of,
    periods_for_week,
    week_key,
)
from automation.score import abc as abc_mod
from automation.score import churn as churn_mod
from automation.score import complaints as cmp_mod
from automation.score import funnel as funnel_mod
from automation.score import policy as policy_mod
from automation.score import rfm as rfm_mod
from automation.score import scorecard as sc_mod
from automation.score import timeliness as tml_mod
from automation.score.common import lookup, memo, memo_by, prepared, rep_universe
from automation.score.targets import build_targets

SCHEMA = "salesflow.figures/1"


class RegionError(ValueError):
    """--region names no region of the config."""


def resolve_region(config: Config, region: str | None) -> str | None:
    """A region id from its id or its zh / en label (case-insensitive); None for the company."""
    if region is None or region == "":
        return None
    for r in config.regions:
        if region.strip().lower() in (r.id.lower(), r.zh, r.en.lower()):
            return r.id
    allowed = ", ".join(f"{r.id} ({r.zh}/{r.en})" for r in config.regions)
    raise RegionError(ERRORS["no-region"].format(region=region, allowed=allowed))


def compute_all(
    frames: LedgerFrames,
    config: Config,
    week: str | None = None,
    region: str | None = None,
    *,
    as_of: date | None = None,
) -> dict[str, Any]:
    """Every figure for the week, MTD, QTD and YTD, plus the customer lists at the reference date.

    ``as_of`` is the last day whose activity counts; when omitted it comes from the product clock
    (:func:`automation.core.workcal.default_as_of`: today once the visit-report deadline has passed, else
    yesterday) — pass it explicitly to keep the call pure. ``week`` defaults to the ISO week of
    today on the clock (of ``as_of`` when given). With ``region`` (id or zh / en name), scorecards
    hold that region's reps and the region row, and lists hold that region's customers (grades stay
    company-wide): the company's figures split by :func:`for_region`, so N region views of one week
    cost one computation and a cheap filter each.

    Returns a dict: ``schema``, ``as_of`` (the reference date: ``as_of`` clipped into the week),
    ``week`` (key), ``region`` (id or None), ``periods`` ({week, mtd, qtd, ytd} -> Period),
    ``scorecards`` ({kind: frame, :func:`scorecard.columns`}), ``funnel`` and ``days_to_first_order``
    ({kind: frame}), ``abc``, ``pareto``, ``rfm``, ``policy`` (visited customers with status overdue /
    due / ok), ``never_visited``, ``churn``, ``complaints`` (list as of the reference date),
    ``timeliness`` (the week's rep x working-day verdicts), ``targets`` (month targets per level and
    owner) and ``customers`` (one row per customer joining grade, RFM segment, visit status and
    churn reason — the workbook's customer sheet); and, for the split, ``reps`` (the rep universe)
    and ``scopes`` (funnel and days to first order per region, :class:`RegionScopes`).
    """
    region_id = resolve_region(config, region)
    out = _company(frames, config, week, as_of)
    return out if region_id is None else for_region(out, region_id)


def _company(frames: LedgerFrames, config: Config, week: str | None, as_of: date | None) -> dict[str, Any]:
    if as_of is None:
        now = clock.now()
        as_of = default_as_of(now, config)
        week = week or week_key(now.date())
    frames = prepared(frames)
    cal = WorkCalendar(config)
    periods = periods_for_week(week or week_key(as_of), as_of)
    ref = periods["mtd"].as_of
    # period-independent: shared by every week computed from these frames (see common.prepared)
    reps = memo(frames, "reps", lambda: rep_universe(frames))
    book = memo_by(frames, "targets.book", (config,), lambda: build_targets(frames, config, cal))
    grades = abc_mod.abc(frames, config, ref)
    policy, never = policy_mod.visit_policy(frames, config, ref, grades)
    risk = churn_mod.churn(frames, config, ref, grades)
    care = sc_mod.care_counts(policy, never, risk)
    out: dict[str, Any] = {"schema": SCHEMA, "as_of": ref, "week": periods["week"].key, "region": None}
    out["periods"] = periods
    out["scorecards"] = {
        k: sc_mod.scorecard(frames, config, periods[k], cal, reps, book, care) for k in PERIOD_KINDS
    }
    hist = funnel_mod.history(frames)
    out["funnel"] = {k: funnel_mod.funnel(frames, periods[k], None, hist) for k in PERIOD_KINDS}
    out["days_to_first_order"] = {
        k: funnel_mod.days_to_first_order(frames, periods[k], None, hist) for k in PERIOD_KINDS
    }
    out["scopes"] = RegionScopes(frames, periods, hist)
    out["abc"] = grades
    out["rfm"] = rfm_mod.rfm(frames, config, ref).merge(
        grades[["customer_id", "name", "owner", "region", "grade"]], on="customer_id", how="left"
    )
    out["policy"], out["never_visited"], out["churn"] = policy, never, risk
    out["complaints"] = cmp_mod.complaint_list(frames, config, ref, cal)
    out["timeliness"] = tml_mod.day_verdicts(frames, config, periods["week"], cal, reps)
    out["targets"] = book.months()
    out["customers"] = customer_sheet(grades, out["rfm"], policy, never, risk)
    out["pareto"] = abc_mod.pareto(out["abc"])
    out["reps"] = reps
    return out


class RegionScopes:
    """The funnel and days to first order counted per region, made on first use: a region's view
    needs them, the company's and ``salesflow figures`` do not (a tenth of ``compute_all`` saved)."""

    def __init__(self, frames: LedgerFrames, periods: dict[PeriodKind, Period], hist: pd.DataFrame) -> None:
        self._args = (frames, periods, hist)
        self._made: dict[str, dict[str, pd.DataFrame]] | None = None

    def __getitem__(self, key: str) -> dict[str, pd.DataFrame]:
        if self._made is None:
            frames, periods, hist = self._args
            self._made = {
                "funnel": {k: funnel_mod.funnel(frames, periods[k], "region", hist) for k in PERIOD_KINDS},
                "days_to_first_order": {
                    k: funnel_mod.days_to_first_order(frames, periods[k], "region", hist)
                    for k in PERIOD_KINDS
                },
            }
        return self._made[key]


def customer_sheet(
    grades: pd.DataFrame, rfm: pd.DataFrame, policy: pd.DataFrame, never: pd.DataFrame, risk: pd.DataFrame
) -> pd.DataFrame:
    """One row per customer: grade, RFM segment, last visit, next due, visit status, churn reason.

    ``visit_status`` is overdue / due / ok for visited customers, ``never_visited`` (or
    ``never_visited_overdue``) for the others, and blank for lost customers (outside the policy).
    """
    out = grades[["customer_id", "name", "owner", "region", "stage", "sales_12m", "grade"]].copy()
    seg = rfm.set_index("customer_id")[["segment", "segment_zh", "segment_en"]]
    out = out.join(seg, on="customer_id")
    pol = policy.set_index("customer_id")[["last_visit", "days_since", "next_due", "status"]]
    out = out.join(pol, on="customer_id")
    nv = never.set_index("customer_id")["overdue"]
    never_status = lookup(out["customer_id"], nv).map({True: "never_visited_overdue", False: "never_visited"})
    out["visit_status"] = out["status"].fillna(never_status).fillna("")
    out["churn_risk"] = lookup(out["customer_id"], risk.set_index("customer_id")["reason"]).fillna("")
    return out.drop(columns=["status"])


# Lists filtered to a region by their ``region`` column; scorecard-like frames (rows per rep, region
# and company) keep the region's reps and region row. Keys a result lacks are skipped, so the
# workbook's additions (:func:`automation.score.week.compute_week`) split the same way.
REGION_LISTS = (
    "abc", "rfm", "policy", "never_visited", "churn", "complaints", "timeliness", "customers",
    "visits", "followups", "market", "submission_days", "conflicts", "weekly_reports", "weekly_targets",
    "complaint_sheet", "attention",
)  # fmt: skip
REGION_ROLLUPS = ("history", "changes")


def for_region(result: dict[str, Any], region_id: str) -> dict[str, Any]:
    """One region's view of a company-wide result: its reps and region row; its customers,
    complaints and days; its funnel scope; grades stay company-wide (a customer has one grade).

    Cheap: each frame's rows are grouped by region once per result (kept under the private key
    ``_regions``, shared by every region's view), then each view takes its rows; only the
    three-row Pareto table and the Pareto curve are recomputed on the region's customers. So a
    workbook per region costs one computation of the week, not one each.
    """
    if result.get("region") is not None:
        raise ValueError(f"for_region needs the company-wide result, not region {result['region']!r}")
    reps = result["reps"]
    rep_ids = set(reps.loc[reps["region"] == region_id, "rep_id"])
    out = dict(result)
    out["region"] = region_id

    def rows(key: str, df: pd.DataFrame, column: str = "region", rollup: bool = False) -> pd.DataFrame:
        got = _group(result, key, df, column).get(region_id)
        taken = df.iloc[got if got is not None else []]
        if rollup:
            taken = taken[taken["level"] != "company"]
        return taken.reset_index(drop=True)

    out["scorecards"] = {
        k: rows(f"scorecards.{k}", sc, rollup=True) for k, sc in result["scorecards"].items()
    }
    for k in REGION_ROLLUPS:
        if k in result:
            out[k] = rows(k, result[k], rollup=True)
    for k in REGION_LISTS:
        if k in result:
            out[k] = rows(k, result[k])
    for k in ("funnel", "days_to_first_order"):
        out[k] = {p: rows(f"{k}.{p}", df, "scope") for p, df in result["scopes"][k].items()}
    t = result["targets"]
    keep = ((t["level"] == "rep") & t["owner"].isin(rep_ids)) | (
        (t["level"] == "region") & (t["owner"] == region_id)
    )
    out["targets"] = t[keep].reset_index(drop=True)
    out["pareto"] = abc_mod.pareto(out["abc"])
    if "pareto_curve" in result:
        out["pareto_curve"] = abc_mod.pareto_curve(out["abc"])
    return out


def _group(result: dict[str, Any], key: str, df: pd.DataFrame, column: str) -> dict[Any, np.ndarray]:
    """Row positions of ``df`` per value of ``column``, computed once per result and frame."""
    cache = result.setdefault("_regions", {})
    hit = cache.get(key)
    if hit is None or hit[0] is not df:
        values = df[column].astype(object).where(df[column].notna(), None).to_numpy()
        codes, uniques = pd.factorize(values)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        hit = (df, {u: order[bounds[i] : bounds[i + 1]] for i, u in enumerate(uniques)})
        cache[key] = hit
    return hit[1]


__all__ = ["SCHEMA", "RegionError", "compute_all", "for_region", "resolve_region"]
