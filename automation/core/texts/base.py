"""A message in both languages: the unit of the text catalog (:mod:`automation.core.texts`)."""

from __future__ import annotations

from dataclasses import dataclass

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Text:
    """One message in both languages (``str.format`` placeholders, the same in both)."""

    zh: str
    en: str

    def __getitem__(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en
