"""The form widget for a tool's object schema: a line per property (text for strings,
numbers and JSON, a choice for booleans and enums), required marks, defaults as
placeholders, descriptions as tooltips."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from desktop_app.core.tools.schema_form import FieldSpec, field_text, field_value

NOT_SET = "(not set)"


class SchemaForm(QWidget):
    """Fields for ``specs``; ``edited`` on every change a person makes."""

    edited = Signal()

    def __init__(self, specs: list[FieldSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("schemaForm")
        self.specs = specs
        self.editors: dict[str, QLineEdit | QComboBox] = {}
        self._extra: dict[str, Any] = {}  # properties the schema does not name: kept as they are
        lay = QFormLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for spec in specs:
            editor = self._editor(spec)
            editor.setObjectName(f"schemaField_{spec.name}")
            editor.setAccessibleName(spec.label())
            label = QLabel(spec.label(), self)
            label.setBuddy(editor)
            tip = spec.description + (" (required)" if spec.required else "")
            label.setToolTip(tip.strip())
            editor.setToolTip(tip.strip())
            lay.addRow(label, editor)
            self.editors[spec.name] = editor
        self.note = QLabel(self)
        self.note.setObjectName("schemaFormNote")
        self.note.setWordWrap(True)
        lay.addRow(self.note)
        self.note.setVisible(not specs)
        self.note.setText("This tool takes no arguments." if not specs else "")

    def _editor(self, spec: FieldSpec) -> QLineEdit | QComboBox:
        if spec.kind in ("boolean", "enum"):
            combo = QComboBox(self)
            default = f" (default {spec.default_text()})" if spec.has_default else ""
            combo.addItem(NOT_SET + default, None)
            choices = (True, False) if spec.kind == "boolean" else spec.choices
            for i, choice in enumerate(choices):
                text = choice if isinstance(choice, str) else json.dumps(choice)
                combo.addItem(text, i)
            combo.currentIndexChanged.connect(lambda _i: self.edited.emit())
            return combo
        line = QLineEdit(self)
        hint = {"integer": "a whole number", "number": "a number", "json": "JSON"}.get(spec.kind)
        if spec.has_default:
            line.setPlaceholderText(f"default: {spec.default_text()}")
        elif hint:
            line.setPlaceholderText(hint)
        line.textEdited.connect(lambda _t: self.edited.emit())
        return line

    def _choices(self, spec: FieldSpec) -> tuple[Any, ...]:
        return (True, False) if spec.kind == "boolean" else spec.choices

    def set_value(self, value: dict[str, Any]) -> str:
        """Shows ``value``; returns why the form cannot show it exactly ('' when it can)."""
        texts: dict[str, str | None] = {}
        for spec in self.specs:
            if spec.name in value:
                texts[spec.name] = field_text(spec, value[spec.name])
                if texts[spec.name] is None:
                    return f"“{spec.name}” holds a value the form cannot show: edit it as JSON."
        for spec in self.specs:
            editor = self.editors[spec.name]
            editor.blockSignals(True)
            if isinstance(editor, QComboBox):
                given = spec.name in value
                index = self._choices(spec).index(value[spec.name]) + 1 if given else 0
                editor.setCurrentIndex(index)
            else:
                editor.setText(texts.get(spec.name) or "")
            editor.blockSignals(False)
        names = {s.name for s in self.specs}
        self._extra = {k: v for k, v in value.items() if k not in names}
        if self._extra:
            self.note.setText(
                "Also sent, as given: " + ", ".join(self._extra) + " (edit them as JSON)."
            )
        self.note.setVisible(bool(self._extra) or not self.specs)
        return ""

    def value(self) -> tuple[dict[str, Any], list[str]]:
        """The value the fields make, and what is wrong with a field (one line each)."""
        out: dict[str, Any] = {}
        problems: list[str] = []
        for spec in self.specs:
            editor = self.editors[spec.name]
            if isinstance(editor, QComboBox):
                index = editor.currentData()
                if index is not None:
                    out[spec.name] = self._choices(spec)[index]
                continue
            given, item, problem = field_value(spec, editor.text())
            if problem:
                problems.append(problem)
            elif given:
                out[spec.name] = item
        out.update({k: v for k, v in self._extra.items() if k not in out})
        return out, problems
