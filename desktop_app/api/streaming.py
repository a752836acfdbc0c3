"""Running one streamed chat request on asyncio: bytes -> SSE events -> deltas -> events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx

from .accumulator import StreamEvent
from .chat_stream import ChatStream, error_reply, is_event_stream, not_an_event_stream
from .connection import CallContext
from .errors import GemmaAPIError
from .trace import WireTrace
from .transport import close_quietly, translate_errors

__all__ = ["CallContext", "stream_events"]


async def _check_event_stream(
    response: httpx.Response, ctx: CallContext, trace: WireTrace | None
) -> None:
    if response.status_code < 400 and is_event_stream(response):
        return
    with translate_errors(ctx.url, ctx.timeout):
        raw = await response.aread()
    if response.status_code >= 400:
        raise error_reply(response, raw, ctx, trace)
    raise not_an_event_stream(response, raw, ctx, trace)


async def stream_events(
    http: httpx.AsyncClient,
    request: httpx.Request,
    body: dict[str, Any],
    ctx: CallContext,
    trace: WireTrace | None,
) -> AsyncIterator[StreamEvent]:
    """Send ``request`` and yield one ``StreamEvent`` per chunk of choice data.

    The response is closed on every path, so cancelling the consumer or leaving its loop
    closes the connection and vLLM stops generating. Errors carry ``partial``.
    """
    stream = ChatStream(trace)
    response: httpx.Response | None = None
    if trace is not None:
        trace.begin(request.method, str(request.url), request.headers.items(), body, ctx.secret)
    try:
        with translate_errors(ctx.url, ctx.timeout):
            response = await http.send(request, stream=True)
        if trace is not None:
            trace.got_response(response.status_code, response.headers)
        await _check_event_stream(response, ctx, trace)
        with translate_errors(ctx.url, ctx.timeout):
            # Each network read as it arrives: no re-chunking, so no token waits for more.
            async for chunk in response.aiter_bytes():
                for event in stream.events(chunk):
                    yield event
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
        if response is not None:
            await close_quietly(response)
        if trace is not None:
            trace.finish()
