"""Turn what a rep typed into the value a field's SPEC type means.

Reps type money as "¥1,234.50", "１２３４元" or "1.2万"; dates as 2026/11/3, 11月23日 or a real Excel
date; yes/no as 是, √ or TRUE. Each ``parse_*`` returns the normalised value or raises
:class:`BadValue` with the problem code (``invalid-money`` ...) and message parameters; callers
record the code on the cell. A blank cell is None, never a problem here (``required`` is validate's job).

Decisions where SPEC is silent:
- text keeps its inner spacing and punctuation; only surrounding blanks (incl. full-width U+3000 and
  NBSP) are stripped, and a number read for a text column loses a ".0" ("123.0" -> "123", so phone
  numbers and ids survive calamine's floats). Leading zeros typed as text are kept; Excel already
  dropped them when an id was typed as a number, and we cannot bring them back.
- money accepts ¥ ￥ 元 RMB CNY, thousands separators (, ， and spaces), full-width digits and a 万
  (x10,000) suffix; it is rounded half-up to 2 places; a negative keeps its sign for validate.
- a date column accepts a real date, an Excel serial number (1900 or 1904 system), text with a year,
  and month/day text in the form's year; a time of day alone is not a date.
- period: a real date in a period cell (Excel turns a typed "2026-11" into 2026-11-01) means its month.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from automation.core.formspec import BOOL_FALSE, BOOL_TRUE, FieldSpec, fold

if TYPE_CHECKING:
    from automation.core.config import Config

CENT = Decimal("0.01")
BLANKS = " \t\r\n\u3000\u00a0\u200b\ufeff"  # stripped around every value
EXCEL_1900 = date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's phantom 1900-02-29
EXCEL_1904 = date(1904, 1, 1)
MAX_SERIAL = 2958465  # 9999-12-31


class BadValue(ValueError):
    """A value that cannot mean its field's type; ``code`` is a problem code from the catalog."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class ValueContext:
    """What normalisation needs besides the value: the form's year for dates without one, and so on."""

    year: int
    lang: str = "zh"
    date1904: bool = False
    config: Config | None = None
    rep_ids: dict[str, str] = field(default_factory=dict)  # folded id -> id as configured


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip(BLANKS))


def _number_text(v: float | int) -> str:
    """A number read for a text column, as the rep saw it: 123.0 -> "123", 1.5 -> "1.5"."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    return str(v)


def parse_text(raw: Any) -> str:
    if raw.__class__ is str:  # the common case first
        return raw.strip(BLANKS)
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, (int, float)):
        return _number_text(raw)
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ") if raw.time() != time(0) else raw.date().isoformat()
    if isinstance(raw, (date, time)):
        return raw.isoformat()
    return str(raw).strip(BLANKS)


def _nfkc(raw: Any) -> str:
    return unicodedata.normalize("NFKC", str(raw)).strip(BLANKS)


_MONEY_JUNK = re.compile(r"(?i)(rmb|cny|人民币|元整|元|圆|¥|￥|\$|,|，|'|\s|\u3000|\u00a0|\u202f)")


# No form carries an amount of a trillion yuan or more; beyond it a value is a typo (or 1e26 from a
# stray formula), and the ledger's integer cents must never overflow.
MAX_MONEY = Decimal("999999999999.99")
MAX_INT = 10**9


def _cents(value: Decimal) -> Decimal:
    if not value.is_finite() or abs(value) > MAX_MONEY:
        raise BadValue("invalid-money")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# Amounts repeat across forms (a price list, round sums): a float or text already normalised is
# looked up instead of going through Decimal again. Only what cannot be told apart by equality is
# kept out: 0.0 and -0.0 are equal keys but give 0.00 and -0.00 (NaN never equals itself, and
# raises anyway). Decimals are immutable, so sharing one between cells is safe. Bounded: cleared
# when full.
_MONEY_MEMO: dict[float | str, Decimal] = {}
_MEMO_MAX = 8192


def parse_money(raw: Any) -> Decimal:
    cls = raw.__class__
    if cls is float or cls is str:
        value = _MONEY_MEMO.get(raw)
        if value is None:
            value = _parse_money(raw)
            if raw:  # not 0.0 / -0.0 (nor "", which is blank and never reaches here)
                if len(_MONEY_MEMO) >= _MEMO_MAX:
                    _MONEY_MEMO.clear()
                _MONEY_MEMO[raw] = value
        return value
    return _parse_money(raw)


def _parse_money(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise BadValue("invalid-money")
    if isinstance(raw, (int, float)):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise BadValue("invalid-money")
        return _cents(Decimal(repr(raw)))
    if isinstance(raw, Decimal):
        return _cents(raw)
    text = _nfkc(raw).replace("−", "-")
    text = _MONEY_JUNK.sub("", text)
    factor = Decimal(1)
    if text.endswith("万"):
        factor, text = Decimal(10000), text[:-1]
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", text):
        raise BadValue("invalid-money")
    try:
        value = Decimal(text) * factor
    except InvalidOperation:
        raise BadValue("invalid-money") from None
    if negative:
        value = -value
    return _cents(value)


def parse_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise BadValue("invalid-int")
    if isinstance(raw, int):
        return _bounded_int(raw)
    if isinstance(raw, float):
        if raw.is_integer():
            return _bounded_int(int(raw))
        raise BadValue("invalid-int")
    text = re.sub(r"[,，\s]", "", _nfkc(raw))
    text = re.sub(r"(个|次|家|人)$", "", text)
    if re.fullmatch(r"[-+]?\d{1,12}(\.0*)?", text):
        return _bounded_int(int(Decimal(text)))
    raise BadValue("invalid-int")


def _bounded_int(value: int) -> int:
    if abs(value) > MAX_INT:
        raise BadValue("invalid-int")
    return value


_BOOL_EXACT = {
    **dict.fromkeys(("是", "Y", "y", "TRUE", "√"), True),
    **dict.fromkeys(("否", "N", "n", "FALSE", "×"), False),
}


def parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if raw.__class__ is str and raw in _BOOL_EXACT:
        return _BOOL_EXACT[raw]
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    text = fold(raw)
    if text in BOOL_TRUE:
        return True
    if text in BOOL_FALSE:
        return False
    raise BadValue("invalid-bool")


def from_serial(serial: float, date1904: bool = False) -> date:
    """An Excel serial day number as a date, in the workbook's date system."""
    if not 1 <= serial <= MAX_SERIAL:
        raise BadValue("invalid-date")
    base = EXCEL_1904 if date1904 else EXCEL_1900
    if not date1904 and serial < 61:
        base = date(1899, 12, 31)  # before Excel's phantom 1900-02-29
    return base + timedelta(days=int(serial))


_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT].*)?")
_YMD_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MD = re.compile(r"(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?")


# Typed dates repeat (a week of visits, the same plan date on every row): text already read for
# the same form year is looked up. Bounded like the money memo.
_DATE_MEMO: dict[tuple[str, int], date] = {}


def parse_date(raw: Any, ctx: ValueContext) -> date:
    if raw.__class__ is str:
        key = (raw, ctx.year)
        d = _DATE_MEMO.get(key)
        if d is None:
            d = _parse_date_text(raw, ctx.year)
            if len(_DATE_MEMO) >= _MEMO_MAX:
                _DATE_MEMO.clear()
            _DATE_MEMO[key] = d
        return d
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (bool, time)):
        raise BadValue("invalid-date")
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and raw != raw:
            raise BadValue("invalid-date")
        if 19000101 <= raw <= 29991231 and float(raw).is_integer():  # 20261123 typed as a number
            return _ymd(*divmod_date(int(raw)))
        return from_serial(float(raw), ctx.date1904)
    return _parse_date_text(raw, ctx.year)


def _parse_date_text(raw: Any, year: int) -> date:
    """A date typed as text; month/day alone is in ``year``."""
    text = _nfkc(raw)
    m = _YMD.fullmatch(text) or _YMD_COMPACT.fullmatch(text)
    if m:
        return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _MD.fullmatch(text)
    if m:
        return _ymd(year, int(m.group(1)), int(m.group(2)))
    raise BadValue("invalid-date")


def divmod_date(n: int) -> tuple[int, int, int]:
    return n // 10000, n // 100 % 100, n % 100


def _ymd(y: int, m: int, d: int) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise BadValue("invalid-date") from None


_WEEK = re.compile(r"(\d{4})\s*(?:-?\s*W|年\s*第?)\s*(\d{1,2})\s*周?", re.IGNORECASE)


def parse_week(raw: Any) -> str:
    """An ISO week as "2026-W48"; a real date means the ISO week it falls in."""
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        y, w, _ = raw.isocalendar()
        return f"{y}-W{w:02d}"
    m = _WEEK.fullmatch(_nfkc(raw))
    if not m:
        raise BadValue("invalid-week")
    y, w = int(m.group(1)), int(m.group(2))
    if not 1 <= w <= date(y, 12, 28).isocalendar()[1]:
        raise BadValue("invalid-week")
    return f"{y}-W{w:02d}"


_PERIOD_Q = re.compile(r"(\d{4})\s*(?:-?\s*Q|年\s*第?|年\s*Q)\s*([1-4])\s*(?:季度|季)?", re.IGNORECASE)
_PERIOD_M = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_PERIOD_Y = re.compile(r"(\d{4})\s*年?")


def parse_period(raw: Any) -> str:
    """A target period as "2026", "2026-Q4" or "2026-11"."""
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        return f"{raw.year}-{raw.month:02d}"
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if float(raw).is_integer() and 1900 <= raw <= 2999:
            return str(int(raw))
        raise BadValue("invalid-period")
    text = _nfkc(raw)
    m = _PERIOD_Q.fullmatch(text)
    if m:
        return f"{m.group(1)}-Q{m.group(2)}"
    m = _PERIOD_M.fullmatch(text)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    m = _PERIOD_Y.fullmatch(text)
    if m:
        return m.group(1)
    raise BadValue("invalid-period")


def allowed(spec: FieldSpec) -> dict[str, list[str]]:
    """The choices in both languages, so the message renders in whichever language feedback uses."""
    return {"zh": [c.zh for c in spec.choices], "en": [c.en for c in spec.choices]}


_CHOICE_MAPS: dict[int, tuple[FieldSpec, dict[str, str], dict[str, str]]] = {}


def _choice_maps(spec: FieldSpec) -> tuple[dict[str, str], dict[str, str]]:
    """(exact spelling -> key, folded spelling -> key), built once per field.

    Same answers as ``FieldSpec.choice_for``; the exact table serves the common case of a value
    picked from the dropdown without folding it.
    """
    hit = _CHOICE_MAPS.get(id(spec))
    if hit is None or hit[0] is not spec:
        folded: dict[str, str] = {}
        for c in spec.choices:
            for s in c.spellings():
                folded.setdefault(fold(s), c.key)
        exact = {s: k for s, k in ((s, folded[fold(s)]) for c in spec.choices for s in c.spellings())}
        hit = (spec, exact, folded)
        _CHOICE_MAPS[id(spec)] = hit
    return hit[1], hit[2]


def parse_choice(raw: Any, spec: FieldSpec, lang: str, code: str = "invalid-choice") -> str:
    exact, folded = _choice_maps(spec)
    key = exact.get(raw) if raw.__class__ is str else None
    if key is None:
        text = fold(parse_text(raw))
        key = folded.get(text)
        if key is None and text != (plain := text.translate(_DASHES)):  # 50–199 typed with an en dash
            key = folded.get(plain)
    if key is None:
        raise BadValue(code, allowed=allowed(spec))
    return key


# Dashes a word processor or an input method puts where a hyphen was meant (NFKC keeps them).
_DASHES = str.maketrans(
    {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}
)


def parse_rep(raw: Any, ctx: ValueContext) -> str:
    """A rep id as configured when it matches ignoring case and width; otherwise the text (validate flags it)."""
    text = parse_text(raw)
    return ctx.rep_ids.get(fold(text), text)


_SIMPLE: dict[str, Callable[[Any], Any]] = {
    "text": parse_text,
    "customer": parse_text,
    "money": parse_money,
    "int": parse_int,
    "bool": parse_bool,
    "week": parse_week,
    "period": parse_period,
}


def converter(spec: FieldSpec, ctx: ValueContext) -> Callable[[Any], Any]:
    """A one-argument normaliser for ``spec`` (non-blank values), chosen once per column, not per cell."""
    t = spec.type
    simple = _SIMPLE.get(t)
    if simple is not None:
        return simple
    if t == "choice":
        exact, _ = _choice_maps(spec)

        def choice(raw: Any) -> Any:
            if raw.__class__ is str:  # picked from the dropdown: no folding needed
                key = exact.get(raw)
                if key is not None:
                    return key
            return parse_choice(raw, spec, ctx.lang)

        return choice
    if t == "date":
        return lambda raw: parse_date(raw, ctx)
    return lambda raw: normalise(spec, raw, ctx)


def normalise(spec: FieldSpec, raw: Any, ctx: ValueContext) -> Any:
    """The value of ``raw`` for ``spec``'s type; None for a blank; raises :class:`BadValue`."""
    if is_blank(raw):
        return None
    t = spec.type
    if t in ("text", "customer"):
        return parse_text(raw)
    if t == "money":
        return parse_money(raw)
    if t == "int":
        return parse_int(raw)
    if t == "date":
        return parse_date(raw, ctx)
    if t == "bool":
        return parse_bool(raw)
    if t == "choice":
        return parse_choice(raw, spec, ctx.lang)
    if t == "region":
        return parse_choice(raw, spec, ctx.lang, code="unknown-region")
    if t == "rep":
        return parse_rep(raw, ctx)
    if t == "week":
        return parse_week(raw)
    if t == "period":
        return parse_period(raw)
    return parse_text(raw)
