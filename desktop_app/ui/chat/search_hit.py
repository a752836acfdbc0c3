"""The mark on a message reached from a search result."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QWidget

PROPERTY = "searchHit"


def mark_search_hit(widgets: Iterable[QWidget], target: QWidget) -> None:
    """Marks `target` (the theme draws a highlight border) and unmarks the others."""
    for w in widgets:
        want = w is target
        if bool(w.property(PROPERTY)) != want:
            w.setProperty(PROPERTY, want)
            # A dynamic property only restyles after the style is applied again.
            w.style().unpolish(w)
            w.style().polish(w)
