"""Generated tokens of a reply, cut by max_tokens or stop strings, with finish and stop reasons."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from .replies import Reply
from .tokens import EOS_TOKEN_ID, tokenize
from .toolcalls import PlannedCall, argument_fragments, stringify_scalars

# Step kinds: "r" reasoning text, "R" silent reasoning token (channel markers), "c" content,
# "t" tool-call header (text = function name), "a" argument fragment, "s" silent token.
Step = tuple[str, str, int]
REASONING_KINDS = frozenset("rR")


@dataclass
class ToolCallInfo:
    id: str
    name: str
    arguments: str
    fragments: int


@dataclass
class ChoicePlan:
    """Everything one choice generates, before limits."""

    steps: list[Step]
    calls: list[ToolCallInfo] = field(default_factory=list)
    named: bool = False


@dataclass
class Outcome:
    """What one choice actually produced."""

    steps: list[Step]
    finish_reason: str
    stop_reason: int | str | None
    # True when the finish rides on the last generated token's chunk (length, stop string);
    # otherwise an extra chunk with `final_text` (often empty) carries it.
    on_last_step: bool
    final_text: str
    calls: list[ToolCallInfo]
    reasoning_tokens: int = 0

    @property
    def completion_tokens(self) -> int:
        return len(self.steps)

    def complete_calls(self) -> list[ToolCallInfo]:
        """Calls whose closing fragment was generated (a length cut leaves a call partial)."""
        seen: dict[int, int] = {}
        for kind, _, index in self.steps:
            if kind == "a":
                seen[index] = seen.get(index, 0) + 1
        return [c for i, c in enumerate(self.calls) if seen.get(i, 0) == c.fragments]


def new_tool_call_id() -> str:
    return f"chatcmpl-tool-{uuid.uuid4().hex[:16]}"


def build_plan(reply: Reply, string_scalars: bool, named: bool) -> ChoicePlan:
    steps: list[Step] = []
    if reply.reasoning is not None:
        steps += [("R", "", 0), ("R", "", 0)]  # `<|channel>` and `thought\n`
        steps += [("r", piece, 0) for piece in tokenize(reply.reasoning)]
        steps.append(("R", "", 0))  # `<channel|>`
    steps += [("c", piece, 0) for piece in reply.content]
    plan = ChoicePlan(steps, named=named)
    for index, call in enumerate(reply.calls):
        _add_call(plan, index, call, string_scalars)
    return plan


def _add_call(plan: ChoicePlan, index: int, call: PlannedCall, string_scalars: bool) -> None:
    arguments = stringify_scalars(call.arguments) if string_scalars else call.arguments
    fragments = argument_fragments(arguments)
    plan.calls.append(ToolCallInfo(new_tool_call_id(), call.name,
                                   "".join(fragments), len(fragments)))
    plan.steps.append(("s", "", index))  # `<|tool_call>`
    plan.steps.append(("s", "", index))  # `call:`
    plan.steps.append(("t", call.name, index))
    plan.steps += [("a", fragment, index) for fragment in fragments]
    plan.steps.append(("s", "", index))  # `<tool_call|>`


def _first_stop(text: str, stop: list[str]) -> tuple[int, str] | None:
    """Like vLLM's stop checker: the first stop string, in request order, found in the text."""
    for s in stop:
        pos = text.find(s)
        if pos >= 0:
            return pos, s
    return None


def apply_limits(plan: ChoicePlan, max_tokens: int, stop: list[str], include_stop: bool
                 ) -> Outcome:
    """Cut at max_tokens (finish "length") or at a stop string in the content (finish "stop",
    stop_reason the string). Like vLLM's detokenizer, content that could be the start of a stop
    string is held back until it is known not to be."""
    steps = plan.steps
    if not stop:
        kept = steps[:max_tokens]
        truncated = len(steps) > max_tokens
        reasoning = sum(1 for s in kept if s[0] in REASONING_KINDS)
        return _finish(plan, kept, truncated, reasoning, "")

    hold = max(len(s) for s in stop) - 1
    out: list[Step] = []
    pending = ""
    reasoning = 0
    for step in steps[:max_tokens]:
        kind = step[0]
        if kind != "c":
            reasoning += kind in REASONING_KINDS
            out.append(step)
            continue
        pending += step[1]
        hit = _first_stop(pending, stop)
        if hit is not None:
            pos, s = hit
            out.append(("c", pending[: pos + (len(s) if include_stop else 0)], 0))
            return Outcome(out, "stop", s, True, "", plan.calls, reasoning)
        cut = max(len(pending) - hold, 0)
        out.append(("c", pending[:cut], 0))
        pending = pending[cut:]
    truncated = len(steps) > max_tokens
    if truncated and pending and out and out[-1][0] == "c":
        out[-1] = ("c", out[-1][1] + pending, 0)
        pending = ""
    return _finish(plan, out, truncated, reasoning, pending)


def _finish(plan: ChoicePlan, kept: list[Step], truncated: bool, reasoning: int,
            final_text: str) -> Outcome:
    if truncated:
        return Outcome(kept, "length", None, True, final_text, plan.calls, reasoning)
    reason = "tool_calls" if plan.calls and not plan.named else "stop"
    return Outcome(kept, reason, EOS_TOKEN_ID, False, final_text, plan.calls, reasoning)
