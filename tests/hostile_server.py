"""A raw loopback HTTP server for hostile replies no well-behaved framework would send.

Each connection's request is read (headers and a Content-Length body), then one scripted
``Behaviour`` writes whatever bytes it likes, as slowly as it likes, and may keep the socket
open forever. The server runs its own asyncio loop in a thread, so blocking clients (and
subprocesses) can use it as well as asyncio ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

Behaviour = Callable[[asyncio.StreamWriter], Awaitable[None]]

SSE_HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n\r\n"


def sse(*events: str) -> bytes:
    return b"".join(f"data: {e}\n\n".encode() for e in events)


def chunk(content: str, finish: str | None = None) -> str:
    delta = {"content": content} if content else {}
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return json.dumps({"id": "c1", "choices": [choice]})


def gzip_zeros(size: int, byte: bytes = b"a") -> bytes:
    """A gzip body that inflates to ``size`` copies of ``byte`` (no line end in it)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = byte * (1 << 20)
    parts = [comp.compress(block) for _ in range(size >> 20)]
    parts.append(comp.flush())
    return b"".join(parts)


class HostileServer:
    """``with HostileServer(behaviour) as server:`` ... ``server.url`` (no trailing /v1)."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.requests: list[bytes] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="hostile-server", daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        tasks: set[asyncio.Task] = set()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            tasks.add(asyncio.current_task())  # type: ignore[arg-type]
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length) if length else b""
                self.requests.append(head + body)
                await self.behaviour(writer)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
            for task in tasks:
                task.cancel()
            with contextlib.suppress(Exception):
                await asyncio.gather(*tasks, return_exceptions=True)


# -- behaviours --------------------------------------------------------------------------------


def done_then_hold(*events: str, hold: float = 60.0) -> Behaviour:
    """An event stream that ends with [DONE] and then keeps the socket open."""

    async def run(writer: asyncio.StreamWriter) -> None:
        writer.write(SSE_HEAD + sse(*events, "[DONE]"))
        await writer.drain()
        await asyncio.sleep(hold)

    return run


def drip(payload: bytes, interval: float = 0.1, head: bytes = SSE_HEAD) -> Behaviour:
    """``head``, then ``payload`` one byte every ``interval`` seconds, repeated forever."""

    async def run(writer: asyncio.StreamWriter) -> None:
        writer.write(head)
        while True:
            for i in range(len(payload)):
                writer.write(payload[i : i + 1])
                await writer.drain()
                await asyncio.sleep(interval)

    return run


def send_all(data: bytes, hold: float = 0.0) -> Behaviour:
    """Write ``data`` (a whole response), then keep the socket open ``hold`` seconds."""

    async def run(writer: asyncio.StreamWriter) -> None:
        writer.write(data)
        await writer.drain()
        if hold:
            await asyncio.sleep(hold)

    return run


def gzip_reply(body: bytes, content_type: str = "text/event-stream") -> bytes:
    """A whole response whose (gzip) ``body`` runs until the connection closes."""
    return (
        f"HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-encoding: gzip\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode() + body
