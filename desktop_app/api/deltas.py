"""One ``data:`` payload of a chat stream turned into a typed delta (docs/protocol.md §3).

``parse_chunk`` gives a ``ChunkDelta``; the reading itself is ``chunks.chunk_fields``, which
the stream uses directly (a tuple per token, a ``ChunkDelta`` only when one is asked for).
"""

from __future__ import annotations

from dataclasses import dataclass

from .chunks import ChunkFields, chunk_fields
from .results import Usage
from .tool_deltas import ToolCallDelta

__all__ = ["ChunkDelta", "ChunkFields", "ToolCallDelta", "chunk_fields", "parse_chunk"]


@dataclass(frozen=True, slots=True)
class ChunkDelta:
    """What one chunk adds to choice 0 of the reply, plus the envelope fields."""

    id: str | None = None
    model: str | None = None
    created: int | None = None
    role: str | None = None
    content: str | None = None
    reasoning: str | None = None
    tool_calls: tuple[ToolCallDelta, ...] = ()
    finish_reason: str | None = None
    stop_reason: str | int | None = None
    usage: Usage | None = None
    system_fingerprint: str | None = None
    #: 0 for the folded choice; another index when the chunk only concerned another
    #: choice (n > 1, whose deltas are left out); None for a chunk without choices.
    choice_index: int | None = 0


def parse_chunk(data: str) -> ChunkDelta:
    """Parse one chunk. Raises ``StreamError`` for an in-stream error payload and
    ``ProtocolError`` for anything that is not a chunk. ``[DONE]`` is the caller's job."""
    return ChunkDelta(*chunk_fields(data))
