"""The text catalog (``automation/core/texts/``): every :class:`Text` found in its modules has
both languages. Placeholders are not required to match: a line shown ``中文 / English`` by ``both``
gives the Chinese a short name and the English the values, and ``status-not-working-day`` names the
day in Chinese only. (That no module outside the catalog holds Chinese words is
``tests/test_code_hygiene.py``'s.)"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import automation.core.texts as catalog
from automation.core.texts import Text


def _texts() -> list[tuple[str, Text]]:
    found: list[tuple[str, Text]] = []
    for info in pkgutil.iter_modules(catalog.__path__):
        module = importlib.import_module(f"{catalog.__name__}.{info.name}")
        for name, value in vars(module).items():
            items: list[tuple[str, Any]] = [(name, value)]
            if isinstance(value, dict):
                items = [(f"{name}[{k!r}]", v) for k, v in value.items()]
            found += [(f"{info.name}.{n}", v) for n, v in items if isinstance(v, Text)]
    return found


def test_the_catalog_is_found() -> None:
    names = [n for n, _ in _texts()]
    assert "messages.MESSAGES['config-error']" in names
    assert "feedback.SUMMARY['title']" in names
    assert len(names) > 100


def test_every_text_has_both_languages() -> None:
    empty = [name for name, t in _texts() if not t.zh.strip() or not t.en.strip()]
    assert not empty, empty
