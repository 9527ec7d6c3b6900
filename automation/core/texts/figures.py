"""Chinese and English labels for every scorecard column and every status / grade / verdict value.

The workbook, the email and ``salesflow figures`` all show these, so a figure is called the same in
every output (SPEC §3's Chinese names where the SPEC gives one).
"""

from __future__ import annotations

_BASE: dict[str, tuple[str, str]] = {
    "level": ("层级", "Level"),
    "owner": ("编号", "ID"),
    "name": ("名称", "Name"),
    "region": ("区域", "Region"),
    "visits": ("拜访数", "Visits"),
    "planned": ("计划拜访", "Planned visits"),
    "planned_done": ("按计划完成", "Planned visits done"),
    "unplanned": ("计划外拜访", "Unplanned visits"),
    "effective_visits": ("有效拜访", "Effective visits"),
    "transactions": ("成交拜访", "Visits with an order"),
    "dm_meetings": ("见到决策人", "Decision-maker meetings"),
    "quotes": ("报价次数", "Quotes"),
    "quote_amount": ("报价金额", "Quoted amount"),
    "sales": ("销售额", "Sales"),
    "gross_margin": ("毛利", "Gross margin"),
    "collections": ("货款回收", "Collections"),
    "expense": ("费用", "Expense"),
    "new_customers": ("新开发客户数", "New customers"),
    "active_reps": ("有拜访的销售员", "Reps with a visit"),
    "plan_completion": ("计划完成率", "Plan completion"),
    "effective_rate": ("有效拜访率", "Effective visit rate"),
    "transaction_rate": ("交易率", "Transaction rate"),
    "expense_per_visit": ("每次拜访费用", "Expense per visit"),
    "sales_per_expense": ("单位费用销售额", "Sales per unit of expense"),
    "avg_sales_per_rep_week": ("平均每人每周销售额", "Average sales per rep per week"),
    "elapsed_working_days": ("已过工作日", "Working days elapsed"),
    "working_days": ("工作日", "Working days"),
    "pace": ("应达进度", "Expected pace"),
    "report_days": ("应交日报天数", "Report days"),
    "on_time": ("准时", "On time"),
    "late": ("迟交", "Late"),
    "missing": ("未交", "Missing"),
    "on_time_rate": ("报表准时率", "On-time rate"),
    "form_groups": ("表单数", "Forms"),
    "first_time_right": ("一次通过", "Right first time"),
    "optional_filled_sum": ("选填项填写率合计", "Optional fields filled (sum)"),
    "optional_filled_n": ("日报数", "Visit reports"),
    "first_time_rate": ("一次通过率", "First-time-right rate"),
    "optional_filled": ("选填项填写率", "Optional fields filled"),
    "complaints_received": ("新投诉", "Complaints received"),
    "complaints_open": ("未结投诉", "Open complaints"),
    "complaints_overdue": ("超时投诉", "Overdue complaints"),
    "complaints_resolved": ("已解决投诉", "Complaints resolved"),
    "resolve_days_sum": ("解决天数合计", "Days to resolve (sum)"),
    "satisfied": ("客户满意", "Satisfied"),
    "satisfied_n": ("已回访", "Asked"),
    "avg_days_to_resolve": ("平均解决天数", "Average days to resolve"),
    "satisfaction_rate": ("满意率", "Satisfaction rate"),
    "customers_overdue": ("逾期未访客户", "Customers overdue"),
    "customers_never_visited": ("从未拜访客户", "Customers never visited"),
    "customers_at_risk": ("流失风险客户", "Customers at churn risk"),
}
_METRIC = {
    "sales": ("销售额", "Sales"),
    "gross_margin": ("毛利", "Margin"),
    "collections": ("回款", "Collections"),
    "visits": ("拜访", "Visits"),
    "new_customers": ("新客户", "New customers"),
}
_SUFFIX = {
    "target": ("目标", "target"),
    "attainment": ("达成率", "attainment"),
    "forecast": ("预测", "forecast"),
    "status": ("状态", "status"),
}
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    **_BASE,
    **{
        f"{m}_{s}": (f"{mz}{sz}", f"{me} {se}")
        for m, (mz, me) in _METRIC.items()
        for s, (sz, se) in _SUFFIX.items()
    },
}
VALUE_LABELS: dict[str, tuple[str, str]] = {
    "green": ("达标", "on track"),
    "amber": ("预警", "at risk"),
    "red": ("落后", "behind"),
    "rep": ("销售员", "rep"),
    "region": ("区域", "region"),
    "company": ("公司", "company"),
    "on_time": ("准时", "on time"),
    "late": ("迟交", "late"),
    "missing": ("未交", "missing"),
    "overdue": ("逾期", "overdue"),
    "due": ("本周到期", "due this week"),
    "ok": ("正常", "ok"),
    "never_visited": ("从未拜访", "never visited"),
    "never_visited_overdue": ("从未拜访(逾期)", "never visited, overdue"),
    "interval": ("超过惯常订货间隔", "past the usual order interval"),
    "drop": ("近90天销售额减半", "sales halved in 90 days"),
    "interval+drop": ("间隔过长且销售额减半", "past the interval and sales halved"),
}


def label(key: str, lang: str) -> str:
    """The label of a column or value in ``zh`` or ``en``; unknown keys are shown as they are."""
    pair = COLUMN_LABELS.get(key) or VALUE_LABELS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


# An RFM segment's key -> its name (the customary Chinese names of the eight RFM segments).
SEGMENT_NAMES: dict[str, tuple[str, str]] = {
    "champion": ("重要价值客户", "champion"),
    "promising": ("重要发展客户", "promising"),
    "at_risk_loyal": ("重要保持客户", "at-risk loyal"),
    "hibernating_big": ("重要挽留客户", "hibernating big"),
    "loyal_small": ("一般价值客户", "loyal small"),
    "new_small": ("一般发展客户", "new small"),
    "fading": ("一般保持客户", "fading"),
    "lost_small": ("一般挽留客户", "lost small"),
}
