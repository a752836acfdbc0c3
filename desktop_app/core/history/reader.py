"""Typed reading of one stored dict: each accessor checks the value's type and names the
offending path in its error (``ValueError``), so a damaged record says where it is wrong."""

from __future__ import annotations

import copy
from typing import Any


class Reader:
    """Typed access to one dict of a serialized value; errors name the offending path.

    ``owned``: the dict was made for this read alone (parsed from a database row), so the
    objects it holds can be kept as they are instead of copied. Reading 10,000 stored
    messages is on the path of opening a long conversation, hence the plain type checks.
    """

    __slots__ = ("data", "owned", "path")

    def __init__(self, data: object, path: str, owned: bool = False) -> None:
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected an object, got {kind(data)}")
        self.data: dict[str, Any] = data
        self.path = path
        self.owned = owned

    def _wrong(self, key: str, what: str, value: object) -> ValueError:
        return ValueError(f"{self.path}.{key}: expected {what}, got {kind(value)}")

    def text(self, key: str, default: str = "") -> str:
        value = self.data.get(key, default)
        if isinstance(value, str):
            return value
        raise self._wrong(key, "text", value)

    def opt_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or isinstance(value, str):
            return value
        raise self._wrong(key, "text or null", value)

    def opt_number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None or is_number(value):
            return value
        raise self._wrong(key, "a number or null", value)

    def number(self, key: str, default: float) -> float:
        value = self.data.get(key, default)
        if is_number(value):
            return value
        raise self._wrong(key, "a number", value)

    def opt_int(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None or is_int(value):
            return value
        raise self._wrong(key, "a whole number or null", value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if isinstance(value, bool):
            return value
        raise self._wrong(key, "true or false", value)

    def opt_flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return value
        raise self._wrong(key, "true, false or null", value)

    def obj(self, key: str) -> dict[str, Any]:
        return self.opt_obj(key) or {}

    def opt_obj(self, key: str) -> dict[str, Any] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self._wrong(key, "an object or null", value)
        # Unless the dict is ours alone, a copy: the object must not share nested values
        # with the dict it came from.
        return value if self.owned else copy.deepcopy(value)

    def items(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None and key not in self.data:
            return []
        if not isinstance(value, list):
            raise self._wrong(key, "a list", value)
        return list(value)

    def opt_items(self, key: str) -> list[Any] | None:
        value = self.data.get(key)
        if value is None or isinstance(value, list):
            return value
        raise self._wrong(key, "a list or null", value)


def kind(value: object) -> str:
    """How a JSON value is named in a message: 'a number', 'null', 'a list'..."""
    if value is None:
        return "null"
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
    }.get(type(value), "an object" if isinstance(value, dict) else type(value).__name__)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
