"""What ``salesflow ingest`` and ``salesflow mail`` print, as lines: the command only echoes them
(the words are the catalog's, :mod:`automation.core.texts`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from automation.core.outcomes import ACCEPTED, DUPLICATE, FAILED, IGNORED, OUTCOMES, REJECTED
from automation.core.texts import both, say

if TYPE_CHECKING:
    from automation.core.config import Config
    from automation.pipeline.after import MailRun

Line = tuple[str, bool]  # (text, for stderr)


def ingest_lines(data: dict[str, Any], config: Config) -> list[str]:
    """:meth:`automation.pipeline.run.Ingested.summary` as text: the counts, then each file and
    where it went (its feedback workbook, its messages), where failed files' reasons are logged,
    and the workbooks rebuilt."""
    c = data["counts"]
    out = ["  ".join(f"{say('outcome-' + s, 'zh')} {say('outcome-' + s, 'en')}: {c[s]}" for s in OUTCOMES)]
    for f in data["files"]:
        if f["status"] in (ACCEPTED, DUPLICATE, REJECTED):
            feedback = f"{say('ingest-feedback', 'zh')} {say('ingest-feedback', 'en')}: {f['feedback']}"
            out.append(
                f"  {f['status']:9} {f['path']} -> {f['to']}" + (f"  ({feedback})" if f["feedback"] else "")
            )
        elif f["status"] in (FAILED, IGNORED):
            out.append(f"  {f['status']:9} {f['path']}: {f['reason']}")
        out.extend(f"      {m}" for m in f["messages"])
    if c[FAILED]:
        out.append(both("ingest-failed", logs=config.state_root / "logs"))
    if data.get("reports"):
        folders = sorted({str(Path(p).parent) for p in data["reports"]})
        out.append(both("ingest-reports", n=len(data["reports"]), folders=", ".join(folders)))
    return out


def mail_lines(run: MailRun, config: Config, *, asked: bool, resend: tuple[str, ...] = ()) -> list[Line]:
    """What ``salesflow mail`` says of a :class:`~automation.pipeline.after.MailRun`: each asked
    resend, each message written and sent, the failed ones (stderr), where the outbox is, and the
    messages a person must look at (stderr). ``asked``: a week or a day was named (else: what is due now)."""
    out: list[Line] = [
        (both("mail-resend" if key in run.released else "mail-not-resendable", key=key), False)
        for key in resend
    ]
    report = run.report
    if report is None:
        return out
    out += [(both("mail-written", path=path), False) for path in report.written]
    if report.kept:
        out.append((both("mail-kept", n=len(report.kept)), False))
    out += [(both("mail-sent", key=key), False) for key in report.sent]
    out += [(both("mail-not-sent", key=key, why=why), True) for key, why in report.failed]
    if not (report.written or report.sent or report.failed):
        out.append((both("mail-nothing" if asked else "mail-nothing-now"), False))
    out.append((both("mail-outbox", outbox=config.outbox), False))
    if report.attention:
        out.append((both("mail-attention"), True))
        out += [
            (f"  {row.status} {row.key} -> {', '.join(row.recipients)}: {row.error}", True)
            for row in report.attention
        ]
    return out
