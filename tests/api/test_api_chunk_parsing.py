"""parse_chunk's fast paths against a plain reading: same deltas, same errors, any input.

The reference below is the straightforward reading of a chunk (json.loads, then every
field checked in order), as parse_chunk was before its fast paths. parse_chunk must agree
with it on every input, with orjson installed or not.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.api import (
    Accumulator,
    ChunkDelta,
    GemmaAPIError,
    ProtocolError,
    ServerError,
    StreamEvent,
    ToolCallDelta,
    Usage,
    parse_chunk,
)
from desktop_app.api import chunks as chunks_module
from desktop_app.api.chat_stream import ChatStream
from desktop_app.api.error_bodies import excerpt
from desktop_app.api.errors import stream_error_from_payload

# -- the reference reading ------------------------------------------------------------


def _bad(what: str, data: str) -> ProtocolError:
    return ProtocolError(f"malformed ({what})", excerpt=excerpt(data))


def _ref_str(d: dict[str, Any], key: str, data: str) -> str | None:
    value = d.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _bad(f"{key!r} is not a string", data)


def reference_parse_chunk(data: str) -> ChunkDelta:
    try:
        payload = json.loads(data)
    except ValueError:
        raise _bad("not JSON", data) from None
    if not isinstance(payload, dict):
        raise _bad("not a JSON object", data)
    if "error" in payload:
        raise stream_error_from_payload(payload)
    usage_raw = payload.get("usage")
    created = payload.get("created")
    top: dict[str, Any] = {
        "id": _ref_str(payload, "id", data),
        "model": _ref_str(payload, "model", data),
        "created": created if isinstance(created, int) else None,
        "usage": Usage.from_wire(usage_raw) if isinstance(usage_raw, dict) else None,
        "system_fingerprint": _ref_str(payload, "system_fingerprint", data),
    }
    choices = payload.get("choices", [])
    if not isinstance(choices, list):
        raise _bad("'choices' is not a list", data)
    if not choices:
        return ChunkDelta(**top, choice_index=None)
    if not all(isinstance(c, dict) for c in choices):
        raise _bad("a choice is not an object", data)
    choice = next((c for c in choices if c.get("index", 0) == 0), choices[0])
    index = choice.get("index", 0)
    if index != 0:
        return ChunkDelta(**top, choice_index=index if isinstance(index, int) else None)
    delta = choice.get("delta") or {}
    if not isinstance(delta, dict):
        raise _bad("'delta' is not an object", data)
    reasoning = _ref_str(delta, "reasoning", data)
    if reasoning is None:
        reasoning = _ref_str(delta, "reasoning_content", data)
    stop_reason = choice.get("stop_reason")
    return ChunkDelta(
        **top,
        role=_ref_str(delta, "role", data),
        content=_ref_str(delta, "content", data),
        reasoning=reasoning,
        tool_calls=_ref_tool_calls(delta.get("tool_calls"), data),
        finish_reason=_ref_str(choice, "finish_reason", data),
        stop_reason=stop_reason if isinstance(stop_reason, str | int) else None,
        choice_index=0,
    )


def _ref_tool_calls(raw: object, data: str) -> tuple[ToolCallDelta, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _bad("'tool_calls' is not a list", data)
    result = []
    for position, item in enumerate(raw):
        if not isinstance(item, dict):
            raise _bad("a tool call is not an object", data)
        index = item.get("index", position)
        if not isinstance(index, int) or isinstance(index, bool):
            raise _bad("a tool call index is not a number", data)
        function = item.get("function") or {}
        if not isinstance(function, dict):
            raise _bad("a tool call's 'function' is not an object", data)
        result.append(
            ToolCallDelta(
                index,
                _ref_str(item, "id", data),
                _ref_str(function, "name", data),
                _ref_str(function, "arguments", data),
            )
        )
    return tuple(result)


def outcome(parse: Any, data: str) -> tuple[Any, ...]:
    """What parsing gives: the delta, or the kind of error and what it says."""
    try:
        return ("delta", parse(data))
    except ProtocolError as exc:
        # The reference words its message differently; the reason in brackets must agree.
        reason = exc.user_message[exc.user_message.index("(") : exc.user_message.index(")") + 1]
        return ("protocol", reason, exc.excerpt)
    except ServerError as exc:
        return (type(exc), exc.user_message, exc.status, exc.error_type, exc.code, exc.param)


def without_orjson(data: str) -> ChunkDelta:
    saved = chunks_module._orjson_loads
    chunks_module._orjson_loads = None
    try:
        return parse_chunk(data)
    finally:
        chunks_module._orjson_loads = saved


# -- generated chunks -----------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 1, 2**63, 2**64, -(2**63) - 1, 10**25]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 1.5, 1e300]),
    st.text(max_size=6),
    st.sampled_from(["", "\ud800", "é", "stop", "assistant"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)

# Values that are neither a string nor null: what a field holds when a chunk is wrong.
_odd = _values.filter(lambda v: v is not None and not isinstance(v, str))


def _maybe(keys: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=keys)


def _mostly(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually a valid value, one time in eight anything: most chunks have at most a flaw."""
    return st.integers(0, 7).flatmap(lambda pick: valid if pick else _odd)


_opt_text = st.none() | st.text(max_size=6)
_tool_call = _maybe(
    {
        "index": _mostly(st.integers(0, 3)),
        "id": _mostly(_opt_text),
        "type": st.just("function"),
        "function": _mostly(_maybe({"name": _mostly(_opt_text), "arguments": _mostly(_opt_text)})),
    }
)
_delta = _maybe(
    {
        "role": _mostly(st.sampled_from(["assistant", None])),
        "content": _mostly(_opt_text),
        "reasoning": _mostly(_opt_text),
        "reasoning_content": _mostly(_opt_text),
        "tool_calls": _mostly(st.none() | st.lists(_mostly(_tool_call), max_size=3)),
    }
)
_choice = st.fixed_dictionaries(
    {"delta": _mostly(_delta)},
    optional={
        "index": _mostly(st.sampled_from([0, 0, 0, 1, 0.0, False, None, 2**64])),
        "finish_reason": _mostly(st.sampled_from(["stop", "length", None])),
        "stop_reason": _mostly(st.none() | st.integers(0, 2**70) | st.text(max_size=3)),
        "logprobs": st.none(),
    },
)
_usage = _maybe(
    {
        "prompt_tokens": _mostly(st.integers(0, 100)),
        "completion_tokens": _mostly(st.integers(0, 100)),
        "total_tokens": _mostly(st.integers(0, 200)),
        "completion_tokens_details": _mostly(_maybe({"reasoning_tokens": _scalars})),
    }
)
_chunk = _mostly(
    _maybe(
        {
            "id": _mostly(st.just("chatcmpl-1")),
            "object": st.just("chat.completion.chunk"),
            "created": _mostly(st.integers(0, 2**70)),
            "model": _mostly(st.just("m")),
            "choices": _mostly(st.lists(_mostly(_choice), min_size=1, max_size=3) | st.just([])),
            "usage": _mostly(st.none() | _usage),
            "system_fingerprint": _mostly(st.just("fp")),
        }
    )
)
_error = _maybe({"error": _maybe({"message": _scalars, "code": _scalars, "type": _scalars})})


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


_texts = st.one_of(
    _chunk.map(_dump),
    _chunk.map(_dump),
    _chunk.map(_dump),
    _chunk.map(lambda v: json.dumps(v)),  # \u escapes, incl. lone surrogates
    _error.map(_dump),
    _values.map(_dump),
    st.text(max_size=20),
)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_texts)
def test_parse_chunk_agrees_with_the_reference(data: str) -> None:
    expected = outcome(reference_parse_chunk, data)
    assert outcome(parse_chunk, data) == expected
    assert outcome(without_orjson, data) == expected


@pytest.mark.parametrize(
    "data",
    [
        '{"choices":[{"index":0,"delta":{"content":"x"}}],"created":18446744073709551616}',
        '{"choices":[{"index":18446744073709551616,"delta":{"content":"x"}}]}',
        '{"choices":[{"index":0,"delta":{},"stop_reason":123456789012345678901234}]}',
        '{"choices":[],"usage":{"prompt_tokens":99999999999999999999999,"completion_tokens":1}}',
        '{"choices":[{"delta":{"tool_calls":[{"index":18446744073709551616}]}}]}',
        '{"choices":[{"delta":{"content":"\\ud800"}}]}',
        '{"choices":[{"delta":{"content":"x"}}],"created":1e400}',
        '{"choices":[{"delta":{"content":"x"}}],"created":NaN}',
        '{"error":{"message":"boom","code":18446744073709551616}}',
        '{"id":5,"choices":3}',
        '{"choices":[{"delta":{"role":1,"content":2,"reasoning_content":3}}]}',
        '{"choices":[{"delta":{"content":"x","tool_calls":5},"finish_reason":7}]}',
        '{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}',
        '{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":5}]}',
        '{"choices":[{"index":1,"delta":{"content":"a"}},{"index":0,"delta":{"content":"b"}}]}',
        '{"choices":[{"index":0,"delta":{"content":"a"}},7]}',
    ],
)
def test_cases_where_orjson_and_json_differ(data: str) -> None:
    expected = outcome(reference_parse_chunk, data)
    assert outcome(parse_chunk, data) == expected
    assert outcome(without_orjson, data) == expected


def test_parse_chunk_gives_a_chunk_delta_read_by_name() -> None:
    data = json.dumps(
        {
            "id": "c",
            "created": 7,
            "model": "m",
            "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2},
        }
    )
    delta = parse_chunk(data)
    assert type(delta) is ChunkDelta
    assert delta == ChunkDelta(
        id="c",
        model="m",
        created=7,
        content="hi",
        finish_reason="stop",
        usage=Usage.from_wire({"prompt_tokens": 1, "completion_tokens": 2}),
    )
    assert (delta.content, delta.finish_reason, delta.usage.completion_tokens) == ("hi", "stop", 2)


DATAS = [
    json.dumps({"id": "c", "choices": [{"index": 0, "delta": {"reasoning": "r"}}]}),
    json.dumps({"id": "c", "choices": [{"index": 0, "delta": {"content": "a"}}]}),
    json.dumps({"id": "c", "choices": [{"index": 1, "delta": {"content": "b"}}]}),
    json.dumps(
        {
            "id": "c",
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {"index": 0, "id": "t", "function": {"name": "f", "arguments": "{}"}}
                        ]
                    },
                    "finish_reason": "tool_calls",
                }
            ],
        }
    ),
    json.dumps({"id": "c", "choices": [], "usage": {"prompt_tokens": 3}}),
]


def test_the_stream_folds_each_chunk_once_as_a_hand_fold_does() -> None:
    by_hand = Accumulator()
    hand_events = [StreamEvent.fold(by_hand, parse_chunk(data)) for data in DATAS]
    wire = "".join(f"data: {data}\n\n" for data in DATAS).encode() + b"data: [DONE]\n\n"

    streamed = ChatStream(None)
    events = list(streamed.events(wire))
    absorbed = ChatStream(None)
    added = absorbed.absorb(wire)
    per_read = ChatStream(None)
    reads = list(per_read.reads(wire))

    assert [e.delta for e in events] == [e.delta for e in hand_events]
    assert [(e.content_delta, e.reasoning_delta) for e in events] == [
        ("", "r"),
        ("a", ""),
        ("", ""),
        ("", ""),
        ("", ""),
    ]
    assert added == len(DATAS) and absorbed.done
    assert reads == [per_read.accumulator]  # one item for the whole network read
    expected = by_hand.result()
    assert expected.content == "a" and expected.tool_calls[0].name == "f"
    for stream in (streamed, absorbed, per_read):
        assert stream.accumulator.chunks == len(DATAS)
        assert stream.accumulator.result() == expected


def test_stream_event_is_frozen_and_compares_by_fields() -> None:
    acc = Accumulator()
    delta = ChunkDelta(content="x")
    event = StreamEvent(delta, "x", "", acc)
    with pytest.raises(AttributeError):
        event.content_delta = "y"  # type: ignore[misc]
    assert event == StreamEvent(delta, "x", "", acc)
    assert event != StreamEvent(delta, "y", "", acc)
    assert hash(event) == hash(StreamEvent(delta, "x", "", acc))
    assert "content_delta='x'" in repr(event)
    assert event.tool_calls == () and event.snapshot() is acc.snapshot()


def test_errors_are_gemma_api_errors() -> None:
    with pytest.raises(GemmaAPIError):
        parse_chunk("[")
