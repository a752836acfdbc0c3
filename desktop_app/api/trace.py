"""A record of one request on the wire, for the inspector: what was sent, what came back."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .url_secrets import hide, redact_url

REDACTED_BEARER = "Bearer ***"


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers with the Authorization value hidden."""
    result: dict[str, str] = {}
    for name, value in headers:
        if name.lower() in ("authorization", "proxy-authorization"):
            scheme = value.split(" ", 1)[0] if " " in value else ""
            value = REDACTED_BEARER if scheme.lower() == "bearer" else "***"
        result[name] = value
    return result


@dataclass(eq=False)
class WireTrace:
    """Filled by the client when passed to ``complete``/``stream``.

    Times ``first_byte_at``, ``first_token_at``, ``finished_at`` and the first element of
    each ``events`` entry are monotonic seconds since the request was sent;
    ``started_at`` is the wall-clock time it was sent. ``events`` holds the raw ``data``
    of every SSE event (appending is O(1), so 20,000 events are fine). The API key never
    appears here: the Authorization header is recorded as "Bearer ***".
    """

    method: str = ""
    url: str = ""
    request_headers: dict[str, str] = field(default_factory=dict)
    request_json: dict[str, Any] = field(default_factory=dict)
    started_at: float | None = None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    #: The body of a non-streamed reply or of an error reply, as text.
    response_body: str | None = None
    events: list[tuple[float, str]] = field(default_factory=list)
    first_byte_at: float | None = None
    first_token_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    _t0: float = field(default=0.0, repr=False)

    def begin(
        self,
        method: str,
        url: str,
        headers: Iterable[tuple[str, str]],
        body: dict[str, Any],
        secret: str | tuple[str, ...] | None = None,
    ) -> None:
        # Kept off the dataclass fields, so it never shows in repr() or asdict(). The API key
        # and any user info of the URL: none of them is ever recorded.
        secrets = (secret,) if isinstance(secret, str) else tuple(secret or ())
        self._secrets = tuple(s for s in secrets if s)
        self.method = method
        self.url = self._hide(redact_url(url))
        self.request_headers = redact_headers(headers)
        self.request_json = body
        self.started_at = time.time()
        self._t0 = time.monotonic()

    def elapsed(self) -> float:
        """Seconds since the request was sent."""
        return time.monotonic() - self._t0

    def got_response(self, status: int, headers: Mapping[str, str]) -> None:
        self.status = status
        self.response_headers = {k: self._hide(v) for k, v in dict(headers).items()}
        self.first_byte_at = self.elapsed()

    def _hide(self, text: str) -> str:
        return hide(text, getattr(self, "_secrets", ()))

    def set_body(self, raw: bytes) -> None:
        self.response_body = self._hide(raw.decode("utf-8", errors="replace"))

    def add_event(self, data: str) -> None:
        self.events.append((self.elapsed(), self._hide(data)))

    def mark_first_token(self) -> None:
        if self.first_token_at is None:
            self.first_token_at = self.elapsed()

    def finish(self, error: str | None = None) -> None:
        self.finished_at = self.elapsed()
        if error is not None:
            self.error = self._hide(error)

    @property
    def duration(self) -> float | None:
        return self.finished_at
