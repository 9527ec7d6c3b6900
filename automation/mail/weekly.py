"""The weekly summaries (SPEC §4): per region supervisor, per manager, per rep.

The figures are computed once for the company (:func:`automation.score.compute_all`, plus the
week's day-by-day trend from :func:`automation.score.daily.by_day`), then each recipient gets
:func:`automation.mail.routing.view` of them: a supervisor's message is built from the region's
rows only, a rep's from their own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from automation.consolidate import paths
from automation.core.config import Config
from automation.core.texts.mail import FORM_NAMES, labels
from automation.core.workcal import default_as_of, parse_week
from automation.mail import blocks, fmt, routing
from automation.mail.draft import Attachment, Draft
from automation.mail.routing import MANAGER, REP, SUPERVISOR, Recipient
from automation.score import compute_all
from automation.score.common import rep_universe
from automation.score.daily import by_day


def week_figures(config: Config, frames: Any, week: str, now: datetime) -> dict[str, Any]:
    """Company-wide figures of ``week`` as of the earlier of its Sunday and the product clock's
    reference date, with the week's ``by_day`` rows added."""
    start, end = parse_week(week)
    as_of = min(end, default_as_of(now, config))
    figs = compute_all(frames, config, week, as_of=as_of)
    figs["by_day"] = by_day(frames, config, start, min(end, max(as_of, start)), rep_universe(frames))
    return figs


def drafts(config: Config, figs: dict[str, Any], ledger: Any, awaiting: list[dict[str, Any]]) -> list[Draft]:
    """Every weekly message: supervisors, managers, then reps (each with an address)."""
    out: list[Draft] = []
    for who in routing.weekly_audience(config):
        if not who.email:
            continue
        v = routing.view(figs, routing.scope_of(config, who))
        if who.role == SUPERVISOR:
            out.append(supervisor(config, who, v))
        elif who.role == MANAGER:
            out.append(manager(config, who, v))
        elif who.role == REP:
            rep = config.rep(who.id)
            if rep is not None and rep.go_live <= figs["periods"]["week"].end:
                mine = routing.visible_records(config, routing.scope_of(config, who), awaiting)
                out.append(rep_summary(config, who, v, mine))
    return out


def _base(config: Config, who: Recipient, v: dict[str, Any], kind: str) -> tuple[dict[str, Any], str]:
    t = labels(who.language)
    week = v["periods"]["week"]
    period = t["period"].format(
        start=week.start.isoformat(),
        end=week.as_of.isoformat() if week.as_of >= week.start else week.start.isoformat(),
    )
    ctx = {
        "lang": who.language, "t": t, "company": config.company, "week": week.key, "period": period,
        "hello": t["hello"].format(name=who.name), "notes": [],
    }  # fmt: skip
    return ctx, week.key


def supervisor(config: Config, who: Recipient, v: dict[str, Any]) -> Draft:
    ctx, week = _base(config, who, v, "supervisor")
    t = ctx["t"]
    sup = next(s for s in config.supervisors if s.id == who.id)
    region = config.region(sup.region)
    rname = region.label(who.language) if region else sup.region
    names = blocks.rep_names(config)
    sc, mtd = v["scorecards"]["week"], v["scorecards"]["mtd"]
    overdue_a, more_a = blocks.limited(
        blocks.overdue_customers(v["policy"], names, who.language, ("A",)), who.language
    )
    complaints, more_c = blocks.limited(
        blocks.overdue_complaints(v["complaints"], v["customers"], names, who.language), who.language
    )
    ctx.update(
        title=t["subj_weekly_supervisor"].format(region=rname, week=week),
        intro=t["intro_weekly_supervisor"].format(region=rname, week=week, period=ctx["period"]),
        kpis=blocks.kpis(blocks.one(sc, "region", sup.region), who.language),
        kpis_mtd=blocks.kpis(blocks.one(mtd, "region", sup.region), who.language),
        mtd_key=f'{v["periods"]["mtd"].key} {t["mtd"]}',
        process=blocks.process(blocks.one(sc, "region", sup.region), who.language),
        people=blocks.people_rows(blocks.ranked(sc, "rep"), who.language, names),
        trend=blocks.trend(config, v["by_day"], "region", sup.region, v["periods"]["week"].as_of, who.language),
        overdue_a=overdue_a, overdue_a_more=more_a,
        missing=blocks.missing_reports(v["timeliness"], names),
        complaints=complaints, complaints_more=more_c,
    )  # fmt: skip
    attach = [
        Attachment(paths.region_workbook(config, week, sup.region)),
        Attachment(paths.weekly_report_form(config, week, sup.id)),
    ]
    return Draft(
        key=f"weekly:{week}:supervisor:{who.id}", kind="weekly", period=week, template="weekly_supervisor",
        lang=who.language, to=[who], subject=ctx["title"], context=ctx, attachments=attach,
        stem=f"weekly-supervisor {who.id} {who.name}",
    )  # fmt: skip


def manager(config: Config, who: Recipient, v: dict[str, Any]) -> Draft:
    ctx, week = _base(config, who, v, "manager")
    t = ctx["t"]
    names = blocks.rep_names(config)
    rnames = blocks.region_names(config, who.language)
    sc, mtd = v["scorecards"]["week"], v["scorecards"]["mtd"]
    behind = [r for r in blocks.ranked(sc, "rep") if fmt.status_key(r.get("sales_status")) == "red"]
    complaints, more_c = blocks.limited(
        blocks.overdue_complaints(v["complaints"], v["customers"], names, who.language), who.language
    )
    ctx.update(
        title=t["subj_weekly_manager"].format(company=config.company, week=week),
        intro=t["intro_weekly_manager"].format(company=config.company, week=week, period=ctx["period"]),
        kpis=blocks.kpis(blocks.one(sc, "company"), who.language),
        kpis_mtd=blocks.kpis(blocks.one(mtd, "company"), who.language),
        mtd_key=f'{v["periods"]["mtd"].key} {t["mtd"]}',
        process=blocks.process(blocks.one(sc, "company"), who.language),
        regions=blocks.people_rows(blocks.ranked(sc, "region"), who.language, rnames),
        people=blocks.people_rows(behind, who.language, names),
        trend=blocks.trend(config, v["by_day"], "company", "", v["periods"]["week"].as_of, who.language),
        complaints=complaints, complaints_more=more_c,
    )  # fmt: skip
    attach = [Attachment(paths.company_workbook(config, week))]
    return Draft(
        key=f"weekly:{week}:manager:{who.id}", kind="weekly", period=week, template="weekly_manager",
        lang=who.language, to=[who], subject=ctx["title"], context=ctx, attachments=attach,
        stem=f"weekly-manager {who.id} {who.name}",
    )  # fmt: skip


def rep_summary(config: Config, who: Recipient, v: dict[str, Any], awaiting: list[dict[str, Any]]) -> Draft:
    ctx, week = _base(config, who, v, "rep")
    t = ctx["t"]
    names = blocks.rep_names(config)
    sc, mtd = v["scorecards"]["week"], v["scorecards"]["mtd"]
    overdue, more = blocks.limited(blocks.overdue_customers(v["policy"], names, who.language), who.language)
    forms = FORM_NAMES[_l(who)]
    ctx.update(
        title=t["subj_weekly_rep"].format(week=week),
        intro=t["intro_weekly_rep"].format(week=week, period=ctx["period"]),
        kpis=blocks.kpis(blocks.one(sc, "rep", who.id), who.language),
        kpis_mtd=blocks.kpis(blocks.one(mtd, "rep", who.id), who.language),
        mtd_key=f'{v["periods"]["mtd"].key} {t["mtd"]}',
        process=blocks.process(blocks.one(sc, "rep", who.id), who.language),
        overdue=overdue, overdue_more=more,
        missing=blocks.missing_reports(v["timeliness"], names),
        awaiting=[{"file": a["file"], "form": forms.get(a.get("form") or "", a.get("form") or ""),
                   "period": a.get("period_key") or "", "received": (a.get("received_at") or "")[:16].replace("T", " ")}
                  for a in awaiting],
    )  # fmt: skip
    return Draft(
        key=f"weekly:{week}:rep:{who.id}", kind="weekly", period=week, template="weekly_rep",
        lang=who.language, to=[who], subject=ctx["title"], context=ctx,
        stem=f"weekly-rep {who.id} {who.name}",
    )  # fmt: skip


def _l(who: Recipient) -> str:
    return "en" if who.language == "en" else "zh"
