"""Pydantic-like lax coercion of request fields, reporting errors in pydantic's words."""

from __future__ import annotations

from typing import Any

from .errors import RequestValidationFailed, field_error

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}


class FieldReader:
    """Reads optional fields of the body, collecting every type error before failing."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.errors: list[dict[str, Any]] = []

    def _fail(self, err_type: str, name: str, msg: str, value: object, **ctx: Any) -> None:
        self.errors.append(field_error(err_type, f"body.{name}", msg, value, ctx or None))

    def raise_if_failed(self) -> None:
        if self.errors:
            raise RequestValidationFailed(list(self.errors))

    def number(self, name: str) -> float | None:
        value = self.body.get(name)
        if value is None:
            return None
        if isinstance(value, bool | int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                msg = "Input should be a valid number, unable to parse string as a number"
                self._fail("float_parsing", name, msg, value)
                return None
        self._fail("float_type", name, "Input should be a valid number", value)
        return None

    def integer(self, name: str, ge: int | None = None, le: int | None = None) -> int | None:
        value = self.body.get(name)
        if value is None:
            return None
        result: int | None = None
        if isinstance(value, bool | int):
            result = int(value)
        elif isinstance(value, float):
            if value.is_integer():
                result = int(value)
            else:
                msg = "Input should be a valid integer, got a number with a fractional part"
                self._fail("int_from_float", name, msg, value)
        elif isinstance(value, str):
            try:
                result = int(value.strip())
            except ValueError:
                msg = "Input should be a valid integer, unable to parse string as an integer"
                self._fail("int_parsing", name, msg, value)
        else:
            self._fail("int_type", name, "Input should be a valid integer", value)
        if result is not None and ge is not None and result < ge:
            msg = f"Input should be greater than or equal to {ge}"
            self._fail("greater_than_equal", name, msg, value, ge=ge)
            return None
        if result is not None and le is not None and result > le:
            self._fail("less_than_equal", name, f"Input should be less than or equal to {le}",
                       value, le=le)
            return None
        return result

    def boolean(self, name: str, default: bool) -> bool:
        value = self.body.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        if isinstance(value, str | int | float):
            msg = "Input should be a valid boolean, unable to interpret input"
            self._fail("bool_parsing", name, msg, value)
        else:
            self._fail("bool_type", name, "Input should be a valid boolean", value)
        return default

    def string(self, name: str) -> str | None:
        value = self.body.get(name)
        if value is None or isinstance(value, str):
            return value
        self._fail("string_type", name, "Input should be a valid string", value)
        return None

    def mapping(self, name: str) -> dict[str, Any] | None:
        value = self.body.get(name)
        if value is None or isinstance(value, dict):
            return value
        self._fail("dict_type", name, "Input should be a valid dictionary", value)
        return None

    def string_list(self, name: str) -> list[str] | None:
        """`str | list[str] | None`, always returned as a list."""
        value = self.body.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        self._fail("list_type" if not isinstance(value, list) else "string_type", name,
                   "Input should be a valid list" if not isinstance(value, list)
                   else "Input should be a valid string", value)
        return None

    def choice(self, name: str, allowed: tuple[str, ...]) -> str | None:
        value = self.body.get(name)
        if value is None:
            return None
        if isinstance(value, str) and value in allowed:
            return value
        expected = ", ".join(repr(a) for a in allowed[:-1]) + f" or {allowed[-1]!r}"
        self._fail("literal_error", name, f"Input should be {expected}", value,
                   expected=expected)
        return None
