"""Opening the Compare window from the composer, the Chat menu or a message's actions."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from desktop_app.core.compare.lab import CompareError, CompareLab
from desktop_app.ui.compare.dialog import CompareDialog


def open_compare(
    lab: CompareLab, prompt: str, parent: QWidget, at: str | None = None
) -> CompareDialog | str:
    """The Compare window on the current conversation and ``prompt`` (or up to user message
    ``at``), with the current panel settings as its first column; or why it cannot open."""
    try:
        run = lab.open(prompt, at=at)
    except CompareError as exc:
        return str(exc)
    dialog = CompareDialog(lab, run, parent)
    run.add(lab.panel_spec())
    dialog.show()
    return dialog
