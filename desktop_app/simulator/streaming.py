"""The SSE response: pacing, batching, stream faults, and noticing client disconnects."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

from starlette.types import Receive, Scope, Send

from .chunks import (
    DONE_EVENT,
    ChunkEncoder,
    delta_json,
    logprob_entry,
    stream_error_event,
    usage_json,
    with_alternatives,
)
from .config import Fault
from .plan import REASONING_KINDS, Outcome

TOKEN = object()  # a completion token was generated (fault thresholds count these)
STEP = object()  # an engine step starts (pacing)
END = object()  # all tokens generated; finish chunks follow
_BATCH = 32
log = logging.getLogger(__name__)
SSE_HEADERS = [(b"content-type", b"text/event-stream; charset=utf-8")]


class DropConnection(Exception):
    """Raised to make uvicorn close the socket mid-response (fault injection)."""


class CompletionStream:
    """An ASGI response streaming one chat completion."""

    def __init__(self, encoder: ChunkEncoder, outcomes: list[Outcome], *, role: str,
                 call_ids: list[list[str]], prompt_tokens: int, continuous_usage: bool,
                 show_reasoning: bool, top_logprobs: int | None, fault: Fault | None,
                 tokens_per_second: float | None, on_disconnect: Callable[[], None]) -> None:
        self.encoder = encoder
        self.outcomes = outcomes
        self.role = role
        self.call_ids = call_ids
        self.prompt_tokens = prompt_tokens
        self.continuous = continuous_usage
        self.show_reasoning = show_reasoning
        self.top_logprobs = top_logprobs
        self.fault = fault or Fault()
        self.interval = 1.0 / tokens_per_second if tokens_per_second else 0.0
        self.on_disconnect = on_disconnect

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        stream = asyncio.ensure_future(self._run(send))
        watch = asyncio.ensure_future(self._watch(receive))
        try:
            await asyncio.wait({stream, watch}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            watch.cancel()
            if not stream.done():
                stream.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await stream
                if watch.done() and not watch.cancelled():
                    self.on_disconnect()
        if stream.cancelled():
            # The client went away (Stop in the app): normal, so one line and no traceback.
            # Re-raising the stream's cancellation would make uvicorn log it as an error.
            log.info("client disconnected mid-stream; generation stopped")
            return
        stream.result()

    @staticmethod
    async def _watch(receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    def _usage(self, completion: int, reasoning: int) -> str | None:
        return usage_json(self.prompt_tokens, completion, reasoning) if self.continuous else None

    def _logprobs(self, step: tuple[str, str, int]) -> str:
        # Reasoning tokens carry logprobs too, but only when the reasoning itself is shown.
        kind = step[0]
        if self.top_logprobs is None or not step[1] or not (
                kind == "c" or (kind == "r" and self.show_reasoning)):
            return "null"
        entry = with_alternatives(logprob_entry(step[1]), self.top_logprobs)
        return json.dumps({"content": [entry]}, ensure_ascii=False, separators=(",", ":"))

    def _finish(self, index: int, outcome: Outcome, reasoning: int) -> str:
        text = outcome.final_text
        delta = f'{{"content":{json.dumps(text, ensure_ascii=False)}}}' if text else "{}"
        usage = self._usage(outcome.completion_tokens, reasoning)
        return self.encoder.finish(index, delta, outcome, usage)

    def _items(self) -> Iterator[Any]:
        """Events and markers in wire order; choices advance one token per engine step."""
        enc = self.encoder
        for index in range(len(self.outcomes)):
            yield enc.role(index, self.role, self._usage(0, 0))
        reasoning = [0] * len(self.outcomes)
        longest = max((len(o.steps) for o in self.outcomes), default=0)
        for index, outcome in enumerate(self.outcomes):
            if not outcome.steps:
                yield self._finish(index, outcome, 0)
        for k in range(longest):
            yield STEP
            for index, outcome in enumerate(self.outcomes):
                if k >= len(outcome.steps):
                    continue
                step = outcome.steps[k]
                yield TOKEN
                reasoning[index] += step[0] in REASONING_KINDS
                last = k == len(outcome.steps) - 1
                delta = delta_json(step, self.call_ids[index], self.show_reasoning)
                usage = self._usage(k + 1, reasoning[index])
                if last and outcome.on_last_step:
                    yield enc.finish(index, delta or "{}", outcome, usage, self._logprobs(step))
                    continue
                if delta is not None:
                    yield enc.delta(index, delta, usage, self._logprobs(step))
                if last:
                    yield self._finish(index, outcome, reasoning[index])
        yield END
        if enc.include_usage:
            completion = sum(o.completion_tokens for o in self.outcomes)
            yield enc.usage(usage_json(self.prompt_tokens, completion, sum(reasoning)))
        yield DONE_EVENT

    async def _run(self, send: Send) -> None:
        fault = self.fault
        if fault.first_byte_delay:
            await asyncio.sleep(fault.first_byte_delay)
        await send({"type": "http.response.start", "status": 200, "headers": SSE_HEADERS})
        loop = asyncio.get_running_loop()
        next_time = loop.time()
        count = 0
        buffer: list[str] = []

        async def flush(more: bool = True) -> None:
            await send({"type": "http.response.body", "body": "".join(buffer).encode(),
                        "more_body": more})
            buffer.clear()

        total = sum(len(o.steps) for o in self.outcomes)
        stall = _effective(fault.stall_after_tokens, total)
        malformed = _effective(fault.malformed_after_tokens, total)
        drop = _effective(fault.drop_after_tokens, total)
        error = _effective(fault.stream_error_after_tokens, total)
        for item in self._items():
            if item is STEP:
                if self.interval:
                    next_time += self.interval
                    delay = next_time - loop.time()
                    if delay > 0:
                        await flush()
                        await asyncio.sleep(delay)
                continue
            if item is TOKEN or item is END:
                if count == stall:
                    await flush()
                    await self._stall(send, fault)
                if count == malformed:
                    buffer.append('data: {"id":"chatcmpl-broken","choices":[{"delta":{"cont\n\n')
                if count == drop:
                    await flush()
                    raise DropConnection
                if count == error:
                    buffer.append(stream_error_event(fault.stream_error_message))
                    buffer.append(DONE_EVENT)
                    await flush(more=False)
                    return
                count += item is TOKEN
                continue
            buffer.append(item)
            if len(buffer) >= _BATCH:
                await flush()
                await asyncio.sleep(0)  # let the disconnect watcher and other clients run
        if fault.hold_open_after_done:
            await flush()  # [DONE] is out; the body stays open
            await asyncio.sleep(fault.hold_open_after_done)
        await flush(more=False)

    @staticmethod
    async def _stall(send: Send, fault: Fault) -> None:
        """Send no data for `stall_seconds`: silence, or only SSE comments."""
        interval = fault.keepalive_interval
        if not interval:
            await asyncio.sleep(fault.stall_seconds)
            return
        loop = asyncio.get_running_loop()
        end = loop.time() + fault.stall_seconds
        while loop.time() < end:
            await send({"type": "http.response.body", "body": b": keep-alive\n\n",
                        "more_body": True})
            await asyncio.sleep(min(interval, max(end - loop.time(), 0)))


def _effective(threshold: int | None, total: int) -> int | None:
    """A fault fires after `threshold` tokens; if the reply is shorter, before its last token
    (so the finish chunk never arrives)."""
    if threshold is None:
        return None
    return min(threshold, max(total - 1, 0))


async def send_faulty_json(send: Send, status: int, body: bytes, fault: Fault) -> None:
    """A non-streaming answer under a fault: stall, drop mid-body, error or malformed JSON."""
    if fault.stall_after_tokens is not None:
        await asyncio.sleep(fault.stall_seconds)
    if fault.stream_error_after_tokens is not None:
        status = 500
        body = json.dumps({"error": {"message": fault.stream_error_message,
                                     "type": "InternalServerError", "param": None,
                                     "code": 500}}, separators=(",", ":")).encode()
    elif fault.malformed_after_tokens is not None:
        body = body[: max(len(body) // 2, 1)]
    headers = [(b"content-length", str(len(body)).encode()),
               (b"content-type", b"application/json")]
    if fault.drop_after_tokens is not None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body[: len(body) // 2],
                    "more_body": True})
        raise DropConnection
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
