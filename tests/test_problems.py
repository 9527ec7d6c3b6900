"""The problem catalog: every code has its texts in both languages, and the README lists it as generated."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from automation.core import problems
from automation.core.model import Issue

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_code_has_zh_and_en_texts() -> None:
    assert set(problems.CATALOG) == set(problems.SEVERITY)
    for code, p in problems.CATALOG.items():
        for text in (p.title, p.message, p.fix, *(t for pair in p.variants.values() for t in pair)):
            assert text.zh.strip() and text.en.strip(), code
            assert re.search(r"[\u4e00-\u9fff]", text.zh), f"{code}: zh text has no Chinese: {text.zh}"
            assert not re.search(r"[\u4e00-\u9fff]", text.en), f"{code}: en text has Chinese: {text.en}"


def test_templates_use_the_same_placeholders_in_both_languages() -> None:
    def names(t: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(t) if f}

    for code, p in problems.CATALOG.items():
        for zh, en in ((p.message.zh, p.message.en), (p.fix.zh, p.fix.en)):
            assert names(zh) == names(en), code


def test_readme_lists_the_catalog_as_generated() -> None:
    text = README.read_text(encoding="utf-8")
    assert problems.README_START in text and problems.README_END in text
    assert problems.readme_with_catalog(text) == text, (
        "README is out of step: run `python -m automation.core.problems README.md`"
    )
    for code in problems.SEVERITY:
        assert f"| `{code}` |" in text


def test_readme_markers_added_when_absent() -> None:
    out = problems.readme_with_catalog("# Title\n")
    assert out.startswith("# Title\n\n<!-- problems:start -->\n| code |")
    assert out.rstrip().endswith(problems.README_END)
    assert problems.readme_with_catalog(out) == out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_render_fills_placeholders_and_never_raises(lang: str) -> None:
    issue = Issue(
        "invalid-choice",
        column="拜访目的",
        value="乱填",
        row=7,
        params={
            "allowed": {"zh": ["订货", "收款"], "en": ["order", "collection"]},
            "column": {"zh": "拜访目的", "en": "Purpose"},
        },
    )
    message, fix = problems.render(issue, lang)
    if lang == "zh":
        assert message == "「拜访目的」填的是「乱填」，不在可选项中。"
        assert fix == "请从下拉框选择：订货、收款。"
    else:
        assert message == "'Purpose' holds '乱填', which is not one of the choices."
        assert fix == "Pick one from the drop-down: order, collection."
    # a missing parameter shows as '?', an unknown code still renders
    assert "?" in problems.render(Issue("invalid-target-owner"), lang)[0]
    assert problems.render(Issue("no-such-code"), lang)[0]


def test_variant_message_for_an_ambiguous_customer() -> None:
    issue = Issue(
        "unknown-customer",
        value="华联",
        params={"variant": "ambiguous", "count": 2, "ids": ["C1", "C2"], "expected": "C1"},
    )
    message, fix = problems.render(issue, "zh")
    assert message == "客户名称「华联」在客户登记表中有 2 个同名客户（C1、C2）。"
    assert fix == "请改填客户编号，例如 C1。"
