"""Parsing and validating a chat completion request in vLLM's order, with its messages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .config import SimulatorConfig
from .errors import (
    ApiError,
    RequestValidationFailed,
    bad_request,
    field_error,
    invalid_json,
    unsupported_media_type,
)
from .fields import INT64_MAX, INT64_MIN, FieldReader
from .images import ImageInfo, inspect_image
from .messages import content_images, content_text, last_user_message, render_prompt
from .modalities import check_modalities
from .tokens import IMAGE_SOFT_TOKENS, count_tokens

# vLLM's refusal when no tool-call parser is enabled (serving_chat; docs/protocol.md §1.4).
AUTO_TOOL_CHOICE_NEEDS_PARSER = (
    '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set')
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")


@dataclass
class ChatRequest:
    """A validated request, reduced to what generation needs."""

    body: dict[str, Any]
    messages: list[dict[str, Any]]
    prompt_tokens: int
    max_tokens: int
    stream: bool = False
    include_usage: bool = False
    continuous_usage: bool = False
    temperature: float | None = None
    seed: int | None = None
    n: int = 1
    stop: list[str] = field(default_factory=list)
    include_stop_str: bool = False
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: str = "none"  # none | auto | required | named
    named_tool: str | None = None
    parallel_tool_calls: bool = True
    thinking: bool = False
    include_reasoning: bool = True
    logprobs: bool = False
    top_logprobs: int = 0
    role: str = "assistant"
    images: list[ImageInfo] = field(default_factory=list)
    response_format: dict[str, Any] | None = None
    request_id: str | None = None
    # `continue_final_message`: the final assistant message's text, which the reply continues.
    continue_prefix: str | None = None


def decode_body(raw: bytes, content_type: str | None) -> Any:
    """`validate_json_request` then FastAPI's JSON decoding."""
    media_type = (content_type or "").lower().split(";", 1)[0].strip()
    if media_type != "application/json":
        raise unsupported_media_type()
    if not raw.strip():
        raise RequestValidationFailed([field_error("missing", "body", "Field required", None)])
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise invalid_json(exc) from exc
    except UnicodeDecodeError as exc:
        raise invalid_json(json.JSONDecodeError("Invalid UTF-8", "", exc.start)) from exc


def _check_shape(body: Any) -> FieldReader:
    if not isinstance(body, dict):
        msg = "Input should be a valid dictionary or object to extract fields from"
        raise RequestValidationFailed([field_error("model_attributes_type", "body", msg, body)])
    reader = FieldReader(body)
    messages = body.get("messages")
    if "messages" not in body:
        reader.errors.append(field_error("missing", "body.messages", "Field required", body))
    elif not isinstance(messages, list):
        reader.errors.append(
            field_error("list_type", "body.messages", "Input should be a valid list", messages))
    else:
        for i, message in enumerate(messages):
            loc = f"body.messages.{i}"
            if not isinstance(message, dict):
                reader.errors.append(
                    field_error("dict_type", loc, "Input should be a valid dictionary", message))
            elif "role" not in message:
                reader.errors.append(field_error("missing", f"{loc}.role", "Field required",
                                                 message))
    return reader


def _check_tools(reader: FieldReader) -> None:
    tools = reader.body.get("tools")
    if tools is not None and not isinstance(tools, list):
        reader.errors.append(field_error("list_type", "body.tools", "Input should be a valid list",
                                         tools))
    elif tools:
        for i, tool in enumerate(tools):
            fn = tool.get("function") if isinstance(tool, dict) else None
            if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
                reader.errors.append(field_error("missing", f"body.tools.{i}.function.name",
                                                 "Field required", tool))


def _read_fields(reader: FieldReader) -> dict[str, Any]:
    """Every field the simulator uses, coerced in ChatCompletionRequest's declaration order
    (pydantic reports errors in that order)."""
    r = reader
    v: dict[str, Any] = {
        "model": r.string("model"),
        "frequency_penalty": r.number("frequency_penalty"),
        "logprobs": r.boolean("logprobs", False),
        "top_logprobs": r.integer("top_logprobs"),
        "max_tokens": r.integer("max_tokens"),
        "max_completion_tokens": r.integer("max_completion_tokens"),
        "n": r.integer("n"),
        "presence_penalty": r.number("presence_penalty"),
        "response_format": r.mapping("response_format"),
        "seed": r.integer("seed", ge=INT64_MIN, le=INT64_MAX),
        "stop": r.string_list("stop") or [],
        "stream": r.boolean("stream", False),
        "stream_options": r.mapping("stream_options"),
        "temperature": r.number("temperature"),
        "top_p": r.number("top_p"),
    }
    _check_tools(r)
    v.update({
        "reasoning_effort": r.choice("reasoning_effort", REASONING_EFFORTS),
        "include_reasoning": r.boolean("include_reasoning", True),
        "parallel_tool_calls": r.boolean("parallel_tool_calls", True),
        "top_k": r.integer("top_k"),
        "min_p": r.number("min_p"),
        "repetition_penalty": r.number("repetition_penalty"),
        "include_stop_str_in_output": r.boolean("include_stop_str_in_output", False),
        "add_generation_prompt": r.boolean("add_generation_prompt", True),
        "continue_final_message": r.boolean("continue_final_message", False),
        "chat_template_kwargs": r.mapping("chat_template_kwargs") or {},
        "request_id": r.string("request_id"),
    })
    r.raise_if_failed()
    return v


def _tool_choice(
    body: dict[str, Any], tools: list[dict[str, Any]] | None
) -> tuple[str, str | None]:
    choice = body.get("tool_choice")
    if choice is None or choice == "none":
        return ("auto" if tools and choice is None else "none"), None
    if not tools:
        raise bad_request("When using `tool_choice`, `tools` must be set.", "tool_choice")
    if choice in ("auto", "required"):
        return choice, None
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        name = choice["function"].get("name")
        names = {t["function"]["name"] for t in tools}
        if name not in names:
            raise bad_request("The tool specified in `tool_choice` does not match any of the "
                              "specified `tools`", "tool_choice")
        return "named", name
    raise bad_request(f"Invalid value for `tool_choice`: {choice!r}. Only named tools, \"none\", "
                      "\"auto\" or \"required\" are supported.", "tool_choice")


def _check_images(messages: list[dict[str, Any]], config: SimulatorConfig) -> list[ImageInfo]:
    """All images are checked (and counted against the limit); the last user turn's are kept."""
    check_modalities(messages, config)
    total = sum(len(content_images(m.get("content"))) for m in messages)
    if total > config.image_limit:
        raise bad_request(f"At most {config.image_limit} image(s) may be provided in one prompt. "
                          "Set `--limit-mm-per-prompt` to increase this limit.")
    last = last_user_message(messages)
    kept: list[ImageInfo] = []
    for message in messages:
        for url in content_images(message.get("content")):
            info = inspect_image(url)
            if message is last:
                kept.append(info)
    return kept


def _check_max_tokens(v: dict[str, Any], prompt: int, ctx: int) -> int:
    mct = v["max_completion_tokens"]
    name, value = ("max_completion_tokens", mct) if mct is not None else (
        "max_tokens", v["max_tokens"])
    if value is None:
        value = ctx - prompt
        if value < 1:
            raise bad_request(f"max_tokens must be at least 1, got {value}.", "max_tokens", value)
        return value
    if value > ctx:
        raise bad_request(f"{name}={value} cannot be greater than max_model_len={ctx}. "
                          "Please request fewer output tokens.", name, value)
    if value < 1:
        raise bad_request(f"max_tokens must be at least 1, got {value}.", "max_tokens", value)
    if prompt + value > ctx:
        raise bad_request(
            f"'max_tokens' or 'max_completion_tokens' is too large: {value}. This model's maximum "
            f"context length is {ctx} tokens and your request has {prompt} input tokens "
            f"({value} > {ctx} - {prompt}).", name, value)
    return value


def _check_sampling(v: dict[str, Any], req: ChatRequest, max_logprobs: int) -> None:
    """`SamplingParams._verify_args`, in its order."""
    req.n = 1 if v["n"] is None else v["n"]
    penalties = {k: v[k] for k in ("presence_penalty", "frequency_penalty", "repetition_penalty")}
    temperature, top_p, top_k, min_p = v["temperature"], v["top_p"], v["top_k"], v["min_p"]
    top_logprobs = v["top_logprobs"]
    if req.n < 1:
        raise ApiError(400, f"n must be at least 1, got {req.n}.")
    for name in ("presence_penalty", "frequency_penalty"):
        value = penalties[name]
        if value is not None and not -2.0 <= value <= 2.0:
            raise bad_request(f"{name} must be in [-2, 2], got {value}.", name, value)
    rep = penalties["repetition_penalty"]
    if rep is not None and not rep > 0:
        raise bad_request(f"repetition_penalty must be greater than zero, got {rep}.",
                          "repetition_penalty", rep)
    if temperature is not None:
        if temperature < 0:
            raise bad_request(f"temperature must be non-negative, got {temperature}.",
                              "temperature", temperature)
        if temperature > 2:
            raise bad_request(f"temperature must be in [0, 2], got {temperature}.",
                              "temperature", temperature)
    if top_p is not None and not 0 < top_p <= 1:
        raise bad_request(f"top_p must be in (0, 1], got {top_p}.", "top_p", top_p)
    if top_k is not None and top_k < -1:
        raise bad_request(f"top_k must be 0 (disable), or at least 1, got {top_k}.", "top_k", top_k)
    if min_p is not None and not 0 <= min_p <= 1:
        raise bad_request(f"min_p must be in [0, 1], got {min_p}.", "min_p", min_p)
    if any(s == "" for s in req.stop):
        raise bad_request("stop cannot contain an empty string.", "stop")
    if req.logprobs and top_logprobs is not None and top_logprobs > max_logprobs:
        raise bad_request(f"Requested sample logprobs of {top_logprobs}, which is greater than "
                          f"max allowed: {max_logprobs}", "logprobs", top_logprobs)
    req.top_logprobs = top_logprobs or 0
    if req.n > 1 and temperature == 0:
        raise bad_request(f"n must be 1 when using greedy sampling, got {req.n}.", "n", req.n)
    req.temperature = temperature


def parse_chat_request(raw: bytes, content_type: str | None, config: SimulatorConfig
                       ) -> ChatRequest:
    """Validate like vLLM: body, schema, model validators, model name, prompt, sampling."""
    body = decode_body(raw, content_type)
    v = _read_fields(_check_shape(body))
    model, stream, stream_options = v["model"], v["stream"], v["stream_options"]
    logprobs, add_generation_prompt = v["logprobs"], v["add_generation_prompt"]
    effort, kwargs = v["reasoning_effort"], v["chat_template_kwargs"]

    tools = body.get("tools")
    if stream_options is not None and not stream:
        raise bad_request("Stream options can only be defined when `stream=True`.",
                          "stream_options")
    if tools is not None and len(tools) == 0:
        raise bad_request("`tools` must not be an empty array.", "tools")
    tool_choice, named = _tool_choice(body, tools)
    if body.get("top_logprobs") and not logprobs:
        raise bad_request("when using `top_logprobs`, `logprobs` must be set to true.",
                          "top_logprobs")
    if v["continue_final_message"] and add_generation_prompt:
        raise ApiError(400, "Cannot set both `continue_final_message` and "
                       "`add_generation_prompt` to True.")
    if body.get("chat_template") is not None:
        raise ApiError(400, "Chat template is passed with request, but --trust-request-chat-"
                       "template is not set. Refused request with untrusted chat template.")
    if model is not None and model != config.model:
        raise ApiError(404, f"The model `{model}` does not exist. Valid aliases: {config.model}.",
                       "model")
    # Checked before the prompt is rendered, so the refusal costs the server nothing.
    if tool_choice == "auto" and not config.tool_parser:
        raise ApiError(400, AUTO_TOOL_CHOICE_NEEDS_PARSER)

    messages: list[dict[str, Any]] = body["messages"]
    if not messages:
        raise ApiError(400, "Cannot apply chat template to an empty conversation. "
                       "Provide at least one message.")
    if config.template_quirks and tools:
        for tool in tools:
            if not isinstance(tool["function"].get("description"), str):
                raise ApiError(400, 'can only concatenate str (not "NoneType") to str')
    thinking = bool(kwargs.get("enable_thinking", effort is not None and effort != "none"))
    images = _check_images(messages, config)
    continuing = v["continue_final_message"] and messages[-1].get("role") == "assistant"
    text, image_count = render_prompt(messages, tools, thinking, add_generation_prompt,
                                      continue_final=continuing)
    prompt = count_tokens(text) + image_count * IMAGE_SOFT_TOKENS
    ctx = config.max_model_len
    if prompt > ctx:
        # vLLM stops counting one token past the limit, hence "at least".
        raise bad_request(
            f"This model's maximum context length is {ctx} tokens. However, your prompt contains "
            f"at least {ctx + 1} input tokens, which exceeds this limit even without any output "
            "tokens. Please reduce the length of the input prompt.", "input_tokens", ctx + 1)
    max_tokens = _check_max_tokens(v, prompt, ctx)

    usage = stream_options or {}
    req = ChatRequest(
        body=body, messages=messages, prompt_tokens=prompt, max_tokens=max_tokens, stream=stream,
        include_usage=stream and bool(usage.get("include_usage")),
        continuous_usage=stream and bool(usage.get("include_usage"))
        and bool(usage.get("continuous_usage_stats")),
        seed=None if v["seed"] == -1 else v["seed"], stop=v["stop"],
        include_stop_str=v["include_stop_str_in_output"], tools=tools or [],
        tool_choice=tool_choice, named_tool=named, parallel_tool_calls=v["parallel_tool_calls"],
        thinking=thinking, include_reasoning=v["include_reasoning"], logprobs=logprobs,
        images=images, response_format=v["response_format"],
        role="assistant" if add_generation_prompt else str(messages[-1].get("role")),
        request_id=v["request_id"],
        continue_prefix=content_text(messages[-1].get("content")) if continuing else None,
    )
    _check_sampling(v, req, config.max_logprobs)
    return req
