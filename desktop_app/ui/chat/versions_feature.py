"""The window's side of message versions: the "Compare versions…" action and its dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from desktop_app.core.chat.alternatives import versions
from desktop_app.core.chat.controller import ChatController
from desktop_app.ui.chat.context import MessageActions
from desktop_app.ui.dialogs.diff_dialog import VersionsDiffDialog


class VersionsFeature:
    """Adds "Compare versions…" to the More menu of replies and of your messages."""

    def __init__(self, window: QMainWindow, chat: ChatController, actions: MessageActions):
        self.window = window
        self.chat = chat
        self.dialog: VersionsDiffDialog | None = None
        actions.add(
            "versions",
            "Compare versions",
            "Compare versions word by word…",
            ("assistant", "user"),
            self.compare,
        )

    def compare(self, message_id: str) -> VersionsDiffDialog | None:
        try:
            msg = self.chat.current.find(message_id)
        except KeyError:
            return None
        found = versions(msg)
        if len(found) < 2:
            what = "reply" if msg.role == "assistant" else "message"
            hint = "Regenerate" if msg.role == "assistant" else "Edit and resend"
            self.window.statusBar().showMessage(
                f"This {what} has one version: {hint} adds another to compare with.", 6000
            )
            return None
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = VersionsDiffDialog(found, self.window)
        self.dialog.show()
        return self.dialog
