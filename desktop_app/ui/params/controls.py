"""The Parameters panel's rows: a number with slider and spin box, the seed, stop sequences.

Each row can be "unset" (not sent: the server's default applies). A spin box shows that as
"default" one step below its lowest valid value (see param_spin): stepping below the minimum
unsets the field, and an out-of-range number typed there is refused with a note.
"""

from __future__ import annotations

import random
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QToolButton,
    QWidget,
)

from desktop_app.api import FIELD_RANGES
from desktop_app.ui.common.wheel_guard import guard_wheel
from desktop_app.ui.params.spin import ParamSpin


def reset_button(parent: QWidget, name: str) -> QToolButton:
    btn = QToolButton(parent)
    btn.setText("↺")
    btn.setAutoRaise(True)
    btn.setObjectName("paramReset")
    btn.setToolTip(f"Reset {name}: not sent, the server's default applies")
    btn.setAccessibleName(f"Reset {name}")
    return btn


def _send_box(parent: QWidget, name: str) -> QCheckBox:
    box = QCheckBox(name, parent)
    box.setObjectName("paramSend")
    box.setAccessibleName(f"Send {name}")
    box.setToolTip(f"Checked: {name} is sent. Unchecked: the server's default applies.")
    return box


class NumberField(QWidget):
    """One numeric sampling field: send checkbox, spin box, reset button, slider.

    Typing, pasting, the arrow keys, the slider, the send box and the reset button all go
    through ``valueChanged`` with the value that will be sent, and the spin box's text is
    only rewritten when it does not already mean that value.
    """

    valueChanged = Signal(object)  # the new value, or None when unset

    def __init__(
        self,
        name: str,
        *,
        bounds: tuple[float, float],
        span: tuple[float, float],
        step: float,
        decimals: int,
        start: float,
        help_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self._is_int = FIELD_RANGES[name].type is int
        self._start = start  # what checking "send" fills in: the server's own default
        self._low = bounds[0]
        self._scale = 1 if self._is_int else 10**decimals
        self._quiet = False
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 2, 0, 2)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(0)
        self.send = _send_box(self, name)
        self.send.setToolTip(help_text)
        spin = ParamSpin(
            name,
            whole=self._is_int,
            bounds=bounds,
            step=step,
            shown_decimals=decimals,
            start=start,
            parent=self,
        )
        spin.setObjectName(f"param_{name}")
        spin.setAccessibleName(name)
        spin.setAccessibleDescription(help_text)
        spin.setToolTip(help_text)
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        spin.setMinimumWidth(78)
        self.spin = spin
        self.reset = reset_button(self, name)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("paramSlider")
        self.slider.setAccessibleName(f"{name} slider")
        self.slider.setRange(round(span[0] * self._scale), round(span[1] * self._scale))
        self.slider.setSingleStep(max(1, round(step * self._scale)))
        self.slider.setPageStep(max(1, round(step * self._scale * 5)))
        self.note = QLabel(self)
        self.note.setObjectName("paramFieldNote")
        self.note.setWordWrap(True)
        self.note.hide()
        grid.addWidget(self.send, 0, 0)
        grid.addWidget(spin, 0, 1, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.reset, 0, 2)
        grid.addWidget(self.slider, 1, 0, 1, 3)
        grid.addWidget(self.note, 2, 0, 1, 3)
        grid.setColumnStretch(0, 1)
        self._wheel_guard = guard_wheel(spin, self.slider, frozen=lambda: self.value() is None)
        spin.valueChanged.connect(self._on_spin)
        spin.refused.connect(self._show_note)
        self.slider.valueChanged.connect(self._on_slider)
        self.send.toggled.connect(self._on_send)
        self.reset.clicked.connect(lambda: self._emit(None))
        self.set_value(None)

    def set_span(self, low: float, high: float) -> None:
        """The slider's range (e.g. max_tokens up to the model's context length)."""
        self._quiet = True
        self.slider.setRange(round(low * self._scale), round(high * self._scale))
        self._quiet = False
        self.set_value(self.value())

    def set_limit(self, limit: float | None, start: float) -> None:
        """A ceiling below vLLM's own (the model's context length for max_tokens) and the
        value checking "send" fills in under it."""
        self.spin.limit = limit
        self.spin.start = start
        self._start = start
        self.set_value(self.value())

    def value(self) -> float | int | None:
        return self.spin.field_value()

    def set_value(self, value: float | int | None) -> None:
        """Shows ``value`` without emitting (None: unset)."""
        self._quiet = True
        try:
            self.spin.show_value(value)
            shown = self._start if value is None else value
            self.slider.setValue(round(shown * self._scale))
            self.send.setChecked(value is not None)
            self.setProperty("unset", value is None)
            self.reset.setEnabled(value is not None)
            self.slider.setProperty("unset", value is None)
            self.slider.style().unpolish(self.slider)
            self.slider.style().polish(self.slider)
            over = value is not None and self.spin.problem(value)
            if over:
                self._show_note(f"{over}: the server will refuse {value}.")
            elif not self.spin.property("pending"):
                self.note.hide()
        finally:
            self._quiet = False

    def _show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()

    def _emit(self, value: float | int | None) -> None:
        self.set_value(value)
        self.valueChanged.emit(self.value())

    def _on_spin(self, _raw: float) -> None:
        if not self._quiet:
            # A value set below the lowest valid one (by a program; typing cannot) is unset.
            self._emit(self.value())

    def _on_slider(self, position: int) -> None:
        if not self._quiet:
            value = position if self._is_int else round(position / self._scale, 6)
            self._emit(max(value, self._low))

    def _on_send(self, on: bool) -> None:
        if not self._quiet:
            self._emit(self._start if on else None)


_SEED_TEXT = re.compile(r"-?[0-9]+")


class _Int64Validator(QValidator):
    """Whole numbers within vLLM's seed range; anything else cannot be typed."""

    def validate(self, text: str, pos: int) -> object:
        spec = FIELD_RANGES["seed"]
        if text in ("", "-"):
            return QValidator.State.Intermediate, text, pos
        # ASCII digits only: int() also takes "1_000" and other scripts' digits, and the
        # field would then show one thing and send another.
        if not _SEED_TEXT.fullmatch(text):
            return QValidator.State.Invalid, text, pos
        number = int(text)
        if not spec.min <= number <= spec.max:
            return QValidator.State.Invalid, text, pos
        return QValidator.State.Acceptable, text, pos


class SeedField(QWidget):
    """The seed: empty means not sent (a new random reply each time)."""

    valueChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 2, 0, 2)
        row.setSpacing(6)
        help_text = "seed: the same seed and prompt repeat the same reply. Empty: not sent."
        self.send = _send_box(self, "seed")
        self.send.setToolTip(help_text)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("param_seed")
        self.edit.setAccessibleName("seed")
        self.edit.setAccessibleDescription(help_text)
        self.edit.setToolTip(help_text)
        self.edit.setPlaceholderText("random")
        self.edit.setValidator(_Int64Validator(self.edit))
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.edit.setMaximumWidth(150)
        self.dice = QToolButton(self)
        self.dice.setText("⚄")
        self.dice.setAutoRaise(True)
        self.dice.setToolTip("Pick a random seed (to be able to repeat this reply)")
        self.dice.setAccessibleName("Random seed")
        self.reset = reset_button(self, "seed")
        row.addWidget(self.send, 1)
        row.addWidget(self.edit)
        row.addWidget(self.dice)
        row.addWidget(self.reset)
        self.edit.textEdited.connect(lambda _t: self._emit(self.value()))
        self.dice.clicked.connect(lambda: self._emit(random.randrange(2**31)))
        self.reset.clicked.connect(lambda: self._emit(None))
        self.send.toggled.connect(self._on_send)
        self._quiet = False
        self.set_value(None)

    def value(self) -> int | None:
        text = self.edit.text()
        return int(text) if text not in ("", "-") else None

    def set_value(self, value: int | None) -> None:
        self._quiet = True
        if self.value() != value:
            self.edit.setText("" if value is None else str(value))
        self.send.setChecked(value is not None)
        self.reset.setEnabled(value is not None)
        self._quiet = False

    def _emit(self, value: int | None) -> None:
        self.set_value(value)
        self.valueChanged.emit(value)

    def _on_send(self, on: bool) -> None:
        if not self._quiet:
            self._emit(random.randrange(2**31) if on else None)
