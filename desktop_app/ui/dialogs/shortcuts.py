"""The keyboard shortcuts sheet, built from the window's own actions and shortcuts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.common.tab_keys import INDENT_KEY

# Keys that text boxes handle themselves (no QAction holds them), as the widgets define them:
# composer.py (Enter sends), message_editor.py (edit & resend), tab_keys.py (Tab, Ctrl+Tab).
TEXT_KEYS = (
    ("Enter", "Send the message (in the message box) or resend an edited message"),
    ("Shift+Enter", "New line in the message box or an edited message"),
    ("Escape", "Cancel editing a message"),
    ("Tab / Shift+Tab", "Move to the next / previous field, also out of text boxes"),
    (INDENT_KEY, "Insert a tab (two spaces in JSON boxes) in a text box"),
)


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def registered_shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(keys, what they do) for every action and shortcut of ``window`` that has keys, in
    menu order; read when the sheet opens, so it always says what is really registered."""
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(keys: list[QKeySequence], what: str) -> None:
        text = ", ".join(
            k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys if not k.isEmpty()
        )
        if text and what and (text, what) not in seen:
            seen.add((text, what))
            rows.append((text, what))

    for action in window.findChildren(QAction):
        add(action.shortcuts(), _plain(action.text()))
    for shortcut in window.findChildren(QShortcut):
        if shortcut.isEnabled():
            add(shortcut.keys(), shortcut.whatsThis())
    return rows


class ShortcutsDialog(QDialog):
    """Two columns, keys and what they do: the window's shortcuts, then the text-box keys."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(560, 520)
        lay = QVBoxLayout(self)
        intro = QLabel("Every shortcut of this window, and the keys of its text boxes.", self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.rows = registered_shortcuts(window) + list(TEXT_KEYS)
        self.table = QTableWidget(len(self.rows), 2, self)
        self.table.setObjectName("shortcutsTable")
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Keys", "Action"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, (keys, what) in enumerate(self.rows):
            for col, text in enumerate((keys, what)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, col, item)
        lay.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
