"""The stall probe shared by the benchmarks: how late each tick of a 5 ms timer fires."""

from __future__ import annotations

import time

TICK_MS = 5


class StallProbe:
    """Records, per tick, how many ms later than its period a 5 ms Qt timer fired (a stall)."""

    def __init__(self, precise: bool = False) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        if precise:
            self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.stalls: list[float] = []
        self.marks: list[tuple[float, float]] = []  # (perf_counter time, stall ms)
        self._last = 0.0

    def start(self) -> None:
        self.stalls, self.marks = [], []
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.stalls

    def _tick(self) -> None:
        now = time.perf_counter()
        stall = max(0.0, (now - self._last) * 1000 - TICK_MS)
        self.stalls.append(stall)
        self.marks.append((now, stall))
        self._last = now


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]
