"""``salesflow status [--json]``: is the watcher alive, what waits, what was counted, who must act.

Thin: :func:`automation.watch.status.collect` builds the answer, :mod:`automation.watch.status_text`
words it; this prints it. ``--json`` prints the stable, documented shape (see
:mod:`automation.watch.status`; top-level keys ``schema`` (= 1), ``generated_at``, ``today``,
``watcher``, ``backlog``, ``counts``, ``awaiting_fix``, ``missing_today``, ``conflicts``,
``conflict_copies``, ``reports``) for the back office's monitoring.

Exit codes (a monitor can alert on any non-zero code alone):
- 0 the watcher is alive and nothing holds it up;
- 1 it is not running (dead: no process holds its lock);
- 2 config error, or the ledger cannot be read;
- 3 it is stuck: a process holds the lock, but its heartbeat is older than 30 s (hung; see its log);
- 4 it is alive but waiting on its environment (a full disk, a locked ledger, a read-only folder,
  a vanished share: ``watcher.problem`` says which; it resumes by itself when that is fixed).
"""

from __future__ import annotations

import json
import sys

import click

from automation.cli.shared import json_option
from automation.core.texts.cli import command_help
from automation.watch.status import collect
from automation.watch.status_text import exit_code, render


@click.command("status", help=command_help("status"))
@json_option("Print the stable JSON shape (schema 1) for monitoring.")
@click.pass_obj
def command(app, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    data = collect(app.config)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for line in render(data):
            click.echo(line)
    code = exit_code(data)
    if code:
        sys.exit(code)
