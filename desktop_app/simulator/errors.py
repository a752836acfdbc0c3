"""Error bodies in vLLM's shapes: handler errors, pydantic-style validation errors, auth, HTTP."""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from starlette.responses import JSONResponse, Response

# `create_error_response` names the error after the exception class; the HTTP phrase otherwise.
_TYPE_BY_STATUS = {
    400: "BadRequestError",
    404: "NotFoundError",
    422: "UnprocessableEntityError",
    500: "InternalServerError",
    501: "NotImplementedError",
}

_NO_VALUE = object()


def error_type_for(status: int) -> str:
    """The `type` vLLM puts in an error body for this HTTP status."""
    if status in _TYPE_BY_STATUS:
        return _TYPE_BY_STATUS[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_body(message: str, err_type: str, param: str | None, code: int) -> dict[str, Any]:
    """The nested error object of vLLM >= 0.10.1."""
    return {"error": {"message": message, "type": err_type, "param": param, "code": code}}


class ApiError(Exception):
    """A request refused before generation starts; becomes a JSON error response."""

    def __init__(
        self, status: int, message: str, param: str | None = None, err_type: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.err_type = err_type or error_type_for(status)

    def body(self) -> dict[str, Any]:
        return error_body(self.message, self.err_type, self.param, self.status)

    def response(self) -> Response:
        return JSONResponse(self.body(), status_code=self.status)


def bad_request(message: str, param: str | None = None, value: object = _NO_VALUE) -> ApiError:
    """A `VLLMValidationError`-style 400: the message gains ` (parameter=p, value=v)`."""
    if param is not None:
        suffix = f"parameter={param}" if value is _NO_VALUE else f"parameter={param}, value={value}"
        message = f"{message} ({suffix})"
    return ApiError(400, message, param)


def _summarise(value: object) -> object:
    """How vLLM's validation handler prints an offending input."""
    if isinstance(value, dict):
        return f"<dict of {len(value)} items>"
    if isinstance(value, list):
        return f"<list of {len(value)} items>"
    return value


def field_error(
    err_type: str, loc: str, msg: str, value: object, ctx: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One pydantic error entry, with the location already joined by dots."""
    entry: dict[str, Any] = {"type": err_type, "loc": loc, "msg": msg, "input": _summarise(value)}
    if ctx is not None:
        entry["ctx"] = ctx
    return entry


class RequestValidationFailed(ApiError):
    """Pydantic/FastAPI request validation: 400 with type "Bad Request"."""

    def __init__(self, errors: list[dict[str, Any] | str]) -> None:
        noun = "error" if len(errors) == 1 else "errors"
        lines = "\n  ".join(str(e) for e in errors)
        message = f"{len(errors)} validation {noun}:\n  {lines}"
        first = errors[0]
        param = first["loc"] if isinstance(first, dict) else None
        super().__init__(400, message, param, err_type="Bad Request")


def invalid_json(exc: json.JSONDecodeError) -> RequestValidationFailed:
    """What FastAPI reports for a body that is not JSON."""
    entry = field_error("json_invalid", f"body.{exc.pos}", "JSON decode error", {})
    entry["ctx"] = {"error": exc.msg}
    return RequestValidationFailed([entry])


def unsupported_media_type() -> RequestValidationFailed:
    return RequestValidationFailed(["Unsupported Media Type: Only 'application/json' is allowed"])


def unauthorized() -> Response:
    """The auth middleware's answer: the error is a bare string, not an object."""
    return JSONResponse({"error": "Unauthorized"}, status_code=401)


def http_detail(status: int, headers: Mapping[str, str] | None = None) -> Response:
    """FastAPI's default body for routing errors (404, 405)."""
    return JSONResponse({"detail": HTTPStatus(status).phrase}, status_code=status, headers=headers)
