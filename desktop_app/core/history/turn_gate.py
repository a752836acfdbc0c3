"""Holding a history write until the window's thread has ended its turn and drawn it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QTimer

T = TypeVar("T")

# About a frame: the turn that queued the write, then the paint it caused (Qt posts paints at
# low priority, after other posted events, so a zero timer would open the gate before them).
GATE_MS = 16
# Never hold a write longer than this, even when the Qt thread is busy for longer.
MOST_SECONDS = 0.5


class TurnGate:
    """Opened by a timer on the Qt thread (or by ``open``); ``hold(job)`` waits for it first.

    The history thread and the window's thread share the interpreter: a reply's token record
    (megabytes of base64 and JSON) encoded while the window lays out and draws the end of the
    reply doubled that turn's stall. Held for a frame, it is encoded while the window is idle.
    Made on the Qt thread.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        QTimer.singleShot(GATE_MS, self._event.set)

    def open(self) -> None:
        self._event.set()

    def is_open(self) -> bool:
        return self._event.is_set()

    def hold(self, job: Callable[..., T]) -> Callable[..., T]:
        def held(*args: object) -> T:
            self._event.wait(MOST_SECONDS)
            return job(*args)

        return held
