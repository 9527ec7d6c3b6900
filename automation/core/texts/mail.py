"""Every word a message shows, in Chinese and English (templates hold layout, not language).

One dict per language with the same keys (a test checks they match), so a template says
``{{ t.sales }}`` and reads the same in both; subjects are formatted here with ``str.format``
from values that :mod:`automation.mail.compose` sanitises before they reach a header.
"""

from __future__ import annotations

ZH: dict[str, str] = {
    # metrics
    "sales": "销售额", "gross_margin": "毛利", "collections": "回款", "visits": "拜访",
    "new_customers": "新客户", "effective_rate": "有效拜访率", "transaction_rate": "交易率",
    "plan_completion": "计划完成率", "expense_per_visit": "每次拜访费用", "on_time_rate": "日报准时率",
    "effective_visits": "有效拜访", "transactions": "成交", "orders": "订单",
    "mtd": "本月累计", "actual": "实际", "target": "目标", "attainment": "达成率", "pace": "应达进度", "forecast": "预计",
    "status": "状态", "green": "达标", "amber": "接近", "red": "落后", "none": "无目标",
    "rep": "销售员", "region": "区域", "company": "公司", "customer": "客户", "grade": "等级",
    "last_visit": "上次拜访", "days_since": "距今天数", "never": "从未拜访",
    "complaint": "投诉", "received": "受理日期", "severity": "严重程度", "working_days": "已用工作日",
    "limit": "时限", "category": "类别", "description": "情况描述", "competitor": "竞争对手",
    "suggestion": "建议措施", "purpose": "拜访目的", "outcome": "洽谈结果",
    "high": "高", "medium": "中", "low": "低",
    "deal": "成交", "interested": "有意向", "follow_up": "需跟进", "not_interested": "无意向", "not_met": "未见到",
    "on_time": "准时", "late": "迟交", "missing": "未交",
    # blocks
    "hello": "{name}，您好：", "are_we_on_target": "目标达成", "who_is_behind": "销售员排名（落后在前）",
    "trend": "本周每日销售额", "overdue_a": "超期未拜访的 A 类客户", "missing_reports": "未交日报",
    "overdue_complaints": "超时未解决的投诉", "regions": "各区域", "your_figures": "您本周的数字",
    "your_overdue": "超期未拜访的客户", "awaiting_fix": "被退回、尚未改正的表单",
    "attachments": "附件", "attachment_missing": "附件“{name}”尚未生成，生成后可在共享文件夹的 {folder} 中找到。",
    "nothing": "无", "more": "另有 {n} 条，详见附件工作簿。", "more_plain": "另有 {n} 条。",
    "yesterday": "{day} 各销售员情况", "today_plans": "今日（{day}）拜访计划", "no_plan": "尚未提交计划",
    "report_status": "日报", "plans_by": "截至 {time} 收到的计划",
    "file": "文件", "form": "表单", "problems": "需要修改的地方", "cell": "单元格", "column": "列",
    "value": "填写内容", "problem": "问题", "fix": "怎么改", "new_ids": "系统为新客户分配的编号",
    "customer_id": "客户编号", "name": "名称", "row": "行",
    "missing_days": "缺交日期", "deadline": "截止时间",
    "footer": "本邮件由 Salesflow 于 {at} 根据已接收的表单自动生成，请勿直接回复；如有疑问请联系后台。",
    "period": "{start} 至 {end}",
    # subjects
    "subj_weekly_supervisor": "{region}区域周报 {week}",
    "subj_weekly_manager": "{company} 周报 {week}",
    "subj_weekly_rep": "您的周报 {week}",
    "subj_brief": "早会简报 {region} {day}",
    "subj_reminder": "日报未交提醒 {day}",
    "subj_reminder_cc": "日报未交提醒 {day}：{name} 已连续 {n} 个工作日未交",
    "subj_escalation_market": "【市场情况·严重】{name} {day}",
    "subj_escalation_complaint": "【客户投诉】{name} {day}",
    "subj_escalation_complaint_high": "【客户投诉·严重】{name} {day}",
    "subj_rejection": "表单被退回，请修改后重交：{file}",
    "subj_receipt": "新客户已登记：{n} 个新编号",
    # intros
    "intro_weekly_supervisor": "这是 {region}区域 {week}（{period}）的周报。区域周报工作簿和预填好的周销售管理报告书在附件中，请补充点评与下周计划后放回您的文件夹。",
    "intro_weekly_manager": "这是 {company} {week}（{period}）的周报，含公司和您负责的各区域。公司周报工作簿在附件中。",
    "intro_weekly_rep": "这是您 {week}（{period}）的周报：目标达成、需要拜访的客户和待改正的表单。",
    "intro_brief": "早会用：上一个工作日（{yday}）各销售员的拜访结果，和今天（{day}）的拜访计划。",
    "intro_reminder": "系统尚未收到您 {day} 的每日销售报告（截止 {deadline}）。请今天补交，放入您的文件夹即可。",
    "intro_reminder_streak": "已连续 {n} 个工作日未收到日报，主管已抄送。",
    "intro_escalation_market": "{name}（{rep_id}）于 {day} 提交的市场状况反映表中有严重程度为“高”的情况，请及时处理。",
    "intro_escalation_complaint": "{name}（{rep_id}）于 {day} 登记了新的客户投诉，请跟进；解决时限按严重程度计算。",
    "intro_rejection": "您提交的表单“{file}”（{form}）未通过检查，已退回，没有计入。请按下面的说明（附件反馈表中红色单元格）修改原表，保存后重新放入您的文件夹。",
    "intro_receipt": "您提交的客户登记表已接收。系统为以下新客户分配了客户编号；以后在拜访计划和日报中可以直接填写编号。",
}  # fmt: skip

EN: dict[str, str] = {
    "sales": "Sales", "gross_margin": "Gross margin", "collections": "Collections", "visits": "Visits",
    "new_customers": "New customers", "effective_rate": "Effective visit rate", "transaction_rate": "Transaction rate",
    "plan_completion": "Plan completion", "expense_per_visit": "Expense per visit", "on_time_rate": "Reports on time",
    "effective_visits": "Effective", "transactions": "Deals", "orders": "Orders",
    "mtd": "month to date", "actual": "Actual", "target": "Target", "attainment": "Attainment", "pace": "Pace", "forecast": "Forecast",
    "status": "Status", "green": "on track", "amber": "close", "red": "behind", "none": "no target",
    "rep": "Rep", "region": "Region", "company": "Company", "customer": "Customer", "grade": "Grade",
    "last_visit": "Last visit", "days_since": "Days since", "never": "never visited",
    "complaint": "Complaint", "received": "Received", "severity": "Severity", "working_days": "Working days",
    "limit": "Limit", "category": "Category", "description": "Description", "competitor": "Competitor",
    "suggestion": "Suggested action", "purpose": "Purpose", "outcome": "Outcome",
    "high": "high", "medium": "medium", "low": "low",
    "deal": "deal", "interested": "interested", "follow_up": "follow-up", "not_interested": "not interested", "not_met": "not met",
    "on_time": "on time", "late": "late", "missing": "missing",
    "hello": "Dear {name},", "are_we_on_target": "Are we on target?", "who_is_behind": "Reps, behind first",
    "trend": "Sales per day this week", "overdue_a": "A customers overdue for a visit", "missing_reports": "Missing visit reports",
    "overdue_complaints": "Complaints past their limit", "regions": "Regions", "your_figures": "Your week",
    "your_overdue": "Customers overdue for a visit", "awaiting_fix": "Rejected forms not yet fixed",
    "attachments": "Attachments", "attachment_missing": "The attachment '{name}' was not ready yet; it will be in {folder} on the shared folder.",
    "nothing": "none", "more": "{n} more in the attached workbook.", "more_plain": "{n} more.",
    "yesterday": "{day} per rep", "today_plans": "Today's visit plans ({day})", "no_plan": "no plan yet",
    "report_status": "Report", "plans_by": "plans received by {time}",
    "file": "File", "form": "Form", "problems": "What to fix", "cell": "Cell", "column": "Column",
    "value": "Value", "problem": "Problem", "fix": "How to fix", "new_ids": "IDs given to your new customers",
    "customer_id": "Customer ID", "name": "Name", "row": "Row",
    "missing_days": "Days missing", "deadline": "Deadline",
    "footer": "Written by Salesflow at {at} from the forms received; please do not reply. Questions: ask the back office.",
    "period": "{start} to {end}",
    "subj_weekly_supervisor": "{region} region weekly {week}",
    "subj_weekly_manager": "{company} weekly {week}",
    "subj_weekly_rep": "Your week {week}",
    "subj_brief": "Morning brief {region} {day}",
    "subj_reminder": "Visit report missing {day}",
    "subj_reminder_cc": "Visit report missing {day}: {name}, {n} working days in a row",
    "subj_escalation_market": "[Market news, high] {name} {day}",
    "subj_escalation_complaint": "[Complaint] {name} {day}",
    "subj_escalation_complaint_high": "[Complaint, high] {name} {day}",
    "subj_rejection": "Form sent back, please fix and resend: {file}",
    "subj_receipt": "New customers registered: {n} new IDs",
    "intro_weekly_supervisor": "The {region} region's week {week} ({period}). The region workbook and your pre-filled weekly management report are attached: add your commentary and next week's plan and drop it back into your folder.",
    "intro_weekly_manager": "{company}, week {week} ({period}): the company and the regions you cover. The company workbook is attached.",
    "intro_weekly_rep": "Your week {week} ({period}): targets, customers to visit and forms to fix.",
    "intro_brief": "For the morning meeting: each rep's visits on the last working day ({yday}) and today's ({day}) plans.",
    "intro_reminder": "Your daily visit report for {day} has not arrived (deadline {deadline}). Please drop it into your folder today.",
    "intro_reminder_streak": "No report for {n} working days in a row; your supervisor is in copy.",
    "intro_escalation_market": "{name} ({rep_id}) reported market news of high severity on {day}; please act on it.",
    "intro_escalation_complaint": "{name} ({rep_id}) registered a new customer complaint on {day}; please follow it up. The time limit depends on its severity.",
    "intro_rejection": "Your form '{file}' ({form}) did not pass the check and was sent back, not counted. Fix what is listed below (the red cells of the attached feedback workbook) in your own file, save it and drop it into your folder again.",
    "intro_receipt": "Your customer register was accepted. These new customers were given IDs; you can use the IDs in your visit plans and reports from now on.",
}  # fmt: skip

LABELS = {"zh": ZH, "en": EN}
FORM_NAMES = {
    "zh": {"customer_register": "客户登记表", "visit_plan": "每日拜访计划表", "visit_report": "每日销售报告表",
           "market_report": "市场状况反映表", "complaint": "客户投诉处理报告表", "weekly_report": "周销售管理报告书",
           "targets": "销售目标", "": "无法识别的文件"},
    "en": {"customer_register": "customer register", "visit_plan": "daily visit plan", "visit_report": "daily visit report",
           "market_report": "market report", "complaint": "complaint report", "weekly_report": "weekly management report",
           "targets": "targets", "": "unreadable file"},
}  # fmt: skip


def labels(lang: str) -> dict[str, str]:
    """The words of one language (Chinese for anything but ``en``)."""
    return LABELS["en" if lang == "en" else "zh"]


# A day in the daily chart: the weekday's name and the date, zh and en.
WEEKDAYS = {
    "zh": ("一", "二", "三", "四", "五", "六", "日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
DAY = {"zh": "周{weekday} {day:%m-%d}", "en": "{weekday} {day:%d %b}"}
