"""Reading one ``data:`` payload of a chat stream (docs/protocol.md §3): ``parse_chunk``.

The stream's per-token step: the payload becomes a ``ChunkDelta`` (``deltas``), the one
record of a chunk that the stream, the tests and the benchmarks all use.

JSON is read by orjson when it is installed (several times faster than ``json``), with
``json`` deciding every case where the two could differ: text orjson refuses (NaN, numbers
out of float range, escaped lone surrogates, very deep nesting) and integers beyond 64 bits,
which orjson reads as floats; a float where an integer field is read sends the chunk to
``json`` again, so the result is always what ``json.loads`` gives.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .deltas import ChunkDelta
from .errors import ProtocolError, stream_error_from_payload
from .results import Usage

if TYPE_CHECKING:
    from .tool_deltas import ToolCallDelta

_orjson_loads: Callable[[str | bytes], Any] | None
try:
    from orjson import loads as _orjson_loads
except ImportError:  # optional: json alone gives the same results, more slowly
    _orjson_loads = None


# ChunkDelta(...) runs a Python-level __new__ that only packs its arguments into a tuple;
# calling tuple.__new__ with the packed fields builds the same record at about half the cost,
# which counts once per token.
_record = tuple.__new__


_NO_CHOICES: list[Any] = []  # shared, never changed: no new list per chunk without "choices"


class _Inexact(Exception):
    """orjson's reading may differ from json's here (a float where an int is read)."""


def _malformed(what: str, data: str) -> ProtocolError:
    from .error_bodies import excerpt  # only when a chunk is bad

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


def _json_loads(data: str) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        raise _malformed("not JSON", data) from None


def parse_chunk(data: str) -> ChunkDelta:
    """Parse one chunk. Raises ``StreamError`` for an in-stream error payload and
    ``ProtocolError`` for anything that is not a chunk. ``[DONE]`` is the caller's job."""
    if _orjson_loads is not None:
        try:
            payload = _orjson_loads(data)
        except ValueError:  # orjson.JSONDecodeError; json may still accept it
            pass
        else:
            try:
                return _fields(payload, data, True)
            except _Inexact:
                pass
    return _fields(_json_loads(data), data, False)


def _fields(payload: Any, data: str, inexact: bool) -> ChunkDelta:
    """The chunk's delta, its fields checked in a fixed order; ``inexact``: read by orjson."""
    if not isinstance(payload, dict):
        raise _malformed("not a JSON object", data)
    if "error" in payload:
        if inexact:
            raise _Inexact  # the error's fields exactly as json reads them
        raise stream_error_from_payload(payload)

    get = payload.get
    id_ = get("id")
    model = get("model")
    created = get("created")
    usage_raw = get("usage")
    fingerprint = get("system_fingerprint")
    if not (
        (id_ is None or type(id_) is str)
        and (model is None or type(model) is str)
        and (fingerprint is None or type(fingerprint) is str)
    ):
        _opt_str(payload, "id", data)
        _opt_str(payload, "model", data)
        _opt_str(payload, "system_fingerprint", data)
    if not isinstance(created, int):
        if inexact and type(created) is float:
            raise _Inexact
        created = None
    if usage_raw is None:
        usage = None
    elif isinstance(usage_raw, dict):
        if inexact and _has_float(usage_raw):
            raise _Inexact
        usage = Usage.from_wire(usage_raw)
    else:
        usage = None

    choices = get("choices", _NO_CHOICES)
    if type(choices) is not list:
        raise _malformed("'choices' is not a list", data)
    choice: dict[str, Any] | None
    if len(choices) == 1 and type(choices[0]) is dict:
        choice = choices[0]  # the usual chunk: one choice, picked whatever its index
    else:
        choice = _pick_choice(choices, data)
        if choice is None:
            return ChunkDelta(
                id_, model, created, usage=usage, system_fingerprint=fingerprint, choice_index=None
            )
    index = choice.get("index", 0)
    if index != 0:
        if inexact and type(index) is float:
            raise _Inexact
        other = index if isinstance(index, int) else None
        return ChunkDelta(
            id_, model, created, usage=usage, system_fingerprint=fingerprint, choice_index=other
        )

    delta = choice.get("delta") or {}
    if type(delta) is not dict:
        raise _malformed("'delta' is not an object", data)
    if len(delta) == 1 and "content" in delta:
        # The usual token: {"content": "..."} alone, so the other keys are absent.
        content = delta["content"]
        role = reasoning = raw_calls = None
    else:
        dget = delta.get
        role = dget("role")
        content = dget("content")
        reasoning = dget("reasoning")
        if reasoning is None:
            # Servers before 0.16 name it reasoning_content (docs/protocol.md §3.4).
            reasoning = dget("reasoning_content")
        raw_calls = dget("tool_calls")
    finish_reason = choice.get("finish_reason")
    if not (
        (role is None or type(role) is str)
        and (content is None or type(content) is str)
        and (reasoning is None or type(reasoning) is str)
        and (finish_reason is None or type(finish_reason) is str)
    ):
        # Raise for the first bad field, in a fixed order.
        if _opt_str(delta, "reasoning", data) is None:
            _opt_str(delta, "reasoning_content", data)
        _opt_str(delta, "role", data)
        _opt_str(delta, "content", data)
        _tool_call_deltas(raw_calls, data, inexact)
        _opt_str(choice, "finish_reason", data)
    stop_reason = choice.get("stop_reason")
    if stop_reason is not None and not isinstance(stop_reason, str | int):
        if inexact and type(stop_reason) is float:
            raise _Inexact
        stop_reason = None
    tool_calls = () if raw_calls is None else _tool_call_deltas(raw_calls, data, inexact)
    raw_logprobs = choice.get("logprobs")
    if raw_logprobs is None:
        logprobs = None
    else:
        from .logprobs import parse_logprobs  # only when logprobs were asked for

        logprobs = parse_logprobs(raw_logprobs)
    return _record(
        ChunkDelta,
        (
            id_,
            model,
            created,
            role,
            content,
            reasoning,
            tool_calls,
            finish_reason,
            stop_reason,
            usage,
            fingerprint,
            0,
            logprobs,
        ),
    )


def _has_float(value: dict[str, Any]) -> bool:
    return any(type(v) is float or (type(v) is dict and _has_float(v)) for v in value.values())


def _pick_choice(choices: list[Any], data: str) -> dict[str, Any] | None:
    """Choice 0 when present, else the first choice (reported but not folded)."""
    checked: list[dict[str, Any]] = []
    for choice in choices:
        if not isinstance(choice, dict):
            raise _malformed("a choice is not an object", data)
        checked.append(choice)
    for choice in checked:
        if choice.get("index", 0) == 0:
            return choice
    return checked[0] if checked else None


def _tool_call_deltas(raw: object, data: str, inexact: bool) -> tuple[ToolCallDelta, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _malformed("'tool_calls' is not a list", data)
    from .tool_deltas import ToolCallDelta  # only for chunks that carry tool calls

    result: list[ToolCallDelta] = []
    for position, item in enumerate(raw):
        if not isinstance(item, dict):
            raise _malformed("a tool call is not an object", data)
        index = item.get("index", position)
        if not isinstance(index, int) or isinstance(index, bool):
            if inexact and type(index) is float:
                raise _Inexact
            raise _malformed("a tool call index is not a number", data)
        function = item.get("function") or {}
        if not isinstance(function, dict):
            raise _malformed("a tool call's 'function' is not an object", data)
        result.append(
            ToolCallDelta(
                index,
                _opt_str(item, "id", data),
                _opt_str(function, "name", data),
                _opt_str(function, "arguments", data),
            )
        )
    return tuple(result)
