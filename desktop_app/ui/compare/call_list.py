"""The tool calls a Compare column's reply made, one small card each (name, id, arguments)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from desktop_app.api import ToolCall
from desktop_app.ui.common.theme import is_dark
from desktop_app.ui.tools.call_card import arguments_html, card_style, mono


class CallSummary(QFrame):
    """One call as the chat draws it, without the answer box: a compared reply is not
    continued from here ("Continue with this" takes it into the conversation)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("toolCallCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        self.name = QLabel(self)
        self.name.setObjectName("toolCallName")
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.name.setWordWrap(True)
        self.arguments = QLabel(self)
        self.arguments.setObjectName("toolCallArguments")
        self.arguments.setAccessibleName("Tool call arguments")
        self.arguments.setTextFormat(Qt.TextFormat.RichText)
        self.arguments.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.arguments.setWordWrap(True)
        mono(self.arguments)
        layout.addWidget(self.name)
        layout.addWidget(self.arguments)
        self._shown: ToolCall | None = None

    def show_call(self, call: ToolCall) -> None:
        if call == self._shown:
            return
        self._shown = call
        ident = "" if call.id.startswith("call_") else f"  {call.id}"  # a stand-in id: not shown
        self.name.setText(f"⚙ {call.name or '…'}{ident}")
        self.arguments.setText(arguments_html(call.arguments, set(), set(), is_dark(self)))


class CallList(QWidget):
    """Cards for the calls, in the reply's order; hidden when the reply made none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards: list[CallSummary] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        self.head = QLabel(self)
        self.head.setTextFormat(Qt.TextFormat.PlainText)
        self.head.setStyleSheet("color: gray")
        layout.addWidget(self.head)
        self._dark = is_dark(self)
        self.setStyleSheet(card_style(self))
        self.hide()

    def show_calls(self, calls: Sequence[ToolCall]) -> None:
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        while len(self.cards) < len(calls):
            card = CallSummary(self)
            layout.addWidget(card)
            self.cards.append(card)
        while len(self.cards) > len(calls):
            self.cards.pop().deleteLater()
        for card, call in zip(self.cards, calls, strict=True):
            card.show_call(call)
        count = len(calls)
        self.head.setText(f"{count} tool call{'s' if count != 1 else ''}")
        self.setVisible(bool(calls))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # Light <-> dark: the cards' colours (only then: a style sheet changes the palette too).
        if event.type() == QEvent.Type.PaletteChange and is_dark(self) != self._dark:
            self._dark = is_dark(self)
            self.setStyleSheet(card_style(self))
