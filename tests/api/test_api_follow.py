"""``VLLMClient.follow``: the running reply once per network read, the same reply as ``stream``.

``follow`` is what the window reads: the accumulator (the only fold of the stream) after each
network read that brought data. It must give exactly what ``stream`` gives, fail the same
way, record the same trace and close the connection when stopped.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from api_fixture_server import FixtureServer, Reply, load_capture

from desktop_app.api import (
    Accumulator,
    ChatRequest,
    ConnectionDropped,
    Message,
    ProtocolError,
    StreamError,
    VLLMClient,
    WireTrace,
)

CHAT = "/v1/chat/completions"
REQUEST = ChatRequest(model=None, messages=(Message.user("Hi"),), enable_thinking=True)


def chunk(**delta: object) -> str:
    return json.dumps({"id": "chatcmpl-f", "choices": [{"index": 0, "delta": delta}]})


async def follow_all(client: VLLMClient, trace: WireTrace | None = None) -> list[Accumulator]:
    return [acc async for acc in client.follow(REQUEST, trace=trace)]


@pytest.mark.asyncio
@pytest.mark.parametrize("capture", ["think_stream", "tools_two_calls_stream"])
async def test_follow_gives_the_reply_stream_gives(
    server: FixtureServer, captures_dir: Path, capture: str
) -> None:
    server.route(CHAT, load_capture(captures_dir, capture))
    by_stream, by_follow = WireTrace(), WireTrace()
    async with VLLMClient(server.url) as client:
        events = [e async for e in client.stream(REQUEST, trace=by_stream)]
        reads = await follow_all(client, trace=by_follow)
    expected = events[-1].accumulator.result()
    assert reads and all(acc is reads[0] for acc in reads)  # one accumulator, one fold
    assert reads[-1].result() == expected
    assert reads[-1].chunks == len(events)
    assert len(reads) <= len(events)
    assert [d for _, d in by_follow.events] == [d for _, d in by_stream.events]
    assert by_follow.first_token_at is not None and by_follow.error is None


@pytest.mark.asyncio
async def test_many_chunks_in_one_read_come_once(server: FixtureServer) -> None:
    body = "".join(f"data: {chunk(content=f't{i} ')}\n\n" for i in range(50))
    body += 'data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
    body += "data: [DONE]\n\n"
    headers = [("content-type", "text/event-stream")]
    server.route(CHAT, Reply(headers=headers, chunks=[body.encode()]))
    async with VLLMClient(server.url) as client:
        reads = await follow_all(client)
    # The server wrote it in one piece; on loopback it arrives in one or a few reads.
    assert 1 <= len(reads) < 51
    result = reads[-1].result()
    assert result.content == "".join(f"t{i} " for i in range(50))
    assert result.finish_reason == "stop"


@pytest.mark.asyncio
async def test_follow_fails_as_stream_does_and_keeps_what_arrived(server: FixtureServer) -> None:
    error = {"error": {"message": "boom", "type": "InternalServerError", "code": 500}}
    server.route(CHAT, Reply.sse(chunk(content="Hel"), chunk(content="lo"), json.dumps(error)))
    async with VLLMClient(server.url) as client:
        with pytest.raises(StreamError) as caught:
            await follow_all(client)
    assert caught.value.partial is not None and caught.value.partial.content == "Hello"

    server.route(CHAT, Reply.sse(chunk(content="Hel"), done=False))
    async with VLLMClient(server.url) as client:
        with pytest.raises(ConnectionDropped) as dropped:
            await follow_all(client)
    assert dropped.value.partial is not None and dropped.value.partial.content == "Hel"

    server.route(CHAT, Reply.sse("{not json"))
    async with VLLMClient(server.url) as client:
        with pytest.raises(ProtocolError, match="malformed"):
            await follow_all(client)


@pytest.mark.asyncio
async def test_a_whole_reply_comes_as_one_read(server: FixtureServer) -> None:
    completion = {
        "id": "chatcmpl-w",
        "object": "chat.completion",
        "model": "m",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}
        ],
    }
    server.route(CHAT, Reply.json(completion))
    async with VLLMClient(server.url) as client:
        reads = await follow_all(client)
    assert len(reads) == 1
    assert reads[0].result().content == "Hi" and reads[0].result().finish_reason == "stop"


@pytest.mark.asyncio
async def test_cancelling_a_follower_closes_the_connection(
    server: FixtureServer, captures_dir: Path
) -> None:
    reply = load_capture(captures_dir, "think_stream")
    reply.chunks = reply.chunks[:3]
    reply.end = "stall"
    server.route(CHAT, reply)
    got_first = asyncio.Event()

    async def consume(client: VLLMClient) -> None:
        async for _ in client.follow(REQUEST):
            got_first.set()

    async with VLLMClient(server.url) as client:
        task = asyncio.create_task(consume(client))
        await asyncio.wait_for(got_first.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        record = server.requests[0]
        assert await asyncio.to_thread(record.disconnected.wait, 5.0)
