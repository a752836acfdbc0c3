"""Running one streamed chat request on asyncio: bytes -> SSE events -> deltas -> the fold."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import suppress
from typing import Any, cast

import httpx

from .accumulator import Accumulator, StreamEvent
from .chat_stream import ChatStream, error_reply, is_event_stream
from .connection import CallContext, redirect_error
from .errors import GemmaAPIError, ReplyStalled
from .limits import MAX_BODY_BYTES, MAX_ERROR_BODY_BYTES, read_body
from .trace import WireTrace
from .transport import close_quietly, translate_errors

__all__ = ["CallContext", "stream_events", "stream_reads"]


async def _body_unless_event_stream(
    response: httpx.Response, ctx: CallContext, trace: WireTrace | None
) -> bytes | None:
    """None for an event stream; else the (bounded) body of a 2xx reply, or the error."""
    status = response.status_code
    if status < 300 and is_event_stream(response):
        return None
    if 300 <= status < 400:
        raise redirect_error(status, response.headers.get("location"), ctx)
    failed = status >= 400
    with translate_errors(ctx.url, ctx.timeout):
        raw = await read_body(
            response, MAX_ERROR_BODY_BYTES if failed else MAX_BODY_BYTES, truncate=failed
        )
    if failed:
        raise error_reply(response, raw, ctx, trace)
    return raw


# After [DONE], how long and how much more the body may take to end. vLLM ends it at once,
# and a body read to its end lets the connection serve the next request; a server that keeps
# it open only loses its connection.
_AFTER_DONE_SECONDS = 0.5
_AFTER_DONE_BYTES = 64 * 1024


async def _finish_body(chunks: AsyncGenerator[bytes]) -> None:
    left = _AFTER_DONE_BYTES
    with suppress(TimeoutError, httpx.HTTPError):
        async with asyncio.timeout(_AFTER_DONE_SECONDS):
            async for chunk in chunks:
                left -= len(chunk)
                if left < 0:
                    return


def stalled(seconds: float) -> ReplyStalled:
    return ReplyStalled(
        f"The server went silent for {seconds:g} s: no reply data arrived in that time "
        "(keep-alive comments do not count), so the reply was ended. Press Retry to ask "
        "again; the stall limit is in Servers & settings.",
        seconds=seconds,
    )


def stream_events(
    http: httpx.AsyncClient,
    request: httpx.Request,
    body: dict[str, Any],
    ctx: CallContext,
    trace: WireTrace | None,
    stall: float | None = None,
) -> AsyncIterator[StreamEvent]:
    """Send ``request`` and yield one ``StreamEvent`` per chunk of choice data (see
    ``_stream``)."""
    stream = _stream(http, request, body, ctx, trace, stall, per_read=False)
    return cast(AsyncIterator[StreamEvent], stream)


def stream_reads(
    http: httpx.AsyncClient,
    request: httpx.Request,
    body: dict[str, Any],
    ctx: CallContext,
    trace: WireTrace | None,
    stall: float | None = None,
) -> AsyncIterator[Accumulator]:
    """``stream_events`` for a view that reads the reply from the accumulator: the same
    request, reading, errors and trace, but the accumulator is yielded once per network read
    that brought data, and no ``StreamEvent`` is made per chunk."""
    stream = _stream(http, request, body, ctx, trace, stall, per_read=True)
    return cast(AsyncIterator[Accumulator], stream)


async def _stream(
    http: httpx.AsyncClient,
    request: httpx.Request,
    body: dict[str, Any],
    ctx: CallContext,
    trace: WireTrace | None,
    stall: float | None,
    *,
    per_read: bool,
) -> AsyncIterator[StreamEvent | Accumulator]:
    """Send ``request`` and yield what arrives: a ``StreamEvent`` per chunk, or with
    ``per_read`` the accumulator per network read.

    The response is closed on every path, so cancelling the consumer or leaving its loop
    closes the connection and vLLM stops generating. Errors carry ``partial``. The reply
    ends at ``[DONE]``, whatever the server does with the connection afterwards. With
    ``stall`` (seconds), a reply that brings no data event for that long (from the request
    on; SSE comments do not count) ends with ``ReplyStalled``.
    """
    stream = ChatStream(trace)
    step = stream.reads if per_read else stream.events
    response: httpx.Response | None = None
    chunks: AsyncGenerator[bytes] | None = None
    if trace is not None:
        trace.begin(request.method, ctx.url, request.headers.items(), body, ctx.hidden)
    loop = asyncio.get_running_loop()
    limit = stall or 0.0  # 0: no stall limit
    quiet_until = loop.time() + limit if limit else None
    try:
        with translate_errors(ctx.url, ctx.timeout):
            if quiet_until is None:
                response = await http.send(request, stream=True)
            else:
                try:
                    async with asyncio.timeout_at(quiet_until):
                        response = await http.send(request, stream=True)
                except TimeoutError:
                    raise stalled(limit) from None
        if trace is not None:
            trace.got_response(response.status_code, response.headers)
        raw = await _body_unless_event_stream(response, ctx, trace)
        if raw is not None:
            for event in stream.whole_reply(response, raw, ctx):
                yield stream.accumulator if per_read else event
        else:
            with translate_errors(ctx.url, ctx.timeout):
                # Each network read as it arrives: no re-chunking, so no token waits for more.
                reads: AsyncGenerator[bytes] = response.aiter_bytes()  # type: ignore[assignment]
                chunks = reads
                if quiet_until is None:
                    async for chunk in reads:
                        for item in step(chunk):
                            yield item
                        if stream.done:
                            break
                else:
                    while not stream.done:
                        try:
                            # Only around the read: a timeout must never fire in the consumer.
                            async with asyncio.timeout_at(quiet_until):
                                chunk = await anext(reads)
                        except StopAsyncIteration:
                            break
                        except TimeoutError:
                            raise stalled(limit) from None
                        for item in step(chunk):
                            quiet_until = loop.time() + limit
                            yield item
                if stream.done:
                    await _finish_body(reads)
        stream.end()
    except GemmaAPIError as exc:
        if stream.settle(exc, ctx):
            return
        raise
    except (asyncio.CancelledError, GeneratorExit):
        if trace is not None:
            trace.error = "stopped by the client"
        raise
    finally:
        if chunks is not None:
            # Left early ([DONE], a stall, an error): close the reader here, on this loop.
            with suppress(httpx.HTTPError):
                await chunks.aclose()
        if response is not None:
            await close_quietly(response)
        if trace is not None:
            trace.finish()
