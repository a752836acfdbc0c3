"""A reply's tokens as kept in history and the app's JSON export: a compact record, and reading
it back so that a damaged record shows as unknown tokens instead of failing the message.

The record holds one table of distinct strings (tokens repeat a lot, alternatives more) and
base64 columns of little-endian numbers: about 70 bytes per token with 5 alternatives instead
of several hundred for the wire's JSON; logprobs stay float64, so NaN and -inf come back as
they went.
"""

from __future__ import annotations

import base64
import binascii
import math
import sys
import threading
import time
from array import array
from itertools import chain
from operator import sub
from typing import Any

from desktop_app.api.logprobs import StringIds, TokenColumns, TokenLog, unknown_token

VERSION = 1


def _pack(column: array[Any]) -> str:
    if sys.byteorder == "big":  # pragma: no cover - the record is little-endian everywhere
        column = array(column.typecode, column)
        column.byteswap()
    return base64.b64encode(column.tobytes()).decode("ascii")


def _unpack(text: object, typecode: str) -> array[Any]:
    if not isinstance(text, str):
        raise ValueError("not a column")
    column = array(typecode)
    column.frombytes(base64.b64decode(text, validate=True))
    if sys.byteorder == "big":  # pragma: no cover
        column.byteswap()
    return column


def _sparse(raw: dict[int, bytes | None]) -> list[list[Any]]:
    return [[i, None if b is None else b.hex()] for i, b in sorted(raw.items())]


def _unsparse(value: object, size: int) -> dict[int, bytes | None]:
    out: dict[int, bytes | None] = {}
    if not isinstance(value, list):
        raise ValueError("not a list of bytes")
    for item in value:
        if not (isinstance(item, list) and len(item) == 2 and type(item[0]) is int
                and 0 <= item[0] < size):
            raise ValueError("a bytes entry is out of place")
        out[item[0]] = None if item[1] is None else bytes.fromhex(item[1])
    return out


def tokens_to_record(log: TokenLog | None) -> dict[str, Any] | None:
    """The record of ``log`` (None stays None)."""
    if log is None:
        return None
    c = log.columns()
    # A streaming log may grow while this runs (history saves off the main thread): alt_end is
    # appended last for each token, so its length gives a prefix every column holds.
    n = len(c.alt_end)
    alt_n = c.alt_end[n - 1] if n else 0
    numbered = _numbered(log.string_ids(), n, alt_n)
    strings, token_ids, alt_ids = numbered or _scanned(c, n, alt_n)
    ends = c.alt_end[:n]
    counts = array("H", map(sub, ends, chain((0,), ends)))
    _yield()
    record: dict[str, Any] = {
        "v": VERSION,
        "strings": strings,
        "tokens": _pack(token_ids),
        "logprobs": _pack(c.logprobs[:n]),
        "bytes": _sparse({i: b for i, b in c.raw.items() if i < n}),
        "counts": _pack(counts),
    }
    _yield()
    record["alternatives"] = _pack(alt_ids)
    _yield()
    record["alt_logprobs"] = _pack(c.alt_logprobs[:alt_n])
    record["alt_bytes"] = _sparse({i: b for i, b in c.alt_raw.items() if i < alt_n})
    return record


def _yield() -> None:
    """Off the Qt thread, lets it have the interpreter now if it waits for it (else it would
    wait for the switch interval, 5 ms): the history writer encodes records of megabytes."""
    if threading.current_thread() is not threading.main_thread():
        time.sleep(0)


Table = tuple[list[str], "array[int]", "array[int]"]


def _scanned(c: TokenColumns, n: int, alt_n: int) -> Table:
    """The string table of the first ``n`` tokens: every distinct token in order of first
    appearance, then every other distinct alternative; and each token and alternative as its
    index in it. A pass over all strings (for a log read back from history)."""
    # C-level loops (dict.fromkeys, map), no Python code per token.
    tokens, alt_tokens = c.tokens[:n], c.alt_tokens[:alt_n]
    strings = list(dict.fromkeys(chain(tokens, alt_tokens)))
    table = dict(zip(strings, range(len(strings)), strict=True))
    token_ids = array("I", map(table.__getitem__, tokens))
    alt_ids = array("I", map(table.__getitem__, alt_tokens))
    return strings, token_ids, alt_ids


def _numbered(ids: StringIds | None, n: int, alt_n: int) -> Table | None:
    """The same table as ``_scanned`` from the numbers the log kept as it grew: at the end of a
    reply the history writer then holds the interpreter (and the window) for a pass over the
    distinct alternatives and a renumbering of the alternatives, not for a pass over 100,000
    strings."""
    if ids is None or len(ids.seen) < n:
        return None
    distinct = ids.seen[n - 1] if n else 0
    alt_distinct = ids.alt_seen[n - 1] if n else 0
    strings = ids.strings[:distinct]
    table = ids.table
    renumber: list[int] = []
    for text in ids.alt_strings[:alt_distinct]:
        number = table.get(text)
        if number is None or number >= distinct:  # not among the first n tokens
            number = len(strings)
            strings.append(text)
        renumber.append(number)
    # In slices, each a C-level loop of about a millisecond: between them the window's thread
    # can take the interpreter back.
    alt_ids = array("I")
    get, numbers = renumber.__getitem__, ids.alt_ids
    for start in range(0, alt_n, _SLICE):
        alt_ids.extend(map(get, numbers[start : min(start + _SLICE, alt_n)]))
        _yield()
    return strings, ids.ids[:n], alt_ids


_SLICE = 16384


def tokens_from_record(data: object, content: str) -> TokenLog | None:
    """The log a record holds. What cannot be read is shown as unknown, never raised: unreadable
    tokens make the whole ``content`` one unknown token, unreadable logprobs make every token's
    probability unknown, unreadable alternatives leave the tokens without them."""
    if data is None:
        return None
    try:
        if not isinstance(data, dict) or data.get("v") != VERSION:
            raise ValueError("not a token record this version reads")
        strings = data.get("strings")
        if not isinstance(strings, list) or not all(isinstance(s, str) for s in strings):
            raise ValueError("no string table")
        table = [sys.intern(s) for s in strings]
        tokens = [table[i] for i in _unpack(data.get("tokens"), "I")]
    except (ValueError, IndexError, binascii.Error):
        return TokenLog([unknown_token(content)]) if content else None
    n = len(tokens)
    try:
        logprobs = _unpack(data.get("logprobs"), "d")
        raw = _unsparse(data.get("bytes"), n)
        if len(logprobs) != n:
            raise ValueError("logprobs do not match the tokens")
    except (ValueError, binascii.Error):
        logprobs, raw = array("d", [math.nan]) * n, {}
    try:
        counts = _unpack(data.get("counts"), "H")
        alt_ids = _unpack(data.get("alternatives"), "I")
        alt_tokens = [table[i] for i in alt_ids]
        alt_logprobs = _unpack(data.get("alt_logprobs"), "d")
        alt_raw = _unsparse(data.get("alt_bytes"), len(alt_tokens))
        if len(counts) != n or sum(counts) != len(alt_tokens) or len(alt_logprobs) != len(
                alt_tokens):
            raise ValueError("alternatives do not match the tokens")
        alt_end = array("I")
        total = 0
        for count in counts:
            total += count
            alt_end.append(total)
    except (ValueError, IndexError, binascii.Error):
        alt_tokens, alt_logprobs, alt_raw = [], array("d"), {}
        alt_end = array("I", [0]) * n
    return TokenLog.from_columns(
        TokenColumns(tokens, logprobs, raw, alt_tokens, alt_logprobs, alt_raw, alt_end))


def asking_from(value: object) -> int | None:
    """A stored "alternatives per token" setting: None (not asking) or 1-20; anything else
    is read as not asking rather than failing the conversation."""
    if type(value) is not int or value < 1:
        return None
    return min(value, 20)
