"""Faults on a real loopback connection: drops, stalls, refusals, cancels, secrets."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import httpx
import pytest
from api_fixture_server import FixtureServer, Recorded, Reply, load_capture

from desktop_app.api import (
    AuthenticationError,
    ChatRequest,
    ConnectionDropped,
    ConnectTimeout,
    GemmaAPIError,
    Message,
    ProtocolError,
    ReadTimeout,
    ServerError,
    ServerUnreachable,
    StreamError,
    TLSError,
    TransportError,
    VLLMClient,
    WireTrace,
)
from desktop_app.api.transport import map_httpx_error

CHAT = "/v1/chat/completions"
REQUEST = ChatRequest(model=None, messages=(Message.user("Hi"),))
SHORT = httpx.Timeout(5.0, read=0.3)


def chunk(**delta: object) -> str:
    return json.dumps({"id": "chatcmpl-f", "choices": [{"index": 0, "delta": delta}]})


def finish(reason: str = "stop") -> str:
    return json.dumps(
        {"id": "chatcmpl-f", "choices": [{"index": 0, "delta": {}, "finish_reason": reason}]}
    )


async def drain(client: VLLMClient, trace: WireTrace | None = None) -> list[str]:
    return [e.content_delta async for e in client.stream(REQUEST, trace=trace)]


async def disconnected(record: Recorded, timeout: float = 5.0) -> bool:
    """Whether the server saw this request's client go away (waits without blocking)."""
    return await asyncio.to_thread(record.disconnected.wait, timeout)


def partial_reply(captures_dir: Path, name: str, events: int, end: str) -> Reply:
    reply = load_capture(captures_dir, name)
    reply.chunks = reply.chunks[:events]
    reply.end = end  # type: ignore[assignment]
    return reply


# -- failures inside the stream -------------------------------------------------------


@pytest.mark.asyncio
async def test_in_stream_error_keeps_the_partial_reply(server: FixtureServer) -> None:
    error = {"error": {"message": "Internal server error", "type": "InternalServerError",
                       "param": None, "code": 500}}  # fmt: skip
    server.route(CHAT, Reply.sse(chunk(role="assistant", content=""), chunk(content="Hel"),
                                 chunk(content="lo"), json.dumps(error)))  # fmt: skip
    trace = WireTrace()
    async with VLLMClient(server.url) as client:
        with pytest.raises(StreamError) as caught:
            await drain(client, trace)
    err = caught.value
    assert err.partial is not None and err.partial.content == "Hello"
    assert err.server_message == "Internal server error" and err.code == 500
    assert err.user_message.startswith("The server reported an error while writing the reply")
    assert "What arrived before the failure is kept." in err.user_message
    assert trace.error == err.user_message
    assert json.loads(trace.events[-1][1]) == error


@pytest.mark.asyncio
async def test_connection_dropped_mid_stream(server: FixtureServer, captures_dir: Path) -> None:
    server.route(CHAT, partial_reply(captures_dir, "think_stream", 6, "drop"))
    trace = WireTrace()
    async with VLLMClient(server.url) as client:
        with pytest.raises(ConnectionDropped) as caught:
            await drain(client, trace)
    err = caught.value
    assert err.partial is not None
    assert err.partial.reasoning == "The user sai" and err.partial.finish_reason is None
    assert "closed before the reply was complete" in err.user_message
    assert "incomplete chunked read" in err.detail
    assert trace.error == err.user_message and trace.finished_at is not None


@pytest.mark.asyncio
async def test_stream_ending_without_done_or_finish(server: FixtureServer) -> None:
    server.route(CHAT, Reply.sse(chunk(content="Hel"), done=False))
    async with VLLMClient(server.url) as client:
        with pytest.raises(ConnectionDropped, match="ended before") as caught:
            await drain(client)
    assert caught.value.partial is not None and caught.value.partial.content == "Hel"


@pytest.mark.asyncio
async def test_empty_stream_is_dropped_without_partial(server: FixtureServer) -> None:
    server.route(CHAT, Reply.sse(done=False))
    async with VLLMClient(server.url) as client:
        with pytest.raises(ConnectionDropped) as caught:
            await drain(client)
    assert caught.value.partial is None


@pytest.mark.asyncio
@pytest.mark.parametrize("end", ["complete", "drop"])
async def test_a_finish_reason_makes_the_reply_whole(server: FixtureServer, end: str) -> None:
    # The usage chunk and [DONE] never come; the reply itself was complete.
    server.route(CHAT, Reply.sse(chunk(content="Hi"), finish("length"), done=False, end=end))  # type: ignore[arg-type]
    async with VLLMClient(server.url) as client:
        events = [e async for e in client.stream(REQUEST)]
    result = events[-1].accumulator.result()
    assert (result.content, result.finish_reason) == ("Hi", "length")


@pytest.mark.asyncio
async def test_read_timeout_when_the_server_stalls(
    server: FixtureServer, captures_dir: Path
) -> None:
    server.route(CHAT, partial_reply(captures_dir, "chat_stream_usage", 4, "stall"))
    async with VLLMClient(server.url, timeout=SHORT) as client:
        with pytest.raises(ReadTimeout) as caught:
            await drain(client)
    err = caught.value
    assert "sent nothing for 0.3 s" in err.user_message
    assert err.partial is not None and err.partial.content == "Hello! I"
    assert await disconnected(server.requests[0])


@pytest.mark.asyncio
async def test_read_timeout_without_streaming(server: FixtureServer) -> None:
    stalled = Reply(headers=[("content-type", "application/json")], chunks=[b'{"id":'], end="stall")
    server.route(CHAT, stalled)
    async with VLLMClient(server.url, timeout=SHORT) as client:
        with pytest.raises(ReadTimeout):
            await client.complete(REQUEST)


# -- could not talk to the server -----------------------------------------------------


@pytest.mark.asyncio
async def test_connection_refused(refused_url: str) -> None:
    async with VLLMClient(refused_url) as client:
        with pytest.raises(ServerUnreachable) as caught:
            await drain(client)
        assert caught.value.reason == "refused"
        assert f"connection to {refused_url} was refused" in caught.value.user_message
        assert caught.value.partial is None
        with pytest.raises(ServerUnreachable, match="refused"):
            await client.complete(REQUEST)
        with pytest.raises(ServerUnreachable, match="refused"):
            await client.health()


@pytest.mark.asyncio
async def test_host_name_not_found() -> None:
    async with VLLMClient("http://gemma-desk-test.invalid:8000/v1") as client:
        with pytest.raises(ServerUnreachable) as caught:
            await drain(client)
    assert caught.value.reason == "dns"
    assert "host name 'gemma-desk-test.invalid' was not found" in caught.value.user_message


@pytest.mark.asyncio
async def test_tls_to_a_plain_http_server(server: FixtureServer) -> None:
    async with VLLMClient(server.url.replace("http://", "https://")) as client:
        with pytest.raises(TLSError) as caught:
            await client.list_models()
    assert "CA bundle" in caught.value.user_message
    assert "http://" in caught.value.user_message


@pytest.fixture(scope="module")
def tls_server(self_signed_cert: tuple[Path, Path]) -> Iterator[tuple[FixtureServer, str]]:
    cert, key = self_signed_cert
    server = FixtureServer(ssl_certfile=str(cert), ssl_keyfile=str(key)).start()
    server.route("/health", Reply(), method="GET")
    try:
        yield server, str(cert)
    finally:
        server.stop()


@pytest.mark.asyncio
async def test_self_signed_certificate_and_a_ca_bundle(
    tls_server: tuple[FixtureServer, str],
) -> None:
    server, cert = tls_server
    async with VLLMClient(server.url) as client:
        with pytest.raises(TLSError) as caught:
            await client.health()
    assert "certificate could not be verified" in caught.value.user_message
    assert "CA bundle" in caught.value.user_message
    async with VLLMClient(server.url, verify=cert) as trusting:
        assert await trusting.health() is True
    with pytest.raises(ValueError, match="CA bundle"):
        VLLMClient(server.url, verify=str(Path(cert).with_name("missing.pem")))


@pytest.mark.parametrize(
    ("exc", "cls", "words"),
    [
        (httpx.ConnectTimeout("timed out"), ConnectTimeout, "within 10 s"),
        (httpx.ReadTimeout("timed out"), ReadTimeout, "nothing for 300 s"),
        (httpx.WriteTimeout("timed out"), TransportError, "longer than 30 s"),
        (httpx.PoolTimeout("timed out"), TransportError, "already in progress"),
        (httpx.RemoteProtocolError("Server disconnected"), ConnectionDropped, "closed before"),
        (httpx.ReadError("reset"), ConnectionDropped, "closed before"),
        (httpx.ProxyError("407"), ServerUnreachable, "proxy"),
        (httpx.DecodingError("bad gzip"), ProtocolError, "could not be decoded"),
        (httpx.UnsupportedProtocol("ftp"), ServerUnreachable, "not a usable server address"),
        (httpx.ConnectError("[Errno 113] No route to host"), ServerUnreachable, "Could not reach"),
    ],
)
def test_every_httpx_failure_has_a_place(exc: Exception, cls: type, words: str) -> None:
    timeout = httpx.Timeout(connect=10.0, read=300.0, write=30.0, pool=10.0)
    mapped = map_httpx_error(exc, "http://gpu:8000/v1/chat/completions", timeout)
    assert type(mapped) is cls
    assert words in str(mapped)
    assert map_httpx_error(KeyError("x"), "http://gpu", timeout).__class__ is KeyError


# -- stopping -------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_cancelling_the_consumer_closes_the_connection(
    server: FixtureServer, captures_dir: Path
) -> None:
    server.route(CHAT, partial_reply(captures_dir, "think_stream", 3, "stall"))
    got_first = asyncio.Event()
    trace = WireTrace()

    async def consume(client: VLLMClient) -> None:
        async for _ in client.stream(REQUEST, trace=trace):
            got_first.set()

    async with VLLMClient(server.url) as client:
        task = asyncio.create_task(consume(client))
        await asyncio.wait_for(got_first.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await disconnected(server.requests[0])
    assert trace.error == "stopped by the client" and trace.finished_at is not None


@pytest.mark.asyncio
async def test_leaving_the_loop_closes_the_connection(
    server: FixtureServer, captures_dir: Path
) -> None:
    server.route(CHAT, partial_reply(captures_dir, "think_stream", 3, "stall"))
    async with VLLMClient(server.url) as client:
        async with contextlib.aclosing(client.stream(REQUEST)) as events:
            async for _ in events:
                break
        assert await disconnected(server.requests[0])
        # A plain `break` closes it too, once the generator is collected.
        async for _ in client.stream(REQUEST):
            break
        assert await disconnected(server.requests[1])


# -- the key stays secret -------------------------------------------------------------

SECRET = "sk-very-secret-42"


@pytest.mark.asyncio
async def test_the_key_never_appears_in_errors_or_traces(
    server: FixtureServer, refused_url: str
) -> None:
    echo = {"error": {"message": f"key {SECRET} is not valid", "type": "X", "code": 401}}
    server.route(CHAT, Reply.json(echo, status=401))
    failures: list[GemmaAPIError] = []
    traces = [WireTrace(), WireTrace()]
    async with VLLMClient(server.url, api_key=SECRET) as client:
        assert SECRET not in repr(client)
        with pytest.raises(AuthenticationError) as caught:
            await drain(client, traces[0])
        failures.append(caught.value)
        with pytest.raises(AuthenticationError) as caught:
            await client.complete(REQUEST, trace=traces[1])
        failures.append(caught.value)
        server.route(CHAT, Reply.sse(json.dumps({"error": {"message": f"bad {SECRET}"}})))
        with pytest.raises(ServerError) as caught:
            await drain(client)
        failures.append(caught.value)
    async with VLLMClient(refused_url, api_key=SECRET) as client:
        with pytest.raises(ServerUnreachable) as caught:
            await drain(client)
        failures.append(caught.value)
    assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    for err in failures:
        text = " ".join([str(err), repr(err), err.user_message, *map(str, vars(err).values())])
        assert SECRET not in text
    for trace in traces:
        assert trace.request_headers["authorization"] == "Bearer ***"
        assert SECRET not in json.dumps(asdict(trace), default=str)
