"""Hostile servers on a real loopback socket: nothing they do may hang a reply, fill memory,
follow a redirect or leak a password of the base URL."""

from __future__ import annotations

import asyncio
import json
from contextlib import closing

import httpx
import pytest
from api_fixture_server import FixtureServer, Reply
from hostile_server import (
    HostileServer,
    chunk,
    done_then_hold,
    drip,
    gzip_reply,
    gzip_zeros,
    send_all,
    sse,
)

from desktop_app.api import (
    ChatRequest,
    DeadlineExceeded,
    GemmaAPIError,
    Message,
    RedirectError,
    ReplyStalled,
    ReplyTooLarge,
    SyncVLLMClient,
    VLLMClient,
    WireTrace,
)
from desktop_app.api.limits import MAX_BODY_BYTES, MAX_EVENT_BYTES

CHAT = "/v1/chat/completions"
REQUEST = ChatRequest(model=None, messages=(Message.user("Hi"),))
# Generous bounds so that a hang fails the test instead of eating the suite's time.
GUARD = 30.0


async def collect_async(client: VLLMClient, trace: WireTrace | None = None) -> str:
    async def run() -> str:
        text = ""
        async for event in client.stream(REQUEST, trace=trace):
            text = event.accumulator.snapshot().content
        return text

    return await asyncio.wait_for(run(), GUARD)


# -- [DONE] ends the reply, whatever the socket does ----------------------------------------


@pytest.mark.asyncio
async def test_async_stream_ends_at_done_while_the_socket_stays_open() -> None:
    with HostileServer(done_then_hold(chunk("Hello"), chunk(" there", "stop"))) as server:
        async with VLLMClient(server.url) as client:
            assert await collect_async(client) == "Hello there"


def test_sync_stream_and_collect_end_at_done_while_the_socket_stays_open() -> None:
    behaviour = done_then_hold(chunk("Hello"), chunk(" there", "stop"))
    with HostileServer(behaviour) as server:
        timeout = httpx.Timeout(GUARD)
        with SyncVLLMClient(server.url, timeout=timeout) as client:
            with closing(client.stream(REQUEST)) as stream:
                texts = [e.content_delta for e in stream]
            assert "".join(texts) == "Hello there"
            assert client.collect(REQUEST).content == "Hello there"


# -- a deadline for the whole call (blocking client, as `ask --timeout` uses) ---------------


@pytest.mark.parametrize(
    "payload",
    [b": keep-alive\n\n", sse(chunk("x"))],
    ids=["endless-comments", "drip-of-real-events"],
)
def test_sync_deadline_ends_a_dripping_reply(payload: bytes) -> None:
    with (
        HostileServer(drip(payload, interval=0.05)) as server,
        SyncVLLMClient(server.url, timeout=httpx.Timeout(1.0), deadline=1.0) as client,
        pytest.raises(DeadlineExceeded) as info,
    ):
        client.collect(REQUEST)
    assert "1 s allowed for the whole call" in info.value.user_message


def test_sync_deadline_ends_a_non_streamed_call() -> None:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n"
    with (
        HostileServer(drip(b" ", interval=0.05, head=head)) as server,
        SyncVLLMClient(server.url, timeout=httpx.Timeout(1.0), deadline=1.0) as client,
        pytest.raises(DeadlineExceeded),
    ):
        client.complete(REQUEST)


# -- the stall limit (the window's client) ---------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("keepalive", [True, False], ids=["keep-alives", "silence"])
async def test_async_stall_limit_ends_a_reply_that_brings_no_data(keepalive: bool) -> None:
    payload = b": keep-alive\n\n" if keepalive else b""

    async def behaviour(writer: asyncio.StreamWriter) -> None:
        from hostile_server import SSE_HEAD

        writer.write(SSE_HEAD + sse(chunk("partial text")))
        await writer.drain()
        while True:
            if payload:
                writer.write(payload)
                await writer.drain()
            await asyncio.sleep(0.05)

    with HostileServer(behaviour) as server:
        async with VLLMClient(server.url, stall_limit=0.5) as client:
            with pytest.raises(ReplyStalled) as info:
                await collect_async(client)
    exc = info.value
    assert "went silent for 0.5 s" in exc.user_message
    assert exc.partial is not None and exc.partial.content == "partial text"


# -- limits on what one line, event and reply may hold ---------------------------------------


def _bomb(size: int, content_type: str = "text/event-stream") -> bytes:
    return gzip_reply(gzip_zeros(size), content_type)


@pytest.mark.asyncio
async def test_async_gzip_line_without_end_is_refused() -> None:
    with HostileServer(send_all(_bomb(4 * MAX_EVENT_BYTES))) as server:
        async with VLLMClient(server.url) as client:
            with pytest.raises(ReplyTooLarge) as info:
                await collect_async(client)
    assert "16 MiB" in info.value.user_message


def test_sync_gzip_line_without_end_is_refused() -> None:
    with (
        HostileServer(send_all(_bomb(4 * MAX_EVENT_BYTES))) as server,
        SyncVLLMClient(server.url) as client,
        pytest.raises(ReplyTooLarge),
    ):
        client.collect(REQUEST)


@pytest.mark.asyncio
async def test_async_gzip_json_body_past_the_limit_is_refused() -> None:
    with HostileServer(send_all(_bomb(2 * MAX_BODY_BYTES, "application/json"))) as server:
        async with VLLMClient(server.url) as client:
            with pytest.raises(ReplyTooLarge):
                await asyncio.wait_for(client.list_models(), GUARD)
            with pytest.raises(ReplyTooLarge):
                await collect_async(client)


def test_sync_gzip_json_body_past_the_limit_is_refused() -> None:
    with (
        HostileServer(send_all(_bomb(2 * MAX_BODY_BYTES, "application/json"))) as server,
        SyncVLLMClient(server.url) as client,
        pytest.raises(ReplyTooLarge),
    ):
        client.complete(REQUEST)


# -- a whole chat.completion in answer to a streaming request --------------------------------

COMPLETION = {
    "id": "chatcmpl-whole",
    "object": "chat.completion",
    "model": "gemma",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "All at once.", "reasoning": "Hmm."},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
}


@pytest.mark.asyncio
async def test_async_stream_accepts_a_whole_completion(server: FixtureServer) -> None:
    server.route(CHAT, Reply.json(COMPLETION))
    trace = WireTrace()
    async with VLLMClient(server.url) as client:
        events = [e async for e in client.stream(REQUEST, trace=trace)]
    result = events[-1].accumulator.result()
    assert (result.content, result.reasoning) == ("All at once.", "Hmm.")
    assert result.finish_reason == "stop" and result.usage is not None
    assert result.usage.total_tokens == 7
    assert json.loads(trace.response_body or "")["id"] == "chatcmpl-whole"


def test_sync_stream_and_collect_accept_a_whole_completion(server: FixtureServer) -> None:
    server.route(CHAT, Reply.json(COMPLETION))
    with SyncVLLMClient(server.url) as client:
        with closing(client.stream(REQUEST)) as stream:
            assert "".join(e.content_delta for e in stream) == "All at once."
        assert client.collect(REQUEST).content == "All at once."


# -- redirects are reported, never followed --------------------------------------------------


def _redirect(target: str) -> Reply:
    return Reply(status=307, headers=[("location", target)], chunks=[b""])


@pytest.mark.asyncio
async def test_async_redirects_are_reported_not_followed(server: FixtureServer) -> None:
    elsewhere = f"{server.url}/elsewhere"
    server.route(CHAT, _redirect(elsewhere))
    server.route("/v1/models", _redirect(elsewhere), method="GET")
    server.route("/version", _redirect(elsewhere), method="GET")
    server.route("/elsewhere", Reply.json(COMPLETION))
    server.route("/elsewhere", Reply.json({"data": [], "version": "1"}), method="GET")
    async with VLLMClient(server.url, api_key="sk-key") as client:
        for call in (collect_async(client), client.list_models(), client.version()):
            with pytest.raises(RedirectError) as info:
                await call
            assert elsewhere in info.value.user_message
            assert info.value.location == elsewhere
    assert [r.path for r in server.requests] == [CHAT, "/v1/models", "/version"]


def test_sync_redirects_are_reported_not_followed(server: FixtureServer) -> None:
    elsewhere = "http://admin:pw9876@other.invalid/v1/chat/completions"
    server.route(CHAT, _redirect(elsewhere))
    with SyncVLLMClient(server.url) as client:
        for call in (client.complete, client.collect):
            with pytest.raises(RedirectError) as info:
                call(REQUEST)
            assert "other.invalid" in info.value.user_message
            assert "pw9876" not in info.value.user_message
    assert all(r.path == CHAT for r in server.requests)


# -- a password in the base URL is a secret --------------------------------------------------

PASSWORD = "hunter2-in-url"


def _with_password(url: str) -> str:
    return url.replace("http://", f"http://admin:{PASSWORD}@")


def _assert_hidden(*texts: object) -> None:
    for text in texts:
        assert PASSWORD not in str(text), text


@pytest.mark.asyncio
async def test_async_password_in_url_never_shows(server: FixtureServer, refused_url: str) -> None:
    # No route: the server answers 404, whose message names the address.
    trace = WireTrace()
    async with VLLMClient(_with_password(server.url) + "/v1") as client:
        _assert_hidden(repr(client))
        with pytest.raises(GemmaAPIError) as info:
            await collect_async(client, trace)
    assert "There is no vLLM API at" in info.value.user_message
    assert "***@127.0.0.1" in info.value.user_message
    _assert_hidden(info.value.user_message, vars(info.value), trace)
    # The password still authenticates: httpx sends it as Basic auth.
    assert server.requests[0].headers["authorization"].startswith("Basic ")
    async with VLLMClient(_with_password(refused_url)) as client:
        for call in (collect_async(client), client.list_models()):
            with pytest.raises(GemmaAPIError) as info:
                await call
            _assert_hidden(info.value.user_message, vars(info.value))


def test_sync_password_in_url_never_shows(server: FixtureServer) -> None:
    trace = WireTrace()
    with SyncVLLMClient(_with_password(server.url)) as client:
        _assert_hidden(repr(client))
        with pytest.raises(GemmaAPIError) as info:
            client.complete(REQUEST, trace=trace)
    _assert_hidden(info.value.user_message, vars(info.value), trace)
    with pytest.raises(ValueError) as bad:
        SyncVLLMClient(f"ftp://admin:{PASSWORD}@host/v1")
    _assert_hidden(bad.value)
