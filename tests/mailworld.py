"""A small installation whose week 2026-W48 holds forms from reps of every region, for the mail
tests: registers, visit reports (R002 misses Thursday and Friday), a plan, a high-severity market
report whose text tries to inject HTML, a complaint, and a rejected visit report.

Built once per test session into a template folder (forms through the real pipeline, the clock at
each form's day), then copied for each test so every test starts with an empty sent log.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from automation.core.config import Config, load_config
from tests.formfactory import FormFactory, _choice_label, install, write_xlsx

REPS = ("R001", "R002", "R005", "R009")  # east, east, south, north
WEEK = "2026-W48"
MONDAY = date(2026, 11, 23)
SCRIPT = "<script>alert('x')</script>"
EVIL = "竞品\r\nBcc: evil@attacker.example"


def build(root: Path) -> Path:
    """Make the template installation under ``root``; returns its config path."""
    path, config = install(root)
    from automation.core.formspec import load_specs
    from automation.ledger import open_ledger
    from automation.pipeline import process

    specs = load_specs(config)
    ff = FormFactory(config, specs)
    saved = os.environ.get("SALESFLOW_NOW")

    def drop(form: Any, at: datetime) -> Any:
        os.environ["SALESFLOW_NOW"] = at.isoformat()
        p = form.drop(config.inbox)
        os.utime(p, (at.timestamp(), at.timestamp()))
        with open_ledger(config) as ledger:
            return process(p, config, ledger=ledger, folder=form.rep_id)

    try:
        start = datetime(2026, 11, 20, 9, 0)
        for rep in REPS:
            assert drop(ff.register(rep), start).status == "accepted"
        for i in range(5):
            day = MONDAY + timedelta(days=i)
            for n, rep in enumerate(REPS):
                if rep == "R002" and i >= 3:
                    continue  # missing Thursday and Friday: reminder copied to the supervisor
                f = ff.visit_report(rep, day, seed=i * 10 + n)
                assert (
                    drop(f, datetime.combine(day, datetime.min.time()) + timedelta(hours=18)).status
                    == "accepted"
                )
        assert (
            drop(ff.visit_plan("R001", MONDAY + timedelta(days=7)), datetime(2026, 11, 27, 19, 0)).status
            == "accepted"
        )
        drop(_market(ff, specs), datetime(2026, 11, 27, 15, 0))
        drop(_complaint(ff, specs), datetime(2026, 11, 27, 16, 0))
        bad = ff.visit_report("R001", MONDAY + timedelta(days=4), seed=99)
        bad.rows[0]["outcome"] = "谈得很好"  # not a choice: rejected
        spec = specs["visit_report"]
        bad.data = write_xlsx(spec, {"rep_id": "R001", "report_date": MONDAY + timedelta(days=4)}, bad.rows)
        bad.name = "日报_R001_重交.xlsx"
        assert drop(bad, datetime(2026, 11, 27, 19, 30)).status == "rejected"
    finally:
        if saved is None:
            os.environ.pop("SALESFLOW_NOW", None)
        else:
            os.environ["SALESFLOW_NOW"] = saved
    return path


def _market(ff: FormFactory, specs: Any) -> Any:
    spec = specs["market_report"]
    rows = [
        {"customer": ff.customer_name("R005", 1), "category": _choice_label(spec, "category", "price_change"),
         "competitor": EVIL, "description": f"降价 30% {SCRIPT}", "severity": _choice_label(spec, "severity", "high"),
         "suggestion": "跟进价格"},
        {"category": _choice_label(spec, "category", "other"), "description": "小事", "severity": _choice_label(spec, "severity", "low")},
    ]  # fmt: skip
    from tests.formfactory import Form

    data = write_xlsx(spec, {"rep_id": "R005", "report_date": date(2026, 11, 27)}, rows)
    return Form("market_report", "R005", "2026-11-27", data, rows, name="市场_R005.xlsx")


def _complaint(ff: FormFactory, specs: Any) -> Any:
    spec = specs["complaint"]
    rows = [
        {"customer": ff.customer_name("R009", 2), "received": date(2026, 11, 27),
         "category": _choice_label(spec, "category", "quality"), "description": "质量问题 <b>bold</b>",
         "severity": _choice_label(spec, "severity", "medium"), "status": _choice_label(spec, "status", "open")},
    ]  # fmt: skip
    from tests.formfactory import Form

    data = write_xlsx(spec, {"rep_id": "R009"}, rows)
    return Form("complaint", "R009", "", data, rows, name="投诉_R009.xlsx")


def copy(template: Path, root: Path, **smtp: Any) -> tuple[Path, Config]:
    """A fresh copy of the template installation under ``root`` (config paths rewritten), with
    ``smtp`` settings merged in."""
    src = template.parent
    for name in ("shared", "state"):
        shutil.copytree(src / name, root / name)
    data = yaml.safe_load(template.read_text(encoding="utf-8"))
    data["shared_folder"] = str(root / "shared")
    data["state_folder"] = str(root / "state")
    data["smtp"] = {**(data.get("smtp") or {}), **smtp}
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    from tests.dbs import ledger_url

    if ledger_url():  # a PostgreSQL run: the template's ledger is copied into the test's database
        from automation.ledger.copy import copy_ledger

        copy_ledger(load_config(path), ledger_url())
        data["ledger_url"] = ledger_url()
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, load_config(path)
