"""Export and import: the JSON file gives back the same conversation; bad files change nothing."""

from __future__ import annotations

import json
from pathlib import Path

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
from desktop_app.core.history.storage import HistoryStore, ImportFormatError, StorageError
from desktop_app.core.history.storage.exchange import (
    FORMAT,
    export_json,
    export_markdown,
    import_conversation_json,
    import_into,
)

BIG_IMAGE = "data:image/png;base64," + "iVBORw0KGgo" * 5000


def sample() -> Conversation:
    call = ToolCall(id="call_1", name="get_weather", arguments='{"city": "Lisbon"}')
    return Conversation(
        title="Trip to Lisbon",
        system_prompt="You are terse.\n\nAnswer in metric units.",
        settings=GenerationSettings(
            sampling=SamplingParams(temperature=0.7, top_p=0.95, max_tokens=512, stop=("##",)),
            enable_thinking=True,
            include_usage=False,
            extra_body={"top_n_sigma": 1.0},
            tools=[ToolDefinition("get_weather", "Weather now", {"type": "object"}, True)],
            tool_choice="auto",
            parallel_tool_calls=False,
        ),
        messages=[
            ChatMessage(
                role="user",
                content="Weather? Here are photos.",
                images=[
                    Attachment(BIG_IMAGE, "image/png", 640, 480, "street.png", 55_000),
                    Attachment("https://example.org/a b.jpg", name="web"),
                ],
            ),
            ChatMessage(
                role="assistant",
                reasoning="Need the tool.",
                tool_calls=[call],
                reply=ReplyInfo(
                    model="gemma-4-27b",
                    params={"temperature": 0.7},
                    enable_thinking=True,
                    tool_choice="auto",
                    finish_reason="tool_calls",
                    usage=Usage(20, 10, 30, 4),
                    started_at=1700000000.0,
                    time_to_first_token=0.25,
                    duration=1.5,
                    thinking_seconds=0.5,
                    request_id="chatcmpl-1",
                ),
            ),
            ChatMessage(
                role="tool", content='{"t": 21}', tool_call_id="call_1", name="get_weather"
            ),
            ChatMessage(
                role="assistant", content="It is ```21``` °C.", status=MessageStatus.STOPPED
            ),
            ChatMessage(
                role="assistant",
                status=MessageStatus.ERROR,
                error=ErrorInfo("Server error", "HTTP 500", "Try again", "CUDA OOM", "ServerError"),
            ),
        ],
    )


def test_json_round_trip_is_equal_ids_included() -> None:
    c = sample()
    assert import_conversation_json(export_json(c)) == c
    assert import_conversation_json(b"\xef\xbb\xbf" + export_json(c).encode()) == c


def test_an_export_stripped_of_its_metadata_still_imports() -> None:
    c = sample()
    data = json.loads(export_json(c))
    del data["gemma_desk"]
    back = import_conversation_json(json.dumps(data))
    assert back.id != c.id and back.title == c.title and back.system_prompt == c.system_prompt
    assert [m.content for m in back.messages] == [m.content for m in c.messages]
    assert back.messages[0].images[0].url == BIG_IMAGE
    assert back.settings.sampling == c.settings.sampling and back.settings.tools == c.settings.tools


def test_fresh_ids_change_only_the_ids() -> None:
    c = sample()
    fresh = import_conversation_json(export_json(c), fresh_ids=True)
    assert fresh.id != c.id
    assert {m.id for m in fresh.messages}.isdisjoint(m.id for m in c.messages)
    assert fresh.messages[1].tool_calls == c.messages[1].tool_calls  # call ids are content
    fresh.id = c.id
    for mine, theirs in zip(fresh.messages, c.messages, strict=True):
        mine.id = theirs.id
    assert fresh == c


def test_the_file_is_an_openai_transcript_with_metadata_beside_it() -> None:
    c = sample()
    data = json.loads(export_json(c))
    body = c.build_request("m").to_wire()
    assert (data["format"], data["version"]) == (FORMAT, 1)
    # The system prompt is its own field; unlike a request, the failed reply is kept.
    assert data["messages"] == [*body["messages"][1:], {"role": "assistant", "content": None}]
    assert data["system_prompt"] == c.system_prompt
    assert data["tools"] == body["tools"]
    assert data["parameters"] == {
        "temperature": 0.7,
        "top_p": 0.95,
        "max_tokens": 512,
        "stop": ["##"],
        "enable_thinking": True,
        "tool_choice": "auto",
        "parallel_tool_calls": False,
        "extra_body": {"top_n_sigma": 1.0},
    }
    meta = data["gemma_desk"]
    assert [m["id"] for m in meta["messages"]] == [m.id for m in c.messages]
    assert meta["messages"][4]["status"] == "error"
    assert meta["messages"][1]["reply"]["usage"]["reasoning_tokens"] == 4
    # What the OpenAI part already says is not repeated, so nothing is stored twice.
    assert "settings" not in meta and all("exact" not in m for m in meta["messages"])
    assert export_json(c).count("iVBORw0KGgo" * 5000) == 1


def odd_but_possible() -> Conversation:
    """Fields the wire form drops or reshapes: the file must still keep them."""
    return Conversation(
        settings=GenerationSettings(
            tools=[ToolDefinition("bad name!", parameters=None)],
            tool_choice=NamedToolChoice("bad name!"),
        ),
        messages=[
            ChatMessage(role="user", content="a\nb", reasoning="user reasoning?", name="me"),
            ChatMessage(role="assistant", images=[Attachment("https://x/y.png")]),
            ChatMessage(role="tool", content="orphan result"),  # no tool_call_id
            ChatMessage(role="narrator", content="unknown role"),
        ],
    )


def test_fields_the_wire_form_cannot_carry_are_kept_exactly() -> None:
    c = odd_but_possible()
    text = export_json(c)
    meta = json.loads(text)["gemma_desk"]
    assert "settings" in meta and "exact" in meta["messages"][0]
    assert import_conversation_json(text) == c


names = st.text(max_size=12)
wire_messages = st.builds(
    ChatMessage,
    role=st.sampled_from(["system", "user", "assistant", "tool"]),
    content=st.text(max_size=60),
    reasoning=names,
    images=st.lists(
        st.builds(Attachment, url=names, mime=names, width=st.none() | st.integers(0, 9)),
        max_size=2,
    ),
    tool_calls=st.lists(st.builds(ToolCall, id=names, name=names, arguments=names), max_size=2),
    tool_call_id=st.none() | names,
    name=st.none() | names,
    status=st.sampled_from(MessageStatus),
    error=st.none() | st.builds(ErrorInfo, title=names, message=names),
    reply=st.none() | st.builds(ReplyInfo, model=st.none() | names, tool_choice=st.none() | names),
    id=st.text(min_size=1, max_size=8),
    created_at=st.floats(0, 2e9),
)
tool_defs = st.builds(
    ToolDefinition,
    name=st.sampled_from(["f", "get.x", "bad name"]),
    description=names,
    parameters=st.none() | st.just({"type": "object"}),
    strict=st.none() | st.booleans(),
)
conversations = st.builds(
    Conversation,
    title=names,
    system_prompt=names,
    messages=st.lists(wire_messages, max_size=4, unique_by=lambda m: m.id),
    settings=st.builds(
        GenerationSettings,
        sampling=st.builds(
            SamplingParams,
            temperature=st.none() | st.floats(0, 2),
            # vLLM's range: a seed outside it is left out on import (test_import_validation).
            seed=st.none() | st.integers(-(2**63), 2**63 - 1),
        ),
        enable_thinking=st.none() | st.booleans(),
        stream=st.booleans(),
        include_usage=st.booleans(),
        tools=st.lists(tool_defs, max_size=2),
        tool_choice=st.none()
        | st.sampled_from(["auto", "none"])
        | st.builds(NamedToolChoice, names),
        parallel_tool_calls=st.none() | st.booleans(),
    ),
    title_edited=st.booleans(),
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(conversations)
def test_any_conversation_survives_export_and_import(c: Conversation) -> None:
    assert import_conversation_json(export_json(c)) == c


def test_markdown_is_readable_and_holds_no_base64() -> None:
    md = export_markdown(sample())
    assert md.startswith("# Trip to Lisbon\n")
    assert "> You are terse.\n>\n> Answer in metric units." in md
    for heading in (
        "## User",
        "## Assistant · gemma-4-27b",
        "## Tool result · `get_weather` (call_1)",
    ):
        assert heading in md
    assert "<details>\n<summary>Reasoning</summary>\n\nNeed the tool.\n\n</details>" in md
    assert '**Tool call** `get_weather` (call_1)\n\n```json\n{\n  "city": "Lisbon"\n}\n```' in md
    assert "*[Image: street.png — image/png, 640×480, 53.7 KB]*" in md
    assert "![web](https://example.org/a%20b.jpg)" in md
    assert "base64" not in md and len(md) < 3000
    assert "````\nIt is" not in md and "It is ```21``` °C." in md
    assert "Stopped by the user" in md
    assert "> **Server error**: HTTP 500" in md and "CUDA OOM" in md


def test_markdown_fences_outgrow_backticks_in_tool_output() -> None:
    c = Conversation(messages=[ChatMessage(role="tool", content="```py\nx\n```", tool_call_id="c")])
    assert "````\n```py\nx\n```\n````" in export_markdown(c)


def test_a_bare_openai_messages_array_imports_as_a_conversation() -> None:
    wire = [
        {"role": "system", "content": "Be brief."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in"},
                {"type": "image_url", "image_url": {"url": "https://x/cat.png"}},
                {"type": "text", "text": "this picture?"},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "reasoning_content": "Look closely.",
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "zoom", "arguments": {"x": 2}},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "zoomed"},
        {"role": "assistant", "content": "A cat."},
    ]
    c = import_conversation_json(json.dumps(wire))
    assert c.system_prompt == "Be brief."
    assert c.title == "What is in this picture?"
    user, call, result, answer = c.messages
    assert (user.content, [a.url for a in user.images]) == (
        "What is in\nthis picture?",
        ["https://x/cat.png"],
    )
    assert call.reasoning == "Look closely." and call.tool_calls == [
        ToolCall("c1", "zoom", '{"x": 2}')
    ]
    assert (result.role, result.tool_call_id, answer.content) == ("tool", "c1", "A cat.")
    assert all(m.status == MessageStatus.COMPLETE for m in c.messages)


def test_a_chat_request_body_imports_with_its_parameters() -> None:
    body = sample().build_request("gemma").to_wire()
    body["custom_field"] = [1]
    c = import_conversation_json(json.dumps(body))
    s = c.settings
    assert c.system_prompt == sample().system_prompt and len(c.messages) == 4
    assert (s.sampling.temperature, s.sampling.stop, s.enable_thinking) == (0.7, ("##",), True)
    assert s.tools == sample().settings.tools and s.tool_choice == "auto"
    assert s.extra_body == {"top_n_sigma": 1.0, "custom_field": [1]}


def truncated() -> str:
    text = export_json(sample())
    return text[: len(text) // 2]


def with_change(change) -> str:
    data = json.loads(export_json(sample()))
    change(data)
    return json.dumps(data)


BAD_FILES = [
    ("", "not valid JSON"),
    ("hello", "not valid JSON"),
    ("\x00\x01binary", "not valid JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    ("[" * 100_000, "too deeply"),
    ('{"extra_body": ' * 3000 + "1" + "}" * 3000, "too deeply|neither"),
    (truncated(), "not valid JSON"),
    ("42", "neither"),
    ('"text"', "neither"),
    ("{}", "neither"),
    ('{"title": "x"}', "neither"),
    ("[]", "no messages"),
    ("[1, 2]", "messages[0] should be a chat message object"),
    ('[{"role": "robot", "content": "x"}]', "messages[0].role"),
    ('[{"role": "user", "content": 5}]', "messages[0].content"),
    ('[{"role": "user", "content": [{"type": "input_audio"}]}]', "'input_audio' part"),
    ('[{"role": "assistant", "tool_calls": [{"function": 3}]}]', "tool_calls[0].function"),
    ('{"messages": "hi"}', "messages should be a list"),
    ('{"format": "chatbox.export", "messages": []}', "'chatbox.export'"),
    (json.dumps({"format": FORMAT, "version": 2}), "newer Gemma Desk"),
    (json.dumps({"format": FORMAT, "version": "1"}), "version should be a whole number"),
    (with_change(lambda d: d["gemma_desk"]["messages"].pop()), "4 entries for 5 messages"),
    (with_change(lambda d: d["gemma_desk"]["messages"][0].update(status="lost")), "status"),
    (with_change(lambda d: d["gemma_desk"]["messages"][0].update(images=[{}])), "holds 2"),
    (with_change(lambda d: d["gemma_desk"].update(created_at="today")), "created_at"),
    # A bad sampling value is left out with a notice instead (test_import_validation.py).
    (with_change(lambda d: d["parameters"].update(enable_thinking="yes")), "enable_thinking"),
    (with_change(lambda d: d["parameters"].update(tool_choice=7)), "parameters.tool_choice"),
    (with_change(lambda d: d["tools"].append({"function": {"name": ""}})), "tools[1]"),
    (with_change(lambda d: d.update(title=None)), "title should be text"),
]


@pytest.mark.parametrize(("text", "reason"), BAD_FILES)
def test_bad_files_are_rejected_with_a_reason(text: str | bytes, reason: str) -> None:
    with pytest.raises(ImportFormatError) as info:
        import_conversation_json(text)
    # Python 3.13 parses deeper JSON than 3.12: the file is then refused for its shape.
    assert any(r in str(info.value) for r in reason.split("|"))
    assert isinstance(info.value, StorageError)


def test_import_into_saves_and_never_overwrites(tmp_path: Path) -> None:
    c = sample()
    text = export_json(c)
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        first = import_into(store, text)
        assert first == c and store.load_conversation(c.id) == c
        store.rename(c.id, "Mine now")
        second = import_into(store, text)
        assert second.id != c.id and store.load_conversation(second.id) == second
        assert store.load_conversation(c.id).title == "Mine now"
        before = store.list_conversations()
        for bad, _ in BAD_FILES:
            with pytest.raises(ImportFormatError):
                import_into(store, bad)
        assert store.list_conversations() == before
