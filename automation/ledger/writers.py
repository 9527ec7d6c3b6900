"""How each form's rows land in the ledger, inside the caller's transaction.

Day forms (plans, reports, market reports) and weekly reports are *versions*: their rows are
inserted under the submission, and superseding is a matter of the submission's status. The
register, complaints and targets are *state*: a drop updates what is there (SPEC §2.1, §2.5, §2.7):

- register: a row matches a known customer by id, else credit code, else normalised name + phone.
  A match owned by the same rep is updated (non-blank cells overwrite, blank cells keep what is
  known: a rep's partial register must not wipe data); a stage change is dated by the drop's
  received time. A match owned by another rep is not touched: the row is kept in ``conflicts``
  and the rep is warned (``owner-conflict``). No match: a new customer, with the id the rep typed
  (an imported register keeps its ids) or a product-assigned one (``C000123``).
- complaints: by id; a blank id updates the complaint with the same customer and received date,
  else it is new (``K000045``). Every version is kept in ``complaint_history``.
- targets: HQ's row replaces the one with the same (period, level, owner, product).

New ids are reported back (``assigned``, ``messages``) so the rep can write them into the form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa

from automation.config import Config
from automation.formspec import FormSpec
from automation.ledger import schema as t
from automation.ledger.values import (
    as_bool,
    as_date,
    as_int,
    as_text,
    cents,
    iso_week,
    name_key,
    phone_key,
    to_json,
)
from automation.model import Row, Submission

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


def next_id(conn: sa.Connection, name: str, prefix: str, table: sa.Table, id_col: str) -> str:
    """The next product-assigned id (``C000123``), skipping any an imported register already uses."""
    c = t.counters.c
    while True:
        res = conn.execute(sa.update(t.counters).where(c.name == name).values(value=c.value + 1))
        if res.rowcount == 0:
            conn.execute(sa.insert(t.counters).values(name=name, value=1))
        value = conn.execute(sa.select(c.value).where(c.name == name)).scalar_one()
        candidate = f"{prefix}{value:0{ID_WIDTH}d}"
        taken = conn.execute(sa.select(table.c[id_col]).where(table.c[id_col] == candidate)).first()
        if taken is None:
            return candidate


def audit(a: Apply, action: str, entity: str = "", entity_id: str = "", **detail: Any) -> None:
    a.conn.execute(
        sa.insert(t.audit_log).values(
            at=a.now,
            submission_id=a.submission_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=to_json(detail),
        )
    )


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
    if rows:
        a.conn.execute(sa.insert(table), rows)
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


# ----- register --------------------------------------------------------------------------------
_NOT_FROM_FORM = {
    "customer_id",
    "owner",
    "name_key",
    "phone_key",
    "extra",
    "first_submission_id",
    "last_submission_id",
    "updated_at",
}
_REGISTER_FIELDS = [col.key for col in t.customers.c if col.key not in _NOT_FROM_FORM]


def _midnight(d: date | None, fallback: datetime) -> datetime:
    return datetime.combine(d, time()) if d else fallback


def apply_customer_register(a: Apply) -> int:
    c = t.customers.c
    known = a.conn.execute(
        sa.select(c.customer_id, c.owner, c.credit_code, c.name_key, c.phone_key, c.stage, c.name)
    ).all()
    by_id = {k.customer_id: k for k in known}
    by_code = {k.credit_code.upper(): k.customer_id for k in known if k.credit_code}
    by_name_phone = {(k.name_key, k.phone_key): k.customer_id for k in known}
    columns = set(t.customers.c.keys())
    week = iso_week(a.received_at.date())
    a.dirty.add((a.region, week))
    for row in a.sub.rows:
        values, extra = convert(a.spec, row, columns)
        typed_id = values.pop("customer_id", None)
        code = (values.get("credit_code") or "").upper() or None
        keys = (name_key(values.get("name")), phone_key(values.get("phone")))
        match = typed_id if typed_id in by_id else None
        if match is None and code:
            match = by_code.get(code)
        if match is None and keys[0]:
            match = by_name_phone.get(keys)
        if match is None:
            new_id = typed_id or next_id(a.conn, "customer", CUSTOMER_PREFIX, t.customers, "customer_id")
            record = {k: v for k, v in values.items() if k in _REGISTER_FIELDS}
            stage = record.get("stage") or "unqualified"
            record["stage"] = stage
            a.conn.execute(
                sa.insert(t.customers).values(
                    customer_id=new_id,
                    owner=a.rep_id,
                    name_key=keys[0],
                    phone_key=keys[1],
                    extra=to_json(extra),
                    first_submission_id=a.submission_id,
                    last_submission_id=a.submission_id,
                    updated_at=a.now,
                    **record,
                )
            )
            a.conn.execute(
                sa.insert(t.customer_history).values(
                    customer_id=new_id,
                    submission_id=a.submission_id,
                    stage_from=None,
                    stage=stage,
                    changed_at=_midnight(record.get("created"), a.received_at),
                )
            )
            row_obj = sa.select(
                c.customer_id, c.owner, c.credit_code, c.name_key, c.phone_key, c.stage, c.name
            )
            k = a.conn.execute(row_obj.where(c.customer_id == new_id)).one()
            by_id[new_id] = k
            if code:
                by_code[code] = new_id
            by_name_phone[keys] = new_id
            if not typed_id:
                a.assigned.append(
                    {"kind": "customer", "id": new_id, "name": values.get("name"), "row": row.number}
                )
                a.messages.append(
                    f"第{row.number}行 新客户「{values.get('name')}」编号 {new_id}，请填入客户编号栏 / "
                    f"row {row.number}: new customer '{values.get('name')}' got id {new_id}; put it in the Customer ID column"
                )
            audit(a, "customer.created", "customer", new_id, row=row.number, stage=stage)
            if record.get("region"):
                a.dirty.add((record["region"], week))
            continue
        current = by_id[match]
        if current.owner != a.rep_id:
            a.conn.execute(
                sa.insert(t.conflicts).values(
                    customer_id=match,
                    owner=current.owner,
                    claimed_by=a.rep_id,
                    submission_id=a.submission_id,
                    row_number=row.number,
                    data=to_json(values | {"extra": extra}),
                    created_at=a.now,
                )
            )
            a.warnings.append(
                {"code": "owner-conflict", "row": row.number, "customer_id": match, "owner": current.owner}
            )
            a.messages.append(
                f"第{row.number}行 客户「{current.name}」({match}) 属于 {current.owner}，未更改，已交经理处理 / "
                f"row {row.number}: customer '{current.name}' ({match}) belongs to {current.owner}; not changed, "
                "passed to the manager as a conflict"
            )
            audit(
                a,
                "customer.conflict",
                "customer",
                match,
                row=row.number,
                owner=current.owner,
                claimed_by=a.rep_id,
            )
            continue
        update = {k: v for k, v in values.items() if k in _REGISTER_FIELDS and v is not None}
        update.update(name_key=keys[0] if values.get("name") else current.name_key)
        if values.get("phone"):
            update["phone_key"] = keys[1]
        if extra:
            old = a.conn.execute(sa.select(c.extra).where(c.customer_id == match)).scalar_one()
            update["extra"] = to_json(json.loads(old or "{}") | extra)
        a.conn.execute(
            sa.update(t.customers)
            .where(c.customer_id == match)
            .values(**update, last_submission_id=a.submission_id, updated_at=a.now)
        )
        new_stage = update.get("stage")
        if new_stage and new_stage != current.stage:
            a.conn.execute(
                sa.insert(t.customer_history).values(
                    customer_id=match,
                    submission_id=a.submission_id,
                    stage_from=current.stage,
                    stage=new_stage,
                    changed_at=a.received_at,
                )
            )
            audit(a, "customer.stage", "customer", match, stage_from=current.stage, stage=new_stage)
        audit(a, "customer.updated", "customer", match, row=row.number, fields=sorted(update))
        k = a.conn.execute(
            sa.select(c.customer_id, c.owner, c.credit_code, c.name_key, c.phone_key, c.stage, c.name).where(
                c.customer_id == match
            )
        ).one()
        by_id[match] = k
        if k.credit_code:
            by_code[k.credit_code.upper()] = match
        by_name_phone[(k.name_key, k.phone_key)] = match
    a.directory_changed = True
    return len(a.sub.rows)


# ----- complaints ------------------------------------------------------------------------------
def apply_complaint(a: Apply) -> int:
    c = t.complaints.c
    columns = set(t.complaints.c.keys())
    a.dirty.add((a.region, iso_week(a.received_at.date())))
    for row in a.sub.rows:
        values, extra = convert(a.spec, row, columns)
        typed_id = values.pop("complaint_id", None)
        received = values.get("received")
        if received is None:
            raise ValueError("complaint row without received date")
        match = None
        if typed_id:
            if a.conn.execute(sa.select(c.complaint_id).where(c.complaint_id == typed_id)).first():
                match = typed_id
        else:
            who = (
                c.customer_id == values["customer_id"]
                if values.get("customer_id")
                else c.customer_text == values.get("customer_text")
            )
            hit = a.conn.execute(
                sa.select(c.complaint_id).where(who, c.received == received).order_by(c.complaint_id)
            ).first()
            match = hit.complaint_id if hit else None
        record = {k: v for k, v in values.items() if k in columns}
        if match is None:
            new_id = typed_id or next_id(a.conn, "complaint", COMPLAINT_PREFIX, t.complaints, "complaint_id")
            a.conn.execute(
                sa.insert(t.complaints).values(
                    complaint_id=new_id,
                    rep_id=a.rep_id,
                    extra=to_json(extra),
                    first_submission_id=a.submission_id,
                    last_submission_id=a.submission_id,
                    updated_at=a.now,
                    **record,
                )
            )
            if not typed_id:
                a.assigned.append(
                    {
                        "kind": "complaint",
                        "id": new_id,
                        "customer": values.get("customer_text"),
                        "row": row.number,
                    }
                )
                a.messages.append(
                    f"第{row.number}行 新投诉编号 {new_id}，请填入投诉编号栏 / row {row.number}: new complaint got id "
                    f"{new_id}; put it in the Complaint ID column"
                )
            audit(a, "complaint.created", "complaint", new_id, row=row.number, status=values.get("status"))
            cid = new_id
        else:
            update = {k: v for k, v in record.items() if v is not None}
            a.conn.execute(
                sa.update(t.complaints)
                .where(c.complaint_id == match)
                .values(**update, last_submission_id=a.submission_id, updated_at=a.now)
            )
            audit(a, "complaint.updated", "complaint", match, row=row.number, status=values.get("status"))
            cid = match
        a.conn.execute(
            sa.insert(t.complaint_history).values(
                complaint_id=cid,
                submission_id=a.submission_id,
                status=values.get("status"),
                data=to_json(values | {"extra": extra}),
                changed_at=a.received_at,
            )
        )
        a.dirty.add((a.region, iso_week(received)))
    a.directory_changed = True
    return len(a.sub.rows)


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


APPLY = {
    "visit_report": apply_visit_report,
    "visit_plan": apply_visit_plan,
    "market_report": apply_market_report,
    "weekly_report": apply_weekly_report,
    "customer_register": apply_customer_register,
    "complaint": apply_complaint,
    "targets": apply_targets,
}
