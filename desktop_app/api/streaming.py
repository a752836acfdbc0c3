"""Running one streamed chat request: bytes -> SSE events -> deltas -> ``StreamEvent`` s."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from .accumulator import Accumulator, StreamEvent
from .deltas import parse_chunk
from .error_bodies import excerpt
from .errors import (
    ConnectionDropped,
    GemmaAPIError,
    ProtocolError,
    TransportError,
    error_from_response,
)
from .sse import SSEDecoder
from .trace import WireTrace
from .transport import close_quietly, translate_errors


@dataclass(frozen=True, slots=True)
class CallContext:
    """What error messages need to know about the call."""

    url: str
    timeout: httpx.Timeout
    secret: str | None

    def fail(self, exc: GemmaAPIError, trace: WireTrace | None) -> None:
        exc.redact(self.secret)
        if trace is not None:
            trace.error = exc.user_message


async def _read_error(
    response: httpx.Response, ctx: CallContext, trace: WireTrace | None
) -> GemmaAPIError:
    """Read the body of a reply that is an error, and the error it stands for."""
    with translate_errors(ctx.url, ctx.timeout):
        raw = await response.aread()
    if trace is not None:
        trace.set_body(raw)
    return error_from_response(
        response.status_code,
        raw,
        response.headers.get("content-type"),
        url=ctx.url,
        api_key_sent=ctx.secret is not None,
    )


async def _check_event_stream(
    response: httpx.Response, ctx: CallContext, trace: WireTrace | None
) -> None:
    if response.status_code >= 400:
        raise await _read_error(response, ctx, trace)
    content_type = response.headers.get("content-type", "")
    if "text/event-stream" in content_type.lower():
        return
    with translate_errors(ctx.url, ctx.timeout):
        raw = await response.aread()
    if trace is not None:
        trace.set_body(raw)
    # vLLM can send an error body with status 200 (PROTOCOL.md 2.2).
    if _has_error_key(raw):
        raise error_from_response(response.status_code, raw, content_type, url=ctx.url)
    raise ProtocolError(
        f"The server answered with {content_type or 'an unlabelled body'} instead of an "
        "event stream. Check that the base URL points at a vLLM server.",
        excerpt=excerpt(raw),
    )


def _has_error_key(raw: bytes) -> bool:
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(payload, dict) and "error" in payload


def _dropped() -> ConnectionDropped:
    return ConnectionDropped(
        "The reply stream ended before the server said it was complete. Try again; if it "
        "keeps happening, check the server's log or any proxy in between."
    )


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
    accumulator = Accumulator()
    decoder = SSEDecoder()
    response: httpx.Response | None = None
    done = False
    if trace is not None:
        trace.begin(request.method, str(request.url), request.headers.items(), body, ctx.secret)
    try:
        with translate_errors(ctx.url, ctx.timeout):
            response = await http.send(request, stream=True)
        if trace is not None:
            trace.got_response(response.status_code, response.headers)
        await _check_event_stream(response, ctx, trace)
        with translate_errors(ctx.url, ctx.timeout):
            async for chunk in response.aiter_bytes():
                if done:
                    continue  # read to the end, so the connection can serve the next call
                for sse in decoder.feed(chunk):
                    if trace is not None:
                        trace.add_event(sse.data)
                    if sse.data.strip() == "[DONE]":
                        done = True
                        break
                    if not sse.data.strip():
                        continue
                    event = StreamEvent.fold(accumulator, parse_chunk(sse.data))
                    if trace is not None and (
                        event.content_delta or event.reasoning_delta or event.delta.tool_calls
                    ):
                        trace.mark_first_token()
                    yield event
        decoder.flush()
        # Without [DONE] a finish_reason still proves the reply is whole (only the usage
        # chunk may be missing); without either, the stream was cut short.
        if not done and accumulator.finish_reason is None:
            raise _dropped()
    except GemmaAPIError as exc:
        if isinstance(exc, TransportError) and done:
            return  # the reply was complete; only reading past [DONE] failed
        if isinstance(exc, ConnectionDropped) and accumulator.finish_reason is not None:
            return
        if exc.partial is None and accumulator.received_anything:
            exc.keep_partial(accumulator.snapshot())
        ctx.fail(exc, trace)
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
