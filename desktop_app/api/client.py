"""``VLLMClient``: one server, one long-lived httpx connection pool, every endpoint."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from types import TracebackType
from typing import Any

import httpx

from .accumulator import Accumulator, StreamEvent
from .connection import (
    CallContext,
    client_headers,
    json_reply,
    redact,
    split_base_url,
    ssl_context,
)
from .errors import GemmaAPIError
from .limits import MAX_BODY_BYTES, MAX_ERROR_BODY_BYTES, read_body
from .messages import Message
from .replies import parse_completion, parse_models, parse_token_count, parse_version
from .request import ChatRequest
from .results import Completion, ModelInfo
from .server_facts import (
    Answer,
    ServerFacts,
    TokenCount,
    probe_calls,
    read_token_count,
    tokenize_body,
)
from .server_load import ServerLoad, parse_metrics
from .streaming import stream_events, stream_reads
from .trace import WireTrace
from .transport import DEFAULT_TIMEOUT, SIDE_TIMEOUT, close_quietly, translate_errors
from .url_secrets import redact_url

__all__ = ["VLLMClient", "split_base_url"]


class VLLMClient:
    """Talks to one vLLM server. Create one per server profile; ``aclose`` when done.

    ``stall_limit`` (seconds, or None for none) ends a streamed reply that brings no data
    for that long with ``ReplyStalled``. Redirects are never followed (``RedirectError``).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: httpx.Timeout | None = None,
        verify: bool | str | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | None = None,
        stall_limit: float | None = None,
    ) -> None:
        self.root_url, self.api_base = split_base_url(base_url)
        self._api_key = api_key or None
        self.timeout = timeout or DEFAULT_TIMEOUT
        self.stall_limit = stall_limit
        self._http = httpx.AsyncClient(
            headers=client_headers(self._api_key),
            timeout=self.timeout,
            verify=ssl_context(verify),
            transport=transport,
            # A redirect would carry the key and the conversation to another address.
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        key = "***" if self._api_key else None
        return f"VLLMClient(base_url={redact_url(self.api_base)!r}, api_key={key!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> VLLMClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- chat -------------------------------------------------------------------------

    async def complete(self, request: ChatRequest, trace: WireTrace | None = None) -> Completion:
        """One non-streamed chat completion."""
        body = replace(request, stream=False).to_wire()
        payload = await self._call_json("POST", f"{self.api_base}/chat/completions", body, trace)
        return parse_completion(payload)

    def stream(
        self, request: ChatRequest, trace: WireTrace | None = None
    ) -> AsyncIterator[StreamEvent]:
        """Stream a chat completion: an async generator of one ``StreamEvent`` per chunk.

        Nothing is sent until the first iteration. The HTTP response is closed however the
        loop ends (finished, error, task cancelled, ``break``); after a ``break`` the close
        happens when the generator is collected, or at once inside
        ``contextlib.aclosing(client.stream(...))``.
        """
        return stream_events(self._http, *self._stream_call(request), trace, self.stall_limit)

    def _stream_call(
        self, request: ChatRequest
    ) -> tuple[httpx.Request, dict[str, Any], CallContext]:
        body = replace(request, stream=True).to_wire()
        url = f"{self.api_base}/chat/completions"
        http_request = self._http.build_request(
            "POST", url, json=body, headers={"Accept": "text/event-stream"}
        )
        return http_request, body, CallContext(url=url, timeout=self.timeout, secret=self._api_key)

    def follow(
        self, request: ChatRequest, trace: WireTrace | None = None
    ) -> AsyncIterator[Accumulator]:
        """``stream`` for a view that shows the running reply: the same request, reading,
        errors and trace, but it yields the ``Accumulator`` (the reply so far) once per
        network read that brought data, however many chunks the read held, and makes no
        ``StreamEvent`` per chunk. Read ``snapshot()`` when it is time to repaint."""
        return stream_reads(self._http, *self._stream_call(request), trace, self.stall_limit)

    # -- other endpoints ----------------------------------------------------------------

    async def list_models(self) -> list[ModelInfo]:
        """The models the server serves (``GET /v1/models``)."""
        return parse_models(await self._call_json("GET", f"{self.api_base}/models"))

    async def health(self) -> bool:
        """True when ``GET /health`` answers 200; False for any other status.

        Raises a ``TransportError`` when the server cannot be reached at all, so the
        caller can say why (host not found, refused, timeout).
        """
        status, _, _, _ = await self._exchange("GET", f"{self.root_url}/health", None, None)
        return status == 200

    async def version(self) -> str:
        """The vLLM version string (``GET /version``)."""
        return parse_version(await self._call_json("GET", f"{self.root_url}/version"))

    async def tokenize(
        self,
        messages_or_prompt: str | Sequence[Message] | ChatRequest,
        *,
        model: str | None = None,
    ) -> int:
        """Count tokens with the server's tokenizer and chat template (``POST /tokenize``).

        A ``ChatRequest`` is counted with its tools and thinking flag, as it would be sent.
        """
        body: dict[str, Any]
        if isinstance(messages_or_prompt, str):
            body = {"prompt": messages_or_prompt}
        elif isinstance(messages_or_prompt, ChatRequest):
            wire = messages_or_prompt.to_wire()
            body = {
                k: wire[k]
                for k in ("messages", "tools", "chat_template_kwargs", "model")
                if k in wire
            }
        else:
            body = {"messages": [m.to_wire() for m in messages_or_prompt]}
        if model is not None:
            body["model"] = model
        return parse_token_count(await self._call_json("POST", f"{self.root_url}/tokenize", body))

    async def count_tokens(
        self, request: ChatRequest, *, timeout: httpx.Timeout = SIDE_TIMEOUT
    ) -> TokenCount:
        """The prompt tokens ``request`` would use, counted by the server's own tokenizer and
        chat template (``POST /tokenize``), and its ``max_model_len``. Nothing is generated.
        A server without the route raises ``NotFoundError``."""
        url = f"{self.root_url}/tokenize"
        body = tokenize_body(request)
        return read_token_count(await self._call_json("POST", url, body, timeout=timeout))

    async def probe(
        self, model: str | None = None, *, timeout: httpx.Timeout = SIDE_TIMEOUT
    ) -> ServerFacts:
        """What the server can do (see ``server_facts``): cheap calls that generate nothing
        and touch no conversation. Only a failure to list the models raises."""
        steps = probe_calls(model)
        answer: Answer | None = None
        try:
            while True:
                call = steps.send(answer) if answer is not None else next(steps)
                base = self.root_url if call.where == "root" else self.api_base
                try:
                    answer = await self._call_json(
                        call.method, base + call.path, call.body, timeout=timeout
                    )
                except GemmaAPIError as exc:
                    answer = exc
        except StopIteration as done:
            facts: ServerFacts = done.value
            return facts

    async def metrics(
        self, model: str | None = None, *, timeout: httpx.Timeout = SIDE_TIMEOUT
    ) -> ServerLoad:
        """The server's load from ``GET /metrics`` (Prometheus text). Lines it cannot read
        are skipped; a server without the route raises ``NotFoundError``."""
        url = f"{self.root_url}/metrics"
        ctx = CallContext(url=url, timeout=timeout, secret=self._api_key)
        try:
            status, content_type, raw, location = await self._exchange(
                "GET", url, None, None, timeout=timeout
            )
            if status >= 300:
                json_reply(status, content_type, raw, ctx, location)  # raises the error
        except GemmaAPIError as exc:
            ctx.fail(exc, None)
            raise
        return parse_metrics(raw.decode("utf-8", "replace"), model)

    # -- plumbing -----------------------------------------------------------------------

    async def _call_json(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None = None,
        trace: WireTrace | None = None,
        *,
        timeout: httpx.Timeout | None = None,
    ) -> dict[str, Any]:
        """A non-streamed call whose reply is a JSON object; errors become exceptions."""
        ctx = CallContext(url=url, timeout=timeout or self.timeout, secret=self._api_key)
        try:
            status, content_type, raw, location = await self._exchange(
                method, url, body, trace, timeout=timeout
            )
            return json_reply(status, content_type, raw, ctx, location)
        except GemmaAPIError as exc:
            ctx.fail(exc, trace)
            raise

    async def _exchange(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None,
        trace: WireTrace | None,
        *,
        timeout: httpx.Timeout | None = None,
    ) -> tuple[int, str | None, bytes, str | None]:
        """Send one request and read the whole reply (bounded, see ``limits``): status,
        content type, body, and the Location header of a redirect."""
        wait = timeout or self.timeout
        request = self._http.build_request(method, url, json=body, timeout=wait)
        ctx = CallContext(url=url, timeout=wait, secret=self._api_key)
        if trace is not None:
            trace.begin(method, ctx.url, request.headers.items(), body or {}, ctx.hidden)
        response: httpx.Response | None = None
        try:
            with translate_errors(ctx.url, wait):
                response = await self._http.send(request, stream=True)
                if trace is not None:
                    trace.got_response(response.status_code, response.headers)
                status = response.status_code
                if 300 <= status < 400:
                    raw = b""  # never followed, so its body is of no use
                else:
                    limit = MAX_ERROR_BODY_BYTES if status >= 400 else MAX_BODY_BYTES
                    raw = await read_body(response, limit, truncate=status >= 400)
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
                await close_quietly(response)
            if trace is not None:
                trace.finish()
