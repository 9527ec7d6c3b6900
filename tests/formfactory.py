"""Valid, filled forms for the watcher's tests and benchmark, written fast with xlsxwriter.

The demo generator is another part's job; the watcher's tests need thousands of small, valid,
*distinct* forms in seconds, laid out the way SPEC §2 describes a template (title, info block as
``label | value`` rows, a blank row, the header row with the spec's labels, data rows, and the
hidden ``_form`` sheet). Labels and choice texts come from :mod:`automation.core.formspec`, so a renamed
label breaks these tests instead of silently drifting.

Every form returns its bytes and the rows it holds, so a test can check that the ledger holds
exactly what the files held.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from automation.core.config import Config
from automation.core.formspec import BOOL_LABELS, FormSet, FormSpec

LANG = "zh"
CREATED = date(2026, 11, 2)


@dataclass
class Form:
    """One filled form: what a rep would drop, and what it holds."""

    form: str
    rep_id: str
    period: str  # report/plan date, "" for a register
    data: bytes
    rows: list[dict[str, Any]] = field(default_factory=list)
    name: str = ""

    def drop(self, inbox: Path, name: str | None = None) -> Path:
        """Write the form into ``inbox/<rep>/`` as a rep's copy would (one plain write)."""
        path = inbox / self.rep_id / (name or self.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.data)
        return path


def _choice_label(spec: FormSpec, key: str, choice_key: str) -> str:
    f = spec.field(key)
    for c in f.choices:
        if c.key == choice_key:
            return c.label(LANG)
    raise KeyError(f"{spec.key}.{key} has no choice {choice_key!r}")


def _bool_label(value: bool) -> str:
    yes, no = BOOL_LABELS[LANG]
    return yes if value else no


def write_xlsx(spec: FormSpec, info: dict[str, Any], rows: list[dict[str, Any]], title: str = "") -> bytes:
    """The form as a workbook: values are text, numbers or dates as a rep's Excel would hold them."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    # Pinned: xlsxwriter stamps the current time otherwise, so "the same form" made twice across
    # a second boundary had other bytes (a new version where a test meant a duplicate).
    wb.set_properties({"created": datetime.combine(CREATED, time())})
    ws = wb.add_worksheet(spec.title(LANG)[:31])
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_string(0, 0, title or spec.title(LANG))
    r = 2
    for f in spec.info:
        if f.key in info:
            ws.write_string(r, 0, f.label(LANG))
            _put(ws, r, 1, info[f.key], datefmt)
            r += 1
    r += 1
    keys = [f.key for f in spec.fields]
    for c, f in enumerate(spec.fields):
        ws.write_string(r, c, f.label(LANG))
    for row in rows:
        r += 1
        for c, k in enumerate(keys):
            if row.get(k) is not None:
                _put(ws, r, c, row[k], datefmt)
    meta = wb.add_worksheet("_form")
    for i, (k, v) in enumerate((("form", spec.key), ("version", spec.version), ("language", LANG))):
        meta.write_string(i, 0, k)
        meta.write_string(i, 1, v)
    meta.hide()
    wb.close()
    return buf.getvalue()


def _put(ws: Any, r: int, c: int, value: Any, datefmt: Any) -> None:
    if isinstance(value, date):
        ws.write_datetime(r, c, value, datefmt)
    elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        ws.write_number(r, c, float(value))
    else:
        ws.write_string(r, c, str(value))


class FormFactory:
    """Writes forms for the reps of a config; customer names are predictable per rep."""

    def __init__(self, config: Config, specs: FormSet):
        self.config = config
        self.specs = specs

    def customer_name(self, rep_id: str, i: int) -> str:
        return f"{rep_id}测试客户{i:02d}有限公司"

    def register(self, rep_id: str, n: int = 6) -> Form:
        """A customer register introducing ``n`` new customers owned by ``rep_id``."""
        spec = self.specs["customer_register"]
        rep = self.config.rep(rep_id)
        assert rep is not None, rep_id
        region = self.config.region(rep.region)
        assert region is not None
        num = int("".join(ch for ch in rep_id if ch.isdigit()) or 0)
        rows = []
        for i in range(n):
            rows.append(
                {
                    "name": self.customer_name(rep_id, i),
                    "region": region.label(LANG),
                    "contact": f"联系人{i}",
                    "phone": f"138{num:04d}{i:04d}",
                    "stage": _choice_label(spec, "stage", "prospect"),
                    "created": CREATED,
                }
            )
        data = write_xlsx(spec, {"rep_id": rep_id}, rows)
        return Form("customer_register", rep_id, "", data, rows, name=f"客户登记表_{rep_id}.xlsx")

    def visit_report(
        self, rep_id: str, day: date, seed: int = 0, n_rows: int = 3, customers: int = 6
    ) -> Form:
        """A day's visit report over the rep's registered customers; ``seed`` varies the content."""
        spec = self.specs["visit_report"]
        rows = []
        for i in range(n_rows):
            k = seed + i
            deal = k % 3 == 0
            order = Decimal(1000 + (k * 37) % 9000) if deal else None
            rows.append(
                {
                    "customer": self.customer_name(rep_id, k % customers),
                    "purpose": _choice_label(spec, "purpose", "order" if deal else "service"),
                    "outcome": _choice_label(spec, "outcome", "deal" if deal else "follow_up"),
                    "met_decision_maker": _bool_label(k % 2 == 0),
                    "quoted": _bool_label(False),
                    "order_amount": order,
                    "gross_margin": (order / 4).quantize(Decimal("0.01")) if order else None,
                    "collection_amount": Decimal(k % 500),
                    "expense": Decimal(50 + k % 40),
                    "feedback": f"反馈 {seed}-{i}",
                    "next_visit": day + timedelta(days=7),
                }
            )
        info = {"rep_id": rep_id, "report_date": day, "attendance": "出勤"}
        data = write_xlsx(spec, info, rows)
        return Form(
            "visit_report", rep_id, day.isoformat(), data, rows, name=f"日报_{rep_id}_{day:%Y%m%d}.xlsx"
        )

    def visit_plan(self, rep_id: str, day: date, seed: int = 0, n_rows: int = 3, customers: int = 6) -> Form:
        spec = self.specs["visit_plan"]
        rows = [
            {
                "customer": self.customer_name(rep_id, (seed + i) % customers),
                "time_slot": f"{9 + i:02d}:00-{10 + i:02d}:00",
                "purpose": _choice_label(spec, "purpose", "service"),
                "objective": f"目标 {seed}-{i}",
            }
            for i in range(n_rows)
        ]
        data = write_xlsx(spec, {"rep_id": rep_id, "plan_date": day}, rows)
        return Form(
            "visit_plan", rep_id, day.isoformat(), data, rows, name=f"计划_{rep_id}_{day:%Y%m%d}.xlsx"
        )

    def market_report(self, rep_id: str, day: date, seed: int = 0, n_rows: int = 2) -> Form:
        spec = self.specs["market_report"]
        rows = [
            {
                "category": _choice_label(spec, "category", "price_change"),
                "competitor": f"竞品{seed % 7}",
                "description": f"价格调整 {seed}-{i}",
                "severity": _choice_label(spec, "severity", "low"),
            }
            for i in range(n_rows)
        ]
        data = write_xlsx(spec, {"rep_id": rep_id, "report_date": day}, rows)
        return Form(
            "market_report", rep_id, day.isoformat(), data, rows, name=f"市场_{rep_id}_{day:%Y%m%d}.xlsx"
        )

    def many(
        self,
        count: int,
        *,
        end: date,
        kinds: tuple[str, ...] = ("visit_report", "visit_plan", "market_report"),
        max_days: int = 60,
    ) -> list[Form]:
        """``count`` distinct forms, each a different (form, rep, day): no form supersedes another,
        so every one must end up accepted and counted once. Days go back from ``end`` but stay
        inside the intake date window (``max_days``)."""
        forms: list[Form] = []
        for day_back in range(max_days + 1):
            day = end - timedelta(days=day_back)
            for kind in kinds:
                for rep in self.config.reps:
                    if len(forms) >= count:
                        return forms
                    forms.append(getattr(self, kind)(rep.id, day, seed=len(forms)))
        raise ValueError(f"only {len(forms)} distinct (form, rep, day) keys within {max_days} days")


def install(root: Path, **watcher: Any) -> tuple[Path, Config]:
    """A fresh installation under ``root``: the demo company's config with its shared and state
    folders inside ``root`` and the given ``watcher`` settings; returns the config file and Config."""
    import yaml

    from automation.core.config import load_config
    from tests.dbs import with_ledger

    base = Path(__file__).resolve().parents[1] / "config.yaml"
    data = yaml.safe_load(base.read_text(encoding="utf-8"))
    data["shared_folder"] = str(root / "shared")
    data["state_folder"] = str(root / "state")
    data["watcher"] = {"settle_seconds": 0.2, "reconcile_seconds": 5, "retries": 2, **watcher}
    with_ledger(data)
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = load_config(path)
    for folder in config.folder_names():
        (config.inbox / folder).mkdir(parents=True, exist_ok=True)
    return path, config


# ----- checking the outcome: every file in exactly one terminal place, counted exactly once -----------

ROW_TABLES = {"visit_report": "visit_reports", "visit_plan": "visit_plans", "market_report": "market_reports"}


def sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def locations(config: Config) -> dict[str, list[Path]]:
    """sha256 -> every place in the shared folder (inbox, archive, rejected) a file with it lies."""
    import hashlib

    out: dict[str, list[Path]] = {}
    for top in (config.inbox, config.archive, config.rejected):
        for p in top.rglob("*") if top.exists() else []:
            if p.is_file() and not p.is_symlink():
                out.setdefault(hashlib.sha256(p.read_bytes()).hexdigest(), []).append(p)
    return out


def ledger_rows(config: Config, query: str, *args: Any) -> list[tuple[Any, ...]]:
    """Read the ledger directly (SQLite read-only, or PostgreSQL with psycopg), so the check does
    not trust the code it checks."""
    from tests.dbs import rows

    return rows(config, query, *args)


@dataclass
class Audit:
    lost: list[str] = field(default_factory=list)  # not in the ledger, or nowhere on disk
    double: list[str] = field(default_factory=list)  # two submissions, or two places on disk
    in_inbox: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    row_mismatch: list[str] = field(default_factory=list)
    accepted: int = 0

    @property
    def clean(self) -> bool:
        return not (self.lost or self.double or self.in_inbox or self.row_mismatch)


def audit(config: Config, forms: list[Form]) -> Audit:
    """Compare what the files hold with the shared folder and the ledger: 0 lost, 0 double."""
    where = locations(config)
    subs: dict[str, list[tuple[int, str, int]]] = {}
    for sid, digest, status, row_count in ledger_rows(
        config, "SELECT id, sha256, status, row_count FROM submissions"
    ):
        subs.setdefault(digest, []).append((sid, status, row_count))
    out = Audit()
    for form in forms:
        digest, label = sha(form.data), f"{form.rep_id}/{form.name}"
        places = where.get(digest, [])
        if not places:
            out.lost.append(f"{label}: not on disk")
        if len(places) > 1:
            out.double.append(f"{label}: on disk at {places}")
        if any(config.inbox in p.parents for p in places):
            out.in_inbox.append(label)
        found = subs.get(digest, [])
        if not found:
            out.lost.append(f"{label}: not in the ledger")
            continue
        if len(found) > 1:
            out.double.append(f"{label}: {len(found)} submissions {found}")
        sid, status, row_count = found[0]
        if status == "rejected":
            out.rejected.append(label)
            continue
        if status == "accepted":
            out.accepted += 1
        table = ROW_TABLES.get(form.form)
        if table:
            (n,) = ledger_rows(config, f"SELECT count(*) FROM {table} WHERE submission_id = ?", sid)[0]
            if n != len(form.rows) or row_count != len(form.rows):
                out.row_mismatch.append(
                    f"{label}: file {len(form.rows)} rows, ledger {n} (row_count {row_count})"
                )
    return out


def as_format(form: Form, fmt: str) -> Form:
    """The same form saved as ``csv`` (UTF-8 with BOM, as Excel writes it) or legacy ``xls`` (xlwt):
    the form sheet's cells, dates as dates (xls) or ISO text (csv). The rows stay the same."""
    import csv
    from datetime import date as _date

    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(form.data))
    grid = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    stem = form.name.rsplit(".", 1)[0]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for row in grid:
            writer.writerow([_csv_cell(v) for v in row])
        data = out.getvalue().encode("utf-8-sig")
    elif fmt == "xls":
        import xlwt  # type: ignore[import-untyped]

        wb = xlwt.Workbook(encoding="utf-8")
        ws = wb.add_sheet(book.sheet_names[0][:31])
        datestyle = xlwt.easyxf(num_format_str="YYYY-MM-DD")
        for r, row in enumerate(grid):
            for c, v in enumerate(row):
                if v == "" or v is None:
                    continue
                if isinstance(v, _date):
                    ws.write(r, c, v, datestyle)
                else:
                    ws.write(r, c, v)
        buf = io.BytesIO()
        wb.save(buf)
        data = buf.getvalue()
    else:
        raise ValueError(fmt)
    return Form(form.form, form.rep_id, form.period, data, form.rows, name=f"{stem}.{fmt}")


def _csv_cell(v: Any) -> str:
    from datetime import date as _date

    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time() else v.isoformat(sep=" ")
    if isinstance(v, _date):
        return v.isoformat()
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return "" if v is None else str(v)
