"""Every character on the window's buttons and labels is drawn by a font this machine has
(the fullwidth "＋" used to show as a missing-glyph box on a fresh Debian)."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QFontMetrics, QRawFont
from PySide6.QtWidgets import QAbstractButton, QLabel


def drawable(text: str, metrics: QFontMetrics, fallbacks: list[QRawFont]) -> list[str]:
    """Characters of `text` that neither the widget's font nor an installed font can draw."""
    missing = []
    for ch in text:
        if ch.isspace() or metrics.inFontUcs4(ord(ch)):
            continue
        if not any(f.supportsCharacter(ch) for f in fallbacks):
            missing.append(ch)
    return missing


def test_no_missing_glyphs_on_buttons_and_labels(window):
    fallbacks = []
    for family in QFontDatabase.families():
        font = QFontDatabase.font(family, "", 12)
        fallbacks.append(QRawFont.fromFont(font))
    missing = {}
    for widget in window.findChildren(QAbstractButton) + window.findChildren(QLabel):
        text = widget.text()
        gaps = drawable(text, QFontMetrics(widget.font()), fallbacks)
        if gaps:
            missing[widget.objectName() or text] = gaps
    assert missing == {}
    assert not window.new_chat_button.icon().isNull()
    assert "＋" not in window.new_chat_button.text()
    assert not window.tools_panel.add_button.icon().isNull()
