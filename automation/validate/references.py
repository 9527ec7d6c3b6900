"""References to things outside the form: customers in the register, customer and complaint ids,
and the owner of a target row (a rep id at level rep, a region at level region).

Reps and regions typed in the form are checked with the field rules (:mod:`.fields`). A customer
typed by name is resolved through :meth:`CustomerDirectory.find`; its id goes into
``cell.resolved``. When the directory is not authoritative (``ctx.strict_references`` False: no
ledger yet) a miss is a warning that says it could not be checked, so a first run is not all red.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from automation.core.formspec import fold
from automation.core.model import Cell, CustomerRef, Row
from automation.validate.fields import find_region, find_rep
from automation.validate.permissions import HQ_FOLDER

if TYPE_CHECKING:
    from automation.core.formspec import FormSpec
    from automation.core.model import Submission
    from automation.validate.base import Emitter, ValidationContext

MAX_LISTED = 8


def _text(cell: Cell | None) -> str:
    if cell is None or cell.issue or cell.value is None:
        return ""
    return str(cell.value).strip()


def _miss(ctx: ValidationContext) -> dict[str, str]:
    """Severity and variant of a reference not found, by how much the directory can be trusted."""
    return {} if ctx.strict_references else {"severity": "warning", "variant": "unverified"}


def check_customers(sub: Submission, spec: FormSpec, ctx: ValidationContext, out: Emitter) -> None:
    """Every customer cell names exactly one customer of the register."""
    keys = [f.key for f in spec.fields if f.type == "customer"]
    for row in sub.rows:
        for key in keys:
            cell = row.cells.get(key)
            text = _text(cell)
            if not text:
                continue
            hits = ctx.customers.find(text)
            if len(hits) == 1:
                assert cell is not None
                cell.resolved = hits[0].customer_id
            elif not hits:
                miss = _miss(ctx)
                out.cell(
                    "unknown-customer",
                    cell,
                    key,
                    row=row.number,
                    severity=miss.get("severity"),
                    variant=miss.get("variant"),
                )
            else:
                ids = sorted(h.customer_id for h in hits)
                shown = ids[:MAX_LISTED] + (["…"] if len(ids) > MAX_LISTED else [])
                out.cell(
                    "unknown-customer",
                    cell,
                    key,
                    row=row.number,
                    variant="ambiguous",
                    count=len(ids),
                    ids=shown,
                    expected=ids[0],
                )


def onboarding(sub: Submission, ctx: ValidationContext) -> bool:
    """Whether this register may bring customers under the company's own ids (SPEC §2.1): it was
    dropped in ``hq/`` (HQ loads or corrects the customer master at any time), or received before
    the go-live date of the rep it names (each rep's existing list, dropped before they start).

    After go-live an unknown id in a rep's own register stays an error: a typo must not create a
    phantom customer under a code nobody uses."""
    if fold(sub.folder or "") == HQ_FOLDER:
        return True
    rep = ctx.config.rep(str(sub.info_value("rep_id") or "").strip()) or ctx.config.rep(sub.folder)
    received = ctx.received_at or sub.received_at or ctx.now
    return rep is not None and received is not None and received.date() < rep.go_live


def _same_customer(found: CustomerRef, row: Row) -> bool:
    """Whether a register row describes ``found`` (its credit code, else its name or its phone)."""
    code = str(row.value("credit_code") or "").strip().upper()
    if code and found.credit_code:
        return code == found.credit_code.upper()
    name = str(row.value("name") or "")
    phone = phone_digits(row.value("phone"))
    return bool(name and fold(name) == fold(found.name)) or bool(phone and phone == phone_digits(found.phone))


def phone_digits(value: object) -> str:
    """A phone as its digits, as the ledger matches phones (``ledger.values.phone_key``)."""
    return re.sub(r"\D", "", str(value or ""))


def check_register_ids(sub: Submission, spec: FormSpec, ctx: ValidationContext, out: Emitter) -> None:
    """A register row with a customer id updates that customer, so the id must exist — except in
    an onboarding register (:func:`onboarding`), where an unknown id is the company's own code for
    a customer the ledger does not know yet: the recorder creates it under exactly that id. There,
    an id the product assigned to *another* customer is refused (``customer-id-taken``): taking it
    over would silently overwrite that customer."""
    loading = onboarding(sub, ctx) if sub.rows else False
    for row in sub.rows:
        cell = row.cells.get("customer_id")
        text = _text(cell)
        if not text:
            continue
        found = ctx.customers.by_id(text)
        if found is not None and loading and found.assigned and not _same_customer(found, row):
            out.cell(
                "customer-id-taken",
                cell,
                "customer_id",
                row=row.number,
                expected=f"{found.name} ({found.customer_id})",
            )
            continue
        if found is None and loading:
            continue  # a new customer under the company's own code
        if found is None:
            miss = _miss(ctx)
            out.cell(
                "unknown-customer-id",
                cell,
                "customer_id",
                row=row.number,
                severity=miss.get("severity"),
                variant=miss.get("variant"),
            )
        elif cell is not None:
            cell.resolved = found.customer_id


def check_complaint_ids(sub: Submission, spec: FormSpec, ctx: ValidationContext, out: Emitter) -> None:
    """A complaint row with an id updates that complaint, so the id must exist."""
    for row in sub.rows:
        cell = row.cells.get("complaint_id")
        text = _text(cell)
        if not text:
            continue
        known = ctx.customers.complaint_id(text)
        if known is not None:
            if cell is not None and known != text:
                cell.resolved = known
        else:
            miss = _miss(ctx)
            out.cell(
                "unknown-complaint-id",
                cell,
                "complaint_id",
                row=row.number,
                severity=miss.get("severity"),
                variant=miss.get("variant"),
            )


def check_target_owners(sub: Submission, spec: FormSpec, ctx: ValidationContext, out: Emitter) -> None:
    """A rep-level target belongs to a rep id, a region-level one to a region; company needs none."""
    cfg = ctx.config
    level_field = spec.field("level")
    for row in sub.rows:
        level = row.value("level")
        level_cell = row.cells.get("level")
        if level not in ("rep", "region") or (level_cell is not None and level_cell.issue):
            continue
        cell = row.cells.get("owner")
        text = _text(cell)
        resolved = find_rep(cfg, text) if level == "rep" else find_region(cfg, text)
        if text and resolved is not None:
            assert cell is not None
            cell.resolved = resolved
            continue
        choice = level_field.choice_for(level)
        if level == "rep":
            allowed = [r.id for r in cfg.reps]
            allowed_l: dict[str, list[str]] = {"zh": allowed, "en": allowed}
        else:
            allowed_l = {"zh": [r.zh for r in cfg.regions], "en": [r.en for r in cfg.regions]}
        for lang in allowed_l:
            if len(allowed_l[lang]) > MAX_LISTED:
                allowed_l[lang] = [*allowed_l[lang][:MAX_LISTED], "…"]
        if cell is None and "owner" in sub.columns:
            cell = Cell(raw=None, value=None, sheet=sub.sheet, row=row.number, col=sub.columns["owner"])
        out.cell(
            "invalid-target-owner",
            cell,
            "owner",
            row=row.number,
            expected={"zh": choice.zh, "en": choice.en} if choice else level,
            allowed=allowed_l,
        )


def check_weekly_reps(sub: Submission, spec: FormSpec, ctx: ValidationContext, out: Emitter) -> None:
    """A weekly report lists the region's own reps: another region's rep would get this region's targets."""
    region_cell = sub.info.get("region")
    region = ctx.config.region(str(sub.info_value("region") or ""))
    if region is None or (region_cell is not None and region_cell.issue):
        return
    for row in sub.rows:
        cell = row.cells.get("rep_id")
        rep = ctx.config.rep(str(row.value("rep_id") or ""))
        if cell is not None and rep is not None and rep.region != region.id:
            out.cell(
                "unknown-rep",
                cell,
                "rep_id",
                row=row.number,
                variant="other-region",
                expected={"zh": region.zh, "en": region.en},
            )


def check(sub: Submission, spec: FormSpec, ctx: ValidationContext, out: Emitter) -> None:
    check_customers(sub, spec, ctx, out)
    if spec.key == "customer_register":
        check_register_ids(sub, spec, ctx, out)
    elif spec.key == "complaint":
        check_complaint_ids(sub, spec, ctx, out)
    elif spec.key == "targets":
        check_target_owners(sub, spec, ctx, out)
    elif spec.key == "weekly_report":
        check_weekly_reps(sub, spec, ctx, out)
