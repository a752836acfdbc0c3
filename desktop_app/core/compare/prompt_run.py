"""``PromptSetRun``: every prompt of a set under every column, streamed at once within the
per-server bound, as one results sheet the window's table shows."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from desktop_app.api import ChatRequest, Message, VLLMClient
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
from desktop_app.core.compare.prompts import PromptItem
from desktop_app.core.compare.results import ResultSheet
from desktop_app.core.compare.spec import ColumnSpec
from desktop_app.core.tasks import TaskRunner

_runs = itertools.count(1)


def prompt_request(base: ChatRequest, system: str, prompt: str) -> ChatRequest:
    """``base`` (its tools and settings) asking ``prompt`` afresh, after ``system`` if any."""
    messages = [Message.system(system)] if system.strip() else []
    return replace(base, messages=(*messages, Message.user(prompt)))


class PromptSetRun(QObject):
    """Runs ``items`` x ``specs``; ``cellChanged(row, column)`` when a cell starts or ends,
    ``finished`` when none is left running. Each cell is a task of the runner."""

    cellChanged = Signal(int, int)
    finished = Signal()
    started = Signal()  # every cell was asked for

    def __init__(
        self,
        runner: TaskRunner,
        base: ChatRequest,
        client_for: Callable[[str], VLLMClient | None],
        items: Sequence[PromptItem],
        specs: Sequence[ColumnSpec],
        system: str = "",
        concurrency: int = DEFAULT_CONCURRENCY,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.base = base
        self.client_for = client_for
        self.items = list(items)
        self.specs = list(specs)
        self.system = system
        self.slots = ServerSlots(concurrency)
        self.sheet = ResultSheet(
            self.items,
            [s.title() for s in self.specs],
            [s.params() for s in self.specs],
            [[CellResult() for _ in self.specs] for _ in self.items],
        )
        self._name = f"prompt-set-{next(_runs)}"
        self._ended = True

    def start(self) -> None:
        self._ended = False
        for row, item in enumerate(self.items):
            for column, spec in enumerate(self.specs):
                request = spec.apply(prompt_request(self.base, self.system, item.prompt))
                cell = CellResult(
                    params=spec.params(), seed=request.sampling.seed, prompt=item.prompt
                )
                self.sheet.cells[row][column] = cell
                self.runner.start(self._task(row, column), self._run(row, column, request))
        self.started.emit()

    def stop(self) -> None:
        for row, cells in enumerate(self.sheet.cells):
            for column, cell in enumerate(cells):
                self.runner.cancel(self._task(row, column))
                if cell.state == WAITING:
                    cell.state = STOPPED
                    self.cellChanged.emit(row, column)
        self._check_finished()

    def running(self) -> bool:
        return any(c.state in (WAITING, STREAMING) for row in self.sheet.cells for c in row)

    async def _run(self, row: int, column: int, request: ChatRequest) -> None:
        cell = self.sheet.cells[row][column]
        server = self.specs[column].server
        try:
            client = self.client_for(server)
            if client is None:
                cell.state = FAILED
                cell.error = "No server to send to: connect one in Servers and settings."
                return
            async with self.slots.slot(server):
                cell.state = STREAMING
                self.cellChanged.emit(row, column)
                await stream_cell(client, request, cell)
        except asyncio.CancelledError:
            cell.state = STOPPED
            raise
        finally:
            self.cellChanged.emit(row, column)
            self._check_finished()

    def _check_finished(self) -> None:
        if not self._ended and not self.running():
            self._ended = True
            self.finished.emit()

    def _task(self, row: int, column: int) -> str:
        return f"{self._name}-{row}-{column}"
