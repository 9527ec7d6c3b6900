"""Which site writes which weekly workbooks (issue 18: several branch watchers, one ledger).

The decision: a region's workbooks are written by the site that serves the region
(``regions[].site``; HQ when unset) into *its own* shared folder's ``reports/``, where that
branch's supervisors open them and return their pre-filled weekly report into their own inbox; the
company workbook is written by HQ (``hq_site``) into HQ's shared folder. So nobody writes into
another branch's share, and every share holds what its people read.

The marks follow: a form marks its region-week (as on one site); with several sites it also marks
its week for the company (region ``*``, :data:`automation.ledger.recording.COMPANY_MARK`), since the
region's own mark is cleared by the branch that serves it. Each site clears only the marks it
built. One installation on its own (no region served elsewhere) is its own HQ and behaves exactly
as before: every region, and the company for every marked week.
"""

from __future__ import annotations

from collections.abc import Iterable

from automation.core.config import Config
from automation.ledger.recording import COMPANY_MARK


def mine(config: Config, mark: tuple[str, str]) -> bool:
    """Whether this site builds what ``mark`` (region, week) asks for."""
    region = mark[0]
    if region == COMPANY_MARK:
        return config.is_hq
    return config.owns_region(region)


def builds_company(config: Config, regions: Iterable[str]) -> bool:
    """Whether this site writes the company workbook of a week whose marks it read are ``regions``."""
    if not config.is_hq:
        return False
    return COMPANY_MARK in set(regions) if config.multi_site else True


def own_regions(config: Config) -> list[str]:
    """The regions whose workbooks this site writes (every region, on one site alone)."""
    return [r.id for r in config.regions if config.owns_region(r.id)]
