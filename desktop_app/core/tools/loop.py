"""The tool loop: finished calls checked and coerced, answers collected, results sent back.

Nothing from model output is ever run on this machine: a call is answered by the user, or by
the tool's canned (mock) answer when auto-answer is on, for at most a set number of rounds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.api import ToolCall, ToolDefinition
from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.conversation import ChatMessage, Conversation, MessageStatus
from desktop_app.core.chat.send_gate import SendGate
from desktop_app.core.tools.calls import (
    CLOSED_RESULT,
    ArgumentCheck,
    check_arguments,
    check_result,
    error_result,
    raw_tool_calls,
    render_mock,
    result_schema_problems,
)
from desktop_app.core.tools.mocks import choose_mock
from desktop_app.core.tools.workbench import ToolBench

# (conversation, the results to send, rounds so far, then(why it does not fit or ""))
FitCheck = Callable[[Conversation, Sequence[ChatMessage], int, Callable[[str], None]], None]

_ANSWERABLE = (MessageStatus.COMPLETE, MessageStatus.STOPPED, MessageStatus.INTERRUPTED)


@dataclass
class Answer:
    """What the user (or a mock) gives back for one call."""

    text: str = ""
    is_error: bool = False
    closed: bool = False  # closed without running: the model is told so
    from_mock: bool = False
    from_run: bool = False  # what a real tool returned: its result schema is its own business

    def state(self) -> tuple[str, bool, bool]:
        return (self.text, self.is_error, self.closed)

    def content(self) -> str:
        if self.closed:
            return error_result(CLOSED_RESULT)
        return error_result(self.text) if self.is_error else self.text.strip()

    def problem(self, schema: dict[str, Any] | None = None) -> str:
        """Why the answer cannot be sent: not JSON where it looks like JSON, or (typed or
        mocked, with a result ``schema``) not matching the schema."""
        if self.closed:
            return ""
        found = check_result(self.text)
        if found:
            return found.describe()
        if schema is None or self.is_error or self.from_run:
            return ""
        problems = result_schema_problems(schema, self.text)
        return f"Does not match the tool's result schema: {problems[0]}" if problems else ""


class ToolLoop(QObject):
    """Works on the controller's conversations; ``changed`` says a conversation's calls,
    answers or checks changed, so panels and cards can show them again. It tells the send
    gate what blocks a request in the current conversation: broken tool definitions
    ("tools") and calls still waiting for a result ("tool-calls")."""

    changed = Signal(str)  # conversation id

    def __init__(
        self,
        chat: ChatController,
        gate: SendGate,
        parent: QObject | None = None,
        extra_tools: Callable[[Conversation], Sequence[ToolDefinition]] | None = None,
        fit: FitCheck | None = None,
    ) -> None:
        super().__init__(parent)
        self.chat = chat
        # Says whether the next automatic round fits the context (RoundFit.check).
        self.fit = fit
        self.gate = gate
        # Tools offered besides the conversation's own (MCP servers'): their calls are
        # checked against their schemas too.
        self.extra_tools = extra_tools or (lambda _conv: ())
        self._answers: dict[str, Answer] = {}  # by tool call id
        self._checks: dict[tuple[str, str, str], ArgumentCheck] = {}
        self._received: dict[str, str] = {}  # call id -> arguments as received, when coerced
        self._coerced: dict[str, tuple[str, ...]] = {}  # call id -> coerced JSON paths
        self.notes: dict[str, str] = {}  # conversation id -> why auto-answer stopped
        self.mock_problems: dict[str, str] = {}  # call id -> why its mock did not fit
        self.mock_delays: dict[str, float] = {}  # call id -> seconds its mock case waits
        self.auto_pending: set[str] = set()  # conversations whose results go back soon
        chat.replyFinished.connect(self._on_finished)
        chat.messageAdded.connect(lambda conv_id, _m: self.changed.emit(conv_id))
        chat.messageRemoved.connect(lambda conv_id, _m: self.changed.emit(conv_id))
        chat.currentChanged.connect(self.changed)
        self.changed.connect(self._report)
        self._report(chat.current.id)

    def _report(self, conv_id: str) -> None:
        conv = self.chat.current
        if conv.id != conv_id:
            return
        # The bench as it stands: reconciling with tools set elsewhere is the panel's job,
        # which then redraws its list and calls apply_bench.
        bench = conv.settings.tool_bench
        self.gate.report("tools", "\n".join(bench.blocking_problems()))
        self.gate.report("tool-calls", self.block_reason(conv))

    # -- tools -----------------------------------------------------------------------------
    def bench(self, conv: Conversation) -> ToolBench:
        """The conversation's workbench, following tools set elsewhere (a preset, an import)."""
        bench = conv.settings.tool_bench
        bench.reconcile(conv.settings.tools)
        return bench

    def apply_bench(self, conv: Conversation) -> None:
        """Call after editing the bench: the request carries the valid enabled tools."""
        s = conv.settings
        s.tools = s.tool_bench.enabled_definitions()
        names = {t.name for t in s.tools}
        named = getattr(s.tool_choice, "name", None)
        if named is not None and named not in names:
            s.tool_choice = "auto"  # a named choice without its tool is a 400
        self._checks.clear()
        self.changed.emit(conv.id)

    def result_schema(self, conv: Conversation, name: str) -> dict[str, Any] | None:
        """The schema a typed or mocked result of tool ``name`` must match, if it has one."""
        # The bench's own text first: a definition read back from history has lost it.
        entry = conv.settings.tool_bench.entry_for(name)
        tool = entry.check().definition if entry is not None else None
        tool = tool or self.definition(conv, name)
        return tool.result_schema if tool is not None else None

    def definition(self, conv: Conversation, name: str) -> ToolDefinition | None:
        for tool in (*conv.settings.tools, *self.extra_tools(conv)):
            if tool.name == name:
                return tool
        for entry in conv.settings.tool_bench.entries:
            check = entry.check()
            if check.definition is not None and check.definition.name == name:
                return check.definition
        return None

    # -- calls -----------------------------------------------------------------------------
    def check(self, conv: Conversation, call: ToolCall) -> ArgumentCheck:
        key = (call.id, call.name, call.arguments)
        found = self._checks.get(key)
        if found is None:
            found = self._checks[key] = check_arguments(
                self.definition(conv, call.name), call.arguments
            )
        return found

    def coerced(self, call_id: str) -> tuple[tuple[str, ...], str | None]:
        """(paths coerced from strings, the arguments as received) for a finished call."""
        return self._coerced.get(call_id, ()), self._received.get(call_id)

    def raw_calls(self, conv: Conversation, msg: ChatMessage) -> list[str]:
        """Tool calls that came as text: the server runs without a tool parser."""
        if msg.role != "assistant" or msg.tool_calls or not msg.content:
            return []
        known = {t.name for t in conv.settings.tools}
        return raw_tool_calls(msg.content, known) if known or "<|tool_call>" in msg.content else []

    def turn(self, conv: Conversation) -> ChatMessage | None:
        """The assistant message of the open tool turn: the last message with tool calls,
        followed by tool results only."""
        for msg in reversed(conv.messages):
            if msg.role == "tool":
                continue
            if msg.role == "assistant" and msg.tool_calls and msg.status in _ANSWERABLE:
                return msg
            return None
        return None

    def answered_ids(self, conv: Conversation, msg: ChatMessage) -> set[str]:
        try:
            index = conv.index_of(msg.id)
        except KeyError:
            # Removed (a regenerate discarded the turn) while its view is still being let go.
            return set()
        return {m.tool_call_id or "" for m in conv.messages[index + 1 :] if m.role == "tool"}

    def unanswered(self, conv: Conversation) -> list[ToolCall]:
        msg = self.turn(conv)
        if msg is None:
            return []
        done = self.answered_ids(conv, msg)
        return [c for c in msg.tool_calls if c.id not in done]

    def is_open(self, conv: Conversation, msg: ChatMessage, call: ToolCall) -> bool:
        return self.turn(conv) is msg and call.id not in self.answered_ids(conv, msg)

    def block_reason(self, conv: Conversation) -> str:
        """Says what is left to do: answer the calls with no answer yet, or send the results
        once every call has one (the count follows each answer as it is typed)."""
        open_calls = self.unanswered(conv)
        if not open_calls:
            return ""
        n = sum(1 for call in open_calls if not self._has_answer(call.id))
        if n == 0:
            ready = "result is" if len(open_calls) == 1 else "results are"
            return f"The tool {ready} ready but not sent yet: press Send results."
        calls = "tool call waits" if n == 1 else f"{n} tool calls wait"
        return f"{calls.capitalize()} for a result: answer or close them, then Send results."

    def _has_answer(self, call_id: str) -> bool:
        answer = self._answers.get(call_id)
        return answer is not None and (answer.closed or bool(answer.text.strip()))

    def rounds_used(self, conv: Conversation) -> int:
        """Tool-call turns since the last user message (auto-answer rounds are counted here)."""
        rounds = 0
        for msg in reversed(conv.messages):
            if msg.role == "user":
                break
            if msg.role == "assistant" and msg.tool_calls:
                rounds += 1
        return rounds

    # -- answers ---------------------------------------------------------------------------
    def answer(self, call_id: str) -> Answer | None:
        return self._answers.get(call_id)

    def set_answer(
        self, conv_id: str, call_id: str, text: str, is_error: bool = False,
        from_run: bool = False,
    ) -> None:
        self._answers[call_id] = Answer(text=text, is_error=is_error, from_run=from_run)
        self.changed.emit(conv_id)

    def close_call(self, conv_id: str, call_id: str, closed: bool = True) -> None:
        answer = self._answers.setdefault(call_id, Answer())
        answer.closed = closed
        self.changed.emit(conv_id)

    def use_mock(self, conv: Conversation, call: ToolCall) -> str:
        """Fills the answer from the tool's mock; returns the problem, or ''."""
        entry = conv.settings.tool_bench.entry_for(call.name)
        case, text, problem = None, "", ""
        if entry is not None:
            check = self.check(conv, call)
            case, problem = choose_mock(
                entry.mock, entry.mock_cases, check.value, entry.mock_error, entry.mock_delay
            )
        if case is None and not problem:
            problem = f"“{call.name}” has no mock answer: write one in the Tools panel."
        if case is not None:
            text, problem = render_mock(case.result, call.name, call.id, check.value)
        if problem or case is None:
            self.mock_problems[call.id] = problem
        else:
            self.mock_problems.pop(call.id, None)
            self._answers[call.id] = Answer(text=text, is_error=case.is_error, from_mock=True)
            self.mock_delays[call.id] = case.delay
        self.changed.emit(conv.id)
        return problem

    def missing(self, conv: Conversation) -> list[str]:
        """What stops the open turn's results from being sent, one line per call."""
        out = []
        for call in self.unanswered(conv):
            answer = self._answers.get(call.id)
            if answer is None or (not answer.closed and not answer.text.strip()):
                out.append(f"{call.name}: no result yet")
            elif problem := answer.problem(self.result_schema(conv, call.name)):
                out.append(f"{call.name}: {problem}")
        return out

    def send_results(self, conv: Conversation, continue_reply: bool = True) -> str:
        """Sends one tool message per open call; returns why it could not, or ''."""
        msg = self.turn(conv)
        if msg is None:
            return "There is no tool call to answer."
        if self.chat.busy:
            return "Wait for the current reply to finish."
        problems = self.missing(conv)
        if problems:
            return "Every call needs a result first: " + "; ".join(problems)
        open_calls = self.unanswered(conv)
        kept = [c for c in msg.tool_calls if not self._drop_incomplete(c)]
        if len(kept) != len(msg.tool_calls):
            # A stopped reply's unfinished call cannot go back: vLLM rejects arguments
            # that are not JSON with a 400. Closing it removes it from the turn.
            msg.tool_calls = kept
            self.chat.message_changed(conv.id, msg.id)
        results = self._results([c for c in open_calls if c in kept])
        if not self.chat.answer_tool_calls(msg.id, results, continue_reply):
            blocked = self.gate.reason({"tool-calls"})
            if blocked and not self.chat.busy:
                return f"Not sent: {blocked}"
            return "The results could not be added: a reply is running."
        for call in open_calls:
            self._answers.pop(call.id, None)
        self.changed.emit(conv.id)
        return ""

    def _results(self, calls: Sequence[ToolCall]) -> list[ChatMessage]:
        return [
            ChatMessage(
                role="tool", content=self._answers[c.id].content(), tool_call_id=c.id, name=c.name
            )
            for c in calls
        ]

    def send_automatically(self, conv_id: str, msg_id: str) -> None:
        """Sends the results of turn ``msg_id`` when they are all in and the next round fits
        the context; when it would not fit, the results wait on the cards and the turn says
        why (nothing is lost: Send results still sends them)."""
        turn = self._ready_turn(conv_id, msg_id)
        if turn is None:
            return
        conv, _msg = turn
        if self.fit is None:
            self.send_results(conv)
            return
        results = self._results(self.unanswered(conv))
        self.auto_pending.add(conv_id)
        self.fit(conv, results, self.rounds_used(conv),
                 lambda problem: self._after_fit(conv_id, msg_id, problem))

    def _after_fit(self, conv_id: str, msg_id: str, problem: str) -> None:
        self.auto_pending.discard(conv_id)
        turn = self._ready_turn(conv_id, msg_id)
        if turn is None:
            return
        if problem:
            self.notes[conv_id] = problem
            self.changed.emit(conv_id)
            return
        self.send_results(turn[0])

    def _ready_turn(self, conv_id: str, msg_id: str) -> tuple[Conversation, ChatMessage] | None:
        """The conversation and its open turn, when that is still ``msg_id`` and answered."""
        try:
            conv = self.chat.conversation(conv_id)
        except KeyError:
            return None
        turn = self.turn(conv)
        if turn is None or turn.id != msg_id or self.missing(conv):
            return None
        return conv, turn

    def close_all(self, conv: Conversation) -> str:
        """Closes every open call without running it and without asking for a reply."""
        for call in self.unanswered(conv):
            self._answers[call.id] = Answer(closed=True)
        return self.send_results(conv, continue_reply=False)

    def _drop_incomplete(self, call: ToolCall) -> bool:
        answer = self._answers.get(call.id)
        if answer is None or not answer.closed:
            return False
        try:
            json.loads(call.arguments or "{}")
        except ValueError:
            return True
        return False

    # -- a reply ended ------------------------------------------------------------------------
    def _on_finished(self, conv_id: str, msg_id: str) -> None:
        try:
            conv = self.chat.conversation(conv_id)
            msg = conv.find(msg_id)
        except KeyError:
            return
        self.notes.pop(conv_id, None)
        if msg.tool_calls and msg.status in _ANSWERABLE:
            self._finalize(conv, msg)
            self._prefill_and_auto(conv, msg)
        self.changed.emit(conv_id)

    def _finalize(self, conv: Conversation, msg: ChatMessage) -> None:
        """Coerced arguments replace the received ones: they are shown and sent back."""
        calls = []
        for call in msg.tool_calls:
            check = self.check(conv, call)
            if check.coerced and check.text != call.arguments:
                self._received[call.id] = call.arguments
                self._coerced[call.id] = check.coerced
                call = ToolCall(call.id, call.name, check.text)
            calls.append(call)
        if calls != msg.tool_calls:
            msg.tool_calls = calls
            self.chat.message_changed(conv.id, msg.id)

    def _prefill_and_auto(self, conv: Conversation, msg: ChatMessage) -> None:
        """Calls of auto-answer tools get their mock; when all did, the results go back."""
        bench = conv.settings.tool_bench
        auto = True
        for call in msg.tool_calls:
            entry = bench.entry_for(call.name)
            if entry is None or not entry.auto_answer or not entry.mock.strip():
                auto = False
            elif call.id not in self._answers and self.use_mock(conv, call):
                auto = False  # the mock does not fit this call; its card says why
        if not auto:
            return
        limit = bench.max_auto_rounds
        if self.rounds_used(conv) > limit:
            self.notes[conv.id] = (
                f"Auto-answer stopped after {limit} round{'s' * (limit != 1)}, so a loop cannot "
                "run away. Answer by hand, or raise the limit in the Tools panel."
            )
            return
        # After the controller has finished this reply (replyFinished is emitted from it), and
        # after the longest delay a mock case injects.
        delay = max((self.mock_delays.get(c.id, 0.0) for c in msg.tool_calls), default=0.0)
        self.auto_pending.add(conv.id)
        QTimer.singleShot(round(delay * 1000), self, lambda: self._auto_send(conv.id, msg.id))

    def _auto_send(self, conv_id: str, msg_id: str) -> None:
        self.auto_pending.discard(conv_id)
        self.send_automatically(conv_id, msg_id)
