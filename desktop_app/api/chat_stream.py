"""A streamed chat reply without the I/O: bytes in, deltas folded, errors settled.

``streaming.stream_events`` (asyncio) and ``sync_client.stream_events_sync`` (blocking) both
drive a ``ChatStream`` the same way, so both clients read a reply, check it and fail with
exactly the same results. Nothing here imports asyncio.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx

from .accumulator import Accumulator, StreamEvent
from .chunks import parse_chunk
from .connection import CallContext
from .errors import (
    ConnectionDropped,
    GemmaAPIError,
    ProtocolError,
    TransportError,
    error_from_response,
)
from .limits import MAX_STREAM_BYTES, too_large
from .sse import SSEDecoder

if TYPE_CHECKING:
    from .trace import WireTrace

_DONE = "[DONE]"


def error_reply(
    response: httpx.Response, raw: bytes, ctx: CallContext, trace: WireTrace | None
) -> GemmaAPIError:
    """The error a reply with status >= 400 stands for, given its body."""
    if trace is not None:
        trace.set_body(raw)
    return error_from_response(
        response.status_code,
        raw,
        response.headers.get("content-type"),
        url=ctx.url,
        api_key_sent=ctx.secret is not None,
    )


def is_event_stream(response: httpx.Response) -> bool:
    return "text/event-stream" in response.headers.get("content-type", "").lower()


def not_an_event_stream(
    response: httpx.Response, raw: bytes, ctx: CallContext, trace: WireTrace | None
) -> GemmaAPIError:
    """The error for a successful reply that is not an event stream, given its body."""
    from .error_bodies import excerpt  # only on this error path

    if trace is not None:
        trace.set_body(raw)
    content_type = response.headers.get("content-type", "")
    # vLLM can send an error body with status 200 (docs/protocol.md §2.3).
    if _has_error_key(raw):
        return error_from_response(response.status_code, raw, content_type, url=ctx.url)
    return ProtocolError(
        f"The server answered with {content_type or 'an unlabelled body'} instead of an "
        "event stream. Check that the base URL points at a vLLM server.",
        excerpt=excerpt(raw),
    )


def _has_error_key(raw: bytes) -> bool:
    payload = _json_object(raw)
    return payload is not None and "error" in payload


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


def completion_as_chunk(payload: dict[str, Any]) -> str | None:
    """A whole ``chat.completion`` as the data of one stream chunk, or None when ``payload``
    is not one. Some proxies and gateways ignore ``"stream": true`` and answer with the whole
    reply at once; read as one chunk, it is shown and kept like a streamed one."""
    from .replies import parse_completion  # only on this path

    if "error" in payload or not isinstance(payload.get("choices"), list):
        return None
    try:
        completion = parse_completion(payload)
    except ProtocolError:
        return None
    delta: dict[str, object] = {"role": "assistant"}
    if completion.content:
        delta["content"] = completion.content
    if completion.reasoning:
        delta["reasoning"] = completion.reasoning
    if completion.tool_calls:
        delta["tool_calls"] = [
            {
                "index": i,
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for i, call in enumerate(completion.tool_calls)
        ]
    chunk: dict[str, object] = {
        "id": completion.id,
        "object": "chat.completion.chunk",
        "model": completion.model,
        "choices": [
            {
                "index": 0,
                "delta": delta,
                "finish_reason": completion.finish_reason or "stop",
                "stop_reason": completion.stop_reason,
            }
        ],
    }
    if isinstance(payload.get("usage"), dict):
        chunk["usage"] = payload["usage"]
    if completion.system_fingerprint:
        chunk["system_fingerprint"] = completion.system_fingerprint
    return json.dumps(chunk, ensure_ascii=False)


def _dropped() -> ConnectionDropped:
    return ConnectionDropped(
        "The reply stream ended before the server said it was complete. Try again; if it "
        "keeps happening, check the server's log or any proxy in between."
    )


class ChatStream:
    """The state of one streamed reply: the SSE decoder, the accumulator, ``[DONE]``."""

    __slots__ = ("accumulator", "decoder", "done", "received", "trace")

    def __init__(self, trace: WireTrace | None, accumulator: Accumulator | None = None) -> None:
        self.accumulator = Accumulator() if accumulator is None else accumulator
        self.decoder = SSEDecoder()
        self.done = False
        self.received = 0  # bytes of the reply so far, bounded by MAX_STREAM_BYTES
        self.trace = trace

    def _count(self, chunk: bytes) -> None:
        self.received += len(chunk)
        if self.received > MAX_STREAM_BYTES:
            raise too_large("the streamed reply", MAX_STREAM_BYTES)

    def whole_reply(
        self, response: httpx.Response, raw: bytes, ctx: CallContext
    ) -> Iterator[StreamEvent]:
        """A successful reply that is not an event stream: a whole ``chat.completion`` is
        the reply (one event); anything else is the error it stands for."""
        payload = _json_object(raw)
        data = completion_as_chunk(payload) if payload is not None else None
        if data is None:
            raise not_an_event_stream(response, raw, ctx, self.trace)
        if self.trace is not None:
            self.trace.set_body(raw)
        event = StreamEvent.fold(self.accumulator, parse_chunk(data))
        if self.trace is not None:
            self.trace.mark_first_token()
        self.done = True
        yield event

    def events(self, chunk: bytes) -> Iterator[StreamEvent]:
        """The events of the chunks of choice data that ``chunk`` completes.

        A generator, so that a chunk that fails to parse raises only after the events
        before it in the same bytes have been handed on. After ``[DONE]`` the reply is over:
        ``done`` is set and the caller stops reading, even if the server keeps the
        connection open.
        """
        if self.done:
            return
        self._count(chunk)
        trace = self.trace
        accumulator = self.accumulator
        fold = StreamEvent.fold
        for data in self.decoder.feed_data(chunk):
            if trace is not None:
                trace.add_event(data)
            if data[:1] != "{":  # not a chunk's JSON object: [DONE], blank, or bad data
                stripped = data.strip()
                if stripped == _DONE:
                    self.done = True
                    return
                if not stripped:
                    continue
            event = fold(accumulator, parse_chunk(data))
            if trace is not None and (
                event.content_delta or event.reasoning_delta or event.delta.tool_calls
            ):
                trace.mark_first_token()
            yield event

    def absorb(self, chunk: bytes) -> int:
        """``events`` for a caller that reads the reply from the accumulator: the same steps
        (and the same trace), but no ``StreamEvent`` is made per chunk. Returns how many
        chunks it added; a chunk that fails to parse raises after those before it were
        added."""
        if self.done:
            return 0
        # _count, inlined: for `ask` this runs once per token (h11 hands over each HTTP chunk).
        self.received += len(chunk)
        if self.received > MAX_STREAM_BYTES:
            raise too_large("the streamed reply", MAX_STREAM_BYTES)
        trace = self.trace
        add = self.accumulator.add
        added = 0
        for data in self.decoder.feed_data(chunk):
            if trace is not None:
                trace.add_event(data)
            if data[:1] != "{":  # as in events: [DONE], blank, or bad data
                stripped = data.strip()
                if stripped == _DONE:
                    self.done = True
                    break
                if not stripped:
                    continue
            delta = parse_chunk(data)
            add(delta)
            added += 1
            if trace is not None and (delta.content or delta.reasoning or delta.tool_calls):
                trace.mark_first_token()
        return added

    def reads(self, chunk: bytes) -> Iterator[Accumulator]:
        """The accumulator once when ``chunk`` added at least one chunk of data: one item per
        network read, however many tokens it held (what a view that repaints per frame
        needs)."""
        if self.absorb(chunk):
            yield self.accumulator

    def end(self) -> None:
        """The bytes are over: raise when they did not hold a whole reply."""
        self.decoder.flush()
        # Without [DONE] a finish_reason still proves the reply is whole (only the usage
        # chunk may be missing); without either, the stream was cut short.
        if not self.done and self.accumulator.finish_reason is None:
            raise _dropped()

    def settle(self, exc: GemmaAPIError, ctx: CallContext) -> bool:
        """After ``exc``: True when the reply was whole anyway (the caller ends quietly);
        else ``exc`` gets the partial reply and is redacted, and the caller re-raises it."""
        if isinstance(exc, TransportError) and self.done:
            return True  # the reply was complete; only reading past [DONE] failed
        if isinstance(exc, ConnectionDropped) and self.accumulator.finish_reason is not None:
            return True
        if exc.partial is None and self.accumulator.received_anything:
            exc.keep_partial(self.accumulator.snapshot())
        ctx.fail(exc, self.trace)
        return False
