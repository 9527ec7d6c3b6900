"""HQ and the supervisors: the forms that come from the office, not from the road.

HQ drops each month's targets on its first working day (per rep, per region, for the company);
each supervisor returns last week's report every Monday morning, pre-filled with the week's
figures of the simulation. Both only read what the reps did, so they run after the reps.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from automation.demo.world import _COMPETITOR_NEWS, Form, World


def rep_monthly_target(world: World, rep_id: str) -> float:
    r = random.Random(f"{world.seed}:target:{rep_id}")
    base = 330000 if world.customers_per_rep <= 60 else 400000
    return round(base * r.uniform(0.85, 1.2), -4)


def hq_targets(world: World, rng: random.Random) -> None:
    months: list[date] = []
    for d in world.dates():
        m = d.replace(day=1)
        if m not in months:
            months.append(m)
    for m in months:
        first = next(d for d in world.dates() if d >= m and world.working(d) and d.month == m.month)
        rows = targets_for(world, m)
        lang = world.cfg.get("language", "zh")
        world.forms.append(
            Form("targets", "hq", "hq", lang, world.at(first, rng, 7.6, 8.0), f"{m:%Y-%m}", {}, rows)
        )


def targets_for(world: World, month: date) -> list[dict[str, Any]]:
    """Monthly targets per rep, per region and for the company, for ``month``."""
    rows: list[dict[str, Any]] = []
    by_region: dict[str, dict[str, float]] = {}
    for rep in world.cfg["reps"]:
        s = rep_monthly_target(world, rep["id"])
        row = {"period": f"{month:%Y-%m}", "level": "rep", "owner": rep["id"], "product": None, "sales": s,
               "gross_margin": round(s * 0.25, -3), "new_customers": 4, "collections": round(s * 0.8, -3),
               "visits": 110}  # fmt: skip
        rows.append(row)
        agg = by_region.setdefault(
            rep["region"],
            {k: 0.0 for k in ("sales", "gross_margin", "new_customers", "collections", "visits")},
        )
        for k in agg:
            agg[k] += row[k]
    total = {k: 0.0 for k in ("sales", "gross_margin", "new_customers", "collections", "visits")}
    for reg in world.cfg["regions"]:
        reg_agg = by_region.get(reg["id"])
        if reg_agg:
            rows.append(
                {
                    "period": f"{month:%Y-%m}",
                    "level": "region",
                    "owner": reg["id"],
                    "product": None,
                    **reg_agg,
                }
            )
            for k in total:
                total[k] += reg_agg[k]
    rows.append({"period": f"{month:%Y-%m}", "level": "company", "owner": None, "product": None, **total})
    for r in rows:
        r["new_customers"], r["visits"] = int(r["new_customers"]), int(r["visits"])
    return rows


def weekly_reports(world: World, rng: random.Random) -> None:
    """Every Monday each supervisor returns last week's report (only for weeks fully simulated)."""
    by_rep_week: dict[tuple[str, str], dict[str, float]] = {}
    for day in world.days:
        y, w, _ = day.day.isocalendar()
        agg = by_rep_week.setdefault(
            (day.rep, f"{y}-W{w:02d}"), {"visits": 0, "sales": 0.0, "collections": 0.0}
        )
        agg["visits"] += len(day.visits)
        agg["sales"] += sum(v["order_amount"] or 0 for v in day.visits)
        agg["collections"] += sum(v["collection_amount"] or 0 for v in day.visits)
    new_by: dict[tuple[str, str], int] = {}
    for c in world.customers:
        y, w, _ = c.created.isocalendar()
        new_by[(c.owner, f"{y}-W{w:02d}")] = new_by.get((c.owner, f"{y}-W{w:02d}"), 0) + 1
    for d in world.dates():
        if d.isoweekday() != 1 or d - timedelta(days=7) < world.start:
            continue
        y, w, _ = (d - timedelta(days=7)).isocalendar()
        week = f"{y}-W{w:02d}"
        for sup in world.cfg.get("supervisors", []):
            reps = [r for r in world.cfg["reps"] if r["region"] == sup["region"]]
            rows = []
            for r in reps:
                agg = by_rep_week.get((r["id"], week), {"visits": 0, "sales": 0.0, "collections": 0.0})
                rows.append({"rep_id": r["id"], "rep_name": r["name"], "visits": int(agg["visits"]),
                             "sales": round(agg["sales"], 2), "new_customers": new_by.get((r["id"], week), 0),
                             "collections": round(agg["collections"], 2),
                             "target_sales": round(rep_monthly_target(world, r["id"]) / 4.3, -3),
                             "target_visits": 27, "target_new_customers": 1,
                             "plan": rng.choice(("重点跟进A类客户", "加强新客户开发", "催收逾期货款", "推广租赁方案"))})  # fmt: skip
            info = {"region": sup["region"], "week": week, "supervisor": sup["name"],
                    "competitor_dynamics": rng.choice(_COMPETITOR_NEWS),
                    "abnormal_customers": rng.choice(("两家客户连续两周未下单，已安排拜访", "无", "一家客户投诉未解决")),
                    "issues_measures": rng.choice(("新人拜访量不足，安排老员工带教", "报价流程慢，已申请简化"))}  # fmt: skip
            lang = sup.get("language", "zh")
            when = world.at(d, rng, 8.5, 11.8)
            world.forms.append(Form("weekly_report", sup["id"], sup["id"], lang, when, week, info, rows))


def run(world: World) -> None:
    """The whole simulation: every rep, then HQ's targets and the supervisors' weekly reports
    (they only read what reps did), then every form in its language and received order."""
    world.run_reps()
    hq_targets(world, random.Random(f"{world.seed}:hq"))
    weekly_reports(world, random.Random(f"{world.seed}:supervisors"))
    world.finish()
