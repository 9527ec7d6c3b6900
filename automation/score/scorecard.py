"""One scorecard per period: a row per rep with every figure, then a row per region and the company.

The workbook and the email both read this table, so they can never disagree. Columns, in order:
identity (``level`` rep/region/company, ``owner`` id, ``name``, ``region``), activity
(:mod:`activity`), targets and attainment (:mod:`attainment`), timeliness, data quality, complaints,
and customer-care counts at the period's end (overdue / never-visited customers and churn risks,
by the customer's owner; region and company rows sum their reps').
"""

from __future__ import annotations

import pandas as pd

from automation.core.config import Config
from automation.core.frames import LedgerFrames
from automation.core.workcal import Period, WorkCalendar
from automation.score import activity as act
from automation.score import attainment as att
from automation.score import complaints as cmp
from automation.score import quality as qual
from automation.score import timeliness as tml
from automation.score.common import KEY, rollup
from automation.score.targets import TargetBook

CARE = ["customers_overdue", "customers_never_visited", "customers_at_risk"]
ID_COLUMNS = ["level", "owner", "name", "region"]


def columns() -> list[str]:
    """Every scorecard column in order (documented in the CLI's JSON shape)."""
    return [
        *ID_COLUMNS,
        *act.period_columns(),
        *att.attainment_columns(),
        *tml.SUMS,
        *tml.RATIOS,
        *qual.SUMS,
        *qual.RATIOS,
        *cmp.SUMS,
        *cmp.RATIOS,
        *CARE,
    ]


def care_counts(policy: pd.DataFrame, never: pd.DataFrame, churn: pd.DataFrame) -> pd.DataFrame:
    """Per owner: overdue customers, never-visited overdue customers, churn risks."""
    parts = {
        "customers_overdue": policy[policy["status"] == "overdue"].groupby("owner").size(),
        "customers_never_visited": never.groupby("owner").size(),
        "customers_at_risk": churn.groupby("owner").size(),
    }
    return pd.DataFrame(parts).fillna(0)


def names(rows: pd.DataFrame, reps: pd.DataFrame, config: Config) -> pd.Series:
    rep_names = dict(zip(reps["rep_id"], reps["name"], strict=True))
    region_names = {r.id: f"{r.zh} {r.en}" for r in config.regions}
    return pd.Series(
        [
            rep_names.get(o, o)
            if lv == "rep"
            else region_names.get(o, o)
            if lv == "region"
            else config.company
            for lv, o in zip(rows["level"], rows["owner"], strict=True)
        ],
        index=rows.index,
        dtype="string",
    )


def scorecard(
    frames: LedgerFrames,
    config: Config,
    period: Period,
    cal: WorkCalendar,
    reps: pd.DataFrame,
    targets: TargetBook,
    care: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every figure for one period, a row per rep, region and the company."""
    base = act.activity(frames, config, period, reps)
    base = att.attainment(base, targets.for_period(period), period, cal, reps, config)
    for extra in (
        tml.timeliness(frames, config, period, cal, reps),
        qual.quality(frames, period, reps),
        cmp.complaints(frames, config, period, cal, reps)[0],
        rollup(care if care is not None else pd.DataFrame(columns=CARE), reps, CARE),
    ):
        base = base.merge(extra.drop(columns=["region"]), on=KEY, how="left")
    base["name"] = names(base, reps, config)
    order = {"rep": 0, "region": 1, "company": 2}
    base = base.sort_values(
        ["level", "owner"], key=lambda s: s.map(order) if s.name == "level" else s, ignore_index=True
    )
    return base[columns()]
