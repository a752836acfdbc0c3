"""``SyncVLLMClient``: the chat calls of ``VLLMClient`` without asyncio, for one-shot tools.

A command that sends one request and exits (``gemma-desk ask``) has nothing to overlap, and
an event loop costs it start-up time (asyncio, anyio) and a little per read. This client
blocks instead, and shares everything else with ``VLLMClient``: the request body, the stream
core (``ChatStream``: SSE decoding, chunk parsing, accumulation, the end-of-reply checks)
and the error mapping, so a reply or a failure comes out the same through either.
"""

from __future__ import annotations

import ssl
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from .accumulator import Accumulator, StreamEvent
from .chat_stream import ChatStream, error_reply, is_event_stream
from .connection import (
    CallContext,
    client_headers,
    json_reply,
    redact,
    redirect_error,
    split_base_url,
    ssl_context,
)
from .errors import GemmaAPIError, TransportError
from .limits import MAX_BODY_BYTES, MAX_ERROR_BODY_BYTES, Deadline, read_body_sync
from .replies import parse_completion
from .request import ChatRequest
from .results import Completion
from .server_facts import (
    Answer,
    ServerFacts,
    TokenCount,
    probe_calls,
    read_token_count,
    tokenize_body,
)
from .transport import DEFAULT_TIMEOUT, close_quietly_sync, translate_errors
from .url_secrets import redact_url

if TYPE_CHECKING:
    from .trace import WireTrace


class SyncVLLMClient:
    """Chat with one vLLM server from blocking code; ``close`` (or ``with``) when done.

    ``deadline`` (seconds) bounds each whole call, whatever the server sends meanwhile (a
    byte at a time, or keep-alives forever): past it, ``DeadlineExceeded``. Redirects are
    never followed (``RedirectError``).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: httpx.Timeout | None = None,
        verify: bool | str | ssl.SSLContext = True,
        transport: httpx.BaseTransport | None = None,
        deadline: float | None = None,
    ) -> None:
        self.root_url, self.api_base = split_base_url(base_url)
        self._api_key = api_key or None
        self.timeout = timeout or DEFAULT_TIMEOUT
        self.deadline = deadline
        self._http = httpx.Client(
            headers=client_headers(self._api_key),
            timeout=self.timeout,
            verify=ssl_context(verify),
            transport=transport,
            # A redirect would carry the key and the conversation to another address.
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        key = "***" if self._api_key else None
        return f"SyncVLLMClient(base_url={redact_url(self.api_base)!r}, api_key={key!r})"

    def _context(self, url: str) -> CallContext:
        deadline = Deadline(self.deadline) if self.deadline else None
        return CallContext(url=url, timeout=self.timeout, secret=self._api_key, deadline=deadline)

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
        ctx = self._context(url)
        try:
            status, content_type, raw, location = self._exchange("POST", body, ctx, url, trace)
            payload = json_reply(status, content_type, raw, ctx, location)
        except GemmaAPIError as exc:
            ctx.fail(exc, trace)
            raise
        return parse_completion(payload)

    def count_tokens(self, request: ChatRequest) -> TokenCount:
        """``VLLMClient.count_tokens``: the prompt tokens ``request`` would use (/tokenize)."""
        url = f"{self.root_url}/tokenize"
        return read_token_count(self._call_json("POST", url, tokenize_body(request)))

    def probe(self, model: str | None = None) -> ServerFacts:
        """``VLLMClient.probe``: what the server can do; only listing the models may raise."""
        steps = probe_calls(model)
        answer: Answer | None = None
        try:
            while True:
                call = steps.send(answer) if answer is not None else next(steps)
                base = self.root_url if call.where == "root" else self.api_base
                try:
                    answer = self._call_json(call.method, base + call.path, call.body)
                except GemmaAPIError as exc:
                    answer = exc
        except StopIteration as done:
            facts: ServerFacts = done.value
            return facts

    def _call_json(self, method: str, url: str, body: dict[str, Any] | None) -> dict[str, Any]:
        ctx = self._context(url)
        try:
            status, content_type, raw, location = self._exchange(method, body, ctx, url, None)
            return json_reply(status, content_type, raw, ctx, location)
        except GemmaAPIError as exc:
            ctx.fail(exc, None)
            raise

    def stream(
        self, request: ChatRequest, trace: WireTrace | None = None
    ) -> Generator[StreamEvent, None, None]:
        """Stream a chat completion: a generator of one ``StreamEvent`` per chunk.

        Nothing is sent until the first iteration. The HTTP response is closed however the
        loop ends; after a ``break``, at once inside ``contextlib.closing(client.stream(...))``.
        """
        body = replace(request, stream=True).to_wire()
        url = f"{self.api_base}/chat/completions"
        http_request = self._http.build_request(
            "POST", url, json=body, headers={"Accept": "text/event-stream"}
        )
        ctx = self._context(url)
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
        ctx = self._context(url)
        stream = ChatStream(trace, accumulator)
        for _ in _run_stream(self._http, http_request, body, ctx, stream, events=False):
            pass  # yields nothing: each chunk went into the accumulator
        return stream.accumulator.result()

    def _exchange(
        self,
        method: str,
        body: dict[str, Any] | None,
        ctx: CallContext,
        url: str,
        trace: WireTrace | None,
    ) -> tuple[int, str | None, bytes, str | None]:
        """Send one request and read the whole reply (bounded, see ``limits``): status,
        content type, body, and the Location header of a redirect."""
        request = self._http.build_request(method, url, json=body)
        deadline = ctx.deadline
        if trace is not None:
            trace.begin(method, ctx.url, request.headers.items(), body or {}, ctx.hidden)
        response: httpx.Response | None = None
        try:
            with _within(ctx):
                if deadline is not None:
                    deadline.cap(request)
                response = self._http.send(request, stream=True)
                if trace is not None:
                    trace.got_response(response.status_code, response.headers)
                status = response.status_code
                if 300 <= status < 400:
                    raw = b""  # never followed, so its body is of no use
                else:
                    if deadline is not None:
                        deadline.check()
                        deadline.cap(request)
                    limit = MAX_ERROR_BODY_BYTES if status >= 400 else MAX_BODY_BYTES
                    raw = read_body_sync(response, limit, truncate=status >= 400, deadline=deadline)
            if trace is not None:
                trace.set_body(raw)
            headers = response.headers
            return status, headers.get("content-type"), raw, headers.get("location")
        except GemmaAPIError as exc:
            redact(exc, ctx.hidden)
            if trace is not None:
                trace.error = exc.user_message
            raise
        finally:
            if response is not None:
                close_quietly_sync(response)
            if trace is not None:
                trace.finish()


@contextmanager
def _within(ctx: CallContext) -> Iterator[None]:
    """``translate_errors``, and past the call's deadline any transport failure (a read that
    timed out at the time left, most often) is reported as the deadline."""
    try:
        with translate_errors(ctx.url, ctx.timeout):
            yield
    except TransportError as exc:
        if ctx.deadline is not None and ctx.deadline.expired():
            raise ctx.deadline.error() from exc
        raise


def _body_unless_event_stream(
    response: httpx.Response, ctx: CallContext, trace: WireTrace | None
) -> bytes | None:
    """None for an event stream; else the (bounded) body of a 2xx reply, or the error."""
    status = response.status_code
    if status < 300 and is_event_stream(response):
        return None
    if 300 <= status < 400:
        raise redirect_error(status, response.headers.get("location"), ctx)
    failed = status >= 400
    with _within(ctx):
        raw = read_body_sync(
            response,
            MAX_ERROR_BODY_BYTES if failed else MAX_BODY_BYTES,
            truncate=failed,
            deadline=ctx.deadline,
        )
    if failed:
        raise error_reply(response, raw, ctx, trace)
    return raw


def stream_events_sync(
    http: httpx.Client,
    request: httpx.Request,
    body: dict[str, Any],
    ctx: CallContext,
    trace: WireTrace | None,
) -> Generator[StreamEvent, None, None]:
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
) -> Generator[StreamEvent, None, None]:
    """Send ``request`` and feed the reply to ``stream``: yield its events (``events``), or
    only fold them into its accumulator and yield nothing."""
    trace = stream.trace
    response: httpx.Response | None = None
    deadline = ctx.deadline
    if trace is not None:
        trace.begin(request.method, ctx.url, request.headers.items(), body, ctx.hidden)
    try:
        with _within(ctx):
            if deadline is not None:
                deadline.cap(request)
            response = http.send(request, stream=True)
            if deadline is not None:
                deadline.check()
                deadline.cap(request)  # the body's reads wait at most the time left
        if trace is not None:
            trace.got_response(response.status_code, response.headers)
        raw = _body_unless_event_stream(response, ctx, trace)
        if raw is not None:
            if events:
                yield from stream.whole_reply(response, raw, ctx)
            else:
                for _event in stream.whole_reply(response, raw, ctx):
                    pass
        else:
            with _within(ctx):
                # Each network read as it arrives: no re-chunking, so no token waits for more.
                # The reply ends at [DONE], even if the server keeps the connection open.
                for chunk in _body_chunks(response):
                    if events:
                        yield from stream.events(chunk)
                    else:
                        stream.absorb(chunk)
                    if stream.done:
                        break
                    if deadline is not None:
                        deadline.check()
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


def _body_chunks(response: httpx.Response) -> Iterator[bytes]:
    """The body's network reads as they arrive, decoded. A body sent without a content
    encoding (vLLM's streams) is read raw: the same bytes, without the decoder and re-chunker
    that ``iter_bytes`` runs per read, which for a stream is once per token."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return response.iter_raw()
    return response.iter_bytes()

