"""What the scripted model says: tool calls, tool-result prose, image notes, text, thinking."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from .answers import markdown_answer, reasoning_for, topic_of
from .config import SimulatorConfig
from .images import describe_images
from .longform import long_reply_tokens, requested_tokens
from .messages import content_text, last_user_message
from .prompt_facts import extract_facts
from .tokens import tokenize
from .toolcalls import PlannedCall, build_object, gemma_call_text, plan_calls, wants_tools
from .validation import ChatRequest


@dataclass
class Reply:
    """One choice's output before limits: thinking text, content pieces and tool calls."""

    reasoning: str | None = None
    content: list[str] = field(default_factory=list)
    calls: list[PlannedCall] = field(default_factory=list)


def _trailing_tool_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    tail: list[dict[str, Any]] = []
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        tail.append(message)
    return tail[::-1]


def _call_index(messages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    calls: dict[str, dict[str, Any]] = {}
    for message in messages:
        for call in message.get("tool_calls") or []:
            if isinstance(call, dict) and isinstance(call.get("function"), dict):
                calls[str(call.get("id"))] = call["function"]
    return calls


def _argument_summary(arguments: object) -> str:
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except ValueError:
            return ""
    if not isinstance(arguments, dict) or not arguments:
        return ""
    return " (" + ", ".join(f"{k}: {v}" for k, v in list(arguments.items())[:4]) + ")"


def _tool_result_answer(messages: list[dict[str, Any]], results: list[dict[str, Any]],
                        rng: random.Random) -> str:
    calls = _call_index(messages)
    parts = [rng.choice(["Here is what the tool returned.", "I got the results back.",
                         "Thanks, the tool call finished."])]
    for result in results:
        fn = calls.get(str(result.get("tool_call_id")), {})
        name = fn.get("name") or result.get("name") or "tool"
        text = content_text(result.get("content")).strip() or "(empty result)"
        if len(text) > 600:
            text = text[:600] + "…"
        quoted = "\n".join(f"> {line}" for line in text.splitlines())
        parts.append(f"**{name}**{_argument_summary(fn.get('arguments'))} returned:\n\n{quoted}")
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict) and data:
            parts.append("\n".join(f"- **{k}**: {v}" for k, v in list(data.items())[:6]))
    parts.append(rng.choice(["Let me know if you need anything else.",
                             "Would you like me to check anything else?"]))
    return "\n\n".join(parts)


def _call_reasoning(prompt: str, calls: list[PlannedCall]) -> str:
    first = calls[0]
    args = ", ".join(f"{k} set to {v}" for k, v in first.arguments.items()) or "no arguments"
    text = (f"The user asks: {topic_of(prompt)}. I have a `{first.name}` tool for this, "
            f"so I should call it with {args}.")
    if len(calls) > 1:
        text += f" There are {len(calls)} things to look up, so I will make {len(calls)} calls."
    return text


def _structured(req: ChatRequest, prompt: str) -> str | None:
    fmt = req.response_format or {}
    if fmt.get("type") == "json_object":
        return json.dumps({"answer": f"A short answer about {topic_of(prompt)}.",
                           "topic": topic_of(prompt)}, ensure_ascii=False)
    spec = fmt.get("json_schema")
    if fmt.get("type") == "json_schema" and isinstance(spec, dict):
        schema = spec.get("schema") or spec.get("schema_") or {}
        return json.dumps(build_object(schema, extract_facts(prompt), 0), ensure_ascii=False)
    return None


def compose_reply(req: ChatRequest, config: SimulatorConfig, rng: random.Random) -> Reply:
    """Decide the whole output of one choice, as the server's parsers split it."""
    reply = _compose(req, config, rng)
    if reply.reasoning is not None and not config.reasoning_parser:
        # No reasoning parser: the thought channel's markers are special tokens (skipped), so
        # its text reaches content as "thought\n..." ahead of the answer (docs/protocol.md §7.2).
        reply.content = [*tokenize(f"thought\n{reply.reasoning}\n"), *reply.content]
        reply.reasoning = None
    return reply


def _compose(req: ChatRequest, config: SimulatorConfig, rng: random.Random) -> Reply:
    last_user = last_user_message(req.messages)
    prompt = content_text(last_user.get("content")) if last_user else ""
    results = _trailing_tool_messages(req.messages)
    calls: list[PlannedCall] = []
    if req.tools and req.tool_choice != "none":
        named = req.named_tool if req.tool_choice == "named" else None
        forced = req.tool_choice in ("named", "required")
        if forced or (not results and wants_tools(prompt, req.tools)):
            calls = plan_calls(prompt, req.tools, named, req.parallel_tool_calls)

    reply = Reply()
    count = requested_tokens(prompt) if not (calls or results) else None
    if req.continue_prefix is not None:
        # Continuing the final assistant message: no thinking and no tool call, only more of
        # the answer after the given prefix.
        answer = markdown_answer(prompt, rng) if count is None else ""
        if count is not None:
            answer = "".join(long_reply_tokens(count, rng))
        reply.content = tokenize(continuation(answer, req.continue_prefix))
        return reply
    if req.thinking:
        if calls:
            reply.reasoning = _call_reasoning(prompt, calls)
        elif results:
            reply.reasoning = ("The tool results are back. I should quote them and answer "
                               "the user's question in plain words.")
        elif count is not None:
            reply.reasoning = (f"The user wants a long reply of about {count} tokens. I will "
                               "write several sections with prose, lists, code and tables.")
        else:
            reply.reasoning = reasoning_for(prompt, rng)
        if req.images:
            reply.reasoning += (f" They attached {len(req.images)} image(s), so I will say "
                                "what I see.")

    if calls:
        if config.degraded_tools:
            reply.content = tokenize("".join(gemma_call_text(c) for c in calls))
        else:
            reply.calls = calls
        return reply
    prefix = describe_images(req.images) + "\n\n" if req.images else ""
    if results:
        text = _tool_result_answer(req.messages, results, rng)
    elif (structured := _structured(req, prompt)) is not None:
        text = structured
    elif count is not None:
        # Exactly `count` content tokens, so benchmarks can rely on the number.
        reply.content = long_reply_tokens(count, rng)
        return reply
    elif req.images:
        text = rng.choice([
            "I can only tell the format and the size of each image here. What would you "
            "like to know about them?",
            "Tell me what you would like me to do with these images.",
        ])
    else:
        text = markdown_answer(prompt, rng)
    reply.content = tokenize(prefix + text)
    return reply


def continuation(answer: str, prefix: str) -> str:
    """What follows ``prefix`` when the model would have said ``answer``: the rest of the answer
    after the prefix's length, from its next word on when the prefix took another turn."""
    if answer.startswith(prefix):
        return answer[len(prefix):]
    rest = answer[len(prefix):]
    space = rest.find(" ")
    return rest[space:] if space >= 0 else " and that is all."
