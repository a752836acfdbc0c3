"""Reading the JSON replies of non-streamed calls: chat completion, models, version."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .errors import ProtocolError
from .messages import ToolCall
from .results import Completion, ModelInfo, Usage

if TYPE_CHECKING:
    from .logprobs import TokenLog


def _protocol_error(what: str, raw: bytes | str) -> ProtocolError:
    from .error_bodies import excerpt  # only when a reply is bad

    return ProtocolError(
        f"The server's reply was not what the protocol says ({what}). Check that the base "
        "URL points at a vLLM server and not at another service or a proxy's error page.",
        excerpt=excerpt(raw),
    )


def decode_json_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or a ``ProtocolError`` that quotes its start."""
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _protocol_error("not JSON", raw) from None
    if not isinstance(value, dict):
        raise _protocol_error("not a JSON object", raw)
    return value


def _opt_str(d: Mapping[str, Any], key: str) -> str | None:
    value = d.get(key)
    return value if isinstance(value, str) else None


def parse_completion(payload: Mapping[str, Any]) -> Completion:
    """A non-streamed ``chat.completion`` (docs/protocol.md §4) as a ``Completion``."""
    choices = payload.get("choices")
    if not isinstance(choices, list) or not choices:
        raise _protocol_error("no choices", json.dumps(payload, ensure_ascii=False))
    choice = next(
        (c for c in choices if isinstance(c, Mapping) and c.get("index", 0) == 0), choices[0]
    )
    message = choice.get("message") if isinstance(choice, Mapping) else None
    if not isinstance(message, Mapping):
        raise _protocol_error("a choice without a message", json.dumps(payload))
    reasoning = _opt_str(message, "reasoning")
    if reasoning is None:
        reasoning = _opt_str(message, "reasoning_content")
    usage = payload.get("usage")
    stop_reason = choice.get("stop_reason")
    return Completion(
        id=_opt_str(payload, "id"),
        model=_opt_str(payload, "model"),
        content=_opt_str(message, "content") or "",
        reasoning=reasoning or "",
        tool_calls=_tool_calls(message.get("tool_calls"), payload),
        finish_reason=_opt_str(choice, "finish_reason"),
        stop_reason=stop_reason if isinstance(stop_reason, str | int) else None,
        usage=Usage.from_wire(usage) if isinstance(usage, Mapping) else None,
        system_fingerprint=_opt_str(payload, "system_fingerprint"),
        tokens=_tokens(choice.get("logprobs"), _opt_str(message, "content") or "", reasoning),
    )


def _tokens(raw: object, content: str, reasoning: str | None) -> TokenLog | None:
    """The answer's tokens; the whole reply's logprobs also cover its reasoning, if any."""
    if raw is None:
        return None
    from .logprobs import TokenLog, answer_tail, parse_logprobs

    entries = parse_logprobs(raw)
    return TokenLog(answer_tail(entries, content) if reasoning else entries)


def _tool_calls(raw: object, payload: Mapping[str, Any]) -> tuple[ToolCall, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _protocol_error("'tool_calls' is not a list", json.dumps(payload))
    calls: list[ToolCall] = []
    for index, item in enumerate(raw):
        function = item.get("function") if isinstance(item, Mapping) else None
        if not isinstance(function, Mapping):
            raise _protocol_error("a tool call without a function", json.dumps(payload))
        arguments = function.get("arguments")
        if not isinstance(arguments, str):
            # Some servers send an object; keep the JSON text the app expects.
            arguments = json.dumps(arguments if arguments is not None else {})
        calls.append(
            ToolCall(
                id=_opt_str(item, "id") or f"call_{index}",
                name=_opt_str(function, "name") or "",
                arguments=arguments,
            )
        )
    return tuple(calls)


def parse_models(payload: Mapping[str, Any]) -> list[ModelInfo]:
    """``GET /v1/models`` as a list of ``ModelInfo``."""
    data = payload.get("data")
    if not isinstance(data, list):
        raise _protocol_error("no model list", json.dumps(payload))
    models: list[ModelInfo] = []
    for card in data:
        if isinstance(card, Mapping) and isinstance(card.get("id"), str):
            models.append(ModelInfo.from_wire(card))
    return models


def parse_version(payload: Mapping[str, Any]) -> str:
    version = payload.get("version")
    if not isinstance(version, str):
        raise _protocol_error("no version", json.dumps(payload))
    return version


def parse_token_count(payload: Mapping[str, Any]) -> int:
    count = payload.get("count")
    if isinstance(count, int) and not isinstance(count, bool):
        return count
    tokens = payload.get("tokens")
    if isinstance(tokens, list):
        return len(tokens)
    raise _protocol_error("no token count", json.dumps(payload))
