"""The daily messages: the morning brief per supervisor (早会) and missing-report reminders.

Figures come from :mod:`automation.score.daily` (day-by-rep results, the day's plans, missing
streaks) and :func:`automation.score.timeliness.day_verdicts`; each recipient sees
:func:`automation.mail.routing.view` of them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from automation.core.config import Config
from automation.core.texts.mail import labels
from automation.core.workcal import Period, WorkCalendar
from automation.mail import blocks, fmt, routing
from automation.mail.draft import Draft
from automation.mail.routing import Recipient
from automation.score import daily as fd
from automation.score import timeliness as tml
from automation.score.common import rep_universe


def day_figures(config: Config, frames: Any, day: date) -> dict[str, Any]:
    """What the brief of ``day`` shows: the previous working day's results per rep and its
    report verdicts, and ``day``'s plans."""
    cal = WorkCalendar(config)
    reps = rep_universe(frames)
    yday = fd.previous_working_day(cal, day)
    return {
        "day": day,
        "yday": yday,
        "by_day": fd.by_day(frames, config, yday, yday, reps),
        "timeliness": tml.day_verdicts(frames, config, Period("week", "", yday, yday, yday), cal, reps),
        "plans": fd.plans_on(frames, day),
    }


def briefs(config: Config, figs: dict[str, Any]) -> list[Draft]:
    """One morning brief per supervisor with an address."""
    return [brief(config, who, routing.view(figs, routing.scope_of(config, who)), figs)
            for who in routing.supervisors(config) if who.email]  # fmt: skip


def brief(config: Config, who: Recipient, v: dict[str, Any], figs: dict[str, Any]) -> Draft:
    t = labels(who.language)
    day, yday = figs["day"], figs["yday"]
    sup = next(s for s in config.supervisors if s.id == who.id)
    region = config.region(sup.region)
    rname = region.label(who.language) if region else sup.region
    verdicts = {str(r["rep_id"]): str(r["verdict"]) for r in v["timeliness"].to_dict("records")}

    def purpose(key: Any) -> str:
        return blocks.choice_label(config, "visit_plan", "purpose", key, who.language)

    rows = v["by_day"]
    rows = rows[rows["level"] == "rep"] if not rows.empty else rows
    plans = v["plans"]
    people = []
    for r in rows.to_dict("records") if not rows.empty else []:
        rep_id = str(r["owner"])
        rep = config.rep(rep_id)
        if rep is None or rep.go_live > day:
            continue
        outcomes = ", ".join(f"{t[o]} {int(r[f'outcome_{o}'])}" for o in fd.OUTCOMES if r[f"outcome_{o}"])
        mine = plans[plans["rep_id"].astype(str) == rep_id] if not plans.empty else plans
        verdict = verdicts.get(rep_id, "")
        people.append(
            {
                "name": rep.name, "visits": fmt.count(r["visits"]), "effective": fmt.count(r["effective_visits"]),
                "orders": fmt.count(r["transactions"]), "sales": fmt.money(r["sales"]),
                "collections": fmt.money(r["collections"]), "outcomes": outcomes or "–",
                "report": t.get(verdict, "–"), "report_color": fmt.COLORS["red" if verdict == "missing" else "amber" if verdict == "late" else "green"],
                "plans": [f"{p['customer']}（{purpose(p['purpose'])}）" if who.language == "zh"
                          else f"{p['customer']} ({purpose(p['purpose'])})"
                          for p in mine.to_dict("records")] if not mine.empty else [],
            }
        )  # fmt: skip
    total = v["by_day"]
    total = total[total["level"] == "region"] if not total.empty else total
    tot = total.iloc[0].to_dict() if len(total) else {}
    title = t["subj_brief"].format(region=rname, day=day.isoformat())
    ctx = {
        "lang": who.language, "t": t, "company": config.company, "title": title, "notes": [],
        "hello": t["hello"].format(name=who.name),
        "intro": t["intro_brief"].format(yday=yday.isoformat(), day=day.isoformat()),
        "yesterday": t["yesterday"].format(day=yday.isoformat()),
        "today": t["today_plans"].format(day=day.isoformat()),
        "plans_by": t["plans_by"].format(time=config.mail.brief_time.strftime("%H:%M")),
        "people": people,
        "total": {"visits": fmt.count(tot.get("visits")), "effective": fmt.count(tot.get("effective_visits")),
                  "orders": fmt.count(tot.get("transactions")), "sales": fmt.money(tot.get("sales")),
                  "collections": fmt.money(tot.get("collections"))},
    }  # fmt: skip
    return Draft(
        key=f"brief:{day.isoformat()}:{who.id}", kind="brief", period=day.isoformat(), template="brief",
        lang=who.language, to=[who], subject=title, context=ctx, stem=f"brief {who.id} {who.name}",
    )  # fmt: skip


def reminders(config: Config, frames: Any, day: date) -> list[Draft]:
    """One reminder per live rep whose visit report for ``day`` is missing; the supervisor is
    copied from the second missing working day in a row."""
    cal = WorkCalendar(config)
    streaks = fd.missing_streak(frames, config, day, cal, rep_universe(frames))
    out = []
    for r in streaks[streaks["streak"] > 0].to_dict("records"):
        rep_id, n = str(r["rep_id"]), int(r["streak"])
        to, cc = routing.reminder(config, rep_id, n)
        if not to or not to[0].email:
            continue
        who = to[0]
        t = labels(who.language)
        deadline = config.deadlines.visit_report.strftime("%H:%M")
        subject = (t["subj_reminder_cc"].format(day=day.isoformat(), name=who.name, n=n) if cc
                   else t["subj_reminder"].format(day=day.isoformat()))  # fmt: skip
        ctx = {
            "lang": who.language, "t": t, "company": config.company, "title": subject, "notes": [],
            "hello": t["hello"].format(name=who.name),
            "intro": t["intro_reminder"].format(day=day.isoformat(), deadline=deadline),
            "streak": t["intro_reminder_streak"].format(n=n) if n >= 2 else "",
            "days": [fmt.day(d) for d in r["missing_days"]],
            "deadline": deadline,
        }  # fmt: skip
        out.append(
            Draft(
                key=f"reminder:{day.isoformat()}:{rep_id}",
                kind="reminder",
                period=day.isoformat(),
                template="reminder",
                lang=who.language,
                to=to,
                cc=[c for c in cc if c.email],
                subject=subject,
                context=ctx,
                stem=f"reminder {rep_id} {who.name}",
            )  # fmt: skip
        )
    return out
