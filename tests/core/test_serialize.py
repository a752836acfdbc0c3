"""Conversations survive the trip to JSON-safe dicts and back, field for field."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.api import NamedToolChoice, SamplingParams, ToolCall, ToolDefinition, Usage
from desktop_app.core.chat.conversation import (
    Attachment,
    ChatMessage,
    Conversation,
    ErrorInfo,
    GenerationSettings,
    MessageStatus,
    ReplyInfo,
)
from desktop_app.core.history.serialize import (
    conversation_from_dict,
    conversation_to_dict,
    message_from_dict,
    message_to_dict,
)

text = st.text(max_size=40)
opt_text = st.none() | text
floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
opt_float = st.none() | floats
opt_int = st.none() | st.integers(-(2**63), 2**63 - 1)
json_scalar = st.none() | st.booleans() | st.integers(-(10**12), 10**12) | floats | text
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
json_object = st.dictionaries(text, json_value, max_size=3)

tool_calls = st.builds(ToolCall, id=text, name=text, arguments=text)
tool_choice = (
    st.none()
    | st.sampled_from(["auto", "none", "required"])
    | st.builds(NamedToolChoice, name=text)
)
usage = st.builds(
    Usage,
    prompt_tokens=st.integers(0, 10**7),
    completion_tokens=st.integers(0, 10**7),
    total_tokens=st.integers(0, 10**7),
    reasoning_tokens=st.none() | st.integers(0, 10**7),
)
replies = st.builds(
    ReplyInfo,
    model=opt_text,
    server_version=opt_text,
    params=json_object,
    enable_thinking=st.none() | st.booleans(),
    # Whatever the controller records as sent: a mode, a named tool or a raw wire object.
    tool_choice=tool_choice | json_object,
    extra_body=json_object,
    finish_reason=opt_text,
    usage=st.none() | usage,
    started_at=opt_float,
    time_to_first_token=opt_float,
    duration=opt_float,
    thinking_seconds=opt_float,
    request_id=opt_text,
)
attachments = st.builds(
    Attachment,
    url=text,
    mime=text,
    width=st.none() | st.integers(0, 10**5),
    height=st.none() | st.integers(0, 10**5),
    name=text,
    byte_size=st.none() | st.integers(0, 10**10),
)
errors = st.builds(
    ErrorInfo, title=text, message=text, hint=text, server_message=opt_text, kind=text
)
messages = st.builds(
    ChatMessage,
    role=st.sampled_from(["system", "user", "assistant", "tool"]),
    content=st.text(max_size=200),
    reasoning=text,
    images=st.lists(attachments, max_size=2),
    tool_calls=st.lists(tool_calls, max_size=2),
    tool_call_id=opt_text,
    name=opt_text,
    status=st.sampled_from(MessageStatus),
    error=st.none() | errors,
    reply=st.none() | replies,
    id=st.text(min_size=1, max_size=32),
    created_at=floats,
)
sampling = st.builds(
    SamplingParams,
    temperature=opt_float,
    top_p=opt_float,
    top_k=opt_int,
    min_p=opt_float,
    repetition_penalty=opt_float,
    presence_penalty=opt_float,
    frequency_penalty=opt_float,
    max_tokens=opt_int,
    seed=opt_int,
    stop=st.none() | st.lists(text, max_size=3).map(tuple),
)
tools = st.builds(
    ToolDefinition,
    name=text,
    description=text,
    parameters=st.none() | json_object,
    strict=st.none() | st.booleans(),
)
generation_settings = st.builds(
    GenerationSettings,
    sampling=sampling,
    enable_thinking=st.none() | st.booleans(),
    stream=st.booleans(),
    include_usage=st.booleans(),
    extra_body=json_object,
    tools=st.lists(tools, max_size=2),
    tool_choice=tool_choice,
    parallel_tool_calls=st.none() | st.booleans(),
)
conversations = st.builds(
    Conversation,
    title=text,
    system_prompt=text,
    messages=st.lists(messages, max_size=4, unique_by=lambda m: m.id),
    settings=generation_settings,
    id=st.text(min_size=1, max_size=32),
    created_at=floats,
    updated_at=floats,
    title_edited=st.booleans(),
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(conversations)
def test_conversation_round_trip_through_json_text(conversation: Conversation) -> None:
    data = conversation_to_dict(conversation)
    # JSON-safe: survives a strict dump and load, not just a dict copy.
    restored = conversation_from_dict(json.loads(json.dumps(data, allow_nan=False)))
    assert restored == conversation


@settings(max_examples=150, deadline=None, derandomize=True)
@given(messages)
def test_message_round_trip(message: ChatMessage) -> None:
    assert message_from_dict(json.loads(json.dumps(message_to_dict(message)))) == message


def test_named_tool_choice_and_raw_wire_choice_stay_distinct() -> None:
    wire = {"type": "function", "function": {"name": "f"}}
    reply = ReplyInfo(tool_choice=wire)
    m = ChatMessage(role="assistant", reply=reply)
    back = message_from_dict(message_to_dict(m))
    assert back.reply is not None and back.reply.tool_choice == wire
    s = GenerationSettings(tool_choice=NamedToolChoice("f"))
    c = conversation_from_dict(conversation_to_dict(Conversation(settings=s)))
    assert c.settings.tool_choice == NamedToolChoice("f")


def test_missing_keys_fall_back_to_defaults() -> None:
    m = message_from_dict({"role": "user", "content": "hi"})
    assert (m.content, m.status, m.images, m.reply) == ("hi", MessageStatus.COMPLETE, [], None)
    c = conversation_from_dict({"title": "t", "messages": [{"role": "user"}]})
    assert c.title == "t" and c.settings == GenerationSettings() and len(c.messages) == 1


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"role": "user", "content": 5}, "message.content"),
        ({"role": "user", "status": "lost"}, "message.status"),
        ({"role": "user", "images": "x.png"}, "message.images"),
        ({"role": "user", "images": [{"url": 1}]}, "message.images[0].url"),
        ({"role": "assistant", "tool_calls": [{"id": "a", "name": None}]}, "tool_calls[0].name"),
        ({"role": "assistant", "reply": {"usage": {"prompt_tokens": "9"}}}, "usage.prompt_tokens"),
        ({"role": "assistant", "reply": {"duration": True}}, "reply.duration"),
        ({"content": "no role"}, "message.role"),
        ([1, 2], "message"),
    ],
)
def test_wrong_types_name_the_field(data: object, where: str) -> None:
    with pytest.raises(ValueError, match=re.escape(where)):
        message_from_dict(data)


def test_wrong_settings_types_are_reported() -> None:
    with pytest.raises(ValueError, match=r"settings\.sampling\.stop"):
        conversation_from_dict({"settings": {"sampling": {"stop": ["a", 3]}}})
    with pytest.raises(ValueError, match=r"settings\.tool_choice"):
        conversation_from_dict({"settings": {"tool_choice": 3}})
