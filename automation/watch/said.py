"""What ``salesflow watch`` says when the watcher stops: its counts, then (on stderr) what was
quarantined, left waiting, or stopped it (the words are the catalog's, :mod:`automation.core.texts`)."""

from __future__ import annotations

from automation.core.texts import both
from automation.watch.watcher import RunSummary


def summary_lines(summary: RunSummary) -> list[tuple[str, bool]]:
    """``(line, for stderr)`` for a :class:`RunSummary`."""
    counts = ", ".join(f"{k} {v}" for k, v in sorted(summary.counts.items())) or both("watch-nothing")
    out = [(both("watch-done", counts=counts), False)]
    if summary.quarantined:
        files = ", ".join(summary.quarantined)
        out.append((both("watch-quarantined", n=len(summary.quarantined), files=files), True))
    if summary.waiting:
        out.append((both("watch-waiting", n=len(summary.waiting), files="; ".join(summary.waiting)), True))
    if summary.fatal:
        out.append((both("watch-error", error=summary.fatal), True))
    return out
