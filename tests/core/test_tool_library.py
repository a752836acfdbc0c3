"""Argument-matched mocks, export keeping mocks, the library seeding new chats, scenario files
and the comparison of two runs."""

from __future__ import annotations

import json

import pytest

from desktop_app.api import ToolCall
from desktop_app.core.chat.conversation import ChatMessage, Conversation, GenerationSettings
from desktop_app.core.settings import Settings
from desktop_app.core.tools.exchange import export_tools, import_tools
from desktop_app.core.tools.library import ToolLibrary
from desktop_app.core.tools.mocks import choose_mock, parse_cases
from desktop_app.core.tools.scenario import (
    RecordedCall,
    capture,
    compare,
    scenario_from_json,
    scenario_to_json,
)
from desktop_app.core.tools.workbench import ToolEntry

TOOL = json.dumps(
    {
        "name": "get_weather",
        "description": "Weather of a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    }
)
CASES = json.dumps(
    [
        {"when": {"city": "Atlantis"}, "result": "no such city", "error": True},
        {"when": {"city": "Oslo"}, "result": {"temp": -3}, "delay": 1.5},
    ]
)


def test_the_first_matching_case_answers_else_the_default():
    case, problem = choose_mock("{}", CASES, {"city": "Atlantis"})
    assert not problem and case is not None
    assert (case.result, case.is_error, case.delay) == ("no such city", True, 0.0)
    case, _ = choose_mock("{}", CASES, {"city": "Oslo"})
    assert case is not None and json.loads(case.result) == {"temp": -3} and case.delay == 1.5
    case, _ = choose_mock('{"ok": 1}', CASES, {"city": "Rome"}, is_error=False, delay=2)
    assert case is not None and case.result == '{"ok": 1}' and case.delay == 2 and not case.when
    assert choose_mock("", CASES, {"city": "Rome"}) == (None, "")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[{", "not valid JSON"),
        ('{"when": {}}', "JSON list"),
        ('[{"when": {}, "result": "x"}]', "“when”"),
        ('[{"when": {"a": 1}, "delay": "soon"}]', "“delay”"),
        ('[{"when": {"a": 1}, "eror": true}]', "unknown keys: eror"),
    ],
)
def test_bad_cases_say_what_is_wrong(text, says):
    with pytest.raises(ValueError, match=says):
        parse_cases(text)
    case, problem = choose_mock("{}", text, {"a": 1})
    assert case is None and says in problem


def test_export_keeps_mocks_cases_error_and_delay():
    entry = ToolEntry(TOOL, mock='{"t": 1}', mock_cases=CASES, mock_error=True, mock_delay=2.0)
    back = import_tools(export_tools([entry]))[0]
    assert back.mock == '{"t": 1}'
    assert back.mock_cases == CASES and back.mock_error and back.mock_delay == 2.0
    # Still an OpenAI tools array for anyone else.
    assert json.loads(export_tools([entry]))[0]["function"]["name"] == "get_weather"


def test_library_tools_marked_for_new_chats_start_in_them(tmp_path):
    settings = Settings()
    lib = ToolLibrary(settings)
    lib.keep(ToolEntry(TOOL, mock="{}", mock_cases=CASES))
    assert [t.name for t in lib.seed(GenerationSettings()).tools] == []
    lib.set_new_chats("get_weather", True)
    again = ToolLibrary(settings)  # read back from what was stored
    seeded = again.seed(GenerationSettings())
    assert [t.name for t in seeded.tools] == ["get_weather"]
    assert seeded.tool_bench.entries[0].mock_cases == CASES
    conv = Conversation()
    again.put(conv, "get_weather", True)
    again.put(conv, "get_weather", True)  # not twice
    assert [e.name for e in conv.settings.tool_bench.entries] == ["get_weather"]
    again.put(conv, "get_weather", False)
    assert conv.settings.tool_bench.entries == []
    with pytest.raises(ValueError, match="has errors"):
        lib.keep(ToolEntry("{"))


def test_a_damaged_library_entry_is_left_out_with_a_notice():
    settings = Settings(extra={"tool_library": {"tools": [{"source": 3}, {"source": TOOL}]}})
    lib = ToolLibrary(settings)
    assert lib.names() == ["get_weather"] and "could not be read" in lib.notice


def test_scenario_round_trip_and_comparison():
    conv = Conversation(system_prompt="be brief")
    conv.settings.tool_bench.entries.append(ToolEntry(TOOL, mock="{}"))
    call = ToolCall("c1", "get_weather", '{"city": "Oslo"}')
    conv.messages = [
        ChatMessage(role="user", content="weather in Oslo?"),
        ChatMessage(role="assistant", tool_calls=[call]),
        ChatMessage(role="tool", content="{}", tool_call_id="c1", name="get_weather"),
        ChatMessage(role="assistant", content="Cold."),
    ]
    sc = scenario_from_json(scenario_to_json(capture(conv, "oslo")))
    assert [m["role"] for m in sc.messages] == ["user"]
    assert sc.rounds == [[RecordedCall("get_weather", {"city": "Oslo"})]]
    assert sc.final == "Cold." and sc.system_prompt == "be brief"
    same = compare(sc.rounds, [[RecordedCall("get_weather", {"city": "Oslo"})]])
    assert [d.kind for d in same] == ["same"]
    other = compare(
        sc.rounds,
        [[RecordedCall("get_weather", {"city": "Bergen"}), RecordedCall("calc", {})]],
    )
    assert [d.kind for d in other] == ["changed", "extra"]
    assert "Bergen" in other[0].text and "Oslo" in other[0].text
    assert [d.kind for d in compare(sc.rounds, [])] == ["missing"]


def test_a_file_that_is_not_a_scenario_says_so():
    with pytest.raises(ValueError, match="not a tool scenario"):
        scenario_from_json('{"messages": []}')
    with pytest.raises(ValueError, match="Not valid JSON"):
        scenario_from_json("{")
