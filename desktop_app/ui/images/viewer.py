"""A simple dialog that shows one attached image larger, with what was sent and Copy."""

from __future__ import annotations

import base64
import binascii

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.chat.conversation import Attachment
from desktop_app.core.images.urls import describe_attachment as describe


def decode_image(url: str) -> QImage:
    """The image of a base64 data: URL (a null QImage when it cannot be read)."""
    header, _, payload = url.partition(",")
    if not header.startswith("data:") or ";base64" not in header:
        return QImage()
    try:
        return QImage.fromData(base64.b64decode(payload, validate=True))
    except (binascii.Error, ValueError):
        return QImage()


class ImageViewer(QDialog):
    """Fits the image to most of the screen; Esc or Close ends it."""

    def __init__(self, att: Attachment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageViewer")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.attachment = att
        title = att.name or "Image"
        self.setWindowTitle(title)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 8)
        self.image = decode_image(att.url) if att.url.startswith("data:") else QImage()
        self.picture = QLabel(self)
        self.picture.setObjectName("viewerImage")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setAccessibleName(f"Image {title}")
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.picture)
        lay.addWidget(scroll, 1)
        self.info = QLabel(self)
        self.info.setObjectName("viewerInfo")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.info)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("Copy image", self)
        self.copy_button.setObjectName("copyImageButton")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._show()

    def _show(self) -> None:
        att = self.attachment
        if not att.url.startswith("data:"):
            self.picture.setText(
                "This image is sent as a link; the server downloads it, Gemma Desk does not."
            )
            self.info.setText(att.url)
            self.copy_button.setEnabled(False)
            self.resize(560, 200)
            return
        if self.image.isNull():
            self.picture.setText("The image could not be decoded.")
            self.copy_button.setEnabled(False)
            self.resize(420, 200)
            return
        screen = (self.screen() or QGuiApplication.primaryScreen()).availableGeometry()
        max_w, max_h = int(screen.width() * 0.85), int(screen.height() * 0.8)
        dpr = self.devicePixelRatioF()
        pix = QPixmap.fromImage(self.image)
        if pix.width() / dpr > max_w or pix.height() / dpr > max_h:
            pix = pix.scaled(
                int(max_w * dpr),
                int(max_h * dpr),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        pix.setDevicePixelRatio(dpr)
        self.picture.setPixmap(pix)
        self.info.setText(f"{att.name or 'Image'} · sent as {describe(att)}")
        self.resize(max(360, int(pix.width() / dpr) + 24), int(pix.height() / dpr) + 90)

    def copy(self) -> None:
        if not self.image.isNull():
            QGuiApplication.clipboard().setImage(self.image)
