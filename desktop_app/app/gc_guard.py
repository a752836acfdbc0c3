"""Cyclic garbage collection on the Qt thread only.

Python's cyclic collector runs in whichever thread happens to allocate when a threshold is
crossed: the demo simulator's thread, or an executor thread resolving a host name. If it frees
a Qt object there, Qt unregisters that object's timers from the wrong thread and the GUI
thread later fires a timer on freed memory (a segfault seen in the window tests). So automatic
collection is switched off and the GUI thread collects on a timer instead.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class MainThreadCollector(QObject):
    """Runs gc.collect() from the Qt event loop when the allocation counts call for it."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._threshold = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> None:
        gen0, gen1, gen2 = gc.get_count()
        t0, t1, t2 = self._threshold
        if gen0 > t0:
            gc.collect(0)
            if gen1 > t1:
                gc.collect(1)
                if gen2 > t2:
                    gc.collect(2)

    def settle(self) -> None:
        """After start-up: collect once, then keep what exists out of later full collections
        (gc.freeze), so their pauses do not grow with the app's long-lived objects."""
        gc.collect()
        gc.freeze()

    def stop(self) -> None:
        self._timer.stop()
        gc.unfreeze()
        gc.collect()
        gc.enable()
