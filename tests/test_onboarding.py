"""A real company's first week (issue 13): its existing customer codes load before go-live or from
hq/, later plans and reports name them, and the product's own ids never collide with them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from python_calamine import CalamineWorkbook

from automation.core.config import load_config
from automation.core.formspec import load_specs
from automation.ledger import open_ledger
from automation.pipeline import process
from tests.formfactory import ledger_rows, write_xlsx

# SQLite only: what this module checks does not depend on the ledger's engine; PostgreSQL runs
# the ledger, pipeline, mail, status and figures modules, real watchers (tests/test_multisite.py)
# and the workbooks cell by cell (tests/test_engines_equal.py). Keeps CI under 10 minutes.

FRIDAY, MONDAY, TUESDAY, WEDNESDAY = (
    date(2026, 11, 20),
    date(2026, 11, 23),
    date(2026, 11, 24),
    date(2026, 11, 25),
)
REPS = {
    "A01": ("王伟", ["C0001", "C0002", "C0003"]),
    "A02": ("李娜", ["C0011", "C0012"]),
    "A03": ("刘洋", ["C0021"]),
}


def company(root: Path, go_live: date = MONDAY) -> tuple[Path, Any]:
    """Three reps in one region, all going live on ``go_live``; shared and state folders in ``root``."""
    data = {
        "company": "新星贸易有限公司",
        "shared_folder": str(root / "workbooks"),
        "state_folder": str(root / "state"),
        "regions": [{"id": "east", "zh": "华东", "en": "East"}],
        "reps": [
            {"id": rid, "name": name, "region": "east", "go_live": go_live.isoformat()}
            for rid, (name, _) in REPS.items()
        ],
    }
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = load_config(path)
    for folder in config.folder_names():
        (config.inbox / folder).mkdir(parents=True, exist_ok=True)
    return path, config


def customer(cid: str | None, name: str, phone: str, **more: Any) -> dict[str, Any]:
    return {"customer_id": cid, "name": name, "region": "华东", "contact": "陈经理", "phone": phone,
            "stage": "订单客户", "created": date(2024, 3, 15), **more}  # fmt: skip


def register(rep: str, rows: list[dict[str, Any]]) -> bytes:
    return write_xlsx(load_specs()["customer_register"], {"rep_id": rep}, rows)


def plan(rep: str, day: date, customers: list[str]) -> bytes:
    rows = [{"customer": c, "purpose": "服务", "time_slot": "10:00"} for c in customers]
    return write_xlsx(load_specs()["visit_plan"], {"rep_id": rep, "plan_date": day}, rows)


def report(rep: str, day: date, customers: list[str]) -> bytes:
    rows = [
        {"customer": c, "purpose": "订货", "outcome": "成交", "order_amount": 1200 + i, "gross_margin": 300}
        for i, c in enumerate(customers)
    ]
    return write_xlsx(
        load_specs()["visit_report"], {"rep_id": rep, "report_date": day, "attendance": "出勤"}, rows
    )


def drop(config: Any, folder: str, name: str, data: bytes, at: datetime) -> Path:
    """Save a file into the inbox as it was saved at ``at`` (its modification time)."""
    path = config.inbox / folder / name
    path.write_bytes(data)
    os.utime(path, (at.timestamp(), at.timestamp()))
    return path


def ingest(cfg: Path, now: datetime) -> dict[str, Any]:
    """The back office's daily run: ``salesflow ingest workbooks/inbox`` at ``now``, in a real process."""
    env = {**os.environ, "SALESFLOW_NOW": now.isoformat(), "SALESFLOW_READ_AHEAD": "0"}
    inbox = yaml.safe_load(cfg.read_text(encoding="utf-8"))["shared_folder"] + "/inbox"
    done = subprocess.run(
        [sys.executable, "-m", "automation", "ingest", "--json", inbox, "--config", str(cfg)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    data: dict[str, Any] = json.loads(done.stdout[done.stdout.index("{") :])
    return data


def statuses(data: dict[str, Any]) -> dict[str, str]:
    return {Path(f["path"]).name: f["status"] for f in data["files"]}


@pytest.mark.slow
def test_a_company_of_three_reps_goes_live_on_monday_with_its_own_customer_codes(tmp_path: Path) -> None:
    cfg, config = company(tmp_path)
    # Friday: each rep drops the register they already keep, with the company's own codes. A01's
    # is taken in that evening; A02's and A03's wait in the inbox for Monday's run.
    for i, (rep, (_, codes)) in enumerate(REPS.items()):
        rows = [customer(c, f"{rep}老客户{c}有限公司", f"1380000{i}{j:03d}") for j, c in enumerate(codes)]
        drop(config, rep, f"客户登记表_{rep}.xlsx", register(rep, rows), datetime(2026, 11, 20, 11, i))
    friday = ingest(cfg, datetime(2026, 11, 20, 18, 0))
    assert set(statuses(friday).values()) == {"accepted"}, friday["files"]
    assert friday["new_ids"] == []  # nothing was assigned: every customer kept the company's code
    ids = [r[0] for r in ledger_rows(config, "SELECT customer_id FROM customers ORDER BY customer_id")]
    assert ids == ["C0001", "C0002", "C0003", "C0011", "C0012", "C0021"]
    assert ledger_rows(config, "SELECT owner FROM customers WHERE customer_id = 'C0021'") == [("A03",)]
    # Monday: plans in the morning and reports in the evening name those codes; one backlog
    drop(
        config,
        "A01",
        "计划_A01_1123.xlsx",
        plan("A01", MONDAY, ["C0001", "C0002"]),
        datetime(2026, 11, 23, 8, 40),
    )
    drop(config, "A02", "计划_A02_1123.xlsx", plan("A02", MONDAY, ["C0011"]), datetime(2026, 11, 23, 8, 55))
    drop(
        config,
        "A01",
        "日报_A01_1123.xlsx",
        report("A01", MONDAY, ["C0001", "C0002"]),
        datetime(2026, 11, 23, 18, 5),
    )
    drop(
        config, "A03", "日报_A03_1123.xlsx", report("A03", MONDAY, ["C0021"]), datetime(2026, 11, 23, 18, 30)
    )
    monday = ingest(cfg, datetime(2026, 11, 23, 21, 0))
    assert set(statuses(monday).values()) == {"accepted"}, monday["files"]
    named = ledger_rows(config, "SELECT customer_id FROM visit_reports ORDER BY customer_id")
    assert named == [("C0001",), ("C0002",), ("C0021",)]
    # Tuesday: after go-live a code nobody knows is a mistake, named at its cell
    drop(
        config,
        "A02",
        "日报_A02_1124.xlsx",
        report("A02", TUESDAY, ["C0011", "C0099"]),
        datetime(2026, 11, 24, 18, 0),
    )
    drop(config, "A02", "客户登记表_A02_更新.xlsx",
         register("A02", [customer("C0013", "新来的客户有限公司", "13900001111")]), datetime(2026, 11, 24, 17, 0))  # fmt: skip
    tuesday = ingest(cfg, datetime(2026, 11, 24, 21, 0))
    assert statuses(tuesday) == {"客户登记表_A02_更新.xlsx": "rejected", "日报_A02_1124.xlsx": "rejected"}
    problems = feedback_rows(config.rejected / "A02" / "日报_A02_1124.反馈.xlsx")
    assert [r[2:6] for r in problems] == [["A9", "9.0", "客户", "C0099"]]  # the table's second row
    problems = feedback_rows(config.rejected / "A02" / "客户登记表_A02_更新.反馈.xlsx")
    assert [r[2:6] for r in problems] == [["A6", "6.0", "客户编号", "C0013"]]
    # Wednesday: HQ adds a customer to A02's register under the company's own code
    hq_rows = [customer("C0013", "新来的客户有限公司", "13900001111")]
    drop(config, "hq", "补录客户_A02.xlsx", register("A02", hq_rows), datetime(2026, 11, 25, 10, 0))
    wednesday = ingest(cfg, datetime(2026, 11, 25, 12, 0))
    assert statuses(wednesday) == {"补录客户_A02.xlsx": "accepted"}
    assert ledger_rows(config, "SELECT owner, name FROM customers WHERE customer_id = 'C0013'") == [
        ("A02", "新来的客户有限公司")
    ]


def feedback_rows(path: Path) -> list[list[str]]:
    """The problem list a rep reads first in a feedback workbook, as text."""
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return [[str(v) for v in row] for row in sheet if isinstance(row[0], float)]  # numbered rows


def _take_in(config: Any, folder: str, name: str, data: bytes, at: datetime, monkeypatch: Any) -> Any:
    monkeypatch.setenv("SALESFLOW_NOW", at.isoformat())
    path = drop(config, folder, name, data, at)
    with open_ledger(config) as ledger:
        return process(path, config, ledger=ledger, folder=folder)


def test_ids_the_product_assigns_skip_an_imported_code_of_its_own_shape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, config = company(tmp_path)
    rows = [
        customer("C000001", "甲有限公司", "13800000001"),
        customer("C000003", "乙有限公司", "13800000002"),
    ]
    assert (
        _take_in(
            config, "A01", "a.xlsx", register("A01", rows), datetime(2026, 11, 20, 9), monkeypatch
        ).status
        == "accepted"
    )
    later = [customer(None, f"新客户{i}有限公司", f"1390000000{i}") for i in range(3)]
    out = _take_in(config, "A01", "b.xlsx", register("A01", later), datetime(2026, 11, 24, 9), monkeypatch)
    assert out.status == "accepted"
    assert [a["id"] for a in out.assigned_ids] == [
        "C000004",
        "C000005",
        "C000006",
    ]  # past the imported C000003


def test_an_import_cannot_take_over_an_id_the_product_already_assigned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, config = company(tmp_path)
    first = [customer(None, "甲有限公司", "13800000001")]
    made = _take_in(config, "A01", "a.xlsx", register("A01", first), datetime(2026, 11, 20, 9), monkeypatch)
    assert [a["id"] for a in made.assigned_ids] == ["C000001"]
    # HQ then loads a list whose own codes happen to look like ours: C000001 is another customer there
    clash = [customer("C000001", "丙有限公司", "13700000009")]
    out = _take_in(
        config, "hq", "import.xlsx", register("A01", clash), datetime(2026, 11, 25, 9), monkeypatch
    )
    assert out.status == "rejected" and out.feedback is not None
    assert [r[5:7] for r in feedback_rows(out.feedback)] == [
        ["C000001", "客户编号「C000001」已由系统分配给客户「甲有限公司 (C000001)」，本行写的是另一家客户。"]
    ]
    assert ledger_rows(config, "SELECT name FROM customers") == [("甲有限公司",)]  # untouched
    # the same id naming the same customer (HQ correcting it) is an update, as ever
    fix = [customer("C000001", "甲有限公司", "13800000001", contact="新联系人")]
    out = _take_in(config, "hq", "fix.xlsx", register("A01", fix), datetime(2026, 11, 25, 10), monkeypatch)
    assert out.status == "accepted"
    assert ledger_rows(config, "SELECT contact FROM customers WHERE customer_id = 'C000001'") == [
        ("新联系人",)
    ]


def test_after_go_live_a_reps_unknown_code_stays_an_error_but_hq_may_load_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, config = company(tmp_path)
    rows = [customer("X-77", "丁有限公司", "13800000077")]
    rep = _take_in(config, "A01", "late.xlsx", register("A01", rows), datetime(2026, 11, 23, 9), monkeypatch)
    assert rep.status == "rejected"  # received on the go-live day: no longer before it
    hq = _take_in(config, "hq", "load.xlsx", register("A01", rows), datetime(2026, 11, 23, 9, 5), monkeypatch)
    assert hq.status == "accepted" and hq.assigned_ids == []
    assert ledger_rows(config, "SELECT customer_id, owner FROM customers") == [("X-77", "A01")]
