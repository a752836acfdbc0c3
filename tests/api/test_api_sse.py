"""The SSE decoder: the event-stream rules, and chunking that never changes the events."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

import pytest
from api_fixture_server import stream_capture_names
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.api import SSEDecoder, SSEEvent


def decode(*chunks: bytes) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.flush())
    return events


def decode_split(data: bytes, cuts: list[int]) -> list[SSEEvent]:
    points = sorted({0, len(data), *(min(c, len(data)) for c in cuts)})
    return decode(*(data[a:b] for a, b in itertools.pairwise(points)))


def msg(data: str, event: str = "message", id: str | None = None) -> SSEEvent:
    return SSEEvent(event=event, data=data, id=id, retry=None)


# -- the rules ------------------------------------------------------------------------


def test_one_event() -> None:
    assert decode(b"data: hello\n\n") == [msg("hello")]


def test_multi_line_data_is_joined_with_newlines() -> None:
    assert decode(b"data: a\ndata: b\ndata:\n\n") == [msg("a\nb\n")]


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending(eol: bytes) -> None:
    body = b"data: a" + eol + b"data: b" + eol + eol + b"data: c" + eol + eol
    assert decode(body) == [msg("a\nb"), msg("c")]


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    assert decode(b"data: a\r", b"\n\r", b"\ndata: b\r\n\r\n") == [msg("a"), msg("b")]
    # A lone CR at a chunk end followed by another CR is two line ends (a blank line).
    assert decode(b"data: a\r", b"\r") == [msg("a")]


def test_comments_and_unknown_fields_are_ignored() -> None:
    body = b": keep-alive\nfoo: bar\ndata: x\n: another\n\n:\n\n"
    assert decode(body) == [msg("x")]


def test_field_without_colon_has_an_empty_value() -> None:
    assert decode(b"data\n\n") == [msg("")]
    assert decode(b"event\ndata: x\n\n") == [msg("x")]


def test_only_one_leading_space_is_stripped() -> None:
    assert decode(b"data:x\n\ndata:  two\n\n") == [msg("x"), msg(" two")]


def test_event_id_and_retry_fields() -> None:
    body = (
        b"event: ping\nid: 7\nretry: 1500\ndata: a\n\ndata: b\n\nid: x\0y\nretry: soon\ndata: c\n\n"
    )
    assert decode(body) == [
        SSEEvent("ping", "a", "7", 1500),
        SSEEvent("message", "b", "7", None),  # the last id carries over; retry does not
        SSEEvent("message", "c", "7", None),  # an id with NUL and a non-numeric retry are ignored
    ]


def test_blank_lines_without_data_dispatch_nothing() -> None:
    assert decode(b"\n\n\r\n\revent: lonely\n\n") == []


def test_an_unterminated_event_is_discarded_at_the_end() -> None:
    assert decode(b"data: complete\n\ndata: cut") == [msg("complete")]
    assert decode(b"data: complete\n\ndata: cut\n") == [msg("complete")]


def test_a_byte_order_mark_is_only_skipped_at_the_start() -> None:
    assert decode(b"\xef\xbb\xbfdata: a\n\n") == [msg("a")]
    assert decode(b"\xef", b"\xbb", b"\xbfdata: a\n\n") == [msg("a")]
    # Later, the BOM is part of the field name, so the line is an unknown field.
    assert decode(b"data: a\n\n\xef\xbb\xbfdata: b\n\n") == [msg("a")]


def test_multi_byte_characters_split_across_chunks() -> None:
    text = "data: héllo → 世界 🎉\n\n".encode()
    for cut in range(len(text) + 1):
        assert decode(text[:cut], text[cut:]) == [msg("héllo → 世界 🎉")]


def test_bad_bytes_become_replacement_characters() -> None:
    assert decode(b"data: a\xffb\n\n") == [msg("a\ufffdb")]
    # A character cut off by the end of the stream is only replaced at flush.
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\ndata: \xe4\xb8") == [msg("a")]
    assert decoder.flush() == []


# -- any chunking gives the same events ------------------------------------------------


EOL_VARIANTS = {"lf": b"\n", "crlf": b"\r\n", "cr": b"\r"}


def _with_line_ends(body: bytes, eol: bytes) -> bytes:
    # JSON payloads never hold a raw newline, so every LF in a capture is a line end.
    return body.replace(b"\n", eol)


def test_every_stream_capture_one_byte_at_a_time(captures_dir: Path) -> None:
    for name in stream_capture_names(captures_dir):
        body = (captures_dir / f"{name}.body").read_bytes()
        whole = decode(body)
        assert whole, name
        for eol in EOL_VARIANTS.values():
            variant = _with_line_ends(body, eol)
            assert decode(*(variant[i : i + 1] for i in range(len(variant)))) == whole, name


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_chunking_of_a_capture_gives_the_same_events(
    captures_dir: Path, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(stream_capture_names(captures_dir)), label="capture")
    eol = data.draw(st.sampled_from(sorted(EOL_VARIANTS.values())), label="eol")
    body = _with_line_ends((captures_dir / f"{name}.body").read_bytes(), eol)
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=60), label="cuts")
    assert decode_split(body, cuts) == decode(body)


# Values never contain a line end; they do contain multi-byte characters and colons.
_values = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"),
    max_size=12,
)
_events = st.lists(
    st.tuples(
        st.sampled_from(["", "message", "update", "ping"]),  # event type ("" = none sent)
        st.lists(_values, min_size=1, max_size=3),  # data lines
        st.booleans(),  # a comment line before the event
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(
    events=_events,
    eols=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=5),
    bom=st.booleans(),
    cuts=st.lists(st.integers(0, 10_000), max_size=40),
)
def test_generated_streams_decode_to_what_was_encoded(
    events: list, eols: list[str], bom: bool, cuts: list[int]
) -> None:
    lines: list[str] = []
    for kind, data_lines, comment in events:
        if comment:
            lines.append(": note")
        if kind:
            lines.append(f"event: {kind}")
        lines.extend(f"data: {value}" for value in data_lines)
        lines.append("")
    pieces: list[str] = []
    previous = ""
    for i, line in enumerate(lines):
        eol = eols[i % len(eols)]
        if not line and previous == "\r" and eol == "\n":
            eol = "\r"  # CR then LF would be one CRLF line end, not a blank line
        pieces.append(line + eol)
        previous = eol
    text = "".join(pieces)
    body = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    expected = [
        SSEEvent(kind or "message", "\n".join(data_lines), None, None)
        for kind, data_lines, _ in events
    ]
    assert decode_split(body, cuts) == expected


@settings(max_examples=300, deadline=None)
@given(
    body=st.lists(
        st.sampled_from(
            [
                b"data:",
                b"data: ",
                b"event: e",
                b":",
                b"\r",
                b"\n",
                b"\r\n",
                b"\xef\xbb\xbf",
                b"\xe4\xb8\x96",
                b"\xf0\x9f\x8e\x89",
                b"\xff",
                b"\xe4",
                b"id: 1",
                b"x",
                b" ",
            ]
        ),
        max_size=40,
    ).map(b"".join),
    cuts=st.lists(st.integers(0, 400), max_size=30),
)
def test_any_bytes_any_chunking_same_events(body: bytes, cuts: list[int]) -> None:
    """Even malformed input (bad UTF-8, stray CRs) decodes the same however it is cut."""
    assert decode_split(body, cuts) == decode(body)


# -- cost -----------------------------------------------------------------------------


def test_cost_is_linear_in_the_bytes() -> None:
    # One 4 MB line fed 64 bytes at a time: re-scanning the buffer per chunk would take
    # minutes (65,536 chunks x megabytes); a linear decoder takes well under a second.
    payload = b"x" * (4 * 1024 * 1024)
    body = b"data: " + payload + b"\n\n"
    decoder = SSEDecoder()
    started = time.perf_counter()
    events: list[SSEEvent] = []
    for i in range(0, len(body), 64):
        events.extend(decoder.feed(body[i : i + 64]))
    elapsed = time.perf_counter() - started
    assert len(events) == 1 and len(events[0].data) == len(payload)
    assert elapsed < 5.0


# -- against a reference: the whole body decoded at once, line by line ------------------


def reference_events(body: bytes) -> list[SSEEvent]:
    """The spec applied to the whole stream in one go (no chunking, no fast path)."""
    text = body.decode("utf-8", "replace").removeprefix("\ufeff")
    *lines, _unterminated = re.split(r"\r\n|\r|\n", text)
    events: list[SSEEvent] = []
    kind, data, last_id, retry = "", [], None, None
    for line in lines:
        if not line:
            if data:
                events.append(SSEEvent(kind or "message", "\n".join(data), last_id, retry))
            kind, data, retry = "", [], None
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        value = value.removeprefix(" ") if colon else value
        if name == "data":
            data.append(value)
        elif name == "event":
            kind = value
        elif name == "id" and "\0" not in value:
            last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            retry = int(value)
    return events


_PIECES = [
    b"data:",
    b"data: ",
    b"data: {}",
    b"event: e",
    b"id: 7",
    b"retry: 10",
    b":",
    b"\r",
    b"\n",
    b"\n\n",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"\xef\xbb",
    b"\xe4\xb8\x96",
    b"\xf0\x9f\x8e\x89",
    b"\xff",
    b"\xe4",
    b"x",
    b" ",
]


@settings(max_examples=400, deadline=None)
@given(
    body=st.lists(st.sampled_from(_PIECES), max_size=50).map(b"".join),
    cuts=st.lists(st.integers(0, 500), max_size=30),
)
def test_any_bytes_match_the_reference(body: bytes, cuts: list[int]) -> None:
    """The LF fast path and the line-by-line path both give exactly the spec's events."""
    assert decode_split(body, cuts) == reference_events(body)


@settings(max_examples=200, deadline=None)
@given(
    body=st.lists(st.sampled_from([p for p in _PIECES if b"\r" not in p]), max_size=50).map(
        b"".join
    ),
    cuts=st.lists(st.integers(0, 500), max_size=30),
)
def test_lf_only_bytes_match_the_reference(body: bytes, cuts: list[int]) -> None:
    """Without any CR the whole stream stays on the fast path."""
    assert decode_split(body, cuts) == reference_events(body)


def test_captures_match_the_reference_with_every_line_end(captures_dir: Path) -> None:
    for name in stream_capture_names(captures_dir):
        body = (captures_dir / f"{name}.body").read_bytes()
        for eol in EOL_VARIANTS.values():
            variant = _with_line_ends(body, eol)
            assert decode(variant) == reference_events(variant), name


@settings(max_examples=200, deadline=None)
@given(
    body=st.lists(st.sampled_from(_PIECES), max_size=50).map(b"".join),
    cuts=st.lists(st.integers(0, 500), max_size=30),
)
def test_feed_data_gives_the_data_of_feed(body: bytes, cuts: list[int]) -> None:
    points = sorted({0, len(body), *(min(c, len(body)) for c in cuts)})
    pieces = [body[a:b] for a, b in itertools.pairwise(points)]
    full, data_only = SSEDecoder(), SSEDecoder()
    expected = [e.data for piece in pieces for e in full.feed(piece)]
    assert [d for piece in pieces for d in data_only.feed_data(piece)] == expected


def test_a_cr_after_lf_events_switches_paths_without_losing_state() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 3\ndata: a\n\ndata: b") == [msg("a", id="3")]
    assert decoder.feed(b"\r\n\r\ndata: c\r\r") == [msg("b", id="3"), msg("c", id="3")]
    assert decoder.feed(b"data: d\n\n") == [msg("d", id="3")]


def test_long_line_with_cr_late_is_linear() -> None:
    payload = b"x" * (2 * 1024 * 1024)
    body = b"data: " + payload + b"\r\n\r\n"
    decoder = SSEDecoder()
    started = time.perf_counter()
    events: list[SSEEvent] = []
    for i in range(0, len(body), 64):
        events.extend(decoder.feed(body[i : i + 64]))
    assert len(events) == 1 and len(events[0].data) == len(payload)
    assert time.perf_counter() - started < 5.0
