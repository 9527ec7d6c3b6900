"""Register and complaint drops: *state* with ids, matched row by row (SPEC §2.1, §2.5).

See :mod:`automation.ledger.writers` for the rules; kept apart because matching, ownership
conflicts, stage history and id assignment make these the two longest writers.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from automation.core.texts.notes import NOTES
from automation.ledger import schema as t
from automation.ledger.fast import Fast
from automation.ledger.values import iso_week, name_key, phone_key, say, to_json
from automation.ledger.writers import (
    COMPLAINT_PREFIX,
    CUSTOMER_PREFIX,
    Apply,
    audit,
    convert,
    next_id,
    reserve_id,
)

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
_C = t.customers.c
_KNOWN = sa.select(t.customers)
# built once, with an expanding list: a statement built per call cost more than its query
_KEYS: sa.BindParameter[Any] = sa.bindparam("keys", expanding=True)
_KNOWN_IDS = _KNOWN.where(_C.customer_id.in_(_KEYS))
_IDS_BY_CODE = sa.select(_C.customer_id).where(sa.func.upper(_C.credit_code).in_(_KEYS))
_IDS_BY_NAME = sa.select(_C.customer_id).where(_C.name_key.in_(_KEYS))
# Statements built once (see automation.ledger.fast): a register re-drop writes dozens of rows.
CUSTOMER_BY_ID = Fast(_KNOWN.where(_C.customer_id == sa.bindparam("cid")))
INSERT_CUSTOMER = Fast(sa.insert(t.customers))
UPDATE_CUSTOMER = Fast(sa.update(t.customers).where(_C.customer_id == sa.bindparam("cid")))
INSERT_CUSTOMER_HISTORY = Fast(sa.insert(t.customer_history))
INSERT_CONFLICT = Fast(sa.insert(t.conflicts))
_K = t.complaints.c
COMPLAINT_BY_ID = Fast(sa.select(_K.complaint_id).where(_K.complaint_id == sa.bindparam("kid")))
COMPLAINT_OF_CUSTOMER = Fast(
    sa.select(_K.complaint_id)
    .where(_K.customer_id == sa.bindparam("who"), _K.received == sa.bindparam("received"))
    .order_by(_K.complaint_id)
)
COMPLAINT_OF_TEXT = Fast(
    sa.select(_K.complaint_id)
    .where(_K.customer_text == sa.bindparam("who"), _K.received == sa.bindparam("received"))
    .order_by(_K.complaint_id)
)
INSERT_COMPLAINT = Fast(sa.insert(t.complaints))
UPDATE_COMPLAINT = Fast(sa.update(t.complaints).where(_K.complaint_id == sa.bindparam("kid")))
INSERT_COMPLAINT_HISTORY = Fast(sa.insert(t.complaint_history))


def _midnight(d: date | None, fallback: datetime) -> datetime:
    return datetime.combine(d, time()) if d else fallback


def _candidates(a: Apply, converted: list[tuple[Any, dict[str, Any], dict[str, Any]]]) -> list[Any]:
    """The known customers any row of this register could match (SPEC §2.1: its id, its credit
    code, or its name and phone), through indexes: a 20,000-customer ledger is not read whole
    for a 30-row register."""
    ids: set[str] = set()
    codes: set[str] = set()
    names: set[str] = set()
    for _, values, _ in converted:
        if values.get("customer_id"):
            ids.add(values["customer_id"])
        if values.get("credit_code"):
            codes.add(values["credit_code"].upper())
        if name_key(values.get("name")):
            names.add(name_key(values.get("name")))
    # A re-dropped register matches the same customers by id, code and name: ask the latter two
    # for ids only, and read each customer's whole row once.
    matched = set(ids)
    for query, keys in ((_IDS_BY_CODE, codes), (_IDS_BY_NAME, names)):
        for part in _chunks(sorted(keys)):
            matched.update(r[0] for r in a.conn.execute(query, {"keys": part}))
    found: dict[str, Any] = {}
    for part in _chunks(sorted(matched)):
        for k in a.conn.execute(_KNOWN_IDS, {"keys": part}):
            found[k.customer_id] = SimpleNamespace(**k._mapping)
    return sorted(found.values(), key=lambda k: (k.first_submission_id, k.customer_id))


def _chunks(keys: list[str], size: int = 500) -> list[list[str]]:
    """Bound an IN list (SQLite allows a limited number of parameters per statement)."""
    return [keys[i : i + size] for i in range(0, len(keys), size)]


def apply_customer_register(a: Apply) -> int:
    columns = set(t.customers.c.keys())
    converted = [(row, *convert(a.spec, row, columns)) for row in a.sub.rows]  # once: it is half the work
    known = _candidates(a, converted)
    by_id = {k.customer_id: k for k in known}
    by_code = {k.credit_code.upper(): k.customer_id for k in known if k.credit_code}
    by_name_phone = {(k.name_key, k.phone_key): k.customer_id for k in known}
    week = iso_week(a.received_at.date())
    a.dirty.add((a.region, week))
    imported = 0
    for row, values, extra in converted:
        typed_id = values.pop("customer_id", None)
        code = (values.get("credit_code") or "").upper() or None
        keys = (name_key(values.get("name")), phone_key(values.get("phone")))
        match = typed_id if typed_id in by_id else None
        if match is None and code:
            match = by_code.get(code)
        if match is None and keys[0]:
            match = by_name_phone.get(keys)
        if match is None:
            # A typed id nobody knows: the company's own code, which validation let through only
            # for an onboarding register (before the rep's go-live, or from hq/). It is kept exactly,
            # and the product's own ids step past it (see ``writers.reserve_id``).
            if typed_id:
                reserve_id(a.conn, "customer", CUSTOMER_PREFIX, typed_id)
                imported += 1
            new_id = typed_id or next_id(a.conn, "customer", CUSTOMER_PREFIX, t.customers, "customer_id")
            record = {k: v for k, v in values.items() if k in _REGISTER_FIELDS}
            stage = record.get("stage") or "unqualified"
            record["stage"] = stage
            INSERT_CUSTOMER(
                a.conn,
                {
                    "customer_id": new_id,
                    "owner": a.rep_id,
                    "name_key": keys[0],
                    "phone_key": keys[1],
                    "extra": to_json(extra),
                    "first_submission_id": a.submission_id,
                    "last_submission_id": a.submission_id,
                    "updated_at": a.now,
                    "id_assigned": not typed_id,
                    **record,
                },
            )
            INSERT_CUSTOMER_HISTORY(
                a.conn,
                {
                    "customer_id": new_id,
                    "submission_id": a.submission_id,
                    "stage_from": None,
                    "stage": stage,
                    "changed_at": _midnight(record.get("created"), a.received_at),
                },
            )
            made = CUSTOMER_BY_ID(a.conn, {"cid": new_id}).first()
            by_id[new_id] = SimpleNamespace(**made._mapping)
            a.directory_changed = True
            if code:
                by_code[code] = new_id
            by_name_phone[keys] = new_id
            if not typed_id:
                a.assigned.append(
                    {"kind": "customer", "id": new_id, "name": values.get("name"), "row": row.number}
                )
                a.messages.append(
                    NOTES["new-customer-id"].format(row=row.number, name=values.get("name"), id=new_id)
                )
            audit(
                a,
                "customer.created",
                "customer",
                new_id,
                row=row.number,
                stage=stage,
                imported=bool(typed_id),
            )
            if record.get("region"):
                a.dirty.add((record["region"], week))
            continue
        current = by_id[match]
        if current.owner != a.rep_id:
            INSERT_CONFLICT(
                a.conn,
                {
                    "customer_id": match,
                    "owner": current.owner,
                    "claimed_by": a.rep_id,
                    "submission_id": a.submission_id,
                    "row_number": row.number,
                    "data": to_json(values | {"extra": extra}),
                    "created_at": a.now,
                },
            )
            a.warnings.append(
                {"code": "owner-conflict", "row": row.number, "customer_id": match, "owner": current.owner}
            )
            a.messages.append(
                NOTES["row"].format(row=row.number)
                + say("owner-conflict", value=f"{current.name} ({match})", expected=current.owner)
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
            update["extra"] = to_json(json.loads(current.extra or "{}") | extra)
        # Only what differs is written: a rep sends the whole register again to change one row,
        # and an unchanged customer keeps its last change (last_submission_id, updated_at).
        changed = {k: v for k, v in update.items() if getattr(current, k) != v}
        if not changed:
            continue
        UPDATE_CUSTOMER(
            a.conn, {**changed, "last_submission_id": a.submission_id, "updated_at": a.now, "cid": match}
        )
        a.directory_changed = True
        new_stage = changed.get("stage")
        if new_stage:
            INSERT_CUSTOMER_HISTORY(
                a.conn,
                {
                    "customer_id": match,
                    "submission_id": a.submission_id,
                    "stage_from": current.stage,
                    "stage": new_stage,
                    "changed_at": a.received_at,
                },
            )
            audit(a, "customer.stage", "customer", match, stage_from=current.stage, stage=new_stage)
        audit(a, "customer.updated", "customer", match, row=row.number, fields=sorted(changed))
        now_known = SimpleNamespace(**(vars(current) | changed))
        by_id[match] = now_known
        if now_known.credit_code:
            by_code[now_known.credit_code.upper()] = match
        by_name_phone[(now_known.name_key, now_known.phone_key)] = match
    if imported:
        a.messages.append(NOTES["imported-ids"].format(n=imported))
    return len(a.sub.rows)  # directory_changed only when a customer was written: validation sees it


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
            if COMPLAINT_BY_ID(a.conn, {"kid": typed_id}).first():
                match = typed_id
        else:
            by_id = bool(values.get("customer_id"))
            query = COMPLAINT_OF_CUSTOMER if by_id else COMPLAINT_OF_TEXT
            who = values["customer_id"] if by_id else values.get("customer_text")
            # "= NULL" matches nothing, as the Core expression "== None" did not: say IS NULL then
            hit = (
                query(a.conn, {"who": who, "received": received}).first()
                if who is not None
                else a.conn.execute(
                    sa.select(c.complaint_id)
                    .where(c.customer_text.is_(None), c.received == received)
                    .order_by(c.complaint_id)
                ).first()
            )
            match = hit.complaint_id if hit else None
        record = {k: v for k, v in values.items() if k in columns}
        if match is None:
            new_id = typed_id or next_id(a.conn, "complaint", COMPLAINT_PREFIX, t.complaints, "complaint_id")
            INSERT_COMPLAINT(
                a.conn,
                {
                    "complaint_id": new_id,
                    "rep_id": a.rep_id,
                    "extra": to_json(extra),
                    "first_submission_id": a.submission_id,
                    "last_submission_id": a.submission_id,
                    "updated_at": a.now,
                    **record,
                },
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
                a.messages.append(NOTES["new-complaint-id"].format(row=row.number, id=new_id))
            audit(a, "complaint.created", "complaint", new_id, row=row.number, status=values.get("status"))
            cid = new_id
        else:
            update = {k: v for k, v in record.items() if v is not None}
            UPDATE_COMPLAINT(
                a.conn, {**update, "last_submission_id": a.submission_id, "updated_at": a.now, "kid": match}
            )
            audit(a, "complaint.updated", "complaint", match, row=row.number, status=values.get("status"))
            cid = match
        INSERT_COMPLAINT_HISTORY(
            a.conn,
            {
                "complaint_id": cid,
                "submission_id": a.submission_id,
                "status": values.get("status"),
                "data": to_json(values | {"extra": extra}),
                "changed_at": a.received_at,
            },
        )
        a.dirty.add((a.region, iso_week(received)))
    a.directory_changed = True
    return len(a.sub.rows)
