"""Value types and their wire form: only what is set is sent, extra_body merges last."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.api import (
    FIELD_RANGES,
    ChatRequest,
    Completion,
    ImagePart,
    Message,
    ModelInfo,
    NamedToolChoice,
    SamplingParams,
    TextPart,
    ToolCall,
    ToolDefinition,
    Usage,
)

WEATHER = ToolDefinition(
    name="get_weather",
    description="Get the current weather",
    parameters={
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city"],
    },
)
MODEL = "google/gemma-4-31B-it"
HI = (Message.user("Hi"),)


def _recorded_request(captures_dir: Path, name: str) -> dict:
    return json.loads((captures_dir / f"{name}.request.json").read_text())


# -- messages -------------------------------------------------------------------------


def test_parts_and_tool_call_wire_forms() -> None:
    assert TextPart("hi").to_wire() == {"type": "text", "text": "hi"}
    assert ImagePart("data:image/png;base64,AAAA").to_wire() == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64,AAAA"},
    }
    assert ToolCall("c1", "f", '{"a": 1}').to_wire() == {
        "id": "c1",
        "type": "function",
        "function": {"name": "f", "arguments": '{"a": 1}'},
    }


def test_text_only_messages_send_a_plain_string() -> None:
    assert Message.system("Be brief.").to_wire() == {"role": "system", "content": "Be brief."}
    assert Message.user("Hi").to_wire() == {"role": "user", "content": "Hi"}
    parts = Message("user", (TextPart("a"), TextPart("b")))
    assert parts.to_wire() == {"role": "user", "content": "a\nb"}


def test_user_message_with_images_sends_parts_images_first() -> None:
    msg = Message.user("What is this?", images=["https://x/a.png", "data:image/png;base64,AA"])
    assert msg.to_wire() == {
        "role": "user",
        "content": [
            {"type": "image_url", "image_url": {"url": "https://x/a.png"}},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}},
            {"type": "text", "text": "What is this?"},
        ],
    }
    assert msg.text == "What is this?"
    assert msg.images == ("https://x/a.png", "data:image/png;base64,AA")


def test_assistant_message_keeps_reasoning_and_tool_calls() -> None:
    call = ToolCall("chatcmpl-tool-5a0e", "get_weather", '{"location": "Tokyo"}')
    wire = Message.assistant("", reasoning="Need get_weather.", tool_calls=[call]).to_wire()
    assert wire == {
        "role": "assistant",
        "content": "",
        "reasoning": "Need get_weather.",
        "tool_calls": [call.to_wire()],
    }
    plain = Message.assistant("Hello").to_wire()
    assert plain == {"role": "assistant", "content": "Hello"}
    assert "tool_calls" not in plain and "reasoning" not in plain


def test_reasoning_is_only_sent_on_assistant_messages() -> None:
    assert "reasoning" not in Message("user", "hi", reasoning="x").to_wire()


def test_tool_message_carries_its_call_id_and_name() -> None:
    assert Message.tool("call_1", '{"t": 15}').to_wire() == {
        "role": "tool",
        "content": '{"t": 15}',
        "tool_call_id": "call_1",
    }
    assert Message.tool("call_1", "x", name="get_weather").to_wire()["name"] == "get_weather"


# -- tools ----------------------------------------------------------------------------


def test_tool_definition_wire_form_and_round_trip() -> None:
    wire = WEATHER.to_wire()
    assert wire["type"] == "function"
    assert wire["function"]["name"] == "get_weather"
    assert ToolDefinition.from_wire(wire) == WEATHER
    bare = ToolDefinition.from_wire({"name": "ping"})
    assert bare == ToolDefinition("ping")
    assert bare.to_wire() == {"type": "function", "function": {"name": "ping"}}
    strict = ToolDefinition("f", strict=True).to_wire()
    assert strict["function"]["strict"] is True


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ([], "JSON object"),
        ({"type": "function", "function": {}}, '"name"'),
        ({"type": "retrieval", "function": {"name": "f"}}, '"function"'),
        ({"function": "f"}, "JSON object"),
        ({"name": "get weather"}, "not allowed"),
        ({"name": "f", "description": 3}, "description"),
        ({"name": "f", "parameters": []}, "JSON Schema"),
        ({"name": "f", "strict": "yes"}, "strict"),
    ],
)
def test_bad_tool_definitions_say_what_is_wrong(value: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        ToolDefinition.from_wire(value)


# -- sampling -------------------------------------------------------------------------


def test_unset_sampling_fields_are_not_sent() -> None:
    assert SamplingParams().to_wire() == {}
    wire = SamplingParams(temperature=0.7, max_tokens=64, stop=("END",)).to_wire()
    assert wire == {"temperature": 0.7, "max_tokens": 64, "stop": ["END"]}


def test_field_ranges_follow_the_protocol() -> None:
    assert FIELD_RANGES["temperature"] == (0.0, 2.0, True, True, float)
    assert FIELD_RANGES["top_p"][:4] == (0.0, 1.0, False, True)
    assert FIELD_RANGES["top_k"].min == -1
    assert FIELD_RANGES["max_tokens"].min == 1 and math.isinf(FIELD_RANGES["max_tokens"].max)
    assert set(FIELD_RANGES) == {
        "temperature", "top_p", "top_k", "min_p", "repetition_penalty",
        "presence_penalty", "frequency_penalty", "max_tokens", "seed",
    }  # fmt: skip


def test_valid_sampling_has_no_problems() -> None:
    params = SamplingParams(
        temperature=0.0, top_p=1.0, top_k=-1, min_p=0.0, repetition_penalty=1.1,
        presence_penalty=-2.0, frequency_penalty=2.0, max_tokens=1, seed=-1, stop=("x",),
    )  # fmt: skip
    assert params.validate() == []


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (SamplingParams(temperature=-1.0), "temperature must be between 0 and 2, got -1.0"),
        (SamplingParams(temperature=2.5), "temperature must be between 0 and 2"),
        (SamplingParams(top_p=0.0), "top_p must be greater than 0 and at most 1"),
        (SamplingParams(top_p=2.0), "top_p must be greater than 0 and at most 1, got 2.0"),
        (SamplingParams(top_k=-2), "top_k must be at least -1"),
        (SamplingParams(top_k=1.5), "top_k must be a whole number"),  # type: ignore[arg-type]
        (SamplingParams(min_p=1.5), "min_p must be between 0 and 1"),
        (SamplingParams(repetition_penalty=0.0), "repetition_penalty must be greater than 0"),
        (SamplingParams(presence_penalty=3.0), "presence_penalty must be between -2 and 2"),
        (SamplingParams(max_tokens=0), "max_tokens must be at least 1"),
        (SamplingParams(seed=2**64), "seed must be"),
        (SamplingParams(temperature=math.nan), "finite"),
        (SamplingParams(temperature=True), "must be a number"),  # type: ignore[arg-type]
        (SamplingParams(stop=("",)), "stop strings must not be empty"),
    ],
)
def test_invalid_sampling_is_described(params: SamplingParams, words: str) -> None:
    problems = params.validate()
    assert len(problems) == 1
    assert words in problems[0]


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "temperature": st.floats(0, 2),
            "top_p": st.floats(0.01, 1),
            "top_k": st.integers(-1, 200),
            "max_tokens": st.integers(1, 10**6),
            "seed": st.integers(-(2**63), 2**63 - 1),
            "stop": st.lists(st.text(min_size=1), max_size=3).map(tuple),
        },
    )
)
def test_exactly_the_set_fields_are_sent(values: dict) -> None:
    params = SamplingParams(**values)
    wire = params.to_wire()
    assert set(wire) == set(values)
    assert params.validate() == []


# -- the request body -----------------------------------------------------------------


def test_minimal_streaming_request() -> None:
    assert ChatRequest(model=None, messages=HI).to_wire() == {
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def test_non_streaming_request_has_no_stream_options() -> None:
    wire = ChatRequest(model=MODEL, messages=HI, stream=False).to_wire()
    assert wire == {
        "messages": [{"role": "user", "content": "Hi"}],
        "model": MODEL,
        "stream": False,
    }
    no_usage = ChatRequest(model=None, messages=HI, include_usage=False).to_wire()
    assert "stream_options" not in no_usage


def test_tools_are_never_sent_empty() -> None:
    wire = ChatRequest(model=None, messages=HI, tools=(), tool_choice="auto").to_wire()
    assert "tools" not in wire
    assert "tool_choice" not in wire  # vLLM: any choice but "none" without tools is a 400
    none = ChatRequest(model=None, messages=HI, tool_choice="none").to_wire()
    assert none["tool_choice"] == "none" and "tools" not in none


def test_tool_choice_forms_and_parallel_flag() -> None:
    named = ChatRequest(
        model=None, messages=HI, tools=(WEATHER,), tool_choice=NamedToolChoice("get_weather"),
        parallel_tool_calls=False,
    ).to_wire()  # fmt: skip
    assert named["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert named["parallel_tool_calls"] is False
    unset = ChatRequest(model=None, messages=HI, tools=(WEATHER,)).to_wire()
    assert "tool_choice" not in unset and "parallel_tool_calls" not in unset


def test_thinking_flag_goes_into_chat_template_kwargs() -> None:
    on = ChatRequest(model=None, messages=HI, enable_thinking=True).to_wire()
    assert on["chat_template_kwargs"] == {"enable_thinking": True}
    off = ChatRequest(model=None, messages=HI, enable_thinking=False).to_wire()
    assert off["chat_template_kwargs"] == {"enable_thinking": False}
    assert "chat_template_kwargs" not in ChatRequest(model=None, messages=HI).to_wire()


def test_extra_body_is_merged_last() -> None:
    extra = {
        "temperature": 0.1,
        "top_k": 5,
        "chat_template_kwargs": {"reasoning_budget": 10},
        "stream_options": {"continuous_usage_stats": True},
    }
    request = ChatRequest(
        model=None, messages=HI, sampling=SamplingParams(temperature=0.9),
        enable_thinking=True, extra_body=extra,
    )  # fmt: skip
    wire = request.to_wire()
    assert wire["temperature"] == 0.1
    assert wire["top_k"] == 5
    assert wire["chat_template_kwargs"] == {"enable_thinking": True, "reasoning_budget": 10}
    assert wire["stream_options"] == {"include_usage": True, "continuous_usage_stats": True}
    overridden = ChatRequest(
        model=None, messages=HI, enable_thinking=True,
        extra_body={"chat_template_kwargs": {"enable_thinking": False}},
    ).to_wire()  # fmt: skip
    assert overridden["chat_template_kwargs"] == {"enable_thinking": False}
    # Building the body twice gives the same body and leaves extra_body untouched.
    assert request.to_wire() == wire
    assert extra["chat_template_kwargs"] == {"reasoning_budget": 10}


def _same_body(ours: dict, recorded: dict) -> None:
    if ours.get("stream") is False and "stream" not in recorded:
        ours = {k: v for k, v in ours.items() if k != "stream"}
    assert ours == recorded


def test_bodies_match_the_recorded_requests(captures_dir: Path) -> None:
    def req(**kw: object) -> dict:
        return ChatRequest(model=MODEL, **kw).to_wire()  # type: ignore[arg-type]

    _same_body(
        req(messages=HI, sampling=SamplingParams(max_tokens=100), enable_thinking=True),
        _recorded_request(captures_dir, "think_stream"),
    )
    _same_body(
        req(messages=(Message.user("What is the weather in Paris?"),),
            sampling=SamplingParams(max_tokens=100), tools=(WEATHER,), tool_choice="auto"),
        _recorded_request(captures_dir, "tools_auto_stream"),
    )  # fmt: skip
    _same_body(
        req(messages=HI, sampling=SamplingParams(max_tokens=64, stop=("tiny",)), stream=False),
        _recorded_request(captures_dir, "chat_stop_seq"),
    )
    _same_body(
        req(messages=HI, sampling=SamplingParams(max_tokens=8),
            extra_body={"stream_options": {"continuous_usage_stats": True}}),
        _recorded_request(captures_dir, "chat_stream_continuous_usage"),
    )  # fmt: skip
    history = (
        Message.user("Weather in Paris?"),
        Message.assistant(
            None, tool_calls=[ToolCall("call_1", "get_weather", '{"city": "Paris"}')]
        ),
        Message.tool("call_1", '{"temperature": 15}'),
    )
    _same_body(
        req(messages=history, sampling=SamplingParams(max_tokens=100), tools=(WEATHER,),
            stream=False, extra_body={"vllm_xargs": {"script": "plain"}}),
        _recorded_request(captures_dir, "tools_roundtrip"),
    )  # fmt: skip


# -- results --------------------------------------------------------------------------


def test_usage_from_wire() -> None:
    usage = Usage.from_wire(
        {"prompt_tokens": 18, "total_tokens": 51, "completion_tokens": 33,
         "completion_tokens_details": {"reasoning_tokens": 23}}
    )  # fmt: skip
    assert usage == Usage(18, 33, 51, 23)
    assert Usage.from_wire({"prompt_tokens": 2, "completion_tokens": 3}) == Usage(2, 3, 5, None)
    assert usage.to_dict()["reasoning_tokens"] == 23


def test_model_info_from_the_recorded_model_list(captures_dir: Path) -> None:
    card = json.loads((captures_dir / "models.body").read_text())["data"][0]
    assert ModelInfo.from_wire(card) == ModelInfo(MODEL, 512, "vllm", "/models/tiny-gemma")


def _completion(**kw: object) -> Completion:
    base: dict = dict(
        id="c", model=MODEL, content="", reasoning="", tool_calls=(), finish_reason="stop",
        stop_reason=None, usage=None, system_fingerprint=None,
    )  # fmt: skip
    base.update(kw)
    return Completion(**base)


def test_completion_back_to_a_message() -> None:
    call = ToolCall("chatcmpl-tool-1", "get_weather", '{"city": "Paris"}')
    tool_turn = _completion(reasoning="I need the weather.", tool_calls=(call,))
    message = tool_turn.to_message()
    assert message == Message.assistant(None, reasoning="I need the weather.", tool_calls=[call])
    assert message.to_wire()["content"] is None
    text = _completion(content="Hello!").to_message()
    assert text == Message.assistant("Hello!")


def test_completion_json_dict() -> None:
    call = ToolCall("id1", "f", "{}")
    done = _completion(content="x", reasoning="r", tool_calls=(call,), usage=Usage(1, 2, 3))
    assert done.to_json_dict() == {
        "content": "x",
        "reasoning": "r",
        "tool_calls": [call.to_wire()],
        "finish_reason": "stop",
        "usage": {
            "prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3,
            "reasoning_tokens": None,
        },
    }  # fmt: skip
    assert _completion().to_json_dict()["usage"] is None
