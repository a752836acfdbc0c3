"""Reading typed numbers for the Parameters fields (no widgets involved)."""

from __future__ import annotations

import pytest

from desktop_app.core.params.generation import editor_bounds, max_tokens_start
from desktop_app.ui.params.number_text import format_number, read_number


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("0.3", "number", 0.3),
        ("0,3", "number", 0.3),
        (".5", "number", 0.5),
        ("-.5", "number", -0.5),
        ("\u22121,25", "number", -1.25),
        ("-0", "number", 0.0),
        ("1.", "number", 1.0),
        (" 2 ", "number", 2.0),
        ("", "empty", None),
        ("-", "partial", None),
        (".", "partial", None),
        ("1.2.3", "invalid", None),
        ("1e-3", "invalid", None),
        ("1_0", "invalid", None),
        ("\u0661", "invalid", None),
    ],
)
def test_fraction_fields(text, kind, value):
    reading = read_number(text, whole=False)
    assert (reading.kind, reading.value) == (kind, value)
    if value == 0.0 and value is not None:
        assert str(reading.value) == "0.0"  # never a negative zero on the wire


def test_whole_fields_and_group_separators():
    assert read_number("1.024", whole=True, group_separator=".").value == 1024
    assert read_number("1,024", whole=True, group_separator=",").value == 1024
    assert read_number("1.024", whole=True, group_separator=",").problem
    assert read_number("12.34", whole=True, group_separator=".").problem
    assert read_number("-1", whole=True).value == -1
    assert read_number("5.0", whole=True).value == 5
    assert read_number("0.1234567", whole=False).problem


def test_format_shows_every_digit():
    assert format_number(0.3, min_decimals=2, decimal_point=",") == "0,30"
    assert format_number(0.333, min_decimals=2, decimal_point=".") == "0.333"
    assert format_number(-0.0, min_decimals=2, decimal_point=".") == "0.00"
    assert format_number(3, min_decimals=0, decimal_point=".") == "3"


def test_max_tokens_start_follows_the_context():
    assert max_tokens_start(None) == 1024  # unknown model: as before
    assert max_tokens_start(32768) == 1024
    assert max_tokens_start(512) == 256
    assert max_tokens_start(1) == 1


def test_editor_bounds_open_ranges_start_one_resolution_above():
    assert editor_bounds("top_p", 1e-6) == (1e-6, 1.0)
    assert editor_bounds("repetition_penalty", 1e-6)[0] == 1e-6
    assert editor_bounds("max_tokens", 1) == (1, 2**31 - 1)
