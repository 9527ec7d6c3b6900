"""Every word a template shows a rep, in Chinese and English, kept apart from the layout code.

The template builder reads only from here, so a wording change never touches layout, and both
languages stay side by side where a reviewer can compare them.
"""

from __future__ import annotations

from automation.core.formspec import BOOL_LABELS, FieldSpec

# Excel limits (ECMA-376 / Excel UI): a validation's prompt and error texts, and its titles.
MAX_MESSAGE = 255
MAX_TITLE = 32

DATE_MIN = "2020-01-01"
DATE_MAX = "2099-12-31"

TYPE_NAMES: dict[str, tuple[str, str]] = {
    "text": ("文本", "text"),
    "int": ("整数", "whole number"),
    "money": ("金额", "amount"),
    "date": ("日期", "date"),
    "bool": ("是/否", "Y/N"),
    "choice": ("下拉选择", "choice"),
    "rep": ("销售员编号", "rep ID"),
    "customer": ("客户", "customer"),
    "region": ("区域", "region"),
    "week": ("周次", "ISO week"),
    "period": ("期间", "period"),
}

RULES: dict[str, tuple[str, str]] = {
    "not_future": ("不得晚于今天", "not in the future"),
    "credit_code": (
        "18位统一社会信用代码（GB 32100-2015）",
        "18-character unified social credit code (GB 32100-2015)",
    ),
    "phone": (
        "11位手机号（1开头）或带区号的座机",
        "11-digit mobile (starts with 1) or landline with area code",
    ),
    "email": ("有效的邮箱地址", "a valid email address"),
    "required_when_quoted": ("已报价为“是”时必填", "required when Quoted is Y"),
    "order_only_when_deal": ("仅洽谈结果为“成交”时填写大于 0 的金额", "above 0 only when Outcome is deal"),
    "margin_within_order": ("不得超过订货金额", "not more than Order amount"),
    "after_report_date": ("须晚于报告日期", "after the report date"),
    "resolved_date": (
        "状态为已解决/已关闭时必填，不早于受理日期",
        "required when status is resolved/closed; not before Received",
    ),
    "target_owner": (
        "层级为销售员时填销售员编号，为区域时填区域",
        "a rep ID for level rep, a region for level region",
    ),
}

# Texts keyed by name, as (zh, en).
TEXT: dict[str, tuple[str, str]] = {
    "instructions_sheet": ("填写说明", "Instructions"),
    "legend": (
        "橙色表头为必填项 · 带下拉箭头的单元格请从列表选择 · 详见「填写说明」工作表",
        "Orange headers are required · pick from the dropdown where there is one · see the Instructions sheet",
    ),
    "info_section": ("表头信息", "Form details"),
    "table_section": ("明细", "Table"),
    "col_field": ("栏目", "Field"),
    "col_where": ("位置", "Where"),
    "col_type": ("类型", "Type"),
    "col_required": ("必填", "Required"),
    "col_allowed": ("可填内容", "Allowed values"),
    "col_notes": ("说明", "Notes"),
    "yes": ("是", "yes"),
    "no": ("", ""),
    "version": ("模板版本", "Template version"),
    "prefilled": ("系统预填", "filled in by Salesflow"),
    # validation prompts and alerts
    "date_title": ("日期", "Date"),
    "date_prompt": ("请输入日期，如 2026-11-23", "Enter a date, e.g. 2026-11-23"),
    "date_error": (
        f"只能填写 {DATE_MIN} 至 {DATE_MAX} 之间的日期，如 2026-11-23。",
        f"Only a date between {DATE_MIN} and {DATE_MAX} is allowed, e.g. 2026-11-23.",
    ),
    "money_prompt": (
        "请输入不小于 0 的金额（元），最多两位小数，不要加单位",
        "Enter an amount >= 0, at most 2 decimals, no currency sign",
    ),
    "money_error": (
        "只能填写不小于 0 的数字，如 12500 或 12500.50，不要输入单位或文字。",
        "Only a number >= 0 is allowed, e.g. 12500 or 12500.50 — no currency sign or words.",
    ),
    "int_prompt": ("请输入不小于 0 的整数", "Enter a whole number >= 0"),
    "int_error": ("只能填写不小于 0 的整数，如 3。", "Only a whole number >= 0 is allowed, e.g. 3."),
    "choice_prompt": ("请从下拉列表中选择", "Pick a value from the dropdown"),
    "choice_error": (
        "只能从下拉列表中选择：{allowed}",
        "Only a value from the dropdown is allowed: {allowed}",
    ),
    "customer_prompt": (
        "从下拉列表选择您的客户；新客户可直接输入名称",
        "Pick one of your customers; type the name of a new one",
    ),
    "customer_warning": (
        "“{value}”不在您的客户列表中。新客户请同时在客户登记表中登记。确认无误请点“是”继续。",
        "This customer is not in your list. Register a new customer in the customer register too. Click Yes to keep it.",
    ),
    "rep_prompt": ("请选择销售员编号", "Pick a rep ID"),
    "week_prompt": ("ISO 周次，如 2026-W48", "ISO week, e.g. 2026-W48"),
    "period_prompt": ("如 2026、2026-Q4 或 2026-11", "e.g. 2026, 2026-Q4 or 2026-11"),
    "wide_prompt": ("可多行填写（Alt+Enter 换行）", "Several lines are fine (Alt+Enter for a new line)"),
}

# The first step: with the form's info block, and for a form without one (targets), where
# 「先填表头信息（-）」 asked people to fill in details that do not exist.
FIRST_STEP = (
    "在「{sheet}」工作表填写：先填表头信息（{info}），再从第 {first} 行起每行填写一条记录，最多 {rows} 行。",
    "Fill in the sheet “{sheet}”: first the details at the top ({info}), then one record per row from row {first}, up to {rows} rows.",
)
FIRST_STEP_NO_INFO = (
    "在「{sheet}」工作表填写：从第 {first} 行起每行填写一条记录，最多 {rows} 行。",
    "Fill in the sheet “{sheet}”: one record per row from row {first}, up to {rows} rows.",
)
# The last step names the hidden sheets the workbook really has: a blank template has no ``_lists``
# sheet unless a list was too long to sit in its dropdown.
HIDDEN_STEP = (
    "请勿删除或修改隐藏的工作表 {hidden}，系统靠它识别表格。",
    "Do not delete or edit the hidden sheet {hidden}: Salesflow uses it to recognise the form.",
)
HIDDEN_STEP_PLURAL = (
    "请勿删除或修改隐藏的工作表（{hidden}），系统靠它们识别表格。",
    "Do not delete or edit the hidden sheets ({hidden}): Salesflow uses them to recognise the form.",
)

STEPS: tuple[tuple[str, str], ...] = (
    FIRST_STEP,
    (
        "带下拉箭头的单元格请从列表中选择；日期写成 2026-11-23；金额只写数字（不加“元”或逗号）。",
        "Where a cell has a dropdown arrow, pick from the list; write dates as 2026-11-23; amounts as plain numbers.",
    ),
    (
        "橙色表头为必填项。标题、表头和栏目名称已锁定（无密码），请不要改动列名或删除列。",
        "Orange headers are required. Titles and headers are locked (no password); do not rename or delete columns.",
    ),
    (
        "保存为 .xlsx，放入共享文件夹 inbox/<您的编号>/ 即可；有问题的表格会连同逐格说明退回 rejected/<您的编号>/。",
        "Save as .xlsx and drop it into the shared folder inbox/<your ID>/; a form with problems comes back in rejected/<your ID>/ with a note per cell.",
    ),
    HIDDEN_STEP_PLURAL,
)


def steps(has_info: bool, hidden: list[str]) -> list[tuple[str, str]]:
    """The numbered steps of a template's instructions, as they apply to this workbook."""
    first = FIRST_STEP if has_info else FIRST_STEP_NO_INFO
    last = HIDDEN_STEP_PLURAL if len(hidden) > 1 else HIDDEN_STEP
    return [first, *STEPS[1:-1], last]


def t(key: str, lang: str, **params: object) -> str:
    """One text in the template's language, with ``{params}`` filled in."""
    zh, en = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**params) if params else text


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    """Excel refuses a validation whose texts are over its limits; cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def allowed_text(f: FieldSpec, lang: str) -> str:
    """What a rep may type in a field, as the instructions sheet and error alerts say it."""
    sep = "、" if lang == "zh" else ", "
    if f.type in ("choice", "region") and f.choices:
        return sep.join(c.label(lang) for c in f.choices)
    if f.type == "bool":
        return "/".join(BOOL_LABELS[lang])
    if f.type == "date":
        return pick(("日期，如 2026-11-23", "a date, e.g. 2026-11-23"), lang)
    if f.type == "money":
        return pick(("不小于 0 的金额，两位小数", "an amount >= 0, 2 decimals"), lang)
    if f.type == "int":
        return pick(("不小于 0 的整数", "a whole number >= 0"), lang)
    if f.type == "rep":
        return pick(("配置中的销售员编号，如 R001", "a rep ID from config, e.g. R001"), lang)
    if f.type == "customer":
        return pick(
            ("客户编号或客户名称（须已在客户登记表中）", "a customer ID or name from the register"), lang
        )
    if f.type == "week":
        return t("week_prompt", lang)
    if f.type == "period":
        return t("period_prompt", lang)
    return pick(("文字", "text"), lang)


def notes_text(f: FieldSpec, lang: str) -> str:
    """The field's help and rule, joined, for the instructions sheet and input prompts."""
    parts = [f.help(lang)]
    if f.rule in RULES:
        parts.append(pick(RULES[f.rule], lang))
    if f.prefilled:
        parts.append(t("prefilled", lang))
    return ("；" if lang == "zh" else "; ").join(p for p in parts if p)
