"""Builders for the hand-made ledgers the figure tests use (not a test module).

Each builder takes plain dicts so a test reads like the table a person would write on paper;
:func:`frames` conforms them to the :mod:`automation.core.frames` schemas.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from automation.core.config import Config, load_config, parse_config
from automation.core.frames import LedgerFrames, conform

ROOT = Path(__file__).resolve().parents[1]


# The calendar every hand-worked case below was counted against, pinned here so that editing the
# company's config.yaml (its holiday list) cannot change a worked example.
CASE_CALENDAR = {
    "weekdays": [1, 2, 3, 4, 5],
    "holidays": ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08"],
    "workdays": ["2026-09-27", "2026-10-10"],
}


def config(**overrides: Any) -> Config:
    """The repo's config.yaml with the cases' calendar and top-level keys replaced (e.g. ``reps=[...]``)."""
    data = load_config(ROOT / "config.yaml").model_dump(mode="json")
    data["calendar"] = dict(CASE_CALENDAR)
    data.update(overrides)
    return parse_config(data, ROOT)


def reps_frame(cfg: Config) -> pd.DataFrame:
    return conform(
        "reps",
        pd.DataFrame(
            [
                {"rep_id": r.id, "name": r.name, "region": r.region, "go_live": pd.Timestamp(r.go_live)}
                for r in cfg.reps
            ]
        ),
    )


def visit(rep: str, day: str, customer: str, outcome: str = "interested", **kw: Any) -> dict[str, Any]:
    """One visit-report row; amounts default to 0 and flags to False."""
    row: dict[str, Any] = {
        "rep_id": rep,
        "date": pd.Timestamp(day),
        "customer_id": customer,
        "purpose": "order",
        "outcome": outcome,
        "met_decision_maker": False,
        "quoted": False,
        "quote_amount": 0.0,
        "order_amount": 0.0,
        "gross_margin": 0.0,
        "collection_amount": 0.0,
        "expense": 0.0,
    }
    row.update(kw)
    return row


def frames(cfg: Config, **tables: list[dict[str, Any]]) -> LedgerFrames:
    """LedgerFrames from lists of row dicts; ``reps`` defaults to the config's reps."""
    region_of = {r.id: r.region for r in cfg.reps}
    out: dict[str, pd.DataFrame] = {"reps": reps_frame(cfg)}
    for name, rows in tables.items():
        df = pd.DataFrame(rows)
        for col in (
            "date",
            "created",
            "changed_at",
            "received",
            "resolved",
            "received_at",
            "go_live",
            "next_visit",
        ):
            if col in df.columns:
                df[col] = pd.to_datetime(df[col], format="mixed")
        if name in ("visits", "plans", "complaints") and "region" not in df.columns and len(df):
            df["region"] = df["rep_id"].map(region_of)
        out[name] = conform(name, df)
    return LedgerFrames(**out)


def customer(
    cid: str, owner: str = "R001", created: str = "2026-01-05", stage: str = "customer", **kw: Any
) -> dict[str, Any]:
    cfg_region = {"R001": "east", "R002": "east", "R005": "south"}.get(owner, "east")
    row = {
        "customer_id": cid,
        "name": f"客户{cid}",
        "owner": owner,
        "region": cfg_region,
        "stage": stage,
        "created": created,
    }
    row.update(kw)
    return row


def d(s: str) -> date:
    return date.fromisoformat(s)
