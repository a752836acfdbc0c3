"""What one compare column asks for: its settings, and sweeps that multiply a set of them."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from desktop_app.api import ChatRequest, SamplingParams

MAX_COLUMNS = 8


@dataclass(frozen=True)
class ColumnSpec:
    """One column: sampling overrides, thinking, extra body, and optionally another server
    (a profile name, "" = the current one) or model (None = the request's own)."""

    sampling: SamplingParams = field(default_factory=SamplingParams)
    enable_thinking: bool | None = None
    extra_body: Mapping[str, Any] = field(default_factory=dict)
    server: str = ""
    model: str | None = None
    label: str = ""

    def params(self) -> dict[str, Any]:
        """The sampling fields as sent, with the extra-body fields after them."""
        return {**self.sampling.to_wire(), **dict(self.extra_body)}

    def title(self) -> str:
        """A short name for the column's header: its label, else what it sets."""
        if self.label:
            return self.label
        parts = [f"{k}={v}" for k, v in self.params().items()]
        if self.enable_thinking is not None:
            parts.append("thinking" if self.enable_thinking else "no thinking")
        if self.model:
            parts.append(self.model)
        if self.server:
            parts.append(f"@{self.server}")
        return ", ".join(parts) or "server defaults"

    def apply(self, request: ChatRequest) -> ChatRequest:
        """``request`` (the prefix, its tools and settings) with this column's overrides."""
        sampling = replace(request.sampling, **_set_fields(self.sampling))
        thinking = request.enable_thinking if self.enable_thinking is None else self.enable_thinking
        return replace(
            request,
            sampling=sampling,
            enable_thinking=thinking,
            extra_body={**dict(request.extra_body), **dict(self.extra_body)},
            model=self.model or request.model,
            stream=True,
        )


def _set_fields(params: SamplingParams) -> dict[str, Any]:
    """The fields a column sets; the others keep the prefix's values."""
    values = ((f.name, getattr(params, f.name)) for f in fields(params))
    return {name: value for name, value in values if value is not None}


def sweep(
    bases: Sequence[ColumnSpec],
    *,
    temperatures: Iterable[float] = (),
    top_ps: Iterable[float] = (),
    seeds: Iterable[int] = (),
    thinking_both: bool = False,
    extra: Mapping[str, Iterable[Any]] | None = None,
) -> list[ColumnSpec]:
    """Every base multiplied by each listed value (an empty list leaves the base's own):
    temperatures x top_p x seeds x thinking off/on x each extra-body field's values."""
    axes: list[list[tuple[str, Any]]] = []
    for name, values in (("temperature", temperatures), ("top_p", top_ps), ("seed", seeds)):
        listed = list(values)
        if listed:
            axes.append([(name, v) for v in listed])
    if thinking_both:
        axes.append([("@thinking", False), ("@thinking", True)])
    for key, values in (extra or {}).items():
        listed = list(values)
        if listed:
            axes.append([(f"+{key}", v) for v in listed])
    out: list[ColumnSpec] = []
    for base in bases or [ColumnSpec()]:
        for combo in itertools.product(*axes):
            spec = base
            for name, value in combo:
                if name == "@thinking":
                    spec = replace(spec, enable_thinking=value)
                elif name.startswith("+"):
                    spec = replace(spec, extra_body={**dict(spec.extra_body), name[1:]: value})
                else:
                    spec = replace(spec, sampling=replace(spec.sampling, **{name: value}))
            out.append(spec)
    return out


def check_specs(specs: Sequence[ColumnSpec], limit: int = MAX_COLUMNS) -> str:
    """Why these columns cannot run ("" when they can): too many, or values vLLM refuses."""
    if not specs:
        return "Add at least one column."
    if len(specs) > limit:
        return f"{len(specs)} columns: at most {limit} run side by side."
    for number, spec in enumerate(specs, start=1):
        problems = spec.sampling.validate()
        if problems:
            return f"Column {number}: " + "; ".join(problems)
    return ""


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def sweep_from_text(text: str, base: ColumnSpec, thinking_both: bool = False) -> list[ColumnSpec]:
    """``temperature=0.2,0.7; seed=1,2; foo=1,2`` over ``base``: each field's values
    multiply the columns (sampling fields by name, any other key goes to the extra body).
    Raises ValueError saying what cannot be read."""
    sampling_names = {f.name for f in fields(SamplingParams)} - {"stop"}
    axes: dict[str, list[Any]] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        key, sep, values = part.partition("=")
        key = key.strip()
        if not sep or not key or not values.strip():
            raise ValueError(f"Sweep: expected KEY=V1,V2,… in {part.strip()!r}")
        axes[key] = [_value(v.strip()) for v in values.split(",") if v.strip()]
    if not axes and not thinking_both:
        raise ValueError("Sweep: type at least one KEY=V1,V2,… (e.g. temperature=0.2,1.0).")
    extra = {k: v for k, v in axes.items() if k not in sampling_names}
    specs = [base]
    for name in (n for n in axes if n in sampling_names):
        specs = [
            replace(s, sampling=replace(s.sampling, **{name: v}), label="")
            for s in specs
            for v in axes[name]
        ]
    specs = sweep([replace(s, label="") for s in specs], thinking_both=thinking_both, extra=extra)
    for spec in specs:
        problems = spec.sampling.validate()
        if problems:
            raise ValueError("Sweep: " + "; ".join(problems))
    return specs
