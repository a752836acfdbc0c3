"""The Compare window's prompt set: prompts (typed or from a file) x the grid's columns, a
results table with pass/fail per cell and per column, named case files and the export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.compare.case_file import (
    CaseError,
    CompareCase,
    load_named,
    save_case,
    saved_cases,
)
from desktop_app.core.compare.lab import CompareLab
from desktop_app.core.compare.prompt_run import PromptSetRun
from desktop_app.core.compare.prompts import (
    PromptSetError,
    load_prompt_set,
    parse_prompt_text,
    prompt_set_text,
)
from desktop_app.core.compare.run import CompareRun
from desktop_app.core.compare.spec import ColumnSpec, check_specs
from desktop_app.ui.compare.export_file import export_sheet

PASS_COLOUR, FAIL_COLOUR = QColor("#c8f0c8"), QColor("#f6c6c6")
PROMPT_HINT = (
    "One prompt per line. A line may be a JSON object with checks, as in a --prompts file:\n"
    '{"prompt": "List three owls as JSON", "json": true, "schema": {"type": "array"}}\n'
    'Checks: "contains", "regex", "json", "schema" (a JSON Schema), "tool" (a tool name).'
)


class PromptSetPanel(QWidget):
    """Runs the typed prompts under the grid's columns; ``say`` shows what happened."""

    def __init__(
        self,
        lab: CompareLab,
        run: CompareRun,
        say: Callable[[str], None],
        load_columns: Callable[[list[ColumnSpec], int | None], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.lab = lab
        self.run = run
        self.say = say
        self.load_columns = load_columns
        self.set_run: PromptSetRun | None = None
        layout = QVBoxLayout(self)
        cases = QHBoxLayout()
        cases.addWidget(QLabel("Case:", self))
        self.case_box = QComboBox(self)
        self.case_box.setEditable(True)
        self.case_box.setMinimumWidth(200)
        self.case_box.setPlaceholderText("a name to save the case under")
        self.case_box.addItems(saved_cases())
        self.case_box.setCurrentIndex(-1)
        cases.addWidget(self.case_box, 1)
        self.open_case_button = QPushButton("Open case", self)
        self.open_case_button.clicked.connect(self.open_case)
        self.save_case_button = QPushButton("Save case", self)
        self.save_case_button.clicked.connect(self.save_case)
        self.load_button = QPushButton("Load prompts…", self)
        self.load_button.clicked.connect(self.ask_prompt_file)
        for button in (self.open_case_button, self.save_case_button, self.load_button):
            cases.addWidget(button)
        layout.addLayout(cases)
        self.prompts = QPlainTextEdit(self)
        self.prompts.setPlaceholderText(PROMPT_HINT)
        self.prompts.setTabChangesFocus(True)
        self.prompts.setMaximumHeight(120)
        layout.addWidget(self.prompts)
        system = QHBoxLayout()
        system.addWidget(QLabel("System prompt:", self))
        self.system = QLineEdit(lab.system_prompt(), self)
        system.addWidget(self.system, 1)
        layout.addLayout(system)
        actions = QHBoxLayout()
        self.run_button = QPushButton("Run prompt set", self)
        self.run_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.clicked.connect(self.stop)
        self.export_button = QPushButton("Export results…", self)
        self.export_button.clicked.connect(self.export)
        for button in (self.run_button, self.stop_button, self.export_button):
            actions.addWidget(button)
        self.status = QLabel(self)
        actions.addWidget(self.status, 1)
        layout.addLayout(actions)
        self.table = QTableWidget(self)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.currentCellChanged.connect(lambda row, col, *_: self._show_reply(row, col))
        layout.addWidget(self.table, 1)
        self.reply = QTextBrowser(self)
        self.reply.setMaximumHeight(160)
        layout.addWidget(self.reply)

    # -- prompts and cases ---------------------------------------------------------------------
    def ask_prompt_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load prompts", "", "Prompt files (*.json *.jsonl);;All files (*)"
        )
        if path:
            self.load_prompt_file(path)

    def load_prompt_file(self, path: str) -> None:
        try:
            items = load_prompt_set(path)
        except PromptSetError as exc:
            self.say(str(exc))
            return
        self.prompts.setPlainText(prompt_set_text(items))
        self.say(f"Loaded {len(items)} prompt{'s' * (len(items) != 1)} from {Path(path).name}.")

    def current_case(self) -> CompareCase:
        """The case on screen; raises CaseError or PromptSetError saying what is missing."""
        items = parse_prompt_text(self.prompts.toPlainText())
        specs = [c.spec for c in self.run.columns]
        return CompareCase(
            self.case_box.currentText().strip(), items, specs, self.system.text(),
            self.run.slots.limit,
        )  # fmt: skip

    def save_case(self) -> None:
        try:
            path = save_case(self.current_case())
        except (CaseError, PromptSetError) as exc:
            self.say(f"Not saved: {exc}")
            return
        name = self.case_box.currentText().strip()
        if self.case_box.findText(name) < 0:
            self.case_box.addItem(name)
        self.say(f"Saved the case “{name}” to {path.name}.")

    def open_case(self) -> None:
        name = self.case_box.currentText().strip()
        if not name:
            self.say("Pick or type the name of a saved case.")
            return
        try:
            case = load_named(name)
        except CaseError as exc:
            self.say(f"Not opened: {exc}")
            return
        self.prompts.setPlainText(prompt_set_text(case.prompts))
        self.system.setText(case.system)
        self.load_columns(case.columns, case.concurrency)
        self.say(
            f"Opened the case “{case.name}”: {len(case.prompts)} prompts x "
            f"{len(case.columns)} columns. Run prompt set runs it."
        )

    # -- running -------------------------------------------------------------------------------
    def start(self) -> None:
        if self.set_run is not None and self.set_run.running():
            self.say("The prompt set is still running: stop it first.")
            return
        try:
            items = parse_prompt_text(self.prompts.toPlainText())
        except PromptSetError as exc:
            self.say(str(exc))
            return
        specs = [c.spec for c in self.run.columns]
        problem = check_specs(specs)
        if problem:
            self.say(problem)
            return
        self.set_run = self.lab.prompt_set(self.run, items, specs, self.system.text())
        self.set_run.cellChanged.connect(self._show_cell)
        self.set_run.finished.connect(self._finished)
        self._build_table()
        self.say("")
        self.status.setText(f"Running {len(items) * len(specs)} cells…")
        self.set_run.start()

    def stop(self) -> None:
        if self.set_run is not None:
            self.set_run.stop()

    def _finished(self) -> None:
        if self.set_run is None:
            return
        sheet = self.set_run.sheet
        lines = [f"{i + 1}: {sheet.summary(i).line()}" for i in range(len(sheet.columns))]
        self.status.setText("Done. " + "; ".join(lines))

    def export(self) -> None:
        if self.set_run is None:
            self.say("Run the prompt set first: the export holds its results.")
            return
        said = export_sheet(self, self.set_run.sheet, "Export results")
        if said:
            self.say(said)

    # -- the table -----------------------------------------------------------------------------
    def _build_table(self) -> None:
        assert self.set_run is not None
        sheet = self.set_run.sheet
        self.table.clear()
        self.table.setRowCount(len(sheet.items) + 1)
        self.table.setColumnCount(len(sheet.columns))
        self.table.setHorizontalHeaderLabels(
            [f"{i + 1}. {t}" for i, t in enumerate(sheet.columns)]
        )
        self.table.setVerticalHeaderLabels(
            [_short(item.prompt) for item in sheet.items] + ["summary"]
        )
        for row in range(len(sheet.items)):
            for column in range(len(sheet.columns)):
                self._show_cell(row, column)

    def cell_text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def _show_cell(self, row: int, column: int) -> None:
        if self.set_run is None:
            return
        sheet = self.set_run.sheet
        cell = sheet.cells[row][column]
        verdict = sheet.verdict(row, column)
        if verdict.passed is None:
            text = cell.state
        elif sheet.items[row].checks:
            failed = [name for name, ok in verdict.checks.items() if not ok]
            text = "pass" if verdict.passed else "FAIL " + ", ".join(failed or [cell.state])
        else:
            text = "done" if verdict.passed else cell.state
        shown = QTableWidgetItem(text)
        if cell.error:
            shown.setToolTip(cell.error)
        if verdict.passed is not None:
            shown.setBackground(PASS_COLOUR if verdict.passed else FAIL_COLOUR)
        self.table.setItem(row, column, shown)
        summary = QTableWidgetItem(sheet.summary(column).line())
        summary.setFlags(summary.flags() & ~Qt.ItemFlag.ItemIsSelectable)
        self.table.setItem(len(sheet.items), column, summary)
        if (row, column) == (self.table.currentRow(), self.table.currentColumn()):
            self._show_reply(row, column)

    def _show_reply(self, row: int, column: int) -> None:
        if self.set_run is None or not 0 <= row < len(self.set_run.sheet.items):
            self.reply.clear()
            return
        if not 0 <= column < len(self.set_run.sheet.columns):
            return
        cell = self.set_run.sheet.cells[row][column]
        text = cell.content or "(no reply yet)"
        self.reply.setPlainText(f"{cell.error}\n\n{text}" if cell.error else text)

    def close_run(self) -> None:
        self.stop()


def _short(text: str, limit: int = 40) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
