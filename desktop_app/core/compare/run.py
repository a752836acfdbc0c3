"""``CompareRun``: the window's grid of up to 8 columns streaming one prefix at once."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.api import ChatRequest, VLLMClient
from desktop_app.core.compare.cells import (
    DEFAULT_CONCURRENCY,
    FAILED,
    STOPPED,
    STREAMING,
    WAITING,
    CellResult,
    ServerSlots,
    stream_cell,
)
from desktop_app.core.compare.spec import MAX_COLUMNS, ColumnSpec
from desktop_app.core.tasks import TaskRunner

FRAME_MS = 16
_runs = itertools.count(1)


@dataclass(frozen=True)
class RunOrigin:
    """Where a run's prefix came from: the conversation, its last message then (None: it
    was empty), and whether the prompt was typed for the run (not yet in the conversation)."""

    conversation_id: str
    after: str | None
    prompt_is_new: bool


@dataclass
class CompareColumn:
    """One column: what it asks for, what it got, and whether a rerun of all leaves it be."""

    spec: ColumnSpec
    cell: CellResult = field(default_factory=CellResult)
    pinned: bool = False


class CompareRun(QObject):
    """Columns over one request prefix. Each column streams as its own task; at most
    ``concurrency`` per server at once, the others show as waiting. Repaints are asked for
    at most once per frame per column (``columnChanged``)."""

    columnChanged = Signal(int)  # the column's reply, state or stats changed
    columnsChanged = Signal()  # a column was added or removed
    runStarted = Signal()  # every unpinned column was started by ``start_all``
    cellStarted = Signal(int)  # one column was started on its own (Rerun)
    cellEnded = Signal(int)  # the column's cell completed, failed or was stopped

    def __init__(
        self,
        runner: TaskRunner,
        request: ChatRequest,
        client_for: Callable[[str], VLLMClient | None],
        prompt: str = "",
        concurrency: int = DEFAULT_CONCURRENCY,
        origin: RunOrigin | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.request = request  # the prefix: the conversation so far and the prompt
        self.client_for = client_for
        self.prompt = prompt  # the last user message's text, for the cells and exports
        self.origin = origin
        self.clients: dict[str, VLLMClient] = {}  # other servers' clients, closed with the run
        self.slots = ServerSlots(concurrency)
        self.columns: list[CompareColumn] = []
        self._name = f"compare-{next(_runs)}"
        self._dirty: set[int] = set()
        self._frame = QTimer(self)
        self._frame.setSingleShot(True)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self._flush)

    # -- columns -----------------------------------------------------------------------------
    def add(self, spec: ColumnSpec) -> int:
        if len(self.columns) >= MAX_COLUMNS:
            raise ValueError(f"At most {MAX_COLUMNS} columns run side by side.")
        self.columns.append(CompareColumn(spec))
        self.columnsChanged.emit()
        return len(self.columns) - 1

    def remove(self, index: int) -> None:
        self.stop(index)
        for i in range(index, len(self.columns)):
            self.runner.cancel(self._task(i))
        del self.columns[index]
        self.columnsChanged.emit()

    def set_concurrency(self, limit: int) -> None:
        """For the runs to come; a running grid keeps the bound it started with."""
        self.slots = ServerSlots(limit)

    def pin(self, index: int, pinned: bool) -> None:
        self.columns[index].pinned = pinned
        self.columnChanged.emit(index)

    def request_for(self, index: int) -> ChatRequest:
        return self.columns[index].spec.apply(self.request)

    # -- running -----------------------------------------------------------------------------
    def start_all(self) -> None:
        """Every column that is not pinned runs (again); pinned ones keep their reply."""
        for index, column in enumerate(self.columns):
            if not column.pinned:
                self._start(index)
        self.runStarted.emit()

    def start(self, index: int) -> None:
        self._start(index)
        self.cellStarted.emit(index)

    def _start(self, index: int) -> None:
        column = self.columns[index]
        request = self.request_for(index)
        column.cell = CellResult(
            params={**request.sampling.to_wire(), **dict(column.spec.extra_body)},
            seed=request.sampling.seed,
            prompt=self.prompt,
        )
        self.columnChanged.emit(index)
        self.runner.start(self._task(index), self._run(index, column.cell, request))

    def stop(self, index: int) -> None:
        cell = self.columns[index].cell
        self.runner.cancel(self._task(index))
        if cell.state == WAITING:  # never started: nothing arrived
            cell.state = STOPPED
            self.columnChanged.emit(index)
            self.cellEnded.emit(index)

    def stop_all(self) -> None:
        for index in range(len(self.columns)):
            self.stop(index)

    def running(self) -> bool:
        return any(c.cell.state in (WAITING, STREAMING) for c in self.columns)

    async def _run(self, index: int, cell: CellResult, request: ChatRequest) -> None:
        server = self.columns[index].spec.server
        client = self.client_for(server)
        if client is None:
            cell.state = FAILED
            cell.error = "No server to send to: connect one in Servers and settings."
            self.columnChanged.emit(index)
            self.cellEnded.emit(index)
            return
        try:
            async with self.slots.slot(server):
                await stream_cell(client, request, cell, lambda _c: self._touch(index))
        except asyncio.CancelledError:
            cell.state = STOPPED
            raise
        finally:
            # The end shows at once (not a frame later): it changes the buttons.
            self._dirty.discard(index)
            if index < len(self.columns) and self.columns[index].cell is cell:
                self.columnChanged.emit(index)
                self.cellEnded.emit(index)

    def _task(self, index: int) -> str:
        return f"{self._name}-{index}"

    def _touch(self, index: int) -> None:
        self._dirty.add(index)
        if not self._frame.isActive():
            self._frame.start()

    def _flush(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for index in sorted(dirty):
            if index < len(self.columns):
                self.columnChanged.emit(index)
