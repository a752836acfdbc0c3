"""/tokenize counts, the capability probe and /metrics: against the simulator in each of its
modes, the recorded vLLM page, and servers that answer badly or not at all."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from api_fixture_server import FixtureServer, Reply, load_capture

from desktop_app.api import (
    ChatRequest,
    GemmaAPIError,
    Message,
    NotFoundError,
    ReadTimeout,
    ServerUnreachable,
    SyncVLLMClient,
    ToolDefinition,
    VLLMClient,
    parse_metrics,
    tokens_per_second,
)
from desktop_app.simulator import SimulatorConfig, running_simulator

WEATHER = ToolDefinition("get_weather", "Get the weather", {"type": "object", "properties": {}})


def _request(text: str, **kw: object) -> ChatRequest:
    return ChatRequest(model=None, messages=(Message.user(text),), **kw)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_count_tokens_counts_what_the_chat_request_sends() -> None:
    with running_simulator(SimulatorConfig(max_model_len=8192)) as sim:
        async with VLLMClient(sim.base_url) as client:
            plain = await client.count_tokens(_request("Tell me about tokenizers"))
            tools = await client.count_tokens(
                _request("Tell me about tokenizers", tools=(WEATHER,)))
            thinking = await client.count_tokens(
                _request("Tell me about tokenizers", enable_thinking=True))
            # The same request, sent: its usage says the same number.
            done = await client.complete(_request("Tell me about tokenizers", tools=(WEATHER,)))
    assert plain.max_model_len == 8192
    assert tools.prompt_tokens > plain.prompt_tokens
    assert thinking.prompt_tokens != plain.prompt_tokens
    assert done.usage is not None and done.usage.prompt_tokens == tools.prompt_tokens
    body = sim.simulator.requests[1].body
    assert body is not None and "tools" in body and "max_tokens" not in body


@pytest.mark.asyncio
async def test_count_tokens_errors_stay_in_the_tree(server: FixtureServer) -> None:
    async with VLLMClient(server.url) as client:
        with pytest.raises(NotFoundError):  # another server: no /tokenize
            await client.count_tokens(_request("Hi"))
        server.route("/tokenize", Reply(chunks=[b"<html>proxy</html>"]))
        with pytest.raises(GemmaAPIError):
            await client.count_tokens(_request("Hi"))
        server.route("/tokenize", Reply(chunks=[b'{"data": 1}'], end="stall"))
        with pytest.raises(ReadTimeout):
            await client.count_tokens(_request("Hi"), timeout=httpx.Timeout(0.5))


@pytest.mark.asyncio
async def test_probe_of_a_full_vllm() -> None:
    with running_simulator(SimulatorConfig(max_model_len=4096, max_logprobs=20)) as sim:
        async with VLLMClient(sim.base_url) as client:
            facts = await client.probe()
    assert facts.to_json() == {
        "version": "0.32.0",
        "models": [{"id": "google/gemma-4-31B-it", "max_model_len": 4096}],
        "tool_parser": True, "reasoning_parser": None, "vision": True, "audio": False,
    }
    assert facts.max_logprobs == 20
    # Nothing was generated: every chat call of the probe was refused before generation.
    assert sim.simulator.load.generation_tokens_total == 0


def test_probe_of_a_bare_text_only_server_blocking() -> None:
    config = SimulatorConfig(tool_parser=False, vision=False, max_logprobs=5)
    with running_simulator(config) as sim, SyncVLLMClient(sim.base_url) as client:
        facts = client.probe("google/gemma-4-31B-it")
    assert (facts.tool_parser, facts.vision, facts.audio) == (False, False, False)
    assert facts.max_logprobs == 5
    assert sim.simulator.load.generation_tokens_total == 0


@pytest.mark.asyncio
async def test_probe_of_a_server_without_vllm_routes(server: FixtureServer) -> None:
    server.route("/v1/models", Reply.json({"object": "list", "data": [{"id": "m"}]}), "GET")
    async with VLLMClient(server.url) as client:
        facts = await client.probe()
    assert facts.to_json() == {
        "version": None, "models": [{"id": "m", "max_model_len": None}],
        "tool_parser": None, "reasoning_parser": None, "vision": None, "audio": None,
    }
    # Without a known context the tool check would risk a long generation: not sent.
    assert not any(r.path == "/v1/chat/completions" and "tools" in r.json()
                   for r in server.requests)


@pytest.mark.asyncio
async def test_probe_fails_only_when_the_server_cannot_be_asked(refused_url: str) -> None:
    async with VLLMClient(refused_url) as client:
        with pytest.raises(ServerUnreachable):
            await client.probe()


def test_metrics_of_the_recorded_vllm_page(captures_dir: Path) -> None:
    text = (captures_dir / "metrics_head.body").read_text()
    load = parse_metrics(text, "google/gemma-4-31B-it")
    assert (load.kv_cache_usage, load.running, load.waiting) == (0.0, 0, 0)
    assert load.generation_tokens_total == 0.0 and load.prompt_tokens_total == 0.0
    assert parse_metrics(text, "another-model").empty


def test_metrics_survive_malformed_and_unknown_lines() -> None:
    text = (
        "# HELP vllm:num_requests_running Number of requests\n"
        "# TYPE vllm:num_requests_running gauge\n"
        'vllm:num_requests_running{engine="0",model_name="m"} 2.0\n'
        'vllm:num_requests_running{engine="1",model_name="m"} 1.0\n'
        'vllm:num_requests_waiting{engine="0",model_name="m" 4.0\n'  # unclosed labels
        "vllm:kv_cache_usage_perc{engine=\"0\",model_name=\"m\"} lots\n"  # not a number
        "vllm:generation_tokens_total{model_name=\"m\"} 1500\n"
        "some garbage line without structure\n"
        "vllm:new_fancy_metric{x=\"y\"} 3\n"
        "\x00\xff binary junk\n"
    )
    load = parse_metrics(text, "m")
    assert load.running == 3
    assert load.waiting is None and load.kv_cache_usage is None
    assert load.generation_tokens_total == 1500
    later = parse_metrics(text.replace("1500", "1800"), "m")
    assert tokens_per_second(load, later, 2.0) == 150
    assert tokens_per_second(later, load, 2.0) is None  # the server restarted
    assert parse_metrics("").empty


@pytest.mark.asyncio
async def test_metrics_over_http(server: FixtureServer, captures_dir: Path) -> None:
    with running_simulator() as sim:
        sim.simulator.load.waiting = 2
        async with VLLMClient(sim.base_url) as client:
            load = await client.metrics("google/gemma-4-31B-it")
        assert load.waiting == 2 and load.running == 0
    server.route("/metrics", load_capture(captures_dir, "metrics_head"), "GET")
    async with VLLMClient(server.url) as client:
        assert (await client.metrics()).kv_cache_usage == 0.0
        server.reset()
        with pytest.raises(NotFoundError):
            await client.metrics()
