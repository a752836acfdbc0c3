"""Tool calls inside a reply: one card per call with its arguments, check and answer box."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.api import ToolCall
from desktop_app.core.chat.conversation import ChatMessage, Conversation, MessageStatus
from desktop_app.core.tools.calls import pretty_arguments
from desktop_app.core.tools.json_spots import json_path_text, value_offsets
from desktop_app.ui.common.tab_keys import JSON_INDENT, tab_moves_focus
from desktop_app.ui.common.theme import DARK, LIGHT, is_dark
from desktop_app.ui.tools.arguments_editor import ArgumentsEditor

if TYPE_CHECKING:
    from desktop_app.core.mcp.calls import McpCalls
    from desktop_app.core.tools.loop import ToolLoop
    from desktop_app.ui.mcp.call_actions import McpCallActions


class CallArea(Protocol):
    """What a card needs from the view that holds it (a message's tool turn)."""

    @property
    def loop(self) -> ToolLoop | None: ...

    def conversation(self) -> Conversation | None: ...

    @property
    def mcp_calls(self) -> McpCalls | None: ...


def mono(widget: QWidget) -> None:
    widget.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))


def card_style(widget: QWidget) -> str:
    c = DARK if is_dark(widget) else LIGHT
    return f"""
    #toolCallCard, #toolResultCard {{ background: {c["window"]}; border: 1px solid {c["border"]};
        border-radius: 8px; }}
    #toolCallName {{ font-weight: 600; }}
    #toolCallId, #toolCallStatus, #toolTurnStatus {{ color: {c["muted"]}; }}
    #toolCallCheck[ok="true"] {{ color: #1e8e3e; }}
    #toolCallCheck[ok="false"], #toolResultProblem {{ color: {c["error_border"]}; }}
    #toolCallCoerced, #rawToolCallWarning {{ background: {c["warn_bg"]}; padding: 4px 6px;
        border-radius: 4px; }}
    #toolResultEdit {{ background: {c["base"]}; border: 1px solid {c["border"]};
        border-radius: 6px; }}
    #sendResultsButton {{ background: {c["accent"]}; color: {c["accent_text"]}; border: none;
        border-radius: 6px; padding: 5px 14px; font-weight: 600; }}
    #sendResultsButton:disabled {{ background: {c["border"]}; color: {c["muted"]}; }}
    """


def arguments_html(text: str, bad: set[str], coerced: set[str], dark: bool) -> str:
    """The pretty arguments as HTML, the lines of mismatched or coerced values marked."""
    pretty = pretty_arguments(text)
    marks: dict[int, str] = {}
    if bad or coerced:
        offsets = value_offsets(pretty)
        for path, offset in offsets.items():
            key = json_path_text(path)
            row = pretty.count("\n", 0, offset)
            if key in bad:
                marks[row] = "bad"
            elif key in coerced and row not in marks:
                marks[row] = "coerced"
    colors = {"bad": "#5a2626" if dark else "#fde2e1", "coerced": "#24405e" if dark else "#e1ecfb"}
    rows = []
    for i, line in enumerate(pretty.split("\n")):
        esc = html.escape(line) or "&nbsp;"
        kind = marks.get(i)
        if kind:
            flag = " ⚠" if kind == "bad" else " ⇄"
            esc = f'<span style="background:{colors[kind]}">{esc}{flag}</span>'
        rows.append(esc)
    return "<pre style='margin:0'>" + "\n".join(rows) + "</pre>"


class ToolCallCard(QFrame):
    """One call: name and id, arguments as they stream, the schema check, the answer box."""

    def __init__(self, area: CallArea, parent: QWidget) -> None:
        super().__init__(parent)
        self.area = area
        self.call: ToolCall | None = None
        self.setObjectName("toolCallCard")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.setSpacing(4)
        head = QHBoxLayout()
        self.name = QLabel(self)
        self.name.setObjectName("toolCallName")
        self.ident = QLabel(self)
        self.ident.setObjectName("toolCallId")
        self.ident.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ident.setTextFormat(Qt.TextFormat.PlainText)  # the server's id, never markup
        self.status = QLabel(self)
        self.status.setObjectName("toolCallStatus")
        head.addWidget(self.name)
        head.addWidget(self.ident)
        head.addStretch(1)
        head.addWidget(self.status)
        lay.addLayout(head)
        self.arguments = QLabel(self)
        self.arguments.setObjectName("toolCallArguments")
        self.arguments.setAccessibleName("Tool call arguments")
        self.arguments.setTextFormat(Qt.TextFormat.RichText)
        self.arguments.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono(self.arguments)
        lay.addWidget(self.arguments)
        self.check = QLabel(self)
        self.check.setObjectName("toolCallCheck")
        self.check.setWordWrap(True)
        self.check.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.check)
        self.coerced = QLabel(self)
        self.coerced.setObjectName("toolCallCoerced")
        self.coerced.setWordWrap(True)
        lay.addWidget(self.coerced)
        self.answer_box = QWidget(self)
        self.answer_box.setObjectName("toolCallAnswerBox")
        box = QVBoxLayout(self.answer_box)
        box.setContentsMargins(0, 4, 0, 0)
        box.setSpacing(4)
        self.result = QPlainTextEdit(self.answer_box)
        self.result.setObjectName("toolResultEdit")
        self.result.setAccessibleName("Tool result")
        self.result.setFixedHeight(70)
        tab_moves_focus(self.result, JSON_INDENT)
        mono(self.result)
        self.result.textChanged.connect(self._on_text)
        box.addWidget(self.result)
        # Made for the first call whose tool has a result schema; shown instead of ``result``.
        self.result_editor: ArgumentsEditor | None = None
        self._result_filled: tuple[str, str] | None = None  # (call id, text) put in the editor
        self.problem = QLabel(self.answer_box)
        self.problem.setObjectName("toolResultProblem")
        self.problem.setWordWrap(True)
        box.addWidget(self.problem)
        row = QHBoxLayout()
        self.is_error = QCheckBox("Report as an error", self.answer_box)
        self.is_error.setObjectName("toolResultError")
        self.is_error.setToolTip('Sends the result as {"error": …} so the model knows it failed')
        self.is_error.toggled.connect(self._on_text)
        self.mock_button = QPushButton("Use mock", self.answer_box)
        self.mock_button.setObjectName("useMockButton")
        self.mock_button.setToolTip("Fill in the tool's canned answer (Tools panel)")
        self.mock_button.clicked.connect(self._use_mock)
        self.close_button = QPushButton("Close call", self.answer_box)
        self.close_button.setObjectName("closeCallButton")
        self.close_button.setToolTip("Don't run it: the model is told the call was closed")
        self.close_button.clicked.connect(self._toggle_closed)
        row.addWidget(self.is_error)
        row.addStretch(1)
        row.addWidget(self.mock_button)
        row.addWidget(self.close_button)
        box.addLayout(row)
        lay.addWidget(self.answer_box)
        self.mcp: McpCallActions | None = None  # made for the first call of an MCP tool
        self._shown: tuple = ()

    def show_call(self, conv: Conversation | None, msg: ChatMessage, call: ToolCall) -> None:
        self.call = call
        loop = self.area.loop
        streaming = msg.status == MessageStatus.STREAMING
        self.name.setText(f"⚙ {html.escape(call.name or '…')}")
        self.ident.setText(call.id if not call.id.startswith("call_") else "")
        check = loop.check(conv, call) if loop and conv and not streaming else None
        paths, received = loop.coerced(call.id) if loop else ((), None)
        is_open = bool(loop and conv and loop.is_open(conv, msg, call))
        answer = loop.answer(call.id) if loop else None
        mock_problem = loop.mock_problems.get(call.id) if loop else None
        self._show_mcp(conv, call, is_open and not streaming)
        key = (call, streaming, check, paths, is_open, mock_problem, answer and answer.state())
        if key == self._shown:
            return
        self._shown = key
        bad = {json_path_text(p.path) for p in check.problems} if check else set()
        self.arguments.setText(arguments_html(call.arguments, bad, set(paths), is_dark(self)))
        self._show_check(call, check, streaming)
        self.coerced.setVisible(bool(paths))
        if paths:
            names = ", ".join(p.removeprefix("$.") for p in paths)
            self.coerced.setText(
                f"⇄ Coerced from strings to what the schema says: {html.escape(names)}. "
                "The coerced arguments are shown and go back in the history."
            )
            self.coerced.setToolTip(f"As received: {received}")
        self.answer_box.setVisible(is_open and not streaming)
        if is_open:
            self._show_answer(answer)
        done = loop.answered_ids(conv, msg) if loop and conv and not streaming else set()
        if streaming:
            status = "streaming…"
        elif call.id in done:
            status = "answered ✓"
        elif not is_open:
            status = ""
        elif answer and answer.closed:
            status = "closed"
        elif answer and answer.text.strip() and not answer.problem():
            status = "ready to send"
        else:
            status = "waiting for a result"
        self.status.setText(status)

    def _show_mcp(self, conv: Conversation | None, call: ToolCall, is_open: bool) -> None:
        calls = self.area.mcp_calls
        if calls is None:
            return
        if self.mcp is None:
            from desktop_app.ui.mcp.call_actions import McpCallActions

            actions = McpCallActions(calls, self)
            lay = self.layout()
            assert isinstance(lay, QVBoxLayout)
            lay.insertWidget(lay.indexOf(self.answer_box), actions)
            self.mcp = actions
        self.mcp.show_call(conv, call, is_open)

    def _show_check(self, call: ToolCall, check, streaming: bool) -> None:
        if streaming or check is None:
            self.check.setText("")
            self.check.hide()
            return
        self.check.show()
        if not check.known_tool:
            text = f"⚠ “{call.name}” is not one of the tools offered, so nothing checks it."
            ok = False
            if check.problems:
                text += " " + check.problems[0].message
        elif check.problems:
            ok = False
            items = "".join(f"<li>{html.escape(p.describe())}</li>" for p in check.problems[:6])
            n = len(check.problems)
            text = f"⚠ {n} mismatch{'es' * (n != 1)} with the tool's schema:<ul>{items}</ul>"
        else:
            ok, text = True, "✓ Arguments match the tool's schema"
        self.check.setProperty("ok", "true" if ok else "false")
        self.check.setText(text)
        self.check.style().unpolish(self.check)
        self.check.style().polish(self.check)

    def _show_answer(self, answer) -> None:
        call = self.call
        closed = bool(answer and answer.closed)
        text = answer.text if answer else ""
        loop, conv = self.area.loop, self.area.conversation()
        schema = loop.result_schema(conv, call.name) if loop and conv and call else None
        editor = self._result_form(schema)
        if editor is not None and call is not None:
            last = self._result_filled
            if last is None or last[0] != call.id or (last[1] != text and editor.text() != text):
                editor.blockSignals(True)
                editor.set_result(schema, text)
                editor.blockSignals(False)
            self._result_filled = (call.id, text)
            # A reported error, or what a real tool returned, is not held to the schema.
            checked = not (answer and (answer.is_error or answer.from_run))
            editor.check_against(schema if checked else None)
            editor.setEnabled(not closed)
        elif self.result.toPlainText() != text:
            self.result.blockSignals(True)
            self.result.setPlainText(text)
            self.result.blockSignals(False)
        self.is_error.blockSignals(True)
        self.is_error.setChecked(bool(answer and answer.is_error))
        self.is_error.blockSignals(False)
        self.result.setEnabled(not closed)
        self.is_error.setEnabled(not closed)
        self.mock_button.setEnabled(not closed)
        self.close_button.setText("Reopen" if closed else "Close call")
        name = call.name if call else "the tool"
        self.result.setPlaceholderText(
            f'What {name} returned: text or JSON, e.g. {{"temperature": 21}}'
        )
        # With a result form, the form says what does not match the schema.
        problem = answer.problem() if answer and answer.text.strip() else ""
        if editor is None and answer and answer.text.strip():
            problem = answer.problem(schema)
        if not text.strip() and loop and call:
            problem = loop.mock_problems.get(call.id, "")
        if closed:
            problem = "Closed: the model will be told the call was not run."
        self.problem.setText(html.escape(problem))
        self.problem.setVisible(bool(problem))

    def _result_form(self, schema: dict | None) -> ArgumentsEditor | None:
        """The result editor when the tool has a result schema (else the plain text box)."""
        if schema is None:
            if self.result_editor is not None:
                self.result_editor.hide()
            self.result.show()
            return None
        if self.result_editor is None:
            self.result_editor = ArgumentsEditor(self.answer_box, for_result=True)
            self.result_editor.changed.connect(self._on_text)
            box = self.answer_box.layout()
            assert isinstance(box, QVBoxLayout)
            box.insertWidget(box.indexOf(self.result), self.result_editor)
        self.result.hide()
        self.result_editor.show()
        return self.result_editor

    def _on_text(self) -> None:
        loop, conv = self.area.loop, self.area.conversation()
        if loop and conv and self.call:
            editor = self.result_editor
            in_form = editor is not None and editor.isVisibleTo(self.answer_box)
            text = editor.text() if in_form and editor else self.result.toPlainText()
            loop.set_answer(conv.id, self.call.id, text, self.is_error.isChecked())

    def _use_mock(self) -> None:
        loop, conv = self.area.loop, self.area.conversation()
        if loop and conv and self.call:
            loop.use_mock(conv, self.call)

    def _toggle_closed(self) -> None:
        loop, conv = self.area.loop, self.area.conversation()
        if loop and conv and self.call:
            answer = loop.answer(self.call.id)
            loop.close_call(conv.id, self.call.id, not (answer and answer.closed))
