"""What ``salesflow init`` prints: where the installation, its config, shared folder and templates
are, what was created and kept, and the next step (words: :mod:`automation.core.texts`)."""

from __future__ import annotations

import os
from pathlib import Path

from automation.core.texts import both
from automation.templates.installer import InitResult


def _rel(path: Path, base: Path) -> str:
    try:
        return os.path.relpath(path, base)
    except ValueError:  # another drive on Windows
        return str(path)


def init_lines(result: InitResult) -> list[str]:
    """The summary of :func:`automation.templates.installer.init_installation`."""
    base = result.target
    new = [p for p in result.created if p != base]
    state = both("init-created" if result.config_path in result.created else "init-kept-config")
    return [
        both("init-installation", path=base),
        both("init-config", path=result.config_path, state=state),
        both("init-shared", path=result.shared_root),
        "  " + both("init-inboxes", path=result.shared_root / "inbox"),
        both("init-templates", path=result.templates_dir),
        both("init-counts", new=len(new), kept=len(result.kept)),
        *(f"  + {_rel(p, base)}" for p in new),
        both("init-next"),
        f"  salesflow --config {result.config_path} templates --rep <ID>",
    ]
