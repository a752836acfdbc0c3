"""Regenerate while tool calls wait for a result: asks before discarding them."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.send_gate import SendGate

GATE_SOURCE = "tool-calls"


def regenerate_or_ask(parent: QWidget, chat: ChatController, gate: SendGate) -> QMessageBox | None:
    """Regenerates at once, unless only waiting tool calls stand in the way: then a dialog
    offers to discard them (returned, already open; None when nothing was asked)."""
    if chat.busy or not gate.reason_of(GATE_SOURCE) or gate.reason({GATE_SOURCE}):
        chat.regenerate()
        return None
    box = QMessageBox(parent)
    box.setObjectName("discardToolCallsBox")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Regenerate the reply?")
    box.setText("Tool calls are waiting for a result.")
    box.setInformativeText(
        "Regenerating replaces everything after your last message, including the calls and "
        "any answers typed for them. To keep them, answer or close the calls and press Send "
        "results instead."
    )
    discard = box.addButton("Discard calls and regenerate", QMessageBox.ButtonRole.AcceptRole)
    discard.setObjectName("discardAndRegenerate")
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)

    def done() -> None:
        if box.clickedButton() is discard:
            chat.regenerate(discard_tool_calls=True)
        box.deleteLater()

    box.finished.connect(done)
    box.open()
    return box
