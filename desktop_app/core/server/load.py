"""The server's load, polled slowly from /metrics while the window shows, and the "server is
busy" word for a reply whose first token is late while requests wait."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.api import GemmaAPIError, NotFoundError, ServerLoad, tokens_per_second
from desktop_app.core.session.server import ServerSession
from desktop_app.core.tasks import TaskRunner

LOAD_TASK = "server-load"
POLL_MS = 5000
# A first token later than this, with requests waiting, is the server being busy.
SLOW_FIRST_TOKEN_MS = 3000


@dataclass(frozen=True)
class LoadReading:
    load: ServerLoad
    tokens_per_second: float | None

    def label(self) -> str:
        parts = []
        if self.load.kv_cache_usage is not None:
            parts.append(f"KV {self.load.kv_cache_usage:.0%}")
        if self.load.running is not None:
            parts.append(f"{self.load.running} running")
        if self.load.waiting is not None:
            parts.append(f"{self.load.waiting} waiting")
        if self.tokens_per_second is not None:
            parts.append(f"{self.tokens_per_second:,.0f} tok/s")
        return " · ".join(parts)


class LoadPoller(QObject):
    """Reads /metrics every few seconds while ``set_visible(True)``; stops for good (until the
    server changes) when the server has no /metrics. ``reading`` is None until one arrived."""

    changed = Signal()

    def __init__(self, session: ServerSession, runner: TaskRunner, *, enabled: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = enabled
        self.session = session
        self.runner = runner
        self.reading: LoadReading | None = None
        self.absent = False
        self._visible = False
        self._last: tuple[float, ServerLoad] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        session.changed.connect(self._server_changed)

    def set_visible(self, visible: bool) -> None:
        self._visible = visible
        self._update_timer()
        if visible and self.reading is None:
            self.poll()

    def _update_timer(self) -> None:
        if (self.enabled and self._visible and not self.absent
                and self.session.client is not None):
            if not self._timer.isActive():
                self._timer.start()
        else:
            self._timer.stop()

    def _server_changed(self) -> None:
        self.absent = False
        self.reading = None
        self._last = None
        self.changed.emit()
        self._update_timer()

    def poll(self) -> None:
        if not self.enabled or self.session.client is None or self.absent:
            return
        if not self.runner.running(LOAD_TASK):  # a slow server: never two polls at once
            self.runner.start(LOAD_TASK, self._poll())

    async def read_now(self) -> ServerLoad | None:
        """One reading at once (for the busy check); None when it cannot be had."""
        client = self.session.client
        if client is None or self.absent:
            return None
        try:
            return await client.metrics(self.session.model)
        except GemmaAPIError:
            return None

    async def _poll(self) -> None:
        client = self.session.client
        if client is None:
            return
        try:
            load = await client.metrics(self.session.model)
        except asyncio.CancelledError:
            raise
        except NotFoundError:
            self.absent = True
            self.reading = None
            self._update_timer()
            self.changed.emit()
            return
        except GemmaAPIError:
            return  # a missed reading; the next tick tries again
        if client is not self.session.client:
            return
        now = time.monotonic()
        rate = None
        if self._last is not None:
            rate = tokens_per_second(self._last[1], load, now - self._last[0])
        self._last = (now, load)
        self.reading = LoadReading(load, rate)
        self.changed.emit()


class BusyWatch(QObject):
    """While a reply has not shown its first token for a few seconds, asks /metrics once;
    when requests are waiting, ``busy`` says so (the reply then names the queue)."""

    busy = Signal(str, str)  # message id, text

    def __init__(self, poller: LoadPoller, runner: TaskRunner,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.poller = poller
        self.runner = runner
        self._message_id: str | None = None
        self._started = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SLOW_FIRST_TOKEN_MS)
        self._timer.timeout.connect(self._check)

    def reply_started(self, message_id: str) -> None:
        self._message_id = message_id
        self._started = False
        self._timer.start()

    def first_token(self) -> None:
        self._started = True
        self._timer.stop()

    def reply_ended(self) -> None:
        self._message_id = None
        self._timer.stop()

    def _check(self) -> None:
        if self._message_id is not None and not self._started:
            self.runner.start("busy-check", self._ask(self._message_id))

    async def _ask(self, message_id: str) -> None:
        load = await self.poller.read_now()
        if load is None or not load.waiting or self._message_id != message_id or self._started:
            return
        self.busy.emit(
            message_id,
            f"The server is busy: {load.waiting} request(s) are waiting and "
            f"{load.running or 0} running, so the first token is late. The reply will start "
            "when the server gets to it.",
        )
