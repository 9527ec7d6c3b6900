"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and can misbehave:
refuse the first messages with 451 (to exercise retries) or stall inside DATA after taking a
message (so a sender can be killed mid-send)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]

    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        return body.get_content() if body is not None else ""

    def html(self) -> str:
        body = self.message.get_body(preferencelist=("html",))
        return body.get_content() if body is not None else ""


@dataclass
class Handler:
    refuse_first: int = 0  # answer DATA of the first N messages with 451
    stall: bool = False  # take the message, then hang before answering
    received: list[Received] = field(default_factory=list)
    refused: int = 0
    got_one: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refused < self.refuse_first:
            self.refused += 1
            return "451 4.3.0 try again later"
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                bytes(envelope.original_content or envelope.content),
            )
        )
        self.got_one.set()
        if self.stall:
            await asyncio.sleep(60)
        return "250 OK"


class Server:
    def __init__(self, handler: Handler | None = None):
        self.handler = handler or Handler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=free_port())

    def __enter__(self) -> Server:
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def settings(self, **more: Any) -> dict[str, Any]:
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "starttls": False,
            "retry_backoff": 0.05,
            "timeout": 10,
            **more,
        }


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
