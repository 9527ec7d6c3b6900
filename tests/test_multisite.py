"""Several branch watchers, one PostgreSQL ledger (issue 18 "Must hold"), as real processes.

- two watchers on two branch folders, 500 forms dropped across both (some into both folders):
  every form counted once, 0 lost, 0 double;
- one watcher SIGKILLed 10 times mid-batch (``crash_run``, the single-site crash harness) while
  the other branch's watcher keeps working: nothing lost;
- PostgreSQL stopped for 30 s mid-flood (``pg_ctl stop -m fast``, then started): nothing lost, the
  watchers say so in ``status`` meanwhile and resume by themselves;
- sites in status, in the ledger and in the consolidated workbooks; each site writes its own
  regions' workbooks, HQ the company's.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from automation.core.config import load_config
from automation.core.formspec import load_specs
from tests import dbs
from tests.formfactory import Form, FormFactory, install, ledger_rows, locations, sha
from tests.test_watcher_crash import _drain_and_stop, _running, _wait, _watch, crash_run

DAY = date(2026, 11, 23)
SITES = {"a": ("east", "north"), "b": ("south",)}  # site -> the regions it serves; "a" is HQ


def branch(root: Path, site: str, url: str) -> tuple[Path, Any]:
    """One branch installation under ``root`` whose watcher is ``site``, on the ledger ``url``."""
    root.mkdir(parents=True, exist_ok=True)
    saved = dbs.CURRENT["url"]
    dbs.CURRENT["url"] = url
    try:
        path, _ = install(root, settle_seconds=0.2, reconcile_seconds=2.0)
    finally:
        dbs.CURRENT["url"] = saved
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["site"], data["hq_site"] = site, "a"
    for region in data["regions"]:
        region["site"] = next(s for s, regions in SITES.items() if region["id"] in regions)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, load_config(path)


def _once(cfg: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "automation", "--config", str(cfg), "watch", "--once"],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert res.returncode == 0, res.stderr


def _status(cfg: Path) -> tuple[int, dict[str, Any]]:
    res = subprocess.run([sys.executable, "-m", "automation", "--config", str(cfg), "status", "--json"],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    return res.returncode, json.loads(res.stdout)


def _audit(configs: list[Any], drops: list[tuple[Form, list[int]]]) -> list[str]:
    """Every form counted exactly once, its every drop filed in its own site's archive (none left in an
    inbox), its rows as in the file. ``drops``: each form and the indexes of the sites it was dropped at."""
    problems: list[str] = []
    subs: dict[str, list[tuple[int, str, str, int]]] = {}
    for sid, digest, status, site, rows in ledger_rows(
        configs[0], "SELECT id, sha256, status, site, row_count FROM submissions"
    ):
        subs.setdefault(digest, []).append((sid, status, site, rows))
    where = [locations(c) for c in configs]
    for form, at in drops:
        digest, label = sha(form.data), f"{form.rep_id}/{form.name}"
        found = subs.get(digest, [])
        counted = [s for s in found if s[1] in ("accepted", "superseded")]
        if len(counted) != 1:
            problems.append(f"{label}: counted {len(counted)} times {found}")
        if len(found) != len(at):
            problems.append(f"{label}: dropped {len(at)} times, {len(found)} submissions {found}")
        for i in at:
            places = where[i].get(digest, [])
            if len(places) != 1 or configs[i].inbox in places[0].parents:
                problems.append(f"{label} at site {configs[i].site}: on disk at {places}")
        if counted and counted[0][3] != len(form.rows):
            problems.append(f"{label}: {counted[0][3]} rows recorded, the file has {len(form.rows)}")
    return problems


@pytest.mark.slow
def test_two_watchers_500_forms_across_two_branches_each_counted_once(tmp_path: Path, pg_server) -> None:  # type: ignore[no-untyped-def]
    url = pg_server.fresh()
    (pa, a), (pb, b) = branch(tmp_path / "a", "a", url), branch(tmp_path / "b", "b", url)
    factory = FormFactory(a, load_specs(a))
    registers = [factory.register(r.id) for r in a.reps]
    for f in registers:
        f.drop(a.inbox)
    _once(pa)  # the customers, through branch a
    forms = factory.many(500, end=DAY)
    procs = [_watch(pa), _watch(pb)]
    try:
        for p, c in zip(procs, (a, b), strict=True):
            _wait(lambda p=p, c=c: _running(c, p.pid), 60, "a watcher to start")
        drops: list[tuple[Form, list[int]]] = []
        for i, f in enumerate(forms):
            at = [0, 1] if i % 10 == 0 else [i % 2]  # one form in ten into both branches' folders
            for k in at:
                f.drop((a, b)[k].inbox)
            drops.append((f, at))
            if i % 50 == 49:
                time.sleep(0.3)  # arriving over a while, not all in one scan
        code, data = _wait(
            lambda: (st := _status(pb)) and len(st[1]["sites"]) == 2 and st, 30, "both sites' beats"
        )
        assert {s["site"]: s["alive"] for s in data["sites"]} == {"a": True, "b": True} and data[
            "site"
        ] == "b"
    except BaseException:
        for p in procs:
            p.kill()
        raise
    for p, c in zip(procs, (a, b), strict=True):
        _drain_and_stop(p, c, len(forms), 300)
    problems = _audit([a, b], [(f, [0]) for f in registers] + drops)
    assert not problems, problems[:10]
    by_site = dict(ledger_rows(a, "SELECT site, count(*) FROM submissions GROUP BY site"))
    assert by_site["a"] + by_site["b"] == len(registers) + 500 + 50 and by_site["b"] > 200, by_site
    statuses = dict(ledger_rows(a, "SELECT status, count(*) FROM submissions GROUP BY status"))
    assert statuses == {"accepted": len(registers) + 500, "duplicate": 50}, statuses
    code, data = _status(pa)
    assert {s["site"]: s["state"] for s in data["sites"]} == {"a": "stopped", "b": "stopped"}
    pg_server.drop(url)


@pytest.mark.slow
def test_one_watcher_killed_ten_times_while_the_other_branch_works_loses_nothing(
    tmp_path: Path, pg_server
) -> None:  # type: ignore[no-untyped-def]
    url = pg_server.fresh()
    pb, b = branch(tmp_path / "b", "b", url)
    factory = FormFactory(b, load_specs(b))
    other = factory.many(120, end=DAY, kinds=("market_report",))  # keys crash_run's forms do not use
    proc = _watch(pb)
    dbs.CURRENT["url"] = url
    try:
        _wait(lambda: _running(b, proc.pid), 60, "branch b's watcher")
        for f in other:
            f.drop(b.inbox)
        (tmp_path / "a").mkdir()
        run = crash_run(tmp_path / "a", kills=10, n_forms=160, seed=18)  # site "main", SIGKILLed
    except BaseException:
        proc.kill()
        raise
    finally:
        dbs.CURRENT["url"] = ""
    _drain_and_stop(proc, b, len(other), 300)
    assert run.kills >= 10 and run.result.clean, run.result
    assert run.result.accepted == run.forms
    assert not _audit([b], [(f, [0]) for f in other])
    pg_server.drop(url)


@pytest.mark.slow
def test_postgresql_down_for_30_seconds_mid_flood_loses_nothing_and_the_watchers_resume(
    tmp_path: Path,
) -> None:
    from tests.pgserver import PgServer, wait_until_up

    server = PgServer()  # its own server: this one is stopped
    try:
        url = server.fresh()
        (pa, a), (pb, b) = branch(tmp_path / "a", "a", url), branch(tmp_path / "b", "b", url)
        factory = FormFactory(a, load_specs(a))
        registers = [factory.register(r.id) for r in a.reps]
        for f in registers:
            f.drop(a.inbox)
        _once(pa)
        forms = factory.many(240, end=DAY)
        procs = [_watch(pa), _watch(pb)]
        try:
            for p, c in zip(procs, (a, b), strict=True):
                _wait(lambda p=p, c=c: _running(c, p.pid), 60, "a watcher to start")
            for i, f in enumerate(forms[:120]):
                f.drop((a, b)[i % 2].inbox)
            time.sleep(0.5)  # mid-flood
            server.stop()
            for i, f in enumerate(forms[120:]):
                f.drop((a, b)[i % 2].inbox)
            down = time.monotonic()
            # meanwhile the forms stay in the inbox and status says why, with exit 4 (waiting)
            waiting = _wait(lambda: (s := _status(pb))[0] == 4 and s, 40, "status to say the ledger is down")
            code, data = waiting
            assert "ledger" in (data["watcher"]["problem"] or "") or data.get("ledger_problem"), data[
                "watcher"
            ]
            assert data["backlog"]["files"] > 0 and data["watcher"]["alive"]
            time.sleep(max(0.0, 30 - (time.monotonic() - down)))
            assert all(p.poll() is None for p in procs), "a watcher died while the ledger was down"
            server.start()
            wait_until_up(server)
        except BaseException:
            for p in procs:
                p.kill()
            raise
        for p, c in zip(procs, (a, b), strict=True):
            _drain_and_stop(p, c, len(forms), 300)
        problems = _audit([a, b], [(f, [0]) for f in registers] + [(f, [i % 2]) for i, f in enumerate(forms[:120])]
                          + [(f, [i % 2]) for i, f in enumerate(forms[120:])])  # fmt: skip
        assert not problems, problems[:10]
        logs = "".join((c.state_root / "logs" / "salesflow.log").read_text(encoding="utf-8") for c in (a, b))
        assert "resolved / 已恢复" in logs and "unreachable" in logs  # it waited, said so, and resumed
    finally:
        server.close()


def test_sites_in_the_ledger_and_status_and_each_site_builds_its_own_workbooks(
    tmp_path: Path, pg_server
) -> None:  # type: ignore[no-untyped-def]
    from automation.consolidate import paths
    from automation.ledger import open_ledger
    from automation.pipeline import process

    url = pg_server.fresh()
    (_, a), (_, b) = branch(tmp_path / "a", "a", url), branch(tmp_path / "b", "b", url)
    factory = FormFactory(a, load_specs(a))
    with open_ledger(a) as la, open_ledger(b) as lb:
        assert process(factory.register("R001").drop(a.inbox), a, ledger=la).status == "accepted"
        assert process(factory.register("R005").drop(b.inbox), b, ledger=lb).status == "accepted"
        same = factory.visit_report("R001", DAY)  # the same path and bytes at both branches
        first = process(same.drop(a.inbox), a, ledger=la)
        second = process(same.drop(b.inbox), b, ledger=lb)
        assert (first.status, second.status) == ("accepted", "duplicate")
        assert process(factory.visit_report("R005", DAY).drop(b.inbox), b, ledger=lb).status == "accepted"
    rows = ledger_rows(a, "SELECT site, source, status FROM submissions ORDER BY id")
    assert [r[0] for r in rows] == ["a", "b", "a", "b", "b"]
    assert rows[2][1] == rows[3][1]  # one inbox path, two sites: two files
    from automation.consolidate import rebuild_dirty

    with open_ledger(b) as lb:
        rebuild_dirty(b, lb)  # branch b: south's workbooks into b's share; no company workbook there
    with open_ledger(a) as la:
        rebuild_dirty(a, la)  # HQ (a): east's and the company's into a's share
    week = "2026-W48"
    assert paths.region_workbook(b, week, "south").exists() and not paths.company_workbook(b, week).exists()
    assert not paths.region_workbook(b, week, "east").exists()
    assert paths.region_workbook(a, week, "east").exists() and paths.company_workbook(a, week).exists()
    assert not paths.region_workbook(a, week, "south").exists()
    from openpyxl import load_workbook

    from automation.core.texts.workbooks import sheet_name

    wb = load_workbook(paths.company_workbook(a, week), read_only=True)
    ws = wb[sheet_name("submissions", "zh")]
    rows_out = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows_out) if "接收站点" in r)
    col = rows_out[header].index("接收站点")
    site_of = {r[1]: r[col] for r in rows_out[header + 1 :] if r[1] in ("R001", "R005")}
    assert site_of == {"R001": "a, b", "R005": "b"}, site_of  # R001's same file came in at both branches
    with open_ledger(a) as la:
        assert la.dirty_weeks() == []  # each site cleared what it built, HQ the company's marks
    pg_server.drop(url)


def test_status_shows_every_site_in_both_languages() -> None:
    """The human view of ``status`` (not only ``--json``): one line per site, alive or not, and what
    a site waits on, in Chinese and English like the rest of ``status``."""
    from automation.watch.status_text import render

    counts = {"accepted": 0, "rejected": 0, "duplicate": 0, "superseded": 0}
    beat = {"host": "hq-pc", "pid": 7, "heartbeat_age_seconds": 2.0, "backlog": 0, "state": "idle"}
    data = {
        "watcher": {"alive": True, "pid": 7, "heartbeat_age_seconds": 2.0, "quarantined": []},
        "site": "a", "backlog": {"files": 0}, "counts": {"today": counts, "total": counts},
        "awaiting_fix": [], "missing_today": {"working_day": False}, "today": "2026-11-28", "conflicts": [],
        "sites": [
            {"site": "a", "alive": True} | beat,
            {"site": "b", "alive": False, "problem": "disk full"} | beat | {"state": "stopped", "pid": 9},
        ],
    }  # fmt: skip
    lines = render(data)
    at = lines.index("各站点 / sites sharing this ledger: 2")
    assert lines[at + 1] == "  站点 a 运行中 / a: alive, hq-pc pid 7, heartbeat 2.0s ago, backlog 0"
    assert (
        lines[at + 2]
        == "  站点 b 未运行 / b: NOT alive (stopped), hq-pc pid 9, heartbeat 2.0s ago, backlog 0"
    )
    assert lines[at + 3] == "    该站点正在等待 / waiting: disk full"
