"""One chat completion from a validated request: seeded choices and the response to send."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from .chunks import ChunkEncoder, fingerprint, response_body
from .config import Fault, SimulatorConfig
from .plan import Outcome, apply_limits, build_plan
from .replies import compose_reply
from .streaming import CompletionStream, send_faulty_json
from .validation import ChatRequest


def choice_rng(req: ChatRequest, index: int) -> random.Random:
    """Seeded (or greedy) requests repeat exactly for the same messages; others vary."""
    if req.seed is None and req.temperature != 0:
        return random.Random()
    digest = hashlib.sha256(
        json.dumps(req.messages, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()
    key = f"{req.seed if req.seed is not None else 'greedy'}:{index}:{digest}"
    return random.Random(key)


@dataclass
class Completion:
    """The generated choices of one request."""

    outcomes: list[Outcome]
    call_ids: list[list[str]]


def generate(req: ChatRequest, config: SimulatorConfig) -> Completion:
    outcomes: list[Outcome] = []
    call_ids: list[list[str]] = []
    for index in range(req.n):
        reply = compose_reply(req, config, choice_rng(req, index))
        plan = build_plan(reply, config.string_scalars, named=req.tool_choice == "named")
        outcomes.append(apply_limits(plan, req.max_tokens, req.stop, req.include_stop_str))
        call_ids.append([call.id for call in plan.calls])
    return Completion(outcomes, call_ids)


class FaultyJSON(Response):
    """A non-streaming answer delivered under a fault."""

    def __init__(self, status: int, body: bytes, fault: Fault) -> None:
        self.status_code = status
        self.background = None
        self.payload = body
        self.fault = fault

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_faulty_json(send, self.status_code, self.payload, self.fault)


def _has_token_fault(fault: Fault | None) -> bool:
    return fault is not None and any(
        v is not None for v in (fault.stall_after_tokens, fault.drop_after_tokens,
                                fault.stream_error_after_tokens, fault.malformed_after_tokens))


async def completion_response(req: ChatRequest, config: SimulatorConfig, fault: Fault | None,
                              on_disconnect: Callable[[], None],
                              on_generated: Callable[[int], None] | None = None,
                              ) -> Response | CompletionStream:
    completion = generate(req, config)
    if on_generated is not None:
        on_generated(sum(o.completion_tokens for o in completion.outcomes))
    response_id = f"chatcmpl-{req.request_id or uuid.uuid4().hex[:16]}"
    created = int(time.time())
    fp = fingerprint(config.version, config.model)
    top_logprobs = req.top_logprobs if req.logprobs else None
    if req.stream:
        encoder = ChunkEncoder(response_id, created, config.model, fp, req.include_usage)
        return CompletionStream(
            encoder, completion.outcomes, role=req.role, call_ids=completion.call_ids,
            prompt_tokens=req.prompt_tokens, continuous_usage=req.continuous_usage,
            show_reasoning=req.include_reasoning, top_logprobs=top_logprobs, fault=fault,
            tokens_per_second=config.tokens_per_second, on_disconnect=on_disconnect)
    if config.tokens_per_second:
        # A non-streaming answer takes as long as generating it would.
        tokens = max((o.completion_tokens for o in completion.outcomes), default=0)
        await asyncio.sleep(tokens / config.tokens_per_second)
    if fault is not None and fault.first_byte_delay:
        await asyncio.sleep(fault.first_byte_delay)
    body = response_body(response_id, created, config.model, fp, req.prompt_tokens,
                         completion.outcomes, req.role, req.include_reasoning,
                         req.tool_choice in ("named", "required"), top_logprobs)
    if _has_token_fault(fault):
        assert fault is not None
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        return FaultyJSON(200, raw, fault)
    return JSONResponse(body)

