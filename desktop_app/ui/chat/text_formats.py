"""The character formats of what a rendered reply adds itself: notes, links, plain previews."""

from __future__ import annotations

from PySide6.QtGui import QPalette, QTextCharFormat


def note_format(palette: QPalette) -> QTextCharFormat:
    """An aside of the app's ("shown as plain text…"), in the placeholder colour."""
    fmt = QTextCharFormat()
    fmt.setFontItalic(True)
    fmt.setForeground(palette.color(QPalette.ColorRole.PlaceholderText))
    return fmt


def link_format(palette: QPalette, href: str) -> QTextCharFormat:
    """An underlined link to ``href`` (Show all, Copy) in the link colour."""
    fmt = QTextCharFormat()
    fmt.setAnchor(True)
    fmt.setAnchorHref(href)
    fmt.setForeground(palette.color(QPalette.ColorRole.Link))
    fmt.setFontUnderline(True)
    return fmt


def mono_format() -> QTextCharFormat:
    """Monospace text: the first lines of a block too big to render."""
    fmt = QTextCharFormat()
    fmt.setFontFamilies(["monospace"])
    return fmt
