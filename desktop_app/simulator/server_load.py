"""The simulated engine's load (running, waiting, KV cache, token counters) and `GET /metrics`."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Receive, Scope, Send

# vLLM 0.32's /metrics content type (capture metrics_head.headers).
METRICS_CONTENT_TYPE = "text/plain; version=1.0.0; charset=utf-8"


@dataclass
class ServerLoad:
    """Counters behind /metrics. ``waiting`` and ``extra_kv_tokens`` let a test pretend other
    users keep the server busy; the rest follows the requests this server really answers."""

    running: int = 0
    waiting: int = 0
    running_tokens: int = 0
    extra_kv_tokens: int = 0
    prompt_tokens_total: int = 0
    generation_tokens_total: int = 0
    created: float = field(default_factory=time.time)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count_request(self, prompt_tokens: int, generation_tokens: int) -> None:
        with self._lock:
            self.prompt_tokens_total += prompt_tokens
            self.generation_tokens_total += generation_tokens

    def start(self, tokens: int) -> None:
        with self._lock:
            self.running += 1
            self.running_tokens += tokens

    def end(self, tokens: int) -> None:
        with self._lock:
            self.running -= 1
            self.running_tokens -= tokens

    def reset(self) -> None:
        with self._lock:
            self.waiting = 0
            self.extra_kv_tokens = 0
            self.prompt_tokens_total = 0
            self.generation_tokens_total = 0


class CountRunning:
    """Wraps one chat response: the request counts as running while its body is sent."""

    def __init__(self, response: ASGIApp, load: ServerLoad, tokens: int) -> None:
        self.response = response
        self.load = load
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.load.start(self.tokens)
        try:
            await self.response(scope, receive, send)
        finally:
            self.load.end(self.tokens)


def _num(value: float) -> str:
    return repr(float(value))


def metrics_text(load: ServerLoad, model: str, kv_cache_tokens: int) -> str:
    """The vLLM metrics a client reads, in vLLM's exposition (names, HELP texts, labels)."""
    labels = f'{{engine="0",model_name="{model}"}}'
    used = (load.running_tokens + load.extra_kv_tokens) / max(kv_cache_tokens, 1)
    lines: list[str] = []

    def family(name: str, kind: str, help_text: str, value: float) -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        lines.append(f"{name}{labels} {_num(value)}")

    def counter(base: str, help_text: str, value: float) -> None:
        family(f"{base}_total", "counter", help_text, value)
        family(f"{base}_created", "gauge", help_text, load.created)

    family("vllm:num_requests_running", "gauge",
           "Number of requests in model execution batches.", load.running)
    family("vllm:num_requests_waiting", "gauge",
           "Number of requests waiting to be processed.", load.waiting)
    family("vllm:kv_cache_usage_perc", "gauge",
           "KV-cache usage. 1 means 100 percent usage.", min(max(used, 0.0), 1.0))
    counter("vllm:prompt_tokens", "Number of prefill tokens processed.",
            load.prompt_tokens_total)
    counter("vllm:generation_tokens", "Number of generation tokens processed.",
            load.generation_tokens_total)
    return "\n".join(lines) + "\n"
