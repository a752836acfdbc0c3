"""Conversations as plain JSON-safe dicts and back, losing nothing.

The dict form is what the history database keeps and what exports embed, so readers are
lenient about what is missing (a key added by a later version falls back to its default) and
strict about what is wrong: a value of the wrong type raises ``ValueError`` naming the field.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from desktop_app.api import NamedToolChoice, SamplingParams, ToolCall, ToolDefinition, Usage
from desktop_app.core.chat.alternatives import is_valid
from desktop_app.core.chat.conversation import (
    Alternatives,
    Attachment,
    ChatMessage,
    Conversation,
    ErrorInfo,
    GenerationSettings,
    MessageStatus,
    ReplyInfo,
)
from desktop_app.core.history.reader import Reader, kind
from desktop_app.core.tokens.record import asking_from, tokens_from_record, tokens_to_record
from desktop_app.core.tools.exchange import bench_from_dict, bench_to_dict

_SAMPLING_INTS = ("top_k", "max_tokens", "seed")
_SAMPLING_FLOATS = tuple(
    f.name for f in fields(SamplingParams) if f.name not in (*_SAMPLING_INTS, "stop")
)


# ---- small parts -------------------------------------------------------------------------


def flat_dict(obj: Any) -> dict[str, Any]:
    """A dataclass's fields by name, not recursing: the caller converts nested values."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def tool_call_to_dict(call: ToolCall) -> dict[str, Any]:
    return flat_dict(call)


def tool_call_from_dict(data: object, path: str = "tool_call") -> ToolCall:
    r = Reader(data, path)
    return ToolCall(id=r.text("id"), name=r.text("name"), arguments=r.text("arguments"))


def tool_definition_from_dict(data: object, path: str = "tool") -> ToolDefinition:
    r = Reader(data, path)
    return ToolDefinition(
        name=r.text("name"),
        description=r.text("description"),
        parameters=r.opt_obj("parameters"),
        strict=r.opt_flag("strict"),
    )


def tool_choice_to_json(choice: Any) -> Any:
    """A named tool becomes ``{"named_tool": name}``; any other value is kept verbatim,
    wrapped in ``{"json": ...}`` when it is itself an object or a list, so that nothing
    the app stores can be mistaken for a named tool on the way back."""
    if isinstance(choice, NamedToolChoice):
        return {"named_tool": choice.name}
    if isinstance(choice, dict | list):
        return {"json": choice}
    return choice


def tool_choice_from_json(value: Any, path: str = "tool_choice") -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"named_tool"}:
        return NamedToolChoice(name=Reader(value, path).text("named_tool"))
    if isinstance(value, dict) and set(value) == {"json"}:
        return value["json"]
    raise ValueError(f"{path}: expected text, a named tool or null, got {kind(value)}")


def sampling_to_dict(params: SamplingParams) -> dict[str, Any]:
    return {**flat_dict(params), "stop": None if params.stop is None else list(params.stop)}


def sampling_from_dict(data: object, path: str = "sampling") -> SamplingParams:
    r = Reader(data, path)
    values: dict[str, Any] = {name: r.opt_number(name) for name in _SAMPLING_FLOATS}
    values.update({name: r.opt_int(name) for name in _SAMPLING_INTS})
    stop = r.opt_items("stop")
    if stop is not None:
        if not all(isinstance(s, str) for s in stop):
            raise ValueError(f"{path}.stop: expected a list of text")
        values["stop"] = tuple(stop)
    return SamplingParams(**values)


def usage_from_dict(data: object, path: str = "usage") -> Usage:
    r = Reader(data, path)
    return Usage(
        prompt_tokens=r.opt_int("prompt_tokens") or 0,
        completion_tokens=r.opt_int("completion_tokens") or 0,
        total_tokens=r.opt_int("total_tokens") or 0,
        reasoning_tokens=r.opt_int("reasoning_tokens"),
    )


def attachment_from_dict(data: object, path: str = "image") -> Attachment:
    r = Reader(data, path)
    return Attachment(
        url=r.text("url"),
        mime=r.text("mime"),
        width=r.opt_int("width"),
        height=r.opt_int("height"),
        name=r.text("name"),
        byte_size=r.opt_int("byte_size"),
    )


def error_from_dict(data: object, path: str = "error") -> ErrorInfo:
    r = Reader(data, path)
    return ErrorInfo(
        title=r.text("title"),
        message=r.text("message"),
        hint=r.text("hint"),
        server_message=r.opt_text("server_message"),
        kind=r.text("kind"),
    )


def reply_to_dict(reply: ReplyInfo) -> dict[str, Any]:
    return {
        **flat_dict(reply),
        "tool_choice": tool_choice_to_json(reply.tool_choice),
        "usage": None if reply.usage is None else flat_dict(reply.usage),
    }


def reply_from_dict(data: object, path: str = "reply", *, owned: bool = False) -> ReplyInfo:
    r = Reader(data, path, owned)
    usage = r.opt_obj("usage")
    return ReplyInfo(
        model=r.opt_text("model"),
        server_version=r.opt_text("server_version"),
        params=r.obj("params"),
        enable_thinking=r.opt_flag("enable_thinking"),
        tool_choice=tool_choice_from_json(r.data.get("tool_choice"), f"{path}.tool_choice"),
        extra_body=r.obj("extra_body"),
        finish_reason=r.opt_text("finish_reason"),
        usage=None if usage is None else usage_from_dict(usage, f"{path}.usage"),
        started_at=r.opt_number("started_at"),
        time_to_first_token=r.opt_number("time_to_first_token"),
        duration=r.opt_number("duration"),
        thinking_seconds=r.opt_number("thinking_seconds"),
        request_id=r.opt_text("request_id"),
        branched_from=r.opt_text("branched_from"),
    )


_STATUSES = {s.value: s for s in MessageStatus}


def status_from_json(value: object, path: str = "status") -> MessageStatus:
    status = _STATUSES.get(value) if isinstance(value, str) else None
    if status is not None:
        return status
    known = ", ".join(s.value for s in MessageStatus)
    raise ValueError(f"{path}: expected one of {known}, got {value!r}")


# ---- messages and conversations -------------------------------------------------------------


def message_to_dict(m: ChatMessage) -> dict[str, Any]:
    d = {
        "id": m.id,
        "role": m.role,
        "content": m.content,
        "reasoning": m.reasoning,
        "created_at": m.created_at,
        "status": m.status.value,
        "images": [flat_dict(a) for a in m.images],
        "tool_calls": [tool_call_to_dict(c) for c in m.tool_calls],
        "tool_call_id": m.tool_call_id,
        "name": m.name,
        "error": None if m.error is None else flat_dict(m.error),
        "reply": None if m.reply is None else reply_to_dict(m.reply),
        "tokens": tokens_to_record(m.tokens),
    }
    if m.alternatives is not None:  # absent, not null, when there are none: rows stay small
        d["alternatives"] = alternatives_to_dict(m.alternatives)
    return d


def alternatives_to_dict(alts: Alternatives) -> dict[str, Any]:
    return {
        "shown": alts.shown,
        "branches": [[message_to_dict(m) for m in branch] for branch in alts.branches],
    }


def alternatives_from_dict(data: object, path: str, owned: bool) -> Alternatives:
    r = Reader(data, path, owned)
    shown = r.opt_int("shown")
    branches: list[list[ChatMessage]] = []
    for i, branch in enumerate(r.items("branches")):
        where = f"{path}.branches[{i}]"
        if not isinstance(branch, list):
            raise ValueError(f"{where}: expected a list, got {kind(branch)}")
        branches.append(
            [message_from_dict(m, f"{where}[{j}]", owned=owned) for j, m in enumerate(branch)]
        )
    alts = Alternatives(branches=branches, shown=shown if shown is not None else -1)
    if not is_valid(alts):
        raise ValueError(f"{path}: the shown version must be the one empty branch")
    return alts


def message_from_dict(data: object, path: str = "message", *, owned: bool = False) -> ChatMessage:
    """``owned``: ``data`` was made for this call alone, so its objects need no copy."""
    r = Reader(data, path, owned)
    role = r.text("role")
    if not role:
        raise ValueError(f"{path}.role: missing")
    error = r.opt_obj("error")
    reply = r.opt_obj("reply")
    kwargs: dict[str, Any] = {}
    if "id" in r.data:
        kwargs["id"] = r.text("id")
    if "created_at" in r.data:
        kwargs["created_at"] = r.number("created_at", 0.0)
    if r.data.get("alternatives") is not None:
        kwargs["alternatives"] = alternatives_from_dict(
            r.data["alternatives"], f"{path}.alternatives", owned
        )
    return ChatMessage(
        role=role,
        content=r.text("content"),
        reasoning=r.text("reasoning"),
        images=[
            attachment_from_dict(a, f"{path}.images[{i}]") for i, a in enumerate(r.items("images"))
        ],
        tool_calls=[
            tool_call_from_dict(c, f"{path}.tool_calls[{i}]")
            for i, c in enumerate(r.items("tool_calls"))
        ],
        tool_call_id=r.opt_text("tool_call_id"),
        name=r.opt_text("name"),
        status=status_from_json(r.data.get("status", "complete"), f"{path}.status"),
        error=None if error is None else error_from_dict(error, f"{path}.error"),
        reply=None if reply is None else reply_from_dict(reply, f"{path}.reply", owned=True),
        tokens=tokens_from_record(r.data.get("tokens"), r.text("content")),
        **kwargs,
    )


def settings_to_dict(s: GenerationSettings) -> dict[str, Any]:
    return {
        "sampling": sampling_to_dict(s.sampling),
        "enable_thinking": s.enable_thinking,
        "stream": s.stream,
        "include_usage": s.include_usage,
        "extra_body": s.extra_body,
        "tools": [flat_dict(t) for t in s.tools],
        "tool_choice": tool_choice_to_json(s.tool_choice),
        "parallel_tool_calls": s.parallel_tool_calls,
        "tool_bench": bench_to_dict(s.tool_bench),
        "top_logprobs": s.top_logprobs,
    }


def settings_from_dict(data: object, path: str = "settings") -> GenerationSettings:
    r = Reader(data, path)
    return GenerationSettings(
        sampling=sampling_from_dict(r.data.get("sampling", {}), f"{path}.sampling"),
        enable_thinking=r.opt_flag("enable_thinking"),
        stream=r.flag("stream", True),
        include_usage=r.flag("include_usage", True),
        extra_body=r.obj("extra_body"),
        tools=[
            tool_definition_from_dict(t, f"{path}.tools[{i}]")
            for i, t in enumerate(r.items("tools"))
        ],
        tool_choice=tool_choice_from_json(r.data.get("tool_choice"), f"{path}.tool_choice"),
        parallel_tool_calls=r.opt_flag("parallel_tool_calls"),
        tool_bench=bench_from_dict(r.data.get("tool_bench"), f"{path}.tool_bench"),
        top_logprobs=asking_from(r.data.get("top_logprobs")),
    )


def conversation_to_dict(c: Conversation) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "title_edited": c.title_edited,
        "system_prompt": c.system_prompt,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "settings": settings_to_dict(c.settings),
        "messages": [message_to_dict(m) for m in c.messages],
    }


def conversation_from_dict(data: object, path: str = "conversation") -> Conversation:
    r = Reader(data, path)
    kwargs: dict[str, Any] = {}
    if "id" in r.data:
        kwargs["id"] = r.text("id")
    for key in ("created_at", "updated_at"):
        if key in r.data:
            kwargs[key] = r.number(key, 0.0)
    return Conversation(
        title=r.text("title", "New chat"),
        title_edited=r.flag("title_edited", False),
        system_prompt=r.text("system_prompt"),
        settings=settings_from_dict(r.data.get("settings", {}), f"{path}.settings"),
        messages=[
            message_from_dict(m, f"{path}.messages[{i}]") for i, m in enumerate(r.items("messages"))
        ],
        **kwargs,
    )
