"""The simulator replaying the recorded vLLM 0.32 requests: same statuses, bodies and shapes."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sim_support import capture, chunks, header_names, kind, shape

# Error captures the simulator reproduces byte for byte when replaying the same request.
EXACT_ERRORS = [
    "err_temperature_neg",
    "err_top_p_2",
    "err_unknown_model",
    "err_missing_auth",
    "err_wrong_key",
    "err_max_tokens_gt_ctx",
    "err_max_tokens_gt_ctx_stream",
    "err_max_completion_tokens_gt_ctx",
    "err_max_tokens_negative",
    "err_malformed_json",
    "err_prompt_too_long",
    "err_prompt_too_long_stream",
    "err_missing_messages",
    "err_empty_messages",
    "err_n_0",
    "err_tool_choice_without_tools",
    "err_named_tool_unknown",
    "err_stream_options_without_stream",
    "err_logprobs_too_many",
    "err_chat_template_exception",
]
NON_STREAM = [
    "chat_nonstream",
    "chat_nonstream_length",
    "chat_random_nonstream",
    "chat_logprobs",
    "think_nonstream",
    "think_nonstream_cut_by_length",
    "think_skip_special_false",
    "think_top_level_flag",
    "tools_auto_nonstream",
    "tools_think_nonstream",
    "tools_roundtrip",
    "tools_choice_none_plain",
    "err_bad_role",
]
# Each stream capture, with the chunk kinds whose shapes the replay must reproduce.
STREAMS = {
    "chat_stream_usage": {"role", "content", "finish:", "usage"},
    "chat_stream_nousage": {"role", "content", "finish:"},
    "chat_stream_continuous_usage": {"role", "content", "finish:content", "usage"},
    "chat_stream_length": {"role", "content", "finish:content", "usage"},
    "chat_random_stream": {"role", "content"},
    "chat_n2_stream": {"role", "content", "finish:content"},
    "think_stream": {"role", "reasoning", "content", "finish:", "usage"},
    "think_stream_cut_by_length": {"role", "reasoning", "finish:reasoning"},
    "tools_auto_stream": {"role", "tool_first", "tool_args", "finish:", "usage"},
    "tools_auto_text_answer_stream": {"role", "finish:"},
    "tools_choice_none_stream": {"role"},
    "tools_think_stream": {"role", "reasoning", "tool_first", "tool_args", "finish:"},
    "tools_two_calls_stream": {"role", "tool_first", "tool_args", "finish:"},
}


def without_stop_reason(body: dict) -> dict:
    """`stop_reason` is an int, a string or null depending on how generation ended."""
    for choice in body.get("choices", []):
        if "stop_reason" in choice:
            choice["stop_reason"] = "any"
    return body


def replay(client: httpx.Client, captures_dir: Path, name: str) -> httpx.Response:
    raw = (captures_dir / f"{name}.request.json").read_bytes()
    headers = {"content-type": "application/json"}
    if name in ("err_missing_auth", "err_wrong_key"):
        headers["authorization"] = "Bearer wrong" if name == "err_wrong_key" else ""
    return client.post("/v1/chat/completions", content=raw, headers=headers)


@pytest.mark.parametrize("name", EXACT_ERRORS)
def test_error_bodies_match_byte_for_byte(capture_client, captures_dir, name):
    status, names, body = capture(captures_dir, name)
    response = replay(capture_client, captures_dir, name)
    assert response.status_code == status
    assert response.content == body
    assert header_names(response)[2:] == names[2:]  # after date and server


def test_wrong_content_type(capture_client, captures_dir):
    status, _, body = capture(captures_dir, "err_wrong_content_type")
    response = capture_client.post("/v1/chat/completions", content=b"{}",
                                   headers={"content-type": "text/plain"})
    assert (response.status_code, response.content) == (status, body)


@pytest.mark.parametrize("name", ["err_404_path", "err_405_method", "health", "version"])
def test_plain_endpoints_match(capture_client, captures_dir, name):
    status, names, body = capture(captures_dir, name)
    if name == "err_404_path":
        response = capture_client.get("/v1/nope")
    elif name == "err_405_method":
        response = capture_client.get("/v1/chat/completions")
        assert response.headers["allow"] == "POST"
    else:
        response = capture_client.get(f"/{name}")
    assert (response.status_code, response.content) == (status, body)
    assert header_names(response)[2:] == names[2:]


@pytest.mark.parametrize("name", ["models", "models_noauth"])
def test_models_card_shape(capture_client, captures_dir, name):
    status, names, body = capture(captures_dir, name)
    headers = {"authorization": ""} if name == "models_noauth" else {}
    response = capture_client.get("/v1/models", headers=headers)
    assert response.status_code == status
    assert shape(response.json()) == shape(json.loads(body))
    assert header_names(response)[2:-1] == names[2:-1]  # content-length differs with the root


def test_tokenize_shape(capture_client, captures_dir):
    status, _, body = capture(captures_dir, "tokenize")
    raw = (captures_dir / "tokenize.request.json").read_bytes()
    response = capture_client.post("/tokenize", content=raw,
                                   headers={"content-type": "application/json"})
    assert response.status_code == status
    assert shape(response.json()) == shape(json.loads(body))
    assert response.json()["max_model_len"] == 512


@pytest.mark.parametrize("name", NON_STREAM)
def test_non_streaming_body_shape(capture_client, captures_dir, name):
    status, names, body = capture(captures_dir, name)
    response = replay(capture_client, captures_dir, name)
    assert response.status_code == status
    expected = without_stop_reason(json.loads(body))
    assert shape(without_stop_reason(response.json())) == shape(expected)
    assert header_names(response)[2:] == names[2:]


@pytest.mark.parametrize(("name", "kinds"), STREAMS.items())
def test_stream_chunk_shapes(capture_client, captures_dir, name, kinds):
    status, names, body = capture(captures_dir, name)
    response = replay(capture_client, captures_dir, name)
    assert response.status_code == status
    assert header_names(response)[2:] == names[2:]
    recorded = {}
    for chunk in chunks(body.decode()):
        recorded.setdefault(kind(chunk), shape(without_stop_reason(chunk)))
    ours = chunks(response.text)
    assert kind(ours[0]) == "role"
    assert "role" in recorded
    compared = set()
    for chunk in ours:
        if kind(chunk) in recorded:
            assert shape(without_stop_reason(chunk)) == recorded[kind(chunk)], kind(chunk)
            compared.add(kind(chunk))
    assert compared >= kinds
    finishes = [c for c in ours if kind(c).startswith("finish")]
    request = json.loads((captures_dir / f"{name}.request.json").read_text())
    assert len(finishes) == request.get("n", 1)
    has_usage = kind(ours[-1]) == "usage"
    assert has_usage == bool(request.get("stream_options", {}).get("include_usage"))
