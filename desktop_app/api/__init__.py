"""The vLLM Chat Completions client: request building, streaming, error mapping (no Qt).

Typical use::

    async with VLLMClient("http://gpu:8000", api_key=key) as client:
        request = ChatRequest(model=None, messages=(Message.user("Hi"),), enable_thinking=True)
        try:
            async for event in client.stream(request, trace=WireTrace()):
                view.append(event.reasoning_delta, event.content_delta)
            reply = event.accumulator.result()
        except GemmaAPIError as exc:
            show(exc.user_message)  # exc.partial: what had arrived, if anything

Layers: ``sse`` (bytes -> event data) -> ``chunks`` (event data -> ``ChunkDelta``, the one
record of a chunk, see ``deltas``) -> ``accumulator`` (deltas -> ``Completion``, the only
fold of a stream); ``chat_stream`` runs them for one reply without I/O, ``client``/
``streaming`` (asyncio; ``VLLMClient.follow`` yields the running reply once per network read,
for a view that repaints per frame) and ``sync_client`` (blocking, for ``gemma-desk ask``)
drive it over httpx, ``connection`` holds what both
clients share, ``transport`` is the only place httpx errors are caught, ``errors`` is the
exception tree.

Names are imported on first use, so a program pays only for the modules it touches (the
command line never loads asyncio).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Each public name, and the module that defines it.
_MODULES = {
    "Accumulator": "accumulator",
    "StreamEvent": "accumulator",
    "VLLMClient": "client",
    "split_base_url": "connection",
    "SyncVLLMClient": "sync_client",
    "ChunkDelta": "deltas",
    "ToolCallDelta": "tool_deltas",
    "parse_chunk": "chunks",
    "SSEDecoder": "sse",
    "SSEEvent": "sse",
    "WireTrace": "trace",
    **dict.fromkeys(
        [
            "AuthenticationError",
            "BadRequestError",
            "ConnectionDropped",
            "ConnectTimeout",
            "DeadlineExceeded",
            "GemmaAPIError",
            "InternalServerError",
            "NotFoundError",
            "ProtocolError",
            "RateLimitError",
            "ReadTimeout",
            "RedirectError",
            "ReplyStalled",
            "ReplyTooLarge",
            "ServerError",
            "ServerUnreachable",
            "ServiceUnavailable",
            "StreamError",
            "TLSError",
            "TransportError",
            "error_from_response",
        ],
        "errors",
    ),
    **dict.fromkeys(
        ["ContentPart", "ImagePart", "Message", "Role", "TextPart", "ToolCall"], "messages"
    ),
    **dict.fromkeys(["ChatRequest", "NamedToolChoice", "ToolChoice", "ToolDefinition"], "request"),
    **dict.fromkeys(["Completion", "ModelInfo", "ToolCallSnapshot", "Usage"], "results"),
    **dict.fromkeys(["FIELD_RANGES", "FieldRange", "SamplingParams"], "sampling"),
    **dict.fromkeys(["ServerFacts", "TokenCount"], "server_facts"),
    **dict.fromkeys(["ServerLoad", "parse_metrics", "tokens_per_second"], "server_load"),
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULES})


if TYPE_CHECKING:
    from .accumulator import Accumulator, StreamEvent
    from .chunks import parse_chunk
    from .client import VLLMClient
    from .connection import split_base_url
    from .deltas import ChunkDelta
    from .errors import (
        AuthenticationError,
        BadRequestError,
        ConnectionDropped,
        ConnectTimeout,
        DeadlineExceeded,
        GemmaAPIError,
        InternalServerError,
        NotFoundError,
        ProtocolError,
        RateLimitError,
        ReadTimeout,
        RedirectError,
        ReplyStalled,
        ReplyTooLarge,
        ServerError,
        ServerUnreachable,
        ServiceUnavailable,
        StreamError,
        TLSError,
        TransportError,
        error_from_response,
    )
    from .messages import ContentPart, ImagePart, Message, Role, TextPart, ToolCall
    from .request import ChatRequest, NamedToolChoice, ToolChoice, ToolDefinition
    from .results import Completion, ModelInfo, ToolCallSnapshot, Usage
    from .sampling import FIELD_RANGES, FieldRange, SamplingParams
    from .server_facts import ServerFacts, TokenCount
    from .server_load import ServerLoad, parse_metrics, tokens_per_second
    from .sse import SSEDecoder, SSEEvent
    from .sync_client import SyncVLLMClient
    from .tool_deltas import ToolCallDelta
    from .trace import WireTrace

__all__ = [
    "FIELD_RANGES",
    "Accumulator",
    "AuthenticationError",
    "BadRequestError",
    "ChatRequest",
    "ChunkDelta",
    "Completion",
    "ConnectTimeout",
    "ConnectionDropped",
    "ContentPart",
    "DeadlineExceeded",
    "FieldRange",
    "GemmaAPIError",
    "ImagePart",
    "InternalServerError",
    "Message",
    "ModelInfo",
    "NamedToolChoice",
    "NotFoundError",
    "ProtocolError",
    "RateLimitError",
    "ReadTimeout",
    "RedirectError",
    "ReplyStalled",
    "ReplyTooLarge",
    "Role",
    "SSEDecoder",
    "SSEEvent",
    "SamplingParams",
    "ServerError",
    "ServerFacts",
    "ServerLoad",
    "ServerUnreachable",
    "ServiceUnavailable",
    "StreamError",
    "StreamEvent",
    "SyncVLLMClient",
    "TLSError",
    "TextPart",
    "TokenCount",
    "ToolCall",
    "ToolCallDelta",
    "ToolCallSnapshot",
    "ToolChoice",
    "ToolDefinition",
    "TransportError",
    "Usage",
    "VLLMClient",
    "WireTrace",
    "error_from_response",
    "parse_chunk",
    "parse_metrics",
    "split_base_url",
    "tokens_per_second",
]
