"""Reading every error body shape a vLLM server (or a proxy in front of it) sends."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Shape = Literal[
    "nested", "flat", "string", "detail", "detail_list", "json", "text", "html", "empty"
]

EXCERPT_CHARS = 300


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """What an error body says; ``message`` is the server's own words."""

    shape: Shape
    message: str
    error_type: str | None = None
    param: str | None = None
    code: int | str | None = None
    #: For HTML pages: the page title, the most readable summary.
    title: str | None = None


def excerpt(data: bytes | str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a body as text, cut to ``limit`` characters."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"


def parse_error_body(body: bytes | Mapping[str, object], content_type: str | None) -> ErrorBody:
    """Read an error body: JSON of any known shape, text, HTML or nothing."""
    if isinstance(body, Mapping):
        return _from_json(body)
    if not body.strip():
        return ErrorBody(shape="empty", message="")
    ctype = (content_type or "").lower()
    if "html" not in ctype:
        try:
            decoded = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            decoded = None
        if isinstance(decoded, Mapping):
            return _from_json(decoded)
    text = body.decode("utf-8", errors="replace")
    if "html" in ctype or re.match(r"\s*<(!doctype|html)", text, re.IGNORECASE):
        return ErrorBody(shape="html", message=excerpt(text), title=_html_summary(text))
    return ErrorBody(shape="text", message=excerpt(text))


def _from_json(d: Mapping[str, object]) -> ErrorBody:
    error = d.get("error")
    if isinstance(error, Mapping):
        # Nested (>= 0.10.1) or, inside old streams, {"error": {"object": "error", ...}}.
        return _fields("nested", error)
    if isinstance(error, str):
        # The API-key middleware: {"error": "Unauthorized"}.
        return ErrorBody(shape="string", message=error)
    if d.get("object") == "error":
        return _fields("flat", d)
    detail = d.get("detail")
    if isinstance(detail, str):
        return ErrorBody(shape="detail", message=detail)
    if isinstance(detail, list):
        return ErrorBody(shape="detail_list", message=_join_detail_list(detail))
    message = d.get("message")
    if isinstance(message, str):
        return _fields("json", d)
    return ErrorBody(shape="json", message=excerpt(json.dumps(d, ensure_ascii=False)))


def _fields(shape: Shape, d: Mapping[str, object]) -> ErrorBody:
    message = d.get("message")
    error_type = d.get("type")
    param = d.get("param")
    code = d.get("code")
    return ErrorBody(
        shape=shape,
        message=message if isinstance(message, str) else "",
        error_type=error_type if isinstance(error_type, str) else None,
        param=str(param) if param is not None else None,
        code=code if isinstance(code, int | str) and not isinstance(code, bool) else None,
    )


def _join_detail_list(items: list[object]) -> str:
    """FastAPI/pydantic ``[{"loc": [...], "msg": ...}]`` as ``body.messages: Field required``."""
    parts: list[str] = []
    for item in items:
        if not isinstance(item, Mapping):
            parts.append(str(item))
            continue
        loc = item.get("loc")
        where = ".".join(str(x) for x in loc) if isinstance(loc, list | tuple) else ""
        msg = str(item.get("msg", "")).strip()
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(p for p in parts if p)


def _html_summary(text: str) -> str:
    match = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    if match and match.group(1).strip():
        return " ".join(html.unescape(match.group(1)).split())
    stripped = re.sub(r"<[^>]+>", " ", text)
    return excerpt(" ".join(html.unescape(stripped).split()), 160)
