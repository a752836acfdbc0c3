"""Repaints of the Compare grid's cards within a shared time budget per event-loop turn, so
eight columns streaming at once never hold the main thread for eight renders in a row."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection

from PySide6.QtCore import QObject, QTimer

from desktop_app.ui.common.work_budget import WorkBudget, work_budget

BUDGET_SECONDS = 0.006  # render work per turn across all cards; the rest waits for the next
FRAME_SECONDS = 0.016
CARDS_PER_FRAME = 2  # streaming cards shown per frame, all columns together


def live_interval(streaming: int) -> float:
    """How long a streaming card waits between two showings when ``streaming`` stream."""
    return FRAME_SECONDS * max(1.0, streaming / CARDS_PER_FRAME)


class CardRefresh(QObject):
    """Cards marked dirty are shown in turn, oldest first, until the turn's budget is spent;
    the others are shown on the next turns (input and the probe's timers run in between).

    A card whose column is streaming is shown again at most every ``live_interval``: with
    many columns streaming each is refreshed less often (eight: about 16 times a second), so
    that the cards shown, and so painted, per frame stay about two. A change of state (a
    cell started or ended) is shown at once."""

    def __init__(
        self,
        show: Callable[[int], None],
        streaming: Callable[[], Collection[int]] = frozenset,
        parent: QObject | None = None,
        clock: Callable[[], float] = time.perf_counter,
        budget: WorkBudget | None = None,
    ) -> None:
        super().__init__(parent)
        self._show = show
        self._clock = clock
        self._budget = budget or work_budget()  # shared with markdown rendered in turns
        self._streaming = streaming  # the columns streaming now
        self._pending: dict[int, None] = {}  # insertion-ordered set
        self._shown_at: dict[int, float] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.run_turn)

    def mark(self, index: int) -> None:
        self._pending.setdefault(index, None)
        # A timer already set for a streaming card that is not due yet is left alone; a
        # change of state is shown on the next turn.
        if not self._timer.isActive() or index not in self._streaming():
            self._timer.start(0)

    def forget(self) -> None:
        """The cards were rebuilt: nothing pending applies to them."""
        self._pending.clear()
        self._shown_at.clear()
        self._timer.stop()

    def run_turn(self) -> None:
        """Shows what is due, within the turn's budget; the timer brings the next turn."""
        now = started = self._clock()
        deadline = self._budget.deadline(BUDGET_SECONDS)
        streaming = self._streaming()
        interval = live_interval(len(streaming))
        wait: float | None = None  # until the next streaming card is due
        for index in list(self._pending):
            if index in streaming:
                due = self._shown_at.get(index, 0.0) + interval
                if due > now:
                    wait = due - now if wait is None else min(wait, due - now)
                    continue
            del self._pending[index]
            self._show(index)
            now = self._clock()
            self._shown_at[index] = now
            if now > deadline:
                wait = 0.0
                break
        self._budget.spend(started)
        if self._pending:
            self._timer.start(0 if wait is None else max(0, round(wait * 1000)))
