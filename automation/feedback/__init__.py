"""Feedback: what a rep reads about a checked form, in the form's language, from the problem catalog.

- :mod:`.workbook` — the feedback workbook beside a rejected original: the list of problems and a
  copy of the rep's sheet with every bad cell marked;
- :mod:`.text` — the same report as lines and JSON (``salesflow check``).
"""

from automation.feedback.workbook import ERROR_FILL, WARNING_FILL, feedback_path, write_feedback

__all__ = ["ERROR_FILL", "WARNING_FILL", "feedback_path", "write_feedback"]
