"""Whether a request may be sent now: each part of the app reports its reason under its name."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class SendGate(QObject):
    """Collects what forbids a request (an invalid parameter, a broken tool definition,
    unanswered tool calls). Every way of starting a reply asks ``reason()`` first; the
    composer shows it. ``changed`` carries the combined reason ("" when sending is allowed)."""

    changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reasons: dict[str, str] = {}

    def report(self, source: str, reason: str) -> None:
        """Sets what `source` says blocks sending; "" lifts that source's block."""
        before = self.reason()
        if reason:
            self._reasons[source] = reason
        else:
            self._reasons.pop(source, None)
        after = self.reason()
        if after != before:
            self.changed.emit(after)

    def reason(self, ignore: frozenset[str] | set[str] = frozenset()) -> str:
        """Every current reason (but those of `ignore`), one per line, oldest first."""
        return "\n".join(r for src, r in self._reasons.items() if r and src not in ignore)

    def reason_of(self, source: str) -> str:
        return self._reasons.get(source, "")
