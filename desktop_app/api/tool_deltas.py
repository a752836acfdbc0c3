"""A fragment of one streamed tool call, as a chunk's delta carries it."""

from __future__ import annotations

from typing import NamedTuple


class ToolCallDelta(NamedTuple):
    """A fragment of one tool call; the first for an index usually has id and name."""

    # NamedTuple fields shadow tuple.index/count by design: a delta is read by name.
    index: int  # type: ignore[assignment]
    id: str | None
    name: str | None
    arguments: str | None
