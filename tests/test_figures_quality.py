"""Data quality (automation/figures/quality.py): first-time-right groups and optional fields filled."""

from __future__ import annotations

from datetime import date

from automation.core.workcal import week_period
from automation.score.common import rep_universe
from automation.score.quality import form_groups, quality
from tests.figures_cases import config, frames


def _sub(i: int, form: str, key: str, at: str, status: str, filled: float | None = None) -> dict[str, object]:
    return {"submission_id": i, "rep_id": "R001", "region": "east", "form": form, "period_key": key,
            "received_at": at, "status": status, "optional_filled": filled}  # fmt: skip


SUBS = [
    _sub(1, "visit_report", "2026-11-16", "2026-11-16 19:00", "accepted", 0.5),  # right first time
    _sub(2, "visit_report", "2026-11-17", "2026-11-17 18:00", "rejected"),  # not right first time
    _sub(3, "visit_report", "2026-11-17", "2026-11-17 19:00", "accepted", 0.25),
    _sub(4, "visit_report", "2026-11-18", "2026-11-18 18:00", "superseded", 0.1),  # right first time
    _sub(5, "visit_report", "2026-11-18", "2026-11-18 19:00", "accepted", 1.0),
    _sub(6, "visit_report", "2026-11-19", "2026-11-19 18:00", "duplicate"),  # duplicates are ignored
    _sub(7, "visit_report", "2026-11-19", "2026-11-19 18:30", "accepted", 0.75),  # -> right first time
    _sub(8, "visit_plan", "2026-11-16", "2026-11-16 08:00", "rejected"),  # never accepted: not right
    _sub(9, "customer_register", "", "2026-11-17 10:00", "accepted"),  # grouped by received day: right
    _sub(10, "customer_register", "", "2026-11-17 15:00", "rejected"),  # same group, after the first
    _sub(11, "visit_report", "2026-11-09", "2026-11-09 19:00", "rejected"),  # outside the week
]


def test_quality_worked_by_hand() -> None:
    cfg = config()
    f = frames(cfg, submissions=SUBS)
    period = week_period("2026-W47", date(2026, 11, 23))
    groups = form_groups(f, period)
    assert len(groups) == 6  # VR 16, 17, 18, 19; plan 16; register 17
    out = quality(f, period, rep_universe(f)).set_index(["level", "owner"])
    r1 = out.loc[("rep", "R001")]
    # right first time: VR 16, VR 18, VR 19, register 17 = 4 of 6
    assert (r1.form_groups, r1.first_time_right) == (6, 4)
    assert r1.first_time_rate == 4 / 6
    # optional fields: current accepted visit reports 0.5, 0.25, 1.0, 0.75 -> mean 0.625
    assert r1.optional_filled == 0.625
    assert out.loc[("company", ""), "first_time_rate"] == 4 / 6
    assert out.loc[("rep", "R002"), "form_groups"] == 0
