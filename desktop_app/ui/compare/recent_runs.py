"""Recent runs: the compare runs saved in the data folder, to open read-only or delete."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.compare.journal import KEEP_RUNS, JournalError, SavedRun
from desktop_app.core.compare.recorder import RunJournals
from desktop_app.core.tasks import TaskRunner
from desktop_app.ui.compare.saved_run import SavedRunDialog, open_saved

KEPT_TIP = (
    f"Every grid and prompt-set run is saved as its cells end. The last {KEEP_RUNS} runs "
    "are kept; older ones are removed."
)


class RecentRunsDialog(QDialog):
    """The saved runs, newest first; reads and deletes happen off the window's thread."""

    def __init__(self, journals: RunJournals, runner: TaskRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self.journals = journals
        self.runner = runner
        self.opened: SavedRunDialog | None = None
        self.setWindowTitle("Recent compare runs")
        self.resize(720, 420)
        self.setToolTip(KEPT_TIP)
        layout = QVBoxLayout(self)
        hint = QLabel(f"The last {KEEP_RUNS} runs are kept; older ones are removed.", self)
        hint.setToolTip(KEPT_TIP)
        layout.addWidget(hint)
        self.list = QListWidget(self)
        self.list.itemDoubleClicked.connect(lambda _item: self.open_selected())
        layout.addWidget(self.list, 1)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open", self)
        self.open_button.clicked.connect(self.open_selected)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.clicked.connect(self.delete_selected)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.loaded = False
        self.refresh()

    def refresh(self, said: str = "") -> None:
        self.loaded = False
        self.runner.start(f"compare-recent-{id(self)}", self._refresh(said))

    async def _refresh(self, said: str = "") -> None:
        runs, notes = await self.journals.recent()
        self.list.clear()
        for run in runs:
            item = QListWidgetItem(run.label(), self.list)
            item.setData(Qt.ItemDataRole.UserRole, run)
        if not runs:
            notes = ["No saved runs yet: run a grid or a prompt set.", *notes]
        self.message.setText(" ".join([said, *notes]).strip())
        self.loaded = True

    def _selected(self) -> SavedRun | None:
        item = self.list.currentItem()
        if item is None:
            self.message.setText("Pick a run in the list first.")
            return None
        return item.data(Qt.ItemDataRole.UserRole)

    def open_selected(self) -> None:
        run = self._selected()
        if run is not None:
            self.runner.start(f"compare-open-run-{id(self)}", self._open(run))

    async def _open(self, run: SavedRun) -> None:
        try:
            saved = await self.journals.load(run.path)  # the cells that ended since listing
        except JournalError as exc:
            self.message.setText(f"Not opened: {exc}")
            return
        self.opened = open_saved(saved, self.parentWidget() or self)

    def delete_selected(self) -> None:
        run = self._selected()
        if run is not None:
            self.runner.start(f"compare-delete-run-{id(self)}", self._delete(run))

    async def _delete(self, run: SavedRun) -> None:
        try:
            await self.journals.delete(run.path)
        except OSError as exc:
            self.message.setText(f"Not deleted: {exc.strerror or exc}.")
            return
        self.refresh(f"Deleted the run of {run.when()}.")
