"""The main thread's time for deferred window work (markdown rendered in turns, Compare
cards refreshed): one budget that all such work shares, refilled as wall time passes."""

from __future__ import annotations

import time
from collections.abc import Callable

CAP_SECONDS = 0.010  # the most deferred work that runs in one go
REFILL = 0.7  # seconds of work allowed per second of wall time, when work keeps coming
LEAST_SECONDS = 0.001  # an empty budget still lets one small step through (progress)


class WorkBudget:
    """A bucket of main-thread seconds: work of several kinds that runs in the same pass of
    the event loop takes from one bucket, so their slices do not add up into one long
    stall; the bucket refills at ``refill`` seconds per second, up to ``cap``."""

    def __init__(
        self,
        cap: float = CAP_SECONDS,
        refill: float = REFILL,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.cap = cap
        self.refill = refill
        self.clock = clock
        self._level = cap
        self._at = clock()

    def deadline(self, most: float | None = None) -> float:
        """When the work starting now should stop (at most ``most`` seconds from now)."""
        now = self.clock()
        self._level = min(self.cap, self._level + (now - self._at) * self.refill)
        self._at = now
        room = max(LEAST_SECONDS, self._level)
        return now + (room if most is None else min(room, most))

    def spend(self, started: float) -> None:
        """The work that began at ``started`` (the clock's time) has ended."""
        now = self.clock()
        self._level = min(self.cap, self._level + (now - self._at) * self.refill)
        self._level -= now - started
        self._at = now


_budget: WorkBudget | None = None


def work_budget() -> WorkBudget:
    """The application's one budget for deferred window work."""
    global _budget
    if _budget is None:
        _budget = WorkBudget()
    return _budget
