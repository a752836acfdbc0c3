"""The `http_status` fault: answering a chat request with a chosen status and body."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from starlette.responses import JSONResponse, Response

from .errors import error_body, error_type_for, unauthorized

_DEFAULT_MESSAGES = {
    429: "Too many requests.",
    500: "Internal server error",
    503: "Request queue full.",
}


def _default_body(status: int) -> dict[str, Any]:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return error_body(_DEFAULT_MESSAGES.get(status, phrase), error_type_for(status), None, status)


def fault_response(status: int, body: bytes | dict[str, Any] | None) -> Response:
    """That status with that body; without a body, what vLLM would send for that status."""
    if body is None:
        if status == 401:
            return unauthorized()
        return JSONResponse(_default_body(status), status_code=status)
    if isinstance(body, dict):
        return JSONResponse(body, status_code=status)
    if isinstance(body, str):  # tolerated: a JSON text passed as str
        body = body.encode()
    try:
        json.loads(body)
        media_type = "application/json"
    except ValueError:
        media_type = "text/plain; charset=utf-8"
    return Response(body, status_code=status, media_type=media_type)
