"""Turning any failure into the error card a person reads: what happened and what to do."""

from __future__ import annotations

import re

from desktop_app.api import (
    AuthenticationError,
    BadRequestError,
    ConnectionDropped,
    ConnectTimeout,
    GemmaAPIError,
    NotFoundError,
    ProtocolError,
    ReadTimeout,
    RedirectError,
    ReplyStalled,
    ReplyTooLarge,
    ServerError,
    ServerUnreachable,
    StreamError,
    TLSError,
    TransportError,
)
from desktop_app.core.chat.conversation import ErrorInfo


class NotConnected(GemmaAPIError):
    """No usable client for the active profile (no server, or an address that is not valid)."""


_TITLES: list[tuple[type[BaseException], str, str]] = [
    (
        NotConnected,
        "No server is ready",
        "Open Settings to add a server or fix this profile's address.",
    ),
    (
        AuthenticationError,
        "The server did not accept the API key",
        "Open Settings and check the API key of this server profile.",
    ),
    (
        NotFoundError,
        "The server could not find what was asked for",
        "Check the model name and the base URL in Settings (the base URL usually ends in /v1).",
    ),
    (
        BadRequestError,
        "The server rejected the request",
        "Change what the message above names (a generation setting, the prompt length or an "
        "attachment), then press Retry.",
    ),
    (
        StreamError,
        "The server failed while writing the reply",
        "The text that arrived is kept. Press Retry to ask again.",
    ),
    (
        RedirectError,
        "The server sent the request elsewhere",
        "Redirects are not followed, so the key and the chat go only to the address you set. "
        "If the new address is right, put it in Settings, then press Retry.",
    ),
    (
        ServerError,
        "The server answered with an error",
        "Press Retry; if it keeps failing, check the server's log.",
    ),
    (
        TLSError,
        "The secure connection could not be set up",
        "Check the certificate, or name the server's CA bundle file in Settings.",
    ),
    (
        ServerUnreachable,
        "Could not reach the server",
        "Check that the server is running and that the base URL in Settings is right, "
        "then press Retry.",
    ),
    (
        ConnectTimeout,
        "The server did not answer in time",
        "Check the network and the base URL, then press Retry.",
    ),
    (
        ReplyStalled,
        "The server went silent",
        "The text that arrived is kept. Press Retry to ask again; the stall limit is in "
        "Servers & settings.",
    ),
    (
        ReadTimeout,
        "The server stopped sending",
        "The text that arrived is kept. Press Retry to ask again.",
    ),
    (
        ConnectionDropped,
        "The connection dropped before the reply was complete",
        "The text that arrived is kept. Press Retry to ask again.",
    ),
    (TransportError, "The connection to the server failed", "Press Retry."),
    (
        ReplyTooLarge,
        "The server's reply was too large",
        "Reading stopped to keep memory safe; what arrived is kept. Check the base URL and "
        "any proxy in between.",
    ),
    (
        ProtocolError,
        "The server's reply could not be read",
        "The server may not be a vLLM OpenAI-compatible server; check the base URL.",
    ),
]


# vLLM's words when a request carries more images than --limit-mm-per-prompt allows.
_IMAGE_LIMIT = re.compile(r"At most (\d+) image\(s\) may be provided in one prompt")


def _image_limit_hint(server_message: str | None) -> str:
    match = _IMAGE_LIMIT.search(server_message or "")
    if match is None:
        return ""
    n = match.group(1)
    return (
        f"This server takes at most {n} image(s) per request, and vLLM counts every image of "
        "the chat, earlier messages included. Start a new chat or delete earlier messages "
        f"with images, then send again; set “Images per request” to {n} (the ▾ beside Image) so "
        "the app warns first. If you run the server, raise --limit-mm-per-prompt instead."
    )


def describe_error(exc: BaseException) -> ErrorInfo:
    """The card for `exc`; the server's own words are kept verbatim when it gave any."""
    message = getattr(exc, "user_message", None) or str(exc) or type(exc).__name__
    server_message = exc.server_message if isinstance(exc, ServerError) else None
    if isinstance(exc, BadRequestError) and (hint := _image_limit_hint(server_message)):
        title = "Too many images for this server"
        return ErrorInfo(title, message, hint, server_message, type(exc).__name__)
    for cls, title, hint in _TITLES:
        if isinstance(exc, cls):
            return ErrorInfo(title, message, hint, server_message, type(exc).__name__)
    if not isinstance(exc, GemmaAPIError):
        # Not a failure the server or network caused: a fault in the app. Say so plainly.
        what = str(exc) or type(exc).__name__
        return ErrorInfo(
            "Something went wrong",
            f"Something went wrong: {what}",
            "What arrived is kept. Press Retry; if it happens again, the log has the details.",
            None,
            type(exc).__name__,
        )
    return ErrorInfo("The request failed", message, "Press Retry.", None, type(exc).__name__)
