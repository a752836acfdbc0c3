"""Call arguments, or a call's result, edited in a form made from the tool's schema (its
parameters, or its result schema) or as raw JSON, switching between the two without losing a
value, and checked against the schema by jsonschema (``check_arguments`` for arguments,
``result_schema_problems`` for results) as they are edited."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.api import ToolDefinition
from desktop_app.core.tools.calls import (
    check_arguments,
    pretty_arguments,
    pretty_json,
    result_schema_problems,
)
from desktop_app.core.tools.schema_form import form_fields
from desktop_app.ui.tools.schema_form import SchemaForm

_SHOWN_PROBLEMS = 3


class ArgumentsEditor(QWidget):
    """``changed`` after every edit; ``problem()`` says what blocks running ('' for none)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, for_result: bool = False) -> None:
        super().__init__(parent)
        # A result editor checks against a result schema; what it holds need not be an object.
        self.for_result = for_result
        what = "result" if for_result else "arguments"
        self.setObjectName(f"{what}Editor")
        self.definition: ToolDefinition | None = None
        self.schema: dict[str, Any] | None = None
        self._original = ""
        self._original_value: Any = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        modes = QHBoxLayout()
        modes.addWidget(QLabel("Result:" if for_result else "Arguments:", self))
        self.form_button = QPushButton("Form", self)
        self.form_button.setObjectName(f"{what}FormButton")
        self.json_button = QPushButton("JSON", self)
        self.json_button.setObjectName(f"{what}JsonButton")
        self._group = QButtonGroup(self)
        for button in (self.form_button, self.json_button):
            button.setCheckable(True)
            button.setAutoDefault(False)
            self._group.addButton(button)
            modes.addWidget(button)
        modes.addStretch(1)
        lay.addLayout(modes)
        self.pages = QStackedWidget(self)
        self.form: SchemaForm | None = None
        self.raw = QPlainTextEdit(self.pages)
        self.raw.setObjectName("toolResultJson" if for_result else "mcpCallArguments")
        self.raw.setAccessibleName(
            "The tool's result, as JSON" if for_result
            else "Arguments to run the tool with, as JSON"
        )
        self.raw.setFixedHeight(64)
        self.raw.setTabChangesFocus(True)
        self.raw.textChanged.connect(self._edited)
        self.pages.addWidget(self.raw)
        lay.addWidget(self.pages)
        self.message = QLabel(self)
        self.message.setObjectName(f"{what}Problem")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #d93025")
        self.message.hide()
        lay.addWidget(self.message)
        self.form_button.clicked.connect(self.show_form)
        self.json_button.clicked.connect(self.show_json)
        self._switch_problem = ""

    # -- filling -----------------------------------------------------------------------------
    def set_call(self, definition: ToolDefinition | None, arguments: str) -> None:
        """Shows a call's arguments: in the form when the schema has one and the form can
        hold them exactly, otherwise as JSON."""
        self.definition = definition
        self._fill(definition.parameters if definition is not None else None, arguments)

    def set_result(self, schema: dict[str, Any] | None, text: str) -> None:
        """Shows a result: in the form of the result schema when it can hold it exactly
        (an empty result is an empty form), otherwise as JSON."""
        self.schema = schema
        self._fill(schema, text)

    def _fill(self, schema: object, arguments: str) -> None:
        self._original = arguments
        try:
            self._original_value = json.loads(arguments) if arguments.strip() else {}
        except ValueError:
            self._original_value = None
        if self.form is not None:
            self.pages.removeWidget(self.form)
            self.form.deleteLater()
            self.form = None
        specs = form_fields(schema)
        if specs is not None:
            self.form = SchemaForm(specs, self.pages)
            self.form.edited.connect(self._edited)
            self.pages.addWidget(self.form)
        self.form_button.setVisible(self.form is not None)
        self.json_button.setVisible(self.form is not None)
        self.raw.blockSignals(True)
        self.raw.setPlainText(pretty_json(arguments) if self.for_result
                              else pretty_arguments(arguments))
        self.raw.blockSignals(False)
        self._switch_problem = ""
        value = self._original_value
        if self.form is not None and isinstance(value, dict):
            # Shown as JSON when the form cannot hold the call's value, saying why.
            self._switch_problem = self.form.set_value(value)
        self._show(self.raw if self.form is None or self._switch_problem
                   or not isinstance(value, dict) else self.form)
        self._check()

    def _show(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        (self.form_button if page is self.form else self.json_button).setChecked(True)

    def in_form(self) -> bool:
        return self.form is not None and self.pages.currentWidget() is self.form

    # -- switching ---------------------------------------------------------------------------
    def show_json(self) -> None:
        """Form -> JSON: the fields' value written out, unless a field cannot be read."""
        if not self.in_form():
            return
        assert self.form is not None
        value, problems = self.form.value()
        if problems:
            self._switch_problem = "Fix the field first: " + problems[0]
            self._show(self.form)
        else:
            self._switch_problem = ""
            self.raw.blockSignals(True)
            self.raw.setPlainText(json.dumps(value, indent=2, ensure_ascii=False))
            self.raw.blockSignals(False)
            self._show(self.raw)
        self._check()

    def show_form(self) -> None:
        """JSON -> form: the JSON read into the fields, unless it cannot be shown there."""
        if self.form is None or self.in_form():
            return
        try:
            value = json.loads(self.raw.toPlainText() or "{}")
        except ValueError as exc:
            why = f"The JSON cannot be read ({exc.args[0].split(':')[0]}): fix it to switch."
        else:
            why = self.form.set_value(value) if isinstance(value, dict) else (
                f"The {'result' if self.for_result else 'arguments'} should be a JSON object."
            )
        self._switch_problem = why
        self._show(self.raw if why else self.form)
        self._check()

    # -- the value ---------------------------------------------------------------------------
    def text(self) -> str:
        """The arguments as JSON text: the call's own text while the value is unchanged."""
        if not self.in_form():
            return self.raw.toPlainText()
        assert self.form is not None
        value, _ = self.form.value()
        if value == self._original_value:
            return self._original
        return json.dumps(value, ensure_ascii=False)

    def problem(self) -> str:
        """What is wrong with the arguments as they stand; '' when they can run."""
        if self.in_form():
            assert self.form is not None
            _, problems = self.form.value()
            if problems:
                return "\n".join(problems[:_SHOWN_PROBLEMS])
        text = self.text()
        if self.for_result:
            wrong = result_schema_problems(self.schema, text) if self.schema is not None else []
            return "\n".join(wrong[:_SHOWN_PROBLEMS])
        check = check_arguments(self.definition, text)
        lines = []
        for found in check.problems[:_SHOWN_PROBLEMS]:
            where = ".".join(str(p) for p in found.path)
            lines.append(f"{where}: {found.message}" if where else found.message)
        return "\n".join(lines)

    def _edited(self) -> None:
        self._switch_problem = ""
        self._check()
        self.changed.emit()

    def check_against(self, schema: dict[str, Any] | None) -> None:
        """A result editor checks against ``schema`` from now on (None: not at all, for an
        error report or what a real tool returned)."""
        if schema is not self.schema:
            self.schema = schema
            self._check()

    def _check(self) -> None:
        problem = self.problem()
        shown = "\n".join(p for p in (self._switch_problem, problem) if p)
        self.message.setText(shown)
        self.message.setVisible(bool(shown))
