"""Error bodies of every shape become the right exception, in plain words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.api import (
    AuthenticationError,
    BadRequestError,
    Completion,
    ConnectionDropped,
    GemmaAPIError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ServiceUnavailable,
    StreamError,
    TransportError,
    error_from_response,
)

GENERATION = "Check the generation settings."
LENGTH = "Lower the maximum reply length in the generation settings."
CONTEXT = "too long for the model's context"
TOOLS = "Check the tool settings."
BUG = "this is a bug in the app"
BASE_URL = "The base URL is probably wrong"
DEFAULT = "Check the conversation and the request settings."

# Every recorded error reply: (class, words the user message must contain).
EXPECTED: dict[str, tuple[type[ServerError], list[str]]] = {
    "err_temperature_neg": (
        BadRequestError,
        [
            "The server rejected the request: temperature must be non-negative, got -1.0 "
            "(parameter=temperature, value=-1.0). " + GENERATION
        ],
    ),
    "err_top_p_2": (BadRequestError, ["top_p must be in (0, 1], got 2.0", GENERATION]),
    "err_logprobs_too_many": (
        BadRequestError,
        ["greater than max allowed: 20", "allows at most 20", "--max-logprobs", GENERATION],
    ),
    "err_unknown_model": (
        NotFoundError,
        ["does not have the requested model", "`gpt-4o`", "Valid aliases", "server profile"],
    ),
    "err_missing_auth": (AuthenticationError, ["API key"]),
    "err_wrong_key": (AuthenticationError, ["API key"]),
    "models_noauth": (AuthenticationError, ["API key"]),
    "err_max_tokens_gt_ctx": (BadRequestError, ["max_tokens=100000", LENGTH]),
    "err_max_tokens_gt_ctx_stream": (BadRequestError, ["max_tokens=100000", LENGTH]),
    "err_max_completion_tokens_gt_ctx": (BadRequestError, ["max_completion_tokens=600", LENGTH]),
    "err_max_tokens_negative": (BadRequestError, ["max_tokens must be at least 1", LENGTH]),
    "err_malformed_json": (BadRequestError, ["body.37: JSON decode error", BUG]),
    "err_missing_messages": (BadRequestError, ["body.messages: Field required", BUG]),
    "err_wrong_content_type": (
        BadRequestError,
        ["Unsupported Media Type: Only 'application/json' is allowed", BUG],
    ),
    "err_image_data_url": (BadRequestError, ["is not a multimodal model", "attachments"]),
    "err_image_data_url_stream": (BadRequestError, ["is not a multimodal model", "attachments"]),
    "err_prompt_too_long": (BadRequestError, ["maximum context length is 512", CONTEXT]),
    "err_prompt_too_long_stream": (BadRequestError, ["maximum context length is 512", CONTEXT]),
    "err_empty_messages": (BadRequestError, ["empty conversation", DEFAULT]),
    "err_n_0": (BadRequestError, ["n must be at least 1, got 0.", DEFAULT]),
    "err_chat_template_exception": (BadRequestError, ["can only concatenate str", DEFAULT]),
    "err_tool_choice_without_tools": (BadRequestError, ["`tools` must be set", TOOLS]),
    "err_named_tool_unknown": (BadRequestError, ["does not match any of the", TOOLS]),
    "err_stream_options_without_stream": (BadRequestError, ["Stream options can only", DEFAULT]),
    "err_404_path": (NotFoundError, ["There is no vLLM API at", BASE_URL, "/v1"]),
    "err_405_method": (ServerError, ["HTTP 405", BASE_URL]),
}


def _capture(captures_dir: Path, name: str) -> tuple[int, bytes, str | None]:
    lines = (captures_dir / f"{name}.headers").read_text().splitlines()
    status = int(lines[0].split()[1])
    content_type = next(
        (ln.split(":", 1)[1].strip() for ln in lines if ln.lower().startswith("content-type:")),
        None,
    )
    return status, (captures_dir / f"{name}.body").read_bytes(), content_type


def test_every_error_capture_is_checked(captures_dir: Path) -> None:
    failing = {
        p.stem for p in captures_dir.glob("*.headers") if _capture(captures_dir, p.stem)[0] >= 400
    }
    assert failing == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_recorded_error_replies(captures_dir: Path, name: str) -> None:
    cls, words = EXPECTED[name]
    status, body, content_type = _capture(captures_dir, name)
    err = error_from_response(status, body, content_type, url="http://gpu:8000/v1/x")
    assert type(err) is cls
    assert err.status == status
    assert isinstance(err, GemmaAPIError) and err.partial is None
    decoded = json.loads(body)
    error = decoded.get("error")
    if isinstance(error, dict):
        # The server's own words are kept verbatim, with its type and parameter.
        assert err.server_message == error["message"]
        assert err.error_type == error["type"]
        assert err.param == error["param"]
        assert err.code == error["code"] == status
    elif isinstance(error, str):
        assert err.server_message == error == "Unauthorized"
    else:
        assert err.server_message == decoded["detail"]
    for word in words:
        assert word in err.user_message
    assert str(err) == err.user_message
    assert err.user_message.endswith(".")
    assert "{" not in err.user_message and "\n" not in err.user_message


def test_401_advice_depends_on_whether_a_key_was_sent() -> None:
    body = b'{"error":"Unauthorized"}'
    without = error_from_response(401, body, "application/json", api_key_sent=False)
    assert "requires an API key" in without.user_message
    wrong = error_from_response(401, body, "application/json", api_key_sent=True)
    assert "refused the API key" in wrong.user_message


def test_flat_pre_0_10_body() -> None:
    body = json.dumps(
        {"object": "error", "message": "bad thing", "type": "BadRequestError", "param": "top_k",
         "code": 400}
    ).encode()  # fmt: skip
    err = error_from_response(400, body, "application/json")
    assert isinstance(err, BadRequestError)
    assert (err.server_message, err.error_type, err.param) == (
        "bad thing",
        "BadRequestError",
        "top_k",
    )
    assert GENERATION in err.user_message


def test_fastapi_validation_list() -> None:
    body = json.dumps(
        {"detail": [{"loc": ["body", "messages"], "msg": "Field required", "type": "missing"},
                    {"loc": ["body", "n"], "msg": "Input should be an integer"}]}
    ).encode()  # fmt: skip
    err = error_from_response(422, body, "application/json")
    assert isinstance(err, BadRequestError)
    assert err.server_message == "body.messages: Field required; body.n: Input should be an integer"
    assert "body.messages: Field required" in err.user_message


def test_html_page_from_a_proxy_keeps_an_excerpt() -> None:
    page = (
        b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
        b"</h1></center><hr><center>nginx</center>" + b" " * 2000 + b"</body></html>"
    )
    err = error_from_response(502, page, "text/html")
    assert isinstance(err, InternalServerError)
    assert "HTTP 502" in err.user_message and "502 Bad Gateway" in err.user_message
    assert "<" not in err.user_message
    assert err.server_message.startswith("<html><head><title>502")
    assert len(err.server_message) <= 301


def test_plain_text_and_mislabelled_bodies() -> None:
    err = error_from_response(500, b"Internal Server Error", "text/plain; charset=utf-8")
    assert isinstance(err, InternalServerError)
    assert err.server_message == "Internal Server Error"
    assert "Internal Server Error" in err.user_message
    labelled_text = error_from_response(400, b'{"error":{"message":"m","code":400}}', "text/plain")
    assert labelled_text.server_message == "m"
    unlabelled_html = error_from_response(404, b"<!DOCTYPE html><title>Nope</title>", None)
    assert isinstance(unlabelled_html, NotFoundError) and BASE_URL in unlabelled_html.user_message


def test_empty_body() -> None:
    err = error_from_response(503, b"", None)
    assert isinstance(err, ServiceUnavailable)
    assert err.server_message == ""
    assert "temporarily unavailable (HTTP 503)." in err.user_message
    assert "loading the model" in err.user_message


@pytest.mark.parametrize(
    ("status", "cls", "words"),
    [
        (403, AuthenticationError, "denied access"),
        (413, BadRequestError, "too large"),
        (429, RateLimitError, "too many requests"),
        (500, InternalServerError, "failed while handling"),
        (501, InternalServerError, "does not support"),
        (503, ServiceUnavailable, "temporarily unavailable"),
        (418, ServerError, "HTTP 418"),
    ],
)
def test_status_classes(status: int, cls: type[ServerError], words: str) -> None:
    body = json.dumps({"error": {"message": "Request queue full.", "type": "X", "code": status}})
    err = error_from_response(status, body.encode(), "application/json")
    assert type(err) is cls
    assert words in err.user_message and "Request queue full." in err.user_message


def test_200_with_an_error_key_is_an_error() -> None:
    body = b'{"error":{"message":"oops","type":"BadRequestError","param":null,"code":400}}'
    err = error_from_response(200, body, "application/json")
    assert isinstance(err, BadRequestError)
    assert err.status == 200 and err.code == 400 and err.server_message == "oops"
    no_code = error_from_response(200, b'{"error":"boom"}', "application/json")
    assert isinstance(no_code, InternalServerError) and no_code.server_message == "boom"


def test_stream_error_is_a_server_error() -> None:
    assert issubclass(StreamError, ServerError)
    assert issubclass(ConnectionDropped, TransportError)


def test_partial_is_kept_and_mentioned() -> None:
    err = ConnectionDropped("The connection closed.")
    partial = Completion(None, None, "Hel", "", (), None, None, None, None)
    err.keep_partial(partial)
    assert err.partial is partial
    assert err.user_message.endswith("What arrived before the failure is kept.")
    assert str(err) == err.user_message


def test_redact_removes_the_key_everywhere() -> None:
    err = error_from_response(400, b'{"error":{"message":"bad key sk-123 given"}}', None)
    err.redact("sk-123")
    assert "sk-123" not in err.user_message + err.server_message + str(err) + repr(err)
    assert "***" in err.server_message
