"""The Parameters panel's spin box: the value it holds is exactly the number typed.

Its lowest position shows "default" (unset, not sent). Typed or pasted text becomes the
value only when vLLM would accept it; other text stays visible while it is edited and, when
committed, is put back to the value in force with a note saying why (``refused``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QWidget

from desktop_app.api import SamplingParams
from desktop_app.ui.params.number_text import MAX_DECIMALS, format_number, read_number

UNSET_TEXT = "default"
_UNSET_PIECES = re.compile("[a-z]+")


class ParamSpin(QDoubleSpinBox):
    """One sampling field's number (whole numbers too: a double holds every int it needs)."""

    refused = Signal(str)  # a committed text that was not applied, and why

    def __init__(
        self,
        name: str,
        *,
        whole: bool,
        bounds: tuple[float, float],
        step: float,
        shown_decimals: int,
        start: float,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self._whole = whole
        self.low, self.high = bounds
        self.limit: float | None = None  # a lower ceiling, e.g. the model's context length
        self.start = start  # where stepping up from "default" lands: the server's own default
        self._shown = shown_decimals
        self.setDecimals(0 if whole else MAX_DECIMALS)
        # One step below the lowest valid value holds "default"; nothing typed can get there.
        self.setRange(self.low - step, self.high)
        self.setValue(self.minimum())  # starts unset, showing "default"
        self.setSingleStep(step)
        self.setSpecialValueText(UNSET_TEXT)
        self.setKeyboardTracking(True)  # every accepted keystroke is the value sent next
        # Not WheelFocus: a wheel turned while scrolling the panel must not take the field.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.lineEdit().textChanged.connect(self._mark)
        # The value before the current edit: a refused edit goes back to it, not to whatever
        # the keystrokes on the way passed through ("1" on the way to a refused "1.5").
        self._origin: float | int | None = None
        self._refused: tuple[str, float | int | None] | None = None
        self.editingFinished.connect(self._on_commit)

    # -- what the field holds -------------------------------------------------------------
    def field_value(self) -> float | int | None:
        """The value sent (None: unset)."""
        raw = self.value()
        if raw < self.low:
            return None
        return round(raw) if self._whole else round(raw, MAX_DECIMALS)

    def show_value(self, value: float | int | None) -> None:
        """Shows ``value``, leaving the text alone when it already means that value (so
        an edit in progress such as "0." is not rewritten under the cursor)."""
        if value is None:
            # By the value, not field_value(): a value between "default" and the lowest
            # valid one (0.00 in a field valid only above 0) is unset too, but shows wrong.
            if self.value() != self.minimum():
                self.setValue(self.minimum())
        elif self.field_value() != value:
            if value > self.maximum():
                self.setMaximum(value)  # loaded from a preset or a reply: show it as it is
            self.setValue(value)
        if not self.lineEdit().isModified():
            self._origin = value  # not the user's edit in progress: the new starting point
        self._mark()

    def problem(self, value: float | int, typed: bool = False) -> str:
        """Why ``value`` cannot be sent ("" when it can). ``typed``: also this panel's own
        ceiling for fields vLLM leaves open (a value loaded from elsewhere may pass it)."""
        candidate: dict[str, Any] = {self.name: value}  # this field's name, known at run time
        found = replace(SamplingParams(), **candidate).validate()
        if found:
            return found[0]
        if self.limit is not None and value > self.limit:
            return f"{self.name} must be at most {self._fmt(self.limit)} for this model"
        if typed and value > self.high:
            return f"{self.name} goes up to {self._fmt(self.high)} here"
        return ""

    # -- QAbstractSpinBox hooks -----------------------------------------------------------
    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        shown, pos = _without_unset_word(text, pos)
        if shown is None:
            return QValidator.State.Invalid, "", 0
        text = shown
        if text == UNSET_TEXT:
            return QValidator.State.Acceptable, text, pos
        reading = read_number(text, whole=self._whole, group_separator=self._group())
        if reading.kind == "invalid":
            return QValidator.State.Invalid, text, pos
        if reading.kind == "empty":
            return QValidator.State.Acceptable, text, pos  # cleared: unset
        if reading.kind == "partial" or reading.problem:
            return QValidator.State.Intermediate, text, pos
        assert reading.value is not None
        ok = not self.problem(reading.value, typed=True)
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos

    def valueFromText(self, text: str) -> float:
        reading = read_number(text, whole=self._whole, group_separator=self._group())
        if reading.value is None or reading.problem or text.strip() == UNSET_TEXT:
            return self.minimum()
        return float(reading.value)

    def textFromValue(self, value: float) -> str:
        return self._fmt(value)

    def fixup(self, text: str) -> str:
        """Called when committed text is not a usable value: Qt then shows the value in
        force again; ``_on_commit`` says what was typed and why it did not count."""
        stripped, _pos = _without_unset_word(text, len(text))
        if stripped is not None and stripped.strip():
            # Qt puts the last accepted value back next, which rewrites the text and makes
            # the edit look finished: remember now where it started.
            self._refused = (stripped.strip(), self._origin)
        return text

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._settle()
        super().focusInEvent(event)

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        if self.validate(self.text(), len(self.text()))[0] != QValidator.State.Acceptable:
            # Text that is not a value: stepBy puts the value before the edit back.
            both = QAbstractSpinBox.StepEnabledFlag
            return both.StepUpEnabled | both.StepDownEnabled
        return super().stepEnabled()

    def stepBy(self, steps: int) -> None:
        state = self.validate(self.text(), self.lineEdit().cursorPosition())[0]
        if state != QValidator.State.Acceptable:
            self.interpretText()
        if self._refused is not None:
            # Text in progress that was not a value (Qt may have read it already before
            # calling this): back to the value before the edit, saying why; no step.
            self._on_commit()
            return
        current = self.field_value()
        if current is None:
            target = self.start if steps > 0 else None
        else:
            raw = current + steps * self.singleStep()
            target = round(raw) if self._whole else round(raw, MAX_DECIMALS)
            top = self.high if self.limit is None else min(self.high, self.limit)
            target = None if target < self.low else min(target, top)
        self.setValue(self.minimum() if target is None else target)
        self._settle()
        self.selectAll()

    # -- helpers ----------------------------------------------------------------------------
    def _on_commit(self) -> None:
        refused, self._refused = self._refused, None
        if refused is not None:
            text, origin = refused
            if self.field_value() != origin:
                self.setValue(self.minimum() if origin is None else origin)
            self.refused.emit(self._refusal(text))
        self._settle()

    def _settle(self) -> None:
        """No edit in progress: what the field holds now is where the next edit starts."""
        self.lineEdit().setModified(False)
        self._origin = self.field_value()
        self._refused = None

    def _refusal(self, text: str) -> str:
        reading = read_number(text, whole=self._whole, group_separator=self._group())
        if reading.kind != "number":
            why = f"“{text}” is not a number"
        elif reading.problem:
            why = f"{self.name}: {reading.problem}"
        else:
            assert reading.value is not None
            why = self.problem(reading.value, typed=True)
        kept = self.field_value()
        shown = "not sent (default)" if kept is None else self._fmt(kept)
        return f"{why}. {text} was not applied; {self.name} stays {shown}."

    def _mark(self, *_args: object) -> None:
        """Marks the field while its text is not the value in force."""
        state = self.validate(self.text(), len(self.text()))[0]
        bad = state != QValidator.State.Acceptable
        if bool(self.property("pending")) != bad:
            self.setProperty("pending", bad)
            self.style().unpolish(self)
            self.style().polish(self)

    def _group(self) -> str:
        return self.locale().groupSeparator() if self._whole else ""

    def _fmt(self, value: float) -> str:
        if self._whole:
            return str(round(value))
        return format_number(
            value, min_decimals=self._shown, decimal_point=self.locale().decimalPoint()
        )


def _without_unset_word(text: str, pos: int) -> tuple[str | None, int]:
    """Typing into a field that shows "default" replaces the word; deleting part of it
    clears the field. Letters that are not part of the word are refused (None)."""
    if text == UNSET_TEXT or not _UNSET_PIECES.search(text):
        return text, pos
    kept: list[str] = []
    new_pos = pos
    last = 0
    for match in _UNSET_PIECES.finditer(text):
        if match.group() not in UNSET_TEXT:
            return None, 0
        kept.append(text[last : match.start()])
        if match.start() < pos:
            new_pos -= min(pos, match.end()) - match.start()
        last = match.end()
    kept.append(text[last:])
    return "".join(kept), max(0, new_pos)
