"""Who may submit which form from which inbox folder (SPEC §1, §2.6, §2.7).

A rep's form only from that rep's own folder; a weekly report only from the folder of its region's
supervisor; targets only from ``hq``. HQ may also drop a rep's customer register (SPEC §2.1: it loads
or corrects the customer master at any time; the customers belong to the rep the register names). A manual ``salesflow check`` has no folder (``sub.folder``
empty) and skips these checks. Folder names are compared ignoring case and width, like rep ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from automation.core.formspec import fold
from automation.core.texts.checks import NOT_SET

if TYPE_CHECKING:
    from automation.core.formspec import FormSpec
    from automation.core.model import Submission
    from automation.validate.base import Emitter, ValidationContext

HQ_FOLDER = "hq"


def check(sub: Submission, spec: FormSpec, ctx: ValidationContext, out: Emitter) -> None:
    folder = (sub.folder or "").strip()
    if not folder:
        return
    if spec.submitter == "hq":
        if fold(folder) != HQ_FOLDER:
            out.file("targets-not-from-hq", folder=folder)
        return
    if spec.submitter == "supervisor":
        cell = sub.info.get("region")
        region = sub.info_value("region")
        if region is None or (cell is not None and cell.issue):
            return  # missing-info / unknown-region already says what to fix
        region_obj = ctx.config.region(str(region))
        supervisor = ctx.config.supervisor_of(str(region))
        if supervisor is None or fold(supervisor.id) != fold(folder):
            out.cell(
                "not-region-supervisor",
                cell,
                "region",
                value={"zh": region_obj.zh, "en": region_obj.en} if region_obj else str(region),
                folder=folder,
                expected=supervisor.id if supervisor else NOT_SET,
            )
        return
    if spec.key == "customer_register" and fold(folder) == HQ_FOLDER:
        return
    cell = sub.info.get("rep_id")
    rep = sub.info_value("rep_id")
    if rep is None or (cell is not None and cell.issue):
        return
    if fold(str(rep)) != fold(folder):
        out.cell("wrong-folder", cell, "rep_id", folder=folder, expected=str(rep))
