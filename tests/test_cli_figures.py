"""``salesflow figures``: a real SQLite ledger in a tmp dir, the real CLI, the documented JSON shape."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from automation.cli import cli
from automation.core.config import load_config
from automation.ledger import open_ledger
from automation.score.scorecard import columns
from tests.conftest import ROOT
from tests.ledger_helpers import customer_row, make_sub, sha, visit

pytestmark = pytest.mark.usefixtures("db")  # SQLite and PostgreSQL (tests/conftest.py)


def _record(ledger, sub, key: str, received: datetime, folder: str = "R001") -> None:  # type: ignore[no-untyped-def]
    ledger.record(
        sub, valid=True, error_count=0, warning_count=0, sha256=sha(key), source=f"{folder}/{key}.xlsx",
        folder=folder, name=f"{key}.xlsx", size=100, first_seen=received, received_at=received,
    )  # fmt: skip


@pytest.fixture
def installation(tmp_path: Path) -> Path:
    """A config file in tmp with a ledger holding one customer and one visit report (Mon 23 Nov)."""
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data.update({"shared_folder": "workbooks", "state_folder": "state"})
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cfg = load_config(path)
    with open_ledger(cfg) as ledger:
        reg = make_sub(
            "customer_register", {"rep_id": "R001"}, [customer_row("上海华联", "13812345678")], folder="R001"
        )
        _record(ledger, reg, "reg", datetime(2026, 11, 20, 9, 0))
        cid = str(ledger.frames().customers["customer_id"].iloc[0])
        rows = [visit(("上海华联", cid), "deal", "1000.00", collection_amount=Decimal("300.00"))]
        rep = make_sub("visit_report", {"rep_id": "R001", "report_date": date(2026, 11, 23), "attendance": "present"},
                       rows, folder="R001")  # fmt: skip
        _record(ledger, rep, "vr", datetime(2026, 11, 23, 18, 0))
    return path


def _run(path: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--config", str(path), "figures", *args])


def test_json_shape_and_figures(installation: Path) -> None:
    res = _run(installation, "--week", "2026-W48", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["schema"] == "salesflow.figures/1"
    assert data["as_of"] == "2026-11-23"  # the clock is 21:00, past the 20:00 deadline: today counts
    assert set(data["scorecards"]) == {"week", "mtd", "qtd", "ytd"}
    assert data["periods"]["week"] == {
        "kind": "week", "key": "2026-W48", "start": "2026-11-23", "end": "2026-11-29", "as_of": "2026-11-23",
        "working_days": 5, "elapsed_working_days": 1, "calendar_days": 1,
    }  # fmt: skip
    assert data["scorecard_columns"] == columns()
    week = {(r["level"], r["owner"]): r for r in data["scorecards"]["week"]}
    assert list(week[("rep", "R001")]) == columns()
    r1 = week[("rep", "R001")]
    assert (r1["visits"], r1["sales"], r1["collections"], r1["transaction_rate"]) == (1, 1000, 300, 1)
    assert (r1["report_days"], r1["on_time"], r1["on_time_rate"]) == (1, 1, 1)
    assert r1["sales_target"] is None and r1["sales_status"] is None  # no targets in this ledger
    assert week[("rep", "R002")]["effective_rate"] is None  # no visits: no rate
    assert week[("company", "")]["visits"] == 1 and week[("region", "east")]["sales"] == 1000
    assert data["scorecards"]["mtd"][0]["new_customers"] == 1  # created 2 Nov, owner R001
    assert [c["grade"] for c in data["abc"]] == ["A"]
    assert data["pareto"][0] == {
        "grade": "A",
        "customers": 1,
        "customer_share": 1,
        "sales": 1000,
        "sales_share": 1,
    }
    assert data["rfm"][0]["segment"] == "champion"  # alone: every score is 5
    for key in ("overdue", "due", "never_visited", "churn", "complaints", "timeliness", "targets", "funnel"):
        assert key in data


def test_region_filter_and_default_week(installation: Path) -> None:
    res = _run(installation, "--region", "华南", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["week"] == "2026-W48" and data["region"] == "south"
    owners = [(r["level"], r["owner"]) for r in data["scorecards"]["week"]]
    assert owners == [("rep", "R005"), ("rep", "R006"), ("rep", "R007"), ("rep", "R008"), ("region", "south")]
    assert data["abc"] == []  # the only customer is in east


def test_human_table(installation: Path) -> None:
    res = _run(installation, "--week", "2026-W48")
    assert res.exit_code == 0, res.output
    assert "本周 / week 2026-W48" in res.output
    line = next(x for x in res.output.splitlines() if x.startswith("rep") and "R001" in x)
    assert "1,000.00" in line


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--week", "2027-W53"], "2027 has no week 53"), (["--region", "Atlantis"], "no region 'Atlantis'")],
)
def test_bad_week_or_region_exits_2(installation: Path, args: list[str], message: str) -> None:
    res = _run(installation, *args)
    assert res.exit_code == 2
    assert message in res.output


def test_every_scorecard_column_has_both_labels() -> None:
    from automation.core.texts.figures import COLUMN_LABELS, label

    assert [c for c in columns() if c not in COLUMN_LABELS] == []
    assert label("effective_rate", "zh") == "有效拜访率" and label("sales_status", "en") == "Sales status"
    assert label("amber", "zh") == "预警" and label("no_such_key", "en") == "no_such_key"
