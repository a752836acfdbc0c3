"""The stop-sequences editor: type one and press Enter; select one and press Delete."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.params.controls import reset_button


def decode_escapes(text: str) -> str:
    """``\\n``, ``\\t``, ``\\r`` and ``\\\\`` as typed in the stop field; other text as is."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "ntr\\":
            out.append({"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}[text[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def show_escapes(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


class _StopLine(QLineEdit):
    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class StopEditor(QWidget):
    """Stop sequences: type one and press Enter; select one and press Delete to remove it."""

    valueChanged = Signal(object)  # tuple of strings, or None when there are none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 2, 0, 2)
        lay.setSpacing(3)
        head = QHBoxLayout()
        title = QLabel("stop", self)
        title.setObjectName("paramTitle")
        head.addWidget(title, 1)
        self.reset = reset_button(self, "stop")
        head.addWidget(self.reset)
        lay.addLayout(head)
        self.edit = _StopLine(self)
        self.edit.setObjectName("param_stop")
        self.edit.setAccessibleName("stop")
        self.edit.setAccessibleDescription(
            "Type a stop sequence and press Enter. \\n stands for a new line."
        )
        self.edit.setPlaceholderText("Add a stop sequence, Enter (\\n = new line)")
        lay.addWidget(self.edit)
        self.list = QListWidget(self)
        self.list.setObjectName("stopList")
        self.list.setAccessibleName("Stop sequences")
        self.list.setToolTip("Select a sequence and press Delete to remove it.")
        self.list.setSpacing(1)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        lay.addWidget(self.list)
        self.note = QLabel(self)
        self.note.setObjectName("paramNote")
        self.note.hide()
        lay.addWidget(self.note)
        self.edit.submitted.connect(self._add)
        self.reset.clicked.connect(lambda: self._emit(None))
        self.list.installEventFilter(self)
        self._values: list[str] = []
        self.set_value(None)

    def value(self) -> tuple[str, ...] | None:
        return tuple(self._values) or None

    def set_value(self, value: tuple[str, ...] | None) -> None:
        self._values = list(value or ())
        self.list.clear()
        for seq in self._values:
            item = QListWidgetItem(show_escapes(seq), self.list)
            item.setToolTip(f"Stop at {seq!r}. Delete removes it.")
        self.list.setVisible(bool(self._values))
        if self._values:
            # As tall as its items (up to five), so the panel does not keep an empty gap.
            row = self.list.sizeHintForRow(0) + 2 * self.list.spacing()
            self.list.setFixedHeight(row * min(len(self._values), 5) + 4)
        self.reset.setEnabled(bool(self._values))

    def add(self, text: str) -> bool:
        """Adds a stop sequence as typed (escapes decoded); False with a note when refused."""
        seq = decode_escapes(text)
        if not seq:
            return self._refuse("A stop sequence cannot be empty (vLLM rejects it).")
        if seq in self._values:
            return self._refuse(f"{show_escapes(seq)!r} is already a stop sequence.")
        self.note.hide()
        self._emit((*self._values, seq))
        return True

    def remove(self, index: int) -> None:
        values = [v for i, v in enumerate(self._values) if i != index]
        self._emit(tuple(values) or None)

    def _refuse(self, why: str) -> bool:
        self.note.setText(why)
        self.note.show()
        return False

    def _add(self) -> None:
        if self.add(self.edit.text()):
            self.edit.clear()

    def _emit(self, value: tuple[str, ...] | None) -> None:
        self.set_value(value)
        self.valueChanged.emit(self.value())

    def eventFilter(self, obj: object, event: object) -> bool:
        if (
            obj is self.list
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and self.list.currentRow() >= 0
        ):
            self.remove(self.list.currentRow())
            return True
        return super().eventFilter(obj, event)  # type: ignore[arg-type]
