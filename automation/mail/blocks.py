"""Blocks several messages share, built from score-stage frames into plain display values.

Everything here formats; nothing computes a figure (attainment, pace, status, rates all come from
the scorecard). Frames arrive already cut to the recipient's scope by :mod:`routing`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from automation.core.config import Config
from automation.core.texts.mail import DAY, WEEKDAYS, labels
from automation.core.workcal import WorkCalendar
from automation.mail import fmt
from automation.score.targets import METRICS

MAX_ROWS = 15  # rows of a list shown in a message; the rest are in the workbook
_STATUS_ORDER = {"red": 0, "amber": 1, "green": 2}
_MONEY = {"sales", "gross_margin", "collections", "expense_per_visit"}


def value(metric: str, v: Any) -> str:
    return fmt.money(v) if metric in _MONEY else fmt.count(v)


def kpis(row: dict[str, Any] | None, lang: str) -> list[dict[str, Any]]:
    """Are we on target? One line per metric: actual, target, attainment (bar, with pace), status."""
    if row is None:
        return []
    t = labels(lang)
    out = []
    for m in METRICS:
        status = fmt.status_key(row.get(f"{m}_status"))
        out.append(
            {
                "label": t[m],
                "actual": value(m, row.get(m)),
                "target": value(m, row.get(f"{m}_target")),
                "attainment": fmt.pct(row.get(f"{m}_attainment")),
                "pace": fmt.pct(row.get("pace")),
                "forecast": value(m, row.get(f"{m}_forecast")),
                "status": t[status],
                "color": fmt.COLORS[status],
                "bar": fmt.bar(row.get(f"{m}_attainment"), status, row.get("pace")),
            }
        )
    return out


def process(row: dict[str, Any] | None, lang: str) -> list[dict[str, str]]:
    """Are reps working well? The process figures of one scorecard row."""
    if row is None:
        return []
    t = labels(lang)
    keys = (
        "visits",
        "effective_rate",
        "transaction_rate",
        "plan_completion",
        "expense_per_visit",
        "on_time_rate",
    )
    return [
        {
            "label": t[k],
            "value": fmt.pct(row.get(k)) if k.endswith(("rate", "completion")) else value(k, row.get(k)),
        }
        for k in keys
    ]


def one(sc: pd.DataFrame, level: str, owner: str | None = None) -> dict[str, Any] | None:
    """The scorecard row of a level (and owner), as a dict; None when the scope holds none."""
    rows = sc[sc["level"] == level]
    if owner is not None:
        rows = rows[rows["owner"].astype(str) == owner]
    return rows.iloc[0].to_dict() if len(rows) else None


def ranked(sc: pd.DataFrame, level: str) -> list[dict[str, Any]]:
    """Rows of one level, behind first: red, amber, green, no target; then lowest attainment."""
    rows = sc[sc["level"] == level].to_dict("records")
    return sorted(
        rows,
        key=lambda r: (
            _STATUS_ORDER.get(fmt.status_key(r.get("sales_status")), 3),
            fmt.number(r.get("sales_attainment"))
            if fmt.number(r.get("sales_attainment")) is not None
            else 9e9,
            str(r.get("owner")),
        ),
    )


def people_rows(rows: list[dict[str, Any]], lang: str, names: dict[str, str]) -> list[dict[str, Any]]:
    """The rep (or region) table: name, sales, attainment bar and status, visits, rates."""
    t = labels(lang)
    out = []
    for r in rows:
        status = fmt.status_key(r.get("sales_status"))
        out.append(
            {
                "name": names.get(str(r.get("owner")), str(r.get("name") or r.get("owner"))),
                "sales": fmt.money(r.get("sales")),
                "attainment": fmt.pct(r.get("sales_attainment")),
                "status": t[status],
                "color": fmt.COLORS[status],
                "bar": fmt.bar(r.get("sales_attainment"), status, r.get("pace")),
                "visits": fmt.count(r.get("visits")),
                "effective_rate": fmt.pct(r.get("effective_rate")),
                "on_time_rate": fmt.pct(r.get("on_time_rate")),
            }
        )
    return out


def trend(
    config: Config, by_day: pd.DataFrame, level: str, owner: str, as_of: date, lang: str
) -> list[dict[str, Any]]:
    """The week's trend: sales per day up to ``as_of`` for one scorecard row, on one scale
    (days off without visits are left out)."""
    if by_day.empty:
        return []
    rows = by_day[(by_day["level"] == level) & (by_day["owner"].astype(str) == owner)]
    rows = rows[rows["date"] <= pd.Timestamp(as_of)].sort_values("date")
    cal = WorkCalendar(config)
    working = np.array([cal.is_workday(d.date()) for d in rows["date"]], dtype=bool)
    rows = rows[(rows["visits"] > 0).to_numpy() | working]
    weekdays = WEEKDAYS["zh" if lang == "zh" else "en"]
    bars = fmt.scaled(list(rows["sales"]))
    return [
        {
            "day": DAY["zh" if lang == "zh" else "en"].format(weekday=weekdays[d.weekday()], day=d),
            "sales": fmt.money(s),
            "visits": fmt.count(v),
            "bar": b,
        }
        for d, s, v, b in zip(rows["date"], rows["sales"], rows["visits"], bars, strict=True)
    ]


def limited(rows: list[dict[str, Any]], lang: str, plain: bool = False) -> tuple[list[dict[str, Any]], str]:
    """At most :data:`MAX_ROWS` rows, and the sentence saying how many more there are."""
    if len(rows) <= MAX_ROWS:
        return rows, ""
    t = labels(lang)
    return rows[:MAX_ROWS], t["more_plain" if plain else "more"].format(n=len(rows) - MAX_ROWS)


def rep_names(config: Config) -> dict[str, str]:
    return {r.id: r.name for r in config.reps}


def region_names(config: Config, lang: str) -> dict[str, str]:
    return {r.id: r.label(lang) for r in config.regions}


def overdue_customers(
    policy: pd.DataFrame, names: dict[str, str], lang: str, grades: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """Visited customers past their visit interval (SPEC §3 visit policy), longest first."""
    p = policy[policy["status"] == "overdue"] if not policy.empty else policy
    if grades is not None and not p.empty:
        p = p[p["grade"].isin(grades)]
    return [
        {"customer": str(r["name"]), "customer_id": str(r["customer_id"]), "rep": names.get(str(r["owner"]), str(r["owner"])),
         "grade": str(r["grade"]), "last_visit": fmt.day(r["last_visit"]), "days_since": fmt.count(r["days_since"])}
        for r in p.to_dict("records")
    ]  # fmt: skip


def missing_reports(timeliness: pd.DataFrame, names: dict[str, str]) -> list[dict[str, str]]:
    """Per rep, the working days of the week without a visit report."""
    if timeliness.empty:
        return []
    m = timeliness[timeliness["verdict"] == "missing"]
    out = []
    for rep_id, g in m.groupby(m["rep_id"].astype(str), sort=True):
        out.append(
            {"rep": names.get(rep_id, rep_id), "days": ", ".join(fmt.day(d) for d in sorted(g["date"]))}
        )
    return out


def overdue_complaints(
    complaints: pd.DataFrame, customers: pd.DataFrame, names: dict[str, str], lang: str
) -> list[dict[str, str]]:
    """Open complaints past their limit (SPEC §3 complaints), oldest first."""
    if complaints.empty:
        return []
    t = labels(lang)
    c = complaints[
        complaints["overdue"].fillna(False).astype(bool) & complaints["is_open"].fillna(False).astype(bool)
    ]
    cust = (
        dict(zip(customers["customer_id"].astype(str), customers["name"].astype(str), strict=False))
        if not customers.empty
        else {}
    )
    return [
        {"id": str(r["complaint_id"]), "customer": cust.get(str(r["customer_id"]), str(r["customer_id"])),
         "rep": names.get(str(r["rep_id"]), str(r["rep_id"])), "received": fmt.day(r["received"]),
         "severity": t.get(str(r["severity"]), str(r["severity"])),
         "days": f"{fmt.count(r['working_days'])} / {fmt.count(r['limit'])}"}
        for r in c.sort_values("received").to_dict("records")
    ]  # fmt: skip


def choice_label(config: Config, form: str, field: str, key: Any, lang: str) -> str:
    """A stored choice key (``market_research``) in the reader's words, from the form spec."""
    if key is None or fmt.missing(key) or key == "":
        return "–"
    try:
        spec = _specs(config)[form]
        for f in spec.fields:
            if f.key == field:
                for c in f.choices:
                    if c.key == key:
                        return c.label(lang)
    except KeyError:
        pass
    return str(key)


_SPECS: dict[int, tuple[Config, Any]] = {}


def _specs(config: Config) -> Any:
    """The config's form specs, built once per config (a brief looks up a label per plan row)."""
    from automation.core.formspec import load_specs

    hit = _SPECS.get(id(config))
    if hit is None or hit[0] is not config:
        _SPECS.clear()
        hit = _SPECS[id(config)] = (config, load_specs(config))
    return hit[1]
