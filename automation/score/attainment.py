"""Targets against actuals: attainment, expected pace, forecast and status (SPEC §3).

* attainment = actual / target (NaN when there is no target or it is 0).
* expected pace = elapsed working days / working days of the period (week, or the whole month /
  quarter / year for MTD / QTD / YTD, whose target is the whole month's / quarter's / year's).
* forecast = actual / elapsed working days x working days of the period (NaN before the first
  working day).
* status: green when attainment >= pace, amber when attainment >= ``amber_ratio`` x pace, red below;
  no status (None) without a target.

Decision — reps who go live inside the period: their target is pro-rated to working days from go-live
(see :mod:`targets`), so their pace and forecast use the same days: elapsed and total working days are
counted from ``max(period start, go_live)``. Regions and the company use the calendar's days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from automation.core.config import Config
from automation.core.workcal import Period, WorkCalendar
from automation.score.common import ratio
from automation.score.targets import METRICS

STATUSES = ("green", "amber", "red")


def working_days(period: Period, cal: WorkCalendar, rows: pd.DataFrame, reps: pd.DataFrame) -> pd.DataFrame:
    """Elapsed and total working days per scorecard row (rep rows from their go-live)."""
    go = rows["owner"].map(dict(zip(reps["rep_id"], reps["go_live"], strict=True)))
    go = pd.to_datetime(go.where(rows["level"] == "rep"))
    start = np.datetime64(period.start, "D")
    go_d = go.to_numpy("datetime64[D]")
    eff = np.where(np.isnat(go_d), start, np.maximum(start, np.where(np.isnat(go_d), start, go_d)))
    total = cal.count(eff, np.full(len(rows), np.datetime64(period.end, "D")))
    elapsed = cal.count(eff, np.full(len(rows), np.datetime64(period.as_of, "D")))
    return pd.DataFrame({"elapsed_working_days": elapsed, "working_days": total}, index=rows.index)


def status(attainment: np.ndarray, pace: np.ndarray, amber_ratio: float) -> np.ndarray:
    """green / amber / red per the SPEC; None where attainment is NaN."""
    a = np.asarray(attainment, dtype=float)
    p = np.asarray(pace, dtype=float)
    with np.errstate(invalid="ignore"):
        out = np.where(a >= p, "green", np.where(a >= amber_ratio * p, "amber", "red")).astype(object)
    out[np.isnan(a) | np.isnan(p)] = None
    return out


def attainment(
    rows: pd.DataFrame,
    targets: pd.DataFrame,
    period: Period,
    cal: WorkCalendar,
    reps: pd.DataFrame,
    config: Config,
) -> pd.DataFrame:
    """Add ``<metric>_target / _attainment / _forecast / _status`` and pace columns to ``rows``.

    ``rows`` has ``level``, ``owner`` and an actual column per metric (sales, gross_margin,
    collections, visits, new_customers); ``targets`` is :meth:`TargetBook.for_period`'s frame.
    """
    out = rows.copy()
    days = working_days(period, cal, out, reps)
    out = out.join(days)
    out["pace"] = ratio(out["elapsed_working_days"], out["working_days"])
    idx = pd.MultiIndex.from_frame(out[["level", "owner"]].astype(object))
    tgt = (
        targets.reindex(idx)
        if not targets.empty
        else pd.DataFrame(index=idx, columns=list(METRICS), dtype=float)
    )
    for m in METRICS:
        t = tgt[m].to_numpy(dtype=float)
        actual = out[m].to_numpy(dtype=float)
        out[f"{m}_target"] = t
        out[f"{m}_attainment"] = ratio(actual, t)
        out[f"{m}_forecast"] = ratio(actual, out["elapsed_working_days"]) * out["working_days"]
        out[f"{m}_status"] = status(
            out[f"{m}_attainment"].to_numpy(), out["pace"].to_numpy(), config.thresholds.amber_ratio
        )
    return out


def attainment_columns() -> list[str]:
    cols = ["elapsed_working_days", "working_days", "pace"]
    for m in METRICS:
        cols += [f"{m}_target", f"{m}_attainment", f"{m}_forecast", f"{m}_status"]
    return cols
