"""The Compare window: add columns (panel, presets, a sweep), run them, diff two, adopt one,
run them over a prompt set, export."""

from __future__ import annotations

import functools
import html
from dataclasses import replace

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.compare.cells import DEFAULT_CONCURRENCY, STREAMING
from desktop_app.core.compare.diff import ADDED, REMOVED, diff_counts, word_diff
from desktop_app.core.compare.lab import CompareError, CompareLab
from desktop_app.core.compare.recorder import grid_sheet
from desktop_app.core.compare.results import ResultSheet
from desktop_app.core.compare.run import CompareRun
from desktop_app.core.compare.spec import (
    MAX_COLUMNS,
    ColumnSpec,
    check_specs,
    sweep_from_text,
)
from desktop_app.ui.compare.card_refresh import CardRefresh
from desktop_app.ui.compare.column_card import ColumnCard
from desktop_app.ui.compare.export_file import export_sheet
from desktop_app.ui.compare.prompt_set_panel import PromptSetPanel
from desktop_app.ui.compare.recent_runs import KEPT_TIP, RecentRunsDialog

GRID_WIDTH = 4  # columns per row of the grid, at most
CARD_ROOM = 290  # width a column card needs, with the grid's spacing


def no_enter_buttons(dialog: QDialog) -> None:
    """Enter in a field does what the field says (Add sweep, load a file), never also presses
    a dialog button: every push button here is clicked, not a default."""
    for button in dialog.findChildren(QPushButton):
        button.setAutoDefault(False)
        button.setDefault(False)


class CompareDialog(QDialog):
    """One run's window. Closing it stops every stream of the run."""

    adopted = Signal(str)  # what the status bar should say after "Continue with this"

    def __init__(self, lab: CompareLab, run: CompareRun, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lab = lab
        self.run = run
        self.setWindowTitle("Compare")
        self.resize(1200, 760)
        self.cards: list[ColumnCard] = []
        self._placed_per_row = 0
        self.recent: RecentRunsDialog | None = None
        lab.journals.failed.connect(self.say)  # queued: it is emitted by the writer thread
        layout = QVBoxLayout(self)
        prompt = QLabel(f"Prompt: {run.prompt}", self)
        prompt.setWordWrap(True)
        prompt.setMaximumHeight(60)
        layout.addWidget(prompt)
        layout.addLayout(self._build_add_row())
        layout.addLayout(self._build_where_row())
        layout.addLayout(self._build_run_row())
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.grid_host = QWidget(self)
        self.grid = QGridLayout(self.grid_host)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_host)
        self.grid_scroll = scroll
        scroll.viewport().installEventFilter(self)
        grid_tab = QWidget(self)
        grid_layout = QVBoxLayout(grid_tab)
        grid_layout.setContentsMargins(0, 0, 0, 0)
        grid_layout.addWidget(scroll, 1)
        grid_layout.addLayout(self._build_diff_row())
        self.diff_view = QTextBrowser(self)
        self.diff_view.setOpenLinks(False)
        self.diff_view.setMaximumHeight(180)
        self.diff_view.hide()
        grid_layout.addWidget(self.diff_view)
        # The prompt set runs the grid's columns over many prompts (a tab of its own).
        self.prompt_set = PromptSetPanel(lab, run, self.say, self.load_columns, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(grid_tab, "Grid")
        self.tabs.addTab(self.prompt_set, "Prompt set")
        layout.addWidget(self.tabs, 1)
        self.refresh = CardRefresh(self._show_column, self._streaming, self)
        run.columnChanged.connect(self.refresh.mark)
        run.columnsChanged.connect(self._rebuild)
        self._rebuild()
        no_enter_buttons(self)

    # -- building ----------------------------------------------------------------------------
    def _build_add_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.add_button = QToolButton(self)
        self.add_button.setText("Add column")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.add_button)
        menu.addAction("Current panel settings", lambda: self._add([self.lab.panel_spec()]))
        for name in self.lab.preset_names():
            menu.addAction(f"Preset: {name}", functools.partial(self._add_preset, name))
        self.add_button.setMenu(menu)
        row.addWidget(self.add_button)
        row.addWidget(QLabel("Sweep:", self))
        self.sweep_edit = QLineEdit(self)
        self.sweep_edit.setPlaceholderText("temperature=0.2,0.7,1.0; top_p=0.9; seed=1,2")
        self.sweep_edit.setToolTip(
            "KEY=V1,V2,… separated by ';': temperature, top_p, seed, or any extra-body field. "
            "Each value multiplies the current panel settings."
        )
        self.sweep_edit.returnPressed.connect(self._add_sweep)
        row.addWidget(self.sweep_edit, 1)
        self.thinking_both = QCheckBox("thinking off and on", self)
        row.addWidget(self.thinking_both)
        self.sweep_button = QPushButton("Add sweep", self)
        self.sweep_button.clicked.connect(self._add_sweep)
        row.addWidget(self.sweep_button)
        return row

    def _build_where_row(self) -> QHBoxLayout:
        """Which server and model the next columns added use."""
        row = QHBoxLayout()
        row.addWidget(QLabel("New columns on server:", self))
        self.server_box = QComboBox(self)
        self.server_box.addItem("This server", "")
        for profile_id, name in self.lab.servers():
            self.server_box.addItem(name, profile_id)
        row.addWidget(self.server_box)
        row.addWidget(QLabel("model:", self))
        self.model_edit = QLineEdit(self)
        self.model_edit.setPlaceholderText("the server's default")
        row.addWidget(self.model_edit, 1)
        return row

    def _build_run_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.run_button = QPushButton("Run all", self)
        self.run_button.clicked.connect(self._run_all)
        self.stop_button = QPushButton("Stop all", self)
        self.stop_button.clicked.connect(self.run.stop_all)
        row.addWidget(self.run_button)
        row.addWidget(self.stop_button)
        row.addWidget(QLabel("At most at once per server:", self))
        self.concurrency = QSpinBox(self)
        self.concurrency.setRange(1, MAX_COLUMNS)
        self.concurrency.setValue(self.run.slots.limit or DEFAULT_CONCURRENCY)
        self.concurrency.setToolTip("Kept for the next Compare windows too")
        self.concurrency.valueChanged.connect(lambda n: self.lab.set_concurrency(self.run, n))
        row.addWidget(self.concurrency)
        self.export_button = QPushButton("Export grid…", self)
        self.export_button.clicked.connect(self.export_grid)
        row.addWidget(self.export_button)
        self.recent_button = QPushButton("Recent runs…", self)
        self.recent_button.setToolTip(KEPT_TIP)
        self.recent_button.clicked.connect(self.show_recent)
        row.addWidget(self.recent_button)
        row.addStretch(1)
        return row

    def show_recent(self) -> None:
        self.recent = RecentRunsDialog(self.lab.journals, self.lab.runner, self)
        self.recent.show()

    def _build_diff_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Word diff of", self))
        self.left_box = QComboBox(self)
        self.right_box = QComboBox(self)
        row.addWidget(self.left_box)
        row.addWidget(QLabel("and", self))
        row.addWidget(self.right_box)
        self.diff_button = QPushButton("Show diff", self)
        self.diff_button.clicked.connect(self.show_diff)
        row.addWidget(self.diff_button)
        row.addStretch(1)
        return row

    # -- columns -----------------------------------------------------------------------------
    def _where(self, specs: list[ColumnSpec]) -> list[ColumnSpec]:
        server = self.server_box.currentData() or ""
        model = self.model_edit.text().strip() or None
        return [replace(s, server=server, model=model) for s in specs]

    def _add(self, specs: list[ColumnSpec]) -> None:
        specs = self._where(specs)
        room = MAX_COLUMNS - len(self.run.columns)
        problem = check_specs([c.spec for c in self.run.columns] + specs)
        if problem:
            if len(specs) > room:
                problem = (
                    f"That adds {len(specs)} columns; there is room for {room} "
                    f"(at most {MAX_COLUMNS})."
                )
            self.say(problem)
            return
        for spec in specs:
            self.run.add(spec)
        self.say("")

    def _add_preset(self, name: str) -> None:
        try:
            self._add([self.lab.preset_spec(name)])
        except CompareError as exc:
            self.say(str(exc))

    def _add_sweep(self) -> None:
        try:
            specs = sweep_from_text(
                self.sweep_edit.text(), self.lab.panel_spec(), self.thinking_both.isChecked()
            )
        except ValueError as exc:
            self.say(str(exc))
            return
        self._add(specs)

    def _rebuild(self) -> None:
        self.refresh.forget()
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        for index, column in enumerate(self.run.columns):
            card = ColumnCard(index, self.grid_host)
            card.stopRequested.connect(self.run.stop)
            card.rerunRequested.connect(self.run.start)
            card.pinToggled.connect(self.run.pin)
            card.adoptRequested.connect(self.adopt)
            card.removeRequested.connect(self.run.remove)
            card.show_column(column)
            self.cards.append(card)
        self._place_cards()
        no_enter_buttons(self)
        for box in (self.left_box, self.right_box):
            current = box.currentIndex()
            box.clear()
            box.addItems([f"{i + 1}. {c.spec.title()}" for i, c in enumerate(self.run.columns)])
            box.setCurrentIndex(current if 0 <= current < box.count() else -1)
        if self.right_box.currentIndex() < 0 and self.right_box.count() > 1:
            self.right_box.setCurrentIndex(1)
        if self.left_box.currentIndex() < 0 and self.left_box.count():
            self.left_box.setCurrentIndex(0)

    def _per_row(self) -> int:
        return max(1, min(GRID_WIDTH, self.grid_scroll.viewport().width() // CARD_ROOM))

    def _place_cards(self) -> None:
        """Cards left to right, as many a row as the window's width holds (up to four)."""
        per_row = self._per_row()
        self._placed_per_row = per_row
        for card in self.cards:
            self.grid.removeWidget(card)
        for index, card in enumerate(self.cards):
            self.grid.addWidget(card, index // per_row, index % per_row)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.Resize and watched is self.grid_scroll.viewport()
                and self._per_row() != self._placed_per_row):
            self._place_cards()
        return super().eventFilter(watched, event)

    def _streaming(self) -> set[int]:
        return {i for i, c in enumerate(self.run.columns) if c.cell.state == STREAMING}

    def _show_column(self, index: int) -> None:
        if index < len(self.cards):
            self.cards[index].show_column(self.run.columns[index])

    def load_columns(self, specs: list[ColumnSpec], concurrency: int | None) -> None:
        """Puts ``specs`` in place of the grid's columns (a case being opened)."""
        self.run.stop_all()
        while self.run.columns:
            self.run.remove(len(self.run.columns) - 1)
        for spec in specs:
            self.run.add(spec)
        if concurrency is not None:
            self.concurrency.setValue(min(concurrency, self.concurrency.maximum()))

    def grid_sheet(self) -> ResultSheet:
        return grid_sheet(self.run)

    def export_grid(self) -> None:
        if not self.run.columns:
            self.say("Add a column first: there is nothing to export.")
            return
        said = export_sheet(self, self.grid_sheet(), "Export grid")
        if said:
            self.say(said)

    def _run_all(self) -> None:
        if not self.run.columns:
            self.say("Add a column first: the current panel settings, a preset or a sweep.")
            return
        self.say("")
        self.run.start_all()

    # -- diff and adopt ----------------------------------------------------------------------
    def show_diff(self) -> None:
        left, right = self.left_box.currentIndex(), self.right_box.currentIndex()
        if left < 0 or right < 0 or left == right:
            self.say("Pick two different columns to compare word by word.")
            return
        runs = word_diff(self.run.columns[left].cell.content, self.run.columns[right].cell.content)
        removed, added = diff_counts(runs)
        parts = [f"<p><b>{removed} words only in {left + 1}, {added} only in {right + 1}</b></p>"]
        for kind, text in runs:
            shown = html.escape(text).replace("\n", "<br>")
            if kind == REMOVED:
                parts.append(
                    f'<span style="background:#fbb; text-decoration:line-through">{shown}</span>'
                )
            elif kind == ADDED:
                parts.append(f'<span style="background:#bfb">{shown}</span>')
            else:
                parts.append(shown)
        self.diff_view.setHtml("".join(parts))
        self.diff_view.show()

    def adopt(self, index: int) -> None:
        try:
            notes = self.lab.adopt(self.run, index)
        except CompareError as exc:
            self.say(str(exc))
            return
        text = (
            f"Column {index + 1}'s reply is now in the conversation as a new version of the "
            "reply (the earlier ones stay one switch away), and its settings are in the "
            "Parameters panel."
        )
        self.say(" ".join([text, *notes]))
        self.adopted.emit(text)

    def say(self, text: str) -> None:
        self.message.setText(text)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.prompt_set.close_run()
        self.lab.close(self.run)
        super().closeEvent(event)

    def done(self, result: int) -> None:  # Esc and close buttons end here, not in closeEvent
        self.prompt_set.close_run()
        self.lab.close(self.run)
        super().done(result)
