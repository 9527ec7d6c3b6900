"""compute_all: every figure at once — empty ledgers, region views, and independence of row order."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from automation.core.frames import LedgerFrames
from automation.score import compute_all
from automation.score.scorecard import columns
from benchmarks.bench_figures import synthetic_config, synthetic_frames
from tests.figures_cases import config, frames

AS_OF = date(2026, 11, 23)
LISTS = ("abc", "pareto", "rfm", "policy", "never_visited", "churn", "complaints", "timeliness", "targets")


def _shuffled(f: LedgerFrames, seed: int) -> LedgerFrames:
    rng = np.random.default_rng(seed)

    def mix(df: pd.DataFrame) -> pd.DataFrame:
        return df.iloc[rng.permutation(len(df))].reset_index(drop=True)

    return LedgerFrames(**{k: mix(getattr(f, k)) for k in f.__dataclass_fields__})


def _same(a: dict, b: dict) -> None:  # type: ignore[type-arg]
    for kind in ("week", "mtd", "qtd", "ytd"):
        pd.testing.assert_frame_equal(a["scorecards"][kind], b["scorecards"][kind])
        pd.testing.assert_frame_equal(a["funnel"][kind], b["funnel"][kind])
        pd.testing.assert_frame_equal(a["days_to_first_order"][kind], b["days_to_first_order"][kind])
    for key in LISTS:
        pd.testing.assert_frame_equal(
            a[key].reset_index(drop=True), b[key].reset_index(drop=True), check_dtype=False
        )


@functools.cache
def _case() -> tuple[Any, LedgerFrames, dict[str, Any]]:
    """A small seeded ledger (6 reps, 80 customers, 900 visits) and its figures, built once."""
    cfg = synthetic_config(6, n_regions=2)
    base = synthetic_frames(6, 80, 900, seed=3, n_regions=2)
    return cfg, base, compute_all(base, cfg, "2026-W47", as_of=AS_OF)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_figures_do_not_depend_on_row_order(seed: int) -> None:
    cfg, base, reference = _case()
    _same(reference, compute_all(_shuffled(base, seed), cfg, "2026-W47", as_of=AS_OF))


def test_the_synthetic_ledger_is_not_trivial() -> None:
    # guards the property above: with no visits, any order would give the same (empty) answer
    _, base, reference = _case()
    sc = reference["scorecards"]["ytd"].set_index(["level", "owner"])
    # YTD runs to the week's Sunday, 22 Nov
    assert sc.loc[("company", ""), "visits"] == (base.visits["date"] <= "2026-11-22").sum() > 800
    assert set(reference["abc"]["grade"]) == {"A", "B", "C"}
    assert sc.loc[("company", ""), "sales_target"] > 0


def test_an_empty_ledger_gives_every_figure() -> None:
    cfg = config()
    out = compute_all(frames(cfg), cfg, "2026-W48", as_of=AS_OF)
    for kind in ("week", "mtd", "qtd", "ytd"):
        sc = out["scorecards"][kind]
        assert list(sc.columns) == columns()
        assert len(sc) == len(cfg.reps) + len(cfg.regions) + 1
        assert (sc["visits"] == 0).all() and sc["sales_attainment"].isna().all()
    assert out["abc"].empty and out["rfm"].empty and out["churn"].empty
    assert out["pareto"]["customers"].tolist() == [0, 0, 0]
    # the week's report days are all missing: 12 reps x Mon 23 Nov
    assert out["timeliness"]["verdict"].tolist() == ["missing"] * len(cfg.reps)


def test_region_view_keeps_that_region_only() -> None:
    cfg, base, reference = _case()
    out = compute_all(base, cfg, "2026-W47", "Region 1", as_of=AS_OF)
    sc = out["scorecards"]["week"]
    assert set(sc["region"]) == {"g1"} and "company" not in set(sc["level"])
    full = reference["scorecards"]["week"].set_index(["level", "owner"])
    assert (
        sc.set_index(["level", "owner"]).loc[("region", "g1"), "sales"] == full.loc[("region", "g1"), "sales"]
    )
    assert set(out["abc"]["region"]) <= {"g1"} and len(out["abc"]) < len(reference["abc"])
    # grades stay company-wide
    merged = out["abc"].merge(reference["abc"], on="customer_id")
    assert (merged["grade_x"] == merged["grade_y"]).all()


def test_a_week_spanning_the_year_end() -> None:
    cfg = config()
    targets = [
        {"period": "2026-12", "level": "company", "owner": "", "product": "", "sales": 23_000.0},
        {"period": "2027-01", "level": "company", "owner": "", "product": "", "sales": 21_000.0},
    ]
    out = compute_all(frames(cfg, targets=targets), cfg, "2026-W53", as_of=date(2027, 1, 10))
    company = out["scorecards"]["week"].set_index(["level", "owner"]).loc[("company", "")]
    # 23,000 x 4/23 (28-31 Dec) + 21,000 x 1/21 (Fri 1 Jan) = 5,000; the week is over: pace 5/5
    assert company["sales_target"] == 5000.0 and company["pace"] == 1.0
    assert out["periods"]["mtd"].key == "2027-01"
    # January-to-date (reference: Sun 3 Jan): whole-month target 21,000, 1 of 21 working days elapsed
    mtd = out["scorecards"]["mtd"].set_index(["level", "owner"]).loc[("company", "")]
    assert mtd["sales_target"] == 21000.0 and mtd["elapsed_working_days"] == 1


def test_default_as_of_and_week_come_from_the_clock() -> None:
    # conftest fixes the clock at Mon 2026-11-23 21:00, past the 20:00 deadline: today counts
    cfg, base, _ = _case()
    out = compute_all(base, cfg)
    assert out["week"] == "2026-W48" and out["as_of"] == date(2026, 11, 23)
    assert out["periods"]["week"].as_of == date(2026, 11, 23)


def test_customer_sheet_joins_grade_segment_visits_and_risk() -> None:
    _, _, reference = _case()
    sheet = reference["customers"]
    assert sheet["customer_id"].is_unique and len(sheet) == len(reference["abc"])
    assert set(sheet["visit_status"]) <= {
        "overdue",
        "due",
        "ok",
        "never_visited",
        "never_visited_overdue",
        "",
    }
    by_id = sheet.set_index("customer_id")
    for row in reference["churn"].itertuples():
        assert by_id.loc[row.customer_id, "churn_risk"] == row.reason
    for row in reference["policy"].head(20).itertuples():
        assert by_id.loc[row.customer_id, "visit_status"] == row.status
    lost = by_id[by_id["stage"] == "lost"]
    assert (lost["visit_status"] == "").all()
