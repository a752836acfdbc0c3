"""Reading OpenAI chat-format messages, tools and parameters into the conversation model.

Everything here raises ``ValueError`` naming the offending place ("messages[3].content");
the import turns that into an ``ImportFormatError`` for the user.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from desktop_app.api import NamedToolChoice, SamplingParams, ToolCall, ToolChoice, ToolDefinition
from desktop_app.core.chat.conversation import Attachment, ChatMessage
from desktop_app.core.history.serialize import sampling_from_dict

ROLES = ("system", "user", "assistant", "tool")
# OpenAI's newer name for the system role.
ROLE_ALIASES = {"developer": "system"}
TOOL_CHOICE_MODES = ("auto", "none", "required")
SAMPLING_FIELDS = tuple(f.name for f in fields(SamplingParams))


def _want(value: object, kind: type | tuple[type, ...], where: str, what: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _tuple(kind)):
        raise ValueError(f"{where} should be {what}, not {_name(value)}")
    return value


def _tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"text ({value[:30]!r})"
    return {int: "a number", float: "a number", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )


def _opt_str(d: dict[str, Any], key: str, where: str) -> str | None:
    value = d.get(key)
    return None if value is None else _want(value, str, f"{where}.{key}", "text")


def parse_message(wire: object, where: str) -> ChatMessage:
    """One chat message: role, text or parts, reasoning, tool calls, tool result fields."""
    d = _want(wire, dict, where, "a chat message object")
    role = _want(d.get("role"), str, f"{where}.role", "text")
    role = ROLE_ALIASES.get(role, role)
    if role not in ROLES:
        raise ValueError(f"{where}.role should be one of {', '.join(ROLES)}, not {role!r}")
    text, images = _parse_content(d.get("content"), f"{where}.content")
    reasoning = _opt_str(d, "reasoning", where)
    if reasoning is None:
        reasoning = _opt_str(d, "reasoning_content", where)  # older vLLM name
    calls = _want(d.get("tool_calls") or [], list, f"{where}.tool_calls", "a list")
    return ChatMessage(
        role=role,
        content=text,
        reasoning=reasoning or "",
        images=images,
        tool_calls=[_parse_call(c, f"{where}.tool_calls[{i}]") for i, c in enumerate(calls)],
        tool_call_id=_opt_str(d, "tool_call_id", where),
        name=_opt_str(d, "name", where),
    )


def _parse_content(content: object, where: str) -> tuple[str, list[Attachment]]:
    if content is None:
        return "", []
    if isinstance(content, str):
        return content, []
    parts = _want(content, list, where, "text, a list of parts or null")
    texts: list[str] = []
    images: list[Attachment] = []
    for i, part in enumerate(parts):
        here = f"{where}[{i}]"
        p = _want(part, dict, here, "a content part object")
        kind = p.get("type")
        if kind == "text":
            texts.append(_want(p.get("text"), str, f"{here}.text", "text"))
        elif kind == "image_url":
            image = p.get("image_url")
            url = image.get("url") if isinstance(image, dict) else image
            images.append(Attachment(url=_want(url, str, f"{here}.image_url.url", "a URL")))
        else:
            raise ValueError(f"{here} is a {kind!r} part; only text and image_url are supported")
    # Joined as the API's Message.text joins text parts.
    return "\n".join(texts), images


def _parse_call(wire: object, where: str) -> ToolCall:
    d = _want(wire, dict, where, "a tool call object")
    function = _want(d.get("function"), dict, f"{where}.function", "an object")
    arguments = function.get("arguments", "")
    if isinstance(arguments, dict | list):  # some tools write the parsed arguments
        arguments = json.dumps(arguments, ensure_ascii=False)
    return ToolCall(
        id=_want(d.get("id", ""), str, f"{where}.id", "text"),
        name=_want(function.get("name"), str, f"{where}.function.name", "text"),
        arguments=_want(arguments, str, f"{where}.function.arguments", "text"),
    )


def tool_choice_to_wire(choice: ToolChoice | None) -> Any:
    return choice.to_wire() if isinstance(choice, NamedToolChoice) else choice


def parse_tool_choice(value: object, where: str) -> ToolChoice | None:
    if value is None or value in TOOL_CHOICE_MODES:
        return value  # type: ignore[return-value]
    if isinstance(value, dict) and value.get("type") == "function":
        function = _want(value.get("function"), dict, f"{where}.function", "an object")
        return NamedToolChoice(_want(function.get("name"), str, f"{where}.function.name", "text"))
    modes = ", ".join(repr(m) for m in TOOL_CHOICE_MODES)
    raise ValueError(f"{where} should be {modes}, a named function or null, not {_name(value)}")


def parse_tools(value: object, where: str) -> list[ToolDefinition]:
    tools = _want(value if value is not None else [], list, where, "a list of tools")
    out = []
    for i, tool in enumerate(tools):
        try:
            out.append(ToolDefinition.from_wire(tool))
        except ValueError as exc:
            raise ValueError(f"{where}[{i}]: {exc}") from None
    return out


def parse_sampling(params: dict[str, Any], where: str) -> SamplingParams:
    """The sampling fields present in ``params`` (others are not looked at)."""
    return sampling_from_dict({k: params[k] for k in SAMPLING_FIELDS if k in params}, where)


def opt_bool(d: dict[str, Any], key: str, where: str) -> bool | None:
    value = d.get(key)
    return None if value is None else _want(value, bool, f"{where}.{key}", "true or false")


def want_dict(value: object, where: str) -> dict[str, Any]:
    return dict(_want(value if value is not None else {}, dict, where, "an object"))


def want_list(value: object, where: str) -> list[Any]:
    return list(_want(value, list, where, "a list"))


def want_str(value: object, where: str) -> str:
    return _want(value, str, where, "text")
