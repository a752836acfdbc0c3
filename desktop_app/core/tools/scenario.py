"""Tool scenarios: tools, mocks, MCP policies and the conversation up to its last question,
saved to a file with the run that followed; replayed against the current server and the new
run compared with the saved one (which tools were called, in which round, with what)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.api import NamedToolChoice, ToolCall
from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.conversation import ChatMessage, Conversation
from desktop_app.core.mcp.manager import McpTools, Policy
from desktop_app.core.tools.exchange import bench_from_dict, bench_to_dict
from desktop_app.core.tools.loop import ToolLoop

FORMAT = "gemma-desk-tool-scenario"
VERSION = 1


@dataclass(frozen=True, slots=True)
class RecordedCall:
    name: str
    arguments: Any  # the parsed JSON, or the text when it was not JSON

    def text(self) -> str:
        args = self.arguments
        shown = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
        return f"{self.name}({shown})"


Rounds = list[list[RecordedCall]]


@dataclass
class Scenario:
    name: str
    system_prompt: str = ""
    messages: list[dict[str, Any]] = field(default_factory=list)  # up to the last question
    bench: dict[str, Any] = field(default_factory=dict)
    tool_choice: Any = None
    parallel_tool_calls: bool | None = None
    policies: dict[str, str] = field(default_factory=dict)  # MCP tool wire name -> policy
    rounds: Rounds = field(default_factory=list)  # the saved run
    final: str = ""  # the reply that ended the saved run


def _call(call: ToolCall) -> RecordedCall:
    try:
        return RecordedCall(call.name, json.loads(call.arguments or "{}"))
    except ValueError:
        return RecordedCall(call.name, call.arguments)


def run_of(messages: list[ChatMessage]) -> tuple[Rounds, str]:
    """The tool calls of each round after the last question, and the final reply text."""
    start = max((i for i, m in enumerate(messages) if m.role == "user"), default=-1) + 1
    rounds: Rounds = []
    final = ""
    for msg in messages[start:]:
        if msg.role == "assistant":
            if msg.tool_calls:
                rounds.append([_call(c) for c in msg.tool_calls])
            else:
                final = msg.content
    return rounds, final


def _message(msg: ChatMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"role": msg.role, "content": msg.content}
    if msg.tool_calls:
        out["tool_calls"] = [
            {"id": c.id, "name": c.name, "arguments": c.arguments} for c in msg.tool_calls
        ]
    if msg.tool_call_id:
        out["tool_call_id"] = msg.tool_call_id
    if msg.name:
        out["name"] = msg.name
    return out


def _from_message(raw: object, where: str) -> ChatMessage:
    if not isinstance(raw, dict) or raw.get("role") not in ("user", "assistant", "tool", "system"):
        raise ValueError(f"{where}: expected a message with a role")
    content = raw.get("content", "")
    if not isinstance(content, str):
        raise ValueError(f"{where}.content: expected text")
    calls = []
    for j, c in enumerate(raw.get("tool_calls") or []):
        if not isinstance(c, dict) or not all(
            isinstance(c.get(k), str) for k in ("id", "name", "arguments")
        ):
            raise ValueError(f"{where}.tool_calls[{j}]: expected id, name and arguments")
        calls.append(ToolCall(c["id"], c["name"], c["arguments"]))
    return ChatMessage(
        role=raw["role"],
        content=content,
        tool_calls=calls,
        tool_call_id=raw.get("tool_call_id") if isinstance(raw.get("tool_call_id"), str) else None,
        name=raw.get("name") if isinstance(raw.get("name"), str) else None,
    )


def capture(conv: Conversation, name: str, mcp: McpTools | None = None) -> Scenario:
    """The scenario of ``conv``: everything up to its last user message, and the run after."""
    last_user = max((i for i, m in enumerate(conv.messages) if m.role == "user"), default=None)
    if last_user is None:
        raise ValueError("The conversation has no question yet: ask one, then save it.")
    s = conv.settings
    choice = s.tool_choice
    policies: dict[str, str] = {}
    if mcp is not None:
        taken = [t.name for t in s.tools]
        policies = {t.wire_name: mcp.policy(t).value for t in mcp.tools(taken)}
    rounds, final = run_of(conv.messages)
    return Scenario(
        name=name,
        system_prompt=conv.system_prompt,
        messages=[_message(m) for m in conv.messages[: last_user + 1]],
        bench=bench_to_dict(s.tool_bench),
        tool_choice={"name": choice.name} if isinstance(choice, NamedToolChoice) else choice,
        parallel_tool_calls=s.parallel_tool_calls,
        policies=policies,
        rounds=rounds,
        final=final,
    )


def scenario_to_json(sc: Scenario) -> str:
    data = {
        "format": FORMAT,
        "version": VERSION,
        "name": sc.name,
        "system_prompt": sc.system_prompt,
        "messages": sc.messages,
        "tool_bench": sc.bench,
        "tool_choice": sc.tool_choice,
        "parallel_tool_calls": sc.parallel_tool_calls,
        "mcp_policies": sc.policies,
        "run": [[{"name": c.name, "arguments": c.arguments} for c in r] for r in sc.rounds],
        "final": sc.final,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def scenario_from_json(text: str) -> Scenario:
    """``ValueError`` saying what is wrong when the text is not a scenario."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"Not valid JSON (line {exc.lineno}: {exc.msg}).") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"This is not a tool scenario file (no “format”: “{FORMAT}”).")
    if data.get("version") != VERSION:
        raise ValueError(f"Scenario version {data.get('version')!r} is not one this app reads.")
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError("The scenario has no messages.")
    for i, raw in enumerate(messages):
        _from_message(raw, f"messages[{i}]")
    bench_from_dict(data.get("tool_bench"))  # raises with the path of what is wrong
    rounds: Rounds = []
    for i, r in enumerate(data.get("run") or []):
        if not isinstance(r, list) or not all(
            isinstance(c, dict) and isinstance(c.get("name"), str) for c in r
        ):
            raise ValueError(f"run[{i}]: expected a list of calls with a name")
        rounds.append([RecordedCall(c["name"], c.get("arguments")) for c in r])
    policies = data.get("mcp_policies") or {}
    if not isinstance(policies, dict):
        raise ValueError("mcp_policies: expected an object")
    parallel = data.get("parallel_tool_calls")
    return Scenario(
        name=str(data.get("name") or "Scenario"),
        system_prompt=str(data.get("system_prompt") or ""),
        messages=messages,
        bench=data.get("tool_bench") or {},
        tool_choice=data.get("tool_choice"),
        parallel_tool_calls=parallel if isinstance(parallel, bool) else None,
        policies={str(k): str(v) for k, v in policies.items()},
        rounds=rounds,
        final=str(data.get("final") or ""),
    )


def write_scenario(path: str | Path, sc: Scenario) -> str:
    try:
        Path(path).write_text(scenario_to_json(sc), encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"Could not write {Path(path).name}: {exc.strerror or exc}.") from None
    n = sum(len(r) for r in sc.rounds)
    return f"Saved scenario “{sc.name}” ({n} tool call{'s' * (n != 1)}) to {Path(path).name}."


def read_scenario(path: str | Path) -> Scenario:
    name = Path(path).name
    try:
        return scenario_from_json(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"Could not open {name}: {exc.strerror or exc}.") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"Could not read {name}: {exc}") from None


# ---- comparing runs ---------------------------------------------------------------------------

Kind = Literal["same", "changed", "missing", "extra"]


@dataclass(frozen=True, slots=True)
class Difference:
    kind: Kind
    round: int  # 1-based
    text: str


def compare(saved: Rounds, new: Rounds) -> list[Difference]:
    """Round by round, call by call (matched by name in order): the same call, the same tool
    with other arguments, a call the saved run made and the new one did not, or the reverse."""
    out: list[Difference] = []
    for i in range(max(len(saved), len(new))):
        old_calls = list(saved[i]) if i < len(saved) else []
        new_calls = list(new[i]) if i < len(new) else []
        for call in old_calls:
            twin = next((c for c in new_calls if c == call), None)
            if twin is None:
                twin = next((c for c in new_calls if c.name == call.name), None)
            if twin is None:
                out.append(Difference("missing", i + 1, f"not called: {call.text()}"))
                continue
            new_calls.remove(twin)
            if twin.arguments == call.arguments:
                out.append(Difference("same", i + 1, f"same: {call.text()}"))
            else:
                out.append(
                    Difference(
                        "changed",
                        i + 1,
                        f"other arguments: {twin.text()}, saved {call.text()}",
                    )
                )
        for call in new_calls:
            out.append(Difference("extra", i + 1, f"new call: {call.text()}"))
    return out


# ---- replaying --------------------------------------------------------------------------------


class ScenarioRunner(QObject):
    """Replays a scenario in a new conversation and compares its run with the saved one;
    ``updated`` (conversation id) after each reply of a replay, ``failed`` says why one could
    not start."""

    updated = Signal(str)

    def __init__(
        self,
        chat: ChatController,
        loop: ToolLoop,
        mcp: McpTools | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.chat = chat
        self.loop = loop
        self.mcp = mcp
        self.replays: dict[str, Scenario] = {}  # conversation id -> the scenario it replays
        chat.replyFinished.connect(self._on_finished)

    def save(self, path: str | Path, conv: Conversation, name: str) -> str:
        return write_scenario(path, capture(conv, name, self.mcp))

    def replay(self, sc: Scenario) -> str:
        """Starts the replay; returns why it could not, or ''."""
        if self.chat.busy:
            return "Wait for the current reply to finish."
        settings = self.chat.list.settings_factory()
        settings.tool_bench = bench_from_dict(sc.bench)
        settings.tools = settings.tool_bench.enabled_definitions()
        choice = sc.tool_choice
        if isinstance(choice, dict) and isinstance(choice.get("name"), str):
            settings.tool_choice = NamedToolChoice(choice["name"])
        elif choice in ("auto", "none", "required"):
            settings.tool_choice = choice
        settings.parallel_tool_calls = sc.parallel_tool_calls
        conv = Conversation(
            title=f"Replay: {sc.name}"[:60],
            system_prompt=sc.system_prompt,
            messages=[_from_message(m, "message") for m in sc.messages],
            settings=settings,
            title_edited=True,
        )
        skipped = self._apply_policies(sc, conv)
        self.replays[conv.id] = sc
        self.chat.add_conversation(conv)
        self.chat.select(conv.id)
        if not self.chat.regenerate():
            self.replays.pop(conv.id, None)
            return "The replay could not start: " + (self.chat.gate.reason() or "see the notice.")
        return skipped

    def _apply_policies(self, sc: Scenario, conv: Conversation) -> str:
        if self.mcp is None or not sc.policies:
            return ""
        taken = [t.name for t in conv.settings.tools]
        missing = []
        for wire_name, value in sc.policies.items():
            tool = self.mcp.find(wire_name, taken)
            if tool is None:
                missing.append(wire_name)
            elif value in Policy.__members__.values() and self.mcp.policy(tool) != value:
                self.mcp.set_policy(tool, Policy(value))
        if missing:
            return "No MCP server offers " + ", ".join(missing) + " now: not offered."
        return ""

    def status(self, conv: Conversation) -> tuple[str, list[Difference]]:
        """(how the replay stands, the differences so far)."""
        sc = self.replays.get(conv.id)
        if sc is None:
            return "", []
        rounds, _final = run_of(conv.messages)
        diffs = compare(sc.rounds, rounds)
        if self.chat.busy or conv.id in self.loop.auto_pending:
            state = "running"
        elif self.loop.unanswered(conv):
            state = "waiting for you to answer the open calls"
        else:
            state = "finished"
        alike = all(d.kind == "same" for d in diffs)
        verdict = "same tool calls as saved" if alike else "differs from the saved run"
        return f"Replay of “{sc.name}”: {state}; {verdict}.", diffs

    def _on_finished(self, conv_id: str, _msg_id: str) -> None:
        if conv_id in self.replays:
            # After the tool loop has scheduled its auto-answer for this reply.
            QTimer.singleShot(0, self, lambda: self.updated.emit(conv_id))
