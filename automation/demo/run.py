"""``salesflow demo``: a realistic company's forms through the real pipeline, in one command.

Steps, in order: make (or reuse) a demo folder, write the company and its dropped files
(:mod:`automation.demo.generator`), make the installation around them (the same
:func:`automation.templates.installer.init_installation` as ``salesflow init``), then drop every file into
the inbox in time order and hand it to :func:`automation.pipeline.stages.process` with the clock set to its
received time (``SALESFLOW_NOW``), so deadlines and "late" mean what they would have meant that
day. The report adds up what happened and shows the latest full week's headline figures.

Decisions: the default folder is ``./salesflow-demo-<seed>``; running the demo again into a folder
that holds an earlier demo starts it afresh (a marker file says it is ours), while a folder holding
anything else is refused rather than overwritten. The clock of each file is its received time plus
:data:`SETTLE_SECONDS`, as the watcher would see it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from automation.core import clock
from automation.core.config import Config, load_config
from automation.core.outcomes import OUTCOMES, REJECTED
from automation.demo.generator import DROPS, MANIFEST, generate
from automation.pipeline.order import tie_key

MARKER = ".salesflow-demo.json"
SETTLE_SECONDS = 3
HEADLINE = ("visits", "effective_rate", "sales", "gross_margin", "collections", "sales_attainment", "sales_status",
            "new_customers", "on_time_rate", "first_time_rate")  # fmt: skip

MISTAKES = {
    "required": "必填项留空 / a required value left blank",
    "bad_date": "日期不存在 / a date that does not exist",
    "unknown_customer": "客户名称有错别字 / a typo in a customer's name",
    "choice": "选项写错 / a misspelt choice",
    "bad_phone": "电话号码少一位 / a phone number one digit short",
    "wrong_folder": "放进了同事的文件夹 / dropped into a colleague's folder",
}


class DemoError(RuntimeError):
    """The demo cannot run here (the folder holds something that is not an earlier demo)."""


@dataclass
class DemoReport:
    """What the demo did: where things are, what happened to each file, the latest week's figures."""

    root: Path
    config_path: Path
    size: str
    seed: int
    dropped: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    expected: Counter[str] = field(default_factory=Counter)
    surprises: list[dict[str, Any]] = field(default_factory=list)  # outcome differs from the manifest
    rejections: list[tuple[str, str]] = field(default_factory=list)  # (file, planted mistake), one per kind
    week: str = ""
    headline: list[dict[str, Any]] = field(default_factory=list)  # company row, then one per region
    ledger: str = ""
    archive: Path | None = None
    rejected: Path | None = None
    outbox: Path | None = None
    workbooks: list[Path] = field(default_factory=list)  # consolidated workbooks and weekly reports
    seconds: float = 0.0

    @property
    def adds_up(self) -> bool:
        """dropped = accepted + rejected + duplicates + ignored (and nothing failed)."""
        return self.dropped == sum(self.outcomes[k] for k in OUTCOMES[:4]) and not self.outcomes["failed"]


def default_dir(seed: int) -> Path:
    return Path.cwd() / f"salesflow-demo-{seed}"


def prepare_dir(root: Path) -> None:
    """An empty folder or an earlier demo (wiped); anything else is refused."""
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise DemoError(
                f"{root} 不是空文件夹，也不是演示文件夹 / is not empty and holds no earlier demo; "
                "choose another --dir or an empty folder"
            )
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)


def make_installation(root: Path) -> Config:
    """The shared-folder tree and templates around the generated config.yaml (as ``salesflow init``)."""
    try:
        from automation.templates.installer import init_installation
    except ImportError:  # pragma: no cover - only while the installer is being built
        cfg = load_config(root / "config.yaml")
        for p in (
            cfg.archive,
            cfg.rejected,
            cfg.reports,
            cfg.outbox,
            *(cfg.inbox / n for n in cfg.folder_names()),
        ):
            p.mkdir(parents=True, exist_ok=True)
        return cfg
    init_installation(root)
    return load_config(root / "config.yaml")


def _use_ledger(config_path: Path, ledger_url: str) -> None:
    import yaml

    from automation.demo.company import dump_config

    data = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    dump_config({**data, "ledger_url": ledger_url}, config_path)


def run_demo(
    root: str | os.PathLike[str] | None = None,
    size: str = "small",
    seed: int = 7,
    *,
    end: date | None = None,
    libreoffice: bool = True,
    progress: bool = True,
    ledger_url: str = "",
) -> DemoReport:
    """Generate, drop and process a whole company; returns the report (see module docstring).
    ``ledger_url``: the ledger to record into (default: SQLite in the demo's state folder); the
    tests run the same company into PostgreSQL and SQLite and compare what each writes."""
    started = datetime.now()
    end = end or clock.today()
    rootp = Path(root) if root is not None else default_dir(seed)
    rootp = rootp.expanduser().resolve()
    prepare_dir(rootp)
    (rootp / MARKER).write_text(
        json.dumps({"size": size, "seed": seed, "end": end.isoformat()}), encoding="utf-8"
    )
    gen = generate(rootp, size, seed, end, libreoffice=libreoffice)
    if ledger_url:
        _use_ledger(gen.config_path, ledger_url)
    from tqdm import tqdm

    from automation.consolidate import rebuild_dirty
    from automation.ledger import open_ledger
    from automation.pipeline.stages import process

    config = make_installation(rootp)
    report = DemoReport(rootp, gen.config_path, size, seed)
    report.expected = Counter(e["expected"] for e in gen.entries)
    saved = os.environ.get(clock.ENV_VAR)
    ledger = open_ledger(config)
    try:
        # received order (SPEC §2 Order): the manifest's time order, ties by inbox path as in any batch
        entries = sorted(gen.entries, key=lambda e: (e["received"], tie_key(e["path"])))
        for e in tqdm(entries, desc="demo", unit="file", disable=not progress):
            src = rootp / DROPS / e["path"]
            dst = config.inbox / e["path"]
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
            received = datetime.fromisoformat(e["received"])
            os.environ[clock.ENV_VAR] = (received + timedelta(seconds=SETTLE_SECONDS)).isoformat()
            outcome = process(dst, config, ledger=ledger, folder=e["folder"], specs=ledger.specs)
            report.dropped += 1
            report.outcomes[outcome.status] += 1
            if outcome.status == REJECTED and e["mistake"] not in {m for _, m in report.rejections}:
                report.rejections.append((e["path"], e["mistake"]))  # one example of each planted mistake
            if outcome.status != e["expected"]:
                report.surprises.append(
                    {**e, "outcome": outcome.status, "messages": list(outcome.messages)[:3]}
                )
        _figures(report, config, ledger, end)
        os.environ[clock.ENV_VAR] = _evening(end).isoformat()
        report.workbooks = rebuild_dirty(config, ledger)  # as the watcher would after the last burst
        report.outbox = _outbox(config, ledger, end)  # after the rebuild: the weekly mail attaches them
    finally:
        ledger.close()
        if saved is None:
            os.environ.pop(clock.ENV_VAR, None)
        else:
            os.environ[clock.ENV_VAR] = saved
    report.ledger = config.database_url
    report.archive, report.rejected = config.archive, config.rejected
    report.seconds = (datetime.now() - started).total_seconds()
    return report


def latest_full_week(end: date) -> tuple[str, date]:
    """The last week whose working days are all over by ``end`` (Sunday ``end`` counts its own week)."""
    from automation.core.workcal import week_key

    sunday = end if end.isoweekday() == 7 else end - timedelta(days=end.isoweekday())
    return week_key(sunday), sunday


def _figures(report: DemoReport, config: Config, ledger: Any, end: date) -> None:
    try:
        from automation.score import compute_all
    except ImportError:  # pragma: no cover - only while figures are being built
        return
    week, sunday = latest_full_week(end)
    out = compute_all(ledger.frames(), config, week, as_of=sunday)
    sc = out["scorecards"]["week"]
    rows = sc[sc["level"].isin(["company", "region"])]
    report.week = week
    report.headline = [
        {
            "level": r["level"],
            "owner": r["owner"],
            "name": r["name"],
            **{k: _plain(r.get(k)) for k in HEADLINE},
        }
        for r in rows.sort_values(
            "level", key=lambda s: s.map({"company": 0, "region": 1}), kind="stable"
        ).to_dict("records")
    ]


def _outbox(config: Config, ledger: Any, end: date) -> Path:
    """The mail the company would have got: the latest full week's summaries (as on the Monday
    after it at 08:00) and the last day's brief, reminders and notices (as that evening at 21:00),
    written as .eml into outbox/ (nothing is sent: the demo has no mail server)."""
    from automation.pipeline import send_mail

    week, sunday = latest_full_week(end)
    monday = datetime.combine(sunday + timedelta(days=1), datetime.min.time()).replace(hour=8)
    for now, kw in ((monday, {"week": week}), (_evening(end), {"day": end})):
        os.environ[clock.ENV_VAR] = now.isoformat()
        send_mail(config, ledger=ledger, now=now, **kw)  # type: ignore[arg-type]
    return config.outbox


def _evening(end: date) -> datetime:
    """The last day's evening, 21:00: when the demo's day ends."""
    return datetime.combine(end, datetime.min.time()).replace(hour=21)


def _plain(v: Any) -> Any:
    """Numbers as plain floats rounded for display and comparison (NaN / NA -> None)."""
    try:
        import pandas as pd

        if v is None or pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, str):
        return v
    try:
        return round(float(v), 4)
    except (TypeError, ValueError):
        return str(v)


def format_report(r: DemoReport) -> str:
    """The short closing report, in Chinese and English."""
    o = r.outcomes
    lines = [
        f"演示完成 / demo finished in {r.seconds:.0f} s — {r.size} company, seed {r.seed}, folder {r.root}",
        f"投放文件 / files dropped: {r.dropped} = 接受 accepted {o['accepted']} + 退回 rejected {o['rejected']}"
        f" + 重复 duplicates {o['duplicate']} + 忽略 ignored {o['ignored']}"
        + (f"  (失败 failed {o['failed']})" if o["failed"] else ""),
    ]
    if r.rejections:
        lines.append("退回示例 / why some were rejected (feedback workbooks beside them in rejected/):")
        lines += [f"  {MISTAKES.get(kind, kind)}: {path}" for path, kind in r.rejections]
    if r.surprises:
        lines.append(
            f"与预期不同 / differs from the manifest: {len(r.surprises)} file(s), e.g. {r.surprises[0]['path']}"
        )
    if r.headline:
        lines.append(f"最近一周 / latest week {r.week}:")
        lines.append(
            f"  {'':14}{'拜访 visits':>12}{'有效率 eff.':>12}{'销售额 sales':>16}{'达成 attain.':>14}"
            f"{'新客户 new':>11}{'准时率 on time':>16}"
        )
        for h in r.headline:
            label = "公司 company" if h["level"] == "company" else f"{h['name'] or h['owner']}"
            lines.append(
                f"  {label:14}{_n(h['visits'], 0):>12}{_pct(h['effective_rate']):>12}{_n(h['sales'], 2):>16}"
                f"{_pct(h['sales_attainment']) + ' ' + (h['sales_status'] or ''):>14}{_n(h['new_customers'], 0):>11}"
                f"{_pct(h['on_time_rate']):>16}"
            )
    lines += [
        f"账本 / ledger:        {r.ledger}",
        f"归档 / archive:       {r.archive}",
        f"退回与反馈 / rejected + feedback: {r.rejected}",
        f"邮件 / outbox (.eml): {r.outbox}",
        f"配置 / config:        {r.config_path}",
    ]
    if r.workbooks:
        weeks = sorted({p.parent.name for p in r.workbooks})
        lines.append(
            f"汇总工作簿 / workbooks: {len(r.workbooks)} file(s) for {len(weeks)} week(s) in {r.workbooks[0].parent.parent}"
        )
        latest = [p for p in r.workbooks if p.parent.name == (r.week or weeks[-1])]
        lines += [f"  {p}" for p in sorted(latest)]
    return "\n".join(lines)


def _n(v: Any, places: int) -> str:
    return "-" if v is None else f"{float(v):,.{places}f}"


def _pct(v: Any) -> str:
    return "-" if v is None else f"{float(v):.0%}"


__all__ = ["DemoError", "DemoReport", "MANIFEST", "format_report", "latest_full_week", "run_demo"]
