"""Salesflow: a sales team's paperwork on the Excel forms it already uses.

The stages, in order (see :mod:`automation.pipeline.stages`):
intake -> validate -> ledger -> score -> consolidate -> mail.
"""

__version__ = "0.1.0"
