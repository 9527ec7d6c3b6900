"""CONSOLIDATE stage: the weekly workbooks managers open on Monday (SPEC §4), built from the score stage.

Read :mod:`automation.consolidate.run` first (:func:`rebuild_dirty` after each burst of forms,
:func:`consolidate` for the CLI), then :func:`automation.consolidate.workbook.build`, which lists a
workbook's sheets in order (one module each under ``sheets/``). :mod:`paths` names every output
file, :mod:`output` writes them atomically, :mod:`weekly_form` pre-fills the supervisors' weekly
management report.
"""

from automation.consolidate.run import ConsolidateError, Report, Written, consolidate, rebuild_dirty

__all__ = ["ConsolidateError", "Report", "Written", "consolidate", "rebuild_dirty"]
