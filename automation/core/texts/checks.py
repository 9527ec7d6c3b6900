"""The words validation and intake put into a problem's message (the problem catalog,
:mod:`automation.core.problems`, holds the sentences; these are the values it fills in): why a
credit code is wrong, a sample value's tail, what intake was doing when it ran out of time, an
unset supervisor (see :mod:`automation.core.texts`)."""

from __future__ import annotations

from automation.core.texts.base import Text

CREDIT_CODE: dict[str, Text] = {
    "length": Text("应为 18 位，现为 {n} 位", "it must be 18 characters, not {n}"),
    "characters": Text("含有不允许的字符 {chars}", "it contains characters that are not allowed: {chars}"),
    "check": Text(
        "校验位不对（可能有字符抄错）", "the check character does not match (a character may be mistyped)"
    ),
}
EXAMPLE = Text("，例如 {sample}", ", e.g. {sample}")
EXAMPLE_BOOL = {"zh": "是", "en": "Y"}
NOT_SET = {"zh": "未设置", "en": "none configured"}

# What intake is doing, for OverBudget's message (zh, en)
READING = {"zh": "读取工作表", "en": "reading the sheets"}
SCANNING = {"zh": "检查文件结构", "en": "checking the file's structure"}
HEADER = {"zh": "查找表头", "en": "looking for the header row"}
TABLE = {"zh": "读取表格各行", "en": "reading the table's rows"}
