"""A fragment of one streamed tool call: the one record type chunks build on the hot path."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A fragment of one tool call; the first for an index usually has id and name."""

    index: int
    id: str | None
    name: str | None
    arguments: str | None
