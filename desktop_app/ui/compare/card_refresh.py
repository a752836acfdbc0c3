"""Repaints of the Compare grid's cards within a shared time budget per event-loop turn, so
eight columns streaming at once never hold the main thread for eight renders in a row."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

BUDGET_SECONDS = 0.006  # render work per turn across all cards; the rest waits for the next


class CardRefresh(QObject):
    """Cards marked dirty are shown in turn, oldest first, until the turn's budget is spent;
    the others are shown on the next turns (input and the probe's timers run in between)."""

    def __init__(self, show: Callable[[int], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._show = show
        self._pending: dict[int, None] = {}  # insertion-ordered set
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._run)

    def mark(self, index: int) -> None:
        self._pending.setdefault(index, None)
        if not self._timer.isActive():
            self._timer.start()

    def forget(self) -> None:
        """The cards were rebuilt: nothing pending applies to them."""
        self._pending.clear()
        self._timer.stop()

    def _run(self) -> None:
        deadline = time.perf_counter() + BUDGET_SECONDS
        while self._pending:
            index = next(iter(self._pending))
            del self._pending[index]
            self._show(index)
            if time.perf_counter() > deadline:
                break
        if self._pending:
            self._timer.start()
