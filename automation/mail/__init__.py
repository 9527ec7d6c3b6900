"""The mail stage (SPEC §4): summaries, the morning brief, escalations, reminders and notices,
written as .eml into ``outbox/`` and sent over SMTP, each person seeing only their own scope.

Read :mod:`automation.mail.run` first (the entry points and the order of the steps), then
:mod:`routing` (who sees what: the one place scope is decided) and :mod:`sendlog` (why nothing
goes out twice). Builders: :mod:`weekly`, :mod:`daily`, :mod:`events`; output: :mod:`compose`
(MIME), :mod:`render` (jinja2, ``templates/email/``), :mod:`outbox`, :mod:`transport` (SMTP).
"""

from automation.mail.run import MailError, MailReport, after_burst, due, mail, send_pending

__all__ = ["MailError", "MailReport", "after_burst", "due", "mail", "send_pending"]
