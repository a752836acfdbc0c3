"""Images in the main window: the composer's tray, chat drops, the Image menu, restores."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu

from desktop_app.core.chat.controller import ChatController
from desktop_app.core.images.tray import AttachmentTray, ImagePrefs
from desktop_app.ui.chat.chat_view import ChatView
from desktop_app.ui.chat.composer import Composer
from desktop_app.ui.images.mime import ChatDropTarget
from desktop_app.ui.images.prefs_dialog import ImagePrefsDialog


class ImageFeature:
    """Connects the app's attachment tray to the composer, the chat view and the menus."""

    def __init__(
        self,
        window: QMainWindow,
        tray: AttachmentTray,
        chat: ChatController,
        composer: Composer,
        chat_view: ChatView,
    ) -> None:
        self.window = window
        self.tray = tray
        self.chat = chat
        self.menu = QMenu(window)
        pick = QAction("Attach images…", self.menu)
        pick.triggered.connect(composer.pick_images)
        self.menu.addAction(pick)
        self.menu.addSeparator()
        self.prefs_action = QAction("Image settings…", self.menu)
        self.prefs_action.triggered.connect(self.open_prefs)
        self.menu.addAction(self.prefs_action)
        composer.set_tray(tray, self.menu)
        self.drop_target = ChatDropTarget(chat_view, chat_view.viewport(), tray)
        chat.composerRestore.connect(self._restore)
        self.prefs_dialog: ImagePrefsDialog | None = None

    def open_prefs(self) -> ImagePrefsDialog:
        dialog = ImagePrefsDialog(self.tray.prefs, self.window)
        dialog.accepted_prefs.connect(self._apply_prefs)
        dialog.finished.connect(dialog.deleteLater)
        self.prefs_dialog = dialog
        dialog.open()
        return dialog

    def _apply_prefs(self, prefs: ImagePrefs) -> None:
        if self.tray.set_prefs(prefs):
            self.window.statusBar().showMessage(
                f"Images: up to {prefs.limit} per request, longest side {prefs.max_side} px", 4000
            )

    def _restore(self, _text: str) -> None:
        """A send that failed before any reply gives its images back, as it gives the text."""
        if self.tray.items:
            return
        for msg in reversed(self.chat.current.messages):
            if msg.role == "user":
                if msg.images:
                    self.tray.add_attachments(msg.images)
                return
