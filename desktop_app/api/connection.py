"""What both clients share about talking to one server: its URLs, TLS, headers, replies.

Nothing here imports asyncio: ``VLLMClient`` (asyncio) and ``SyncVLLMClient`` (blocking)
build on it alike.
"""

from __future__ import annotations

import os
import ssl
import sys
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from .errors import GemmaAPIError, RedirectError, error_from_response
from .replies import decode_json_object
from .url_secrets import hide, redact_url, url_secrets

if TYPE_CHECKING:
    from .limits import Deadline
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
        shown = redact_url(base_url) if "://" in base_url else hide(base_url, url_secrets(base_url))
        raise ValueError(f"{shown!r} is not an http:// or https:// server address.")
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        path = path[: -len("/v1")]
    root = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return root, root + "/v1"


class _DeferredTrustContext(ssl.SSLContext):
    """httpx's default TLS context, loading its CA certificates on the first handshake.

    Reading the CA bundle takes tens of milliseconds, and a client of an http:// server
    never needs it. The certificates are loaded before any TLS connection is wrapped (both
    ways a context wraps one go through here), from where httpx's default would load them
    when the context was made: $SSL_CERT_FILE, else $SSL_CERT_DIR, else certifi's bundle.
    Were a handshake ever to start without them, verification would fail, not pass.
    """

    _trust_source: tuple[str, str] | None  # where the CA certificates are, until loaded
    _trust_lock: threading.Lock

    def _load_trust(self) -> None:
        with self._trust_lock:
            where = self._trust_source
            if where is None:
                return
            if where[0] == "file":
                self.load_verify_locations(cafile=where[1])
            elif where[0] == "dir":
                self.load_verify_locations(capath=where[1])
            else:
                import certifi

                self.load_verify_locations(cafile=certifi.where())
            self._trust_source = None

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        if self._trust_source is not None:
            self._load_trust()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        if self._trust_source is not None:
            self._load_trust()
        return super().wrap_bio(*args, **kwargs)


def default_ssl_context() -> ssl.SSLContext:
    """What httpx makes for ``verify=True`` (``ssl.create_default_context`` with httpx's CA
    bundle choice), with the CA bundle read only when a first TLS connection is made."""
    context = _DeferredTrustContext(ssl.PROTOCOL_TLS_CLIENT)
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    if sys.version_info >= (3, 13):
        # ssl.create_default_context turns these on from Python 3.13 (stricter chain checks).
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN | ssl.VERIFY_X509_STRICT
    if os.environ.get("SSL_CERT_FILE"):
        context._trust_source = ("file", os.environ["SSL_CERT_FILE"])
    elif os.environ.get("SSL_CERT_DIR"):
        context._trust_source = ("dir", os.environ["SSL_CERT_DIR"])
    else:
        context._trust_source = ("certifi", "")
    context._trust_lock = threading.Lock()
    keylog = os.environ.get("SSLKEYLOGFILE")
    if keylog and not sys.flags.ignore_environment and hasattr(context, "keylog_filename"):
        context.keylog_filename = keylog  # as ssl.create_default_context does
    return context


def ssl_context(verify: bool | str | ssl.SSLContext) -> bool | ssl.SSLContext:
    """httpx's ``verify`` for a client: a CA bundle path becomes a context, and the default
    context reads its CA bundle on first use."""
    if verify is True:
        return default_ssl_context()
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
    """What error messages need to know about the call.

    ``url`` is the address as it may be shown (user info hidden); ``secret`` is the API key;
    ``hidden`` every secret string that must never appear in a message or a trace.
    """

    __slots__ = ("deadline", "hidden", "secret", "timeout", "url")

    def __init__(
        self,
        url: str,
        timeout: httpx.Timeout,
        secret: str | None,
        deadline: Deadline | None = None,
    ) -> None:
        self.url = redact_url(url)
        self.timeout = timeout
        self.secret = secret
        self.hidden = (*url_secrets(url), *((secret,) if secret else ()))
        self.deadline = deadline

    def fail(self, exc: GemmaAPIError, trace: WireTrace | None) -> None:
        redact(exc, self.hidden)
        if trace is not None:
            trace.error = exc.user_message


def redact(exc: GemmaAPIError, secrets: tuple[str, ...]) -> None:
    """Hide each of ``secrets`` wherever ``exc`` quotes text."""
    for secret in secrets:
        exc.redact(secret)


def redirect_error(status: int, location: str | None, ctx: CallContext) -> RedirectError:
    """The error for a 3xx reply; the redirect is never followed."""
    target = hide(redact_url(location), ctx.hidden) if location else ""
    where = f" to {target}" if target else " (without saying where)"
    return RedirectError(
        f"The server at {ctx.url} redirected the request{where} (HTTP {status}). Redirects "
        "are not followed, so the API key and the conversation go only to the address you "
        "set: if the new address is right, put it in the server profile.",
        status=status,
        location=target,
    )


def json_reply(
    status: int, content_type: str | None, raw: bytes, ctx: CallContext, location: str | None = None
) -> dict[str, Any]:
    """The JSON object a non-streamed call answered, or the error the reply stands for."""
    if 300 <= status < 400:
        raise redirect_error(status, location, ctx)
    if status >= 400:
        raise _error(status, raw, content_type, ctx)
    payload = decode_json_object(raw)
    # vLLM can send an error body with status 200 (docs/protocol.md §2.3).
    if "error" in payload:
        raise _error(status, raw, content_type, ctx)
    return payload


def _error(status: int, raw: bytes, content_type: str | None, ctx: CallContext) -> GemmaAPIError:
    return error_from_response(
        status, raw, content_type, url=ctx.url, api_key_sent=ctx.secret is not None
    )
