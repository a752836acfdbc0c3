"""Token log-probabilities: reading vLLM's ``logprobs`` and keeping them compact (``TokenLog``).

A chunk's ``choices[0].logprobs`` is ``{"content": [{token, logprob, bytes, top_logprobs:
[{token, logprob, bytes}]}]}`` (docs/protocol.md §3); a non-streamed reply has the same object
for the whole reply. Servers and proxies get this wrong in many ways, so reading is tolerant:
a missing or non-number logprob is NaN, missing or empty bytes are ``None``; both are shown as
unknown, never raised. -inf (probability 0) is kept as it came and is shown as unknown too.

``TokenLog`` keeps a reply's tokens in columns (token strings interned, numbers in arrays,
bytes only where they differ from the token's UTF-8), about 20 bytes per token per
alternative instead of several hundred for a list of dicts (bench/bench_tokens.py).
"""

from __future__ import annotations

import math
import re
import sys
from array import array
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

UNKNOWN = math.nan

# vLLM's refusal when top_logprobs is above the server's --max-logprobs (capture
# err_logprobs_too_many).
_REFUSAL = re.compile(r"sample logprobs of (-?\d+), which is greater than max allowed: (-?\d+)")


class TokenChoice(NamedTuple):
    """One alternative at a position: its text, logprob (NaN: unknown), bytes (None: unknown)."""

    token: str
    logprob: float
    bytes: bytes | None


class TokenLogprob(NamedTuple):
    """One generated token with its logprob and the top alternatives the server sent."""

    token: str
    logprob: float
    bytes: bytes | None
    top: tuple[TokenChoice, ...] = ()


def known(logprob: float) -> bool:
    """Whether a logprob can be shown as a probability (not NaN, not -inf)."""
    return math.isfinite(logprob)


def _number(value: Any) -> float:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    return UNKNOWN


def _bytes(value: Any) -> bytes | None:
    if type(value) is not list or not value:
        return None
    try:
        return bytes(value)
    except (TypeError, ValueError):  # not all integers in 0..255
        return None


def _text(value: Any) -> str:
    return sys.intern(value) if type(value) is str else ""


def _choice(raw: Any) -> TokenChoice:
    if type(raw) is not dict:
        return TokenChoice("", UNKNOWN, None)
    get = raw.get
    return TokenChoice(_text(get("token")), _number(get("logprob")), _bytes(get("bytes")))


def _entry(raw: Any) -> TokenLogprob:
    if type(raw) is not dict:
        return TokenLogprob("", UNKNOWN, None)
    top_raw = raw.get("top_logprobs")
    top: tuple[TokenChoice, ...] = ()
    if type(top_raw) is list:
        top = tuple(_choice(alt) for alt in top_raw)
    return TokenLogprob(
        _text(raw.get("token")), _number(raw.get("logprob")), _bytes(raw.get("bytes")), top
    )


def parse_logprobs(raw: Any) -> tuple[TokenLogprob, ...]:
    """The tokens of a ``logprobs`` object; () when it holds none or is not the right shape."""
    if type(raw) is not dict:
        return ()
    content = raw.get("content")
    if type(content) is not list:
        return ()
    return tuple(_entry(item) for item in content)


def unknown_token(text: str) -> TokenLogprob:
    """Text that arrived without logprobs (a chunk that lacked them), shown as unknown."""
    return TokenLogprob(text, UNKNOWN, None)


def answer_tail(entries: Sequence[TokenLogprob], content: str) -> Sequence[TokenLogprob]:
    """The entries that make up ``content`` when they also cover reasoning before it (a chunk
    or a whole reply holding both): the shortest tail whose UTF-8 is the content's end."""
    want = content.encode()
    if not want:
        return ()
    size = 0
    for start in range(len(entries) - 1, -1, -1):
        entry = entries[start]
        size += len(entry.bytes if entry.bytes is not None else entry.token.encode())
        if size >= len(want):
            return entries[start:]
    return entries


def display_text(token: str, raw: bytes | None) -> str:
    """The token's text as it reads: its bytes decoded when they are valid UTF-8 alone, else
    the bytes written as ``\\xNN`` (vLLM then sends a ``bytes:\\xNN`` stand-in as the token)."""
    if raw is None:
        return token
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return "".join(f"\\x{b:02x}" for b in raw)


def max_allowed(message: str) -> int | None:
    """The server's --max-logprobs when ``message`` is vLLM's refusal of top_logprobs."""
    match = _REFUSAL.search(message)
    return int(match.group(2)) if match else None


class TokenColumns(NamedTuple):
    """A TokenLog's storage: the sampled tokens, then the alternatives of all tokens in one run
    (``alt_end[i]``: where token i's end); bytes only where they differ from the UTF-8."""

    tokens: list[str]
    logprobs: array[float]
    raw: dict[int, bytes | None]
    alt_tokens: list[str]
    alt_logprobs: array[float]
    alt_raw: dict[int, bytes | None]
    alt_end: array[int]


class StringIds(NamedTuple):
    """Each token and alternative as a number: its string's rank of first appearance among the
    tokens (``strings``/``table``), resp. among the alternatives (``alt_strings``/``alt_table``).
    Kept as the log grows, so that the history record (core/tokens/record.py) needs no pass
    over all strings at the end of a reply. Append-only, like the columns; ``seen[i]`` and
    ``alt_seen[i]``: how many distinct strings tokens 0..i and their alternatives hold."""

    strings: list[str]
    table: dict[str, int]
    ids: array[int]
    alt_strings: list[str]
    alt_table: dict[str, int]
    alt_ids: array[int]
    seen: array[int]
    alt_seen: array[int]


def _no_ids() -> StringIds:
    return StringIds([], {}, array("I"), [], {}, array("I"), array("I"), array("I"))


class TokenLog:
    """A reply's tokens with their logprobs and alternatives, appended as they stream.

    Readers take ``len()`` at the time they read; entries below it never change, so a snapshot
    of the reply can share the log while it grows.
    """

    __slots__ = ("_alt_bytes", "_alt_end", "_alt_logprobs", "_alt_tokens", "_bytes",
                 "_ids", "_logprobs", "_tokens")

    def __init__(self, entries: Iterable[TokenLogprob] = ()) -> None:
        self._tokens: list[str] = []
        self._logprobs = array("d")
        # Only where the bytes are not the token's UTF-8 (None: unknown).
        self._bytes: dict[int, bytes | None] = {}
        self._alt_tokens: list[str] = []
        self._alt_logprobs = array("d")
        self._alt_bytes: dict[int, bytes | None] = {}
        self._alt_end = array("I")  # where token i's alternatives end in the _alt columns
        # None for a log made from columns (read back from history): its record is made by a
        # scan, as it was made before.
        self._ids: StringIds | None = _no_ids()
        self.extend(entries)

    def __len__(self) -> int:
        return len(self._tokens)

    def __copy__(self) -> TokenLog:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> TokenLog:
        # Entries never change once appended, so a copy of a message (a history save, a
        # snapshot) shares its log instead of copying 100,000 strings on the Qt thread.
        return self

    def extend(self, entries: Iterable[TokenLogprob]) -> None:
        tokens, alt_tokens, alt_logprobs = self._tokens, self._alt_tokens, self._alt_logprobs
        # A log made from columns has no numbers for its first tokens: it numbers into a
        # throwaway (such logs are not extended in practice; its record is made by a scan).
        strings, table, ids, alt_strings, alt_table, alt_ids, seen, alt_seen = (
            self._ids or _no_ids())
        for token, logprob, raw, top in entries:
            if raw is None or raw != token.encode("utf-8", "surrogatepass"):
                self._bytes[len(tokens)] = raw
            tokens.append(token)
            self._logprobs.append(logprob)
            number = table.get(token)
            if number is None:
                number = table[token] = len(strings)
                strings.append(token)
            ids.append(number)
            for alt_token, alt_logprob, alt_raw in top:
                if alt_raw is None or alt_raw != alt_token.encode("utf-8", "surrogatepass"):
                    self._alt_bytes[len(alt_tokens)] = alt_raw
                alt_tokens.append(alt_token)
                alt_logprobs.append(alt_logprob)
                number = alt_table.get(alt_token)
                if number is None:
                    number = alt_table[alt_token] = len(alt_strings)
                    alt_strings.append(alt_token)
                alt_ids.append(number)
            seen.append(len(strings))
            alt_seen.append(len(alt_strings))
            # Last: readers on another thread take len(_alt_end) as what every column holds.
            self._alt_end.append(len(alt_tokens))

    def token(self, i: int) -> str:
        return self._tokens[i]

    def logprob(self, i: int) -> float:
        return self._logprobs[i]

    def raw_bytes(self, i: int) -> bytes | None:
        if i in self._bytes:
            return self._bytes[i]
        return self._tokens[i].encode("utf-8", "surrogatepass")

    def text(self, i: int) -> str:
        """What token ``i`` reads as (see ``display_text``)."""
        if i in self._bytes:
            return display_text(self._tokens[i], self._bytes[i])
        return self._tokens[i]

    def alternatives(self, i: int) -> tuple[TokenChoice, ...]:
        start = self._alt_end[i - 1] if i else 0
        end = self._alt_end[i]
        out = []
        for k in range(start, end):
            token = self._alt_tokens[k]
            raw = self._alt_bytes[k] if k in self._alt_bytes else token.encode(
                "utf-8", "surrogatepass")
            out.append(TokenChoice(token, self._alt_logprobs[k], raw))
        return tuple(out)

    def alternative_logprobs(self, i: int) -> array[float]:
        """The logprobs of token ``i``'s alternatives (no strings made: the chart reads these)."""
        return self._alt_logprobs[self._alt_end[i - 1] if i else 0 : self._alt_end[i]]

    def entry(self, i: int) -> TokenLogprob:
        return TokenLogprob(self._tokens[i], self._logprobs[i], self.raw_bytes(i),
                            self.alternatives(i))

    def logprobs(self) -> array[float]:
        """The sampled tokens' logprobs, in order (a copy)."""
        return array("d", self._logprobs)

    def columns(self) -> TokenColumns:
        """The log's columns as they are kept (shared, not copied: do not change them)."""
        return TokenColumns(self._tokens, self._logprobs, self._bytes, self._alt_tokens,
                            self._alt_logprobs, self._alt_bytes, self._alt_end)

    def string_ids(self) -> StringIds | None:
        """The strings numbered as they arrived (shared, not copied); None for a log made from
        columns."""
        return self._ids

    @classmethod
    def from_columns(cls, columns: TokenColumns) -> TokenLog:
        """A log over columns read back from a record; the caller checked they agree."""
        log = cls()
        log._ids = None
        (log._tokens, log._logprobs, log._bytes, log._alt_tokens, log._alt_logprobs,
         log._alt_bytes, log._alt_end) = columns
        return log

    def to_json(self) -> list[dict[str, Any]]:
        """The wire's shape, for `ask --json` and exports: unknown numbers and bytes are null
        (NaN and infinities are not JSON)."""
        return [_entry_json(self.entry(i)) for i in range(len(self))]


def _json_number(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _choice_json(token: str, logprob: float, raw: bytes | None) -> dict[str, Any]:
    return {"token": token, "logprob": _json_number(logprob),
            "bytes": list(raw) if raw is not None else None}


def _entry_json(entry: TokenLogprob) -> dict[str, Any]:
    out = _choice_json(entry.token, entry.logprob, entry.bytes)
    out["top_logprobs"] = [_choice_json(*alt) for alt in entry.top]
    return out
