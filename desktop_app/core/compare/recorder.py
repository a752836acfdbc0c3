"""Saving compare runs as they go: ``RunJournals`` writes journals on one worker thread (in
the order asked), ``GridRecorder`` and ``SetRecorder`` append each cell the moment it ends."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop_app.core.compare.cells import CellResult
from desktop_app.core.compare.export import cell_record
from desktop_app.core.compare.journal import (
    ENDED,
    GRID,
    KEEP_RUNS,
    PROMPT_SET,
    SavedRun,
    append_line,
    cell_line,
    create_journal,
    delete_run,
    header_json,
    new_run_path,
    prune,
    read_journal,
    redact,
    runs_dir,
    saved_runs,
)
from desktop_app.core.compare.prompt_run import PromptSetRun
from desktop_app.core.compare.prompts import PromptItem
from desktop_app.core.compare.results import ResultSheet
from desktop_app.core.compare.run import CompareRun
from desktop_app.core.compare.spec import ColumnSpec

log = logging.getLogger(__name__)
T = TypeVar("T")


def grid_sheet(run: CompareRun) -> ResultSheet:
    """The grid as a one-prompt sheet: what its export and its journal hold."""
    columns = run.columns
    return ResultSheet(
        [PromptItem(run.prompt)],
        [c.spec.title() for c in columns],
        [c.spec.params() for c in columns],
        [[c.cell for c in columns]],
    )


class Journal:
    """One run's file; every write goes through the journals' one worker, in order."""

    def __init__(self, journals: RunJournals, path: Path) -> None:
        self.journals = journals
        self.path = path

    def append(self, sheet: ResultSheet, row: int, column: int) -> None:
        cell = sheet.cells[row][column]
        record = cell_record(sheet, row, column)
        if record.get("error"):
            record["error"] = redact(record["error"], self.journals.addresses())
        line = cell_line(row, column, cell.state, record)
        self.journals.submit(lambda: append_line(self.path, line))


class RunJournals(QObject):
    """The runs saved in the data folder: new journals, their appends, reading, deleting.
    File work runs on one worker thread, so the window never waits on a disk and appends
    keep their order. ``failed`` says (from that thread; connect a QObject's slot) what
    could not be saved."""

    failed = Signal(str)

    def __init__(
        self,
        enabled: bool = True,
        addresses: Callable[[], list[str]] = list,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.enabled = enabled  # a read-only session writes nothing
        self.addresses = addresses  # the servers' URLs, kept out of the files
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="compare-journal")
        self._closed = False

    def submit(self, job: Callable[[], T]) -> Future[T | None] | None:
        """Runs ``job`` after every job asked for before it; a write failure is reported."""
        if not self.enabled:
            return None
        if self._closed:  # a cell stopped while the app closes: write it here and now
            self._guarded(job)
            return None
        return self._io.submit(self._guarded, job)

    def _guarded(self, job: Callable[[], T]) -> T | None:
        try:
            return job()
        except OSError as exc:
            log.error("compare run not saved: %s", exc)
            self.failed.emit(
                f"A compare cell could not be saved ({exc.strerror or exc}); its reply stays "
                "on screen: export the grid to keep it."
            )
            return None

    def start(
        self, mode: str, items: list[PromptItem], specs: list[ColumnSpec], system: str = ""
    ) -> Journal:
        """A new journal (its header written first), and the oldest runs beyond the last
        ``KEEP_RUNS`` removed."""
        header = header_json(mode, items, specs, system)
        path = new_run_path(runs_dir()) if self.enabled else Path("unsaved.jsonl")

        def create() -> None:
            create_journal(path, header)
            prune(path.parent, KEEP_RUNS)

        self.submit(create)
        return Journal(self, path)

    # -- reading (off the window's thread, after the writes asked for before) ----------------
    async def _run(self, job: Callable[[], Any]) -> Any:
        if self._closed:
            return job()
        return await asyncio.wrap_future(self._io.submit(job))

    async def recent(self) -> tuple[list[SavedRun], list[str]]:
        """The saved runs, newest first, and notes on files that could not be read."""
        return await self._run(lambda: saved_runs(runs_dir()))

    async def load(self, path: Path) -> SavedRun:
        """Raises JournalError saying why the run cannot be read."""
        return await self._run(lambda: read_journal(path))

    async def delete(self, path: Path) -> None:
        """Raises OSError when the file could not be removed."""
        await self._run(lambda: delete_run(path))

    async def aclose(self) -> None:
        """Lets every write asked for so far reach the disk, then ends the worker."""
        if self._closed:
            return
        await asyncio.wrap_future(self._io.submit(lambda: None))
        self._closed = True
        self._io.shutdown(wait=False)


def _ended(cell: CellResult) -> bool:
    return cell.state in ENDED


class GridRecorder(QObject):
    """Journals a grid: a new file when all columns run (or a column runs after the columns
    changed), holding the columns already ended, then each cell as it ends."""

    def __init__(self, run: CompareRun, journals: RunJournals) -> None:
        super().__init__(run)
        self.run = run
        self.journals = journals
        self.journal: Journal | None = None
        self._written: dict[int, CellResult] = {}
        run.runStarted.connect(self._new)
        run.cellStarted.connect(self._cell_started)
        run.cellEnded.connect(self._cell_ended)
        run.columnsChanged.connect(self._columns_changed)

    def _new(self) -> None:
        run = self.run
        specs = [c.spec for c in run.columns]
        self.journal = self.journals.start(GRID, [PromptItem(run.prompt)], specs)
        self._written = {}
        for index, column in enumerate(run.columns):
            if _ended(column.cell):
                self._write(index)

    def _columns_changed(self) -> None:
        self.journal = None  # the indexes moved: the next run gets a file of its own

    def _cell_started(self, _index: int) -> None:
        if self.journal is None:
            self._new()

    def _cell_ended(self, index: int) -> None:
        if self.journal is None:
            self._new()  # writes this cell with the others ended
        elif self._written.get(index) is not self.run.columns[index].cell:
            self._write(index)

    def _write(self, index: int) -> None:
        assert self.journal is not None
        self._written[index] = self.run.columns[index].cell
        self.journal.append(grid_sheet(self.run), 0, index)


class SetRecorder(QObject):
    """Journals a prompt set: a file when it starts, each cell as it ends."""

    def __init__(self, run: PromptSetRun, journals: RunJournals) -> None:
        super().__init__(run)
        self.run = run
        self.journals = journals
        self.journal: Journal | None = None
        self._written: set[tuple[int, int]] = set()
        run.started.connect(self._new)
        run.cellChanged.connect(self._cell_changed)

    def _new(self) -> None:
        run = self.run
        self.journal = self.journals.start(PROMPT_SET, run.items, run.specs, run.system)
        self._written = set()

    def _cell_changed(self, row: int, column: int) -> None:
        if self.journal is None or (row, column) in self._written:
            return
        if _ended(self.run.sheet.cells[row][column]):
            self._written.add((row, column))
            self.journal.append(self.run.sheet, row, column)
