"""``outbox/<week or date>/<kind> <id> <name>.eml``: every message as a file, sent or not.

The .eml is the record of what went out: a message is written (atomically: a temporary file,
fsync, rename) before it is sent, sending reads exactly these bytes, and a sent message's file is
never rewritten. Double-clicking one opens it in Outlook, Foxmail or Thunderbird.
"""

from __future__ import annotations

import os
from email import policy
from email.message import EmailMessage
from pathlib import Path

from automation.core.config import Config
from automation.core.safenames import safe_part
from automation.mail.draft import Draft


def path_for(config: Config, draft: Draft) -> Path:
    return config.outbox / safe_part(draft.period) / f"{safe_part(draft.stem or draft.key)}.eml"


def write(config: Config, draft: Draft, msg: EmailMessage) -> Path:
    """Write the message's bytes (CRLF line ends, as sent) and return the path."""
    path = path_for(config, draft)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = msg.as_bytes(policy=policy.SMTP)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path


def relative(config: Config, path: Path) -> str:
    try:
        return path.relative_to(config.shared_root).as_posix()
    except ValueError:
        return str(path)


def resolve(config: Config, stored: str) -> Path:
    p = Path(stored)
    return p if p.is_absolute() else config.shared_root / p
