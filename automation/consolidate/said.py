"""What ``salesflow consolidate`` prints: one line per file written (flagged when it went beside
its target because the target was open), then how many and where (words: :mod:`automation.core.texts`)."""

from __future__ import annotations

from pathlib import Path

from automation.consolidate.run import Report
from automation.core.texts import both


def written_lines(report: Report, root: Path) -> list[str]:
    """The files of ``report``, each shown relative to the shared folder ``root`` when inside it."""
    out = []
    for w in report.written:
        shown = w.path.relative_to(root) if w.path.is_relative_to(root) else w.path
        line = f"{w.week}  {w.kind:13}  {shown}"
        if w.beside:
            line += "   (" + both("consolidate-beside", name=w.target.name) + ")"
        out.append(line)
    folders = sorted({w.path.parent for w in report.written})
    out.append(both("consolidate-written", n=len(report.written), folders=", ".join(map(str, folders))))
    return out
