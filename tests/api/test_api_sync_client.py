"""SyncVLLMClient against VLLMClient: the same replies give the same events, results, errors.

Both clients drive the same stream core; these tests hold them to it on every recorded
vLLM stream and on the failures the fault tests cover for the asyncio client.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from api_fixture_server import FixtureServer, Reply, load_capture, stream_capture_names

from desktop_app.api import (
    Accumulator,
    AuthenticationError,
    ChatRequest,
    ConnectionDropped,
    GemmaAPIError,
    Message,
    ProtocolError,
    ReadTimeout,
    ServerUnreachable,
    StreamError,
    SyncVLLMClient,
    VLLMClient,
    WireTrace,
)

CHAT = "/v1/chat/completions"
REQUEST = ChatRequest(model="m", messages=(Message.user("Hi"),), enable_thinking=True)
ROOT = Path(__file__).resolve().parents[2]


def _summary(events: list[Any], error: GemmaAPIError | None) -> dict[str, Any]:
    return {
        "events": [(e.delta, e.content_delta, e.reasoning_delta) for e in events],
        "result": events[-1].accumulator.result() if events else None,
        "error": None if error is None else _error_view(error),
    }


async def _async_run(url: str, request: ChatRequest, trace: WireTrace, **kw: Any) -> dict:
    events: list[Any] = []
    error = None
    async with VLLMClient(url, api_key="k-1", **kw) as client:
        try:
            async for event in client.stream(request, trace=trace):
                events.append(event)
        except GemmaAPIError as exc:
            error = exc
    return _summary(events, error)


def _sync_run(url: str, request: ChatRequest, trace: WireTrace, **kw: Any) -> dict:
    events: list[Any] = []
    error = None
    with SyncVLLMClient(url, api_key="k-1", **kw) as client:
        try:
            for event in client.stream(request, trace=trace):
                events.append(event)
        except GemmaAPIError as exc:
            error = exc
    return _summary(events, error)


def _collect_run(url: str, request: ChatRequest, trace: WireTrace | None, **kw: Any) -> dict:
    """SyncVLLMClient.collect: the reply, or the error, and what the accumulator kept."""
    accumulator = Accumulator()
    with SyncVLLMClient(url, api_key="k-1", **kw) as client:
        try:
            result = client.collect(request, accumulator, trace=trace)
        except GemmaAPIError as exc:
            return {"result": None, "error": _error_view(exc), "kept": accumulator.snapshot()}
    assert result == accumulator.result()
    return {"result": result, "error": None, "kept": accumulator.snapshot()}


def _error_view(error: GemmaAPIError) -> tuple[Any, ...]:
    return (type(error), error.user_message, error.partial, getattr(error, "status", None))


def _trace_view(trace: WireTrace) -> tuple[Any, ...]:
    return (
        trace.method,
        trace.url,
        trace.request_headers,
        trace.request_json,
        trace.status,
        [data for _, data in trace.events],
        trace.response_body,
        trace.error,
        trace.first_token_at is not None,
        trace.finished_at is not None,
    )


def both(server: FixtureServer, reply: Reply, request: ChatRequest = REQUEST, **kw: Any) -> dict:
    """Run the reply through both clients; assert they agree; return what they gave."""
    server.route(CHAT, reply)
    async_trace, sync_trace = WireTrace(), WireTrace()
    by_async = asyncio.run(_async_run(server.url, request, async_trace, **kw))
    by_sync = _sync_run(server.url, request, sync_trace, **kw)
    assert by_sync == by_async
    sent = [r.json() for r in server.requests]
    assert sent[0] == sent[1]
    assert server.requests[0].headers.get("authorization") == "Bearer k-1"
    assert server.requests[1].headers.get("accept") == server.requests[0].headers.get("accept")
    assert _trace_view(sync_trace) == _trace_view(async_trace)
    collect_trace = WireTrace()
    collected = _collect_run(server.url, request, collect_trace, **kw)
    assert server.requests[2].json() == sent[0]
    assert collected["error"] == by_sync["error"]
    if by_sync["error"] is None:
        assert collected["result"] == (by_sync["result"] or Accumulator().result())
    elif by_sync["error"][2] is not None:
        assert collected["kept"] == by_sync["error"][2]  # the partial reply stays there
    assert _trace_view(collect_trace) == _trace_view(sync_trace)
    # Untraced, collect takes its own loop (no events at all): the same outcome.
    untraced = _collect_run(server.url, request, None, **kw)
    assert (untraced["result"], untraced["error"], untraced["kept"]) == (
        collected["result"],
        collected["error"],
        collected["kept"],
    )
    return by_sync


def test_every_recorded_stream(server: FixtureServer, captures_dir: Path) -> None:
    for name in stream_capture_names(captures_dir):
        server.reset()
        got = both(server, load_capture(captures_dir, name))
        assert got["events"] or got["error"], name


def test_in_stream_error_with_partial(server: FixtureServer) -> None:
    got = both(
        server,
        Reply.sse(
            json.dumps({"choices": [{"index": 0, "delta": {"content": "Hel"}}]}),
            json.dumps({"error": {"message": "engine died", "code": 500}}),
            done=False,
        ),
    )
    assert got["error"][0] is StreamError
    assert got["error"][2].content == "Hel"


@pytest.mark.parametrize("end", ["drop", "complete"])
def test_stream_cut_short(server: FixtureServer, end: str) -> None:
    reply = Reply.sse(
        json.dumps({"choices": [{"index": 0, "delta": {"content": "a"}}]}), end=end, done=False
    )
    got = both(server, reply)
    assert got["error"][0] is ConnectionDropped
    assert got["error"][2].content == "a"


def test_a_finish_reason_makes_a_dropped_reply_whole(server: FixtureServer) -> None:
    chunk = {"choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": "stop"}]}
    got = both(server, Reply.sse(json.dumps(chunk), end="drop", done=False))
    assert got["error"] is None and got["result"].finish_reason == "stop"


def test_malformed_chunk(server: FixtureServer) -> None:
    got = both(server, Reply.sse(json.dumps({"choices": [{"index": 0}]}), "{not json"))
    assert got["error"][0] is ProtocolError


def test_error_status_and_error_bodies(server: FixtureServer) -> None:
    got = both(server, Reply.json({"error": "Unauthorized"}, status=401))
    assert got["error"][0] is AuthenticationError
    server.reset()
    got = both(server, Reply.json({"error": {"message": "bad", "code": 400}}, status=200))
    assert got["error"][3] == 200
    server.reset()
    html = Reply(status=200, headers=[("content-type", "text/html")], chunks=[b"<html>hi"])
    assert both(server, html)["error"][0] is ProtocolError


def test_read_timeout(server: FixtureServer) -> None:
    import httpx

    reply = Reply.sse(json.dumps({"choices": [{"index": 0, "delta": {"content": "a"}}]}))
    reply.end = "stall"
    reply.chunks = reply.chunks[:1]
    got = both(server, reply, timeout=httpx.Timeout(5.0, read=0.3))
    assert got["error"][0] is ReadTimeout


def test_connection_refused(refused_url: str) -> None:
    with SyncVLLMClient(refused_url) as client, pytest.raises(ServerUnreachable):
        list(client.stream(REQUEST))


def test_complete_matches(server: FixtureServer, captures_dir: Path) -> None:
    server.route(CHAT, load_capture(captures_dir, "chat_nonstream"))

    async def by_async() -> Any:
        async with VLLMClient(server.url) as client:
            return await client.complete(REQUEST)

    with SyncVLLMClient(server.url) as client:
        assert client.complete(REQUEST) == asyncio.run(by_async())
    assert [r.json()["stream"] for r in server.requests] == [False, False]


def test_complete_error_is_redacted(server: FixtureServer) -> None:
    server.route(CHAT, Reply.json({"error": {"message": "key k-secret is wrong"}}, status=400))
    trace = WireTrace()
    with (
        SyncVLLMClient(server.url, api_key="k-secret") as client,
        pytest.raises(GemmaAPIError) as caught,
    ):
        client.complete(REQUEST, trace=trace)
    assert "k-secret" not in caught.value.user_message
    assert trace.error is not None and "k-secret" not in trace.error


def test_leaving_the_loop_closes_the_connection(server: FixtureServer) -> None:
    reply = Reply.sse(json.dumps({"choices": [{"index": 0, "delta": {"content": "a"}}]}))
    reply.end = "stall"
    server.route(CHAT, reply)
    trace = WireTrace()
    with SyncVLLMClient(server.url) as client:
        with closing(client.stream(REQUEST, trace=trace)) as stream:
            for _event in stream:
                break
        assert server.requests[0].disconnected.wait(5)
    assert trace.error == "stopped by the client"


def test_ctrl_c_stops_the_stream_and_closes_the_connection(server: FixtureServer) -> None:
    reply = Reply.sse(json.dumps({"choices": [{"index": 0, "delta": {"content": "a"}}]}))
    reply.end = "stall"
    server.route(CHAT, reply)
    trace = WireTrace()
    got: list[str] = []
    with SyncVLLMClient(server.url) as client:
        stream = client.stream(REQUEST, trace=trace)
        got.append(next(stream).content_delta)
        with pytest.raises(KeyboardInterrupt):  # as Ctrl-C raises it while reading
            stream.throw(KeyboardInterrupt())
        assert server.requests[0].disconnected.wait(5)
    assert got == ["a"] and trace.error == "stopped by the client"


def test_ask_loads_neither_asyncio_nor_the_asyncio_client() -> None:
    code = (
        "import sys, desktop_app.cli.ask\n"
        "loaded = [m for m in ('asyncio', 'desktop_app.api.client', 'desktop_app.api.streaming')"
        " if m in sys.modules]\n"
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)
