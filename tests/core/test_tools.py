"""The tool workbench's logic: tool checks with spots, coercion, mocks, raw calls, files."""

from __future__ import annotations

import json

import pytest

from desktop_app.api import ToolDefinition
from desktop_app.core.chat.conversation import Conversation, GenerationSettings
from desktop_app.core.history.serialize import conversation_from_dict, conversation_to_dict
from desktop_app.core.resources import resource_path
from desktop_app.core.tools.calls import (
    check_arguments,
    check_result,
    error_result,
    is_error_result,
    pretty_arguments,
    raw_tool_calls,
    render_mock,
)
from desktop_app.core.tools.exchange import bench_from_dict, export_tools, import_tools
from desktop_app.core.tools.json_spots import json_path_text, spot_of_path, value_offsets
from desktop_app.core.tools.workbench import SAMPLE_TOOLS, ToolBench, ToolEntry, check_tool_source

WEATHER = ToolDefinition(
    name="get_weather",
    description="Weather for a city",
    parameters={
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer", "minimum": 1},
            "metric": {"type": "boolean"},
            "ratio": {"type": ["number", "null"]},
            "note": {"type": ["string", "integer"]},
            "tags": {"type": "array", "items": {"type": "integer"}},
        },
        "required": ["city"],
    },
)


# ---- tool sources ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_TOOLS)
def test_shipped_samples_are_valid_and_carry_a_mock(name):
    entries = import_tools(resource_path("tools", name).read_text(encoding="utf-8"))
    assert len(entries) == 1
    check = entries[0].check()
    assert check.ok and not check.problems, check.problems
    assert entries[0].mock and check.definition.description


def test_syntax_error_has_line_and_column():
    text = '{\n  "name": "f",\n  "description": "d"\n  "parameters": {}\n}'
    check = check_tool_source(text)
    assert not check.ok and check.definition is None
    (problem,) = check.problems
    assert (problem.spot.line, problem.spot.column) == (4, 3)
    assert problem.describe().startswith("Line 4, column 3: Not valid JSON")


def test_missing_description_is_an_error_naming_the_400():
    check = check_tool_source('{"name": "f", "parameters": {"type": "object"}}')
    assert not check.ok
    assert "description" in check.errors[0].message and "400" in check.errors[0].message


def test_bad_name_unknown_key_and_wire_form_type_are_flagged_at_their_spot():
    text = (
        '{\n  "type": "tool",\n  "function": {\n    "name": "get weather",\n'
        '    "description": "d",\n    "paramters": {}\n  }\n}'
    )
    problems = {p.spot.line: p.message for p in check_tool_source(text).problems}
    assert "function" in problems[2]
    assert "letters, digits" in problems[4]
    assert "paramters" in problems[6] and "ignore" in problems[6]


def test_parameters_checked_against_the_meta_schema_with_warnings_for_typos():
    text = json.dumps(
        {
            "name": "f",
            "description": "d",
            "parameters": {
                "type": "object",
                "properties": {"a": {"type": "integr"}, "b": {"type": "string"}},
                "requried": ["a"],
                "required": ["b", "c"],
            },
        },
        indent=2,
    )
    check = check_tool_source(text)
    assert not check.ok
    errors = [p for p in check.problems if p.severity == "error"]
    warnings = [p for p in check.problems if p.severity == "warning"]
    assert len(errors) == 1 and "“integr” is not a JSON Schema type" in errors[0].message
    assert errors[0].path == ("parameters", "properties", "a", "type")
    assert text.splitlines()[errors[0].spot.line - 1].strip().startswith('"type": "integr"')
    assert {w.message.split("”")[0] for w in warnings} == {"“requried", "“c"}


def test_parameters_that_are_not_an_object_schema_only_warn():
    check = check_tool_source('{"name": "f", "description": "d", "parameters": {"type": "string"}}')
    assert check.ok and check.problems[0].severity == "warning"


def test_bench_blocks_on_invalid_enabled_tools_and_duplicate_names():
    good = ToolEntry(source='{"name": "f", "description": "d"}')
    bench = ToolBench(entries=[good, ToolEntry(source="{", enabled=False)])
    assert bench.blocking_problems() == []
    assert [t.name for t in bench.enabled_definitions()] == ["f"]
    bench.entries[1].enabled = True
    assert "has 1 error" in bench.blocking_problems()[0]
    bench.entries[1] = ToolEntry(source='{"name": "f", "description": "again"}')
    assert "Two enabled tools are named “f”" in bench.blocking_problems()[0]


def test_reconcile_follows_tools_set_elsewhere_keeping_mocks_and_disabled_entries():
    bench = ToolBench(
        entries=[
            ToolEntry(source='{"name": "f", "description": "d"}', mock="{}", auto_answer=True),
            ToolEntry(source='{"name": "off", "description": "d"}', enabled=False),
        ]
    )
    assert not bench.reconcile([ToolDefinition("f", "d")])
    assert bench.reconcile([ToolDefinition("f", "new"), ToolDefinition("g", "d")])
    assert [(e.name, e.enabled) for e in bench.entries] == [
        ("f", True),
        ("g", True),
        ("f", False),  # the old version is kept, switched off
        ("off", False),
    ]
    assert bench.entries[0].mock == "{}" and bench.entries[0].auto_answer
    assert bench.blocking_problems() == []
    assert not bench.reconcile([ToolDefinition("f", "new"), ToolDefinition("g", "d")])


def test_json_spots_point_at_keys_and_values():
    text = '{"a": [1, {"b c": true}], "d": "x"}'
    offsets = value_offsets(text)
    assert text[offsets[("a", 1, "b c")] :].startswith('"b c"')
    assert text[offsets[("d",)] :].startswith('"d"')
    assert spot_of_path(text, ("a", 1, "missing")).offset == offsets[("a", 1)]
    assert json_path_text(("a", 1, "b c")) == '$.a[1]["b c"]'


# ---- calls ---------------------------------------------------------------------------------


def test_string_scalars_are_coerced_where_the_schema_says_so():
    raw = json.dumps(
        {
            "city": "Paris",
            "days": "3",
            "metric": "true",
            "ratio": "0.5",
            "note": "7",
            "tags": ["1", "2"],
        }
    )
    check = check_arguments(WEATHER, raw)
    assert check.value == {
        "city": "Paris",
        "days": 3,
        "metric": True,
        "ratio": 0.5,
        "note": "7",
        "tags": [1, 2],
    }
    assert set(check.coerced) == {"$.days", "$.metric", "$.ratio", "$.tags[0]", "$.tags[1]"}
    assert not check.problems
    assert json.loads(check.text) == check.value


def test_arguments_left_as_received_when_nothing_is_coerced():
    raw = '{"city":"Paris"}'
    check = check_arguments(WEATHER, raw)
    assert check.text == raw and check.coerced == () and not check.problems


def test_schema_mismatches_are_reported_with_their_path():
    check = check_arguments(WEATHER, '{"days": "zero", "metric": "yes"}')
    paths = {json_path_text(p.path) for p in check.problems}
    assert paths == {"$", "$.days", "$.metric"}  # city missing; values not coercible
    assert any("'city' is a required property" in p.message for p in check.problems)


def test_unparsable_arguments_and_unknown_tools():
    bad = check_arguments(WEATHER, '{"city": "Par')
    assert not bad.parsed and "not valid JSON" in bad.problems[0].message
    unknown = check_arguments(None, '{"x": 1}')
    assert not unknown.known_tool and unknown.value == {"x": 1}


def test_partial_arguments_are_indented_while_they_stream():
    assert pretty_arguments('{"city": "Par') == '{\n  "city": "Par'
    assert pretty_arguments('{"a": [1, {}], "b": "x, {y') == (
        '{\n  "a": [\n    1,\n    {}\n  ],\n  "b": "x, {y'
    )
    assert pretty_arguments('{"a": 1}') == '{\n  "a": 1\n}'


def test_results_claiming_to_be_json_must_parse():
    assert check_result("sunny, 21 degrees") is None
    assert check_result('{"t": 21}') is None
    problem = check_result('{"t": 21,}')
    # Python 3.13 points at the comma, 3.12 at the brace after it.
    assert problem is not None and problem.spot.column in (9, 10)
    assert check_result("   ") is not None


def test_error_results_wrap_text_or_json():
    assert json.loads(error_result("timeout")) == {"error": "timeout"}
    assert json.loads(error_result('{"code": 504}')) == {"error": {"code": 504}}
    assert is_error_result(error_result("x")) and not is_error_result('{"t": 1}')


def test_mock_templates_substitute_typed_and_escaped_values():
    text, problem = render_mock(
        '{"city": "{{arguments.city}}", "days": {{ arguments.days }}, "by": "{{name}}:{{id}}",'
        ' "tags": {{arguments.tags}}, "first": {{arguments.tags.0}}}',
        "get_weather",
        "call_1",
        {"city": 'Pa"ris', "days": 3, "tags": [4, 5]},
    )
    assert problem == ""
    assert json.loads(text) == {
        "city": 'Pa"ris',
        "days": 3,
        "by": "get_weather:call_1",
        "tags": [4, 5],
        "first": 4,
    }


def test_mock_with_a_missing_argument_or_broken_json_says_why():
    assert "{{arguments.town}}" in render_mock('{"c": "{{arguments.town}}"}', "f", "i", {})[1]
    assert "not usable" in render_mock('{"c": {{arguments.x}}', "f", "i", {"x": 1})[1]
    assert render_mock("It is {{arguments.x}} out", "f", "i", {"x": "sunny"}) == (
        "It is sunny out",
        "",
    )


def test_raw_tool_call_text_is_detected():
    gemma = '<|tool_call>call:get_weather{city:<|"|>Paris<|"|>}<tool_call|>'
    assert raw_tool_calls(gemma) == ["get_weather"]
    assert raw_tool_calls("Use call:get_weather{city: x}", {"get_weather"}) == ["get_weather"]
    assert raw_tool_calls("Use call:other{", {"get_weather"}) == []
    assert raw_tool_calls("A normal answer.") == []


# ---- files and history ---------------------------------------------------------------------


def test_export_import_round_trip_keeps_definitions():
    entries = [
        ToolEntry(source=json.dumps(WEATHER.to_wire()["function"])),
        ToolEntry(source="{broken", enabled=False),
    ]
    text = export_tools(entries)
    wire = json.loads(text)
    assert wire == [WEATHER.to_wire()]  # the OpenAI `tools` array; invalid tools left out
    again = import_tools(text)
    assert [e.check().definition for e in again] == [WEATHER]
    assert [e.check().definition for e in import_tools(json.dumps({"tools": wire}))] == [WEATHER]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not json", "not valid JSON (line 1, column 1"),
        ("[]", "no tools"),
        ("[1]", "Item 1"),
        ('[{"description": "x"}]', "no “name”"),
    ],
)
def test_import_rejects_what_is_not_a_tools_file(text, says):
    with pytest.raises(ValueError, match=None) as info:
        import_tools(text)
    assert says in str(info.value)


def test_bench_survives_the_history_and_old_rows_get_a_default():
    conv = Conversation(settings=GenerationSettings())
    conv.settings.tool_bench = ToolBench(
        entries=[ToolEntry(source="{half typed", enabled=True, mock="m", auto_answer=True)],
        max_auto_rounds=2,
    )
    again = conversation_from_dict(json.loads(json.dumps(conversation_to_dict(conv))))
    assert again.settings.tool_bench == conv.settings.tool_bench
    old = conversation_to_dict(conv)
    del old["settings"]["tool_bench"]
    assert conversation_from_dict(old).settings.tool_bench == ToolBench()
    with pytest.raises(ValueError, match=r"tool_bench\.entries\[0\]\.enabled"):
        bench_from_dict({"entries": [{"source": "", "enabled": "yes"}]})
