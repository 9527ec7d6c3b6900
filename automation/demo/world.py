"""A simulated sales team going about its days: the facts every demo form is written from.

The simulation works on facts (who visited whom, what was ordered, which stage changed), not on
files; :mod:`automation.demo.writers` turns each :class:`Form` into a file and
:func:`automation.demo.generator.frames_of` turns the same facts into ledger frames. Each rep has its
own ``random.Random`` seeded from (seed, rep id), so one rep's days never depend on another's and
adding a rep does not reshuffle the rest. Nothing reads the wall clock or relies on set ordering.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from automation.demo import company as co

STAGES = ("unqualified", "prospect", "opportunity", "customer", "active_user", "lost")
# outcome probabilities by stage: deal, interested, follow_up, not_interested, not_met
_OUTCOMES = ("deal", "interested", "follow_up", "not_interested", "not_met")
_OUTCOME_P = {
    "unqualified": (0.01, 0.20, 0.35, 0.25, 0.19),
    "prospect": (0.05, 0.30, 0.35, 0.15, 0.15),
    "opportunity": (0.22, 0.30, 0.30, 0.08, 0.10),
    "customer": (0.26, 0.16, 0.26, 0.10, 0.22),
    "active_user": (0.30, 0.16, 0.24, 0.08, 0.22),
    "lost": (0.02, 0.08, 0.20, 0.50, 0.20),
}
_PURPOSES = {
    "unqualified": ("new_customer", "market_research"),
    "prospect": ("new_customer", "new_customer", "market_research"),
    "opportunity": ("order", "new_customer", "other"),
    "customer": ("order", "service", "collection", "order"),
    "active_user": ("order", "service", "collection"),
    "lost": ("service", "other"),
}
_INTERVAL = {
    "unqualified": 21,
    "prospect": 14,
    "opportunity": 7,
    "customer": 10,
    "active_user": 12,
    "lost": 60,
}
_COMPETITOR_NEWS = ("理光推出新款复印机，报价低8%", "佳能在做以旧换新活动", "京瓷给了三个月免费耗材", "惠普经销商上门演示",
                    "本地小公司低价抢单", "富士施乐降价促销")  # fmt: skip
_FEEDBACK = (
    "对价格比较敏感",
    "希望交货更快",
    "对上次维修满意",
    "要求增加培训",
    "考虑明年预算",
    "对售后响应有意见",
)
_NEXT_STEP = ("发正式报价", "安排产品演示", "跟进合同", "催收货款", "安排工程师上门", "约决策人面谈")
_REFLECTIONS = ("今天客户对租赁方案兴趣很大", "要多关注老客户的耗材需求", "拜访前要先电话预约", "报价要更灵活",
                "", "", "")  # fmt: skip
_OBJECTIVES = ("了解采购计划", "确认报价", "签订合同", "收回上月货款", "处理打印机故障", "介绍新品")
_COMPLAINTS = ("复印机频繁卡纸", "耗材送货延迟三天", "维修工程师未按约上门", "发票开错需重开", "价格比合同高")
_RESOLUTIONS = ("已更换配件", "已补发并致歉", "已重新安排上门", "已重开发票", "已按合同价退差")
_MARKET = ("理光新款A3彩色复合机上市", "佳能在本区域促销打八折", "纸张价格上涨5%", "经销商抱怨账期太长",
           "客户采购经理离职", "用户反映新机型噪音大")  # fmt: skip

# What a rep using the English template writes instead (free text follows the form's language).
EN_TEXT = {
    "理光推出新款复印机，报价低8%": "Ricoh launched a new copier, 8% cheaper", "佳能在做以旧换新活动": "Canon runs a trade-in offer",
    "京瓷给了三个月免费耗材": "Kyocera gives 3 months of free supplies", "惠普经销商上门演示": "HP dealer did an on-site demo",
    "本地小公司低价抢单": "a local firm undercuts on price", "富士施乐降价促销": "Fuji Xerox price promotion",
    "对价格比较敏感": "price sensitive", "希望交货更快": "wants faster delivery", "对上次维修满意": "happy with the last repair",
    "要求增加培训": "asks for more training", "考虑明年预算": "planning next year's budget",
    "对售后响应有意见": "unhappy with after-sales response", "发正式报价": "send formal quote",
    "安排产品演示": "arrange a demo", "跟进合同": "follow up the contract", "催收货款": "chase payment",
    "安排工程师上门": "send an engineer", "约决策人面谈": "meet the decision maker",
    "今天客户对租赁方案兴趣很大": "customers liked the leasing offer today", "要多关注老客户的耗材需求": "watch supplies for old customers",
    "拜访前要先电话预约": "call ahead before visits", "报价要更灵活": "quotes need more flexibility",
    "了解采购计划": "learn purchase plans", "确认报价": "confirm the quote", "签订合同": "sign the contract",
    "收回上月货款": "collect last month's payment", "处理打印机故障": "fix the printer fault", "介绍新品": "present new models",
    "复印机频繁卡纸": "copier jams often", "耗材送货延迟三天": "supplies delivered 3 days late",
    "维修工程师未按约上门": "engineer missed the appointment", "发票开错需重开": "wrong invoice, reissue needed",
    "价格比合同高": "price above contract", "已更换配件": "parts replaced", "已补发并致歉": "resent with apology",
    "已重新安排上门": "visit rescheduled", "已重开发票": "invoice reissued", "已按合同价退差": "difference refunded",
    "理光新款A3彩色复合机上市": "Ricoh new A3 colour MFP on sale", "佳能在本区域促销打八折": "Canon 20% off in our region",
    "纸张价格上涨5%": "paper prices up 5%", "经销商抱怨账期太长": "dealers complain about long payment terms",
    "客户采购经理离职": "customer's purchasing manager left", "用户反映新机型噪音大": "users say the new model is noisy",
    "建议跟进价格政策": "review pricing", "申请促销支持": "ask for promotion support", "加强售后": "strengthen after-sales",
    "重点跟进A类客户": "focus on A customers", "加强新客户开发": "more new-customer visits", "催收逾期货款": "collect overdue payments",
    "推广租赁方案": "promote leasing", "两家客户连续两周未下单，已安排拜访": "two customers without orders for 2 weeks; visits planned",
    "无": "none", "一家客户投诉未解决": "one complaint still open",
    "新人拜访量不足，安排老员工带教": "new reps visit too little; pairing them with seniors",
    "报价流程慢，已申请简化": "quote approval is slow; asked to simplify",
}  # fmt: skip


def translate(forms: list[Form]) -> None:
    """Free text in the forms of English-template users, in English (facts share these dicts)."""
    for f in forms:
        if f.lang != "en":
            continue
        for values in (f.info, *f.rows):
            for k, v in values.items():
                if isinstance(v, str) and v in EN_TEXT:
                    values[k] = EN_TEXT[v]


@dataclass(eq=False)
class Customer:
    """One customer as the rep knows it; ``cid`` is the id the ledger would assign (frames mode)."""

    cid: str
    owner: str
    region: str
    name: str
    credit_code: str
    industry: str
    size: str
    address: str
    contact: str
    contact_role: str
    phone: str
    email: str
    source: str
    stage: str
    potential_value: float
    credit_limit: float
    main_business: str
    suppliers: str
    needs: str
    preferences: str
    created: date
    last_visit: date | None = None
    receivable: float = 0.0
    history: list[tuple[str, datetime]] = field(default_factory=list)  # (stage, changed_at)

    def row(self) -> dict[str, Any]:
        """The customer as a register row (customer_id blank: the product assigns it)."""
        keys = ("name", "credit_code", "industry", "size", "region", "address", "contact", "contact_role", "phone",
                "email", "source", "stage", "potential_value", "credit_limit", "main_business", "suppliers",
                "needs", "preferences", "created")  # fmt: skip
        return {"customer_id": None, **{k: getattr(self, k) for k in keys}, "_customer": self}


@dataclass
class Form:
    """One form a person would drop: values are Python values and choice keys, not yet formatted."""

    form: str
    folder: str
    person: str
    lang: str
    received: datetime
    period: str
    info: dict[str, Any]
    rows: list[dict[str, Any]]
    expected: str = "accepted"
    mistake: str = ""


@dataclass
class Day:
    """A rep's facts for one working day (frames mode reads these directly)."""

    rep: str
    day: date
    planned: list[tuple[Customer, str]]
    visits: list[dict[str, Any]]
    reported: bool = True


class World:
    """Runs the whole company from ``start`` to ``end`` and collects forms and facts."""

    def __init__(
        self,
        cfg: dict[str, Any],
        seed: int,
        start: date,
        end: date,
        customers_per_rep: float = 56,
        initial: float = 0.85,
        new_per_day: float = 0.12,
        visits_per_day: float = 5.5,
        weeks: float = 4,
    ):
        self.cfg, self.seed, self.start, self.end = cfg, seed, start, end
        self.customers_per_rep = customers_per_rep
        self.initial, self.new_per_day, self.visits_per_day = initial, new_per_day, visits_per_day
        cal = cfg.get("calendar") or {}
        self.weekdays = set(cal.get("weekdays") or [1, 2, 3, 4, 5])
        self.holidays = {co._as_date(d) for d in cal.get("holidays") or []}
        self.workdays = {co._as_date(d) for d in cal.get("workdays") or []}
        self.forms: list[Form] = []
        self.days: list[Day] = []
        self.customers: list[Customer] = []
        self.complaints: list[dict[str, Any]] = []
        self._names: set[str] = set()
        self._n_customers = 0

    # ----- calendar ---------------------------------------------------------------------------
    def working(self, d: date) -> bool:
        if d in self.workdays:
            return True
        return d.isoweekday() in self.weekdays and d not in self.holidays

    def dates(self) -> list[date]:
        n = (self.end - self.start).days + 1
        return [self.start + timedelta(days=i) for i in range(n)]

    # ----- customers ----------------------------------------------------------------------------
    def new_customer(self, rng: random.Random, rep: dict[str, Any], created: date, stage: str) -> Customer:
        city, area, division = rng.choice(co.REGION_CITIES.get(rep["region"], co.REGION_POOL[0][3]))
        industry = rng.choice(sorted(co.INDUSTRY_WORDS))
        while True:
            name = (
                city
                + rng.choice(co.BRANDS)
                + rng.choice(co.INDUSTRY_WORDS[industry])
                + rng.choice(co.SUFFIXES)
            )
            if name not in self._names:
                break
            name = (
                city
                + rng.choice(co.BRANDS)
                + rng.choice(co.BRANDS)
                + rng.choice(co.INDUSTRY_WORDS[industry])
                + "有限公司"
            )
            if name not in self._names:
                break
        self._names.add(name)
        self._n_customers += 1
        zh, en = co.person_name(rng)
        potential = round(rng.lognormvariate(11.8, 0.8), -3)
        c = Customer(
            cid=f"C{self._n_customers:06d}",
            owner=rep["id"],
            region=rep["region"],
            name=name,
            credit_code=co.credit_code(rng, division) if rng.random() < 0.7 else "",
            industry=industry,
            size=rng.choice(("lt50", "lt50", "50-199", "50-199", "200-999", "1000+")),
            address=f"{city}市{rng.choice(co.STREETS)}{rng.randrange(1, 999)}号",
            contact=zh,
            contact_role=rng.choice(("decision_maker", "purchaser", "purchaser", "user_head", "other")),
            phone=co.mobile(rng) if rng.random() < 0.85 else co.landline(rng, area),
            email=f"{en.split()[1].lower()}.{en.split()[0].lower()}@{rng.choice(('163.com', 'qq.com', 'sina.com'))}"
            if rng.random() < 0.4
            else "",
            source=rng.choice(
                ("outbound", "outbound", "referral", "trade_show", "web", "advertising", "other")
            ),
            stage=stage,
            potential_value=potential,
            credit_limit=round(potential * rng.choice((0.1, 0.2, 0.3)), -3)
            if stage in ("customer", "active_user")
            else 0.0,
            main_business=rng.choice(co.MAIN_BUSINESS),
            suppliers=rng.choice(co.SUPPLIERS),
            needs=rng.choice(co.NEEDS),
            preferences=rng.choice(co.PREFERENCES),
            created=created,
        )
        self.customers.append(c)
        return c

    # ----- the simulation ---------------------------------------------------------------------
    def run_reps(self) -> None:
        """Simulate every rep (supervisors and HQ come after: :func:`automation.demo.office.run`
        reads what reps did)."""
        for rep in self.cfg["reps"]:
            self._run_rep(rep, random.Random(f"{self.seed}:{rep['id']}"))

    def finish(self) -> None:
        """Every form in its rep's language, in received order."""
        translate(self.forms)
        self.forms.sort(key=lambda f: (f.received, f.folder, f.form))

    def at(self, d: date, rng: random.Random, lo: float, hi: float) -> datetime:
        """A time of day between ``lo`` and ``hi`` hours, to the second."""
        secs = int(rng.uniform(lo, hi) * 3600)
        return datetime.combine(d, time()) + timedelta(seconds=secs)

    def _run_rep(self, rep: dict[str, Any], rng: random.Random) -> None:
        go_live = max(co._as_date(rep.get("go_live", self.start)), self.start)
        rid, lang = rep["id"], rep.get("language", "zh")
        days = [d for d in self.dates() if d >= go_live and self.working(d)]
        if not days:
            return
        n0 = int(self.customers_per_rep * self.initial)
        mine: list[Customer] = []
        for _ in range(n0):
            created = go_live - timedelta(days=rng.randrange(1, 58))
            stage = rng.choices(STAGES[:5], weights=(10, 30, 20, 25, 15))[0]
            c = self.new_customer(rng, rep, created, stage)
            c.history.append((stage, datetime.combine(created, time())))
            c.last_visit = created + timedelta(days=rng.randrange(0, max(1, (go_live - created).days)))
            mine.append(c)
        first = self.at(days[0], rng, 7.0, 7.3)  # before the day's first plan
        self.forms.append(
            Form("customer_register", rid, rid, lang, first, "", {"rep_id": rid}, [c.row() for c in mine])
        )
        pending_new: list[Customer] = []
        changed: dict[str, Customer] = {}
        visits_per_day = self.visits_per_day
        open_complaints: list[dict[str, Any]] = []
        for d in days:
            pending_ids = {c.cid for c in pending_new}
            known = [c for c in mine if c.cid not in pending_ids]
            # morning: the plan
            k = max(2, min(len(known), int(rng.gauss(visits_per_day, 1.2))))
            scored = sorted(
                known,
                key=lambda c: -(((d - (c.last_visit or c.created)).days / _INTERVAL[c.stage]) + rng.random()),
            )
            planned = [(c, rng.choice(_PURPOSES[c.stage])) for c in scored[:k]]
            # evening: what really happened
            visited = [(c, p) for c, p in planned if rng.random() > 0.1]
            extra = scored[k : k + (1 if rng.random() < 0.3 else 0)]
            visited += [(c, rng.choice(_PURPOSES[c.stage])) for c in extra]
            for oc in open_complaints[:1]:
                if all(v[0] is not oc["_customer"] for v in visited):
                    visited.append((oc["_customer"], "complaint"))
            visits = [self._visit(rng, d, c, p, changed) for c, p in visited]
            self.days.append(Day(rid, d, planned, visits))
            supervisor = next(
                (s["name"] for s in self.cfg.get("supervisors", []) if s["region"] == rep["region"]), ""
            )
            self.forms.append(Form("visit_plan", rid, rid, lang, self._plan_time(rng, d), d.isoformat(),
                                   {"rep_id": rid, "plan_date": d, "supervisor": supervisor if rng.random() < 0.5 else None},
                                   [self._plan_row(rng, c, p) for c, p in planned]))  # fmt: skip
            attendance = "travelling" if rng.random() < 0.08 else "present"
            if rng.random() < 0.02:  # forgot to send today's report: the day shows as missing
                self.days[-1].reported = False
            else:
                self.forms.append(Form("visit_report", rid, rid, lang, self._report_time(rng, d), d.isoformat(),
                                   {"rep_id": rid, "report_date": d, "attendance": attendance,
                                    "reflection": rng.choice(_REFLECTIONS) or None}, visits))  # fmt: skip
            # new customers found today go into the next register update
            if rng.random() < self.new_per_day and len(mine) < self.customers_per_rep * 1.4:
                c = self.new_customer(rng, rep, d, rng.choice(("unqualified", "prospect")))
                c.history.append((c.stage, datetime.combine(d, time())))
                pending_new.append(c)
                mine.append(c)
            # complaints: new ones, then updates once resolved
            self._complaints(rng, rep, d, visits, open_complaints)
            if rng.random() < 0.15:
                self._market(rng, rep, d, known)
            # Friday (or last working day of the week): register update with changes and new customers
            nxt = d + timedelta(days=1)
            week_end = d.isoweekday() == 5 or (nxt.isocalendar()[1] != d.isocalendar()[1]) or d == days[-1]
            if week_end and (pending_new or changed):
                when = self.at(d, rng, 17.2, 18.3)
                rows = [c.row() for c in sorted(changed.values(), key=lambda c: c.cid)] + [
                    c.row() for c in pending_new
                ]
                for c in changed.values():
                    c.history.append((c.stage, when))
                self.forms.append(Form("customer_register", rid, rid, lang, when, "", {"rep_id": rid}, rows))
                pending_new, changed = [], {}
            for c in pending_new:  # not registered yet: not visited before the update lands
                c.last_visit = d

    def _plan_time(self, rng: random.Random, d: date) -> datetime:
        return self.at(d, rng, 10.1, 11.5) if rng.random() < 0.05 else self.at(d, rng, 7.4, 9.8)

    def _report_time(self, rng: random.Random, d: date) -> datetime:
        """Most reports arrive 17:00-19:55; about one in fifteen after the 20:00 deadline."""
        return self.at(d, rng, 20.05, 22.9) if rng.random() < 0.065 else self.at(d, rng, 17.0, 19.92)

    def _plan_row(self, rng: random.Random, c: Customer, purpose: str) -> dict[str, Any]:
        h = rng.choice((9, 10, 11, 13, 14, 15, 16))
        return {"customer": c.name, "_customer": c, "area": c.address[:2] + rng.choice(("市区", "开发区", "新区")),
                "time_slot": f"{h:02d}:{rng.choice(('00', '30'))}-{h + 1:02d}:00", "purpose": purpose,
                "objective": rng.choice(_OBJECTIVES) if rng.random() < 0.7 else None}  # fmt: skip

    def _visit(
        self, rng: random.Random, d: date, c: Customer, purpose: str, changed: dict[str, Customer]
    ) -> dict[str, Any]:
        outcome = rng.choices(_OUTCOMES, weights=_OUTCOME_P[c.stage])[0]
        met = outcome != "not_met" and rng.random() < 0.45
        quoted = outcome in ("deal", "interested") and rng.random() < 0.6
        order = margin = quote = collection = 0.0
        if outcome == "deal":
            order = round(max(800.0, c.potential_value / 12 * rng.uniform(0.3, 1.6)), rng.choice((-2, 0, 2)))
            margin = round(order * rng.uniform(0.15, 0.35), 2)
            c.receivable += order
        if quoted:
            quote = round((order or c.potential_value / 12) * rng.uniform(1.0, 1.2), -1)
        if purpose == "collection" and c.receivable > 0 and outcome != "not_met":
            collection = round(c.receivable * rng.choice((0.5, 1.0)), 2)
            c.receivable -= collection
        old = c.stage
        if outcome == "deal" and c.stage in ("unqualified", "prospect", "opportunity", "lost"):
            c.stage = "customer"
        elif outcome == "deal" and c.stage == "customer" and rng.random() < 0.3:
            c.stage = "active_user"
        elif outcome in ("interested",) and c.stage in ("unqualified", "prospect"):
            c.stage = "opportunity" if c.stage == "prospect" else "prospect"
        elif outcome == "not_interested" and rng.random() < 0.08 and c.stage != "lost":
            c.stage = "lost"
        if c.stage != old:
            changed[c.cid] = c
        c.last_visit = d
        return {
            "customer": c.name, "_customer": c, "purpose": purpose, "outcome": outcome,
            "met_decision_maker": met, "quoted": quoted, "quote_amount": quote or None,
            "order_amount": order or None, "gross_margin": margin or None, "collection_amount": collection or None,
            "expense": round(rng.choice((0, 20, 35, 50, 80, 120, 200)) * rng.choice((1, 1, 1.5)), 2) or None,
            "complaint": None,
            "competitor_info": rng.choice(_COMPETITOR_NEWS) if rng.random() < 0.12 else None,
            "feedback": rng.choice(_FEEDBACK) if rng.random() < 0.3 else None,
            "next_visit": d + timedelta(days=rng.randrange(2, 22)) if rng.random() < 0.55 else None,
            "next_step": rng.choice(_NEXT_STEP) if rng.random() < 0.5 else None,
        }  # fmt: skip

    def _complaints(self, rng: random.Random, rep: dict[str, Any], d: date, visits: list[dict[str, Any]],
                    open_complaints: list[dict[str, Any]]) -> None:  # fmt: skip
        rid, lang = rep["id"], rep.get("language", "zh")
        rows: list[dict[str, Any]] = []
        for oc in list(open_complaints):
            if (d - oc["received"]).days >= oc["_days"]:
                oc.update(status=rng.choice(("resolved", "closed", "resolved")), resolved=d,
                          resolution=rng.choice(_RESOLUTIONS), satisfied=rng.random() < 0.8)  # fmt: skip
                rows.append(dict(oc))
                open_complaints.remove(oc)
        customers = [v["_customer"] for v in visits if v["_customer"].stage in ("customer", "active_user")]
        if customers and rng.random() < 0.06:
            c = rng.choice(customers)
            sev = rng.choice(("high", "medium", "medium", "low"))
            comp = {"complaint_id": None, "customer": c.name, "_customer": c, "received": d,
                    "category": rng.choice(("quality", "delivery", "service", "price", "other")),
                    "description": rng.choice(_COMPLAINTS), "severity": sev,
                    "status": rng.choice(("open", "in_progress")), "resolution": None, "resolved": None,
                    "satisfied": None, "_days": rng.choice((1, 2, 3, 5, 8, 12)), "_rep": rid}  # fmt: skip
            self.complaints.append(comp)
            open_complaints.append(comp)
            rows.append(dict(comp))
            for v in visits:
                if v["_customer"] is c:
                    v["complaint"] = comp["description"]
        if rows:
            self.forms.append(
                Form("complaint", rid, rid, lang, self.at(d, rng, 16.5, 19.5), "", {"rep_id": rid}, rows)
            )

    def _market(self, rng: random.Random, rep: dict[str, Any], d: date, known: list[Customer]) -> None:
        rows = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            c = rng.choice(known) if known and rng.random() < 0.6 else None
            rows.append({"customer": c.name if c else None, "_customer": c,
                         "category": rng.choice(("competitor_product", "competitor_promotion", "price_change",
                                                 "dealer_complaint", "staff_change", "consumer_feedback", "other")),
                         "competitor": rng.choice(co.SUPPLIERS[:5]) if rng.random() < 0.7 else None,
                         "description": rng.choice(_MARKET), "severity": rng.choice(("high", "medium", "low")),
                         "suggestion": rng.choice(("建议跟进价格政策", "申请促销支持", "加强售后", "")) or None})  # fmt: skip
        lang = rep.get("language", "zh")
        self.forms.append(Form("market_report", rep["id"], rep["id"], lang, self.at(d, rng, 17.5, 19.8), d.isoformat(),
                               {"rep_id": rep["id"], "report_date": d}, rows))  # fmt: skip
