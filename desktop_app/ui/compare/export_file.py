"""Asking where to export a compare grid or results, and writing it there."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from desktop_app.core.compare.export import FORMATS, write_export
from desktop_app.core.compare.results import ResultSheet

FILTERS = {"Markdown (*.md)": "markdown", "CSV (*.csv)": "csv", "JSON (*.json)": "json"}


def export_sheet(parent: QWidget, sheet: ResultSheet, title: str) -> str:
    """Asks for a file and writes ``sheet`` there in the chosen format; returns what to say
    ("" when the person cancelled)."""
    path, chosen = QFileDialog.getSaveFileName(parent, title, "compare.md", ";;".join(FILTERS))
    if not path:
        return ""
    target = Path(path)
    if target.suffix.lower() not in (*FORMATS.values(), ".markdown"):
        target = target.with_name(target.name + FORMATS[FILTERS.get(chosen, "markdown")])
    try:
        return write_export(sheet, target)
    except ValueError as exc:
        return str(exc)
