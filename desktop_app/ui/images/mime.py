"""Dropped or pasted data read as images (files, bytes, pixels, URLs); the chat drop target."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtWidgets import QLabel, QWidget

from desktop_app.core.images.urls import looks_like_image_url

if TYPE_CHECKING:
    from desktop_app.core.images.tray import AttachmentTray

# Encoded image types a clipboard or a drag may carry, preferred first.
ENCODED_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp")
_EXT = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/bmp": "bmp",
}


def _local_files(mime: QMimeData) -> list[str]:
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []


def _remote_image_urls(mime: QMimeData) -> list[str]:
    urls = [u.toString() for u in mime.urls()] if mime.hasUrls() else []
    return [u for u in urls if looks_like_image_url(u)]


def _text_image_url(mime: QMimeData) -> str:
    if not mime.hasText():
        return ""
    text = mime.text().strip()
    if text.startswith("data:image/") or looks_like_image_url(text):
        return text
    return ""


def has_images(mime: QMimeData | None) -> bool:
    """True when the data holds something to attach (files count: non-images get a message)."""
    if mime is None:
        return False
    return bool(
        _local_files(mime)
        or any(mime.hasFormat(t) for t in ENCODED_TYPES)
        or mime.hasImage()
        or _remote_image_urls(mime)
        or _text_image_url(mime)
    )


def take_images(mime: QMimeData | None, tray: AttachmentTray, name: str = "Pasted image") -> bool:
    """Hands the images in `mime` to the tray; False when there were none (e.g. plain text)."""
    if mime is None:
        return False
    files = _local_files(mime)
    if files:
        tray.add_files(files)
        return True
    for kind in ENCODED_TYPES:
        if mime.hasFormat(kind):
            data = bytes(mime.data(kind).data())
            if data:
                tray.add_encoded(data, f"{name}.{_EXT[kind]}")
                return True
    remote = _remote_image_urls(mime)
    if remote:
        tray.add_urls(remote)
        return True
    if mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            raw, width, height, mode = image_pixels(image)
            tray.add_pixels(raw, width, height, mode, f"{name}.png")
            return True
    text_url = _text_image_url(mime)
    if text_url:
        tray.add_urls([text_url])
        return True
    return False


def image_pixels(image: QImage) -> tuple[bytes, int, int, str]:
    """The pixels as one copy plus Pillow's name for their layout (encoding happens later,
    off the UI thread). 32-bit formats are taken as they are; others are converted first."""
    fmt = QImage.Format
    little = sys.byteorder == "little"
    modes = (
        {
            fmt.Format_ARGB32: "BGRA",
            fmt.Format_ARGB32_Premultiplied: "BGRa",
            fmt.Format_RGB32: "BGRX",
        }
        if little
        else {}
    )
    mode = modes.get(image.format())
    if mode is None:
        image = image.convertToFormat(fmt.Format_RGBA8888)
        mode = "RGBA"
    # 32-bit rows are never padded, so the buffer is exactly width*height*4 bytes.
    return bytes(image.constBits()), image.width(), image.height(), mode


class ChatDropTarget(QObject):
    """Lets a scroll area (the conversation) take image drops, with a hint while dragging."""

    def __init__(self, area: QWidget, viewport: QWidget, tray: AttachmentTray) -> None:
        super().__init__(area)
        self.tray = tray
        self.viewport = viewport
        viewport.setAcceptDrops(True)
        self.overlay = QLabel("Drop images here to attach them", area)
        self.overlay.setObjectName("dropOverlay")
        self.overlay.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.overlay.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.overlay.setStyleSheet(
            "#dropOverlay { background: palette(base); color: palette(link);"
            " border: 2px dashed palette(link); border-radius: 12px;"
            " font-size: 14pt; font-weight: 600; margin: 10px; }"
        )
        self.overlay.hide()
        viewport.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDropEvent)  # drag enter and move events are drop events
            if has_images(event.mimeData()):
                event.acceptProposedAction()
                self._show_overlay()
                return True
        elif kind == QEvent.Type.DragLeave:
            self.overlay.hide()
        elif kind == QEvent.Type.Drop:
            self.overlay.hide()
            assert isinstance(event, QDropEvent)
            if take_images(event.mimeData(), self.tray, "Dropped image"):
                event.acceptProposedAction()
                return True
        return super().eventFilter(watched, event)

    def _show_overlay(self) -> None:
        area = self.overlay.parentWidget()
        if area is not None:
            self.overlay.setGeometry(area.rect())
        self.overlay.raise_()
        self.overlay.show()
