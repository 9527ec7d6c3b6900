"""Targets: HQ's yearly / quarterly / monthly targets split down to month-and-week pieces (SPEC §2.7, §3).

The unit everything is built from is a *piece*: one owner's target for the part of an ISO week that
falls in one month. A week's target is the sum of its pieces (a week across two months takes a share
of each), a month's target the sum of its pieces, QTD and YTD sum the months.

Decisions (where the SPEC is silent):

* Splitting. A year is split into its 12 months, a quarter into its 3 months, evenly or by
  ``config.targets.monthly_weights`` (renormalised over the quarter's months). A month is split into
  its week pieces by working days (``month target x week's working days in that month / month's
  working days``). Every split is exact (floating point, never rounded to the cent): a rep's weekly
  new-customer target may be 0.476..., and attainment divides by that, not by 0.47 (issue 13: the
  rounded target showed 213 % instead of 210 %). Rounding happens only where a number is shown or
  written, never here. The pieces add up to the split total within floating-point error (about
  1e-16 of it), not "to the cent by construction" as the old largest-remainder split did.
* Overlap. When an owner has targets of several granularities covering the same month, the most
  specific wins for that month and metric: month > quarter > year (a blank metric does not override).
* Products. Targets are not per product in the figures: when an owner and period have a row with a
  blank product, that row is the total and product rows are ignored; otherwise product rows are summed.
* Levels. A rep's pieces come from rep rows. A region's piece is its own explicit target where HQ set
  one (per month and metric), else the sum of its reps' pieces. The company's piece is its explicit
  target, else the sum of the regions' pieces (which equals the sum of the reps' unless a region target
  was set explicitly: then the company follows the region's number, the one HQ actually wrote).
* Go-live. A rep's target counts only working days on or after the rep's ``go_live``: a month target is
  pro-rated to ``working days from go-live / working days of the month`` (exactly) and split
  into weeks by those working days. The part before go-live is dropped, not moved to other months: a
  rep starting on 16 November is expected to sell half of a November target, not all of it.
* No target at all -> NaN (figures show "no target", never a 0 % attainment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from automation.core.config import Config
from automation.core.frames import LedgerFrames
from automation.core.workcal import Period, WorkCalendar, month_end, week_key

METRICS: tuple[str, ...] = ("sales", "gross_margin", "collections", "visits", "new_customers")
LEVELS: tuple[str, ...] = ("rep", "region", "company")
_PERIOD_RE = re.compile(r"^\s*(\d{4})(?:\s*-?\s*(?:Q([1-4])|(\d{1,2})))?\s*$", re.IGNORECASE)
_PRIORITY = {"year": 1, "quarter": 2, "month": 3}
PIECE_COLUMNS = ["level", "owner", "month", "week", *METRICS]


def split_exact(total: float, weights: list[float] | np.ndarray) -> np.ndarray:
    """``total`` shared by ``weights``, exactly; all-zero weights share it evenly.

    The shares are taken first and then scaled: ``total * w`` first would round a subnormal
    weight's product before the division (a lone weight of 5e-324 turned 1.5 into 2.0).
    """
    w = np.asarray(weights, dtype=float)
    if w.size == 0:
        return np.zeros(0)
    if w.sum() <= 0:
        w = np.ones_like(w)
    return total * (w / w.sum())


def _split_frame(df: pd.DataFrame, group: str, weight: str, value_cols: list[str]) -> pd.DataFrame:
    """Vectorised :func:`split_exact`: each row holds its group's total in ``value_cols``."""
    out = df.copy()
    wsum = out.groupby(group, sort=False)[weight].transform("sum")
    n = out.groupby(group, sort=False)[weight].transform("size")
    w = np.where(wsum > 0, out[weight] / wsum.where(wsum > 0, 1), 1.0 / n)
    for col in value_cols:
        out[col] = out[col].to_numpy(dtype=float) * w  # NaN (no target) stays NaN
    return out


def _parse_period(key: str) -> tuple[str, list[str]] | None:
    """``2026`` / ``2026-Q4`` / ``2026-11`` -> (granularity, months); None when not a period."""
    m = _PERIOD_RE.match(str(key))
    if not m:
        return None
    year = int(m.group(1))
    if m.group(2):
        q = int(m.group(2))
        return "quarter", [f"{year}-{mo:02d}" for mo in range(3 * q - 2, 3 * q + 1)]
    if m.group(3):
        mo = int(m.group(3))
        return ("month", [f"{year}-{mo:02d}"]) if 1 <= mo <= 12 else None
    return "year", [f"{year}-{mo:02d}" for mo in range(1, 13)]


def _normalise(targets: pd.DataFrame, config: Config) -> pd.DataFrame:
    """One row per (level, owner, period): product rows folded, owners mapped to ids."""
    if targets.empty:
        return pd.DataFrame(columns=["level", "owner", "period", *METRICS])
    t = targets.copy()
    t["level"] = t["level"].astype("string").str.strip().str.lower().fillna("")
    t["owner"] = t["owner"].astype("string").fillna("").str.strip()
    labels = {k: r.id for r in config.regions for k in (r.id, r.zh, r.en, r.en.lower())}
    is_region = t["level"] == "region"
    t.loc[is_region, "owner"] = t.loc[is_region, "owner"].map(
        lambda o: labels.get(o, labels.get(o.lower(), o))
    )
    t.loc[t["level"] == "company", "owner"] = ""
    t["period"] = t["period"].astype("string").str.strip().str.upper()
    t["blank_product"] = t["product"].astype("string").fillna("").str.strip() == ""
    keys = ["level", "owner", "period"]
    has_total = t.groupby(keys)["blank_product"].transform("any")
    t = t[~has_total | t["blank_product"]]
    return t.groupby(keys, as_index=False)[list(METRICS)].sum(min_count=1)


def _to_months(norm: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Split each normalised target into month rows, most specific period winning per month."""
    weights = config.targets.monthly_weights or [1.0] * 12
    rows = []
    for i, r in enumerate(norm.itertuples(index=False)):
        parsed = _parse_period(r.period)
        if parsed is None:
            continue
        gran, months = parsed
        for mo in months:
            rows.append((i, r.level, r.owner, gran, mo, weights[int(mo[5:]) - 1]))
    if not rows:
        return pd.DataFrame(columns=["level", "owner", "month", *METRICS])
    ex = pd.DataFrame(rows, columns=["row", "level", "owner", "gran", "month", "w"])
    ex = ex.join(norm[list(METRICS)].astype(float).reset_index(drop=True), on="row")
    ex = _split_frame(ex, "row", "w", list(METRICS))
    ex["prio"] = ex["gran"].map(_PRIORITY)
    ex = ex.sort_values(["level", "owner", "month", "prio"], ascending=[True, True, True, False])
    # most specific non-blank value per metric
    return ex.groupby(["level", "owner", "month"], as_index=False, sort=True)[list(METRICS)].first()


def _month_weeks(months: list[str], cal: WorkCalendar) -> pd.DataFrame:
    """Every (month, ISO week) piece with its calendar span and company working days."""
    rows = []
    for mo in sorted(set(months)):
        first = date(int(mo[:4]), int(mo[5:]), 1)
        last = month_end(first)
        d = first
        while d <= last:
            wk_end = min(d + timedelta(days=6 - d.weekday()), last)
            rows.append((mo, week_key(d), d, wk_end))
            d = wk_end + timedelta(days=1)
    mw = pd.DataFrame(rows, columns=["month", "week", "p_start", "p_end"])
    mw["m_start"] = mw.groupby("month")["p_start"].transform("min")
    mw["m_end"] = mw.groupby("month")["p_end"].transform("max")
    return mw


@dataclass
class TargetBook:
    """All target pieces (yuan / counts, unrounded) for every level."""

    pieces: pd.DataFrame  # PIECE_COLUMNS

    def for_period(self, period: Period) -> pd.DataFrame:
        """Target per (level, owner) for a period; NaN metrics where no target was set."""
        p = self.pieces
        sel = p[p["week"] == period.key] if period.kind == "week" else p[p["month"].isin(period.months())]
        return sel.groupby(["level", "owner"])[list(METRICS)].sum(min_count=1)

    def months(self) -> pd.DataFrame:
        """Month targets per (level, owner, month) — handy for the workbook."""
        return self.pieces.groupby(["level", "owner", "month"], as_index=False)[list(METRICS)].sum(
            min_count=1
        )


def build_targets(frames: LedgerFrames, config: Config, cal: WorkCalendar | None = None) -> TargetBook:
    """Split every target in the ledger into pieces and resolve region and company levels."""
    cal = cal or WorkCalendar(config)
    months = _to_months(_normalise(frames.targets, config), config)
    reps = frames.reps[["rep_id", "region", "go_live"]].drop_duplicates("rep_id")
    if months.empty:
        return TargetBook(
            pd.DataFrame({c: pd.Series(dtype="float64" if c in METRICS else "object") for c in PIECE_COLUMNS})
        )
    mw = _month_weeks(months["month"].tolist(), cal)
    pieces = months.merge(mw, on="month")
    rep_rows = pieces["level"] == "rep"
    pieces = pieces[~rep_rows | pieces["owner"].isin(reps["rep_id"])].copy()
    go = pieces["owner"].map(dict(zip(reps["rep_id"], reps["go_live"], strict=True)))
    go = pd.to_datetime(go).where(pieces["level"] == "rep")
    p_start = pd.to_datetime(pieces["p_start"]).to_numpy("datetime64[D]")
    m_start = pd.to_datetime(pieces["m_start"]).to_numpy("datetime64[D]")
    gol = go.to_numpy("datetime64[D]")
    eff_p_start = np.where(np.isnat(gol), p_start, np.maximum(p_start, np.where(np.isnat(gol), p_start, gol)))
    eff_m_start = np.where(np.isnat(gol), m_start, np.maximum(m_start, np.where(np.isnat(gol), m_start, gol)))
    p_end = pd.to_datetime(pieces["p_end"]).to_numpy("datetime64[D]")
    m_end = pd.to_datetime(pieces["m_end"]).to_numpy("datetime64[D]")
    pieces["w"] = np.asarray(cal.count(eff_p_start, p_end), dtype=float)
    month_wd = np.asarray(cal.count(m_start, m_end), dtype=float)
    eff_month_wd = np.asarray(cal.count(eff_m_start, m_end), dtype=float)
    # pro-rate month totals by go-live (ratio 1 for everyone else); a month without working days keeps its total
    ratio = np.where(month_wd > 0, eff_month_wd / np.where(month_wd > 0, month_wd, 1), 1.0)
    for col in METRICS:
        pieces[col] = pieces[col].to_numpy(dtype=float) * ratio
    pieces["grp"] = pieces["level"] + "|" + pieces["owner"] + "|" + pieces["month"]
    pieces = _split_frame(pieces, "grp", "w", list(METRICS))
    pieces = pieces[["level", "owner", "month", "week", *METRICS]]
    return TargetBook(_resolve_levels(pieces, reps, config))


def _resolve_levels(pieces: pd.DataFrame, reps: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Region = explicit else sum of reps; company = explicit else sum of regions (per piece, metric)."""
    key = ["owner", "month", "week"]
    rep_p = pieces[pieces["level"] == "rep"].copy()
    rep_p["region"] = rep_p["owner"].map(dict(zip(reps["rep_id"], reps["region"], strict=True)))
    from_reps = rep_p.groupby(["region", "month", "week"])[list(METRICS)].sum(min_count=1)
    from_reps.index = from_reps.index.set_names(key)
    explicit_region = pieces[pieces["level"] == "region"].set_index(key)[list(METRICS)]
    region = explicit_region.combine_first(from_reps) if not explicit_region.empty else from_reps
    from_regions = region.groupby(["month", "week"])[list(METRICS)].sum(min_count=1)
    explicit_company = pieces[pieces["level"] == "company"].set_index(["month", "week"])[list(METRICS)]
    company = explicit_company.combine_first(from_regions) if not explicit_company.empty else from_regions
    company = company.reset_index().assign(owner="")
    frames = [
        rep_p[["owner", "month", "week", *METRICS]].assign(level="rep"),
        region.reset_index().assign(level="region"),
        company.assign(level="company"),
    ]
    out = pd.concat([f[PIECE_COLUMNS] for f in frames if not f.empty], ignore_index=True)
    return out.sort_values(["level", "owner", "month", "week"], ignore_index=True)
