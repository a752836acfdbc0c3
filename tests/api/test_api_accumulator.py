"""Chunks to deltas to the reply: every recorded stream, any chunking, 20,000 tokens."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import pytest
from api_fixture_server import stream_capture_names
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.api import (
    Accumulator,
    ChunkDelta,
    Completion,
    ProtocolError,
    SSEDecoder,
    StreamError,
    StreamEvent,
    ToolCallDelta,
    ToolCallSnapshot,
    Usage,
    parse_chunk,
)

# -- parse_chunk ----------------------------------------------------------------------


def chunk(delta: dict, finish: str | None = None, index: int = 0, **top: object) -> str:
    choice = {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}
    return json.dumps({"id": "chatcmpl-1", "model": "m", "choices": [choice], **top})


def test_content_reasoning_and_role() -> None:
    first = parse_chunk(chunk({"role": "assistant", "content": ""}))
    assert (first.role, first.content, first.choice_index) == ("assistant", "", 0)
    assert parse_chunk(chunk({"reasoning": "hm"})).reasoning == "hm"


def test_reasoning_content_is_read_when_reasoning_is_absent() -> None:
    assert parse_chunk(chunk({"reasoning_content": "old"})).reasoning == "old"
    both = parse_chunk(chunk({"reasoning": "new", "reasoning_content": "new"}))
    assert both.reasoning == "new"


def test_finish_chunk_and_usage_chunk() -> None:
    done = parse_chunk(chunk({}, finish="stop", system_fingerprint="fp"))
    assert (done.finish_reason, done.system_fingerprint) == ("stop", "fp")
    usage = parse_chunk(
        json.dumps(
            {"id": "c", "choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2}}
        )
    )
    assert usage.choice_index is None
    assert usage.usage == Usage(1, 2, 3)


def test_tool_call_fragments() -> None:
    delta = parse_chunk(
        chunk(
            {
                "tool_calls": [
                    {"id": "t1", "type": "function", "index": 0, "function": {"name": "f"}},
                    {"index": 1, "function": {"arguments": '{"a"'}},
                    {"function": {"arguments": "x"}},  # no index: its position
                ]
            }
        )
    )
    assert delta.tool_calls == (
        ToolCallDelta(0, "t1", "f", None),
        ToolCallDelta(1, None, None, '{"a"'),
        ToolCallDelta(2, None, None, "x"),
    )


def test_other_choices_are_reported_but_not_folded() -> None:
    other = parse_chunk(chunk({"content": "from choice 1"}, index=1))
    assert other.choice_index == 1 and other.content is None
    mixed = json.dumps(
        {
            "choices": [
                {"index": 1, "delta": {"content": "one"}},
                {"index": 0, "delta": {"content": "zero"}},
            ]
        }
    )
    assert parse_chunk(mixed).content == "zero"


def test_an_in_stream_error_raises_stream_error() -> None:
    payload = {
        "error": {
            "message": "Internal server error",
            "type": "InternalServerError",
            "param": None,
            "code": 500,
        }
    }
    with pytest.raises(StreamError) as caught:
        parse_chunk(json.dumps(payload))
    err = caught.value
    assert err.server_message == "Internal server error"
    assert err.error_type == "InternalServerError" and err.code == 500
    assert "Internal server error" in err.user_message
    # The pre-0.10.1 in-stream shape.
    old = {"error": {"object": "error", "message": "boom", "type": "X", "param": None, "code": 500}}
    with pytest.raises(StreamError, match="boom"):
        parse_chunk(json.dumps(old))


@pytest.mark.parametrize(
    "data",
    [
        "not json",
        '{"choices": [{"index": 0, "delta": {"content": ',
        "[1, 2]",
        '{"choices": {}}',
        '{"choices": [{"index": 0, "delta": {"content": 5}}]}',
        '{"choices": [{"index": 0, "delta": {"tool_calls": [{"index": "a"}]}}]}',
        '{"choices": [3]}',
    ],
)
def test_malformed_chunks_raise_protocol_error_with_an_excerpt(data: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_chunk(data)
    assert caught.value.excerpt == data.strip()[:300]
    assert "malformed" in caught.value.user_message


# -- the accumulator ------------------------------------------------------------------


def test_tool_calls_merge_by_index_whatever_delta_carries_id_and_name() -> None:
    acc = Accumulator()
    for delta in [
        ChunkDelta(choice_index=0, tool_calls=(ToolCallDelta(1, None, None, '{"b": '),)),
        ChunkDelta(choice_index=0, tool_calls=(ToolCallDelta(0, "id0", "f", '{"a": 1}'),)),
        ChunkDelta(choice_index=0, tool_calls=(ToolCallDelta(1, "id1", None, "2}"),)),
        ChunkDelta(choice_index=0, tool_calls=(ToolCallDelta(1, None, "g", None),)),
    ]:
        acc.add(delta)
    calls = acc.result().tool_calls
    assert [(c.id, c.name, json.loads(c.arguments)) for c in calls] == [
        ("id0", "f", {"a": 1}),
        ("id1", "g", {"b": 2}),
    ]
    assert acc.tool_call_snapshots() == (
        ToolCallSnapshot(0, "id0", "f", '{"a": 1}'),
        ToolCallSnapshot(1, "id1", "g", '{"b": 2}'),
    )


def test_a_call_without_id_gets_a_stable_stand_in() -> None:
    acc = Accumulator()
    acc.add(ChunkDelta(choice_index=0, tool_calls=(ToolCallDelta(0, None, "f", "{}"),)))
    assert acc.result().tool_calls[0].id == "call_0"
    assert acc.tool_call_snapshots()[0].id is None


def test_snapshot_is_cached_until_the_next_delta() -> None:
    acc = Accumulator()
    assert not acc.received_anything
    event = StreamEvent.fold(acc, ChunkDelta(choice_index=0, content="Hel"))
    assert (event.content_delta, event.reasoning_delta) == ("Hel", "")
    first = acc.snapshot()
    assert acc.snapshot() is first
    StreamEvent.fold(acc, ChunkDelta(choice_index=0, content="lo"))
    assert acc.snapshot().content == "Hello" and event.snapshot().content == "Hello"


def test_a_hand_made_delta_belongs_to_choice_zero() -> None:
    acc = Accumulator()
    acc.add(ChunkDelta(content="Hi", finish_reason="stop"))
    acc.add(ChunkDelta(choice_index=None, usage=Usage(1, 1, 2)))
    assert (acc.result().content, acc.result().finish_reason) == ("Hi", "stop")
    assert acc.result().usage == Usage(1, 1, 2)


def test_deltas_of_other_choices_add_nothing() -> None:
    acc = Accumulator()
    event = StreamEvent.fold(acc, ChunkDelta(choice_index=1, content="x"))
    assert event.content_delta == ""
    assert acc.result().content == ""


def test_twenty_thousand_tokens_cost_linear_time() -> None:
    acc = Accumulator()
    token = "word " * 4
    started = time.perf_counter()
    for i in range(20_000):
        StreamEvent.fold(acc, ChunkDelta(choice_index=0, content=token, reasoning="r"))
        if i % 100 == 0:  # a view reading the snapshot about once per frame
            acc.snapshot()
    result = acc.result()
    elapsed = time.perf_counter() - started
    assert len(result.content) == 20_000 * len(token)
    assert len(result.reasoning) == 20_000
    assert elapsed < 2.0


# -- every recorded stream ------------------------------------------------------------

HELLO = "Hello! I am a tiny test model. How can I help you today?"

# What each recorded stream really holds (see _SSE_SUMMARY.txt next to the captures).
EXPECTED: dict[str, dict] = {
    "chat_n2_stream": dict(content="Hello! I am a tiny", finish="length", usage=None),
    "chat_random_stream": dict(finish="length", usage=None),
    "chat_stream_continuous_usage": dict(
        content="Hello! I am a tiny test model", finish="length", usage=Usage(12, 8, 20, 0)
    ),
    "chat_stream_length": dict(content="Hello! I am a", finish="length", usage=Usage(12, 5, 17, 0)),
    "chat_stream_nousage": dict(content=HELLO, finish="stop", stop=6, usage=None),
    "chat_stream_usage": dict(content=HELLO, finish="stop", stop=6, usage=Usage(12, 17, 29, 0)),
    "think_stream": dict(
        content="Hello! The answer is 4.",
        reasoning="The user said hello. I should answer briefly.",
        finish="stop",
        usage=Usage(18, 33, 51, 23),
    ),
    "think_stream_cut_by_length": dict(content="", reasoning="The user s", finish="length"),
    "tools_auto_stream": dict(
        content="",
        finish="tool_calls",
        calls=[("get_weather", {"city": "Paris", "unit": "celsius"})],
        usage=Usage(98, 21, 119, 0),
    ),
    "tools_auto_text_answer_stream": dict(content=HELLO, finish="stop", calls=[], usage=None),
    "tools_choice_none_stream": dict(content="", finish="stop", calls=[], usage=None),
    "tools_think_stream": dict(
        content="",
        reasoning="I need the weather, so I will call the tool.",
        finish="tool_calls",
        calls=[("get_weather", {"city": "Paris"})],
        usage=None,
    ),
    "tools_two_calls_stream": dict(
        content="",
        finish="tool_calls",
        calls=[("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Berlin"})],
        usage=None,
    ),
}
NOT_CHAT = {"responses_stream"}  # the Responses API: other events, nothing to fold


def replay(chunks: list[bytes]) -> tuple[Completion, bool, list[str]]:
    """Decoder + accumulator over ``chunks``: the reply, whether [DONE] came, event types."""
    decoder = SSEDecoder()
    acc = Accumulator()
    done = False
    kinds: list[str] = []
    events = [e for c in chunks for e in decoder.feed(c)] + decoder.flush()
    for event in events:
        kinds.append(event.event)
        if event.data == "[DONE]":
            done = True
        else:
            acc.add(parse_chunk(event.data))
    return acc.result(), done, kinds


def _body(captures_dir: Path, name: str) -> bytes:
    return (captures_dir / f"{name}.body").read_bytes()


def test_every_stream_capture_is_checked(captures_dir: Path) -> None:
    assert set(stream_capture_names(captures_dir)) == set(EXPECTED) | NOT_CHAT


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_recorded_stream_folds_to_what_it_holds(captures_dir: Path, name: str) -> None:
    expected = EXPECTED[name]
    result, done, _ = replay([_body(captures_dir, name)])
    assert done
    assert result.finish_reason == expected["finish"]
    assert result.model == "google/gemma-4-31B-it"
    assert result.id is not None and result.id.startswith("chatcmpl-")
    assert result.system_fingerprint == "vllm-0.32.0-1492bccc"
    assert result.usage == expected.get("usage")
    if "content" in expected:
        assert result.content == expected["content"]
    else:
        assert result.content
    assert result.reasoning == expected.get("reasoning", "")
    if "stop" in expected:
        assert result.stop_reason == expected["stop"]
    calls = expected.get("calls", [])
    assert [(c.name, json.loads(c.arguments)) for c in result.tool_calls] == calls
    for call in result.tool_calls:
        assert call.id.startswith("chatcmpl-tool-")
    assert len({c.id for c in result.tool_calls}) == len(calls)
    if calls:
        message = result.to_message()
        assert message.content is None and message.tool_calls == result.tool_calls


def test_random_bytes_survive_including_replacement_characters(captures_dir: Path) -> None:
    result, _, _ = replay([_body(captures_dir, "chat_random_stream")])
    assert "\ufffd" in result.content and "Bonjour" in result.content


@pytest.mark.parametrize(
    ("streamed", "whole"),
    [
        ("think_stream", "think_nonstream"),
        ("think_stream_cut_by_length", "think_nonstream_cut_by_length"),
        ("tools_think_stream", "tools_think_nonstream"),
        ("tools_auto_stream", "tools_auto_nonstream"),
        ("chat_stream_length", "chat_nonstream_length"),
    ],
)
def test_streamed_and_whole_replies_agree(captures_dir: Path, streamed: str, whole: str) -> None:
    result, _, _ = replay([_body(captures_dir, streamed)])
    message = json.loads(_body(captures_dir, whole))["choices"][0]["message"]
    assert result.content == (message["content"] or "")
    assert result.reasoning == (message["reasoning"] or "")
    assert [(c.name, c.arguments) for c in result.tool_calls] == [
        (c["function"]["name"], c["function"]["arguments"]) for c in message.get("tool_calls", [])
    ]


def test_the_responses_stream_decodes_but_holds_no_chat_reply(captures_dir: Path) -> None:
    result, done, kinds = replay([_body(captures_dir, "responses_stream")])
    assert not done
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    assert result.content == "" and result.finish_reason is None


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_chunking_gives_the_same_reply(captures_dir: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(EXPECTED)), label="capture")
    eol = data.draw(st.sampled_from([b"\n", b"\r\n", b"\r"]), label="eol")
    body = _body(captures_dir, name).replace(b"\n", eol)
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=80), label="cuts")
    points = sorted({0, len(body), *cuts})
    pieces = [body[a:b] for a, b in itertools.pairwise(points)]
    assert replay(pieces)[0] == replay([_body(captures_dir, name)])[0]


def test_one_byte_at_a_time_gives_the_same_reply(captures_dir: Path) -> None:
    for name in sorted(EXPECTED):
        body = _body(captures_dir, name)
        assert replay([body[i : i + 1] for i in range(len(body))])[0] == replay([body])[0]
