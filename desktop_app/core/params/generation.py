"""Editing the current conversation's generation settings: the Parameters panel's logic.

Every change is written at once into ``chat.current.settings`` (one field at a time, so
values set elsewhere are never overwritten from a stale copy) and shows in the next request.
An extra body that does not parse is kept as a draft per conversation and blocks sending.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.api import FIELD_RANGES, SamplingParams
from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.conversation import GenerationSettings, ReplyInfo
from desktop_app.core.chat.send_gate import SendGate
from desktop_app.core.history.serialize import sampling_from_dict
from desktop_app.core.params.extra_body import (
    SAMPLING_FIELDS,
    ExtraBodyCheck,
    check_extra_body,
    format_extra_body,
)
from desktop_app.core.params.presets import PresetError, PresetStore

SAVE_DELAY_MS = 400  # settings edits reach the history shortly after the last change


class GenerationParams(QObject):
    """The Parameters panel's model: reads and writes ``chat.current.settings``."""

    loaded = Signal()  # another conversation is current, or values changed wholesale
    changed = Signal()  # one value changed

    def __init__(
        self,
        chat: ChatController,
        presets: PresetStore,
        save: Callable[[str], None] | None = None,
        gate: SendGate | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.chat = chat
        self.presets = presets
        self.gate = gate if gate is not None else chat.gate
        self._save = save
        self._drafts: dict[str, str] = {}  # conversation id -> extra-body text not yet valid
        self._check = ExtraBodyCheck({})
        self._pending: set[str] = set()
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.flush)
        chat.currentChanged.connect(self._on_current)

    @property
    def settings(self) -> GenerationSettings:
        return self.chat.current.settings

    # -- sampling fields ---------------------------------------------------------------------
    def value(self, name: str) -> Any:
        return getattr(self.settings.sampling, name)

    def set_field(self, name: str, value: Any) -> None:
        """Sets one sampling field (None: not sent); a value vLLM would refuse raises."""
        if name not in SAMPLING_FIELDS:
            raise KeyError(name)
        if name == "stop" and value is not None:
            value = tuple(value) or None
        candidate = replace(SamplingParams(), **{name: value})
        problems = candidate.validate()
        if problems:
            raise ValueError("; ".join(problems))
        if getattr(self.settings.sampling, name) == value:
            return
        self.settings.sampling = replace(self.settings.sampling, **{name: value})
        self._touched()

    def reset_field(self, name: str) -> None:
        self.set_field(name, None)

    def reset_all(self) -> None:
        """Every sampling field and the thinking switch back to the server's defaults."""
        self.settings.sampling = SamplingParams()
        self.settings.enable_thinking = None
        self._touched(wholesale=True)

    # -- switches ----------------------------------------------------------------------------
    def set_thinking(self, on: bool | None) -> None:
        self.settings.enable_thinking = on
        self._touched()

    def set_stream(self, on: bool) -> None:
        self.settings.stream = on
        self._touched()

    def set_include_usage(self, on: bool) -> None:
        self.settings.include_usage = on
        self._touched()

    # -- extra body --------------------------------------------------------------------------
    def extra_body_text(self) -> str:
        conv_id = self.chat.current.id
        return self._drafts.get(conv_id, format_extra_body(self.settings.extra_body))

    def set_extra_body_text(self, text: str) -> ExtraBodyCheck:
        """Checks the editor's text; a valid object is applied, anything else is kept as a
        draft and blocks sending until it is fixed."""
        check = check_extra_body(text)
        conv_id = self.chat.current.id
        if check.ok:
            self._drafts.pop(conv_id, None)
            if check.value != self.settings.extra_body:
                self.settings.extra_body = check.value or {}
                self._touched()
        else:
            self._drafts[conv_id] = text
        self._set_check(check)
        return check

    @property
    def extra_body_check(self) -> ExtraBodyCheck:
        return self._check

    def blocked_reason(self) -> str:
        if self._check.ok:
            return ""
        return "Fix the extra body in the Parameters panel: " + " ".join(self._check.errors)

    # -- presets and provenance ----------------------------------------------------------------
    def apply_preset(self, name: str) -> None:
        preset = self.presets.get(name)
        if preset is None:
            raise PresetError(f"There is no preset named “{name}”.")
        preset.apply_to(self.settings)
        if preset.extra_body:
            self._drafts.pop(self.chat.current.id, None)
        self._touched(wholesale=True)

    def apply_reply(self, info: ReplyInfo) -> list[str]:
        """Loads the settings a reply was made with; returns notes on what was not loaded."""
        notes: list[str] = []
        try:
            sampling = sampling_from_dict(info.params)
        except ValueError as exc:
            raise PresetError(f"The reply's settings could not be read: {exc}") from exc
        problems = sampling.validate()
        if problems:
            raise PresetError("The reply's settings are out of range: " + "; ".join(problems))
        unknown = sorted(set(info.params) - set(SAMPLING_FIELDS))
        if unknown:
            notes.append("Not a panel field, left out: " + ", ".join(unknown) + ".")
        s = self.settings
        s.sampling = sampling
        s.enable_thinking = info.enable_thinking
        check = check_extra_body(format_extra_body(info.extra_body))
        if check.ok:
            s.extra_body = copy.deepcopy(info.extra_body)
            self._drafts.pop(self.chat.current.id, None)
        else:
            notes.append("The extra body was not loaded: " + " ".join(check.errors))
        if info.tool_choice is not None:
            notes.append("tool_choice is set in the Tools panel; it was not changed.")
        self._touched(wholesale=True)
        return notes

    def matching_preset(self) -> str | None:
        preset = self.presets.matching(self.settings)
        return preset.name if preset else None

    def save_preset(self, name: str, overwrite: bool = False) -> None:
        self.presets.save(name, self.settings, overwrite=overwrite)
        self.changed.emit()

    # -- persistence -----------------------------------------------------------------------
    def flush(self) -> None:
        """Writes edited settings to the history now."""
        self._save_timer.stop()
        pending, self._pending = self._pending, set()
        if self._save is not None:
            for conv_id in pending:
                self._save(conv_id)

    # -- internals -------------------------------------------------------------------------
    def _touched(self, wholesale: bool = False) -> None:
        self.chat.current.touch()
        self._pending.add(self.chat.current.id)
        self._save_timer.start()
        (self.loaded if wholesale else self.changed).emit()

    def _on_current(self, _conv_id: str) -> None:
        self._set_check(check_extra_body(self.extra_body_text()))
        self.loaded.emit()

    def _set_check(self, check: ExtraBodyCheck) -> None:
        self._check = check
        self.gate.report("parameters", self.blocked_reason())


def slider_span(name: str, max_model_len: int | None = None) -> tuple[float, float]:
    """The range a slider covers: the useful part of the valid range."""
    spans = {
        "temperature": (0.0, 2.0),
        "top_p": (0.01, 1.0),
        "top_k": (0, 200),
        "min_p": (0.0, 1.0),
        "repetition_penalty": (0.5, 2.0),
        "presence_penalty": (-2.0, 2.0),
        "frequency_penalty": (-2.0, 2.0),
        "max_tokens": (1, max_model_len or 32768),
    }
    return spans[name]


MAX_TOKENS_START = 1024  # filled in when max_tokens is switched on and the context is unknown


def max_tokens_start(max_model_len: int | None) -> int:
    """The max_tokens filled in when it is switched on: half the model's context at most,
    so the prompt keeps room (vLLM refuses a request whose prompt plus max_tokens exceeds it)."""
    if not max_model_len:
        return MAX_TOKENS_START
    return max(1, min(MAX_TOKENS_START, max_model_len // 2))


def editor_bounds(name: str, resolution: float) -> tuple[float, float]:
    """The lowest and highest value a spin box may hold, inside vLLM's valid range.

    ``resolution`` is the smallest difference the field can express (1 for whole numbers):
    a range open at 0 starts one resolution above it, so every value vLLM takes at that
    precision can be typed.
    """
    spec = FIELD_RANGES[name]
    low = spec.min if spec.min_inclusive else spec.min + resolution
    if math.isinf(spec.max):
        high = {"repetition_penalty": 10.0, "top_k": 1_000_000}.get(name, 2**31 - 1)
    else:
        high = spec.max if spec.max_inclusive else spec.max - resolution
    return low, high
