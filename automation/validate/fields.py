"""Per-value rules of SPEC §2: required values, money >= 0, credit code, phone, email, choices,
reps and regions, and text that looks like a formula.

Cells intake could not normalise already carry ``cell.issue``; those are reported once (by
:func:`automation.validate.validate` merging intake's issues) and not checked again here.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from automation.core.formspec import fold
from automation.core.model import Cell
from automation.core.texts.base import LANGS
from automation.core.texts.checks import CREDIT_CODE, EXAMPLE, EXAMPLE_BOOL

if TYPE_CHECKING:
    from automation.core.config import Config
    from automation.core.formspec import FieldSpec, FormSpec
    from automation.core.model import Submission
    from automation.validate.base import Emitter, ValidationContext

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z); the last is a check character.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Mainland mobile: 11 digits starting 1[3-9]; optional +86 / 86 prefix.
MOBILE = re.compile(r"(?:\+?86)?1[3-9]\d{9}")
# Landline: area code 0 + 2-3 digits, 7-8 digit number, optional extension (转 / ext / x / -).
LANDLINE = re.compile(
    r"(?:\+?86)?(?:\(0\d{2,3}\)|0\d{2,3})-?[1-9]\d{6,7}(?:(?:-|转|ext\.?|x|#)\d{1,6})?", re.IGNORECASE
)
EMAIL = re.compile(
    r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)


def credit_code_problem(code: str) -> dict[str, str] | None:
    """Why ``code`` is not a valid unified social credit code, in both languages, or None if it is."""
    code = code.strip().upper()
    if len(code) != 18:
        return {lang: CREDIT_CODE["length"][lang].format(n=len(code)) for lang in LANGS}
    bad = sorted({ch for ch in code if ch not in CREDIT_ALPHABET})
    if bad:
        chars = " ".join(bad)
        return {lang: CREDIT_CODE["characters"][lang].format(chars=chars) for lang in LANGS}
    total = sum(CREDIT_ALPHABET.index(ch) * w for ch, w in zip(code[:17], CREDIT_WEIGHTS, strict=True))
    check = CREDIT_ALPHABET[(31 - total % 31) % 31]
    if code[17] != check:
        return {lang: CREDIT_CODE["check"][lang] for lang in LANGS}
    return None


def valid_phone(text: str) -> bool:
    """Mainland mobile or landline with area code; spaces, dots and full-width characters ignored,
    and dashes too when they only group the digits (``139-1234-5678``, ``0512-8363-1070``): reps
    copy numbers from business cards as they are printed. A dash before a short tail of a
    landline is an extension (``021-62345678-801``), which the first match takes."""
    compact = re.sub(r"[\s.·]", "", fold(text) if text else "")
    compact = compact.replace("（", "(").replace("）", ")")
    if MOBILE.fullmatch(compact) or LANDLINE.fullmatch(compact):
        return True
    if MOBILE.fullmatch(compact.replace("-", "")):
        return True
    area, dash, rest = compact.partition("-")  # the first dash ends the area code; later ones group
    return bool(dash and "-" in rest and LANDLINE.fullmatch(f"{area}-{rest.replace('-', '')}"))


def valid_email(text: str) -> bool:
    return bool(EMAIL.fullmatch(text.strip()))


def example(spec_field: FieldSpec, ctx: ValidationContext) -> dict[str, str]:
    """A ', e.g. ...' tail for a required-value hint, so the rep sees what a good value looks like."""
    day = ctx.received.date()
    samples: dict[str, Any] = {
        "date": day.isoformat(),
        "money": "12500",
        "int": "3",
        "bool": EXAMPLE_BOOL,
        "week": f"{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}",
        "period": f"{day.year}-{day.month:02d}",
        "rep": ctx.config.reps[0].id if ctx.config.reps else "",
    }
    sample = samples.get(spec_field.type)
    if spec_field.type in ("choice", "region") and spec_field.choices:
        sample = {"zh": spec_field.choices[0].zh, "en": spec_field.choices[0].en}
    if sample is None:
        help_zh, help_en = spec_field.help_zh, spec_field.help_en
        return {"zh": f"（{help_zh}）" if help_zh else "", "en": f" ({help_en})" if help_en else ""}
    if isinstance(sample, str):
        sample = {"zh": sample, "en": sample}
    return {lang: EXAMPLE[lang].format(sample=sample[lang]) for lang in LANGS}


def allowed_choices(spec_field: FieldSpec) -> dict[str, list[str]]:
    return {"zh": [c.zh for c in spec_field.choices], "en": [c.en for c in spec_field.choices]}


def find_rep(config: Config, text: str) -> str | None:
    """The configured rep id a typed id means (case and width ignored), or None."""
    from automation.intake import folded_rep_ids  # one map per config, not 200 folds per look-up

    return folded_rep_ids(config).get(fold(text))


def find_region(config: Config, text: str) -> str | None:
    """The region id a typed id or label (zh or en) means, or None."""
    folded = fold(text)
    for r in config.regions:
        if folded in (fold(r.id), fold(r.zh), fold(r.en)):
            return r.id
    return None


_CHOICE_KEYS: dict[int, tuple[FieldSpec, frozenset[str]]] = {}


def _choice_keys(spec_field: FieldSpec) -> frozenset[str]:
    """The choice keys of a field, computed once per field object (validate runs per form, many forms).

    The entry keeps the field alive, so its ``id`` cannot be reused by another field.
    """
    entry = _CHOICE_KEYS.get(id(spec_field))
    if entry is None or entry[0] is not spec_field:
        entry = _CHOICE_KEYS[id(spec_field)] = (spec_field, frozenset(c.key for c in spec_field.choices))
    return entry[1]


def _check_value(
    cell: Cell, spec_field: FieldSpec, ctx: ValidationContext, out: Emitter, row: int | None
) -> None:
    """Type- and rule-specific checks of one non-blank, normalised value."""
    value = cell.value
    if isinstance(cell.raw, str) and cell.raw.lstrip().startswith("="):
        out.cell("formula-text", cell, spec_field.key, row=row)
    if (
        spec_field.type == "money"
        and isinstance(value, (int, float, Decimal))
        and not isinstance(value, bool)
        and value < 0
    ):
        out.cell("negative-money", cell, spec_field.key, row=row)
    elif spec_field.type == "choice" and spec_field.choices and value is not None:
        if value not in _choice_keys(spec_field):
            choice = spec_field.choice_for(str(value))
            if choice is None:
                out.cell("invalid-choice", cell, spec_field.key, row=row, allowed=allowed_choices(spec_field))
            else:
                cell.value = choice.key
    elif spec_field.type == "rep" and value is not None:
        rep = find_rep(ctx.config, str(value))
        if rep is None:
            out.cell("unknown-rep", cell, spec_field.key, row=row, example=example(spec_field, ctx))
        else:
            cell.resolved = rep
    elif spec_field.type == "region" and value is not None:
        region = find_region(ctx.config, str(value))
        if region is None:
            out.cell(
                "unknown-region",
                cell,
                spec_field.key,
                row=row,
                allowed={"zh": [r.zh for r in ctx.config.regions], "en": [r.en for r in ctx.config.regions]},
            )
        else:
            cell.resolved = region
    if not isinstance(value, str):
        return
    text = value.strip()
    if spec_field.rule == "credit_code":
        why = credit_code_problem(text)
        if why:
            out.cell("invalid-credit-code", cell, spec_field.key, row=row, expected=why)
    elif spec_field.rule == "phone" and not valid_phone(text):
        out.cell("invalid-phone", cell, spec_field.key, row=row)
    elif spec_field.rule == "email" and not valid_email(text):
        out.cell("invalid-email", cell, spec_field.key, row=row)


def _blank(cell: Cell | None) -> bool:
    """No value and nothing intake complained about (intake gives None for every blank spelling)."""
    return cell is None or (cell.value is None and cell.issue is None)


def check_info(sub: Submission, spec: FormSpec, ctx: ValidationContext, out: Emitter) -> None:
    """The info block above the table: required values present, and each value of its type."""
    for spec_field in spec.info:
        cell = sub.info.get(spec_field.key)
        if _blank(cell):
            if spec_field.required:
                out.cell("missing-info", cell, spec_field.key, example=example(spec_field, ctx))
            continue
        assert cell is not None
        if cell.issue is None:
            _check_value(cell, spec_field, ctx, out, row=None)


def check_rows(sub: Submission, spec: FormSpec, ctx: ValidationContext, out: Emitter) -> None:
    """Every table cell: required values present (when the column exists), and each value of its type."""
    for row in sub.rows:
        for spec_field in spec.fields:
            cell = row.cells.get(spec_field.key)
            if _blank(cell):
                if spec_field.required and spec_field.key in sub.columns:
                    col = sub.columns[spec_field.key]
                    placeholder = cell or Cell(raw=None, value=None, sheet=sub.sheet, row=row.number, col=col)
                    out.cell(
                        "required",
                        placeholder,
                        spec_field.key,
                        row=row.number,
                        example=example(spec_field, ctx),
                    )
                continue
            assert cell is not None
            if cell.issue is None:
                _check_value(cell, spec_field, ctx, out, row=row.number)


def as_date(value: Any) -> date | None:
    """A normalised date value (intake gives ``date``; tolerate ``datetime``)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None
