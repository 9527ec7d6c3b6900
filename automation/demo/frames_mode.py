"""The ledger a company's forms would produce, built straight from the simulation (no files).

Writing and ingesting the large company's ~120,000 forms would take far longer than the figures it
is meant to benchmark, so :func:`company_frames` builds the :class:`~automation.core.frames.LedgerFrames`
the ledger would hand to the figures after accepting every form :func:`plan_drops` says it would
accept: visits and plans of each accepted day (the last accepted version), the register with its
stage history, complaints, targets, and one submissions row per dropped form (rejected, duplicate
and superseded ones included). Customer ids are ``C000001``-style, complaint ids ``K000001``-style.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from automation.core.config import Config, load_config
from automation.core.frames import LedgerFrames, conform
from automation.demo import company as co
from automation.demo.generator import build_world
from automation.demo.mistakes import plan_drops
from automation.demo.world import World

_VISIT_COLS = ("purpose", "outcome", "met_decision_maker", "quoted", "quote_amount", "order_amount", "gross_margin",
               "collection_amount", "expense", "complaint", "competitor_info", "feedback", "next_visit", "next_step")  # fmt: skip
_OPTIONAL = ("met_decision_maker", "quoted", "quote_amount", "order_amount", "gross_margin", "collection_amount",
             "expense", "complaint", "competitor_info", "feedback", "next_visit", "next_step")  # fmt: skip


def company_frames(
    size: str = "large", seed: int = 7, end: date | None = None
) -> tuple[Config, LedgerFrames]:
    """The company's config and the frames its ledger would hold at the end of the simulation."""
    cfg_map, world = build_world(size, seed, end)
    with tempfile.TemporaryDirectory(prefix="salesflow-frames-") as tmp:
        path = Path(tmp) / "config.yaml"
        co.dump_config(cfg_map, path)
        config = load_config(path)
    return config, frames_of(world, config, seed)


def frames_of(world: World, config: Config, seed: int) -> LedgerFrames:
    """Frames from a simulated world, as the ledger would have them after the demo's drops."""
    region = {r.id: r.region for r in config.reps}
    drops = plan_drops(world, config, seed, lo_allowed=False, xls_allowed=True)
    reported = {
        (d.person, d.period) for d in drops if d.form_key == "visit_report" and d.expected == "accepted"
    }

    vis: dict[str, list[Any]] = {k: [] for k in ("rep_id", "region", "date", "customer_id", *_VISIT_COLS)}
    plans: dict[str, list[Any]] = {k: [] for k in ("rep_id", "region", "date", "customer_id", "purpose")}
    for day in world.days:
        iso = day.day.isoformat()
        for c, purpose in day.planned:
            for k, v in zip(plans, (day.rep, region[day.rep], day.day, c.cid, purpose), strict=True):
                plans[k].append(v)
        if (day.rep, iso) not in reported:
            continue
        for v in day.visits:
            vis["rep_id"].append(day.rep)
            vis["region"].append(region[day.rep])
            vis["date"].append(day.day)
            vis["customer_id"].append(v["_customer"].cid)
            for k in _VISIT_COLS:
                vis[k].append(v[k])
    out = LedgerFrames()
    out.visits = conform("visits", _dates(pd.DataFrame(vis), "date", "next_visit"))
    out.plans = conform("plans", _dates(pd.DataFrame(plans), "date"))
    cust = world.customers
    out.customers = conform(
        "customers",
        _dates(
            pd.DataFrame(
                {
                    "customer_id": [c.cid for c in cust],
                    "name": [c.name for c in cust],
                    "owner": [c.owner for c in cust],
                    "region": [c.region for c in cust],
                    "stage": [c.stage for c in cust],
                    "created": [c.created for c in cust],
                    "industry": [c.industry for c in cust],
                    "potential_value": [c.potential_value for c in cust],
                }
            ),
            "created",
        ),
    )
    hist = [(c.cid, s, at) for c in cust for s, at in c.history]
    out.stage_history = conform(
        "stage_history",
        pd.DataFrame(hist, columns=["customer_id", "stage", "changed_at"]).astype(
            {"changed_at": "datetime64[ns]"}
        ),
    )
    comp = world.complaints
    out.complaints = conform(
        "complaints",
        _dates(
            pd.DataFrame(
                {
                    "complaint_id": [f"K{i + 1:06d}" for i in range(len(comp))],
                    "customer_id": [c["_customer"].cid for c in comp],
                    "rep_id": [c["_rep"] for c in comp],
                    "region": [region[c["_rep"]] for c in comp],
                    "received": [c["received"] for c in comp],
                    "category": [c["category"] for c in comp],
                    "severity": [c["severity"] for c in comp],
                    "status": [c["status"] for c in comp],
                    "resolved": [c["resolved"] for c in comp],
                    "satisfied": [c["satisfied"] for c in comp],
                }
            ),
            "received",
            "resolved",
        ),
    )
    targets = [r for f in world.forms if f.form == "targets" for r in f.rows]
    tdf = pd.DataFrame(targets)
    tdf["owner"] = tdf["owner"].fillna("")
    tdf["product"] = tdf["product"].fillna("")
    out.targets = conform("targets", tdf)
    people = {**{s.id: s.region for s in config.supervisors}, **region}
    out.submissions = conform("submissions", _submissions(drops, people))
    _versioned_rows(out, drops, region, people)
    out.reps = conform(
        "reps",
        pd.DataFrame(
            {
                "rep_id": [r.id for r in config.reps],
                "name": [r.name for r in config.reps],
                "region": [r.region for r in config.reps],
                "go_live": pd.to_datetime([r.go_live for r in config.reps]),
            }
        ),
    )
    return out


def _versioned_rows(
    out: LedgerFrames, drops: list[Any], region: dict[str, str], people: dict[str, str]
) -> None:
    """Market reports and weekly management reports: the last accepted version of each."""
    latest: dict[tuple[str, str, str], Any] = {}
    for i, d in enumerate(x for x in drops if x.form_key):
        if (
            d.form_key in ("market_report", "weekly_report")
            and d.expected == "accepted"
            and d.form is not None
        ):
            latest[(d.form_key, d.person, d.period)] = (i + 1, d)
    market, reports, targets = [], [], []
    for (form, person, period), (sid, d) in sorted(latest.items(), key=lambda kv: kv[1][0]):
        if form == "market_report":
            for r in d.form.rows:
                c = r.get("_customer")
                market.append({"rep_id": person, "region": region.get(person, ""), "date": period,
                               "customer_id": c.cid if c else None, "customer_text": r.get("customer"),
                               **{k: r.get(k) for k in ("category", "competitor", "description", "severity", "suggestion")}})  # fmt: skip
            continue
        info = d.form.info
        reports.append({"submission_id": sid, "region": people.get(person, ""), "week": period,
                        "supervisor": info.get("supervisor"), "received_at": d.received,
                        **{k: info.get(k) for k in ("competitor_dynamics", "abnormal_customers", "issues_measures")}})  # fmt: skip
        for r in d.form.rows:
            targets.append({"submission_id": sid, "region": people.get(person, ""), "week": period,
                            **{k: r.get(k) for k in ("rep_id", "visits", "sales", "new_customers", "collections",
                                                     "target_sales", "target_visits", "target_new_customers", "plan")}})  # fmt: skip
    if market:
        out.market_reports = conform("market_reports", _dates(pd.DataFrame(market), "date"))
    if reports:
        out.weekly_reports = conform("weekly_reports", _dates(pd.DataFrame(reports), "received_at"))
    if targets:
        out.weekly_targets = conform("weekly_targets", pd.DataFrame(targets))


def _dates(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for c in cols:
        df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    return df


def _submissions(drops: list[Any], region: dict[str, str]) -> pd.DataFrame:
    """One row per dropped form; earlier accepted versions of the same form and period are superseded."""
    rows: list[dict[str, Any]] = []
    latest: dict[tuple[str, str, str], int] = {}
    for i, d in enumerate(d for d in drops if d.form_key):
        status = d.expected
        filled = float("nan")
        if d.form_key == "visit_report" and status == "accepted" and d.form is not None and d.form.rows:
            n = sum(r.get(k) not in (None, "", False) for r in d.form.rows for k in _OPTIONAL)
            filled = n / (len(_OPTIONAL) * len(d.form.rows))
        key = (d.form_key, d.person, d.period)
        if status == "accepted" and d.period:
            if key in latest:
                rows[latest[key]]["status"] = "superseded"
            latest[key] = len(rows)
        rows.append({"submission_id": i + 1, "rep_id": d.person, "region": region.get(d.person, ""), "form": d.form_key,
                     "period_key": d.period, "received_at": d.received, "status": status, "optional_filled": filled})  # fmt: skip
    df = pd.DataFrame(rows)
    df["received_at"] = pd.to_datetime(df["received_at"]).astype("datetime64[ns]")
    return df


__all__ = ["company_frames", "frames_of"]
