"""The turns that markdown views waiting to render take: one time budget per event-loop turn
shared by all of them, so views rendering at once (the columns of a Compare grid ending
together) take turns instead of each taking a full slice in the same pass of the loop."""

from __future__ import annotations

import time
from typing import Protocol

from PySide6.QtCore import QObject, QTimer
from shiboken6 import Shiboken

from desktop_app.ui.chat.render_budget import SLICE_SECONDS
from desktop_app.ui.common.work_budget import work_budget


class Rendering(Protocol):
    def render_slice(self, deadline: float) -> bool:
        """Renders until ``deadline``; True when work is left for another turn."""
        ...


class RenderTurns(QObject):
    """Views that have work left wait here; each turn of the event loop renders them in
    order, one after the other, until the turn's budget is spent (each view that gets the
    turn renders at least one block). A view left with work goes to the back. The budget
    is the window's shared one (work_budget): other deferred work in the same pass of the
    loop leaves less of it."""

    def __init__(self) -> None:
        super().__init__()
        self._waiting: dict[Rendering, None] = {}  # insertion-ordered set
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._run)

    def others_waiting(self, view: Rendering) -> bool:
        """Whether views other than ``view`` wait for their turn (then ``view`` waits too)."""
        return any(other is not view for other in self._waiting)

    def wait(self, view: Rendering) -> None:
        self._waiting.setdefault(view, None)
        if not self._timer.isActive():
            self._timer.start()

    def drop(self, view: Rendering) -> None:
        self._waiting.pop(view, None)

    def _run(self) -> None:
        budget = work_budget()  # shared with the other deferred work of the window
        started = time.perf_counter()
        deadline = budget.deadline(SLICE_SECONDS)
        while self._waiting and time.perf_counter() < deadline:
            view = next(iter(self._waiting))
            del self._waiting[view]
            if not Shiboken.isValid(view):  # deleted with its message
                continue
            if view.render_slice(deadline):
                self._waiting[view] = None
        budget.spend(started)
        if self._waiting:
            self._timer.start()


_turns: RenderTurns | None = None


def render_turns() -> RenderTurns:
    """The application's one queue of views waiting to render."""
    global _turns
    if _turns is None or not Shiboken.isValid(_turns):
        _turns = RenderTurns()
    return _turns
