"""Tab leaves text editors; Ctrl+Tab puts an indent in where one is really wanted."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

# What the shortcuts sheet says about it (ui/dialogs/shortcuts.py lists it).
INDENT_KEY = "Ctrl+Tab"
JSON_INDENT = "  "  # JSON editors indent by two spaces: a tab character is legal but ugly


class _IndentKey(QObject):
    """Inserts ``indent`` on Ctrl+Tab, and claims that key before any shortcut can."""

    def __init__(self, edit: QPlainTextEdit | QTextEdit, indent: str) -> None:
        super().__init__(edit)
        self.setObjectName("indentKey")
        self.indent = indent

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return False
        assert isinstance(event, QKeyEvent)
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() != Qt.Key.Key_Tab or mods != Qt.KeyboardModifier.ControlModifier:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # the key comes to this editor as a key press, not to a shortcut
            return True
        edit = self.parent()
        if isinstance(edit, QPlainTextEdit | QTextEdit) and not edit.isReadOnly():
            edit.textCursor().insertText(self.indent)
            edit.ensureCursorVisible()
        return True


def tab_moves_focus(edit: QPlainTextEdit | QTextEdit, indent: str = "\t") -> None:
    """Tab and Shift+Tab move focus out of ``edit`` as in any other field (a keyboard user
    is never trapped); Ctrl+Tab inserts ``indent`` (a tab, or spaces in JSON editors)."""
    edit.setTabChangesFocus(True)
    edit.installEventFilter(_IndentKey(edit, indent))
    tip = f"Tab moves to the next field; {INDENT_KEY} indents."
    if tip not in edit.accessibleDescription():
        edit.setAccessibleDescription(f"{edit.accessibleDescription()} {tip}".strip())
