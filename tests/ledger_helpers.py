"""Hand-built submissions and a throw-away installation for ledger and pipeline tests."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from automation.core.config import Config, parse_config
from automation.core.model import Cell, Row, Submission
from tests.dbs import with_ledger

ROOT = Path(__file__).resolve().parents[1]


def make_config(tmp: Path, **overrides: Any) -> Config:
    """The repo's demo config with the shared and state folders inside ``tmp``."""
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data.update({"shared_folder": "workbooks", "state_folder": "state"}, **overrides)
    return parse_config(with_ledger(data), tmp)


def cell(value: Any, row: int = 1, col: int = 1, resolved: Any = None) -> Cell:
    raw = value.isoformat() if isinstance(value, (date, datetime)) else value
    return Cell(raw=raw, value=value, sheet="Sheet1", row=row, col=col, resolved=resolved)


def make_sub(
    form: str, info: dict[str, Any], rows: list[dict[str, Any]], *, folder: str = "", name: str = "f.xlsx"
) -> Submission:
    """A submission as intake + validate would leave it; customer values given as ('text', 'C000001')."""
    sub = Submission(
        path=Path(name), form=form, file_format="xlsx", folder=folder, sheet="Sheet1", header_row=4
    )
    sub.info = {k: cell(v, i + 1, 2) for i, (k, v) in enumerate(info.items())}
    for n, values in enumerate(rows):
        r = Row(number=5 + n)
        for c, (k, v) in enumerate(values.items()):
            if isinstance(v, tuple):
                r.cells[k] = cell(v[0], 5 + n, c + 1, resolved=v[1])
            else:
                r.cells[k] = cell(v, 5 + n, c + 1)
        sub.rows.append(r)
    return sub


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def visit(
    customer: tuple[str, str], outcome: str = "deal", order: str = "1000.00", **extra: Any
) -> dict[str, Any]:
    row = {
        "customer": customer,
        "purpose": "order",
        "outcome": outcome,
        "met_decision_maker": True,
        "quoted": False,
        "order_amount": Decimal(order),
        "gross_margin": Decimal("100.10"),
        "expense": Decimal("20.05"),
    }
    row.update(extra)
    return row


def customer_row(
    name: str, phone: str, *, cid: str | None = None, stage: str = "prospect", **extra: Any
) -> dict[str, Any]:
    row = {
        "customer_id": cid,
        "name": name,
        "region": "east",
        "contact": "李经理",
        "phone": phone,
        "stage": stage,
        "created": date(2026, 11, 2),
    }
    row.update(extra)
    return row
