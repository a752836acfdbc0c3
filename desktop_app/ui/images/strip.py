"""Image thumbnails: the composer's pending tiles (with remove) and a sent message's images."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPainter, QPainterPath, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.human import human_size
from desktop_app.core.images.urls import describe_attachment as describe
from desktop_app.ui.common.flow_layout import FlowLayout

if TYPE_CHECKING:
    from desktop_app.core.chat.conversation import Attachment
    from desktop_app.core.images.thumbnails import ThumbnailCache
    from desktop_app.core.images.tray import AttachmentTray, PendingImage


TILE_W, TILE_H = 124, 80  # composer tile preview
MSG_SIDE = 168  # longest side of a sent image's preview
# palette() keeps these right in the light and the dark theme alike.
STRIP_STYLE = """
#attachmentStrip, #attachmentRow { background: transparent; }
#attachmentTile { background: palette(base); border: 1px solid palette(mid);
    border-radius: 10px; }
#attachmentPreview { color: palette(placeholder-text); }
#attachmentSize { color: palette(placeholder-text); font-size: 8pt; }
#removeAttachmentButton { background: rgba(20, 20, 20, 170); color: white; border: none;
    border-radius: 11px; font-weight: 700; }
#removeAttachmentButton:hover { background: rgba(200, 40, 40, 220); }
"""
MESSAGE_STYLE = """
#messageImage { border: 1px solid transparent; border-radius: 12px; padding: 2px; }
#messageImage:hover, #messageImage:focus { border: 1px solid palette(highlight); }
"""


def rounded_pixmap(data: bytes | None, size: QSize, dpr: float, radius: float = 8) -> QPixmap:
    """The preview scaled to cover `size` and clipped to rounded corners (empty if no data)."""
    out = QPixmap(size * dpr)
    out.setDevicePixelRatio(dpr)
    out.fill(Qt.GlobalColor.transparent)
    src = QPixmap()
    if not data or not src.loadFromData(data):
        return out
    scaled = src.scaled(
        size * dpr,
        Qt.AspectRatioMode.KeepAspectRatioByExpanding,
        Qt.TransformationMode.SmoothTransformation,
    )
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = QPainterPath()
    path.addRoundedRect(0, 0, size.width(), size.height(), radius, radius)
    painter.setClipPath(path)
    x = (scaled.width() / dpr - size.width()) / 2
    y = (scaled.height() / dpr - size.height()) / 2
    scaled.setDevicePixelRatio(dpr)
    painter.drawPixmap(int(-x), int(-y), scaled)
    painter.end()
    return out



class AttachmentTile(QFrame):
    """One pending image: preview (or "Preparing…"), name, size and a remove button."""

    removeRequested = Signal(int)

    def __init__(
        self, item: PendingImage, thumbnails: ThumbnailCache, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.thumbnails = thumbnails
        self.key = item.key
        self.setObjectName("attachmentTile")
        self.setFixedWidth(TILE_W + 8)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(2)
        self.preview = QLabel(self)
        self.preview.setObjectName("attachmentPreview")
        self.preview.setFixedSize(TILE_W, TILE_H)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.preview)
        self.name_label = QLabel(self)
        self.name_label.setObjectName("attachmentName")
        self.size_label = QLabel(self)
        self.size_label.setObjectName("attachmentSize")
        for label in (self.name_label, self.size_label):
            label.setFixedWidth(TILE_W)
            lay.addWidget(label)
        self.remove_button = QToolButton(self)
        self.remove_button.setObjectName("removeAttachmentButton")
        self.remove_button.setText("✕")
        self.remove_button.setToolTip(f"Remove {item.name}")
        self.remove_button.setAccessibleName(f"Remove {item.name}")
        self.remove_button.setFixedSize(22, 22)
        self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self.key))
        self.remove_button.move(TILE_W + 8 - 28, 8)
        self.update_from(item)

    def update_from(self, item: PendingImage) -> None:
        fm = self.name_label.fontMetrics()
        self.name_label.setText(fm.elidedText(item.name, Qt.TextElideMode.ElideMiddle, TILE_W))
        att = item.attachment
        if att is None:
            self.preview.setText("Preparing…")
            self.size_label.setText("")
            self.setToolTip(f"{item.name}: being prepared")
            self.setAccessibleName(f"{item.name}, being prepared")
            return
        thumb = self.thumbnails.get(att.url)
        if thumb:
            self.preview.setPixmap(
                rounded_pixmap(thumb, QSize(TILE_W, TILE_H), self.devicePixelRatioF())
            )
        else:
            self.preview.setText("Link" if not att.url.startswith("data:") else "image")
        detail = describe(att)
        short = (
            f"{human_size(att.byte_size)} · {att.width}×{att.height}"
            if att.width and att.byte_size is not None
            else detail
        )
        self.size_label.setText(
            self.size_label.fontMetrics().elidedText(short, Qt.TextElideMode.ElideRight, TILE_W)
        )
        prep = item.prepared
        origin = ""
        if prep is not None and prep.source_width:
            origin = (
                f"\nOriginal: {prep.source_format} {prep.source_width}×{prep.source_height}, "
                f"{human_size(prep.source_bytes)}"
            )
        self.setToolTip(f"{item.name}\nSent as: {detail}{origin}")
        self.setAccessibleName(f"{item.name}, {detail}")


class AttachmentStrip(QScrollArea):
    """The row of pending images above the message box; it scrolls sideways instead of
    widening the window, and hides when there are none."""

    def __init__(self, tray: AttachmentTray, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentStrip")
        self.tray = tray
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        inner = self._inner = QWidget(self)
        inner.setObjectName("attachmentRow")
        self._row = QHBoxLayout(inner)
        self._row.setContentsMargins(0, 0, 0, 4)
        self._row.setSpacing(8)
        self._row.addStretch(1)
        self.setWidget(inner)
        self.viewport().setAutoFillBackground(False)
        inner.setAutoFillBackground(False)
        self.tiles: dict[int, AttachmentTile] = {}
        self.setStyleSheet(STRIP_STYLE)
        tray.changed.connect(self.sync)
        tray.thumbnails.ready.connect(self._on_thumb)
        self.sync()

    def sync(self) -> None:
        keys = [item.key for item in self.tray.items]
        for key in list(self.tiles):
            if key not in keys:
                tile = self.tiles.pop(key)
                self._row.removeWidget(tile)
                tile.deleteLater()
        for index, item in enumerate(self.tray.items):
            shown = self.tiles.get(item.key)
            if shown is None:
                tile = AttachmentTile(item, self.tray.thumbnails, self._inner)
                tile.removeRequested.connect(self.tray.remove)
                self.tiles[item.key] = tile
                self._row.insertWidget(index, tile)
            else:
                shown.update_from(item)
        self.setVisible(bool(self.tray.items))
        self._fit_height()

    def _fit_height(self) -> None:
        hint = self._inner.sizeHint()
        height = hint.height()
        if hint.width() > self.viewport().width():
            height += self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _on_thumb(self, _key: str) -> None:
        if self.tray.items:
            self.sync()


class MessageImages(QWidget):
    """A sent message's images as clickable previews; a click opens the viewer."""

    def __init__(
        self, images: list[Attachment], thumbnails: ThumbnailCache, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("messageImages")
        self.images = images
        self.thumbnails = thumbnails
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        flow = FlowLayout(self)
        flow.setContentsMargins(0, 2, 0, 4)
        self.buttons: list[QToolButton] = []
        self._keys: dict[str, int] = {}
        cache = thumbnails
        for i, att in enumerate(images):
            btn = QToolButton(self)
            btn.setObjectName("messageImage")
            btn.setAutoRaise(True)
            btn.setCursor(Qt.CursorShape.PointingHandCursor)
            detail = describe(att)
            label = att.name or "image"
            btn.setToolTip(f"{label}\n{detail}\nClick to enlarge")
            btn.setAccessibleName(f"Image {label}, {detail}. Press to enlarge.")
            btn.clicked.connect(lambda _=False, a=att: self.open_viewer(a))
            flow.addWidget(btn)
            self.buttons.append(btn)
            self._keys[cache.request(att.url)] = i
            self._paint(i)
        self.setStyleSheet(MESSAGE_STYLE)
        cache.ready.connect(self._on_thumb)

    def _paint(self, index: int) -> None:
        att = self.images[index]
        btn = self.buttons[index]
        thumb = self.thumbnails.get(att.url)
        size = _fit(att, MSG_SIDE)
        if thumb:
            btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            btn.setIcon(QIcon(rounded_pixmap(thumb, size, self.devicePixelRatioF(), 10)))
            btn.setIconSize(size)
            btn.setFixedSize(size + QSize(6, 6))
            return
        btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        btn.setIcon(QIcon())
        if not att.url.startswith("data:"):
            btn.setText(f"Link: {att.name or urlsplit(att.url).netloc}")
            btn.setFixedSize(QSize(MSG_SIDE, 40))
        else:
            btn.setText("Image could not be shown" if thumb == b"" else "Loading…")
            btn.setFixedSize(size)

    def _on_thumb(self, key: str) -> None:
        index = self._keys.get(key)
        if index is not None:
            self._paint(index)

    def open_viewer(self, att: Attachment) -> None:
        from desktop_app.ui.images.viewer import ImageViewer

        viewer = ImageViewer(att, self.window())
        viewer.open()


def _fit(att: Attachment, side: int) -> QSize:
    w, h = att.width or side, att.height or side
    scale = side / max(w, h)
    return QSize(max(48, round(w * scale)), max(48, round(h * scale)))
