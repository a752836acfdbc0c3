"""Server settings and fault descriptions: the knobs a test or the demo mode can turn."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MODEL = "google/gemma-4-31B-it"


@dataclass
class SimulatorConfig:
    """How the simulated vLLM server is started (the equivalent of `vllm serve` flags)."""

    api_key: str | None = None
    # None streams as fast as possible; otherwise completion tokens per second.
    tokens_per_second: float | None = None
    model: str = DEFAULT_MODEL
    max_model_len: int = 32768
    version: str = "0.32.0"
    # `--limit-mm-per-prompt '{"image": N}'`.
    image_limit: int = 4
    # Scalars in tool arguments arrive as strings (vLLM issue #47906).
    string_scalars: bool = False
    # No tool-call parser: raw `<|tool_call>call:name{...}<tool_call|>` text lands in content.
    degraded_tools: bool = False
    # Reproduce the 0.32 Gemma 4 template failure on a tool without a description
    # (capture err_chat_template_exception).
    template_quirks: bool = True
    # `--max-logprobs`.
    max_logprobs: int = 20
    # `--enable-auto-tool-choice --tool-call-parser gemma4`; False: tool_choice "auto" (also the
    # default when tools are sent) is refused with vLLM's 400.
    tool_parser: bool = True
    # `--reasoning-parser gemma4`; False: the thought lands in content as "thought\n...".
    reasoning_parser: bool = True
    # A multimodal model; False is a text-only model (any image: "... is not a multimodal model").
    vision: bool = True
    # An audio tower (Gemma 4 E2B/E4B); the 31B model has none.
    audio: bool = False
    # Other servers lack vLLM's extra routes: False answers 404 there, as an unknown path does.
    tokenize_route: bool = True
    metrics_route: bool = True
    # Seconds /tokenize waits before it answers (a slow or hung tokenizer).
    tokenize_delay: float = 0
    # The KV cache size in tokens, for `vllm:kv_cache_usage_perc`.
    kv_cache_tokens: int = 262144


@dataclass
class Fault:
    """A misbehaviour applied to the next chat completion request (used once, FIFO)."""

    first_byte_delay: float = 0
    stall_after_tokens: int | None = None
    stall_seconds: float = 0
    # During a stall, an SSE comment (": keep-alive") every this many seconds (0: silence).
    keepalive_interval: float = 0
    # After `data: [DONE]`, keep the connection open this many seconds before ending the body.
    hold_open_after_done: float = 0
    drop_after_tokens: int | None = None
    stream_error_after_tokens: int | None = None
    stream_error_message: str = "Internal server error"
    malformed_after_tokens: int | None = None
    http_status: int | None = None
    http_body: bytes | dict[str, Any] | None = field(default=None)


_FAULT_FIELDS = {f.name: f for f in dataclasses.fields(Fault)}
_NUMBER_FIELDS = {
    "first_byte_delay",
    "stall_seconds",
    "keepalive_interval",
    "hold_open_after_done",
}
_INT_FIELDS = {
    "stall_after_tokens",
    "drop_after_tokens",
    "stream_error_after_tokens",
    "malformed_after_tokens",
    "http_status",
}


def fault_from_json(data: object) -> Fault:
    """Build a Fault from the JSON body of `POST /simulator/faults`; raises ValueError."""
    if not isinstance(data, dict):
        raise ValueError("fault must be a JSON object")
    unknown = sorted(set(data) - set(_FAULT_FIELDS))
    if unknown:
        raise ValueError(f"unknown fault field(s): {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, value in data.items():
        if value is None:
            values[name] = None
        elif name in _NUMBER_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} must be a non-negative number")
            values[name] = float(value)
        elif name in _INT_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer")
            values[name] = value
        elif name == "stream_error_message":
            if not isinstance(value, str):
                raise ValueError("stream_error_message must be a string")
            values[name] = value
        elif name == "http_body":
            if isinstance(value, str):
                values[name] = value.encode()
            elif isinstance(value, dict):
                values[name] = value
            else:
                raise ValueError("http_body must be a string or an object")
    status = values.get("http_status")
    if status is not None and not 100 <= status <= 599:
        raise ValueError("http_status must be an HTTP status code")
    return Fault(**values)
