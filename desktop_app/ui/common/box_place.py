"""Placing a widget next to another one in the box layout that holds it (panels built late)."""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QWidget


def holding_layout(widget: QWidget) -> QBoxLayout:
    """The box layout of ``widget``'s parent, which ``widget`` is in.

    Raises TypeError for a widget without a parent or whose parent does not lay it out in
    a box: a window built in a new shape, which must fail at start, not place nothing.
    """
    parent = widget.parentWidget()
    layout = parent.layout() if parent is not None else None
    if not isinstance(layout, QBoxLayout) or layout.indexOf(widget) < 0:
        raise TypeError(f"{widget.objectName() or type(widget).__name__} is not in a box layout")
    return layout


def insert_before(anchor: QWidget, widget: QWidget, stretch: int = 0) -> None:
    """Puts ``widget`` just before ``anchor`` (above it in a column) in ``anchor``'s layout."""
    layout = holding_layout(anchor)
    layout.insertWidget(layout.indexOf(anchor), widget, stretch)


def replace_in_layout(old: QWidget, new: QWidget) -> None:
    """Puts ``new`` where ``old`` is in ``old``'s layout; ``old`` is left to its caller."""
    holding_layout(old).replaceWidget(old, new)
