"""A reply's Details: the model, server and exact settings that produced it, and its timings,
with "Reuse these settings" and "Inspect request"."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.chat.conversation import ChatMessage
from desktop_app.core.chat.provenance import NOT_SENT, extra_body_text, origin_rows, settings_rows


def _form(rows: list[tuple[str, str]], parent: QWidget, mono_labels: bool) -> QFormLayout:
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
    form.setHorizontalSpacing(14)
    form.setVerticalSpacing(4)
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    for label, value in rows:
        key = QLabel(label, parent)
        key.setObjectName("detailKey")
        if mono_labels:
            key.setFont(fixed)
        val = QLabel(value, parent)
        val.setObjectName("detailValue")
        val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        val.setWordWrap(True)
        val.setProperty("unset", value == NOT_SENT)
        val.setAccessibleName(f"{label}: {value}")
        form.addRow(key, val)
    return form


class ReplyDetailsDialog(QDialog):
    """Non-modal; emits ``reuseRequested`` / ``inspectRequested`` with the message id."""

    reuseRequested = Signal(str)
    inspectRequested = Signal(str)

    def __init__(self, msg: ChatMessage, has_trace: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("replyDetailsDialog")
        self.setWindowTitle("Reply details")
        self.message_id = msg.id
        info = msg.reply
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 12)
        lay.setSpacing(10)
        if info is None:
            lay.addWidget(QLabel("This reply has no record of how it was produced.", self))
        else:
            made = QGroupBox("How it went", self)
            made.setLayout(_form(origin_rows(info), made, mono_labels=False))
            lay.addWidget(made)
            sent = QGroupBox("Settings sent", self)
            sent_lay = QVBoxLayout(sent)
            sent_lay.addLayout(_form(settings_rows(info), sent, mono_labels=True))
            extra = extra_body_text(info)
            if extra:
                sent_lay.addWidget(QLabel("extra body", sent))
                view = QPlainTextEdit(sent)
                view.setObjectName("detailsExtraBody")
                view.setReadOnly(True)
                view.setPlainText(extra)
                view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
                view.setMaximumHeight(120)
                sent_lay.addWidget(view)
            lay.addWidget(sent)
        self.note = QLabel(self)
        self.note.setObjectName("detailsNote")
        self.note.setWordWrap(True)
        self.note.hide()
        lay.addWidget(self.note)
        row = QHBoxLayout()
        self.reuse_button = QPushButton("Reuse these settings", self)
        self.reuse_button.setObjectName("reuseSettingsButton")
        self.reuse_button.setToolTip("Load these settings into the Parameters panel")
        self.reuse_button.setEnabled(info is not None)
        self.reuse_button.clicked.connect(lambda: self.reuseRequested.emit(self.message_id))
        self.inspect_button = QPushButton("Inspect request", self)
        self.inspect_button.setObjectName("inspectRequestButton")
        self.inspect_button.setEnabled(has_trace)
        if not has_trace:
            self.inspect_button.setToolTip("Wire records are kept for this session's replies")
        self.inspect_button.clicked.connect(lambda: self.inspectRequested.emit(self.message_id))
        close = QPushButton("Close", self)
        close.setObjectName("closeDetailsButton")
        close.clicked.connect(self.close)
        row.addWidget(self.reuse_button)
        row.addWidget(self.inspect_button)
        row.addStretch(1)
        row.addWidget(close)
        lay.addLayout(row)
        self.setMinimumWidth(440)

    def show_note(self, text: str, error: bool = False) -> None:
        self.note.setText(text)
        self.note.setProperty("error", error)
        self.note.style().unpolish(self.note)
        self.note.style().polish(self.note)
        self.note.setVisible(bool(text))
