"""The httpx boundary: the one place where httpx exceptions become ``GemmaAPIError`` s."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit

import httpx

from .errors import (
    ConnectionDropped,
    ConnectTimeout,
    ProtocolError,
    ReadTimeout,
    ServerUnreachable,
    TLSError,
    TransportError,
)

DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=300.0, write=30.0, pool=10.0)
# For the calls beside the chat (/tokenize, /metrics, the probe): they answer at once or not
# at all, and a meter or a gauge that waits minutes is worse than one that says "unknown".
SIDE_TIMEOUT = httpx.Timeout(connect=5.0, read=15.0, write=15.0, pool=5.0)

_DNS_WORDS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no address associated",
    "getaddrinfo failed",
    "name resolution",
)


def _seconds(value: float | None) -> str:
    return "unlimited" if value is None else f"{value:g} s"


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.hostname or url


def _address(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else url


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes and contexts, and members of exception groups."""
    stack: list[BaseException] = [exc]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)


def _detail(exc: BaseException) -> str:
    deepest = list(_causes(exc))[-1]
    text = f"{type(exc).__name__}: {exc}"
    if deepest is not exc and str(deepest) != str(exc):
        text += f" ({type(deepest).__name__}: {deepest})"
    return text


def _connect_error(exc: httpx.ConnectError, url: str) -> TransportError:
    detail = _detail(exc)
    causes = list(_causes(exc))
    words = " ".join(str(c) for c in causes).lower()
    if any(isinstance(c, ssl.SSLError) for c in causes) or "certificate" in words:
        return TLSError(
            f"The secure connection to {_host(url)} failed: {_tls_reason(causes)}. If the "
            "server uses a self-signed or private certificate, set its CA bundle in the "
            "server profile; if it does not use TLS, use an http:// address.",
            detail=detail,
        )
    if any(isinstance(c, socket.gaierror) for c in causes) or any(w in words for w in _DNS_WORDS):
        return ServerUnreachable(
            f"The server's host name {_host(url)!r} was not found. Check the server address "
            "in the server profile and your network connection.",
            reason="dns",
            detail=detail,
        )
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in words:
        return ServerUnreachable(
            f"The connection to {_address(url)} was refused: nothing is listening on that "
            "port. Check that the vLLM server is running (it opens its port only once the "
            "model has loaded) and that the address and port are right.",
            reason="refused",
            detail=detail,
        )
    return ServerUnreachable(
        f"Could not reach {_address(url)} ({_deepest_words(exc)}). Check the server address "
        "and your network connection.",
        reason="other",
        detail=detail,
    )


def _tls_reason(causes: list[BaseException]) -> str:
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"its certificate could not be verified ({cause.verify_message})"
    for cause in causes:
        if isinstance(cause, ssl.SSLError):
            return f"the TLS handshake failed ({cause.reason or cause})"
    return "the TLS handshake failed"


def _deepest_words(exc: BaseException) -> str:
    return str(list(_causes(exc))[-1]) or type(exc).__name__


def map_httpx_error(exc: Exception, url: str, timeout: httpx.Timeout) -> Exception:
    """The ``GemmaAPIError`` for an httpx failure; other exceptions come back unchanged."""
    detail = _detail(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        return ConnectTimeout(
            f"No connection to {_address(url)} within {_seconds(timeout.connect)}. Check "
            "the server address, your network, and any firewall or VPN in between.",
            detail=detail,
        )
    if isinstance(exc, httpx.ReadTimeout):
        return ReadTimeout(
            f"The server sent nothing for {_seconds(timeout.read)}, so the request was "
            "abandoned. The server may be overloaded or stuck; try again, or raise the "
            "read timeout in the server profile.",
            detail=detail,
        )
    if isinstance(exc, httpx.WriteTimeout):
        return TransportError(
            f"Sending the request to {_address(url)} took longer than "
            f"{_seconds(timeout.write)}. Large attachments on a slow link can cause this; "
            "try again or send smaller images.",
            detail=detail,
        )
    if isinstance(exc, httpx.PoolTimeout):
        return TransportError(
            "Too many requests to this server are already in progress. Wait for one to "
            "finish or stop it, then try again.",
            detail=detail,
        )
    if isinstance(exc, httpx.ConnectError):
        return _connect_error(exc, url)
    if isinstance(exc, httpx.ProxyError):
        return ServerUnreachable(
            f"The proxy refused to connect to {_address(url)} ({exc}). Check the proxy "
            "settings (HTTP_PROXY / HTTPS_PROXY).",
            detail=detail,
        )
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return ConnectionDropped(
            "The connection to the server closed before the reply was complete. Try "
            "again; if it keeps happening, check the server's log (it may have crashed "
            "or restarted) or any proxy in between.",
            detail=detail,
        )
    if isinstance(exc, httpx.DecodingError):
        return ProtocolError(
            "The server's reply could not be decoded (bad compression or encoding).",
            excerpt=detail,
        )
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return ServerUnreachable(
            f"{url!r} is not a usable server address. Use an http:// or https:// address.",
            detail=detail,
        )
    if isinstance(exc, httpx.HTTPError):
        return TransportError(
            f"Talking to {_address(url)} failed: {exc}. Try again.",
            detail=detail,
        )
    return exc


@contextmanager
def translate_errors(url: str, timeout: httpx.Timeout) -> Iterator[None]:
    """Run a block of httpx calls; their failures come out as ``GemmaAPIError`` s."""
    try:
        yield
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise map_httpx_error(exc, url, timeout) from exc


async def close_quietly(response: httpx.Response) -> None:
    """Close a response; a failure while closing changes nothing for the caller."""
    with suppress(httpx.HTTPError):
        await response.aclose()


def close_quietly_sync(response: httpx.Response) -> None:
    """``close_quietly`` for a response of a blocking ``httpx.Client``."""
    with suppress(httpx.HTTPError):
        response.close()
