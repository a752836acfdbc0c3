"""The banners at the top of the chat (what went wrong at start, what was kept; a keyring or
connection warning): one line, Details for the whole text, and × to dismiss."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from desktop_app.ui.common.elided_label import ElidedLabel

SUMMARY_CHARS = 110


def summary_of(notices: list[str]) -> str:
    """The first sentence of the first notice (cut short if long), and how many follow."""
    first = notices[0].strip()
    match = re.search(r"(?<=[.!?])\s", first)
    line = first[: match.start()] if match else first
    if len(line) > SUMMARY_CHARS:
        line = line[: SUMMARY_CHARS - 1].rstrip() + "…"
    more = len(notices) - 1
    return f"⚠ {line}" + (f"  (+{more} more)" if more else "")


class NoticeBanner(QFrame):
    """Notices as one line with "Details" and a close button; hidden when there are none.
    A dismissed notice stays hidden for the rest of the session, even when the window sets
    it again (a server change re-checks the warnings); a new notice shows the banner."""

    def __init__(self, parent: QWidget | None = None, name: str = "Start-up notices") -> None:
        super().__init__(parent)
        # Same look as the window's warning colour (theme: #banner).
        self.setObjectName("banner")
        self.setAccessibleName(name)
        self._shown: list[str] = []
        self._dismissed: set[str] = set()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        row = QHBoxLayout()
        row.setSpacing(6)
        self.summary = ElidedLabel("", self)
        self.summary.setObjectName("noticeSummary")
        row.addWidget(self.summary, 1)
        self.details_button = QToolButton(self)
        self.details_button.setObjectName("noticeDetailsButton")
        self.details_button.setText("Details")
        self.details_button.setCheckable(True)
        self.details_button.setAutoRaise(True)
        self.details_button.setAccessibleName(f"Show the whole text of the {name.lower()}")
        self.details_button.toggled.connect(self._show_details)
        row.addWidget(self.details_button)
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("noticeCloseButton")
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss (for this session)")
        self.close_button.setAccessibleName(f"Dismiss the {name.lower()}")
        self.close_button.clicked.connect(self.dismiss)
        row.addWidget(self.close_button)
        outer.addLayout(row)
        self.label = QLabel(self)
        self.label.setObjectName("noticeText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        # Paths in a notice can be selected and copied.
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.hide()
        outer.addWidget(self.label)
        self.hide()

    def set_notices(self, notices: list[str]) -> None:
        self._shown = [n for n in notices if n and n not in self._dismissed]
        self.label.setText("\n\n".join(f"⚠ {n}" for n in self._shown))
        if self._shown:
            self.summary.setText(summary_of(self._shown))
            self.summary.setToolTip("\n\n".join(self._shown))
        self.setVisible(bool(self._shown))

    def _show_details(self, on: bool) -> None:
        self.label.setVisible(on)
        self.details_button.setText("Hide details" if on else "Details")

    def dismiss(self) -> None:
        self._dismissed.update(self._shown)
        self._shown = []
        self.hide()

    def text(self) -> str:
        """The whole text of the notices shown (also while the details are folded)."""
        return self.label.text()
