"""The "< 2/3 >" switch on a message that has other versions (regenerated, edited)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget


class AlternativesBar(QWidget):
    """Previous / position / next; emits the 0-based version to show."""

    switchRequested = Signal(int)

    def __init__(self, shown: int, total: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alternativesBar")
        self.shown, self.total = shown, total  # 1-based, as shown
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.previous = self._button("‹", "previousVersion", "Previous version", -1)
        self.label = QLabel(f"{shown}/{total}", self)
        self.label.setObjectName("versionLabel")
        self.label.setAccessibleName(f"Version {shown} of {total}")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next = self._button("›", "nextVersion", "Next version", +1)
        lay.addWidget(self.previous)
        lay.addWidget(self.label)
        lay.addWidget(self.next)
        self.set_busy(False)

    def _button(self, text: str, name: str, tip: str, step: int) -> QToolButton:
        btn = QToolButton(self)
        btn.setText(text)
        btn.setObjectName(name)
        btn.setToolTip(tip)
        btn.setAccessibleName(tip)
        btn.setAutoRaise(True)
        # Reached with Tab like the message's other buttons, pressed with Space.
        btn.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # shown is 1-based, the signal 0-based: the neighbour is shown - 1 + step.
        btn.clicked.connect(lambda: self.switchRequested.emit(self.shown - 1 + step))
        return btn

    def set_busy(self, busy: bool) -> None:
        """No switching while this message is being written."""
        self.previous.setEnabled(not busy and self.shown > 1)
        self.next.setEnabled(not busy and self.shown < self.total)
