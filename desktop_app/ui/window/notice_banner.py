"""The banner at the top of the chat that says what went wrong at start and what was kept."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class NoticeBanner(QFrame):
    """Start-up notices (a read-only session, a damaged settings file set aside), one per
    line, with the paths selectable so they can be copied. Hidden when there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Same look as the window's warning banner (theme: #banner).
        self.setObjectName("banner")
        self.setAccessibleName("Start-up notices")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.label.setObjectName("noticeText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.label, 1)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setToolTip("Hide this notice")
        self.close_button.setAccessibleName("Hide start-up notices")
        self.close_button.clicked.connect(self.hide)
        lay.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def set_notices(self, notices: list[str]) -> None:
        shown = [n for n in notices if n]
        self.label.setText("\n\n".join(f"⚠ {n}" for n in shown))
        self.setVisible(bool(shown))

    def text(self) -> str:
        return self.label.text()
