"""The one catalog of problems a user can cause (STYLE 3).

Each code is stable; it names a message template and a how-to-fix hint in zh and en. Feedback
workbooks, ``salesflow check`` and the README's list of problems are all generated from here.

OWNER: the validate work fills in the texts; intake only creates :class:`automation.model.Issue`
objects with these codes.
"""

from __future__ import annotations

# code -> default severity. File-level codes reject the whole file.
FILE_CODES = {
    "file-empty": "error",
    "file-corrupt": "error",
    "not-a-spreadsheet": "error",
    "password-protected": "error",
    "unknown-form": "error",
    "file-too-large": "error",
    "unsafe-content": "error",
    "csv-encoding": "error",
    "too-many-rows": "error",
    "missing-column": "error",
}
CELL_CODES = {
    "missing-info": "error",
    "required": "error",
    "invalid-int": "error",
    "invalid-money": "error",
    "negative-money": "error",
    "invalid-date": "error",
    "invalid-bool": "error",
    "invalid-choice": "error",
    "invalid-week": "error",
    "invalid-period": "error",
    "unknown-rep": "error",
    "unknown-region": "error",
    "unknown-customer": "error",
    "unknown-customer-id": "error",
    "unknown-complaint-id": "error",
    "invalid-credit-code": "error",
    "invalid-phone": "error",
    "invalid-email": "error",
    "date-in-future": "error",
    "date-too-old": "error",
    "quote-amount-required": "error",
    "order-without-deal": "error",
    "margin-exceeds-order": "error",
    "next-visit-not-after-report": "error",
    "resolved-date-required": "error",
    "resolved-before-received": "error",
    "invalid-target-owner": "error",
    "duplicate-row": "warning",
    "formula-text": "warning",
    "no-rows": "warning",
}
PERMISSION_CODES = {
    "wrong-folder": "error",
    "not-region-supervisor": "error",
    "targets-not-from-hq": "error",
}
LEDGER_CODES = {
    "duplicate-submission": "note",
    "superseded": "note",
    "owner-conflict": "warning",
}
SEVERITY: dict[str, str] = {**FILE_CODES, **CELL_CODES, **PERMISSION_CODES, **LEDGER_CODES}
