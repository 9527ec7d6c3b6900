"""Bounded intake (issue 14): whatever a reader raises is the file's rejection, alone; the header
search reads only the top of a sheet in time linear in it; every file has a time budget.

The two corpus files of the issue are reproduced in ``tests/data`` (``make_fixtures.py`` builds
them): ``xls_defined_name_AreaN.xls`` (xlrd's FormulaError ended ``salesflow check`` with a
traceback and took the other files with it) and ``xls_long_sql_text.xls`` (45 s of header search
before the fix, for 72 cells of three texts); fuzzing added ``xls_ole_sector_chain_loop.xls``
and ``ods_broken_table_end_tag.ods`` (xlrd's container reader and calamine's ODS reader never
return from them). The issue's bound, "rejected in under 2 s", is
asserted as stated; the code takes a few hundredths of a second for each, so a loaded CI machine
has room.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from automation.core.config import load_config
from automation.core.formspec import load_specs
from automation.core.logfile import LOG_DIR, LOG_NAME
from automation.core.problems import render
from automation.intake import budget, read_submission
from automation.intake import layout as lay
from automation.intake.readers import ReadError, SheetGrid, Workbook, parsing
from automation.ledger import open_ledger
from automation.pipeline import process_batch
from tests.formfactory import FormFactory, install

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(DATA))
import make_fixtures as fx  # noqa: E402

AREA_N = DATA / "xls_defined_name_AreaN.xls"
SQL_SMALL = DATA / "xls_long_sql_text.xls"
ISSUE_BOUND_SECONDS = 2.0  # issue 14: "each rejected in under 2 s"
DAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def sql_sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The issue's sheet: 300 rows x 50 cells of 20,000-character SQL-like text (50 texts)."""
    path = tmp_path_factory.mktemp("sql") / "sql_300x50.xls"
    fx.make_sql_text_xls(path, rows=300, cols=50, chars=20000, distinct=50)
    return path


def timed_read(path: Path, config: Any, specs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    sub = read_submission(path, config, specs)
    return sub, time.perf_counter() - start


def file_codes(sub: Any) -> list[str]:
    return [i.code for i in sub.issues if i.cell is None]


# ----- the two corpus files ------------------------------------------------------------------------


def test_an_xls_whose_defined_name_xlrd_cannot_parse_is_a_damaged_file_in_under_2_s(config, specs) -> None:  # type: ignore[no-untyped-def]
    sub, took = timed_read(AREA_N, config, specs)
    assert took < ISSUE_BOUND_SECONDS
    assert sub.form is None and file_codes(sub) == ["file-corrupt"]
    assert "FormulaError" in sub.issues[0].params["value"]  # what the reader met, for the back office
    message, fix = render(sub.issues[0], "en")
    assert message.startswith("The file 'xls_defined_name_AreaN.xls' is damaged, incomplete or holds")
    assert "Save As" in fix
    assert "已损坏" in render(sub.issues[0], "zh")[0]


@pytest.mark.parametrize("which", ["issue sheet 300x50", "corpus file"])
def test_a_sheet_of_long_sql_texts_is_judged_in_under_2_s(which: str, sql_sheet: Path, config, specs) -> None:  # type: ignore[no-untyped-def]
    path = sql_sheet if which == "issue sheet 300x50" else SQL_SMALL
    sub, took = timed_read(path, config, specs)
    assert took < ISSUE_BOUND_SECONDS
    assert sub.form is None and file_codes(sub) == ["unknown-form"]


def test_check_judges_every_other_file_of_the_command_without_a_traceback(
    tmp_path: Path, sql_sheet: Path
) -> None:
    from checkforms import visit_info, visit_row, write_form

    config_path = tmp_path / "config.yaml"
    config_path.write_text((ROOT / "config.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    specs = load_specs(load_config(config_path))
    first = write_form(tmp_path / "first.xlsx", specs, "visit_report", visit_info(), [visit_row()])
    last = write_form(
        tmp_path / "last.xlsx", specs, "visit_report", visit_info(), [visit_row(purpose="喝茶")]
    )
    files = [first, AREA_N, sql_sheet, SQL_SMALL, last]
    out = subprocess.run(
        [sys.executable, "-m", "automation", "--config", str(config_path), "check", *map(str, files)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 1  # some rejected, none crashed
    verdicts = [line for line in out.stdout.splitlines() if not line.startswith(" ")]
    assert len(verdicts) == len(files), out.stdout
    assert verdicts[0].startswith(f"√ 通过 {first}")
    assert verdicts[1].startswith(f"× 退回 {AREA_N}") and "已损坏" in out.stdout
    # no Chinese in them: told in English
    assert verdicts[2].startswith(f"× rejected {sql_sheet}") and verdicts[3].startswith(
        f"× rejected {SQL_SMALL}"
    )
    assert verdicts[4].startswith(f"× 退回 {last}") and "喝茶" in out.stdout  # judged as usual


def test_a_watcher_batch_judges_the_other_files_as_usual(
    tmp_path: Path, sql_sheet: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A batch large enough for the read-ahead process (which meets the bad files first)."""
    monkeypatch.setenv("SALESFLOW_READ_AHEAD", "1")
    _, config = install(tmp_path)
    factory = FormFactory(config, load_specs(config))
    forms = [factory.register("R001")] + [
        factory.visit_report("R001", DAY - timedelta(days=d), seed=d) for d in range(26)
    ]
    paths = [f.drop(config.inbox) for f in forms]
    bad = []
    for i, src in ((5, AREA_N), (9, sql_sheet), (14, SQL_SMALL)):
        dst = config.inbox / "R001" / src.name
        dst.write_bytes(src.read_bytes())
        paths.insert(i, dst)
        bad.append(dst)
    with open_ledger(config) as ledger:
        start = time.perf_counter()
        outs = process_batch([(p, None) for p in paths], config, ledger=ledger)
        took = time.perf_counter() - start
    by_path = {o.path: o for o in outs}
    assert [by_path[p].status for p in bad] == ["rejected"] * 3
    assert all(by_path[p].feedback is not None and by_path[p].feedback.exists() for p in bad)
    assert [o.status for o in outs if o.path not in bad] == ["accepted"] * len(forms)
    assert took < len(paths) * ISSUE_BOUND_SECONDS  # no file held the batch up


@pytest.mark.parametrize("name", ["xls_ole_sector_chain_loop.xls", "ods_broken_table_end_tag.ods"])
def test_files_a_reader_never_returns_from_are_damaged_files_not_a_hang(name: str) -> None:
    """Found by fuzzing: xlrd's own container reader loops for ever on the first (ours takes the
    stream out with olefile, whose loops are bounded); calamine's ODS reader on the second (its
    content.xml is not well-formed: the safety scan, which parses it anyway, says so first).
    In a child with a timeout, so a regression fails here instead of hanging the suite."""
    code = (
        "import sys; from automation.core.config import load_config; from automation.core.formspec import load_specs;"
        "from automation.intake import read_submission; c = load_config(sys.argv[2]);"
        "s = read_submission(sys.argv[1], c, load_specs(c)); print([i.code for i in s.issues])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(DATA / name), str(ROOT / "config.yaml")],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "['file-corrupt']"


def test_the_read_ahead_process_leaves_a_damaged_file_to_the_recorder(
    tmp_path: Path, sql_sheet: Path
) -> None:
    """What the read-ahead child does for a file (``read_ahead.early``) returns for these files
    without raising and without grids, so the recording process reads and rejects them itself."""
    from automation.pipeline.flood import read_ahead

    _, config = install(tmp_path)
    specs = load_specs(config)
    for src in (
        AREA_N,
        sql_sheet,
        DATA / "xls_ole_sector_chain_loop.xls",
        DATA / "ods_broken_table_end_tag.ods",
    ):
        path = config.inbox / "R001" / src.name
        path.write_bytes(src.read_bytes())
        early = read_ahead.early(path, config, specs)
        assert early.refusal == "" and early.stored is not None and early.parsed is None, src.name


# ----- any exception a reader raises: the file's, isolated --------------------------------------


class PanicException(BaseException):
    """Named as pyo3 names a Rust panic (it derives from BaseException)."""


@pytest.mark.parametrize(
    "raised", [ValueError("x"), AttributeError("x"), RecursionError("x"), OSError("x"), PanicException("x")]
)
def test_whatever_a_parser_raises_is_a_damaged_file(raised: BaseException) -> None:
    with pytest.raises(ReadError) as caught, parsing("xlrd"):
        raise raised
    assert caught.value.code == "file-corrupt"
    assert caught.value.detail.startswith(f"xlrd: {type(raised).__name__}: x")


@pytest.mark.parametrize("raised", [MemoryError(), KeyboardInterrupt(), SystemExit(2)])
def test_the_machine_and_the_user_are_not_the_file(raised: BaseException) -> None:
    """Out of memory stays a fault that is retried then quarantined, never blamed on the rep."""
    with pytest.raises(type(raised)), parsing("calamine"):
        raise raised


_FUZZ_BATCH = """
import os, shutil, sys
sys.path.insert(0, sys.argv[1])
import make_fixtures as fx
from datetime import date, timedelta
from automation.core.formspec import load_specs
from automation.ledger import open_ledger
from automation.pipeline import process_batch
from tests.formfactory import FormFactory, install
from pathlib import Path
root = Path(sys.argv[2])
_, config = install(root)
factory = FormFactory(config, load_specs(config))
good = [factory.register("R001")] + [
    factory.visit_report("R001", date(2026, 11, 23) - timedelta(days=d), seed=d) for d in range(12)]
paths = [f.drop(config.inbox) for f in good]
for i, (name, data) in enumerate(fx.damaged_copies(int(sys.argv[3]), 40)):
    p = config.inbox / "R001" / f"damaged{i}{os.path.splitext(name)[1]}"
    p.write_bytes(data)
    paths.insert(1 + 2 * i % len(paths), p)
with open_ledger(config) as ledger:
    outs = process_batch([(p, None) for p in paths], config, ledger=ledger)
by = {o.path.name: o.status for o in outs}
assert all(by[p.name] == "accepted" for p in paths if not p.name.startswith("damaged")), by
assert all(by[p.name] in ("accepted", "rejected", "duplicate") for p in paths), by
print("OK", sum(s == "rejected" for s in by.values()))
"""


@pytest.mark.slow
def test_damaged_files_in_a_batch_are_judged_each_alone(tmp_path: Path) -> None:
    """Fuzzed copies of every format (tests/test_intake_safety.py reads them one by one) mixed into
    one batch with good forms: each damaged file is rejected (or read, when the damage missed the
    cells), none fails, and every good form is accepted. In a child: a reader abort would show."""
    out = subprocess.run(
        [sys.executable, "-c", _FUZZ_BATCH, str(DATA), str(tmp_path), "3"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={**os.environ, "SALESFLOW_NOW": "2026-11-23T21:00:00", "SALESFLOW_READ_AHEAD": "1"},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.startswith("OK")


# ----- the header search: the top of each sheet, linear ------------------------------------------


class _Rows(list):  # type: ignore[type-arg]
    """A sheet's rows that remember which were read."""

    def __init__(self, rows: list[list[Any]]) -> None:
        super().__init__(rows)
        self.read: set[int] = set()

    def __getitem__(self, i: Any) -> Any:
        self.read.update(range(len(self))[i] if isinstance(i, slice) else [i])
        return super().__getitem__(i)


def test_the_header_search_reads_only_the_top_of_a_sheet(specs) -> None:  # type: ignore[no-untyped-def]
    text = fx.sql_text(random.Random(1), 20000)
    rows = _Rows([[f"{r}{text}"] * 50 for r in range(300)])
    wb = Workbook([SheetGrid("SQL", rows)])
    assert lay.locate(wb, specs) is None
    assert lay.guess_language(wb) == "en"
    assert max(rows.read) == lay.HEADER_SCAN_ROWS - 1


def test_a_text_longer_than_any_label_is_never_treated_as_one() -> None:
    assert lay.label_key("客户" + "x" * lay.MAX_LABEL_CHARS) == ""
    assert lay._variants("客户 / " + "x" * lay.MAX_LABEL_CHARS) == ()
    # the suffix stripping is one backward scan: these backtracked exponentially in the old regex
    assert lay.label_key("订货金额" + "(元)" * 30) == "订货金额"
    assert lay.label_key("(元)" * 30 + "x") == "(元)" * 30 + "x"
    assert lay.label_key("*" * 60 + "x") == "x"  # leading stars go too, as before


def test_every_label_fits_the_label_bound(specs) -> None:  # type: ignore[no-untyped-def]
    """The longest header a template or a rep could write, bilingual with a unit and a star."""
    longest = max((f"{f.zh} / {f.en}（必填）*" for s in specs for f in (*s.fields, *s.info)), key=len)
    assert len(longest) <= lay.MAX_LABEL_CHARS // 2, longest


@pytest.mark.parametrize("title_rows", [1, 12, 50])
def test_a_header_pushed_down_by_title_rows_is_found(title_rows: int, tmp_path: Path, config, specs) -> None:  # type: ignore[no-untyped-def]
    """The weekly report's header is on row 10 of its template (the deepest); a rep's own title
    lines, logo rows and notes above it are still within the search."""
    import openpyxl

    src = ROOT / "templates" / "zh" / "周销售管理报告书.xlsx"
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    ws.insert_rows(1, title_rows)
    for r in range(1, title_rows + 1):
        ws.cell(r, 1, f"华东大区 第{r}行说明")
    wb.save(tmp_path / "weekly.xlsx")
    sub = read_submission(tmp_path / "weekly.xlsx", config, specs)
    assert sub.form == "weekly_report"
    assert sub.header_row == 10 + title_rows
    assert sub.header_row <= lay.HEADER_SCAN_ROWS


def test_a_header_below_the_search_bound_is_not_looked_for(specs) -> None:  # type: ignore[no-untyped-def]
    """The bound is real (decision: 60 rows, see layout's docstring)."""
    header = [f.zh for f in specs["visit_report"].fields]
    top = [[None]] * lay.HEADER_SCAN_ROWS
    assert lay.locate(Workbook([SheetGrid("s", [*top[:-1], header])]), specs) is not None
    assert lay.locate(Workbook([SheetGrid("s", [*top, header])]), specs) is None


def test_a_long_text_in_a_forms_table_is_data(tmp_path: Path, config, specs) -> None:  # type: ignore[no-untyped-def]
    from checkforms import visit_info, visit_row, write_form

    text = fx.sql_text(random.Random(2), 20000)
    path = write_form(
        tmp_path / "f.xlsx", specs, "visit_report", visit_info(), [visit_row(feedback=text)] * 3
    )
    sub = read_submission(path, config, specs)
    assert sub.form == "visit_report" and len(sub.rows) == 3
    assert sub.rows[0].cells["feedback"].value == text.strip()


# ----- the time budget ---------------------------------------------------------------------------


def _with_budget(root: Path, seconds: float) -> Any:
    cfg_path, _ = install(root)
    data = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    data.setdefault("intake", {})["time_budget_seconds"] = seconds
    cfg_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_config(cfg_path)


def _huge_csv(path: Path, rows: int) -> Path:
    """Written a block at a time: the whole text at once would raise this process's peak memory."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write("销售员编号,R001\n报告日期,2026-11-23\n客户,拜访目的,洽谈结果,订货金额\n")
        for start in range(0, rows, 10_000):
            fh.write("".join(f"客户{i},服务,成交,{i}\n" for i in range(start, min(rows, start + 10_000))))
    return path


def _texts(workbook: Path) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(workbook, read_only=True)
    return " ".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )


def test_a_file_over_its_time_budget_is_rejected_with_a_reason_and_the_others_go_on(tmp_path: Path) -> None:
    """``salesflow ingest`` (the watcher's batch path) over a 400,000-row CSV between good forms, with
    a budget of 0.5 s. In a child process, and the CSV written a block at a time: the memory tests
    read their children's peak memory, which starts from this process's peak."""
    config = _with_budget(tmp_path, 0.5)
    factory = FormFactory(config, load_specs(config))
    forms = [
        factory.register("R001"),
        factory.visit_report("R001", DAY),
        factory.visit_report("R001", DAY - timedelta(1)),
    ]
    for f in forms:
        f.drop(config.inbox)
    _huge_csv(config.inbox / "R001" / "导出.csv", 400_000)
    out = subprocess.run(
        [sys.executable, "-m", "automation", "--config", str(tmp_path / "config.yaml"), "ingest", "--json", str(config.inbox)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert out.returncode == 1, out.stderr[-2000:]  # some file rejected, none failed
    files = {Path(f["path"]).name: f for f in json.loads(out.stdout)["files"]}
    slow = files.pop("导出.csv")
    assert slow["status"] == "rejected" and {f["status"] for f in files.values()} == {"accepted"}
    assert len(files) == len(forms)
    assert (config.rejected / "R001" / "导出.csv").exists()  # kept, not lost
    feedback = _texts(config.shared_root / slow["feedback"])  # the rep hears why
    assert "读取文件「导出.csv」超过了 0.5 s 的时限" in feedback, feedback
    log = (config.state_root / LOG_DIR / LOG_NAME).read_text(encoding="utf-8")  # the back office's log
    assert "WARNING" in log and "budget of 0.5 s" in log, log
    assert "读取超时，已退回 / 导出.csv set aside" in log, log


def test_the_budget_counts_this_threads_work_only() -> None:
    """Waiting (a loaded machine, the watcher's other threads) does not spend a file's budget."""
    with budget.limited(0.2):
        time.sleep(0.3)
        budget.check(budget.HEADER)  # slept, did not compute: within budget
        deadline = time.perf_counter() + 5
        with pytest.raises(budget.OverBudget) as caught:
            while time.perf_counter() < deadline:
                budget.check(budget.TABLE)
    assert caught.value.code == "file-too-complex" and caught.value.stage == budget.TABLE
    budget.check(budget.TABLE)  # outside a budget: nothing to spend


def test_the_budget_is_range_checked(tmp_path: Path) -> None:
    from automation.core.config import ConfigError

    with pytest.raises(ConfigError, match="time_budget_seconds"):
        _with_budget(tmp_path, 0.01)
