"""A draft becomes an ``email.message.EmailMessage`` (policy.SMTP): headers, both parts, attachments.

Header safety, in three layers: :func:`clean` turns every control character (CR, LF, TAB, U+2028 ...)
of a value that came from config or a form into a space before it reaches a header; addresses are
``headerregistry.Address`` objects (the display name is quoted and encoded, so a name holding
``Bcc: x@y`` or a comma stays inside its quotes); and ``policy.SMTP`` itself refuses a header value
with CR or LF. Config load already refuses line breaks in names and malformed addresses.

The ``Message-ID`` is derived from the message's key, so the same message always carries the same
id: should a person re-send one whose first sending was unsure, clients drop the copy.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from automation.core.config import Config
from automation.core.content_store import sha256_of
from automation.core.texts.log import LOG
from automation.core.texts.mail import labels
from automation.mail.draft import Draft
from automation.mail.render import render
from automation.mail.routing import Recipient

log = logging.getLogger("automation.mail")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
DEFAULT_SENDER = "salesflow@localhost"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def clean(value: Any, limit: int = 200) -> str:
    """A header-safe single line: control characters become one space, runs of spaces one."""
    text = _CONTROL.sub(" ", str(value))
    return re.sub(r" {2,}", " ", text).strip()[:limit]


def sender(config: Config) -> Address:
    addr = config.smtp.sender or DEFAULT_SENDER
    return Address(display_name=clean(config.smtp.sender_name or config.company), addr_spec=addr)


def message_id(config: Config, key: str) -> str:
    """``<hash-of-key.salesflow@sender-domain>``: the same for every build of one message."""
    domain = (config.smtp.sender or DEFAULT_SENDER).rpartition("@")[2]
    digest = sha256_of(f"{config.company}\n{key}".encode())[0][:32]
    return f"<{digest}.salesflow@{domain}>"


def address(r: Recipient) -> Address:
    return Address(display_name=clean(r.name), addr_spec=r.email)


def compose(config: Config, draft: Draft, now: datetime) -> EmailMessage:
    """Render and assemble one message. A missing attachment is said in the message (both
    parts) and logged; the message still goes: its figures are what the reader needs first."""
    t = labels(draft.lang)
    ctx = dict(draft.context)
    ctx["notes"] = list(ctx.get("notes", []))
    present = []
    for a in draft.attachments:
        if a.path.is_file():
            present.append(a)
        else:
            log.warning(LOG["mail-no-attachment"], draft.key, a.path)
            folder = _shared_relative(config, a.path.parent)
            ctx["notes"].append(t["attachment_missing"].format(name=a.name, folder=folder))
    ctx["footer"] = t["footer"].format(at=now.strftime("%Y-%m-%d %H:%M"))
    ctx.setdefault("title", draft.subject)
    ctx.setdefault("lang", draft.lang)
    ctx.setdefault("t", t)
    ctx.setdefault("company", config.company)
    html, text = render(draft.template, ctx)

    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender(config)
    msg["To"] = [address(r) for r in draft.to if r.email]
    cc = [address(r) for r in draft.cc if r.email and r.email not in {x.email for x in draft.to}]
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = clean(draft.subject, 250)
    msg["Date"] = format_datetime(now.astimezone() if now.tzinfo is None else now)
    msg["Message-ID"] = message_id(config, draft.key)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: autoresponders stay quiet
    msg["X-Salesflow-Key"] = clean(draft.key)
    msg["Content-Language"] = "zh-CN" if draft.lang == "zh" else "en"
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    for a in present:
        ctype = (
            XLSX
            if a.path.suffix.lower() == ".xlsx"
            else (mimetypes.guess_type(a.path.name)[0] or "application/octet-stream")
        )
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(
            a.path.read_bytes(), maintype=maintype, subtype=subtype, filename=clean(a.path.name, 180)
        )
    return msg


def _shared_relative(config: Config, folder: Any) -> str:
    try:
        return folder.relative_to(config.shared_root).as_posix() + "/"
    except ValueError:
        return str(folder)
