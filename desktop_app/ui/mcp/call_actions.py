"""The MCP part of a tool call card: where the tool comes from, its policy, the arguments to
run it with (editable), Run / Mock / Reject / Cancel, and how the call went."""

from __future__ import annotations

import html

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.api import ToolCall
from desktop_app.core.chat.conversation import Conversation
from desktop_app.core.mcp.calls import McpCalls
from desktop_app.core.mcp.manager import POLICY_LABELS
from desktop_app.ui.tools.arguments_editor import ArgumentsEditor

_STATUS = {
    "running": "running…",
    "done": "ran ✓",
    "failed": "failed ✗",
    "rejected": "rejected",
    "mocked": "mocked",
    "cancelled": "cancelled",
}


class McpCallActions(QWidget):
    """Shown inside a ToolCallCard for a call of an MCP tool."""

    def __init__(self, calls: McpCalls, parent: QWidget) -> None:
        super().__init__(parent)
        self.calls = calls
        self.setObjectName("mcpCallActions")
        self.conv: Conversation | None = None
        self.call: ToolCall | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 2, 0, 2)
        lay.setSpacing(4)
        self.origin = QLabel(self)
        self.origin.setObjectName("mcpCallOrigin")
        self.origin.setWordWrap(True)
        lay.addWidget(self.origin)
        # The arguments in a form from the tool's schema, or as JSON (``arguments``).
        self.editor = ArgumentsEditor(self)
        self.arguments = self.editor.raw
        self.editor.changed.connect(self._on_edited)
        lay.addWidget(self.editor)
        row = QHBoxLayout()
        self.status = QLabel(self)
        self.status.setObjectName("mcpCallStatus")
        self.status.setWordWrap(True)
        row.addWidget(self.status, 1)
        self.run_button = self._button("Run", "mcpRunButton", "Run the tool with these arguments")
        self.mock_button = self._button("Mock", "mcpMockButton", "Answer with the tool's mock")
        self.reject_button = self._button(
            "Reject", "mcpRejectButton", "Don't run it: the model is told the call was rejected"
        )
        self.cancel_button = self._button("Cancel", "mcpCancelButton", "Stop waiting for it")
        for button in (self.run_button, self.mock_button, self.reject_button, self.cancel_button):
            row.addWidget(button)
        lay.addLayout(row)
        self.notes = QLabel(self)
        self.notes.setObjectName("mcpCallNotes")
        self.notes.setWordWrap(True)
        lay.addWidget(self.notes)
        self.run_button.clicked.connect(self._run)
        self.mock_button.clicked.connect(self._mock)
        self.reject_button.clicked.connect(self._reject)
        self.cancel_button.clicked.connect(self._cancel)
        self._problem = ""
        self._shown_call: str | None = None

    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        return button

    def show_call(self, conv: Conversation | None, call: ToolCall, is_open: bool) -> bool:
        """Fills the widget; False (and hidden) when the call is not of an MCP tool."""
        self.conv, self.call = conv, call
        tool = self.calls.tool_for(conv, call) if conv is not None else None
        if tool is None:
            self.hide()
            return False
        self.show()
        policy = POLICY_LABELS[self.calls.policy(tool)]
        renamed = (
            f" (its own name: {html.escape(tool.name)})" if tool.wire_name != tool.name else ""
        )
        self.origin.setText(
            f"MCP server <b>{html.escape(tool.server_name)}</b>{renamed} · policy {policy}"
        )
        state = self.calls.state(call.id)
        running = state is not None and state.kind == "running"
        waiting = is_open and state is None
        if self._shown_call != call.id + call.arguments:
            self._shown_call = call.id + call.arguments
            self.editor.set_call(tool.definition, call.arguments)
        self.editor.setVisible(waiting)
        self.run_button.setVisible(waiting)
        self._on_edited()
        self.mock_button.setVisible(waiting)
        self.reject_button.setVisible(waiting)
        self.cancel_button.setVisible(running)
        if state is None:
            status = "waiting: Run, Mock or Reject" if is_open else ""
        else:
            status = _STATUS[state.kind]
            if state.seconds:
                status += f" in {state.seconds:.1f} s"
            if state.arguments is not None:
                status += " · with edited arguments"
        self.status.setText(status)
        notes = list(state.notes) if state is not None else []
        if self._problem and waiting:
            notes.insert(0, self._problem)
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        return True

    def _refresh(self) -> None:
        if self.call is not None:
            loop = self.calls.loop
            is_open = bool(
                self.conv
                and any(c.id == self.call.id for c in loop.unanswered(self.conv))
            )
            self.show_call(self.conv, self.call, is_open)

    def _on_edited(self) -> None:
        """Run waits until the arguments are valid; the editor says what is wrong."""
        problem = self.editor.problem()
        self.run_button.setEnabled(not problem)
        self.run_button.setToolTip(
            f"Fix the arguments first:\n{problem}" if problem
            else "Run the tool with these arguments"
        )

    def _run(self) -> None:
        if self.editor.problem():
            return
        if self.conv is not None and self.call is not None:
            self._problem = self.calls.run(self.conv, self.call, self.editor.text())
            self._refresh()

    def _mock(self) -> None:
        if self.conv is not None and self.call is not None:
            self._problem = self.calls.mock(self.conv, self.call)
            self._refresh()

    def _reject(self) -> None:
        if self.conv is not None and self.call is not None:
            self._problem = ""
            self.calls.reject(self.conv, self.call)

    def _cancel(self) -> None:
        if self.call is not None:
            self.calls.cancel(self.call.id)
