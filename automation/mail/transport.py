"""Sending over SMTP: SSL or STARTTLS, login from config, password from the environment only.

Each attempt is one SMTP transaction driven step by step (MAIL, RCPT, DATA) so every failure is
put in one of two classes, which is what keeps the sent log honest (see :mod:`sendlog`):

- :class:`Undelivered` — the server never took the message: it could not be reached, refused the
  login, a sender or a recipient, or answered DATA with an error code. Safe to try again; 4xx
  answers and network trouble are ``transient`` (retried with back-off now), 5xx are not.
- :class:`Unsure` — the connection broke or timed out *during* DATA, after the message's bytes
  had started to flow: the server may have it. Never retried automatically.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from typing import Any

from automation.core.config import Smtp


class Undelivered(Exception):
    def __init__(self, message: str, transient: bool):
        super().__init__(message)
        self.transient = transient


class Unsure(Exception):
    pass


class Transport:
    """One SMTP connection, opened on first use and reopened after a failure."""

    def __init__(self, settings: Smtp):
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()

    def _connect(self) -> smtplib.SMTP:
        if self._conn is not None:
            return self._conn
        s = self.settings
        try:
            if s.ssl:
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            conn.ehlo()
            if s.starttls and not s.ssl:
                if not conn.has_extn("starttls"):
                    conn.close()
                    raise Undelivered(
                        f"{s.host}:{s.port} does not offer STARTTLS; set smtp.starttls: false only for a server on this machine",
                        transient=False,
                    )
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if s.user:
                password = s.password
                if not password:
                    conn.close()
                    raise Undelivered(
                        f"smtp.user is set but the environment variable {s.password_env} is empty",
                        transient=False,
                    )
                conn.login(s.user, password)
        except Undelivered:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise Undelivered(
                f"login refused: {exc.smtp_code} {_text(exc.smtp_error)}", transient=False
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise Undelivered(
                f"server refused: {exc.smtp_code} {_text(exc.smtp_error)}",
                transient=400 <= exc.smtp_code < 500,
            ) from exc
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            raise Undelivered(f"cannot reach {s.host}:{s.port}: {exc}", transient=True) from exc
        self._conn = conn
        return conn

    def deliver(self, sender: str, recipients: list[str], data: bytes) -> None:
        """Send one message's bytes; raises :class:`Undelivered` or :class:`Unsure` (see module)."""
        conn = self._connect()
        try:
            code, resp = conn.mail(sender)
            if code != 250:
                self._abort(conn)
                raise Undelivered(f"sender refused: {code} {_text(resp)}", transient=400 <= code < 500)
            for r in recipients:
                code, resp = conn.rcpt(r)
                if code not in (250, 251):
                    self._abort(conn)
                    raise Undelivered(
                        f"recipient {r} refused: {code} {_text(resp)}", transient=400 <= code < 500
                    )
        except Undelivered:
            raise
        except (smtplib.SMTPException, OSError) as exc:  # before DATA: nothing was handed over
            self.reset()
            raise Undelivered(f"connection lost before the message was sent: {exc}", transient=True) from exc
        try:
            code, resp = conn.data(data)  # raises for a bad answer to DATA, returns the final one
            if code != 250:
                raise smtplib.SMTPDataError(code, resp)
        except smtplib.SMTPDataError as exc:  # a definite answer: refused
            self._abort(conn)
            raise Undelivered(
                f"message refused: {exc.smtp_code} {_text(exc.smtp_error)}",
                transient=400 <= exc.smtp_code < 500,
            ) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self.reset()
            raise Unsure(f"connection lost during DATA ({exc}); the server may have the message") from exc

    def _abort(self, conn: smtplib.SMTP) -> None:
        try:
            conn.rset()
        except (smtplib.SMTPException, OSError):
            self.reset()

    def reset(self) -> None:
        """Drop the connection (the next message opens a new one)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()


def _text(resp: Any) -> str:
    return resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
