"""The labels of the choices a company gets when its config names none (see
:mod:`automation.core.texts`); ``config.industries`` defaults to these and a company may replace them."""

from __future__ import annotations

DEFAULT_INDUSTRIES = [
    ("manufacturing", "制造业", "Manufacturing"),
    ("wholesale", "批发", "Wholesale"),
    ("retail", "零售", "Retail"),
    ("construction", "建筑", "Construction"),
    ("it", "信息技术", "IT"),
    ("healthcare", "医疗", "Healthcare"),
    ("education", "教育", "Education"),
    ("food", "食品餐饮", "Food and catering"),
    ("logistics", "物流", "Logistics"),
    ("other", "其他", "Other"),
]
