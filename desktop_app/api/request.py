"""The chat request: tool definitions, tool choice, and the exact JSON body sent."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .messages import Message
from .sampling import SamplingParams

# The Gemma 4 tool parser only recognises these characters in a function name
# (regex `call:([\w\-\.]+)\{`, docs/protocol.md §6.3); other names would never come back as calls.
_TOOL_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


@dataclass(frozen=True, slots=True)
class ToolDefinition:
    """A function the model may call, described by a JSON Schema for its arguments."""

    name: str
    description: str = ""
    parameters: dict[str, Any] | None = None
    strict: bool | None = None
    # The JSON Schema of the tool's result (an MCP tool's outputSchema, or "result_schema" in
    # a hand-written tool's text). The app's own: it shapes the result form and checks what
    # is typed there, and never goes over the wire (to_wire leaves it out).
    result_schema: dict[str, Any] | None = field(default=None, compare=False)

    def to_wire(self) -> dict[str, Any]:
        function: dict[str, Any] = {"name": self.name}
        if self.description:
            function["description"] = self.description
        if self.parameters is not None:
            function["parameters"] = self.parameters
        if self.strict is not None:
            function["strict"] = self.strict
        return {"type": "function", "function": function}

    @classmethod
    def from_wire(cls, d: object) -> ToolDefinition:
        """Read ``{"type":"function","function":{...}}`` or the bare ``{"name":...}`` form."""
        if not isinstance(d, Mapping):
            raise ValueError(f"A tool definition must be a JSON object, got {type(d).__name__}.")
        if "function" in d:
            kind = d.get("type", "function")
            if kind != "function":
                raise ValueError(f'Tool "type" must be "function", got {kind!r}.')
            function = d["function"]
            if not isinstance(function, Mapping):
                raise ValueError('The tool\'s "function" must be a JSON object.')
        else:
            function = d
        name = function.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError('A tool needs a "name" (a non-empty string).')
        if not _TOOL_NAME.fullmatch(name):
            raise ValueError(
                f"Tool name {name!r} is not allowed: use 1-64 letters, digits, '_', '-' or '.'."
            )
        description = function.get("description", "")
        if description is None:
            description = ""
        if not isinstance(description, str):
            raise ValueError(f'Tool {name!r}: "description" must be a string.')
        parameters = function.get("parameters")
        if parameters is not None and not isinstance(parameters, Mapping):
            raise ValueError(f'Tool {name!r}: "parameters" must be a JSON Schema object.')
        strict = function.get("strict")
        if strict is not None and not isinstance(strict, bool):
            raise ValueError(f'Tool {name!r}: "strict" must be true or false.')
        result_schema = function.get("result_schema")
        if result_schema is not None and not isinstance(result_schema, Mapping):
            raise ValueError(f'Tool {name!r}: "result_schema" must be a JSON Schema object.')
        return cls(
            name=name,
            description=description,
            parameters=dict(parameters) if parameters is not None else None,
            strict=strict,
            result_schema=dict(result_schema) if result_schema is not None else None,
        )


@dataclass(frozen=True, slots=True)
class NamedToolChoice:
    """Force the model to call this one tool."""

    name: str

    def to_wire(self) -> dict[str, Any]:
        return {"type": "function", "function": {"name": self.name}}


ToolChoice = Literal["auto", "none", "required"] | NamedToolChoice


@dataclass(frozen=True)
class ChatRequest:
    """Everything one call to /v1/chat/completions needs."""

    model: str | None
    messages: tuple[Message, ...]
    sampling: SamplingParams = field(default_factory=SamplingParams)
    tools: tuple[ToolDefinition, ...] = ()
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    enable_thinking: bool | None = None
    stream: bool = True
    include_usage: bool = True
    extra_body: Mapping[str, Any] = field(default_factory=dict)
    #: Ask for each token's logprob and this many alternatives (None: do not ask).
    top_logprobs: int | None = None
    #: The last message is an assistant prefix that the reply continues (vLLM's
    #: continue_final_message; no generation prompt is added).
    continue_final: bool = False

    def to_wire(self) -> dict[str, Any]:
        """The JSON body: only what is set, then ``extra_body`` merged last."""
        body: dict[str, Any] = {"messages": [m.to_wire() for m in self.messages]}
        if self.model is not None:
            body["model"] = self.model
        body.update(self.sampling.to_wire())
        # vLLM answers `tools: []` with 400 "`tools` must not be an empty array".
        if self.tools:
            body["tools"] = [t.to_wire() for t in self.tools]
        # Any tool_choice other than "none" without tools is a 400 (docs/protocol.md §1.4).
        if self.tool_choice is not None and (self.tools or self.tool_choice == "none"):
            choice = self.tool_choice
            wire = choice.to_wire() if isinstance(choice, NamedToolChoice) else choice
            body["tool_choice"] = wire
        if self.parallel_tool_calls is not None:
            body["parallel_tool_calls"] = self.parallel_tool_calls
        if self.enable_thinking is not None:
            body["chat_template_kwargs"] = {"enable_thinking": self.enable_thinking}
        if self.top_logprobs is not None:
            body["logprobs"] = True
            body["top_logprobs"] = self.top_logprobs
        if self.continue_final:
            body["continue_final_message"] = True
            body["add_generation_prompt"] = False
        body["stream"] = self.stream
        # stream_options with stream false is a 400 (err_stream_options_without_stream).
        if self.stream and self.include_usage:
            body["stream_options"] = {"include_usage": True}
        return merge_extra_body(body, self.extra_body)


def merge_extra_body(body: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``extra`` over ``body``: keys override, except that two objects merge."""
    for key, value in extra.items():
        current = body.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            body[key] = merge_extra_body(dict(current), value)
        else:
            body[key] = value
    return body
