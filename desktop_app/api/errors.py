"""The one exception tree of the API client, and the reading of error bodies.

Every failure the client raises is a ``GemmaAPIError``. Each carries ``user_message``
(plain words: what happened and what to do; also ``str(exc)``) and ``partial`` (the
reply as far as it had arrived before the failure, or ``None``)::

    GemmaAPIError
    ├── TransportError            could not talk to the server
    │   ├── ServerUnreachable     host name not found / connection refused / no route
    │   ├── TLSError              certificate or handshake problem
    │   ├── ConnectTimeout        no connection within the connect timeout
    │   ├── ReadTimeout           the server stopped sending for the read timeout
    │   │   ├── ReplyStalled      no reply data (only silence or keep-alives) for the stall limit
    │   │   └── DeadlineExceeded  the whole call took longer than its deadline
    │   └── ConnectionDropped     the connection closed before the reply was complete
    ├── ServerError               the server answered with an error (.status, .error_type,
    │   │                         .param, .code, .server_message kept verbatim)
    │   ├── AuthenticationError   401/403: API key missing or wrong
    │   ├── NotFoundError         404: unknown model, or no such route (wrong base URL)
    │   ├── BadRequestError       400/413/422: the server rejected the request
    │   ├── RateLimitError        429
    │   ├── ServiceUnavailable    503: loading, overloaded or queue full
    │   ├── InternalServerError   other 5xx
    │   ├── StreamError           an error that arrived inside a 200 event stream
    │   └── RedirectError         3xx: the server points elsewhere (.location); never followed
    └── ProtocolError             the reply was not what the protocol says (.excerpt)
        └── ReplyTooLarge         a line, event or reply beyond the limits in ``limits``

Error bodies come in several shapes (docs/protocol.md §2): nested
``{"error":{message,type,param,code}}``, the flat pre-0.10.1 ``{"object":"error",...}``,
the auth middleware's ``{"error":"Unauthorized"}``, FastAPI's ``{"detail": ...}``,
non-JSON text or HTML from a proxy, or nothing at all. ``error_from_response`` reads them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .error_bodies import ErrorBody
    from .results import Completion


class GemmaAPIError(Exception):
    """Base of every error the API client raises."""

    def __init__(self, user_message: str, *, partial: Completion | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.partial = partial

    def __str__(self) -> str:
        return self.user_message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.user_message!r})"

    def keep_partial(self, partial: Completion) -> None:
        """Attach what arrived before the failure, and say so in the message."""
        self.partial = partial
        if partial.content or partial.reasoning or partial.tool_calls:
            self.user_message += " What arrived before the failure is kept."
            self.args = (self.user_message, *self.args[1:])

    def redact(self, secret: str | None) -> None:
        """Replace ``secret`` (the API key) wherever this error quotes text."""
        if not secret:
            return
        for name, value in vars(self).items():
            if isinstance(value, str) and secret in value:
                setattr(self, name, value.replace(secret, "***"))
        self.args = tuple(a.replace(secret, "***") if isinstance(a, str) else a for a in self.args)


class TransportError(GemmaAPIError):
    """Could not talk to the server; ``detail`` is the low-level reason."""

    def __init__(
        self, user_message: str, *, detail: str = "", partial: Completion | None = None
    ) -> None:
        super().__init__(user_message, partial=partial)
        self.detail = detail


class ServerUnreachable(TransportError):
    """Connection refused, host name not found, or no route to the host."""

    def __init__(
        self,
        user_message: str,
        *,
        reason: str = "other",
        detail: str = "",
        partial: Completion | None = None,
    ) -> None:
        super().__init__(user_message, detail=detail, partial=partial)
        #: "dns" (host name not found), "refused", or "other".
        self.reason = reason


class TLSError(TransportError):
    """The secure connection failed: certificate or handshake problem."""


class ConnectTimeout(TransportError):
    """No connection could be made within the connect timeout."""


class ReadTimeout(TransportError):
    """The server stopped sending for longer than the read timeout."""


class ReplyStalled(ReadTimeout):
    """No reply data (only silence, or SSE comments and keep-alives) for the stall limit."""

    def __init__(
        self, user_message: str, *, seconds: float, partial: Completion | None = None
    ) -> None:
        super().__init__(user_message, partial=partial)
        self.seconds = seconds


class DeadlineExceeded(ReadTimeout):
    """The whole call (connect, wait, every byte of the reply) took longer than its deadline."""

    def __init__(
        self, user_message: str, *, seconds: float, partial: Completion | None = None
    ) -> None:
        super().__init__(user_message, partial=partial)
        self.seconds = seconds


class ConnectionDropped(TransportError):
    """The connection closed before the reply was complete."""


class ServerError(GemmaAPIError):
    """The server answered with an error; its own words are in ``server_message``."""

    def __init__(
        self,
        user_message: str,
        *,
        status: int,
        error_type: str | None = None,
        param: str | None = None,
        code: int | str | None = None,
        server_message: str = "",
        partial: Completion | None = None,
    ) -> None:
        super().__init__(user_message, partial=partial)
        self.status = status
        self.error_type = error_type
        self.param = param
        self.code = code
        self.server_message = server_message


class AuthenticationError(ServerError):
    """401/403: the API key is missing or wrong."""


class NotFoundError(ServerError):
    """404: unknown model, or no such route (the base URL is probably wrong)."""


class BadRequestError(ServerError):
    """400/413/422: the server rejected the request as invalid."""


class RateLimitError(ServerError):
    """429: too many requests."""


class ServiceUnavailable(ServerError):
    """503: the server is loading, overloaded or its queue is full."""


class InternalServerError(ServerError):
    """5xx: the server failed while handling the request."""


class StreamError(ServerError):
    """An error sent inside a 200 event stream (docs/protocol.md §2.4)."""


class RedirectError(ServerError):
    """3xx: the server sent the request elsewhere. Never followed, so that the key and the
    conversation go nowhere but the configured server; ``location`` is the target (redacted)."""

    def __init__(self, user_message: str, *, status: int, location: str) -> None:
        super().__init__(user_message, status=status)
        self.location = location


class ProtocolError(GemmaAPIError):
    """The reply did not follow the protocol; ``excerpt`` shows the start of it."""

    def __init__(
        self, user_message: str, *, excerpt: str = "", partial: Completion | None = None
    ) -> None:
        super().__init__(user_message, partial=partial)
        self.excerpt = excerpt


def _class_for_status(status: int) -> type[ServerError]:
    if status in (401, 403):
        return AuthenticationError
    if status == 404:
        return NotFoundError
    if status in (400, 413, 422):
        return BadRequestError
    if status == 429:
        return RateLimitError
    if status == 503:
        return ServiceUnavailable
    if 500 <= status <= 599:
        return InternalServerError
    return ServerError


def error_from_response(
    status: int,
    body: bytes,
    content_type: str | None,
    *,
    url: str | None = None,
    api_key_sent: bool | None = None,
) -> ServerError:
    """Turn an error reply into the matching ``ServerError``.

    Also handles a 200 JSON body with a top-level ``"error"`` key (vLLM can serialise an
    error response with status 200, docs/protocol.md §2.3): the class then follows the body's
    ``code``. ``url`` and ``api_key_sent`` only sharpen the advice in ``user_message``.
    """
    # Reading error bodies needs regexes and HTML helpers: loaded on the first error only.
    from .error_bodies import parse_error_body
    from .error_text import server_error_message

    info = parse_error_body(body, content_type)
    effective = status
    if status < 400:
        effective = info.code if isinstance(info.code, int) and info.code >= 400 else 500
    cls = _class_for_status(effective)
    message = server_error_message(effective, info, url=url, api_key_sent=api_key_sent)
    return _build(cls, message, status, info)


def stream_error_from_payload(payload: dict[str, object], *, status: int = 200) -> StreamError:
    """The ``StreamError`` for an in-stream ``{"error": ...}`` event."""
    from .error_bodies import parse_error_body
    from .error_text import stream_error_message

    info = parse_error_body(payload, "application/json")
    return _build(StreamError, stream_error_message(info), status, info)


def _build[E: ServerError](cls: type[E], message: str, status: int, info: ErrorBody) -> E:
    return cls(
        message,
        status=status,
        error_type=info.error_type,
        param=info.param,
        code=info.code,
        server_message=info.message,
    )


class ReplyTooLarge(ProtocolError):
    """One line, one event or the whole reply went past its limit (``limits``); ``limit`` is
    that limit in bytes. Reading stopped there, so memory stays bounded."""

    def __init__(
        self,
        user_message: str,
        *,
        limit: int,
        excerpt: str = "",
        partial: Completion | None = None,
    ) -> None:
        super().__init__(user_message, excerpt=excerpt, partial=partial)
        self.limit = limit
