"""Plain-words messages for server errors: what happened, then what to do."""

from __future__ import annotations

import re

from .error_bodies import ErrorBody
from .sampling import FIELD_RANGES

_GENERATION_PARAMS = {*FIELD_RANGES, "stop", "n", "logprobs", "top_logprobs", "min_tokens"}
_LENGTH_PARAMS = {"max_tokens", "max_completion_tokens"}
_TOOL_PARAMS = {"tools", "tool_choice", "parallel_tool_calls"}

# Pydantic's text as vLLM relays it: "1 validation error:\n  {'type': ..., 'loc': 'body.x',
# 'msg': 'Field required', ...}" (err_missing_messages, err_malformed_json).
_PYDANTIC_ITEM = re.compile(r"'loc': '([^']*)', 'msg': '([^']*)'")
_VALIDATION_HEAD = re.compile(r"^\d+ validation errors?:\s*", re.IGNORECASE)


def readable(info: ErrorBody) -> str:
    """A one-line summary of the server's words, for use inside a sentence."""
    if info.shape == "html":
        return info.title or ""
    text = info.message.strip()
    if _VALIDATION_HEAD.match(text):
        items = _PYDANTIC_ITEM.findall(text)
        if items:
            text = "; ".join(f"{loc}: {msg}" for loc, msg in items)
        else:
            text = _VALIDATION_HEAD.sub("", text)
    # vLLM appends " (parameter=x, value=y)" after a full stop: "got -1.0. (parameter=...)".
    text = re.sub(r"\.\s+\((parameter=)", r" (\1", text)
    return " ".join(text.split())


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    return text if text[-1] in ".!?" else text + "."


def _with_summary(head: str, summary: str) -> str:
    return _sentence(f"{head}: {summary}" if summary else head)


def server_error_message(
    status: int, info: ErrorBody, *, url: str | None = None, api_key_sent: bool | None = None
) -> str:
    """The ``user_message`` of an HTTP error reply."""
    summary = readable(info)
    where = url or "this address"
    if status == 401:
        if api_key_sent is False:
            return "The server requires an API key (HTTP 401). Enter it in the server profile."
        if api_key_sent:
            return "The server refused the API key (HTTP 401). Check the key in the server profile."
        return (
            "The server refused the request: the API key is missing or wrong (HTTP 401). "
            "Check the key in the server profile."
        )
    if status == 403:
        return _with_summary("The server denied access (HTTP 403)", summary) + (
            " Check the API key in the server profile."
        )
    if status == 404:
        return _not_found_message(info, summary, where)
    if status == 405:
        return (
            f"The server does not accept this request at {where} (HTTP 405). "
            "The base URL is probably wrong: use the vLLM server's address, "
            "e.g. http://host:8000 or http://host:8000/v1."
        )
    if status in (400, 422):
        return _with_summary("The server rejected the request", summary) + " " + _hint(info)
    if status == 413:
        return _with_summary("The request is too large for the server (HTTP 413)", summary) + (
            " Send fewer or smaller images, or raise the proxy's request size limit."
        )
    if status == 429:
        return _with_summary("The server is receiving too many requests (HTTP 429)", summary) + (
            " Wait a moment and try again."
        )
    if status == 503:
        return _with_summary("The server is temporarily unavailable (HTTP 503)", summary) + (
            " It may still be loading the model or be overloaded; try again shortly."
        )
    if status == 501:
        return (
            _with_summary("The server does not support part of this request (HTTP 501)", summary)
            + " Remove the unsupported part (often an attachment)."
        )
    if 500 <= status <= 599:
        return (
            _with_summary(f"The server failed while handling the request (HTTP {status})", summary)
            + " Try again; if it keeps failing, check the server's log."
        )
    return _with_summary(f"The server answered with HTTP {status}", summary)


def stream_error_message(info: ErrorBody) -> str:
    """The ``user_message`` of an error that arrived inside the event stream."""
    return _with_summary("The server reported an error while writing the reply", readable(info)) + (
        " Try again; if it keeps happening, check the server's log."
    )


def _not_found_message(info: ErrorBody, summary: str, where: str) -> str:
    if info.param == "model" or info.error_type == "NotFoundError":
        return _with_summary("The server does not have the requested model", summary) + (
            " Choose one of the server's models in the server profile."
        )
    # FastAPI's {"detail":"Not Found"}, a proxy page or an empty body: no such route.
    return (
        f"There is no vLLM API at {where} (HTTP 404 Not Found). The base URL is probably "
        "wrong: use the vLLM server's address, e.g. http://host:8000 or http://host:8000/v1."
    )


def _hint(info: ErrorBody) -> str:
    """What the user can do about a 400, judged from the parameter and the words."""
    param = info.param or ""
    text = info.message.lower()
    if param == "input_tokens" or "maximum context length" in text:
        return (
            "The conversation is too long for the model's context: remove earlier messages "
            "or attachments, or start a new conversation."
        )
    if "sample logprobs" in text:
        from .logprobs import max_allowed  # only for this refusal

        most = max_allowed(info.message)
        limit = f"at most {most}" if most is not None else "fewer"
        return (
            f"The server allows {limit} alternatives per token (its --max-logprobs setting): "
            "ask for fewer, or restart vLLM with a higher --max-logprobs. "
            "Check the generation settings."
        )
    if param in _LENGTH_PARAMS:
        return "Lower the maximum reply length in the generation settings."
    if param in _GENERATION_PARAMS:
        return "Check the generation settings."
    if param in _TOOL_PARAMS or param.startswith("tool"):
        return "Check the tool settings."
    if "multimodal" in text or "image" in text or "at most" in text:
        return "Remove the attachments, or use a model that accepts them."
    if param.startswith("body") or info.error_type == "Bad Request":
        return "The request was malformed; this is a bug in the app, please report it."
    return "Check the conversation and the request settings."
