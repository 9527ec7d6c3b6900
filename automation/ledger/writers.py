"""How each form's rows land in the ledger, inside the caller's transaction.

Day forms (plans, reports, market reports) and weekly reports are *versions*: their rows are
inserted under the submission, and superseding is a matter of the submission's status. The
register, complaints and targets are *state*: a drop updates what is there (SPEC §2.1, §2.5, §2.7):

- register: a row matches a known customer by id, else credit code, else normalised name + phone.
  A match owned by the same rep is updated (non-blank cells overwrite, blank cells keep what is
  known: a rep's partial register must not wipe data); a stage change is dated by the drop's
  received time. A match owned by another rep is not touched: the row is kept in ``conflicts``
  and the rep is warned (``owner-conflict``). No match: a new customer, with the id the register
  typed (the company's own code: only an onboarding register, before the rep's go-live or from
  ``hq/``, gets this far with an unknown id) or a product-assigned one (``C000123``). The two
  never collide: an imported id of the product's shape moves the counter past it
  (:func:`reserve_id`), :func:`next_id` skips any id already taken, and validation refuses an
  onboarding row that would take over an id the product assigned to another customer.
- complaints: by id; a blank id updates the complaint with the same customer and received date,
  else it is new (``K000045``). Every version is kept in ``complaint_history``.
- targets: HQ's row replaces the one with the same (period, level, owner, product).

New ids are reported back (``assigned``, ``messages``) so the rep can write them into the form.
The register and complaint writers live in :mod:`automation.ledger.customers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from automation.core.config import Config
from automation.core.formspec import FormSpec
from automation.core.model import Row, Submission
from automation.ledger import schema as t
from automation.ledger.fast import Fast
from automation.ledger.shared import is_postgres, upsert_counter
from automation.ledger.values import (
    as_bool,
    as_date,
    as_int,
    as_text,
    cents,
    iso_week,
    to_json,
)

CUSTOMER_PREFIX = "C"
COMPLAINT_PREFIX = "K"
ID_WIDTH = 6


@dataclass
class Apply:
    """What one accepted submission's rows need, and what applying them reports back."""

    conn: sa.Connection
    config: Config
    spec: FormSpec
    sub: Submission
    submission_id: int
    rep_id: str
    region: str
    received_at: datetime
    now: datetime
    messages: list[str] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    assigned: list[dict[str, Any]] = field(default_factory=list)
    dirty: set[tuple[str, str]] = field(default_factory=set)
    directory_changed: bool = False
    audits: list[dict[str, Any]] = field(default_factory=list)  # written by the caller, in one statement


def convert(spec: FormSpec, row: Row, columns: set[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A row's cells as column values (money in cents) and the company-added fields as ``extra``."""
    out: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for f in spec.fields:
        cell = row.cells.get(f.key)
        if f.type == "customer":
            out["customer_id"] = as_text(cell.resolved) if cell is not None else None
            out["customer_text"] = (
                as_text(cell.value if cell.value is not None else cell.raw) if cell else None
            )
            continue
        value = row.value(f.key)
        if f.type == "money":
            v: Any = cents(value)
        elif f.type == "date":
            v = as_date(value)
        elif f.type == "bool":
            v = as_bool(value)
        elif f.type == "int":
            v = as_int(value)
        else:
            v = as_text(value)
        if f.key in columns:
            out[f.key] = v
        elif v is not None:
            extra[f.key] = v
    return out, extra


_CN = t.counters.c
BUMP_COUNTER = Fast(sa.update(t.counters).where(_CN.name == sa.bindparam("n")).values(value=_CN.value + 1))
INSERT_COUNTER = Fast(sa.insert(t.counters))
COUNTER = Fast(sa.select(_CN.value).where(_CN.name == sa.bindparam("n")))
_ID_TAKEN: dict[tuple[str, str], Fast] = {}  # (table, id column) -> its statement, built once
DAY_INSERT = {tbl.name: Fast(sa.insert(tbl)) for tbl in (t.visit_reports, t.visit_plans, t.market_reports)}


def bump_counter(conn: sa.Connection, name: str) -> int:
    """Add one to counter ``name`` (made at 1 the first time); returns the new value.

    On PostgreSQL one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``: atomic on its own, so two
    watchers could never be handed one id even outside the ledger's write lock. SQLite has one
    writer; there the two hot statements run on the fast path."""
    if is_postgres(conn):
        return upsert_counter(conn, t.counters, name)
    if BUMP_COUNTER(conn, {"n": name}).rowcount == 0:
        INSERT_COUNTER(conn, {"name": name, "value": 1})
        return 1
    return int(COUNTER(conn, {"n": name}).scalar_one())


def next_id(conn: sa.Connection, name: str, prefix: str, table: sa.Table, id_col: str) -> str:
    """The next product-assigned id (``C000123``), skipping any an imported register already uses."""
    taken_stmt = _ID_TAKEN.get((table.name, id_col))
    if taken_stmt is None:
        col = table.c[id_col]
        taken_stmt = _ID_TAKEN[(table.name, id_col)] = Fast(sa.select(col).where(col == sa.bindparam("v")))
    while True:
        value = bump_counter(conn, name)
        candidate = f"{prefix}{value:0{ID_WIDTH}d}"
        if taken_stmt(conn, {"v": candidate}).first() is None:
            return candidate


RAISE_COUNTER = Fast(
    sa.update(t.counters)
    .where(_CN.name == sa.bindparam("n"), _CN.value < sa.bindparam("v"))
    .values(value=sa.bindparam("v"))
)


def reserve_id(conn: sa.Connection, name: str, prefix: str, typed: str) -> None:
    """An imported id shaped like the product's own (``C000123``, any case) moves counter ``name``
    past its number, so the product never assigns it. Ids are compared as typed, but a rep may
    type ``c000123`` for ``C000123`` (:meth:`CustomerDirectory.by_id`), so case is ignored here.
    :func:`next_id` also skips any id already taken: the counter is what keeps that loop short
    after a 20,000-customer import."""
    m = re.fullmatch(rf"{re.escape(prefix)}(\d{{{ID_WIDTH},}})", typed.strip(), flags=re.IGNORECASE)
    if m is None:
        return
    number = int(m.group(1))
    if (
        RAISE_COUNTER(conn, {"n": name, "v": number}).rowcount == 0
        and COUNTER(conn, {"n": name}).first() is None
    ):
        INSERT_COUNTER(conn, {"name": name, "value": number})


def audit(a: Apply, action: str, entity: str = "", entity_id: str = "", **detail: Any) -> None:
    """An audit entry of this submission's rows; the recorder writes them all in one statement
    (a register re-drop updates dozens of customers: a statement each cost more than the update)."""
    a.audits.append({
        "at": a.now, "submission_id": a.submission_id, "action": action, "entity": entity,
        "entity_id": entity_id, "detail": to_json(detail),
    })  # fmt: skip


def _base(a: Apply, row: Row) -> dict[str, Any]:
    return {"submission_id": a.submission_id, "row_number": row.number, "rep_id": a.rep_id}


def _day_rows(a: Apply, table: sa.Table, date_field: str) -> int:
    day = as_date(a.sub.info_value(date_field))
    if day is None:  # validate makes this required; never store a dateless row
        raise ValueError(f"{a.spec.key} without {date_field}")
    columns = set(table.c.keys())
    rows = []
    for row in a.sub.rows:
        values, extra = convert(a.spec, row, columns)
        rows.append({**_base(a, row), **values, "date": day, "extra": to_json(extra)})
    DAY_INSERT[table.name].many(a.conn, rows)
    a.dirty.add((a.region, iso_week(day)))
    return len(rows)


def apply_visit_report(a: Apply) -> int:
    return _day_rows(a, t.visit_reports, "report_date")


def apply_visit_plan(a: Apply) -> int:
    return _day_rows(a, t.visit_plans, "plan_date")


def apply_market_report(a: Apply) -> int:
    return _day_rows(a, t.market_reports, "report_date")


def apply_weekly_report(a: Apply) -> int:
    week = as_text(a.sub.info_value("week")) or ""
    a.conn.execute(
        sa.insert(t.weekly_reports).values(
            submission_id=a.submission_id,
            region=a.region,
            week=week,
            supervisor=as_text(a.sub.info_value("supervisor")),
            competitor_dynamics=as_text(a.sub.info_value("competitor_dynamics")),
            abnormal_customers=as_text(a.sub.info_value("abnormal_customers")),
            issues_measures=as_text(a.sub.info_value("issues_measures")),
        )
    )
    columns = set(t.weekly_targets.c.keys())
    rows = []
    for row in a.sub.rows:
        values, extra = convert(a.spec, row, columns)
        rows.append(
            {"submission_id": a.submission_id, "row_number": row.number, "region": a.region, "week": week}
            | values
            | {"rep_id": values.get("rep_id") or "", "extra": to_json(extra)}
        )
    if rows:
        a.conn.execute(sa.insert(t.weekly_targets), rows)
    a.dirty.add((a.region, week))
    return len(rows)


# ----- targets ---------------------------------------------------------------------------------
def apply_targets(a: Apply) -> int:
    c = t.targets.c
    columns = set(t.targets.c.keys())
    for row in a.sub.rows:
        values, _extra = convert(a.spec, row, columns)
        key = {
            "period": values.get("period") or "",
            "level": values.get("level") or "",
            "owner": values.get("owner") or "",
            "product": values.get("product") or "",
        }
        data = {k: values.get(k) for k in ("sales", "gross_margin", "new_customers", "collections", "visits")}
        where = sa.and_(*(c[k] == v for k, v in key.items()))
        res = a.conn.execute(
            sa.update(t.targets).where(where).values(**data, submission_id=a.submission_id, updated_at=a.now)
        )
        if res.rowcount == 0:
            a.conn.execute(
                sa.insert(t.targets).values(**key, **data, submission_id=a.submission_id, updated_at=a.now)
            )
        audit(a, "target.set", "target", "|".join(key.values()), **data)
    week = iso_week(a.received_at.date())
    for region in a.config.regions:
        a.dirty.add((region.id, week))
    return len(a.sub.rows)
