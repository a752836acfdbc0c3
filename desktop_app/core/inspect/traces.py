"""The wire traces of this run's replies, by message id: what the inspector shows."""

from __future__ import annotations

from collections.abc import Iterable

from desktop_app.api import WireTrace


class TraceStore:
    """One ``WireTrace`` per reply made in this run (traces are not kept in the history)."""

    def __init__(self) -> None:
        self._traces: dict[str, WireTrace] = {}

    def start(self, message_id: str) -> WireTrace:
        """A fresh trace for the reply `message_id` (replacing an older one of that id)."""
        trace = self._traces[message_id] = WireTrace()
        return trace

    def get(self, message_id: str) -> WireTrace | None:
        return self._traces.get(message_id)

    def __getitem__(self, message_id: str) -> WireTrace:
        return self._traces[message_id]

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._traces

    def drop(self, message_ids: Iterable[str]) -> None:
        for message_id in message_ids:
            self._traces.pop(message_id, None)
