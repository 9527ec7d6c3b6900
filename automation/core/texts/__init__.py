"""The one catalog of the product's words for people, beside the problem catalog
(:mod:`automation.core.problems`, what a rep can get wrong in a form).

Every user-facing word in Chinese and English lives here, one module per audience:

- :mod:`.messages` — what the commands print, the watcher logs for the back office, ``status``
  shows, and the ledger tells a rep about a file (the words of :func:`say` and :func:`both`);
- :mod:`.workbooks` — the consolidated weekly workbooks' sheets, headers and notes;
- :mod:`.mail` — every word an email shows;
- :mod:`.figures` — the names of the figures and their columns;
- :mod:`.forms` — the form templates' instructions and helper sheets;
- :mod:`.feedback` — the feedback workbook a rep gets back;
- :mod:`.checks` — the values validation and intake fill into a problem's message;
- :mod:`.notes` — the ledger's notes on a form, the watcher's reasons to wait on a file;
- :mod:`.errors` — what the product says when it cannot work (config, folders, ledger, arguments);
- :mod:`.log` — the back office's log lines;
- :mod:`.choices` — the default choices' labels (industries).

Lines read by both readers at once (errors, log, notes) are kept whole, ``中文 / English``, as they
are shown; words shown in one language are :class:`Text` pairs or ``{"zh", "en"}`` maps.

Decision: one catalog *package* rather than one file, and rather than a ``texts.py`` per stage
(mail and consolidate had their own): one place to look, one lookup, one test that every entry has
both languages (``tests/test_texts.py``), and a test that no other module holds a Chinese string of
its own (``tests/test_code_hygiene.py``); split by audience because the workbooks' and the mail's
vocabularies are hundreds of words each and are read with their templates, not with the CLI's.
Data that is not a message stays with the code that reads it: the words intake *accepts* (是/否,
header aliases in the form specs, sync clients' copy names) and the demo company's invented people.
"""

from __future__ import annotations

from typing import Any

from automation.core.texts.base import LANGS, Text
from automation.core.texts.messages import MESSAGES

__all__ = ["LANGS", "MESSAGES", "Text", "both", "say"]


def say(key: str, lang: str = "zh", /, **values: Any) -> str:
    """The message ``key`` of :mod:`.messages` in ``lang``, its placeholders filled from ``values``."""
    return MESSAGES[key][lang].format(**values)


def both(key: str, /, **values: Any) -> str:
    """``中文 / English``: the message in both languages on one line, as the commands and the
    watcher's log say things a Chinese and an English reader share."""
    return f"{say(key, 'zh', **values)} / {say(key, 'en', **values)}"
