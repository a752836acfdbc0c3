"""What one call may hold and take: the size limits of a reply, and a whole-call deadline.

A server (or anything in between) can send a body that never ends, a line without a line
end, or a small gzip body that inflates to gigabytes. Every byte the clients read goes past
one of these limits, so memory stays bounded and the call ends with ``ReplyTooLarge``:

- ``MAX_EVENT_BYTES`` (16 MiB): one SSE line or event. A vLLM chunk is well under 10 KB,
  even with top-20 logprobs.
- ``MAX_STREAM_BYTES`` (256 MiB): everything a streamed reply sends. A 128k-token reply is
  about 40 MB on the wire; with 20 logprobs per token, about four times that.
- ``MAX_BODY_BYTES`` (64 MiB): a whole non-streamed JSON reply.
- ``MAX_ERROR_BODY_BYTES`` (1 MiB): an error body; what is past it is dropped, not fatal.

httpx inflates a compressed body one network read at a time, so one read holds at most about
1,000 times its compressed size (some 64 MB) before these checks see it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .errors import DeadlineExceeded, ReplyTooLarge

if TYPE_CHECKING:
    import httpx

MIB = 1 << 20
MAX_EVENT_BYTES = 16 * MIB
MAX_STREAM_BYTES = 256 * MIB
MAX_BODY_BYTES = 64 * MIB
MAX_ERROR_BODY_BYTES = 1 * MIB


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit:,} bytes"


def too_large(what: str, limit: int, excerpt: str = "") -> ReplyTooLarge:
    """The error for ``what`` (e.g. "one line of the event stream") going past ``limit``."""
    return ReplyTooLarge(
        f"The server's reply was too large: {what} went past {_size(limit)}, so reading "
        "stopped there. A real reply is far smaller; check that the base URL points at a "
        "vLLM server and that no proxy in between is sending something else.",
        limit=limit,
        excerpt=excerpt,
    )


class BodyBuffer:
    """The bytes of a body, up to ``limit``: past it, ``ReplyTooLarge`` (or, with
    ``truncate``, the rest is dropped and reading stops)."""

    __slots__ = ("data", "full", "limit", "truncate")

    def __init__(self, limit: int, *, truncate: bool = False) -> None:
        self.data = bytearray()
        self.limit = limit
        self.truncate = truncate
        self.full = False

    def add(self, chunk: bytes) -> bool:
        """Keep ``chunk``; False when no more is wanted (truncated at the limit)."""
        room = self.limit - len(self.data)
        if len(chunk) <= room:
            self.data += chunk
            return True
        if not self.truncate:
            raise too_large("the reply body", self.limit)
        self.data += chunk[:room]
        self.full = True
        return False


async def read_body(
    response: httpx.Response,
    limit: int,
    *,
    truncate: bool = False,
    deadline: Deadline | None = None,
) -> bytes:
    """``response.aread()`` that stops at ``limit`` bytes (see ``BodyBuffer``)."""
    buffer = BodyBuffer(limit, truncate=truncate)
    async for chunk in response.aiter_bytes():
        if deadline is not None:
            deadline.check()
        if not buffer.add(chunk):
            break
    return bytes(buffer.data)


def read_body_sync(
    response: httpx.Response,
    limit: int,
    *,
    truncate: bool = False,
    deadline: Deadline | None = None,
) -> bytes:
    """``read_body`` for a response of a blocking ``httpx.Client``."""
    buffer = BodyBuffer(limit, truncate=truncate)
    for chunk in response.iter_bytes():
        if deadline is not None:
            deadline.check()
        if not buffer.add(chunk):
            break
    return bytes(buffer.data)


class Deadline:
    """A limit on the whole of one call, whatever the server sends (or drips) meanwhile.

    The blocking client checks it after every network read and caps every socket wait at
    the time left, so a call ends within about one read of ``seconds``.
    """

    __slots__ = ("at", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        return self.at - time.monotonic()

    def expired(self) -> bool:
        return time.monotonic() >= self.at

    def check(self) -> None:
        if self.expired():
            raise self.error()

    def error(self) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"The reply took longer than the {self.seconds:g} s allowed for the whole call, so "
            "it was abandoned. Allow more time, or check the server (it may be overloaded, or "
            "sending keep-alives without a reply).",
            seconds=self.seconds,
        )

    def cap(self, request: httpx.Request) -> None:
        """Cap every timeout of ``request`` at the time left (read when the body is read)."""
        left = max(self.left(), 0.001)
        timeouts = dict(request.extensions.get("timeout") or {})
        for phase in ("connect", "read", "write", "pool"):
            current = timeouts.get(phase)
            timeouts[phase] = left if current is None else min(current, left)
        request.extensions["timeout"] = timeouts
