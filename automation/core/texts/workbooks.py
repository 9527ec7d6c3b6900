"""Every word the consolidated workbooks show, in Chinese and English.

Figures keep the names :mod:`automation.core.texts.figures` gives them and form fields the labels of
their form spec, so a figure or a field is called the same in the workbook, the forms, the email and
``salesflow figures``. What only the workbooks say (sheet names, the summary's questions, notes,
list columns) lives here.
"""

from __future__ import annotations

from automation.core.formspec import BOOL_LABELS, FormSet
from automation.core.texts.figures import COLUMN_LABELS, VALUE_LABELS

SHEETS: dict[str, tuple[str, str]] = {  # Excel allows 31 characters and none of []:*?/\
    "summary": ("摘要", "Summary"),
    "scorecard": ("业绩", "Scorecard"),
    "customers": ("客户", "Customers"),
    "visits": ("本周拜访", "Visits"),
    "followups": ("待跟进", "Follow-ups"),
    "complaints": ("投诉", "Complaints"),
    "market": ("市场反映", "Market"),
    "submissions": ("报表呈交", "Submissions"),
    "commentary": ("主管周报", "Commentary"),
    "conflicts": ("客户冲突", "Conflicts"),
    "trends": ("趋势", "Trends"),
}

TEXT: dict[str, tuple[str, str]] = {
    # titles and the summary's questions
    "company_title": ("{company} 公司周报 {week}", "{company} weekly report {week}"),
    "region_title": ("{company} {region}区域周报 {week}", "{company} {region} region, week {week}"),
    "subtitle": (
        "{start} 至 {end} · 统计至 {as_of} · 已过工作日 {elapsed}/{working} · 生成于 {generated}",
        "{start} to {end} · figures to {as_of} · working days {elapsed}/{working} · made {generated}",
    ),
    "q_target": ("1  目标完成了吗？", "1  Are we on target?"),
    "q_behind": ("2  谁落后了？", "2  Who is behind?"),
    "q_working": ("3  销售员工作得好吗？", "3  Are reps working well?"),
    "q_customers": ("4  哪些客户需要关注？", "4  Which customers need attention?"),
    "q_market": ("5  市场在说什么？", "5  What is the market saying?"),
    "q_commentary": ("6  主管周报", "6  Supervisors' reports"),
    "see": ("查看 {sheet} →", "See {sheet} →"),
    "back": ("← 返回摘要", "← Back to the summary"),
    "metric": ("指标", "Figure"),
    "this_week": ("本周", "This week"),
    "target": ("目标", "Target"),
    "attainment": ("达成率", "Attainment"),
    "pace": ("应达进度", "Pace"),
    "status": ("状态", "Status"),
    "last_week": ("上周", "Last week"),
    "change": ("变化", "Change"),
    "mtd": ("本月至今", "Month to date"),
    "mtd_target": ("本月目标", "Month target"),
    "mtd_attainment": ("本月达成率", "Month attainment"),
    "mtd_status": ("本月状态", "Month status"),
    "forecast": ("本月预测", "Month forecast"),
    "behind_note": (
        "按本周销售达成率排序，落后的在前；共 {n} 人，完整名单见「{sheet}」。",
        "Sorted by this week's sales attainment, behind first; {n} in all, every one in '{sheet}'.",
    ),
    "working_note": ("本周；比率为本周合计。", "This week; rates over the week's totals."),
    "attention_counts": (
        "逾期未访的A/B类客户 {overdue} · 流失风险 {churn} · 超时未结投诉 {complaints} · 逾期跟进 {followups}",
        "A/B customers overdue for a visit {overdue} · at churn risk {churn} · open complaints past their limit "
        "{complaints} · follow-ups overdue {followups}",
    ),
    "market_none": ("本周没有高严重度的市场反映。", "No high-severity market report this week."),
    "market_count": (
        "本周市场反映 {n} 条，其中高严重度 {high} 条：",
        "{n} market report rows this week, {high} of high severity:",
    ),
    "commentary_count": (
        "已交回 {returned}/{expected} 份主管周报（含下周目标与计划）。",
        "{returned} of {expected} supervisors' weekly reports returned (with next week's targets and plan).",
    ),
    "none": ("（无）", "(none)"),
    "reason": ("原因", "Reason"),
    "detail": ("天数", "Days"),
    "kind_complaint": ("投诉超时", "complaint past its limit"),
    "kind_overdue": ("逾期未访", "overdue for a visit"),
    "kind_churn": ("流失风险", "churn risk"),
    "kind_followup": ("跟进逾期", "follow-up overdue"),
    "period_week": ("本周 {period}", "Week {period}"),
    "period_mtd": ("本月至今 {period}", "Month to date {period}"),
    "period_qtd": ("本季至今 {period}", "Quarter to date {period}"),
    "period_ytd": ("本年至今 {period}", "Year to date {period}"),
    "company_row": ("全公司", "Company"),
    # notes under each sheet's title
    "note_scorecard": (
        "每位销售员、每个区域与全公司的本周、本月至今、本季至今、本年至今业绩；用「期间」筛选。状态：达成率不低于应达进度为达标，"
        "不低于进度的 {amber:.0%} 为预警，低于为落后。",
        "Every rep, region and the company for the week, month, quarter and year to date; filter on Period. "
        "Status: on track when attainment >= pace, at risk from {amber:.0%} of pace, behind below.",
    ),
    "note_customers": (
        "截至 {as_of}：ABC 等级按近 12 个月销售额（全公司统一），RFM 分群，最近拜访与下次应访日，流失风险。",
        "At {as_of}: ABC grade by 12-month sales (company-wide), RFM segment, last visit and next due, churn risk.",
    ),
    "note_customers_company": (
        "本表列出全部A、B类客户，以及其他需要跟进（逾期、本周到期、从未拜访已逾期）或有流失风险的客户；各区域周报列出本区域全部客户。",
        " Listed: every A and B customer, and any other one overdue or due for a visit or at churn risk; each "
        "region's workbook lists all of its customers.",
    ),
    "note_visits": (
        "本周每一次拜访，按日期与销售员排列。",
        "Every visit reported this week, by day and rep.",
    ),
    "note_followups": (
        "日报中约定的下次拜访：已过期未访的（近 {days} 天内约定的）与未来 7 天内到期的。",
        "Next visits promised in visit reports: overdue (promised within the last {days} days) and due in the "
        "next 7 days.",
    ),
    "note_followups_company": (
        "本表只列逾期的；未来 7 天到期的见各区域周报。",
        " Listed here: the overdue ones; those due in the coming 7 days are in each region's workbook.",
    ),
    "note_complaints": (
        "截至 {as_of} 的全部投诉及其时限：处理期限按严重程度（工作日），超时标红。",
        "Every complaint received by {as_of} and its limit (working days by severity); overdue ones in red.",
    ),
    "note_market": ("本周的市场状况反映，高严重度在前。", "This week's market reports, high severity first."),
    "note_submissions": (
        "每位销售员每个工作日：日报是否按时（截止 {deadline}），当天通过的表单数，退回后尚未改正重交的表单数。",
        "Per rep and working day: was the visit report on time (deadline {deadline}), forms accepted that day, "
        "rejected forms not yet fixed.",
    ),
    "note_commentary": (
        "主管交回的周销售管理报告书：竞争者动态、异常客户处理、问题与对策，以及每位销售员的下周目标与计划。",
        "The weekly management reports supervisors returned: competitor dynamics, abnormal customers, issues "
        "and measures, and each rep's targets and plan for next week.",
    ),
    "note_commentary_targets": ("下周目标与计划", "Next week's targets and plan"),
    "note_conflicts": (
        "客户登记表中认领了其他销售员客户的行：客户仍归原负责人，请经理裁定。",
        "Register rows claiming another rep's customer: the customer stays with its owner until a manager "
        "settles it.",
    ),
    "note_trends": (
        "摘要图表的数据：近 8 周销售额与目标、帕累托曲线、销售漏斗。图表引用这些单元格，可直接修改样式。",
        "The summary charts' data: 8 weeks of sales against target, the Pareto curve, the funnel. The charts "
        "read these cells, so they can be restyled freely.",
    ),
    # charts
    "chart_sales_rep": ("本周销售额与目标（按销售员）", "Sales against target this week, per rep"),
    "chart_sales_region": ("本周销售额与目标（按区域）", "Sales against target this week, per region"),
    "chart_trend": ("近8周销售额与目标", "Sales against target, last 8 weeks"),
    "chart_pareto": ("ABC 帕累托曲线", "ABC Pareto curve"),
    "chart_funnel": ("销售漏斗（期末客户数）", "Sales funnel (customers at the week's end)"),
    "axis_customers": ("客户占比（按销售额由高到低）", "Share of customers, best first"),
    "axis_sales": ("累计销售额占比", "Cumulative share of sales"),
    "diagonal": ("均匀分布", "Even spread"),
    "trend_table": ("近8周", "Last 8 weeks"),
    "pareto_table": ("帕累托曲线", "Pareto curve"),
    "funnel_table": ("销售漏斗", "Funnel"),
    "abc_table": ("ABC 分级", "ABC grades"),
    # headers
    "h_period": ("期间", "Period"),
    "h_week": ("周次", "Week"),
    "h_date": ("日期", "Date"),
    "h_rep_id": ("销售员编号", "Rep ID"),
    "h_rep": ("销售员", "Rep"),
    "h_customer_id": ("客户编号", "Customer ID"),
    "h_customer": ("客户", "Customer"),
    "h_owner": ("负责人", "Owner"),
    "h_owner_id": ("负责人编号", "Owner ID"),
    "h_id": ("编号", "ID"),
    "h_stage": ("客户阶段", "Stage"),
    "h_sales_12m": ("近12个月销售额", "Sales, 12 months"),
    "h_grade": ("等级", "Grade"),
    "h_segment": ("RFM 分群", "RFM segment"),
    "h_last_visit": ("最近拜访", "Last visit"),
    "h_days_since": ("距今天数", "Days since"),
    "h_next_due": ("下次应访", "Next due"),
    "h_visit_status": ("拜访状态", "Visit status"),
    "h_churn_risk": ("流失风险", "Churn risk"),
    "h_status": ("状态", "Status"),
    "h_days_overdue": ("逾期天数", "Days overdue"),
    "h_promised_by": ("约定人", "Promised by"),
    "h_is_open": ("未结", "Open"),
    "h_working_days": ("已用工作日", "Working days"),
    "h_limit": ("时限（工作日）", "Limit (working days)"),
    "h_overdue": ("超时", "Overdue"),
    "h_verdict": ("日报", "Visit report"),
    "h_received_at": ("收到时间", "Received"),
    "h_forms_accepted": ("通过的表单", "Forms accepted"),
    "h_rejected_unfixed": ("退回未改", "Rejected, not fixed"),
    "h_site": ("接收站点", "Received at"),
    "h_created_at": ("发生时间", "When"),
    "h_claimed_by": ("认领人编号", "Claimed by"),
    "h_claimed_name": ("认领人", "Claimer"),
    "h_claimed_region": ("认领人区域", "Claimer's region"),
    "h_sent_name": ("所填客户名称", "Name sent"),
    "h_sent_contact": ("所填联系人", "Contact sent"),
    "h_sent_phone": ("所填电话", "Phone sent"),
    "h_sent_stage": ("所填阶段", "Stage sent"),
    "h_supervisor": ("主管", "Supervisor"),
    "h_level": ("层级", "Level"),
    "h_customer_share": ("客户占比", "Share of customers"),
    "h_sales_share": ("累计销售额占比", "Cumulative share of sales"),
    "h_diagonal": ("均匀分布", "Even spread"),
    "h_at_end": ("期末客户数", "Customers at the end"),
    "h_in_period": ("期内在此阶段", "In the stage during the week"),
    "h_moved_forward": ("推进", "Moved forward"),
    "h_conversion": ("转化率", "Conversion"),
    "h_customers": ("客户数", "Customers"),
    "h_customers_pct": ("客户占比", "Share of customers"),
    "h_sales_pct": ("销售额占比", "Share of sales"),
    "h_visits_prefilled": ("本周拜访", "Visits this week"),
    "yes": ("是", "yes"),
}


def say(key: str, lang: str, **kw: object) -> str:
    """A workbook text in ``lang`` (``zh`` or ``en``), formatted with ``kw``."""
    zh, en = TEXT[key]
    return (zh if lang == "zh" else en).format(**kw)


def sheet_name(key: str, lang: str) -> str:
    zh, en = SHEETS[key]
    return zh if lang == "zh" else en


class Labels:
    """Column headers and value labels in one language: figures' names, form fields' labels, ours."""

    def __init__(self, specs: FormSet, lang: str) -> None:
        self.specs, self.lang = specs, lang
        self._choices: dict[tuple[str, str], dict[str, str]] = {}

    def header(self, key: str, form: str | None = None) -> str:
        """A column's header: ours (``h_<key>``), else the form field's label, else the figure's."""
        if f"h_{key}" in TEXT:
            return say(f"h_{key}", self.lang)
        if form is not None:
            spec = self.specs.get(form)
            if spec is not None:
                for f in (*spec.fields, *spec.info):
                    if f.key == key:
                        return f.label(self.lang)
        pair = COLUMN_LABELS.get(key)
        if pair is not None:
            return pair[0] if self.lang == "zh" else pair[1]
        return key

    def value(self, key: str | None) -> str:
        """A status / verdict / level value's label (figures' names); unknown values as they are."""
        if key is None:
            return ""
        pair = VALUE_LABELS.get(key)
        if pair is None:
            return str(key)
        return pair[0] if self.lang == "zh" else pair[1]

    def choices(self, form: str, field: str) -> dict[str, str]:
        """Choice key -> its label in this language, for one form field (empty for a free field)."""
        got = self._choices.get((form, field))
        if got is None:
            spec = self.specs.get(form)
            got = {}
            if spec is not None:
                for f in (*spec.fields, *spec.info):
                    if f.key == field:
                        got = {c.key: c.label(self.lang) for c in f.choices}
            self._choices[(form, field)] = got
        return got

    def yes_no(self) -> tuple[str, str]:
        yes, no = BOOL_LABELS[self.lang]
        return yes, no


# The word in a week's output file names (automation.consolidate.paths), zh and en.
FILE_WORDS: dict[str, tuple[str, str]] = {
    "company": ("公司周报", "company"),
    "region": ("区域周报", "region"),
    "weekly_report": ("周销售管理报告书", "Weekly report"),
}
