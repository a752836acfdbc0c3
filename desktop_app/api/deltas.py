"""What one chunk of a chat stream adds to the reply: ``ChunkDelta`` (docs/protocol.md §3).

The one representation of a chunk's delta: ``chunks.parse_chunk`` builds it from a ``data:``
payload, the ``Accumulator`` folds it, and tests and benchmarks make it by hand. A
``NamedTuple``, so building one per token costs little more than a plain tuple, and each
field is read by its name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .logprobs import TokenLogprob
    from .results import Usage
    from .tool_deltas import ToolCallDelta  # loaded only for chunks that carry tool calls

__all__ = ["ChunkDelta"]


class ChunkDelta(NamedTuple):
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
    #: The chunk's ``logprobs.content`` (None: the chunk had no logprobs).
    logprobs: tuple[TokenLogprob, ...] | None = None
