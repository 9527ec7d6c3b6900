"""Consolidation on a real installation: forms dropped and ingested through the CLI, a real SQLite
ledger, the workbooks written into reports/<week>/ and read back with openpyxl and as raw XML.

The clock is Mon 2026-11-23 21:00 (conftest); the forms are of week 2026-W47 (Mon 16 - Fri 20 Nov).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from automation.cli import cli
from automation.consolidate import paths, rebuild_dirty
from automation.core.config import Config
from automation.core.formspec import load_specs
from automation.core.texts.workbooks import sheet_name
from automation.ledger import open_ledger
from automation.pipeline import process
from automation.templates.builder import layout
from tests.formfactory import LANG, Form, FormFactory, _choice_label, install, write_xlsx

# SQLite only: what this module checks does not depend on the ledger's engine; PostgreSQL runs
# the ledger, pipeline, mail, status and figures modules, real watchers (tests/test_multisite.py)
# and the workbooks cell by cell (tests/test_engines_equal.py). Keeps CI under 10 minutes.

WEEK = "2026-W47"
DAYS = [date(2026, 11, d) for d in (16, 17, 18, 19, 20)]
PLANTED = ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3")


def run(cfg_path: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--config", str(cfg_path), *args])


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[Path, Config, FormFactory]]:
    cfg_path, config = install(tmp_path)
    yield cfg_path, config, FormFactory(config, load_specs(config))


def _week_of_forms(config: Config, factory: FormFactory, reps: tuple[str, ...] = ("R001", "R002")) -> None:
    for rep in reps:
        factory.register(rep).drop(config.inbox)
        for i, day in enumerate(DAYS):
            factory.visit_report(rep, day, seed=i).drop(config.inbox)


def _cells(path: Path, sheet: str) -> list[list[Any]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def test_ingest_builds_the_touched_regions_and_the_company(env) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, factory = env
    _week_of_forms(config, factory)
    res = run(cfg_path, "ingest", "--json", str(config.inbox))
    assert res.exit_code == 0, res.output
    data = json.loads(res.output[res.output.index("{") :])
    built = {Path(p).name for p in data["reports"]}
    east = paths.region_workbook(config, WEEK, "east")
    company = paths.company_workbook(config, WEEK)
    form = paths.weekly_report_form(config, WEEK, "S01")
    assert {east.name, company.name, form.name} <= built
    assert not paths.region_workbook(config, WEEK, "south").exists()  # no south form: not touched
    with open_ledger(config) as ledger:
        assert ledger.dirty_weeks() == []  # every mark it read was cleared
    # the summary's first block: this week's visits for east (R001 + R002: 2 reps x 5 days x 3 rows)
    rows = _cells(east, sheet_name("summary", "zh"))
    visits = next(r for r in rows if r[0] == "拜访数")
    assert visits[1] == 30
    names = openpyxl.load_workbook(east, read_only=True).sheetnames
    assert names[0] == "摘要" and len(names) == 11


def test_the_watcher_rebuilds_the_touched_workbooks_after_a_burst(env) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, factory = env
    _week_of_forms(config, factory, reps=("R005",))  # south only
    res = subprocess.run(
        [sys.executable, "-m", "automation", "--config", str(cfg_path), "watch", "--once"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert paths.region_workbook(config, WEEK, "south").exists()
    assert paths.company_workbook(config, WEEK).exists()
    assert paths.weekly_report_form(config, WEEK, "S02").exists()
    assert not paths.region_workbook(config, WEEK, "east").exists()
    with open_ledger(config) as ledger:
        assert ledger.dirty_weeks() == []
    log = (config.state_root / "logs" / "salesflow.log").read_text(encoding="utf-8")
    assert "consolidated 2026-W47" in log


def test_a_form_recorded_while_building_stays_marked(env) -> None:  # type: ignore[no-untyped-def]
    """The watcher records forms while a consolidation builds: that form's region-week must stay
    marked. Here a real form is recorded into the real ledger at the moment the build reads the
    frames (deterministically, instead of racing a second process)."""
    cfg_path, config, factory = env
    _week_of_forms(config, factory, reps=("R001",))
    assert run(cfg_path, "ingest", str(config.inbox)).exit_code == 0
    factory.register("R005").drop(config.inbox)
    first = factory.visit_report("R001", DAYS[0], seed=9).drop(config.inbox, "again.xlsx")  # a new version
    with open_ledger(config) as ledger:
        process(first, config, ledger=ledger)  # east W47 marked: a consolidation will read this mark
        late = factory.visit_report("R005", DAYS[1]).drop(config.inbox)
        reg = config.inbox / "R005" / "客户登记表_R005.xlsx"
        frames = ledger.frames

        def frames_while_a_form_arrives():  # type: ignore[no-untyped-def]
            process(reg, config, ledger=ledger)
            process(late, config, ledger=ledger)  # south W47 marked, east W47 marked again (register)
            return frames()

        ledger.frames = frames_while_a_form_arrives
        written = rebuild_dirty(config, ledger)
        assert paths.region_workbook(config, WEEK, "east") in written
        left = ledger.dirty_marks()
    assert ("south", WEEK) in left  # recorded during the build: still to do
    assert ("east", WEEK) not in left or left[("east", WEEK)] > 0  # cleared unless marked again


def test_weekly_report_round_trip(env) -> None:  # type: ignore[no-untyped-def]
    """Generated with the week's figures locked, filled by the supervisor in the open cells, dropped
    into their inbox folder, accepted, and shown in the region and company workbooks."""
    cfg_path, config, factory = env
    _week_of_forms(config, factory)
    assert run(cfg_path, "ingest", str(config.inbox)).exit_code == 0
    form = paths.weekly_report_form(config, WEEK, "S01")
    specs = load_specs(config)
    lay = layout(specs["weekly_report"])
    wb = openpyxl.load_workbook(form)
    ws = wb.worksheets[0]
    assert ws[lay.info_cell("week")].value == WEEK and ws[lay.info_cell("week")].protection.locked
    assert ws.protection.sheet
    first = lay.first_data_row
    rows = {ws.cell(first + i, lay.columns["rep_id"]).value: first + i for i in range(4)}
    assert set(rows) == {"R001", "R002", "R003", "R004"}
    r1 = rows["R001"]
    # R001: 5 reports x 3 visits; deals on seeds with k % 3 == 0 (formfactory), summed by the score stage
    assert ws.cell(r1, lay.columns["visits"]).value == 15
    assert ws.cell(r1, lay.columns["visits"]).protection.locked
    assert ws.cell(rows["R003"], lay.columns["sales"]).value == 0  # no visits: 0, not blank
    assert not ws.cell(r1, lay.columns["target_sales"]).protection.locked
    assert not ws[lay.info_cell("issues_measures")].protection.locked
    # the supervisor fills the open cells (Excel would keep the sheet protected: openpyxl just writes)
    ws[lay.info_cell("competitor_dynamics")] = "佳能在做以旧换新"
    ws[lay.info_cell("issues_measures")] = "新人拜访量不足，安排带教"
    ws.cell(r1, lay.columns["target_sales"]).value = 88000
    ws.cell(r1, lay.columns["target_visits"]).value = 25
    ws.cell(r1, lay.columns["plan"]).value = "重点跟进A类客户"
    dropped = config.inbox / "S01" / "周报_已填.xlsx"
    wb.save(dropped)
    res = run(cfg_path, "ingest", "--json", str(dropped))
    assert res.exit_code == 0, res.output
    data = json.loads(res.output[res.output.index("{") :])
    assert data["counts"]["accepted"] == 1 and data["files"][0]["form"] == "weekly_report"
    for book in (paths.region_workbook(config, WEEK, "east"), paths.company_workbook(config, WEEK)):
        rows_ = _cells(book, sheet_name("commentary", "zh"))
        flat = [c for r in rows_ for c in r if c is not None]
        assert "佳能在做以旧换新" in flat and "新人拜访量不足，安排带教" in flat and "重点跟进A类客户" in flat
        target = next(r for r in rows_ if "R001" in r)
        assert (
            88000 in target and 25 in target and 15 in target
        )  # next week's targets beside the week's visits
    summary = _cells(paths.company_workbook(config, WEEK), "摘要")
    assert any(isinstance(c, str) and "已交回 1/3 份主管周报" in c for r in summary for c in r)


def _planted_forms(config: Config, factory: FormFactory) -> list[Form]:
    specs = factory.specs
    reg = specs["customer_register"]
    rows = [{"name": PLANTED[0], "region": "华东", "contact": PLANTED[2], "phone": "13800001111",
             "stage": _choice_label(reg, "stage", "customer"), "created": date(2026, 11, 2),
             "needs": PLANTED[1]}]  # fmt: skip
    register = Form(
        "customer_register", "R001", "", write_xlsx(reg, {"rep_id": "R001"}, rows), rows, "reg.xlsx"
    )
    vr = specs["visit_report"]
    visit = {"customer": PLANTED[0], "purpose": _choice_label(vr, "purpose", "service"),
             "outcome": _choice_label(vr, "outcome", "follow_up"), "complaint": PLANTED[0],
             "competitor_info": PLANTED[2], "feedback": PLANTED[1], "next_step": PLANTED[3],
             "next_visit": date(2026, 11, 24)}  # fmt: skip
    info = {"rep_id": "R001", "report_date": DAYS[2], "attendance": "出勤"}
    report = Form(
        "visit_report", "R001", DAYS[2].isoformat(), write_xlsx(vr, info, [visit]), [visit], "vr.xlsx"
    )
    mr = specs["market_report"]
    mrow = {"customer": PLANTED[0], "category": _choice_label(mr, "category", "price_change"),
            "competitor": PLANTED[3], "description": PLANTED[0], "severity": _choice_label(mr, "severity", "high"),
            "suggestion": PLANTED[2]}  # fmt: skip
    market = Form("market_report", "R001", DAYS[2].isoformat(),
                  write_xlsx(mr, {"rep_id": "R001", "report_date": DAYS[2]}, [mrow]), [mrow], "mr.xlsx")  # fmt: skip
    wr = specs["weekly_report"]
    winfo = {"region": "华东", "week": WEEK, "supervisor": "马超", "competitor_dynamics": PLANTED[1],
             "abnormal_customers": PLANTED[3], "issues_measures": PLANTED[0]}  # fmt: skip
    wrow = {"rep_id": "R001", "target_sales": 1000, "plan": PLANTED[1]}
    weekly = Form("weekly_report", "S01", WEEK, write_xlsx(wr, winfo, [wrow]), [wrow], "wr.xlsx")
    return [register, report, market, weekly]


def test_text_a_rep_typed_is_never_a_formula_in_any_output(env) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, factory = env
    assert LANG == "zh"
    register, *week = _planted_forms(config, factory)
    for batch in ([register], week):  # the register first: the other forms name its customer
        for f in batch:
            f.drop(config.inbox)
        res = run(cfg_path, "ingest", "--json", str(config.inbox))
        assert res.exit_code == 0, res.output
    outputs = sorted(paths.week_folder(config, WEEK).glob("*.xlsx"))
    assert len(outputs) == 3  # east's workbook and weekly report, the company's workbook
    seen: set[str] = set()
    for out in outputs:
        with zipfile.ZipFile(out) as z:
            for name in z.namelist():
                if not name.startswith("xl/worksheets/sheet"):
                    continue
                xml = z.read(name).decode("utf-8")
                for formula in re.findall(r"<f[^>]*>(.*?)</f>", xml, flags=re.S):
                    for text in PLANTED:
                        assert _unescape(text) not in _unescape(formula), (out.name, name, formula)
            texts = "".join(_unescape(z.read(n).decode("utf-8")) for n in z.namelist() if n.endswith(".xml"))
            seen |= {t for t in PLANTED if t in texts}
    assert seen == set(PLANTED)  # every planted text is in the workbooks, as text


def _unescape(xml: str) -> str:
    return (
        xml.replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


def test_a_workbook_held_open_is_written_beside_it_and_status_says_so(env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Windows refuses to replace a file another program holds open (PermissionError at os.replace).
    Windows cannot exist here, so that one error is injected at the replace: the only stand-in."""
    cfg_path, config, factory = env
    _week_of_forms(config, factory, reps=("R001",))
    assert run(cfg_path, "ingest", str(config.inbox)).exit_code == 0
    east = paths.region_workbook(config, WEEK, "east")
    before, inode = east.read_bytes(), east.stat().st_ino
    import automation.consolidate.output as output

    real = output.os.replace

    def held(src, dst):  # type: ignore[no-untyped-def]
        if Path(dst) == east:
            raise PermissionError(13, "The process cannot access the file", str(dst))
        return real(src, dst)

    monkeypatch.setattr(output.os, "replace", held)
    res = run(cfg_path, "consolidate", "--week", WEEK, "--region", "east")
    assert res.exit_code == 0, res.output
    beside = east.with_name(f"{east.stem} (2).xlsx")
    assert beside.exists() and east.read_bytes() == before
    assert "written beside it" in res.output and beside.name in res.output
    status = json.loads(run(cfg_path, "status", "--json").output)
    assert [h["written"] for h in status["reports"]["held_open"]] == [str(beside)]
    assert "written beside it" in run(cfg_path, "status").output
    monkeypatch.setattr(output.os, "replace", real)  # Excel closed: the next build replaces the target
    assert run(cfg_path, "consolidate", "--week", WEEK, "--region", "east").exit_code == 0
    assert not beside.exists() and east.stat().st_ino != inode  # a new file renamed over the old one
    assert east.read_bytes() == before  # same ledger, same clock: the same bytes
    assert json.loads(run(cfg_path, "status", "--json").output)["reports"]["held_open"] == []
    assert not list(east.parent.glob(".*"))  # no temporary file left behind


def test_a_week_without_forms_still_gives_every_workbook(env) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, _ = env
    res = run(cfg_path, "consolidate", "--week", WEEK)
    assert res.exit_code == 0, res.output
    assert "7 file(s) written" in res.output  # 3 regions + the company, 3 supervisors' reports
    rows = _cells(paths.company_workbook(config, WEEK), "摘要")
    visits = next(r for r in rows if r[0] == "拜访数")
    assert visits[1] == 0  # a week with nothing in it says 0, and the sheets are there, empty
    names = openpyxl.load_workbook(paths.company_workbook(config, WEEK), read_only=True).sheetnames
    assert names == [sheet_name(k, "zh") for k in ("summary", "scorecard", "customers", "visits", "followups",
                                                   "complaints", "market", "submissions", "commentary",
                                                   "conflicts", "trends")]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2027-W53"], "2027 has no week 53"),
        (["--region", "Atlantis"], "no region 'Atlantis'"),
        (["--week", WEEK, "--all-weeks"], "not both"),
    ],
)
def test_bad_options_exit_2_with_a_message(env, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    cfg_path, _, _ = env
    res = run(cfg_path, "consolidate", *args)
    assert res.exit_code == 2 and message in res.output


def test_all_weeks_and_the_default_week(env) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, factory = env
    _week_of_forms(config, factory, reps=("R001",))
    assert run(cfg_path, "ingest", str(config.inbox)).exit_code == 0
    res = run(cfg_path, "consolidate", "--region", "east")
    assert res.exit_code == 0, res.output
    # Monday 21:00, past the 20:00 deadline: today counts, so the default is this week, W48
    assert paths.region_workbook(config, "2026-W48", "east").exists()
    res = run(cfg_path, "consolidate", "--all-weeks", "--region", "华东")
    assert res.exit_code == 0, res.output
    # from the week of the first form (the visit reports of W47; every file was received now, in W48)
    assert sorted(p.name for p in config.reports.iterdir()) == ["2026-W47", "2026-W48"]
    assert "2026-W47  region" in res.output and "2026-W48  region" in res.output


def test_weeks_built_on_two_processes_are_the_weeks_built_on_one(env) -> None:  # type: ignore[no-untyped-def]
    """--all-weeks deals the weeks out to a second (spawned) process that reads the ledger itself:
    the files are byte for byte those one process writes (same ledger, same clock)."""
    from automation.consolidate.weeks import build_weeks
    from automation.core import clock
    from automation.core.workcal import default_as_of

    cfg_path, config, factory = env
    _week_of_forms(config, factory, reps=("R001", "R005"))
    assert run(cfg_path, "ingest", str(config.inbox)).exit_code == 0
    with open_ledger(config) as ledger:
        frames = ledger.frames()
    now = clock.now()
    weeks = ["2026-W46", WEEK, "2026-W48"]
    kw = {"as_of": default_as_of(now, config), "regions": ["east", "south"], "company": True,
          "form_weeks": frozenset({WEEK}), "now": now}  # fmt: skip
    one = build_weeks(config, frames, weeks, processes=1, **kw)  # type: ignore[arg-type]
    first = {w.path: _parts(w.path) for w in one}
    two = build_weeks(config, frames, weeks, processes=2, **kw)  # type: ignore[arg-type]
    assert [(w.week, w.kind, w.path) for w in two] == [(w.week, w.kind, w.path) for w in one]
    assert len(one) == 3 * 3 + 2  # per week: two regions and the company; W47's two weekly reports
    for path, parts in first.items():
        assert _parts(path) == parts, path.name


def _parts(path: Path) -> dict[str, bytes]:
    """A workbook's parts (openpyxl stamps the zip entries with the time, so not the file's bytes)."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}
