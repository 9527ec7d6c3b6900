"""Writing an output file so nobody ever opens half of it, and what happens when the old one is open.

:func:`save` writes into a hidden temporary file in the target's own folder (same file system, so
the rename is atomic) and then ``os.replace``-s it over the target: a manager opening the workbook
sees the old one or the new one, never a partial file. On Windows a workbook open in Excel cannot be
replaced (``PermissionError``); the new one is then written beside it (``… (2).xlsx``, the next free
number up to :data:`MAX_BESIDE`), the log says so, and :func:`held_open` lists it for ``salesflow
status`` until a later build replaces the target itself (which also removes the stale copy beside).

Temporary files a killed process left behind are removed once they are :data:`STALE_TEMP_SECONDS`
old (a live writer finishes within seconds).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from automation.core import clock, filelock
from automation.core.texts.log import LOG

log = logging.getLogger("automation.consolidate")

STATE_NAME = "reports_beside.json"
LOCK_NAME = "reports_beside.lock"
MAX_BESIDE = 9
STALE_TEMP_SECONDS = 600
TEMP_MARK = ".salesflow-tmp"


def _temp_for(target: Path) -> Path:
    return target.with_name(f".{target.stem}.{os.getpid()}.{threading.get_ident()}{TEMP_MARK}{target.suffix}")


def sweep_temps(folder: Path) -> None:
    """Remove temporary files of writers that died (older than :data:`STALE_TEMP_SECONDS`)."""
    now = time.time()
    for f in folder.glob(f".*{TEMP_MARK}.*"):
        with contextlib.suppress(OSError):
            if now - f.stat().st_mtime > STALE_TEMP_SECONDS:
                f.unlink()


def save(target: Path, write: Callable[[Path], Any], state_root: Path) -> Path:
    """``write(temp)`` then rename over ``target``; returns where the file went (``target``, or the
    name beside it when ``target`` is held open)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_temps(target.parent)
    tmp = _temp_for(target)
    try:
        write(tmp)
        final = _replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _remember(state_root, target, final)
    return final


def _replace(tmp: Path, target: Path) -> Path:
    try:
        os.replace(tmp, target)
        return target
    except PermissionError as first:
        for n in range(2, MAX_BESIDE + 2):
            beside = target.with_name(f"{target.stem} ({n}){target.suffix}")
            try:
                os.replace(tmp, beside)
            except PermissionError:
                continue
            log.warning(
                LOG["workbook-open"],
                target, beside.name, beside.name,
            )  # fmt: skip
            return beside
        raise first


def _remember(state_root: Path, target: Path, final: Path) -> None:
    """Record (or clear) a file written beside its target; a replaced target drops its stale copy."""
    state_root.mkdir(parents=True, exist_ok=True)
    with filelock.held(state_root / LOCK_NAME):
        state = _read(state_root)
        key = str(target)
        old = state.pop(key, None)
        if final != target:
            state[key] = {
                "target": str(target),
                "written": str(final),
                "at": clock.now().isoformat(timespec="seconds"),
            }
        elif old is not None and old.get("written") and old["written"] != str(target):
            with contextlib.suppress(OSError):  # still held open: it stays, harmless
                Path(old["written"]).unlink()
        if old is not None or final != target:
            _write(state_root, state)


def _read(state_root: Path) -> dict[str, Any]:
    try:
        data = json.loads((state_root / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(state_root: Path, state: dict[str, Any]) -> None:
    path = state_root / STATE_NAME
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def held_open(state_root: Path) -> list[dict[str, Any]]:
    """Outputs last written beside their target because it was open: ``{target, written, at}``."""
    return sorted(_read(state_root).values(), key=lambda e: str(e.get("target", "")))
