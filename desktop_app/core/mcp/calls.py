"""Calls of MCP tools in a conversation: what each tool's policy does with a finished call,
Run / Mock / Reject / Cancel from its card, and sending the results on when every call of a
turn was answered by its policy (up to the tool loop's round limit).

Nothing runs without a policy or a click that allows it: Ask waits for the card, Off answers
that the tool is off, Mock answers with the tool's mock, Allow runs it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.api import ToolCall
from desktop_app.core.chat.conversation import ChatMessage, Conversation
from desktop_app.core.mcp.manager import McpTool, McpTools, Policy
from desktop_app.core.mcp.results import REJECTED_RESULT, ToolOutcome
from desktop_app.core.tasks import TaskRunner
from desktop_app.core.tools.calls import render_mock
from desktop_app.core.tools.loop import ToolLoop

CallKind = Literal["running", "done", "failed", "rejected", "mocked", "cancelled"]


@dataclass
class CallState:
    """How one MCP call went; ``notes`` say what the card should tell."""

    kind: CallKind
    notes: tuple[str, ...] = ()
    arguments: str | None = None  # the arguments it ran with, when the user edited them
    by_policy: bool = False  # answered by the tool's policy, not by a click
    seconds: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)


class McpCalls(QObject):
    """Works on the tool loop's open turn; ``changed`` (conversation id) tells cards to
    show a call's state again."""

    changed = Signal(str)

    def __init__(
        self, loop: ToolLoop, tools: McpTools, runner: TaskRunner, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.loop = loop
        self.tools = tools
        self.runner = runner
        self._states: dict[str, CallState] = {}  # by call id
        # Connected after the loop's own slot: its checks and coerced arguments come first.
        loop.chat.replyFinished.connect(self._on_finished)

    # -- what a card asks -----------------------------------------------------------------------
    def tool_for(self, conv: Conversation, call: ToolCall) -> McpTool | None:
        return self.tools.find(call.name, [t.name for t in conv.settings.tools])

    def state(self, call_id: str) -> CallState | None:
        return self._states.get(call_id)

    def policy(self, tool: McpTool) -> Policy:
        return self.tools.policy(tool)

    # -- actions ----------------------------------------------------------------------------------
    def run(self, conv: Conversation, call: ToolCall, arguments: str | None = None) -> str:
        """Runs the call (with ``arguments`` when the user edited them); returns why not."""
        tool = self.tool_for(conv, call)
        if tool is None:
            return f"“{call.name}” is not a tool of any MCP server now."
        if tool.definition is None:
            return tool.problem
        text = call.arguments if arguments is None else arguments
        try:
            value = json.loads(text) if text.strip() else {}
        except ValueError as exc:
            return f"The arguments are not valid JSON: {exc}."
        if not isinstance(value, dict):
            return "The arguments should be a JSON object."
        edited = arguments if arguments is not None and arguments != call.arguments else None
        self._states[call.id] = CallState("running", arguments=edited)
        self.changed.emit(conv.id)
        self.runner.start(f"mcp-call-{call.id}", self._run(conv.id, call, tool, value))
        return ""

    async def _run(self, conv_id: str, call: ToolCall, tool: McpTool, value: dict) -> None:
        import time

        started = time.monotonic()
        state = self._states.get(call.id) or CallState("running")
        try:
            outcome = await self.tools.call(tool, value)
        except BaseException:
            # Cancelled (the card's Cancel, or the app quitting): the model is told so.
            state.kind = "cancelled"
            state.notes = ("Cancelled: the model is told the call did not finish.",)
            self._answer(conv_id, call, ToolOutcome("The call was cancelled.", True), state)
            raise
        state.seconds = time.monotonic() - started
        state.kind = "failed" if outcome.is_error else "done"
        state.notes = outcome.notes
        self._answer(conv_id, call, outcome, state)

    def cancel(self, call_id: str) -> None:
        self.runner.cancel(f"mcp-call-{call_id}")

    def mock(self, conv: Conversation, call: ToolCall, by_policy: bool = False) -> str:
        """Answers with the tool's mock text; returns why not, or ''."""
        tool = self.tool_for(conv, call)
        if tool is None:
            return f"“{call.name}” is not a tool of any MCP server now."
        template = self.tools.mock(tool)
        if not template.strip():
            return f"“{tool.wire_name}” has no mock answer: write one in the Tools panel."
        value = self.loop.check(conv, call).value
        text, problem = render_mock(template, call.name, call.id, value)
        if problem:
            return problem
        state = CallState("mocked", ("Answered with the mock; the tool did not run.",))
        state.by_policy = by_policy
        self._answer(conv.id, call, ToolOutcome(text), state)
        return ""

    def reject(self, conv: Conversation, call: ToolCall, why: str = REJECTED_RESULT) -> None:
        state = CallState("rejected", ("Rejected: the model is told the tool was not run.",))
        self._answer(conv.id, call, ToolOutcome(why, True), state)

    def _answer(self, conv_id: str, call: ToolCall, outcome: ToolOutcome, state: CallState) -> None:
        self._states[call.id] = state
        ran = state.kind == "done"  # what the server returned, not typed or mocked
        self.loop.set_answer(conv_id, call.id, outcome.text, outcome.is_error, from_run=ran)
        self.changed.emit(conv_id)
        if state.by_policy:
            self._maybe_continue(conv_id)

    # -- a reply ended ----------------------------------------------------------------------------
    def _on_finished(self, conv_id: str, msg_id: str) -> None:
        try:
            conv = self.loop.chat.conversation(conv_id)
            msg = conv.find(msg_id)
        except KeyError:
            return
        if not msg.tool_calls or self.loop.turn(conv) is not msg:
            return
        for call in self.loop.unanswered(conv):
            tool = self.tool_for(conv, call)
            if tool is None:
                continue
            policy = self.tools.policy(tool)
            if policy == Policy.ALLOW:
                self._states[call.id] = CallState("running", by_policy=True)
                if self.run(conv, call):
                    self._states.pop(call.id, None)  # the card says why it did not run
                else:
                    self._states[call.id].by_policy = True
            elif policy == Policy.MOCK:
                self.mock(conv, call, by_policy=True)
            elif policy == Policy.OFF:
                state = CallState("rejected", ("The tool is Off: the model is told so.",))
                state.by_policy = True
                message = f"The tool “{call.name}” is switched off; it was not run."
                self._answer(conv.id, call, ToolOutcome(message, True), state)
        self.changed.emit(conv_id)

    def _maybe_continue(self, conv_id: str) -> None:
        """When every open call was answered by a policy (or a hand-written tool's
        auto-answer), the results go back, up to the tool loop's round limit."""
        try:
            conv = self.loop.chat.conversation(conv_id)
        except KeyError:
            return
        msg = self.loop.turn(conv)
        if msg is None or not self._all_automatic(conv, msg) or self.loop.missing(conv):
            return
        limit = conv.settings.tool_bench.max_auto_rounds
        if self.loop.rounds_used(conv) > limit:
            self.loop.notes[conv.id] = (
                f"Allowed tools stopped after {limit} round{'s' * (limit != 1)}, so a loop "
                "cannot run away. Send the results by hand, or raise the limit in the Tools panel."
            )
            self.changed.emit(conv.id)
            return
        # After the answer's own updates have run (and the reply has fully finished).
        QTimer.singleShot(0, self, lambda: self._send(conv_id, msg.id))

    def _all_automatic(self, conv: Conversation, msg: ChatMessage) -> bool:
        bench = conv.settings.tool_bench
        for call in self.loop.unanswered(conv):
            state = self._states.get(call.id)
            if state is not None:
                if not state.by_policy or state.kind == "running":
                    return False
                continue
            entry = bench.entry_for(call.name)
            if entry is None or not entry.auto_answer:
                return False
        return True

    def _send(self, conv_id: str, msg_id: str) -> None:
        self.loop.send_automatically(conv_id, msg_id)
