"""Incremental text/event-stream decoding: bytes in, events out, in linear time.

Follows the WHATWG HTML "event stream interpretation": lines end in CRLF, LF or CR (a CRLF
split across two chunks is one line end); a line starting with ":" is a comment; "field:
value" drops one space after the colon; a line without a colon is a field with an empty
value; data lines of one event are joined with "\\n"; a blank line dispatches the event; a
byte-order mark at the very start is ignored; an event not ended by a blank line when the
stream ends is discarded.

Bytes go through an incremental UTF-8 decoder, so a multi-byte character split across
chunks comes out whole. Undecodable bytes become U+FFFD; an incomplete character at the
very end only becomes U+FFFD at ``flush``. Each chunk is scanned once: a partial line is
kept as a list of fragments and joined only when its line end arrives.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One dispatched event. ``id`` is the last event id seen so far in the stream."""

    event: str
    data: str
    id: str | None
    retry: int | None


class SSEDecoder:
    """Feed it bytes as they arrive; it returns the events completed by them."""

    def __init__(self) -> None:
        # utf-8-sig drops one leading BOM, even when it is split across chunks.
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self._partial_line: list[str] = []
        self._skip_lf = False
        self._event_type = ""
        self._data: list[str] = []
        self._retry: int | None = None
        self._last_id: str | None = None

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        return self._feed_text(self._decoder.decode(chunk))

    def flush(self) -> list[SSEEvent]:
        """End of stream: decode what is left; an unterminated event is discarded."""
        events = self._feed_text(self._decoder.decode(b"", final=True))
        self._partial_line.clear()
        self._skip_lf = False
        self._reset_event()
        return events

    def _feed_text(self, text: str) -> list[SSEEvent]:
        events: list[SSEEvent] = []
        if not text:
            return events
        start = 0
        if self._skip_lf:
            # The previous chunk ended in CR; an LF here belongs to the same line end.
            self._skip_lf = False
            if text[0] == "\n":
                start = 1
        for match in _LINE_END.finditer(text, start):
            piece = text[start : match.start()]
            if self._partial_line:
                self._partial_line.append(piece)
                line = "".join(self._partial_line)
                self._partial_line.clear()
            else:
                line = piece
            event = self._process_line(line)
            if event is not None:
                events.append(event)
            start = match.end()
        if start < len(text):
            self._partial_line.append(text[start:])
        elif text[-1] == "\r":
            self._skip_lf = True
        return events

    def _process_line(self, line: str) -> SSEEvent | None:
        if not line:
            return self._dispatch()
        if line[0] == ":":
            return None
        name, colon, value = line.partition(":")
        if colon and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event_type = value
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> SSEEvent | None:
        if not self._data:
            self._reset_event()
            return None
        event = SSEEvent(
            event=self._event_type or "message",
            data="\n".join(self._data),
            id=self._last_id,
            retry=self._retry,
        )
        self._reset_event()
        return event

    def _reset_event(self) -> None:
        self._event_type = ""
        self._data = []
        self._retry = None
