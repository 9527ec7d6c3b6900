"""Both parts of a message from one context: ``templates/email/<name>.html`` and ``<name>.txt``.

jinja2 autoescapes the HTML part, so a rep's reflection, a customer's name or a market report
holding ``<script>`` shows as text, never as markup. The plain-text part is not escaped (nothing
in plain text is markup) and must read well on its own: it is what a phone's notification, a
text-only client and a screen reader show.

Where the templates are: the repository's top-level ``templates/email/`` (the designers' place,
beside the Excel templates). An installed wheel carries them as data files in
``<prefix>/share/salesflow/templates/email/`` (``[tool.setuptools.data-files]``); :func:`template_dir`
looks in the source tree first (a checkout or an editable install), then there. A test builds the
wheel, installs it into a fresh prefix and runs ``salesflow mail`` from it.
"""

from __future__ import annotations

import site
import sys
import sysconfig
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from automation.core.texts.errors import ERRORS

SHARE = Path("share") / "salesflow" / "templates" / "email"


class TemplatesMissing(RuntimeError):
    """The email templates are nowhere to be found (a broken installation)."""


def candidates() -> list[Path]:
    """Where the templates may be, in order: the source tree, then the installed data files."""
    import automation

    out = [Path(automation.__file__).resolve().parents[1] / "templates" / "email"]
    for base in (sysconfig.get_path("data"), sys.prefix, getattr(site, "USER_BASE", None)):
        if base:
            out.append(Path(base) / SHARE)
    return out


@lru_cache(maxsize=1)
def template_dir() -> Path:
    for c in candidates():
        if (c / "base.html").is_file():
            return c
    raise TemplatesMissing(
        ERRORS["mail-templates-missing"] + ", ".join(str(c) for c in candidates()) + " — reinstall Salesflow"
    )


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """One environment: autoescape for .html, strict undefined (a typo fails the test, not the mail)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir())),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """(html, text) of one message."""
    env = environment()
    html = env.get_template(f"{template}.html").render(**context)
    text = env.get_template(f"{template}.txt").render(**context)
    return html, _tidy(text)


def _tidy(text: str) -> str:
    """No runs of blank lines (what a template's optional blocks leave behind), one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"
