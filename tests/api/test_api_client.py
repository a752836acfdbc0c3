"""The client against a real loopback server replaying recorded vLLM replies."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from api_fixture_server import FixtureServer, Reply, load_capture

from desktop_app.api import (
    AuthenticationError,
    BadRequestError,
    ChatRequest,
    Completion,
    Message,
    ModelInfo,
    NotFoundError,
    ProtocolError,
    SamplingParams,
    ServiceUnavailable,
    StreamEvent,
    ToolDefinition,
    VLLMClient,
    WireTrace,
    split_base_url,
)

CHAT = "/v1/chat/completions"
MODEL = "google/gemma-4-31B-it"
REQUEST = ChatRequest(
    model=MODEL,
    messages=(Message.user("Hi"),),
    sampling=SamplingParams(max_tokens=100),
    enable_thinking=True,
)


async def collect(
    client: VLLMClient, request: ChatRequest = REQUEST, trace: WireTrace | None = None
) -> tuple[list[StreamEvent], Completion]:
    events = [event async for event in client.stream(request, trace=trace)]
    assert events
    return events, events[-1].accumulator.result()


# -- base URL -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "root"),
    [
        ("http://gpu:8000", "http://gpu:8000"),
        ("http://gpu:8000/", "http://gpu:8000"),
        ("http://gpu:8000/v1", "http://gpu:8000"),
        ("http://gpu:8000/v1/", "http://gpu:8000"),
        ("  gpu:8000  ", "http://gpu:8000"),
        ("https://example.org/vllm/v1", "https://example.org/vllm"),
    ],
)
def test_base_url_with_or_without_v1(given: str, root: str) -> None:
    assert split_base_url(given) == (root, root + "/v1")


@pytest.mark.parametrize("bad", ["", "ftp://gpu:8000", "http://"])
def test_unusable_base_urls_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        split_base_url(bad)


# -- streaming ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_stream_replays_a_thinking_reply(server: FixtureServer, captures_dir: Path) -> None:
    server.route(CHAT, load_capture(captures_dir, "think_stream"))
    trace = WireTrace()
    async with VLLMClient(server.url + "/v1", api_key="k-123") as client:
        events, result = await collect(client, trace=trace)
    assert result.reasoning == "The user said hello. I should answer briefly."
    assert result.content == "Hello! The answer is 4."
    assert result.finish_reason == "stop" and result.usage is not None
    assert "".join(e.reasoning_delta for e in events) == result.reasoning
    assert "".join(e.content_delta for e in events) == result.content
    (sent,) = server.requests
    assert sent.path == CHAT
    assert sent.json() == REQUEST.to_wire()
    assert sent.headers["authorization"] == "Bearer k-123"
    assert sent.headers["accept"] == "text/event-stream"
    assert sent.headers["content-type"] == "application/json"
    # The trace holds what went over the wire.
    assert trace.method == "POST" and trace.url == server.url + CHAT
    assert trace.request_json == REQUEST.to_wire()
    assert trace.request_headers["authorization"] == "Bearer ***"
    assert trace.status == 200
    assert trace.response_headers["content-type"].startswith("text/event-stream")
    assert len(trace.events) == 32 and trace.events[-1][1] == "[DONE]"
    assert json.loads(trace.events[1][1])["choices"][0]["delta"] == {"reasoning": "The"}
    times = [t for t, _ in trace.events]
    assert times == sorted(times)
    assert trace.started_at is not None and abs(trace.started_at - time.time()) < 30
    assert trace.first_byte_at is not None and trace.first_token_at is not None
    assert trace.finished_at is not None
    assert 0 <= trace.first_byte_at <= trace.first_token_at <= trace.finished_at
    assert trace.error is None


@pytest.mark.asyncio
async def test_stream_of_two_tool_calls(server: FixtureServer, captures_dir: Path) -> None:
    server.route(CHAT, load_capture(captures_dir, "tools_two_calls_stream"))
    tool = ToolDefinition("get_weather", parameters={"type": "object"})
    request = ChatRequest(model=None, messages=(Message.user("Weather?"),), tools=(tool,))
    async with VLLMClient(server.url) as client:
        events, result = await collect(client, request)
    assert [json.loads(c.arguments)["city"] for c in result.tool_calls] == ["Paris", "Berlin"]
    assert result.finish_reason == "tool_calls"
    assert any(e.delta.tool_calls for e in events)
    assert "authorization" not in server.requests[0].headers


@pytest.mark.asyncio
async def test_stream_forces_stream_true(server: FixtureServer, captures_dir: Path) -> None:
    server.route(CHAT, load_capture(captures_dir, "chat_stream_usage"))
    request = ChatRequest(model=None, messages=(Message.user("Hi"),), stream=False)
    async with VLLMClient(server.url) as client:
        await collect(client, request)
    body = server.requests[0].json()
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


# -- non-streamed calls ---------------------------------------------------------------


@pytest.mark.asyncio
async def test_complete_forces_stream_false(server: FixtureServer, captures_dir: Path) -> None:
    server.route(CHAT, load_capture(captures_dir, "think_nonstream"))
    trace = WireTrace()
    async with VLLMClient(server.url) as client:
        result = await client.complete(REQUEST, trace=trace)
    assert result.content == "Hello! The answer is 4."
    assert result.reasoning == "The user said hello. I should answer briefly."
    assert result.usage is not None and result.usage.reasoning_tokens == 23
    body = server.requests[0].json()
    assert body["stream"] is False and "stream_options" not in body
    assert trace.status == 200 and trace.response_body is not None
    assert json.loads(trace.response_body)["id"] == result.id


@pytest.mark.asyncio
async def test_complete_with_a_tool_call(server: FixtureServer, captures_dir: Path) -> None:
    server.route(CHAT, load_capture(captures_dir, "tools_auto_nonstream"))
    async with VLLMClient(server.url) as client:
        result = await client.complete(REQUEST)
    (call,) = result.tool_calls
    assert call.name == "get_weather"
    assert json.loads(call.arguments) == {"city": "Paris", "unit": "celsius"}
    assert result.finish_reason == "tool_calls" and result.content == ""
    assert result.to_message().content is None


@pytest.mark.asyncio
async def test_models_version_health_tokenize(server: FixtureServer, captures_dir: Path) -> None:
    server.route("/v1/models", load_capture(captures_dir, "models"), method="GET")
    server.route("/version", load_capture(captures_dir, "version"), method="GET")
    server.route("/tokenize", load_capture(captures_dir, "tokenize"))
    async with VLLMClient(server.url + "/v1/", api_key="k") as client:
        assert await client.list_models() == [ModelInfo(MODEL, 512, "vllm", "/models/tiny-gemma")]
        assert await client.version() == "0.32.0"
        assert await client.health() is False  # no /health route yet: 404
        server.route("/health", load_capture(captures_dir, "health"), method="GET")
        assert await client.health() is True
        server.route("/health", Reply(status=503), method="GET")
        assert await client.health() is False
        assert await client.tokenize("Hello") == 12
        assert await client.tokenize([Message.user("Hi")], model=MODEL) == 12
        assert await client.tokenize(REQUEST) == 12
    paths = [(r.method, r.path) for r in server.requests]
    assert paths[:3] == [("GET", "/v1/models"), ("GET", "/version"), ("GET", "/health")]
    bodies = [r.json() for r in server.requests if r.path == "/tokenize"]
    assert bodies[0] == {"prompt": "Hello"}
    assert bodies[1] == {"messages": [{"role": "user", "content": "Hi"}], "model": MODEL}
    assert bodies[2] == {
        "messages": [{"role": "user", "content": "Hi"}],
        "chat_template_kwargs": {"enable_thinking": True},
        "model": MODEL,
    }


@pytest.mark.asyncio
async def test_one_connection_is_reused(server: FixtureServer, captures_dir: Path) -> None:
    server.route(CHAT, load_capture(captures_dir, "chat_stream_usage"))
    server.route("/v1/models", load_capture(captures_dir, "models"), method="GET")
    async with VLLMClient(server.url) as client:
        await collect(client)
        await client.list_models()
        await collect(client)
    assert len({r.client_port for r in server.requests}) == 1


class CountingTransport(httpx.AsyncHTTPTransport):
    """A real transport that counts the requests it carries."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        return await super().handle_async_request(request)


@pytest.mark.asyncio
async def test_a_transport_can_be_given(server: FixtureServer, captures_dir: Path) -> None:
    server.route("/v1/models", load_capture(captures_dir, "models"), method="GET")
    transport = CountingTransport()
    async with VLLMClient(server.url, transport=transport) as client:
        await client.list_models()
        await client.list_models()
    assert transport.count == 2


# -- error replies --------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("streamed", [True, False])
@pytest.mark.parametrize(
    ("capture", "cls", "words"),
    [
        ("err_temperature_neg", BadRequestError, "temperature must be non-negative"),
        ("err_prompt_too_long_stream", BadRequestError, "too long for the model's context"),
        ("err_unknown_model", NotFoundError, "gpt-4o"),
        ("err_missing_auth", AuthenticationError, "requires an API key"),
    ],
)
async def test_error_replies(
    server: FixtureServer,
    captures_dir: Path,
    streamed: bool,
    capture: str,
    cls: type,
    words: str,
) -> None:
    server.route(CHAT, load_capture(captures_dir, capture))
    trace = WireTrace()
    async with VLLMClient(server.url) as client:
        with pytest.raises(cls) as caught:
            if streamed:
                await collect(client, trace=trace)
            else:
                await client.complete(REQUEST, trace=trace)
    err = caught.value
    assert words in err.user_message
    assert err.partial is None
    assert trace.status == err.status and trace.error == err.user_message
    assert trace.response_body == (captures_dir / f"{capture}.body").read_text()


@pytest.mark.asyncio
async def test_unknown_route_means_a_wrong_base_url(server: FixtureServer) -> None:
    async with VLLMClient(server.url + "/api") as client:
        with pytest.raises(NotFoundError, match="base URL is probably wrong"):
            await collect(client)
        with pytest.raises(NotFoundError, match="base URL is probably wrong"):
            await client.list_models()
    assert server.requests[0].path == "/api/v1/chat/completions"


@pytest.mark.asyncio
async def test_empty_503(server: FixtureServer) -> None:
    server.route(CHAT, Reply(status=503))
    async with VLLMClient(server.url) as client:
        with pytest.raises(ServiceUnavailable, match="temporarily unavailable"):
            await client.complete(REQUEST)


@pytest.mark.asyncio
@pytest.mark.parametrize("streamed", [True, False])
async def test_an_error_body_with_status_200(server: FixtureServer, streamed: bool) -> None:
    body = {"error": {"message": "bad", "type": "BadRequestError", "param": None, "code": 400}}
    server.route(CHAT, Reply.json(body))
    async with VLLMClient(server.url) as client:
        with pytest.raises(BadRequestError, match="bad") as caught:
            if streamed:
                await collect(client)
            else:
                await client.complete(REQUEST)
    assert caught.value.status == 200 and caught.value.code == 400


@pytest.mark.asyncio
async def test_a_reply_that_is_not_the_protocol(server: FixtureServer) -> None:
    page = Reply(headers=[("content-type", "text/html")], chunks=[b"<html>Welcome</html>"])
    server.route(CHAT, page)
    async with VLLMClient(server.url) as client:
        with pytest.raises(ProtocolError) as caught:
            await client.complete(REQUEST)
        assert caught.value.excerpt == "<html>Welcome</html>"
        with pytest.raises(ProtocolError, match="instead of an event stream") as caught:
            await collect(client)
        assert caught.value.excerpt == "<html>Welcome</html>"
        server.route(CHAT, Reply.sse("{not json"))
        with pytest.raises(ProtocolError, match="malformed") as caught:
            await collect(client)
        assert caught.value.excerpt == "{not json"


@pytest.mark.asyncio
async def test_twenty_thousand_tokens_through_the_wire(server: FixtureServer) -> None:
    events = [
        "data: "
        + json.dumps({"id": "c", "choices": [{"index": 0, "delta": {"content": f"t{i} "}}]})
        + "\n\n"
        for i in range(20_000)
    ]
    events.append('data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n')
    events.append("data: [DONE]\n\n")
    writes = ["".join(events[i : i + 100]).encode() for i in range(0, len(events), 100)]
    server.route(CHAT, Reply(headers=[("content-type", "text/event-stream")], chunks=writes))
    trace = WireTrace()
    started = time.perf_counter()
    async with VLLMClient(server.url) as client:
        received = 0
        async for event in client.stream(REQUEST, trace=trace):
            received += len(event.content_delta)
        result = event.accumulator.result()
    elapsed = time.perf_counter() - started
    assert received == len(result.content) == sum(len(f"t{i} ") for i in range(20_000))
    assert result.finish_reason == "stop"
    assert len(trace.events) == 20_002
    assert elapsed < 15.0
