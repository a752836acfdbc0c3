"""A tool's result schema: carried by a hand-written tool's text and by an MCP tool's
outputSchema, never sent to the server, and what a typed result is checked against."""

from __future__ import annotations

import json

from desktop_app.core.mcp.naming import name_tools
from desktop_app.core.tools.loop import Answer
from desktop_app.core.tools.workbench import check_tool_source, tool_source

RESULT = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
TOOL = {
    "name": "count",
    "description": "Counts things.",
    "parameters": {"type": "object", "properties": {}},
    "result_schema": RESULT,
}


def test_a_hand_written_result_schema_is_kept_but_never_sent():
    check = check_tool_source(json.dumps(TOOL))
    assert check.ok and check.definition is not None
    assert check.definition.result_schema == RESULT
    assert "result_schema" not in json.dumps(check.definition.to_wire())
    assert json.loads(tool_source(check.definition))["result_schema"] == RESULT


def test_an_invalid_result_schema_is_an_error_at_its_place():
    bad = {**TOOL, "result_schema": {"type": "integr"}}
    check = check_tool_source(json.dumps(bad, indent=2))
    assert not check.ok
    assert check.errors[0].path[:1] == ("result_schema",)


def test_an_mcp_output_schema_becomes_the_result_schema_and_a_broken_one_is_dropped():
    listed = [
        ("s1", "one", {"name": "a", "description": "A.", "output_schema": RESULT}),
        ("s1", "one", {"name": "b", "description": "B.", "output_schema": {"type": 5}}),
    ]
    a, b = name_tools(listed)
    assert a.definition is not None and a.definition.result_schema == RESULT
    assert "result_schema" not in json.dumps(a.definition.to_wire())
    assert b.definition is not None and b.definition.result_schema is None


def test_a_typed_answer_must_match_the_schema_but_a_run_or_an_error_need_not():
    assert "required" in Answer('{"m": 1}').problem(RESULT)
    assert Answer('{"n": 1}').problem(RESULT) == ""
    assert "result schema" in Answer("three").problem(RESULT)
    assert Answer('{"m": 1}', from_run=True).problem(RESULT) == ""
    assert Answer("it broke", is_error=True).problem(RESULT) == ""


def test_an_export_keeps_the_result_schema_beside_the_function_and_reads_it_back():
    from desktop_app.core.tools.exchange import export_tools, import_tools
    from desktop_app.core.tools.workbench import ToolEntry

    text = export_tools([ToolEntry(source=json.dumps(TOOL))])
    item = json.loads(text)[0]
    assert "result_schema" not in item["function"]  # a reader sending it as is stays clean
    (entry,) = import_tools(text)
    definition = entry.check().definition
    assert definition is not None and definition.result_schema == RESULT
