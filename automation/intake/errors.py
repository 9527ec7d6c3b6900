"""The one exception intake's readers raise for a file they cannot read (in its own module so the
readers, the safety scan and the time budget can all raise it without importing each other)."""

from __future__ import annotations


class ReadError(Exception):
    """The file could not be read; ``code`` is the file-level problem code (file-corrupt, password-protected...)."""

    def __init__(self, code: str, detail: str = "", limit: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail
        self.limit = limit  # for file-too-large: the cap that was exceeded, as shown to the rep
