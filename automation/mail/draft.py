"""A message before it is rendered: who, what, which template and context, what to attach.

Builders (:mod:`weekly`, :mod:`daily`, :mod:`events`) return drafts; :mod:`compose` turns one
into an ``EmailMessage``; :mod:`outbox` writes it; :mod:`transport` sends it. The ``key`` names
the message for the sent log (same message, same key, however often it is built).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation.mail.routing import Recipient


@dataclass(frozen=True)
class Attachment:
    """A file to attach; ``label`` names it in the message when it is missing (default: its name)."""

    path: Path
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.path.name


@dataclass
class Draft:
    key: str  # e.g. weekly:2026-W48:supervisor:S01 (the sent log's key)
    kind: str  # weekly | brief | reminder | escalation | rejection | receipt
    period: str  # the ISO week or date it is about; also its outbox subfolder
    template: str  # templates/email/<template>.html and .txt
    lang: str
    to: list[Recipient]
    cc: list[Recipient] = field(default_factory=list)
    subject: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    stem: str = ""  # the .eml file name without extension

    @property
    def addresses(self) -> list[str]:
        """Every envelope recipient (To and Cc; there is never a Bcc)."""
        seen: list[str] = []
        for r in [*self.to, *self.cc]:
            if r.email and r.email not in seen:
                seen.append(r.email)
        return seen
