"""Where things are in a JSON text: line and column of a parse error or of a value by path."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]  # typeshed omits it

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Spot:
    """A place in a text, 1-based, as an editor shows it."""

    line: int
    column: int
    offset: int


def spot_at(text: str, offset: int) -> Spot:
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Spot(line, column, offset)


def json_path_text(path: JsonPath) -> str:
    """``$.function.parameters.properties["a b"][0]``: the notation jsonschema uses."""
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out += f".{part}"
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


def value_offsets(text: str) -> dict[JsonPath, int]:
    """The offset of every value of a well-formed JSON text, by path (``()`` is the root).

    For an object member the offset is that of its key, which is where an editor should
    point when the member is wrong or unexpected. Malformed text gives what was read so far.
    """
    out: dict[JsonPath, int] = {}
    with contextlib.suppress(IndexError, ValueError):
        _value(text, _skip(text, 0), (), out)
    return out


def spot_of_path(text: str, path: JsonPath) -> Spot | None:
    """The spot of the deepest part of ``path`` that exists in ``text``."""
    offsets = value_offsets(text)
    for end in range(len(path), -1, -1):
        offset = offsets.get(tuple(path[:end]))
        if offset is not None:
            return spot_at(text, offset)
    return None


def _skip(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()  # type: ignore[union-attr]


def _value(text: str, pos: int, path: JsonPath, out: dict[JsonPath, int]) -> int:
    out.setdefault(path, pos)
    ch = text[pos]
    if ch == "{":
        return _object(text, pos + 1, path, out)
    if ch == "[":
        return _array(text, pos + 1, path, out)
    if ch == '"':
        return scanstring(text, pos + 1)[1]
    match = _SCALAR.match(text, pos)
    if match is None:
        raise ValueError(f"unexpected {ch!r} at {pos}")
    return match.end()


def _object(text: str, pos: int, path: JsonPath, out: dict[JsonPath, int]) -> int:
    pos = _skip(text, pos)
    if text[pos] == "}":
        return pos + 1
    while True:
        key_start = pos
        key, pos = scanstring(text, pos + 1)
        out[(*path, key)] = key_start
        pos = _skip(text, pos)
        pos = _skip(text, pos + 1)  # the ':'
        pos = _skip(text, _value(text, pos, (*path, key), out))
        if text[pos] == "}":
            return pos + 1
        pos = _skip(text, pos + 1)  # the ','


def _array(text: str, pos: int, path: JsonPath, out: dict[JsonPath, int]) -> int:
    pos = _skip(text, pos)
    if text[pos] == "]":
        return pos + 1
    index = 0
    while True:
        pos = _skip(text, _value(text, pos, (*path, index), out))
        if text[pos] == "]":
            return pos + 1
        pos = _skip(text, pos + 1)
        index += 1
