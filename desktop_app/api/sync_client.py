"""``SyncVLLMClient``: the chat calls of ``VLLMClient`` without asyncio, for one-shot tools.

A command that sends one request and exits (``gemma-desk ask``) has nothing to overlap, and
an event loop costs it start-up time (asyncio, anyio) and a little per read. This client
blocks instead, and shares everything else with ``VLLMClient``: the request body, the stream
core (``ChatStream``: SSE decoding, chunk parsing, accumulation, the end-of-reply checks)
and the error mapping, so a reply or a failure comes out the same through either.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from .accumulator import Accumulator, StreamEvent
from .chat_stream import ChatStream, error_reply, is_event_stream, not_an_event_stream
from .connection import CallContext, client_headers, json_reply, split_base_url, ssl_context
from .errors import GemmaAPIError
from .replies import parse_completion
from .request import ChatRequest
from .results import Completion
from .transport import DEFAULT_TIMEOUT, close_quietly_sync, translate_errors

if TYPE_CHECKING:
    from .trace import WireTrace


class SyncVLLMClient:
    """Chat with one vLLM server from blocking code; ``close`` (or ``with``) when done."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: httpx.Timeout | None = None,
        verify: bool | str | ssl.SSLContext = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.root_url, self.api_base = split_base_url(base_url)
        self._api_key = api_key or None
        self.timeout = timeout or DEFAULT_TIMEOUT
        self._http = httpx.Client(
            headers=client_headers(self._api_key),
            timeout=self.timeout,
            verify=ssl_context(verify),
            transport=transport,
        )

    def __repr__(self) -> str:
        key = "***" if self._api_key else None
        return f"SyncVLLMClient(base_url={self.api_base!r}, api_key={key!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncVLLMClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def complete(self, request: ChatRequest, trace: WireTrace | None = None) -> Completion:
        """One non-streamed chat completion."""
        body = replace(request, stream=False).to_wire()
        url = f"{self.api_base}/chat/completions"
        ctx = CallContext(url=url, timeout=self.timeout, secret=self._api_key)
        try:
            status, content_type, raw = self._exchange("POST", url, body, trace)
            payload = json_reply(status, content_type, raw, ctx)
        except GemmaAPIError as exc:
            ctx.fail(exc, trace)
            raise
        return parse_completion(payload)

    def stream(self, request: ChatRequest, trace: WireTrace | None = None) -> Iterator[StreamEvent]:
        """Stream a chat completion: a generator of one ``StreamEvent`` per chunk.

        Nothing is sent until the first iteration. The HTTP response is closed however the
        loop ends; after a ``break``, at once inside ``contextlib.closing(client.stream(...))``.
        """
        body = replace(request, stream=True).to_wire()
        url = f"{self.api_base}/chat/completions"
        http_request = self._http.build_request(
            "POST", url, json=body, headers={"Accept": "text/event-stream"}
        )
        ctx = CallContext(url=url, timeout=self.timeout, secret=self._api_key)
        return stream_events_sync(self._http, http_request, body, ctx, trace)

    def collect(
        self,
        request: ChatRequest,
        accumulator: Accumulator | None = None,
        trace: WireTrace | None = None,
    ) -> Completion:
        """Stream a chat completion and return the whole reply, with no event per chunk.

        For a caller that shows nothing until the end: the same request, reading and
        errors as ``stream``, minus a ``StreamEvent`` per chunk. The chunks go into
        ``accumulator`` as they arrive, so the part that arrived is there if the call is
        interrupted (an error carries it as ``partial``, as with ``stream``).
        """
        body = replace(request, stream=True).to_wire()
        url = f"{self.api_base}/chat/completions"
        http_request = self._http.build_request(
            "POST", url, json=body, headers={"Accept": "text/event-stream"}
        )
        ctx = CallContext(url=url, timeout=self.timeout, secret=self._api_key)
        stream = ChatStream(trace, accumulator)
        for _ in _run_stream(self._http, http_request, body, ctx, stream, events=False):
            pass  # yields nothing: each chunk went into the accumulator
        return stream.accumulator.result()

    def _exchange(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None,
        trace: WireTrace | None,
    ) -> tuple[int, str | None, bytes]:
        """Send one request and read the whole reply: status, content type, body."""
        request = self._http.build_request(method, url, json=body)
        if trace is not None:
            trace.begin(method, url, request.headers.items(), body or {}, self._api_key)
        response: httpx.Response | None = None
        try:
            with translate_errors(url, self.timeout):
                response = self._http.send(request, stream=True)
                if trace is not None:
                    trace.got_response(response.status_code, response.headers)
                raw = response.read()
            if trace is not None:
                trace.set_body(raw)
            return response.status_code, response.headers.get("content-type"), raw
        except GemmaAPIError as exc:
            exc.redact(self._api_key)
            if trace is not None:
                trace.error = exc.user_message
            raise
        finally:
            if response is not None:
                close_quietly_sync(response)
            if trace is not None:
                trace.finish()


def _check_event_stream(
    response: httpx.Response, ctx: CallContext, trace: WireTrace | None
) -> None:
    if response.status_code < 400 and is_event_stream(response):
        return
    with translate_errors(ctx.url, ctx.timeout):
        raw = response.read()
    if response.status_code >= 400:
        raise error_reply(response, raw, ctx, trace)
    raise not_an_event_stream(response, raw, ctx, trace)


def stream_events_sync(
    http: httpx.Client,
    request: httpx.Request,
    body: dict[str, Any],
    ctx: CallContext,
    trace: WireTrace | None,
) -> Iterator[StreamEvent]:
    """``streaming.stream_events`` on a blocking client: the same steps, the same errors.

    Ctrl-C (``KeyboardInterrupt``) or closing the generator stops the stream and closes
    the response, as cancelling the asyncio task does there.
    """
    return _run_stream(http, request, body, ctx, ChatStream(trace), events=True)


def _run_stream(
    http: httpx.Client,
    request: httpx.Request,
    body: dict[str, Any],
    ctx: CallContext,
    stream: ChatStream,
    *,
    events: bool,
) -> Iterator[StreamEvent]:
    """Send ``request`` and feed the reply to ``stream``: yield its events (``events``), or
    only fold them into its accumulator and yield nothing."""
    trace = stream.trace
    response: httpx.Response | None = None
    if trace is not None:
        trace.begin(request.method, str(request.url), request.headers.items(), body, ctx.secret)
    try:
        with translate_errors(ctx.url, ctx.timeout):
            response = http.send(request, stream=True)
        if trace is not None:
            trace.got_response(response.status_code, response.headers)
        _check_event_stream(response, ctx, trace)
        with translate_errors(ctx.url, ctx.timeout):
            # Each network read as it arrives: no re-chunking, so no token waits for more.
            if events:
                for chunk in response.iter_bytes():
                    yield from stream.events(chunk)
            else:
                for chunk in response.iter_bytes():
                    stream.absorb(chunk)
        stream.end()
    except GemmaAPIError as exc:
        if stream.settle(exc, ctx):
            return
        raise
    except (KeyboardInterrupt, GeneratorExit):
        if trace is not None:
            trace.error = "stopped by the client"
        raise
    finally:
        if response is not None:
            close_quietly_sync(response)
        if trace is not None:
            trace.finish()
