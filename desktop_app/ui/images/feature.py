"""Images in the main window: the composer's tray, chat drops, the Image menu, restores."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from desktop_app.core.images.thumbnails import shared_thumbnails
from desktop_app.core.images.tray import AttachmentTray, ImagePrefs, images_in_next_request
from desktop_app.ui.images.mime import ChatDropTarget
from desktop_app.ui.images.prefs_dialog import ImagePrefsDialog

if TYPE_CHECKING:
    from desktop_app.ui.window.main_window import MainWindow


class ImageFeature:
    """What `install_images` set up, kept on the window as `window.images`."""

    def __init__(self, window: MainWindow) -> None:
        state = window.state
        chat = state.chat
        self.window = window
        shared_thumbnails().bind(state.runner)
        self.tray = AttachmentTray(
            state.runner, state.settings, lambda: images_in_next_request(chat.current), window
        )
        self.menu = QMenu(window)
        pick = QAction("Attach images…", self.menu)
        pick.triggered.connect(window.composer.pick_images)
        self.menu.addAction(pick)
        self.menu.addSeparator()
        self.prefs_action = QAction("Image settings…", self.menu)
        self.prefs_action.triggered.connect(self.open_prefs)
        self.menu.addAction(self.prefs_action)
        window.composer.set_tray(self.tray, self.menu)
        self.drop_target = ChatDropTarget(window.chat_view, window.chat_view.viewport(), self.tray)
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
        for msg in reversed(self.window.state.chat.current.messages):
            if msg.role == "user":
                if msg.images:
                    self.tray.add_attachments(msg.images)
                return


def install_images(window: MainWindow) -> ImageFeature:
    feature = ImageFeature(window)
    window.images = feature  # type: ignore[attr-defined]
    return feature
