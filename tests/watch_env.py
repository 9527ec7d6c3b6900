"""Shared set-up for the watcher's environment tests (names, completeness, faults, copies)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from automation.core.formspec import load_specs
from tests.formfactory import FormFactory, install


def seeded(root: Path, **watcher: Any) -> tuple[Path, Any, FormFactory]:
    """An installation under ``root`` whose reps' customers are in the ledger (registers processed
    in-process), as ``tests/test_watcher.py``'s ``inst`` fixture."""
    from automation.ledger import open_ledger
    from automation.pipeline import process

    cfg_path, config = install(root, **watcher)
    factory = FormFactory(config, load_specs(config))
    with open_ledger(config) as ledger:
        for rep in config.reps:
            path = factory.register(rep.id).drop(config.inbox)
            outcome = process(path, config, ledger=ledger, folder=rep.id)
            assert outcome.status == "accepted", (rep.id, outcome.messages)
    return cfg_path, config, factory
