"""One ``data:`` payload of a chat stream turned into a typed delta (PROTOCOL.md 3)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .error_bodies import excerpt
from .errors import ProtocolError, stream_error_from_payload
from .results import Usage


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A fragment of one tool call; the first for an index usually has id and name."""

    index: int
    id: str | None
    name: str | None
    arguments: str | None


@dataclass(frozen=True, slots=True)
class ChunkDelta:
    """What one chunk adds to choice 0 of the reply, plus the envelope fields."""

    id: str | None = None
    model: str | None = None
    created: int | None = None
    role: str | None = None
    content: str | None = None
    reasoning: str | None = None
    tool_calls: tuple[ToolCallDelta, ...] = ()
    finish_reason: str | None = None
    stop_reason: str | int | None = None
    usage: Usage | None = None
    system_fingerprint: str | None = None
    #: 0 for the folded choice; another index when the chunk only concerned another
    #: choice (n > 1, whose deltas are left out); None for a chunk without choices.
    choice_index: int | None = 0


def _malformed(what: str, data: str) -> ProtocolError:
    return ProtocolError(
        f"The server sent a malformed stream chunk ({what}). Try again; if it keeps "
        "happening, the server or a proxy in between is not speaking the Chat "
        "Completions protocol.",
        excerpt=excerpt(data),
    )


def _opt_str(d: dict[str, Any], key: str, data: str) -> str | None:
    value = d.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _malformed(f"{key!r} is not a string", data)


def parse_chunk(data: str) -> ChunkDelta:
    """Parse one chunk. Raises ``StreamError`` for an in-stream error payload and
    ``ProtocolError`` for anything that is not a chunk. ``[DONE]`` is the caller's job."""
    try:
        payload = json.loads(data)
    except ValueError:
        raise _malformed("not JSON", data) from None
    if not isinstance(payload, dict):
        raise _malformed("not a JSON object", data)
    if "error" in payload:
        raise stream_error_from_payload(payload)

    usage_raw = payload.get("usage")
    created = payload.get("created")
    fields: dict[str, Any] = {
        "id": _opt_str(payload, "id", data),
        "model": _opt_str(payload, "model", data),
        "created": created if isinstance(created, int) else None,
        "usage": Usage.from_wire(usage_raw) if isinstance(usage_raw, dict) else None,
        "system_fingerprint": _opt_str(payload, "system_fingerprint", data),
    }
    choices = payload.get("choices", [])
    if not isinstance(choices, list):
        raise _malformed("'choices' is not a list", data)
    choice = _pick_choice(choices, data)
    if choice is None:
        return ChunkDelta(**fields, choice_index=None)
    index = choice.get("index", 0)
    if index != 0:
        return ChunkDelta(**fields, choice_index=index if isinstance(index, int) else None)
    delta = choice.get("delta") or {}
    if not isinstance(delta, dict):
        raise _malformed("'delta' is not an object", data)
    reasoning = _opt_str(delta, "reasoning", data)
    if reasoning is None:
        # Servers before 0.16 name it reasoning_content (PROTOCOL.md 0).
        reasoning = _opt_str(delta, "reasoning_content", data)
    stop_reason = choice.get("stop_reason")
    return ChunkDelta(
        **fields,
        role=_opt_str(delta, "role", data),
        content=_opt_str(delta, "content", data),
        reasoning=reasoning,
        tool_calls=_tool_call_deltas(delta.get("tool_calls"), data),
        finish_reason=_opt_str(choice, "finish_reason", data),
        stop_reason=stop_reason if isinstance(stop_reason, str | int) else None,
        choice_index=0,
    )


def _pick_choice(choices: list[Any], data: str) -> dict[str, Any] | None:
    """Choice 0 when present, else the first choice (reported but not folded)."""
    if not choices:
        return None
    for choice in choices:
        if not isinstance(choice, dict):
            raise _malformed("a choice is not an object", data)
    for choice in choices:
        if choice.get("index", 0) == 0:
            return choice
    return choices[0]


def _tool_call_deltas(raw: object, data: str) -> tuple[ToolCallDelta, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _malformed("'tool_calls' is not a list", data)
    result: list[ToolCallDelta] = []
    for position, item in enumerate(raw):
        if not isinstance(item, dict):
            raise _malformed("a tool call is not an object", data)
        index = item.get("index", position)
        if not isinstance(index, int) or isinstance(index, bool):
            raise _malformed("a tool call index is not a number", data)
        function = item.get("function") or {}
        if not isinstance(function, dict):
            raise _malformed("a tool call's 'function' is not an object", data)
        result.append(
            ToolCallDelta(
                index=index,
                id=_opt_str(item, "id", data),
                name=_opt_str(function, "name", data),
                arguments=_opt_str(function, "arguments", data),
            )
        )
    return tuple(result)
