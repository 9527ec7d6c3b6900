"""Where the consolidated outputs of a week live: the one place both the workbook writer and mail look.

``reports/<week>/`` holds, per ISO week, one workbook per region, one for the company and one
pre-filled weekly management report per region supervisor. Names are in the reader's language
(the region supervisor's, the config's for the company) because managers find files by name in
Explorer; they are built through :func:`automation.core.safenames.safe_part`, since company, region and
people names come from config and may hold characters Windows refuses.
"""

from __future__ import annotations

from pathlib import Path

from automation.core.config import Config
from automation.core.safenames import safe_part
from automation.core.texts.workbooks import FILE_WORDS


def week_folder(config: Config, week: str) -> Path:
    """``reports/2026-W48/``."""
    return config.reports / safe_part(week)


def region_language(config: Config, region_id: str) -> str:
    """The region workbook's language: its supervisor's, else the config's."""
    sup = config.supervisor_of(region_id)
    return sup.language if sup is not None else config.language


def company_workbook(config: Config, week: str) -> Path:
    """``reports/2026-W48/<company> 公司周报 2026-W48.xlsx`` (en: ``<company> company 2026-W48.xlsx``)."""
    word = FILE_WORDS["company"][0] if config.language == "zh" else FILE_WORDS["company"][1]
    return week_folder(config, week) / f"{safe_part(f'{config.company} {word} {week}')}.xlsx"


def region_workbook(config: Config, week: str, region_id: str) -> Path:
    """``reports/2026-W48/华东 区域周报 2026-W48.xlsx`` (en: ``East region 2026-W48.xlsx``)."""
    lang = region_language(config, region_id)
    region = config.region(region_id)
    label = region.label(lang) if region is not None else region_id
    word = FILE_WORDS["region"][0] if lang == "zh" else FILE_WORDS["region"][1]
    return week_folder(config, week) / f"{safe_part(f'{label} {word} {week}')}.xlsx"


def weekly_report_form(config: Config, week: str, supervisor_id: str) -> Path:
    """The pre-filled weekly management report (SPEC §2.6) for one supervisor:
    ``reports/2026-W48/周销售管理报告书 华东 王芳 2026-W48.xlsx`` (en: ``Weekly report East Wang Fang 2026-W48.xlsx``)."""
    sup = next((s for s in config.supervisors if s.id == supervisor_id), None)
    if sup is None:
        raise KeyError(f"no supervisor {supervisor_id!r}")
    region = config.region(sup.region)
    label = region.label(sup.language) if region is not None else sup.region
    word = FILE_WORDS["weekly_report"][0] if sup.language == "zh" else FILE_WORDS["weekly_report"][1]
    return week_folder(config, week) / f"{safe_part(f'{word} {label} {sup.name} {week}')}.xlsx"
