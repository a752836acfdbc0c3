"""The "Show all" window: a long block or reply in full, read-only, loaded in slices."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

SLICE_CHARS = 64_000  # characters appended per event-loop turn (a few ms each)
DISPLAY_LINE_CHARS = 10_000  # longer lines are broken for display; Copy all keeps them whole


def display_slices(text: str) -> tuple[list[str], bool]:
    """`text` cut into slices at line ends, with over-long lines broken into pieces, and
    whether any line was broken.

    A single line of megabytes would have to be laid out in one go; broken, each slice
    costs about the same.
    """
    broken = False
    slices: list[str] = []
    buf: list[str] = []
    size = 0
    for line in text.splitlines(keepends=True):
        while len(line) > DISPLAY_LINE_CHARS + 1:
            broken = True
            buf.append(line[:DISPLAY_LINE_CHARS] + "\n")
            size += DISPLAY_LINE_CHARS
            line = line[DISPLAY_LINE_CHARS:]
            if size >= SLICE_CHARS:
                slices.append("".join(buf))
                buf, size = [], 0
        buf.append(line)
        size += len(line)
        if size >= SLICE_CHARS:
            slices.append("".join(buf))
            buf, size = [], 0
    if buf:
        slices.append("".join(buf))
    return slices, broken


class FullTextDialog(QDialog):
    """Shows `text` as plain text; `loaded` is emitted once every slice is in."""

    loaded = Signal()

    def __init__(self, text: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fullTextDialog")
        self.setWindowTitle(title)
        self.resize(900, 650)
        self.text = text
        lay = QVBoxLayout(self)
        self.status = QLabel(self)
        self.status.setObjectName("fullTextStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.status)
        self.view = QPlainTextEdit(self)
        self.view.setObjectName("fullText")
        self.view.setAccessibleName(title)
        self.view.setReadOnly(True)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.view.setUndoRedoEnabled(False)
        lay.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.copy_button = QPushButton("Copy all", self)
        self.copy_button.setObjectName("copyAllButton")
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text))
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)
        row.addWidget(self.copy_button)
        row.addWidget(close)
        lay.addLayout(row)
        self._slices, self._broken = display_slices(text)
        self._next = 0
        self._shown = 0
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._load_slice)
        self._update_status()
        self._timer.start()

    def is_loaded(self) -> bool:
        return self._next >= len(self._slices)

    def _load_slice(self) -> None:
        if self.is_loaded():
            self._timer.stop()
            self.loaded.emit()
            return
        piece = self._slices[self._next]
        self._next += 1
        cursor = QTextCursor(self.view.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(piece)
        self._shown += len(piece)
        self._update_status()
        if self.is_loaded():
            self._timer.stop()
            self.loaded.emit()

    def _update_status(self) -> None:
        total = len(self.text)
        note = f"{total:,} characters"
        if not self.is_loaded():
            note = f"Loading… {min(self._shown, total):,} of {total:,} characters"
        elif self._broken:
            note += f"; lines over {DISPLAY_LINE_CHARS:,} characters are broken for display"
            note += " (Copy all keeps them whole)"
        self.status.setText(note)
