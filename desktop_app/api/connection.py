"""What both clients share about talking to one server: its URLs, TLS, headers, replies.

Nothing here imports asyncio: ``VLLMClient`` (asyncio) and ``SyncVLLMClient`` (blocking)
build on it alike.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from .errors import GemmaAPIError, error_from_response
from .replies import decode_json_object

if TYPE_CHECKING:
    from .trace import WireTrace


def split_base_url(base_url: str) -> tuple[str, str]:
    """``(root, api_base)``: /health lives at the root, the OpenAI routes under /v1.

    Accepts the address with or without a trailing ``/v1`` (and without a scheme,
    meaning http).
    """
    url = base_url.strip()
    if not url:
        raise ValueError("The server address is empty.")
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{base_url!r} is not an http:// or https:// server address.")
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        path = path[: -len("/v1")]
    root = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return root, root + "/v1"


def ssl_context(verify: bool | str | ssl.SSLContext) -> bool | ssl.SSLContext:
    """httpx's ``verify`` for a client: a CA bundle path becomes a context."""
    if isinstance(verify, str):
        # A CA bundle path (httpx 0.28 deprecates passing the path itself).
        try:
            return ssl.create_default_context(cafile=verify)
        except (OSError, ssl.SSLError) as exc:
            raise ValueError(f"The CA bundle {verify!r} could not be loaded: {exc}") from exc
    return verify


def client_headers(api_key: str | None) -> dict[str, str]:
    """The headers every call sends."""
    headers = {"Accept": "application/json"}
    if api_key is not None:
        headers["Authorization"] = f"Bearer {api_key}"
    return headers


class CallContext:
    """What error messages need to know about the call."""

    __slots__ = ("secret", "timeout", "url")

    def __init__(self, url: str, timeout: httpx.Timeout, secret: str | None) -> None:
        self.url = url
        self.timeout = timeout
        self.secret = secret

    def fail(self, exc: GemmaAPIError, trace: WireTrace | None) -> None:
        exc.redact(self.secret)
        if trace is not None:
            trace.error = exc.user_message


def json_reply(
    status: int, content_type: str | None, raw: bytes, ctx: CallContext
) -> dict[str, Any]:
    """The JSON object a non-streamed call answered, or the error the reply stands for."""
    if status >= 400:
        raise _error(status, raw, content_type, ctx)
    payload = decode_json_object(raw)
    # vLLM can send an error body with status 200 (PROTOCOL.md 2.2).
    if "error" in payload:
        raise _error(status, raw, content_type, ctx)
    return payload


def _error(status: int, raw: bytes, content_type: str | None, ctx: CallContext) -> GemmaAPIError:
    return error_from_response(
        status, raw, content_type, url=ctx.url, api_key_sent=ctx.secret is not None
    )
