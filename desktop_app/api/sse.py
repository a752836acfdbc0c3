"""Incremental text/event-stream decoding: bytes in, events out, in linear time.

Follows the WHATWG HTML "event stream interpretation": lines end in CRLF, LF or CR (a CRLF
split across two chunks is one line end); a line starting with ":" is a comment; "field:
value" drops one space after the colon; a line without a colon is a field with an empty
value; data lines of one event are joined with "\\n"; a blank line dispatches the event; a
byte-order mark at the very start is ignored; an event not ended by a blank line when the
stream ends is discarded.

Two paths give the same events:

- While the stream has only LF line ends (as vLLM and every common server send), the bytes
  are cut at the last blank line (``\\n\\n``) of what has arrived; everything before it is a
  run of whole events, decoded from UTF-8 in one call and split on ``"\\n\\n"``. An event
  that is a single ``data:`` line (the usual shape) costs a slice; any other event goes
  through the line rules below. The bytes after the last blank line wait for more.
  Splitting at LF bytes is safe for UTF-8: no multi-byte character contains one, and an
  incomplete character just before one is replaced the same way a stream decoder would.
- From the first CR on, every byte goes line by line through an incremental UTF-8 decoder
  (a CR may end a line alone, and a CRLF may be split across chunks), scanning each chunk
  once and keeping a partial line as fragments joined only when its line end arrives.

Undecodable bytes become U+FFFD; an incomplete character at the very end of the stream is in
an unterminated event, which is discarded.

What waits for its line or event to end is bounded by ``max_event`` (``limits.MAX_EVENT_BYTES``
by default): a server that sends a line without end fails with ``ReplyTooLarge`` there,
instead of filling memory.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import cast

from .limits import MAX_EVENT_BYTES, too_large

_LINE_END = re.compile(r"\r\n|\r|\n")
_BOM = codecs.BOM_UTF8


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One dispatched event. ``id`` is the last event id seen so far in the stream."""

    event: str
    data: str
    id: str | None
    retry: int | None


# What the decoding steps add to: events for ``feed``, only their data for ``feed_data``
# (``_full`` says which; one list type keeps the hot path free of a second copy).
_Out = list[SSEEvent | str]


class SSEDecoder:
    """Feed it bytes as they arrive; it returns the events completed by them.

    ``feed`` returns ``SSEEvent`` s; ``feed_data`` returns only their ``data``, for a
    caller that needs nothing else (it builds no event objects).
    """

    __slots__ = (
        "_at_start",
        "_data",
        "_decoder",
        "_event_type",
        "_full",
        "_held",
        "_last_id",
        "_line_by_line",
        "_max_event",
        "_partial_line",
        "_pending",
        "_retry",
        "_skip_lf",
    )

    def __init__(self, max_event: int = MAX_EVENT_BYTES) -> None:
        self._max_event = max_event
        self._held = 0  # characters of the unfinished event on the line-by-line path
        self._pending = bytearray()  # bytes after the last blank line, waiting for more
        self._at_start = True  # whether a leading BOM may still be in the next bytes
        self._line_by_line = False  # set for good by the first CR
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial_line: list[str] = []
        self._skip_lf = False
        self._event_type = ""
        self._data: list[str] = []
        self._retry: int | None = None
        self._last_id: str | None = None
        self._full = True  # feed (events) or feed_data (their data only)

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        out: _Out = []
        self._full = True
        self._feed(chunk, out)
        if len(self._pending) > self._max_event:
            self._too_large()
        return cast(list[SSEEvent], out)  # with _full set, only events were added

    def feed_data(self, chunk: bytes) -> list[str]:
        """The ``data`` of each event completed by ``chunk``, in order."""
        out: _Out = []
        self._full = False
        self._feed(chunk, out)
        if len(self._pending) > self._max_event:
            self._too_large()
        return cast(list[str], out)  # with _full cleared, only the data were added

    def _too_large(self) -> None:
        from .error_bodies import excerpt  # only on this error path

        head = bytes(self._pending[:200]) or "".join(self._partial_line)[:200].encode()
        self._pending.clear()
        self._partial_line.clear()
        self._reset_event()
        raise too_large("one line or event of the stream", self._max_event, excerpt(head))

    def flush(self) -> list[SSEEvent]:
        """End of stream: an unterminated event is discarded (it never completes one)."""
        out: _Out = []
        self._full = True
        if self._line_by_line:
            self._feed_text(self._decoder.decode(b"", final=True), out)
        self._pending.clear()
        self._partial_line.clear()
        self._skip_lf = False
        self._reset_event()
        return cast(list[SSEEvent], out)  # with _full set, only events were added

    # -- the LF path ---------------------------------------------------------------------

    def _feed(self, chunk: bytes, out: _Out) -> None:
        if self._line_by_line:
            self._feed_text(self._decoder.decode(chunk), out)
            return
        pending = self._pending
        if self._at_start:
            pending += chunk
            if len(pending) < len(_BOM) and _BOM.startswith(pending):
                return  # too few bytes yet to tell whether the stream starts with a BOM
            self._at_start = False
            if pending.startswith(_BOM):
                del pending[: len(_BOM)]
            chunk = bytes(pending)
            pending.clear()
        if b"\r" in chunk:
            # CR line ends from here on (the pending bytes hold none): line by line.
            self._line_by_line = True
            text = self._decoder.decode(bytes(pending) + chunk)
            pending.clear()
            self._feed_text(text, out)
            return
        if pending:
            # Search only the new bytes (and the one before them) for the blank line.
            old = len(pending)
            pending += chunk
            end = pending.rfind(b"\n\n", old - 1)
            if end < 0:
                return
            run = bytes(pending[:end])
            del pending[: end + 2]
        else:
            end = chunk.rfind(b"\n\n")
            if end < 0:
                pending += chunk
                return
            run = chunk[:end]
            if end + 2 < len(chunk):
                pending += memoryview(chunk)[end + 2 :]
        self._whole_events(run.decode("utf-8", "replace"), out)

    def _whole_events(self, text: str, out: _Out) -> None:
        """``text`` followed by a blank line: events whose last line has ended."""
        full = self._full
        if text.startswith("data: "):
            # The usual run: every event one "data: " line. The LFs are then exactly
            # those of the separators, and the data are the pieces between them.
            data = text[6:].split("\n\ndata: ")
            if text.count("\n") == 2 * len(data) - 2:
                if full:
                    last_id = self._last_id
                    out.extend([SSEEvent("message", d, last_id, None) for d in data])
                else:
                    out.extend(data)
                return
        for block in text.split("\n\n"):
            if block[:5] == "data:" and "\n" not in block:
                # One data line: the event's data is its value (event state is always
                # fresh here, as every earlier block ended with a dispatch).
                value = block[6:] if block[5:6] == " " else block[5:]
                out.append(SSEEvent("message", value, self._last_id, None) if full else value)
                continue
            for line in block.split("\n"):
                self._process_line(line)
            self._dispatch(out)

    # -- the line-by-line path -----------------------------------------------------------

    def _feed_text(self, text: str, out: _Out) -> None:
        if not text:
            return
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
                self._held -= len(line) - len(piece)  # its fragments, counted when they came
            else:
                line = piece
            if line:
                self._held += len(line)
                self._process_line(line)
            else:
                self._dispatch(out)
            start = match.end()
        if start < len(text):
            self._partial_line.append(text[start:])
            self._held += len(text) - start
        elif text[-1] == "\r":
            self._skip_lf = True
        if self._held > self._max_event:
            self._too_large()

    # -- the event rules -----------------------------------------------------------------

    def _process_line(self, line: str) -> None:
        """One line of an event (a blank line is a dispatch, which callers do themselves)."""
        if not line or line[0] == ":":
            return
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

    def _dispatch(self, out: _Out) -> None:
        if self._data:
            data = "\n".join(self._data)
            if self._full:
                out.append(
                    SSEEvent(self._event_type or "message", data, self._last_id, self._retry)
                )
            else:
                out.append(data)
        self._reset_event()

    def _reset_event(self) -> None:
        # What is held is the partial line, counted again when its line is processed.
        self._held = sum(map(len, self._partial_line))
        self._event_type = ""
        self._data = []
        self._retry = None
