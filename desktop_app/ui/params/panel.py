"""The Parameters dock: presets, thinking, every sampling field, switches and the extra body."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.api import FIELD_RANGES
from desktop_app.core.params.generation import (
    GenerationParams,
    editor_bounds,
    max_tokens_start,
    slider_span,
)
from desktop_app.ui.common.tab_keys import JSON_INDENT, tab_moves_focus
from desktop_app.ui.common.wheel_guard import guard_wheel
from desktop_app.ui.params.controls import NumberField, SeedField, reset_button
from desktop_app.ui.params.number_text import MAX_DECIMALS
from desktop_app.ui.params.presets_bar import PresetsBar
from desktop_app.ui.params.stop_editor import StopEditor

# name: (step, decimals, value filled in when "send" is checked, help)
NUMBER_FIELDS: dict[str, tuple[float, int, float, str]] = {
    "temperature": (
        0.05,
        2,
        1.0,
        "Randomness. 0 always picks the likeliest token; higher values vary more. Valid: 0 to 2.",
    ),
    "top_p": (
        0.01,
        2,
        0.95,
        "Nucleus sampling: sample only from the likeliest tokens whose "
        "probabilities add up to top_p. Valid: above 0, at most 1.",
    ),
    "top_k": (
        1,
        0,
        64,
        "Sample only from the k likeliest tokens; 0 or -1 turns it off. "
        "Gemma's recommended value is 64.",
    ),
    "min_p": (
        0.01,
        2,
        0.05,
        "Drop tokens less likely than min_p times the likeliest one. Valid: 0 to 1.",
    ),
    "repetition_penalty": (
        0.05,
        2,
        1.0,
        "Above 1 discourages tokens already in the prompt "
        "or reply; 1 turns it off. Valid: above 0.",
    ),
    "presence_penalty": (
        0.1,
        2,
        0.0,
        "Positive values favour tokens not used yet (new topics). Valid: -2 to 2.",
    ),
    "frequency_penalty": (
        0.1,
        2,
        0.0,
        "Positive values penalise tokens by how often they appeared. Valid: -2 to 2.",
    ),
    "max_tokens": (
        1,
        0,
        1024,
        "The longest reply in tokens, thinking included. Not sent: up "
        "to the model's context limit.",
    ),
}
SECTIONS = (
    ("Sampling", ("temperature", "top_p", "top_k", "min_p")),
    ("Penalties", ("repetition_penalty", "presence_penalty", "frequency_penalty")),
    ("Length and stopping", ("max_tokens",)),
)
EXTRA_PLACEHOLDER = '{\n  "response_format": {"type": "json_object"}\n}'


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("panelHeading")
    return label


class ParamsPanel(QWidget):
    """Shows and edits ``chat.current.settings`` through a ``GenerationParams``."""

    def __init__(
        self, params: GenerationParams, max_model_len: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("parametersPanel")
        self.params = params
        self._loading = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 12)
        lay.setSpacing(6)
        lay.addWidget(_heading("Preset", self))
        self.presets = PresetsBar(params, self)
        lay.addWidget(self.presets)
        self.busy_note = QLabel("A reply is streaming: changes apply to the next request.", self)
        self.busy_note.setObjectName("paramNote")
        self.busy_note.setWordWrap(True)
        self.busy_note.hide()
        lay.addWidget(self.busy_note)

        lay.addWidget(_heading("Reasoning", self))
        lay.addLayout(self._build_thinking())

        self.fields: dict[str, QWidget] = {}
        for title, names in SECTIONS:
            lay.addWidget(_heading(title, self))
            for name in names:
                step, decimals, start, help_text = NUMBER_FIELDS[name]
                whole = FIELD_RANGES[name].type is int
                field = NumberField(
                    name,
                    bounds=editor_bounds(name, 1 if whole else 10**-MAX_DECIMALS),
                    span=slider_span(name, max_model_len),
                    step=step,
                    decimals=decimals,
                    start=start,
                    help_text=help_text,
                    parent=self,
                )
                field.valueChanged.connect(lambda v, n=name: self._set(n, v))
                self.fields[name] = field
                lay.addWidget(field)
        self.seed = SeedField(self)
        self.seed.valueChanged.connect(lambda v: self._set("seed", v))
        self.fields["seed"] = self.seed
        lay.addWidget(self.seed)
        self.stop = StopEditor(self)
        self.stop.valueChanged.connect(lambda v: self._set("stop", v))
        self.fields["stop"] = self.stop
        lay.addWidget(self.stop)

        lay.addWidget(_heading("Streaming", self))
        self.stream = QCheckBox("Stream the reply token by token", self)
        self.stream.setObjectName("param_stream")
        self.stream.setAccessibleName("stream")
        self.stream.toggled.connect(self._on_stream)
        lay.addWidget(self.stream)
        self.include_usage = QCheckBox("Include token usage (stream_options)", self)
        self.include_usage.setObjectName("param_include_usage")
        self.include_usage.setAccessibleName("include_usage")
        self.include_usage.toggled.connect(self._on_usage)
        lay.addWidget(self.include_usage)

        lay.addWidget(_heading("Extra body", self))
        self.extra = QPlainTextEdit(self)
        self.extra.setObjectName("param_extra_body")
        self.extra.setAccessibleName("extra_body")
        self.extra.setAccessibleDescription(
            "A JSON object of other vLLM request fields, merged into every request."
        )
        self.extra.setPlaceholderText(EXTRA_PLACEHOLDER)
        self.extra.setToolTip(
            "Any other vLLM request field as JSON, e.g. response_format, structured_outputs,"
            " min_tokens, logprobs. Merged into every request of this conversation."
        )
        self.extra.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.extra.setFixedHeight(110)
        tab_moves_focus(self.extra, JSON_INDENT)
        self.extra.textChanged.connect(self._on_extra)
        lay.addWidget(self.extra)
        self.extra_error = QLabel(self)
        self.extra_error.setObjectName("extraBodyError")
        self.extra_error.setWordWrap(True)
        self.extra_error.hide()
        lay.addWidget(self.extra_error)
        self.extra_warning = QLabel(self)
        self.extra_warning.setObjectName("extraBodyWarning")
        self.extra_warning.setWordWrap(True)
        self.extra_warning.hide()
        lay.addWidget(self.extra_warning)

        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        lay.addWidget(line)
        self.reset_all = QPushButton("Reset all to server defaults", self)
        self.reset_all.setObjectName("resetAllButton")
        self.reset_all.setToolTip("Unset every sampling field and the thinking switch")
        self.reset_all.clicked.connect(params.reset_all)
        lay.addWidget(self.reset_all)
        lay.addStretch(1)

        # Turning the wheel over the preset picker would replace every setting at once.
        self._wheel_guard = guard_wheel(self.presets.combo)
        params.loaded.connect(self.reload)
        params.changed.connect(self._sync_presence)
        self.set_model_context(max_model_len)
        self.reload()

    def set_model_context(self, max_model_len: int | None) -> None:
        """max_tokens follows the connected model's context length (unknown: no ceiling)."""
        field = self.fields["max_tokens"]
        assert isinstance(field, NumberField)
        field.set_span(*slider_span("max_tokens", max_model_len))
        field.set_limit(max_model_len, max_tokens_start(max_model_len))

    def _build_thinking(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        self.thinking = QCheckBox("Thinking", self)
        self.thinking.setObjectName("param_enable_thinking")
        self.thinking.setAccessibleName("enable_thinking")
        self.thinking.setToolTip(
            "chat_template_kwargs.enable_thinking: Gemma thinks before it answers. "
            "Servers leave it off unless told otherwise."
        )
        self.thinking.toggled.connect(self._on_thinking)
        row.addWidget(self.thinking)
        self.thinking_state = QLabel(self)
        self.thinking_state.setObjectName("paramState")
        row.addWidget(self.thinking_state, 1)
        self.thinking_reset = reset_button(self, "enable_thinking")
        self.thinking_reset.clicked.connect(lambda: self.params.set_thinking(None))
        row.addWidget(self.thinking_reset)
        return row

    # -- showing -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Shows the current conversation's settings (after a switch or a wholesale change)."""
        self._loading = True
        try:
            s = self.params.settings
            for name, field in self.fields.items():
                field.set_value(getattr(s.sampling, name))  # type: ignore[attr-defined]
            self.stream.setChecked(s.stream)
            self.include_usage.setChecked(s.include_usage)
            text = self.params.extra_body_text()
            if self.extra.toPlainText() != text:
                self.extra.setPlainText(text)
            self._show_check()
        finally:
            self._loading = False
        self._sync_presence()

    def _sync_presence(self) -> None:
        s = self.params.settings
        self._loading = True
        self.thinking.setChecked(bool(s.enable_thinking))
        self._loading = False
        self.thinking_state.setText(
            {None: "not sent (server default)", True: "on", False: "off (sent as false)"}[
                s.enable_thinking
            ]
        )
        self.thinking_reset.setEnabled(s.enable_thinking is not None)
        self.include_usage.setEnabled(s.stream)

    def _show_check(self) -> None:
        check = self.params.extra_body_check
        self.extra_error.setText("\n".join(check.errors))
        self.extra_error.setVisible(bool(check.errors))
        self.extra_warning.setText("\n".join(check.warnings))
        self.extra_warning.setVisible(bool(check.warnings))
        self.extra.setProperty("invalid", bool(check.errors))
        self.extra.style().unpolish(self.extra)
        self.extra.style().polish(self.extra)

    def set_busy(self, busy: bool) -> None:
        self.busy_note.setVisible(busy)

    # -- editing -----------------------------------------------------------------------------
    def _set(self, name: str, value: object) -> None:
        if self._loading:
            return
        try:
            self.params.set_field(name, value)
        except ValueError as exc:
            # The controls keep values in range; this guards against a future control bug.
            self.presets.show_note(str(exc), error=True)
            self.fields[name].set_value(self.params.value(name))  # type: ignore[attr-defined]

    def _on_thinking(self, on: bool) -> None:
        if not self._loading:
            self.params.set_thinking(on)

    def _on_stream(self, on: bool) -> None:
        if not self._loading:
            self.params.set_stream(on)

    def _on_usage(self, on: bool) -> None:
        if not self._loading:
            self.params.set_include_usage(on)

    def _on_extra(self) -> None:
        if self._loading:
            return
        self.params.set_extra_body_text(self.extra.toPlainText())
        self._show_check()


def make_params_dock(panel: ParamsPanel, parent: QWidget) -> QDockWidget:
    dock = QDockWidget("Parameters", parent)
    dock.setObjectName("parametersDock")
    dock.setAllowedAreas(
        Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
    )
    scroll = QScrollArea(dock)
    scroll.setObjectName("parametersScroll")
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    # A narrow dock scrolls sideways rather than clipping controls.
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    scroll.setWidget(panel)
    dock.setWidget(scroll)
    dock.setMinimumWidth(290)
    return dock
