"""/tokenize, /metrics and the server modes (no tool parser, no reasoning parser, text only),
checked against the recorded vLLM 0.32 responses."""

from __future__ import annotations

import json

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sim_support import WEATHER_TOOL, capture, chunks, content_of, data_url, image_message, user

from desktop_app.simulator import Fault, SimulatorConfig, running_simulator

LOAD_METRICS = (
    "vllm:kv_cache_usage_perc",
    "vllm:num_requests_running",
    "vllm:num_requests_waiting",
    "vllm:generation_tokens",
    "vllm:prompt_tokens",
)


def _samples(text: str) -> dict[str, tuple[str, dict[str, str], float]]:
    """name -> (family type, labels, value) for the families a client reads."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if family.name in LOAD_METRICS and not sample.name.endswith("_created"):
                found[family.name] = (family.type, sample.labels, sample.value)
    return found


def test_tokenize_matches_the_capture_shape(capture_client, captures_dir):
    request = json.loads((captures_dir / "tokenize.request.json").read_text())
    _, _, body = capture(captures_dir, "tokenize")
    real = json.loads(body)
    got = capture_client.post("/tokenize", json=request).json()
    assert sorted(got) == sorted(real)
    assert got["max_model_len"] == real["max_model_len"] == 512
    assert got["token_strs"] is None
    assert got["count"] == len(got["tokens"])


def test_metrics_has_the_real_families_labels_and_types(sim, captures_dir):
    _, _, real_body = capture(captures_dir, "metrics_head")
    real = _samples(real_body.decode())
    response = httpx.get(f"{sim.root_url}/metrics")
    assert response.headers["content-type"] == "text/plain; version=1.0.0; charset=utf-8"
    ours = _samples(response.text)
    assert set(ours) == set(real) == set(LOAD_METRICS)
    for name, (kind, labels, _) in real.items():
        assert ours[name][0] == kind
        assert set(ours[name][1]) == set(labels) == {"engine", "model_name"}
    assert ours["vllm:num_requests_running"][1]["model_name"] == "google/gemma-4-31B-it"


def test_metrics_follow_the_requests(sim, client):
    before = _samples(httpx.get(f"{sim.root_url}/metrics").text)
    reply = client.post("/chat/completions", json={"messages": user("Hi"), "max_tokens": 20})
    usage = reply.json()["usage"]
    sim.simulator.load.waiting = 3
    after = _samples(httpx.get(f"{sim.root_url}/metrics").text)
    assert after["vllm:generation_tokens"][2] - before["vllm:generation_tokens"][2] == (
        usage["completion_tokens"])
    assert after["vllm:prompt_tokens"][2] - before["vllm:prompt_tokens"][2] == (
        usage["prompt_tokens"])
    assert after["vllm:num_requests_waiting"][2] == 3
    assert after["vllm:num_requests_running"][2] == 0


def test_a_streaming_reply_counts_as_running(sim, client):
    sim.simulator.inject(Fault(stall_after_tokens=1, stall_seconds=5))
    body = {"messages": user("Hi"), "stream": True, "max_tokens": 50}
    with client.stream("POST", "/chat/completions", json=body) as response:
        reads = response.iter_raw()  # kept: a dropped iterator closes the stream
        next(reads)
        running = _samples(httpx.get(f"{sim.root_url}/metrics").text)
    assert running["vllm:num_requests_running"][2] == 1
    assert running["vllm:kv_cache_usage_perc"][2] > 0


def test_no_tool_parser_refuses_auto_like_vllm():
    with running_simulator(SimulatorConfig(tool_parser=False)) as sim:
        for extra in ({"tool_choice": "auto"}, {}):  # tools alone mean "auto"
            body = {"messages": user("Weather in Paris?"), "tools": [WEATHER_TOOL], **extra}
            response = httpx.post(f"{sim.base_url}/chat/completions", json=body)
            assert response.status_code == 400
            error = response.json()["error"]
            assert error["message"] == ('"auto" tool choice requires --enable-auto-tool-choice '
                                        "and --tool-call-parser to be set")
            assert error["type"] == "BadRequestError"
        named = {"messages": user("Weather in Paris?"), "tools": [WEATHER_TOOL],
                 "tool_choice": {"type": "function", "function": {"name": "get_weather"}}}
        assert httpx.post(f"{sim.base_url}/chat/completions", json=named).status_code == 200


def test_text_only_model_refuses_images_like_the_capture(captures_dir):
    _, _, body = capture(captures_dir, "err_image_data_url")
    request = json.loads((captures_dir / "err_image_data_url.request.json").read_text())
    with running_simulator(SimulatorConfig(vision=False)) as sim:
        response = httpx.post(f"{sim.base_url}/chat/completions", json=request)
        assert response.status_code == 400
        assert response.json() == json.loads(body)
        tokenized = httpx.post(f"{sim.root_url}/tokenize",
                               json={"messages": image_message("?", [data_url("PNG", (2, 2))])})
        assert tokenized.status_code == 400
        assert "is not a multimodal model" in tokenized.json()["error"]["message"]


@pytest.mark.parametrize("audio", [False, True])
def test_audio_needs_an_audio_tower(audio):
    part = {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}
    messages = [{"role": "user", "content": [part]}]
    with running_simulator(SimulatorConfig(audio=audio)) as sim:
        response = httpx.post(f"{sim.root_url}/tokenize", json={"messages": messages})
    assert response.status_code == (200 if audio else 400)


def test_no_reasoning_parser_puts_the_thought_in_content():
    body = {"messages": user("Why is the sky blue?"), "stream": True,
            "chat_template_kwargs": {"enable_thinking": True}}
    with running_simulator(SimulatorConfig(reasoning_parser=False)) as sim:
        text = httpx.post(f"{sim.base_url}/chat/completions", json=body).text
    got = chunks(text)
    assert content_of(got, "reasoning") == ""
    assert content_of(got).startswith("thought\n")


def test_other_servers_lack_tokenize_and_metrics():
    config = SimulatorConfig(tokenize_route=False, metrics_route=False)
    with running_simulator(config) as sim:
        assert httpx.get(f"{sim.root_url}/metrics").status_code == 404
        response = httpx.post(f"{sim.root_url}/tokenize", json={"prompt": "Hi"})
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}
