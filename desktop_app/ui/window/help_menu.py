"""Help menu entries beside About: the keyboard shortcuts sheet and the README."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox

if TYPE_CHECKING:
    from desktop_app.ui.dialogs.shortcuts import ShortcutsDialog


class HelpEntries:
    """Adds "Keyboard shortcuts" (F1, Ctrl+/) and "README and documentation" to ``menu``."""

    def __init__(self, window: QMainWindow, menu: QMenu) -> None:
        self.window = window
        self.dialog: ShortcutsDialog | None = None
        self.shortcuts_action = QAction("&Keyboard shortcuts", window)
        self.shortcuts_action.setObjectName("shortcutsAction")
        self.shortcuts_action.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.HelpContents), QKeySequence("Ctrl+/")]
        )
        if self.shortcuts_action.shortcuts()[0].isEmpty():  # a platform with no Help key
            self.shortcuts_action.setShortcuts([QKeySequence("F1"), QKeySequence("Ctrl+/")])
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.readme_action = QAction("&README and documentation", window)
        self.readme_action.setObjectName("readmeAction")
        self.readme_action.triggered.connect(self.open_readme)
        # Before About: the entries a person looks for first.
        existing = menu.actions()
        if existing:
            menu.insertActions(existing[0], [self.shortcuts_action, self.readme_action])
            menu.insertSeparator(existing[0])
        else:
            menu.addActions([self.shortcuts_action, self.readme_action])

    def show_shortcuts(self) -> ShortcutsDialog:
        # Imported when asked for: the first frame of the window does not need it.
        from desktop_app.ui.dialogs.shortcuts import ShortcutsDialog

        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = ShortcutsDialog(self.window)
        self.dialog.show()
        return self.dialog

    def open_readme(self) -> bool:
        from desktop_app.core.readme import readme_path

        path, why = readme_path()
        if path is not None and QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            return True
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "README not opened",
            why or f"No program opened {path}. Open it with a text editor or a browser.",
            QMessageBox.StandardButton.Close,
            self.window,
        )
        box.setObjectName("readmeProblem")
        box.show()
        return False
