"""The one catalog of problems a user can cause (STYLE 3).

Each code is stable; it names a title, a message template and a how-to-fix hint in zh and en.
Feedback workbooks, ``salesflow check`` and the README's list of problems are all generated from
here (:func:`render`, :func:`catalog_markdown`); ``tests/test_problems.py`` keeps the README in step.

Templates use ``str.format`` placeholders filled from the :class:`~automation.core.model.Issue`:
``{column}`` (the header label, in the language rendered), ``{value}``, ``{cell}``, ``{row}``,
``{sheet}`` and the issue's ``params`` (``{allowed}``, ``{expected}``, ``{limit}``, ``{folder}``,
``{file}`` ...). A param may be a ``{"zh": ..., "en": ...}`` mapping (picked by language) or a list
(joined). A missing placeholder renders as ``?`` rather than raising: a message must never crash.

Some codes have *variants* (``params["variant"]``): the same problem with a more precise message,
e.g. ``unknown-customer`` when a name matches several customers and the rep must give the id.

Intake only creates :class:`~automation.core.model.Issue` objects with these codes; validate fills
severity from its entry (:data:`SEVERITY`, derived from the entries).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from automation.core.texts.base import Text

if TYPE_CHECKING:
    from automation.core.model import Issue

LANGS = ("zh", "en")

# Severities: an error rejects the file, a warning and a note are told and the file counts.
ERROR, WARNING, NOTE = "error", "warning", "note"
# Kinds: a file-level problem rejects the whole file before any cell is read.
FILE, CELL, PERMISSION, LEDGER = "file", "cell", "permission", "ledger"

SEVERITY_LABELS = {
    "error": {"zh": "错误", "en": "error"},
    "warning": {"zh": "提醒", "en": "warning"},
    "note": {"zh": "说明", "en": "note"},
}


@dataclass(frozen=True)
class Problem:
    """One catalog entry: what went wrong and how a rep fixes it, in zh and en."""

    code: str
    kind: str  # FILE, CELL, PERMISSION or LEDGER
    severity: str  # its default: ERROR, WARNING or NOTE
    title: Text
    message: Text
    fix: Text
    variants: dict[str, tuple[Text, Text]] = field(default_factory=dict)


def _p(
    code: str,
    kind: str,
    severity: str,
    title: tuple[str, str],
    message: tuple[str, str],
    fix: tuple[str, str],
    **variants: Any,
) -> Problem:
    return Problem(
        code,
        kind,
        severity,
        Text(*title),
        Text(*message),
        Text(*fix),
        {k.replace("_", "-"): (Text(*m), Text(*f)) for k, (m, f) in variants.items()},
    )


_ENTRIES = [
    # ---- whole file ------------------------------------------------------------------------
    _p(
        "file-empty",
        FILE,
        ERROR,
        ("文件是空的", "Empty file"),
        ("文件「{file}」是空的，没有任何内容。", "The file '{file}' is empty."),
        (
            "请打开原表，确认已填写并保存后再放入文件夹。",
            "Open your form, make sure it is filled in and saved, then drop it again.",
        ),
    ),
    _p(
        "file-corrupt",
        FILE,
        ERROR,
        ("文件已损坏或格式不受支持", "Damaged or unsupported file"),
        (
            "文件「{file}」已损坏、不完整，或含有系统读不了的内容，无法打开。",
            "The file '{file}' is damaged, incomplete or holds something the reader does not support, so it cannot be opened.",
        ),
        (
            "请在 Excel 或 WPS 中打开它：能打开的，用“文件 → 另存为 → Excel 工作簿（.xlsx）”保存后放入新文件；"
            "打不开的，请重新复制一份（复制可能中断了），或在公司模板中重新填写。",
            "Open it in Excel or WPS. If it opens, use File → Save As → Excel Workbook (.xlsx) and drop the new file; "
            "if it does not, copy it again (the copy may have been cut short) or fill in a fresh copy of the company's template.",
        ),
    ),
    _p(
        "not-a-spreadsheet",
        FILE,
        ERROR,
        ("不是表格文件", "Not a spreadsheet"),
        (
            "文件「{file}」不是 Excel 表格（.xlsx/.xls/.ods/.csv）。",
            "The file '{file}' is not a spreadsheet (.xlsx/.xls/.ods/.csv).",
        ),
        (
            "请只放入填好的表格文件；照片、PDF 或 Word 文件无法读取。",
            "Drop only the filled-in spreadsheet; photos, PDFs or Word files cannot be read.",
        ),
    ),
    _p(
        "password-protected",
        FILE,
        ERROR,
        ("文件设有密码", "Password-protected"),
        (
            "文件「{file}」设有打开密码，系统无法读取。",
            "The file '{file}' has a password, so it cannot be read.",
        ),
        (
            "请去掉密码后保存（文件 → 信息 → 保护工作簿 → 取消密码），再重新放入。",
            "Save it without a password (File → Info → Protect Workbook → remove the password) and drop it again.",
        ),
    ),
    _p(
        "unknown-form",
        FILE,
        ERROR,
        ("认不出是哪张表", "Unknown form"),
        (
            "认不出文件「{file}」是哪张表：找不到表头。应有的表头例如：{expected}。",
            "Cannot tell which form '{file}' is: no known header row. Expected headers such as: {expected}.",
        ),
        (
            "请使用公司下发的模板填写，不要删除或改写表头行。",
            "Fill in the company's template and keep its header row as it is.",
        ),
    ),
    _p(
        "file-too-large",
        FILE,
        ERROR,
        ("文件太大", "File too large"),
        (
            "文件「{file}」太大（{value}），上限为 {limit}。",
            "The file '{file}' is too large ({value}); the limit is {limit}.",
        ),
        (
            "请删除图片和多余的工作表，只保留本表，另存后再放入。",
            "Remove pictures and extra sheets, keep only this form, save and drop it again.",
        ),
    ),
    _p(
        "file-too-complex",
        FILE,
        ERROR,
        ("文件太复杂，读取超时", "File too slow to read"),
        (
            "读取文件「{file}」超过了 {limit} 的时限（当时正在{value}），为不耽误其他表单，已将其退回。",
            "Reading '{file}' took longer than {limit} (while {value}), so it was set aside to keep the other forms moving.",
        ),
        (
            "表单只需要它自己那张工作表：请删除多余的工作表、图片和粘贴进来的大段文字，另存为 .xlsx 后重新放入；"
            "如果表单看起来正常，请联系后台。",
            "A form needs only its own sheet: delete extra sheets, pictures and long pasted text, save it as .xlsx "
            "and drop it again; if the form looks normal, tell the back office.",
        ),
    ),
    _p(
        "unsafe-content",
        FILE,
        ERROR,
        ("文件内容不安全", "Unsafe content"),
        (
            "文件「{file}」含有不安全的内容（如外部链接或嵌入的定义），系统没有打开它。",
            "The file '{file}' holds unsafe content (such as external links or embedded definitions) and was not opened.",
        ),
        (
            "请用公司模板重新填写并保存；如不清楚原因，请联系后台。",
            "Fill in a fresh copy of the company's template; ask the back office if unsure why.",
        ),
    ),
    _p(
        "csv-encoding",
        FILE,
        ERROR,
        ("CSV 编码无法识别", "Unreadable CSV encoding"),
        (
            "CSV 文件「{file}」的文字编码无法识别。",
            "The text encoding of the CSV file '{file}' is not recognised.",
        ),
        (
            "请在 Excel 中另存为 .xlsx（或 CSV UTF-8）后再放入。",
            "Save it from Excel as .xlsx (or CSV UTF-8) and drop it again.",
        ),
    ),
    _p(
        "too-many-rows",
        FILE,
        ERROR,
        ("行数太多", "Too many rows"),
        (
            "表中有 {value} 行，超过上限 {limit} 行。",
            "The form has {value} rows, more than the limit of {limit}.",
        ),
        ("请分成几个文件提交，或删除多余的空行。", "Split it into several files, or delete the unused rows."),
    ),
    _p(
        "missing-column",
        FILE,
        ERROR,
        ("缺少列", "Missing column"),
        ("表头中缺少必填列「{column}」。", "The required column '{column}' is missing from the header row."),
        (
            "请在表头加回「{column}」列（可从模板复制），并填写每一行。",
            "Add the column '{column}' back to the header row (copy it from the template) and fill in every row.",
        ),
    ),
    # ---- cells -----------------------------------------------------------------------------
    _p(
        "missing-info",
        CELL,
        ERROR,
        ("表头信息未填", "Missing form detail"),
        ("表格上方的「{column}」没有填写。", "'{column}' above the table is not filled in."),
        ("请在「{column}」后填写{example}。", "Fill in '{column}'{example}."),
    ),
    _p(
        "required",
        CELL,
        ERROR,
        ("必填项为空", "Required value missing"),
        ("第 {row} 行的「{column}」是必填项，但没有填写。", "'{column}' in row {row} is required but empty."),
        ("请填写「{column}」{example}。", "Fill in '{column}'{example}."),
    ),
    _p(
        "invalid-int",
        CELL,
        ERROR,
        ("不是整数", "Not a whole number"),
        (
            "「{column}」填的是「{value}」，不是整数。",
            "'{column}' holds '{value}', which is not a whole number.",
        ),
        ("请只填数字，例如 3。", "Enter digits only, e.g. 3."),
    ),
    _p(
        "invalid-money",
        CELL,
        ERROR,
        ("金额无法识别", "Not an amount"),
        (
            "「{column}」填的是「{value}」，不是金额。",
            "'{column}' holds '{value}', which is not an amount of money.",
        ),
        (
            "请只填数字（单位：元），例如 12500 或 12,500.00，不要写“万”或文字。",
            "Enter the amount in yuan as a number, e.g. 12500 or 12,500.00, without words.",
        ),
    ),
    _p(
        "negative-money",
        CELL,
        ERROR,
        ("金额为负数", "Negative amount"),
        (
            "「{column}」填的是 {value}，金额不能为负数。",
            "'{column}' is {value}; amounts cannot be negative.",
        ),
        (
            "请填 0 或正数；退货或冲减请在备注中说明并联系后台。",
            "Enter 0 or a positive amount; explain returns or reversals in a note to the back office.",
        ),
    ),
    _p(
        "invalid-date",
        CELL,
        ERROR,
        ("日期无法识别", "Not a date"),
        ("「{column}」填的是「{value}」，不是日期。", "'{column}' holds '{value}', which is not a date."),
        ("请填写日期，例如 2026-11-23。", "Enter a date, e.g. 2026-11-23."),
    ),
    _p(
        "invalid-bool",
        CELL,
        ERROR,
        ("应填是或否", "Not yes or no"),
        ("「{column}」填的是「{value}」，应为“是”或“否”。", "'{column}' holds '{value}'; it must be Y or N."),
        ("请从下拉框选择“是”或“否”。", "Pick Y or N from the drop-down."),
    ),
    _p(
        "invalid-choice",
        CELL,
        ERROR,
        ("不在可选项中", "Not one of the choices"),
        (
            "「{column}」填的是「{value}」，不在可选项中。",
            "'{column}' holds '{value}', which is not one of the choices.",
        ),
        ("请从下拉框选择：{allowed}。", "Pick one from the drop-down: {allowed}."),
    ),
    _p(
        "invalid-week",
        CELL,
        ERROR,
        ("周次无法识别", "Not a week"),
        ("「{column}」填的是「{value}」，不是周次。", "'{column}' holds '{value}', which is not a week."),
        ("请按 年-W周 填写，例如 2026-W48。", "Write the ISO week as year-Wweek, e.g. 2026-W48."),
    ),
    _p(
        "invalid-period",
        CELL,
        ERROR,
        ("期间无法识别", "Not a period"),
        ("「{column}」填的是「{value}」，不是期间。", "'{column}' holds '{value}', which is not a period."),
        (
            "请填写年、季度或月，例如 2026、2026-Q4 或 2026-11。",
            "Write a year, quarter or month, e.g. 2026, 2026-Q4 or 2026-11.",
        ),
    ),
    _p(
        "unknown-rep",
        CELL,
        ERROR,
        ("销售员编号不存在", "Unknown rep"),
        ("销售员编号「{value}」不存在。", "There is no rep with the ID '{value}'."),
        (
            "请填写您自己的销售员编号{example}；不清楚请问主管。",
            "Enter your own rep ID{example}; ask your supervisor if unsure.",
        ),
        other_region=(
            ("销售员「{value}」不属于{expected}区域。", "The rep '{value}' is not in the {expected} region."),
            (
                "周报只填写本区域的销售员，请核对销售员编号。",
                "List only your own region's reps; check the rep ID.",
            ),
        ),
    ),
    _p(
        "unknown-region",
        CELL,
        ERROR,
        ("区域不存在", "Unknown region"),
        ("区域「{value}」不存在。", "There is no region '{value}'."),
        ("请从下拉框选择区域：{allowed}。", "Pick the region from the drop-down: {allowed}."),
    ),
    _p(
        "unknown-customer",
        CELL,
        ERROR,
        ("客户不在客户登记表中", "Customer not in the register"),
        ("客户「{value}」不在客户登记表中。", "The customer '{value}' is not in the customer register."),
        (
            "请填写客户登记表里的客户编号或全称；新客户请先提交客户登记表。",
            "Enter the customer ID or the full name as in the register; register a new customer first.",
        ),
        ambiguous=(
            (
                "客户名称「{value}」在客户登记表中有 {count} 个同名客户（{ids}）。",
                "The name '{value}' matches {count} customers in the register ({ids}).",
            ),
            ("请改填客户编号，例如 {expected}。", "Enter the customer ID instead, e.g. {expected}."),
        ),
        unverified=(
            (
                "客户「{value}」无法核对：系统中还没有客户登记数据。",
                "The customer '{value}' could not be checked: there is no customer register yet.",
            ),
            (
                "确保该客户已在客户登记表中提交；正式入库时会再次核对。",
                "Make sure the customer is in your register; it is checked again when the form is taken in.",
            ),
        ),
    ),
    _p(
        "unknown-customer-id",
        CELL,
        ERROR,
        ("客户编号不存在", "Unknown customer ID"),
        ("客户编号「{value}」不存在。", "There is no customer with the ID '{value}'."),
        (
            "新客户请把客户编号留空（系统会自动编号）；老客户请核对编号。公司原有的客户编号请交总部放入 hq 文件夹导入。",
            "Leave the ID blank for a new customer (one is assigned); check the ID of an existing one. "
            "HQ loads the company's existing customer IDs through the hq folder.",
        ),
        unverified=(
            (
                "客户编号「{value}」无法核对：系统中还没有客户登记数据。",
                "The customer ID '{value}' could not be checked: there is no customer register yet.",
            ),
            (
                "新客户请把客户编号留空；正式入库时会再次核对。",
                "Leave the ID blank for a new customer; it is checked again when the form is taken in.",
            ),
        ),
    ),
    _p(
        "customer-id-taken",
        CELL,
        ERROR,
        ("客户编号已被系统占用", "Customer ID already assigned"),
        (
            "客户编号「{value}」已由系统分配给客户「{expected}」，本行写的是另一家客户。",
            "The ID '{value}' was assigned by Salesflow to the customer '{expected}'; this row is another customer.",
        ),
        (
            "若确是同一客户，请核对名称、电话或信用代码；若是公司原有编号，请改用其他编号或留空（系统会自动编号）。",
            "If it is that customer, check its name, phone or credit code; if it is your company's own code, "
            "use another ID or leave it blank (one is assigned).",
        ),
    ),
    _p(
        "unknown-complaint-id",
        CELL,
        ERROR,
        ("投诉编号不存在", "Unknown complaint ID"),
        ("投诉编号「{value}」不存在。", "There is no complaint with the ID '{value}'."),
        (
            "新投诉请把投诉编号留空；更新旧投诉请核对编号。",
            "Leave the ID blank for a new complaint; check the ID when updating one.",
        ),
        unverified=(
            (
                "投诉编号「{value}」无法核对：系统中还没有投诉记录。",
                "The complaint ID '{value}' could not be checked: there are no complaints yet.",
            ),
            (
                "新投诉请把投诉编号留空；正式入库时会再次核对。",
                "Leave the ID blank for a new complaint; it is checked again when the form is taken in.",
            ),
        ),
    ),
    _p(
        "invalid-credit-code",
        CELL,
        ERROR,
        ("统一社会信用代码有误", "Invalid credit code"),
        ("统一社会信用代码「{value}」有误：{expected}。", "The credit code '{value}' is wrong: {expected}."),
        (
            "请对照营业执照重新填写 18 位代码（字母大写），不清楚可留空。",
            "Copy the 18-character code from the business licence (capital letters), or leave it blank.",
        ),
    ),
    _p(
        "invalid-phone",
        CELL,
        ERROR,
        ("电话号码有误", "Invalid phone number"),
        (
            "电话「{value}」不是有效的手机号或座机号。",
            "The phone '{value}' is not a valid mobile or landline number.",
        ),
        (
            "手机填 11 位（如 13812345678），座机带区号（如 010-12345678 或 0755-1234567）。",
            "Enter an 11-digit mobile (e.g. 13812345678) or a landline with area code (e.g. 010-12345678).",
        ),
    ),
    _p(
        "invalid-email",
        CELL,
        ERROR,
        ("邮箱地址有误", "Invalid email"),
        ("邮箱「{value}」不是有效的邮箱地址。", "'{value}' is not a valid email address."),
        (
            "请填写完整的邮箱，例如 zhang@example.com，或留空。",
            "Enter a full address such as zhang@example.com, or leave it blank.",
        ),
    ),
    _p(
        "date-in-future",
        CELL,
        ERROR,
        ("日期在将来", "Date in the future"),
        (
            "「{column}」是 {value}，晚于收到表格的日期 {limit}。",
            "'{column}' is {value}, later than the day the form was received ({limit}).",
        ),
        (
            "请检查年份和月份，填写实际发生的日期。",
            "Check the year and month; enter the date it really happened.",
        ),
    ),
    _p(
        "date-too-old",
        CELL,
        ERROR,
        ("日期太早", "Date too old"),
        (
            "「{column}」是 {value}，早于允许的最早日期 {limit}（{expected} 天以内）。",
            "'{column}' is {value}, before the earliest date allowed, {limit} (within {expected} days).",
        ),
        (
            "请检查年份是否写错；补交很久以前的表请联系后台。",
            "Check the year; ask the back office to take in a form this old.",
        ),
    ),
    _p(
        "quote-amount-required",
        CELL,
        ERROR,
        ("已报价但没有报价金额", "Quote amount missing"),
        ("第 {row} 行已报价，但「{column}」没有填写。", "Row {row} says quoted, but '{column}' is empty."),
        ("请填写报价金额；如未报价，请把“已报价”改为“否”。", "Enter the quoted amount, or set Quoted to N."),
    ),
    _p(
        "order-without-deal",
        CELL,
        ERROR,
        ("未成交却有订货金额", "Order without a deal"),
        (
            "第 {row} 行订货金额为 {value}，但洽谈结果不是“成交”。",
            "Row {row} has an order of {value}, but the outcome is not 'deal'.",
        ),
        (
            "有订货请把洽谈结果改为“成交”；未成交请把订货金额清空或填 0。",
            "Set the outcome to 'deal' if there was an order; otherwise clear the order amount.",
        ),
    ),
    _p(
        "margin-exceeds-order",
        CELL,
        ERROR,
        ("毛利大于订货金额", "Margin above the order"),
        (
            "第 {row} 行毛利 {value} 大于订货金额 {limit}。",
            "Row {row}: the gross margin {value} is more than the order amount {limit}.",
        ),
        (
            "毛利不能超过订货金额，请核对两个数字。",
            "The margin cannot exceed the order amount; check both figures.",
        ),
    ),
    _p(
        "next-visit-not-after-report",
        CELL,
        ERROR,
        ("下次拜访日期不在报告日之后", "Next visit not after the report"),
        (
            "下次拜访日期 {value} 不在报告日期 {expected} 之后。",
            "The next visit {value} is not after the report date {expected}.",
        ),
        ("请填写今后的日期，例如 {limit}。", "Enter a later date, e.g. {limit}."),
    ),
    _p(
        "resolved-date-required",
        CELL,
        ERROR,
        ("缺少解决日期", "Resolved date missing"),
        (
            "第 {row} 行状态为“{value}”，但「{column}」没有填写。",
            "Row {row} is '{value}', but '{column}' is empty.",
        ),
        (
            "请填写解决日期，例如 2026-11-23；尚未解决请把状态改为“处理中”。",
            "Enter the date it was resolved, e.g. 2026-11-23, or set the status to 'in progress'.",
        ),
    ),
    _p(
        "resolved-before-received",
        CELL,
        ERROR,
        ("解决日期早于受理日期", "Resolved before received"),
        (
            "解决日期 {value} 早于受理日期 {expected}。",
            "The resolved date {value} is before the received date {expected}.",
        ),
        ("请核对两个日期。", "Check both dates."),
    ),
    _p(
        "invalid-target-owner",
        CELL,
        ERROR,
        ("目标对象有误", "Invalid target owner"),
        (
            "第 {row} 行层级为“{expected}”，但对象「{value}」不是有效的{expected}。",
            "Row {row} is at level '{expected}', but the owner '{value}' is not a valid {expected}.",
        ),
        ("请填写：{allowed}。", "Enter one of: {allowed}."),
    ),
    _p(
        "duplicate-row",
        CELL,
        WARNING,
        ("重复的行", "Duplicate row"),
        ("第 {row} 行与第 {expected} 行完全相同。", "Row {row} is the same as row {expected}."),
        (
            "如是重复录入请删除一行；如确为两次拜访，可以忽略此提醒。",
            "Delete one if it was entered twice; if they really are two entries, ignore this note.",
        ),
    ),
    _p(
        "formula-text",
        CELL,
        WARNING,
        ("以“=”开头的文字", "Text starting with '='"),
        (
            "「{column}」的内容以“=”开头，将按文字保存，不会当作公式计算。",
            "'{column}' starts with '='; it is kept as text, never calculated as a formula.",
        ),
        ("如需填写数字，请直接填写结果。", "If you meant a number, type the result itself."),
    ),
    _p(
        "formula-no-value",
        CELL,
        ERROR,
        ("公式没有保存结果", "Formula without a saved value"),
        (
            "「{column}」（单元格 {cell}）是公式，但文件里没有保存它的计算结果，读不到数值。",
            "'{column}' (cell {cell}) holds a formula with no saved value, so there is no value to read.",
        ),
        (
            "请用 Excel 或 WPS 打开文件并保存一次（保存时会算出结果），或直接填写数值，然后重新放入。",
            "Open the file in Excel or WPS and save it (saving computes the value), or type the value, then drop it again.",
        ),
    ),
    _p(
        "no-rows",
        CELL,
        WARNING,
        ("表中没有数据", "No rows"),
        ("表格中没有填写任何数据行。", "The table has no filled-in rows."),
        (
            "如果今天确实没有内容可以忽略；否则请填写后重新提交。",
            "Ignore this if there was nothing to report; otherwise fill in the rows and drop it again.",
        ),
    ),
    # ---- who may submit what ---------------------------------------------------------------
    _p(
        "wrong-folder",
        PERMISSION,
        ERROR,
        ("放错了文件夹", "Wrong folder"),
        (
            "表上的销售员编号是 {expected}，但文件放在了「{folder}」文件夹。",
            "The form is for rep {expected}, but it was dropped into the folder '{folder}'.",
        ),
        (
            "请只在自己的文件夹里提交自己的表；如编号填错，请改正销售员编号。",
            "Drop your own forms into your own folder only; if the rep ID is wrong, correct it.",
        ),
    ),
    _p(
        "not-region-supervisor",
        PERMISSION,
        ERROR,
        ("不是该区域的主管", "Not the region's supervisor"),
        (
            "{value}区域的周报只能由该区域主管（{expected}）提交，文件却放在「{folder}」文件夹。",
            "The weekly report for {value} may only come from its supervisor ({expected}), not the folder '{folder}'.",
        ),
        (
            "请由该区域主管在自己的文件夹中提交；如区域填错，请改正。",
            "Let the region's supervisor drop it into their own folder; correct the region if it is wrong.",
        ),
    ),
    _p(
        "targets-not-from-hq",
        PERMISSION,
        ERROR,
        ("销售目标只能由总部提交", "Targets only from HQ"),
        (
            "销售目标表只能放在 hq 文件夹，文件却放在「{folder}」文件夹。",
            "Targets are taken only from the hq folder, not from '{folder}'.",
        ),
        ("请把目标表交给总部，由总部放入 hq 文件夹。", "Hand the targets to HQ to drop into the hq folder."),
    ),
    # ---- ledger notes ----------------------------------------------------------------------
    _p(
        "duplicate-submission",
        LEDGER,
        NOTE,
        ("重复提交", "Duplicate submission"),
        (
            "内容与已收到的文件「{file}」完全相同，不会重复计算。",
            "Identical to the file already received ('{file}'); it is not counted twice.",
        ),
        ("无需处理。", "Nothing to do."),
    ),
    _p(
        "superseded",
        LEDGER,
        NOTE,
        ("已被新版本替代", "Superseded"),
        (
            "此表替代了同一天先前提交的版本「{file}」。",
            "This form replaces the version sent earlier for the same day ('{file}').",
        ),
        ("无需处理；以最后提交的版本为准。", "Nothing to do; the latest version counts."),
    ),
    _p(
        "owner-conflict",
        LEDGER,
        WARNING,
        ("客户属于其他销售员", "Customer owned by another rep"),
        (
            "客户「{value}」属于销售员 {expected}，本行未更新该客户，已转经理处理。",
            "The customer '{value}' belongs to rep {expected}; the row was not applied and goes to the manager.",
        ),
        ("如需转移客户，请联系经理。", "Ask your manager to transfer the customer."),
    ),
]

CATALOG: dict[str, Problem] = {p.code: p for p in _ENTRIES}
# derived from the entries (each problem's severity and kind live in its own entry)
SEVERITY: dict[str, str] = {p.code: p.severity for p in _ENTRIES}
FILE_CODES, CELL_CODES, PERMISSION_CODES, LEDGER_CODES = (
    {p.code: p.severity for p in _ENTRIES if p.kind == kind} for kind in (FILE, CELL, PERMISSION, LEDGER)
)


class _Fill(dict):  # type: ignore[type-arg]
    """Placeholder values for ``format_map``; a missing one shows as '?' instead of raising."""

    def __missing__(self, key: str) -> str:
        return "?"


def _text(value: Any, lang: str) -> str:
    if value is None:
        return "?"
    if isinstance(value, dict) and set(value) <= {"zh", "en"} and value:
        return _text(value.get(lang, next(iter(value.values()))), lang)
    if isinstance(value, (list, tuple, set)):
        sep = "、" if lang == "zh" else ", "
        return sep.join(_text(v, lang) for v in value) if value else "?"
    return str(value)


def _format(template: str, values: dict[str, Any], lang: str) -> str:
    fill = _Fill({k: _text(v, lang) for k, v in values.items()})
    try:
        return template.format_map(fill)
    except (ValueError, IndexError, KeyError):  # a stray brace in a template: show it as is
        return template


def problem(code: str) -> Problem:
    """The catalog entry of ``code``; an unknown code (a bug of ours) still gets a generic entry."""
    found = CATALOG.get(code)
    if found is not None:
        return found
    return Problem(
        code,
        CELL,
        ERROR,
        Text(code, code),
        Text(f"问题：{code}", f"Problem: {code}"),
        Text("请联系后台。", "Ask the back office."),
    )


def render(issue: Issue, lang: str = "zh") -> tuple[str, str]:
    """The message and the how-to-fix hint of ``issue`` in ``lang`` (zh | en)."""
    lang = lang if lang in LANGS else "zh"
    entry = problem(issue.code)
    values: dict[str, Any] = {
        "column": issue.column if issue.column else issue.field,
        "value": issue.value if issue.value not in (None, "") else ("（空）" if lang == "zh" else "(blank)"),
        "cell": issue.cell,
        "row": issue.row,
        "sheet": issue.sheet,
    }
    values["example"] = ""
    values.update({k: v for k, v in issue.params.items() if v is not None})
    message, fix = entry.message, entry.fix
    variant = issue.params.get("variant")
    if variant and variant in entry.variants:
        message, fix = entry.variants[variant]
    return _format(message[lang], values, lang), _format(fix[lang], values, lang)


def title(code: str, lang: str = "zh") -> str:
    """The short name of a problem, for list headers and summaries."""
    return problem(code).title[lang]


def _md(text: str) -> str:
    """Template text for a Markdown cell: placeholders shown as ‹name›, the optional example dropped."""
    text = re.sub(r"\{(\w+)\}", r"‹\1›", text.replace("{example}", ""))
    return text.replace("|", "\\|").replace("\n", " ")


def catalog_markdown() -> str:
    """The README table of every problem (generated; ``tests/test_problems.py`` keeps README in step)."""
    lines = [
        "| code | severity | 问题 | problem | 怎么改 | how to fix |",
        "|---|---|---|---|---|---|",
    ]
    for p in _ENTRIES:
        lines.append(
            f"| `{p.code}` | {p.severity} | {_md(p.title.zh)} | {_md(p.title.en)} | {_md(p.fix.zh)} | {_md(p.fix.en)} |"
        )
    return "\n".join(lines) + "\n"


README_START = "<!-- problems:start -->"
README_END = "<!-- problems:end -->"


def readme_with_catalog(text: str) -> str:
    """``text`` (README.md) with the catalog table between the markers (added at the end if absent)."""
    block = f"{README_START}\n{catalog_markdown()}{README_END}"
    start, end = text.find(README_START), text.find(README_END)
    if start == -1 or end == -1 or end < start:
        return text.rstrip("\n") + "\n\n" + block + "\n"
    return text[:start] + block + text[end + len(README_END) :]


if __name__ == "__main__":  # python -m automation.core.problems README.md: regenerate the README table
    import sys
    from pathlib import Path

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    target.write_text(readme_with_catalog(target.read_text(encoding="utf-8")), encoding="utf-8")
