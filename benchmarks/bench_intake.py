"""Benchmark: read (+ validate) 30-row daily visit reports, next to pandas.read_excel(openpyxl).

Writes N distinct filled visit reports (xlsxwriter, laid out like the template: title, info block,
header, 30 rows, dropdown validations, an instructions sheet, a hidden ``_lists`` sheet with the rep's
400 customers and the hidden ``_form`` sheet), then times

- ours: ``automation.intake.read_submission`` + ``automation.validate.validate`` (when present);
- baseline: ``pandas.read_excel(path, engine="openpyxl")`` with pandas' defaults (first sheet only,
  openpyxl in read-only mode), which only loads the cells (no layout, no types, no checks);

and prints the median latency per form, forms/s over all N forms, and the ratio. Target: ours at
least 5x faster than the baseline while doing the full read and validation.

    python benchmarks/bench_intake.py [--forms 1000] [--rows 30] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from automation.core.config import load_config  # noqa: E402
from automation.core.formspec import load_specs  # noqa: E402
from automation.intake import read_submission  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["客户", "拜访目的", "洽谈结果", "见到决策人", "已报价", "报价金额", "订货金额", "毛利", "回款金额",
          "费用", "客诉", "竞争者信息", "客户意见", "下次拜访日期", "下一步"]  # fmt: skip
PURPOSES = ["开发新客户", "市场调研", "收款", "服务", "客诉处理", "订货", "其他"]
OUTCOMES = ["成交", "有意向", "需跟进", "无意向", "未见到"]


def write_form(path: Path, rng: random.Random, rep: str, day: date, rows: int) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    ws = wb.add_worksheet("每日销售报告表")
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    money = wb.add_format({"num_format": "#,##0.00"})
    ws.merge_range(0, 0, 0, len(HEADER) - 1, "每日销售报告表", bold)
    ws.write(1, 0, "销售员编号")
    ws.write(1, 1, rep)
    ws.write(1, 3, "报告日期")
    ws.write_datetime(1, 4, datetime(day.year, day.month, day.day), datef)
    ws.write(2, 0, "出勤")
    ws.write(2, 1, "出勤")
    ws.write(2, 3, "今日心得")
    ws.write(2, 4, "客户反馈良好，需跟进报价")
    ws.write_row(4, 0, HEADER, bold)
    ws.data_validation(5, 1, 5 + rows, 1, {"validate": "list", "source": PURPOSES})
    ws.data_validation(5, 2, 5 + rows, 2, {"validate": "list", "source": OUTCOMES})
    for i in range(rows):
        r = 5 + i
        outcome = rng.choice(OUTCOMES)
        quoted = rng.random() < 0.5
        order = round(rng.uniform(1000, 50000), 2) if outcome == "成交" else None
        ws.write(r, 0, f"C{rng.randint(1, 400):04d}")
        ws.write(r, 1, rng.choice(PURPOSES))
        ws.write(r, 2, outcome)
        ws.write(r, 3, rng.choice(["是", "否"]))
        ws.write(r, 4, "是" if quoted else "否")
        if quoted:
            ws.write_number(r, 5, round(rng.uniform(1000, 60000), 2), money)
        if order is not None:
            ws.write_number(r, 6, order, money)
            ws.write_number(r, 7, round(order * 0.2, 2), money)
        ws.write_number(r, 9, round(rng.uniform(0, 300), 2), money)
        ws.write(r, 12, rng.choice(["满意", "价格偏高", "", "交期要快"]))
        nxt = day + timedelta(days=rng.randint(1, 14))
        ws.write_datetime(r, 13, datetime(nxt.year, nxt.month, nxt.day), datef)
        ws.write(r, 14, "跟进报价")
    # like the real template: an instructions sheet and a hidden list of the rep's customers
    info = wb.add_worksheet("填写说明")
    for i, label in enumerate(HEADER):
        info.write_row(i, 0, [label, "必填" if i < 3 else "选填", "请从下拉框选择或按格式填写"])
    lists = wb.add_worksheet("_lists")
    lists.write_column(0, 0, [f"客户{n}" for n in range(1, 401)])
    lists.hide()
    ws.data_validation(
        5, 0, 5 + rows, 0, {"validate": "list", "source": "=_lists!$A$1:$A$400", "error_type": "warning"}
    )
    meta = wb.add_worksheet("_form")
    meta.write_column(0, 0, ["form", "version", "language"])
    meta.write_column(0, 1, ["visit_report", "1.0", "zh"])
    meta.hide()
    wb.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forms", type=int, default=1000)
    ap.add_argument("--rows", type=int, default=30)
    ap.add_argument("--keep", type=Path, default=None, help="write the forms here instead of a temp dir")
    args = ap.parse_args()

    config = load_config(ROOT / "config.yaml")
    specs = load_specs(config)
    try:
        from automation.core.model import CustomerDirectory, CustomerRef
        from automation.validate import ValidationContext, validate
    except ImportError:
        validate = None  # type: ignore[assignment]
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        reps = [r.id for r in config.reps]
        t0 = time.perf_counter()
        for i in range(args.forms):
            p = folder / f"visit_report_{i:04d}.xlsx"
            rep = reps[i % len(reps)]
            write_form(p, rng, rep, date(2026, 11, 23) - timedelta(days=i % 20), args.rows)
            paths.append((p, rep))
        print(f"wrote {args.forms} forms of {args.rows} rows in {time.perf_counter() - t0:.1f} s")

        ctx = None
        if validate is not None:
            customers = CustomerDirectory(
                [
                    CustomerRef(customer_id=f"C{n:04d}", name=f"客户{n}", owner=reps[n % len(reps)])
                    for n in range(1, 401)
                ]
            )
            ctx = ValidationContext(
                config=config, specs=specs, customers=customers, now=datetime(2026, 11, 23, 21, 0)
            )

        def ours(path: Path, rep: str) -> None:
            sub = read_submission(path, config, specs, folder=rep, received_at=datetime(2026, 11, 23, 19, 0))
            assert sub.form == "visit_report" and len(sub.rows) == args.rows, sub.issues
            if ctx is not None:
                validate(sub, ctx)

        def baseline(path: Path, rep: str) -> None:
            import pandas as pd

            pd.read_excel(path, engine="openpyxl")  # pandas' defaults: the first sheet only

        # interleaved, form by form, so both sides see the same machine load
        ours(*paths[0])
        baseline(*paths[0])
        lat: dict[str, list[float]] = {"ours": [], "pandas+openpyxl": []}
        for p, rep in paths:
            for name, fn in (("ours", ours), ("pandas+openpyxl", baseline)):
                t = time.perf_counter()
                fn(p, rep)
                lat[name].append(time.perf_counter() - t)
        what = "read + validate" if ctx is not None else "read (validate not installed)"
        print(f"{'':34}{'median ms/form':>16}{'best ms/form':>14}{'forms/s':>10}")
        for name, xs in lat.items():
            label = f"ours ({what})" if name == "ours" else name
            print(
                f"{label:34}{statistics.median(xs) * 1000:>16.2f}{min(xs) * 1000:>14.2f}{len(xs) / sum(xs):>10.0f}"
            )
        ratio = sum(lat["pandas+openpyxl"]) / sum(lat["ours"])
        best = min(lat["pandas+openpyxl"]) / min(lat["ours"])
        print(
            f"ratio: ours is {ratio:.1f}x faster than pandas.read_excel(engine='openpyxl') over all forms "
            f"({best:.1f}x best case against best case; target >= 5x)"
        )


if __name__ == "__main__":
    main()
