"""Received order (SPEC §2 Order): every batch is processed in received order, ties by inbox path,
so the ledger does not depend on how the drops were batched (issue 13)."""

from __future__ import annotations

import json
import os
import random
from datetime import date, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from automation.cli import cli
from automation.core.formspec import load_specs
from automation.pipeline.order import in_received_order, name_key, tie_key
from tests.formfactory import FormFactory, install, ledger_rows

DAY = date(2026, 11, 23)


def at(path: Path, when: datetime) -> Path:
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def test_an_original_sorts_before_its_copies_and_numbers_compare_as_numbers() -> None:
    names = ["王伟 10月22日 拜访计划 (10).xlsx", "王伟 10月22日 拜访计划 (1).xlsx", "王伟 10月22日 拜访计划 - 副本.xlsx",
             "王伟 10月22日 拜访计划 (2).xlsx", "王伟 10月22日 拜访计划.xlsx"]  # fmt: skip
    assert sorted(names)[0] == "王伟 10月22日 拜访计划 (1).xlsx"  # why a plain string order will not do
    assert sorted(names, key=name_key) == [
        "王伟 10月22日 拜访计划.xlsx", "王伟 10月22日 拜访计划 (1).xlsx", "王伟 10月22日 拜访计划 (2).xlsx",
        "王伟 10月22日 拜访计划 (10).xlsx", "王伟 10月22日 拜访计划 - 副本.xlsx",
    ]  # fmt: skip
    assert sorted(["R010/a.xlsx", "R002/b.xlsx", "R002/a.xlsx"], key=tie_key) == [
        "R002/a.xlsx",
        "R002/b.xlsx",
        "R010/a.xlsx",
    ]


def test_received_time_first_then_the_path_and_a_future_mtime_counts_as_received_now(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "R001").mkdir(parents=True)
    now = datetime(2026, 11, 23, 21, 0)
    made = {
        "R001/b.xlsx": datetime(2026, 11, 23, 11, 0, 0, 900_000),  # same second as a.xlsx: the path decides
        "R001/a.xlsx": datetime(2026, 11, 23, 11, 0, 0, 100_000),
        "R001/skewed.xlsx": datetime(2026, 11, 24, 9, 0),  # a share's clock ahead: first seen now
        "R001/late.xlsx": datetime(2026, 11, 23, 20, 59),
        "R001/early.xlsx": datetime(2026, 11, 23, 8, 0),
    }
    paths = [at(_touch(inbox / rel), when) for rel, when in made.items()]
    got = in_received_order(paths, inbox, now=now)
    assert [p.name for p in got] == ["early.xlsx", "a.xlsx", "b.xlsx", "late.xlsx", "skewed.xlsx"]
    seen = {"R001/skewed.xlsx": datetime(2026, 11, 23, 9, 30)}  # a sighting a crashed batch committed
    got = in_received_order(paths, inbox, now=now, first_seen=seen)
    assert [p.name for p in got] == ["early.xlsx", "skewed.xlsx", "a.xlsx", "b.xlsx", "late.xlsx"]


def _touch(path: Path) -> Path:
    path.write_bytes(b"x")
    return path


def test_ingest_of_a_backlog_takes_the_register_before_the_later_report_and_the_original_before_its_copy(
    tmp_path: Path,
) -> None:
    """The two mistakes a new user saw: path order put the 18:00 report before the 11:00 register
    that created its customers, and took Explorer's "(1)" copy for the original."""
    cfg_path, config = install(tmp_path)
    factory = FormFactory(config, load_specs(config))
    inbox = config.inbox
    report = at(factory.visit_report("R005", DAY).drop(inbox, "A 日报.xlsx"), datetime(2026, 11, 23, 18))
    register = at(factory.register("R005").drop(inbox, "Z 客户登记表.xlsx"), datetime(2026, 11, 23, 11))
    plan = factory.visit_plan("R005", DAY)
    copy = at(plan.drop(inbox, "王伟 11月23日 拜访计划 (1).xlsx"), datetime(2026, 11, 23, 12))
    original = at(plan.drop(inbox, "王伟 11月23日 拜访计划.xlsx"), datetime(2026, 11, 23, 12))
    result = CliRunner().invoke(cli, ["ingest", "--json", str(inbox), "--config", str(cfg_path)])
    assert result.exit_code == 0, result.output
    files = json.loads(result.output[result.output.index("{") :])["files"]
    assert [(Path(f["path"]).name, f["status"]) for f in files] == [
        (register.name, "accepted"), (original.name, "accepted"), (copy.name, "duplicate"), (report.name, "accepted"),
    ]  # fmt: skip
    rows = ledger_rows(config, "SELECT original_name, duplicate_of IS NULL FROM submissions ORDER BY id")
    assert rows == [(register.name, 1), (original.name, 1), (copy.name, 0), (report.name, 1)]


def test_the_same_drops_give_the_same_ledger_one_by_one_as_a_backlog_and_in_shuffled_batches(
    tmp_path: Path,
) -> None:
    """A small property check (the demo company's is in ``test_received_order_demo.py``): versions,
    duplicates and a register the reports depend on, dropped over a day, processed three ways."""
    drops: list[tuple[str, bytes, datetime]] = []
    (tmp_path / "make").mkdir()
    _, config = install(tmp_path / "make")
    factory = FormFactory(config, load_specs(config))
    drops.append(("R006/登记.xlsx", factory.register("R006").data, datetime(2026, 11, 23, 8)))
    for h, seed in ((10, 0), (12, 1), (15, 2)):  # three versions of one report: the last counts
        drops.append(
            (
                f"R006/日报 v{seed}.xlsx",
                factory.visit_report("R006", DAY, seed=seed).data,
                datetime(2026, 11, 23, h),
            )
        )
    drops.append(("R006/日报 v2 (1).xlsx", drops[-1][1], datetime(2026, 11, 23, 15)))  # its copy
    drops.append(
        ("R007/日报.xlsx", factory.visit_report("R007", DAY).data, datetime(2026, 11, 23, 16))
    )  # no register
    drops.append(("R007/登记.xlsx", factory.register("R007").data, datetime(2026, 11, 23, 17)))

    def run(name: str, batches: list[list[int]]) -> list[Any]:
        from automation.ledger import open_ledger
        from automation.pipeline import process, process_batch

        (tmp_path / name).mkdir()
        _, cfg = install(tmp_path / name)
        with open_ledger(cfg) as ledger:
            for batch in batches:
                items = [(at(_put(cfg.inbox / drops[i][0], drops[i][1]), drops[i][2]), None) for i in batch]
                if len(items) == 1:
                    process(items[0][0], cfg, ledger=ledger)
                else:
                    process_batch(items, cfg, ledger=ledger)
        return ledger_rows(
            cfg, "SELECT id, source, status, superseded_by, duplicate_of FROM submissions ORDER BY id"
        )

    n = len(drops)
    one_by_one = run("single", [[i] for i in range(n)])
    assert [r[2] for r in one_by_one] == [
        "accepted",
        "superseded",
        "superseded",
        "accepted",
        "duplicate",
        "rejected",
        "accepted",
    ]
    assert run("backlog", [list(reversed(range(n)))]) == one_by_one
    rng = random.Random(13)
    for trial in range(3):  # cut the received sequence anywhere; shuffle inside each batch
        cuts = sorted(rng.sample(range(1, n), rng.randrange(1, 4)))
        batches = [list(range(a, b)) for a, b in zip([0, *cuts], [*cuts, n], strict=True)]
        for b in batches:
            rng.shuffle(b)
        assert run(f"batches{trial}", batches) == one_by_one, batches


def _put(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_the_watchers_catch_up_scan_hands_files_over_in_received_order(tmp_path: Path) -> None:
    """One at a time (an injected ``process``) and as one flood (the real ``process_batch``)."""
    from automation.pipeline import process
    from automation.watch import Watcher

    calls: list[str] = []

    def one(path: Path, config: Any, **kw: Any) -> Any:
        calls.append(path.name)
        return process(path, config, **kw)

    for name, injected in (("single", one), ("flood", None)):
        (tmp_path / name).mkdir()
        _, config = install(tmp_path / name, settle_seconds=0.05)
        factory = FormFactory(config, load_specs(config))
        days = [DAY.replace(day=d) for d in (16, 17, 18, 19, 20)]
        for i, day in enumerate(days):  # names in reverse of the order they were received
            form = factory.visit_report("R001", day, seed=i)
            at(form.drop(config.inbox, f"{9 - i} 日报.xlsx"), datetime(2026, 11, 20, 18, i))
        at(factory.register("R001").drop(config.inbox, "9 登记.xlsx"), datetime(2026, 11, 16, 8))
        plan = factory.visit_plan("R001", DAY.replace(day=20))  # and its copy, with the same mtime
        for copy in ("计划 (1).xlsx", "计划.xlsx"):
            at(plan.drop(config.inbox, copy), datetime(2026, 11, 20, 9))
        Watcher(config, process=injected).run(once=True, install_signals=False)
        rows = ledger_rows(config, "SELECT original_name, status FROM submissions ORDER BY id")
        assert rows == [
            ("9 登记.xlsx", "accepted"),
            ("计划.xlsx", "accepted"),
            ("计划 (1).xlsx", "duplicate"),
        ] + [(f"{n} 日报.xlsx", "accepted") for n in (9, 8, 7, 6, 5)]
    assert calls == [
        "9 登记.xlsx",
        "计划.xlsx",
        "计划 (1).xlsx",
        "9 日报.xlsx",
        "8 日报.xlsx",
        "7 日报.xlsx",
        "6 日报.xlsx",
        "5 日报.xlsx",
    ]
