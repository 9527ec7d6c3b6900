"""Benchmark: every figure for a 200-rep, 20,000-customer, one-year ledger (~300,000 visits).

Frames are built directly (synthetic, seeded), then :func:`automation.score.compute_all` runs for
the week, MTD, QTD and YTD and all customer lists. Prints wall and CPU time (best of ``--repeat``)
and peak memory (RSS high-water mark). Target: under 2 s and under 1 GB. On a shared, busy machine
the wall time includes waiting for a CPU; the CPU time (and the printed load average) tells them apart.

    python benchmarks/bench_figures.py [--reps 200] [--customers 20000] [--visits 300000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from automation.core.config import load_config, parse_config  # noqa: E402
from automation.core.frames import LedgerFrames, conform  # noqa: E402
from automation.score import compute_all  # noqa: E402

OUTCOMES = np.array(["deal", "interested", "follow_up", "not_interested", "not_met"])
STAGES = np.array(["unqualified", "prospect", "opportunity", "customer", "active_user", "lost"])


def synthetic_config(n_reps: int, n_regions: int = 5):  # type: ignore[no-untyped-def]
    base = load_config(Path(__file__).resolve().parents[1] / "config.yaml").model_dump(mode="json")
    base["regions"] = [{"id": f"g{i}", "zh": f"区域{i}", "en": f"Region {i}"} for i in range(n_regions)]
    base["reps"] = [
        {"id": f"R{i:04d}", "name": f"Rep {i}", "region": f"g{i % n_regions}", "go_live": "2026-01-01"}
        for i in range(n_reps)
    ]
    base["supervisors"] = []
    base["managers"] = []
    return parse_config(base, Path(__file__).resolve().parents[1])


def synthetic_frames(
    n_reps: int, n_customers: int, n_visits: int, seed: int = 7, n_regions: int = 5
) -> LedgerFrames:
    """A seeded one-year ledger (2026-01-01 .. 2026-11-23) built directly as frames."""
    rng = np.random.default_rng(seed)
    rep_ids = np.array([f"R{i:04d}" for i in range(n_reps)])
    regions = np.array([f"g{i % n_regions}" for i in range(n_reps)])
    cust_ids = np.array([f"C{i:06d}" for i in range(n_customers)])
    owner_idx = rng.integers(0, n_reps, n_customers)
    start = np.datetime64("2025-12-01")
    created = start + rng.integers(0, 350, n_customers).astype("timedelta64[D]")
    customers = pd.DataFrame(
        {
            "customer_id": cust_ids,
            "name": [f"客户{i}" for i in range(n_customers)],
            "owner": rep_ids[owner_idx],
            "region": regions[owner_idx],
            "stage": STAGES[rng.integers(0, 6, n_customers)],
            "created": created.astype("datetime64[ns]"),
            "industry": "other",
            "potential_value": rng.gamma(2, 50000, n_customers).round(2),
        }
    )
    days = np.datetime64("2026-01-01") + rng.integers(0, 327, n_visits).astype("timedelta64[D]")
    # customers weighted by a Pareto-ish popularity so ABC has a tail
    pop = rng.pareto(1.2, n_customers) + 0.1
    cidx = rng.choice(n_customers, n_visits, p=pop / pop.sum())
    ridx = owner_idx[cidx]
    outcome = OUTCOMES[rng.integers(0, 5, n_visits)]
    deal = outcome == "deal"
    order = np.where(deal, rng.gamma(2, 8000, n_visits).round(2), 0.0)
    visits = pd.DataFrame(
        {
            "rep_id": rep_ids[ridx],
            "region": regions[ridx],
            "date": days.astype("datetime64[ns]"),
            "customer_id": cust_ids[cidx],
            "purpose": "order",
            "outcome": outcome,
            "met_decision_maker": rng.random(n_visits) < 0.4,
            "quoted": rng.random(n_visits) < 0.3,
            "quote_amount": rng.gamma(2, 9000, n_visits).round(2),
            "order_amount": order,
            "gross_margin": (order * 0.25).round(2),
            "collection_amount": np.where(
                rng.random(n_visits) < 0.2, rng.gamma(2, 5000, n_visits).round(2), 0.0
            ),
            "expense": rng.gamma(2, 60, n_visits).round(2),
            "next_visit": pd.NaT,
        }
    )
    plans = visits.sample(frac=0.8, random_state=seed)[["rep_id", "region", "date", "customer_id", "purpose"]]
    hist_n = n_customers * 2
    hidx = rng.integers(0, n_customers, hist_n)
    stage_history = pd.DataFrame(
        {
            "customer_id": cust_ids[hidx],
            "stage": STAGES[rng.integers(0, 6, hist_n)],
            "changed_at": (created[hidx] + rng.integers(0, 200, hist_n).astype("timedelta64[D]")).astype(
                "datetime64[ns]"
            ),
        }
    )
    n_c = 2000
    cc = rng.integers(0, n_customers, n_c)
    rec = np.datetime64("2026-01-01") + rng.integers(0, 320, n_c).astype("timedelta64[D]")
    complaints = pd.DataFrame(
        {
            "complaint_id": [f"K{i:05d}" for i in range(n_c)],
            "customer_id": cust_ids[cc],
            "rep_id": rep_ids[owner_idx[cc]],
            "region": regions[owner_idx[cc]],
            "received": rec.astype("datetime64[ns]"),
            "category": "quality",
            "severity": np.array(["high", "medium", "low"])[rng.integers(0, 3, n_c)],
            "status": np.array(["open", "in_progress", "resolved", "closed"])[rng.integers(0, 4, n_c)],
            "resolved": (rec + rng.integers(0, 15, n_c).astype("timedelta64[D]")).astype("datetime64[ns]"),
            "satisfied": rng.random(n_c) < 0.7,
        }
    )
    # one visit-report submission per rep and working day, some late, some rejected first
    sub_days = pd.bdate_range("2026-01-01", "2026-11-23")
    grid = pd.MultiIndex.from_product([rep_ids, sub_days], names=["rep_id", "day"]).to_frame(index=False)
    grid = grid.sample(frac=0.95, random_state=seed)
    hours = rng.normal(18.5, 1.5, len(grid)).clip(8, 23.9)
    submissions = pd.DataFrame(
        {
            "submission_id": np.arange(len(grid)),
            "rep_id": grid["rep_id"].to_numpy(),
            "region": "",
            "form": "visit_report",
            "period_key": grid["day"].dt.strftime("%Y-%m-%d").to_numpy(),
            "received_at": grid["day"].to_numpy() + pd.to_timedelta(hours, unit="h"),
            "status": np.where(rng.random(len(grid)) < 0.05, "rejected", "accepted"),
            "optional_filled": rng.random(len(grid)).round(2),
        }
    )
    reps = pd.DataFrame(
        {"rep_id": rep_ids, "name": rep_ids, "region": regions, "go_live": pd.Timestamp("2026-01-01")}
    )
    targets = pd.DataFrame(
        {
            "period": "2026",
            "level": "rep",
            "owner": rep_ids,
            "product": "",
            "sales": rng.gamma(5, 200000, n_reps).round(2),
            "gross_margin": np.nan,
            "new_customers": 100.0,
            "collections": np.nan,
            "visits": 1500.0,
        }
    )
    return LedgerFrames(
        visits=conform("visits", visits),
        plans=conform("plans", plans),
        customers=conform("customers", customers),
        stage_history=conform("stage_history", stage_history),
        complaints=conform("complaints", complaints),
        targets=conform("targets", targets),
        submissions=conform("submissions", submissions),
        reps=conform("reps", reps),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--visits", type=int, default=300_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    proc = psutil.Process()
    config = synthetic_config(args.reps)
    t0 = time.perf_counter()
    frames = synthetic_frames(args.reps, args.customers, args.visits)
    print(
        f"built frames: {len(frames.visits):,} visits, {len(frames.customers):,} customers in {time.perf_counter() - t0:.2f} s"
    )
    best, best_cpu = float("inf"), float("inf")
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = compute_all(frames, config, "2026-W47", as_of=date(2026, 11, 23))
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    peak = proc.memory_info().rss
    try:  # Linux: the kernel's high-water mark of the resident set
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    except OSError:
        pass
    sc = out["scorecards"]["ytd"]
    print(
        f"compute_all (week, MTD, QTD, YTD, ABC, RFM, policy, churn, funnel, complaints): best of {args.repeat} "
        f"= {best:.2f} s wall, {best_cpu:.2f} s CPU (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    print(f"peak RSS: {peak / 2**20:.0f} MiB")
    print(
        f"scorecard rows: {len(sc)}; A customers: {(out['abc']['grade'] == 'A').sum()}; churn risks: {len(out['churn'])}"
    )
    ok = best < 2.0 and peak < 2**30
    print(
        "target (< 2 s wall, < 1 GB):",
        "met" if ok else "MISSED (compare the CPU time when the machine is busy)",
    )


if __name__ == "__main__":
    main()
