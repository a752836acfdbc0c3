"""The small dialog for image choices: images per request and the longest side sent."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.images.attachments import MIN_MAX_SIDE
from desktop_app.core.images.tray import MAX_IMAGE_LIMIT, MAX_MAX_SIDE, ImagePrefs


class ImagePrefsDialog(QDialog):
    """Emits `accepted_prefs(ImagePrefs)` on OK."""

    accepted_prefs = Signal(object)

    def __init__(self, prefs: ImagePrefs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imagePrefsDialog")
        self.setWindowTitle("Image settings")
        self.setMinimumWidth(440)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.limit = QSpinBox(self)
        self.limit.setObjectName("imageLimitSpin")
        self.limit.setRange(1, MAX_IMAGE_LIMIT)
        self.limit.setValue(prefs.limit)
        self.limit.setAccessibleName("Images per request")
        form.addRow("Images per request:", self.limit)
        form.addRow(
            _note(
                "Match the server's --limit-mm-per-prompt (the Gemma 4 recipe uses 4). vLLM counts "
                "every image of the conversation, earlier messages included.",
                self,
            )
        )
        self.max_side = QSpinBox(self)
        self.max_side.setObjectName("imageMaxSideSpin")
        self.max_side.setRange(MIN_MAX_SIDE, MAX_MAX_SIDE)
        self.max_side.setSingleStep(256)
        self.max_side.setSuffix(" px")
        self.max_side.setValue(prefs.max_side)
        self.max_side.setAccessibleName("Longest side")
        form.addRow("Longest side:", self.max_side)
        form.addRow(
            _note(
                "Larger images are scaled down before sending. The model sees a fixed token budget "
                "per image (280 by default), so bigger mostly costs upload time.",
                self,
            )
        )
        lay.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _ok(self) -> None:
        self.accepted_prefs.emit(ImagePrefs(self.limit.value(), self.max_side.value()))
        self.accept()


def _note(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    pal = label.palette()
    pal.setColor(QPalette.ColorRole.WindowText, pal.color(QPalette.ColorRole.PlaceholderText))
    label.setPalette(pal)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.9)
    label.setFont(font)
    return label
