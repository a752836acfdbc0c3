"""Editing one tool: its JSON with problems marked at the spot, and its mock answer."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.tools.mocks import cases_problem
from desktop_app.core.tools.workbench import Problem, ToolCheck, ToolEntry
from desktop_app.ui.common.tab_keys import JSON_INDENT, tab_moves_focus
from desktop_app.ui.common.theme import is_dark
from desktop_app.ui.tools.call_card import mono

MOCK_HINT = '{"city": "{{arguments.city}}", "temperature": 21}'


class ToolEditor(QWidget):
    """Shows one ToolEntry; emits the user's edits, and shows the check it is given."""

    sourceEdited = Signal(str)
    mockEdited = Signal(str)
    autoAnswerToggled = Signal(bool)
    mockMoreEdited = Signal()  # the cases, the error flag or the delay changed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toolEditor")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        caption = QLabel("Definition (JSON: name, description, parameters as JSON Schema)", self)
        caption.setObjectName("toolSourceCaption")
        caption.setWordWrap(True)
        lay.addWidget(caption)
        self.source = QPlainTextEdit(self)
        self.source.setObjectName("toolSourceEdit")
        self.source.setAccessibleName("Tool definition JSON")
        self.source.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono(self.source)
        self.source.setTabStopDistance(self.source.fontMetrics().horizontalAdvance(" ") * 2)
        tab_moves_focus(self.source, JSON_INDENT)
        self.source.textChanged.connect(lambda: self.sourceEdited.emit(self.source.toPlainText()))
        lay.addWidget(self.source, 3)
        self.problems = QListWidget(self)
        self.problems.setObjectName("toolProblems")
        self.problems.setAccessibleName("Problems in the tool definition")
        self.problems.setWordWrap(True)
        self.problems.setMaximumHeight(110)
        self.problems.itemClicked.connect(self._jump)
        self.problems.itemActivated.connect(self._jump)
        lay.addWidget(self.problems)
        self.verdict = QLabel(self)
        self.verdict.setObjectName("toolVerdict")
        self.verdict.setWordWrap(True)
        lay.addWidget(self.verdict)
        mock_caption = QLabel(
            "Mock result (optional): {{arguments.x}}, {{name}} and {{id}} are filled in", self
        )
        mock_caption.setObjectName("toolMockCaption")
        mock_caption.setWordWrap(True)
        lay.addWidget(mock_caption)
        self.mock = QPlainTextEdit(self)
        self.mock.setObjectName("toolMockEdit")
        self.mock.setAccessibleName("Mock result template")
        self.mock.setPlaceholderText(MOCK_HINT)
        self.mock.setFixedHeight(64)
        tab_moves_focus(self.mock, JSON_INDENT)
        mono(self.mock)
        self.mock.textChanged.connect(lambda: self.mockEdited.emit(self.mock.toPlainText()))
        lay.addWidget(self.mock)
        # Short enough for the narrowest dock (a checkbox cannot wrap); the tooltip says more.
        self.auto_answer = QCheckBox("Auto-answer with the mock", self)
        self.auto_answer.setObjectName("toolAutoAnswer")
        self.auto_answer.setToolTip(
            "Answer this tool's calls automatically with the mock result, without asking"
        )
        self.auto_answer.toggled.connect(self.autoAnswerToggled)
        lay.addWidget(self.auto_answer)
        fail_row = QHBoxLayout()
        self.mock_error = QCheckBox("Answer as an error", self)
        self.mock_error.setObjectName("toolMockError")
        self.mock_error.setToolTip("The default mock is sent back as a failed call")
        fail_row.addWidget(self.mock_error)
        fail_row.addWidget(QLabel("after", self))
        self.mock_delay = QDoubleSpinBox(self)
        self.mock_delay.setObjectName("toolMockDelay")
        self.mock_delay.setAccessibleName("Mock delay in seconds")
        self.mock_delay.setRange(0, 600)
        self.mock_delay.setDecimals(1)
        self.mock_delay.setSuffix(" s")
        fail_row.addWidget(self.mock_delay, 1)
        lay.addLayout(fail_row)
        cases_caption = QLabel(
            'Cases by argument (optional): [{"when": {"city": "Oslo"}, "result": "…", '
            '"error": false, "delay": 0}]; the first match answers, else the mock above',
            self,
        )
        cases_caption.setWordWrap(True)
        lay.addWidget(cases_caption)
        self.cases = QPlainTextEdit(self)
        self.cases.setObjectName("toolMockCases")
        self.cases.setAccessibleName("Mock cases matched on argument values")
        self.cases.setFixedHeight(64)
        tab_moves_focus(self.cases, JSON_INDENT)
        mono(self.cases)
        lay.addWidget(self.cases)
        self.cases_problem = QLabel(self)
        self.cases_problem.setObjectName("toolMockCasesProblem")
        self.cases_problem.setWordWrap(True)
        lay.addWidget(self.cases_problem)
        self.mock_error.toggled.connect(lambda _on: self.mockMoreEdited.emit())
        self.mock_delay.valueChanged.connect(lambda _v: self.mockMoreEdited.emit())
        self.cases.textChanged.connect(self._on_cases)
        self._problems: list[Problem] = []
        self.load(None)

    def load(self, entry: ToolEntry | None) -> None:
        """Shows ``entry`` (None: nothing selected) without emitting edits."""
        widgets = (
            self.source,
            self.mock,
            self.auto_answer,
            self.mock_error,
            self.mock_delay,
            self.cases,
        )
        for w in widgets:
            w.blockSignals(True)
        self.source.setPlainText(entry.source if entry else "")
        self.mock.setPlainText(entry.mock if entry else "")
        self.auto_answer.setChecked(bool(entry and entry.auto_answer))
        self.mock_error.setChecked(bool(entry and entry.mock_error))
        self.mock_delay.setValue(entry.mock_delay if entry else 0.0)
        self.cases.setPlainText(entry.mock_cases if entry else "")
        self.cases_problem.setText(cases_problem(entry.mock_cases) if entry else "")
        for w in widgets:
            w.blockSignals(False)
        self.setEnabled(entry is not None)
        self.show_check(entry.check() if entry else ToolCheck(None))

    def _on_cases(self) -> None:
        self.cases_problem.setText(cases_problem(self.cases.toPlainText()))
        self.mockMoreEdited.emit()

    def show_check(self, check: ToolCheck) -> None:
        self._problems = list(check.problems)
        self.problems.clear()
        for p in self._problems:
            icon = "✗" if p.severity == "error" else "⚠"
            item = QListWidgetItem(f"{icon} {p.describe()}", self.problems)
            item.setToolTip("Click to go there")
        self.problems.setVisible(bool(self._problems))
        if check.ok:
            extra = " (with warnings)" if check.problems else ""
            self.verdict.setText(f"✓ Valid tool{extra}: it is sent when enabled.")
        elif self.isEnabled() and self.source.toPlainText():
            self.verdict.setText("✗ Not sent while it has errors; while enabled, Send is blocked.")
        else:
            self.verdict.setText("")
        self._mark(self._problems)

    def _mark(self, problems: list[Problem]) -> None:
        dark = is_dark(self)
        marks = []
        doc = self.source.document()
        for p in problems:
            if p.spot is None:
                continue
            error = p.severity == "error"
            line = QTextEdit.ExtraSelection()
            line.format.setBackground(
                QColor(
                    ("#4a2424" if error else "#3d3420")
                    if dark
                    else ("#fde7e6" if error else "#fff4d6")
                )
            )
            line.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            line.cursor = QTextCursor(doc)
            line.cursor.setPosition(min(p.spot.offset, max(0, doc.characterCount() - 1)))
            marks.append(line)
            wavy = QTextEdit.ExtraSelection()
            wavy.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            wavy.format.setUnderlineColor(QColor("#d93025" if error else "#c78a00"))
            wavy.cursor = QTextCursor(doc)
            wavy.cursor.setPosition(min(p.spot.offset, max(0, doc.characterCount() - 1)))
            wavy.cursor.movePosition(
                QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor
            )
            marks.append(wavy)
        self.source.setExtraSelections(marks)

    def _jump(self, item: QListWidgetItem) -> None:
        problem = self._problems[self.problems.row(item)]
        if problem.spot is None:
            return
        cursor = self.source.textCursor()
        cursor.setPosition(min(problem.spot.offset, len(self.source.toPlainText())))
        self.source.setTextCursor(cursor)
        self.source.setFocus(Qt.FocusReason.OtherFocusReason)
