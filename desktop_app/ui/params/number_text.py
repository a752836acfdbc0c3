"""Reading a number typed or pasted into a Parameters field, exactly as written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

MAX_DECIMALS = 6  # finer than any sampling field needs; typed digits beyond are refused

# Digits are ASCII on purpose: int() and float() would also take other scripts' digits
# and underscores, and the field would then show one thing while sending another.
_FRACTION = re.compile(r"([0-9]*)(?:[.,]([0-9]*))?")
_WHOLE = re.compile(r"[0-9]+")
_MINUS = ("-", "\u2212")  # ASCII hyphen-minus and the Unicode minus sign some locales show


@dataclass(frozen=True, slots=True)
class Reading:
    """What a field's text means: nothing, the start of a number, a number, or not a number."""

    kind: Literal["empty", "partial", "number", "invalid"]
    value: float | int | None = None
    problem: str = ""  # why a number-shaped text cannot be used as it is


def read_number(text: str, *, whole: bool, group_separator: str = "") -> Reading:
    """Reads ``text`` as a field value.

    Both "." and "," are decimal separators for fractional fields (none of them is large
    enough to need grouping), so "0,3" and "0.3" are the same in every locale. A whole-number
    field takes the locale's group separator only where it groups thousands ("1.024" in
    German, "1,024" in English): anywhere else it is not a whole number.
    """
    body = text.strip()
    if not body:
        return Reading("empty")
    negative = body[0] in _MINUS
    if body[0] in (*_MINUS, "+"):
        body = body[1:]
    if not body:
        return Reading("partial")
    if whole and group_separator:
        sep = re.escape(group_separator)
        if re.fullmatch(rf"[0-9]{{1,3}}(?:{sep}[0-9]{{3}})+", body):
            number = int(body.replace(group_separator, ""))
            return Reading("number", -number if negative else number)
    match = _FRACTION.fullmatch(body)
    if match is None:
        return Reading("invalid")
    units, fraction = match.group(1), match.group(2)
    if not units and not fraction:
        return Reading("partial")  # "." or "-." on the way to ".5"
    if whole:
        if fraction and fraction.strip("0"):
            return Reading("number", None, "a whole number is needed")
        number = int(units or "0")
        return Reading("number", -number if negative else number)
    if fraction is not None and len(fraction) > MAX_DECIMALS:
        return Reading("number", None, f"at most {MAX_DECIMALS} decimal places")
    value = float(f"{units or '0'}.{fraction or '0'}")
    # + 0.0 turns -0.0 into 0.0, so "-0" sends 0.0 and not a negative zero.
    return Reading("number", (-value if negative else value) + 0.0)


def format_number(value: float, *, min_decimals: int, decimal_point: str) -> str:
    """Shows ``value`` with at least ``min_decimals`` decimals and every digit it has."""
    text = f"{value + 0.0:.{MAX_DECIMALS}f}".rstrip("0")
    units, _, fraction = text.partition(".")
    fraction = fraction.ljust(min_decimals, "0")
    return units + (decimal_point + fraction if fraction else "")
