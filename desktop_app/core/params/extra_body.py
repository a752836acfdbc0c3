"""Checking the user's "extra body" JSON: syntax, clashes with panel fields, vLLM field names."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

from desktop_app.api import SamplingParams

SAMPLING_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(SamplingParams))

# Keys other controls own; setting them here too would make the panel lie about what is sent.
_OWNED: dict[str, str] = {
    **{
        name: f"{name} has its own control in the Parameters panel; set it there."
        for name in SAMPLING_FIELDS
    },
    "max_completion_tokens": (
        "max_completion_tokens would override the panel's max_tokens; set max_tokens there."
    ),
    "messages": "messages come from the conversation.",
    "model": "the model is chosen in the server profile (Settings).",
    "stream": "use the Stream toggle in the Parameters panel.",
    "stream_options": "use the Include usage toggle in the Parameters panel.",
    "tools": "tools are defined in the Tools panel.",
    "tool_choice": "tool_choice is set in the Tools panel.",
    "parallel_tool_calls": "parallel_tool_calls is set in the Tools panel.",
}

# Removed in vLLM 0.12 and silently ignored since (docs/protocol.md §7): a request that
# uses them runs unconstrained with HTTP 200, so they are refused here.
_REMOVED: dict[str, str] = {
    name: f"{name} was removed in vLLM 0.12 and is silently ignored; use structured_outputs."
    for name in (
        "guided_json",
        "guided_regex",
        "guided_choice",
        "guided_grammar",
        "guided_decoding_backend",
        "guided_whitespace_pattern",
    )
}

# Fields a vLLM Chat Completions request accepts (docs/protocol.md §1.7). vLLM ignores unknown
# keys without an error, so a typo would go unnoticed: unknown keys get a warning.
KNOWN_FIELDS: frozenset[str] = frozenset(
    {
        "logit_bias",
        "logprobs",
        "top_logprobs",
        "n",
        "response_format",
        "reasoning_effort",
        "user",
        "min_tokens",
        "stop_token_ids",
        "bad_words",
        "allowed_token_ids",
        "ignore_eos",
        "include_stop_str_in_output",
        "length_penalty",
        "use_beam_search",
        "prompt_logprobs",
        "logprob_token_ids",
        "truncate_prompt_tokens",
        "truncation_side",
        "skip_special_tokens",
        "spaces_between_special_tokens",
        "include_reasoning",
        "thinking_token_budget",
        "echo",
        "add_generation_prompt",
        "continue_final_message",
        "add_special_tokens",
        "documents",
        "chat_template",
        "chat_template_kwargs",
        "media_io_kwargs",
        "mm_processor_kwargs",
        "structured_outputs",
        "priority",
        "request_id",
        "session_id",
        "cache_salt",
        "return_tokens_as_token_ids",
        "return_token_ids",
        "return_prompt_text",
        "kv_transfer_params",
        "vllm_xargs",
        "repetition_detection",
        "stream_interval",
        "service_tier",
        "metadata",
        "store",
        "prediction",
        "max_logprobs",
    }
)

_OBJECT_FIELDS = ("response_format", "structured_outputs", "chat_template_kwargs")


@dataclass
class ExtraBodyCheck:
    """The parsed object (None when unusable), blocking errors and non-blocking warnings."""

    value: dict[str, Any] | None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.value is not None and not self.errors


def check_extra_body(text: str) -> ExtraBodyCheck:
    """Parses and checks the extra-body editor's text; empty text means ``{}``."""
    if not text.strip():
        return ExtraBodyCheck({})
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return ExtraBodyCheck(
            None, [f"Not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."]
        )
    if not isinstance(value, dict):
        return ExtraBodyCheck(
            None, ['Extra body must be a JSON object, e.g. {"response_format": {...}}.']
        )
    result = ExtraBodyCheck(value)
    for key, item in value.items():
        if key in _OWNED:
            result.errors.append(f'"{key}": {_OWNED[key]}')
        elif key in _REMOVED:
            result.errors.append(f'"{key}": {_REMOVED[key]}')
        elif key in _OBJECT_FIELDS and not isinstance(item, dict):
            result.errors.append(f'"{key}" must be a JSON object.')
        elif key not in KNOWN_FIELDS:
            result.warnings.append(
                f'"{key}" is not a vLLM request field; vLLM ignores unknown fields silently.'
            )
    kwargs = value.get("chat_template_kwargs")
    if isinstance(kwargs, dict) and "enable_thinking" in kwargs:
        result.errors.append(
            '"chat_template_kwargs.enable_thinking": use the Thinking toggle in the panel.'
        )
    n = value.get("n")
    if isinstance(n, int) and not isinstance(n, bool) and n > 1:
        result.errors.append('"n" above 1: the app shows one reply per request.')
    return result


def format_extra_body(value: dict[str, Any]) -> str:
    """The editor's text for a stored extra body ("" for none)."""
    return json.dumps(value, indent=2, ensure_ascii=False) if value else ""
