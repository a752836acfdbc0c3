"""Tool calling as the gemma4 parser streams it, and answers to tool results."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from sim_support import CONVERT_TOOL, WEATHER_TOOL, kind, stream, tool_calls_of, user

from desktop_app.simulator import SimulatorConfig, running_simulator

TOOL_ID = re.compile(r"^chatcmpl-tool-[0-9a-f]{16}$")


def ask_tools(client: httpx.Client, text: str, tools=(WEATHER_TOOL,), **extra) -> dict:
    response = client.post("/chat/completions",
                           json={"messages": user(text), "tools": list(tools), **extra})
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]


def test_one_call_streams_like_gemma4(client):
    events = stream(client, {"messages": user("What's the weather in Paris?"),
                             "tools": [WEATHER_TOOL]})
    tool_deltas = [c["choices"][0]["delta"]["tool_calls"][0] for c in events
                   if kind(c) in ("tool_first", "tool_args")]
    first, *rest = tool_deltas
    assert list(first) == ["id", "type", "index", "function"]
    assert TOOL_ID.match(first["id"]) and first["type"] == "function"
    assert first["function"] == {"name": "get_weather"}
    assert all(list(d) == ["index", "function"] and list(d["function"]) == ["arguments"]
               for d in rest)
    fragments = [d["function"]["arguments"] for d in rest]
    assert fragments[0] == '{"city": "'
    assert "}" not in "".join(fragments[:-1]) and fragments[-1] == '"}'
    assert json.loads("".join(fragments)) == {"city": "Paris"}
    assert events[-1]["choices"][0]["finish_reason"] == "tool_calls"
    assert events[-1]["choices"][0]["delta"] == {}


def test_non_streaming_call(client):
    choice = ask_tools(client, "weather in tokyo in fahrenheit please")
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    (call,) = choice["message"]["tool_calls"]
    assert json.loads(call["function"]["arguments"]) == {"city": "Tokyo", "unit": "fahrenheit"}


def test_two_parallel_calls(client):
    events = stream(client, {"messages": user("What is the weather in Paris and Tokyo?"),
                             "tools": [WEATHER_TOOL]})
    calls = tool_calls_of(events)
    assert sorted(calls) == [0, 1]
    assert [json.loads(calls[i]["arguments"])["city"] for i in (0, 1)] == ["Paris", "Tokyo"]
    assert calls[0]["id"] != calls[1]["id"]
    single = stream(client, {"messages": user("What is the weather in Paris and Tokyo?"),
                             "tools": [WEATHER_TOOL], "parallel_tool_calls": False})
    assert sorted(tool_calls_of(single)) == [0]
    both = ask_tools(client, "Check the weather for both cities")
    assert len(both["message"]["tool_calls"]) == 2


def test_arguments_follow_the_schema(client):
    choice = ask_tools(client, "Convert 250 USD to EUR, round it",
                       tools=[WEATHER_TOOL, CONVERT_TOOL])
    (call,) = choice["message"]["tool_calls"]
    assert call["function"]["name"] == "convert_currency"
    assert json.loads(call["function"]["arguments"]) == {
        "amount": 250, "from_currency": "USD", "to_currency": "EUR", "round": True}


@pytest.mark.parametrize("prompt", ["Use the tool please", "call get_weather", "calculate it"])
def test_trigger_words(client, prompt):
    assert ask_tools(client, prompt)["finish_reason"] == "tool_calls"


def test_no_call_without_a_reason(client):
    choice = ask_tools(client, "Tell me a story about a dragon")
    assert choice["finish_reason"] == "stop" and "tool_calls" not in choice["message"]
    none = ask_tools(client, "What's the weather in Paris?", tool_choice="none")
    assert "tool_calls" not in none["message"] and none["message"]["content"]


def test_tool_choice_required_and_named(client):
    required = ask_tools(client, "Hi", tool_choice="required")
    assert required["finish_reason"] == "tool_calls"
    assert required["message"]["content"] == ""
    named = ask_tools(client, "Hi", tools=[WEATHER_TOOL, CONVERT_TOOL],
                      tool_choice={"type": "function", "function": {"name": "convert_currency"}})
    assert named["finish_reason"] == "stop"
    assert named["message"]["tool_calls"][0]["function"]["name"] == "convert_currency"


def test_thinking_before_tool_call(client):
    events = stream(client, {"messages": user("weather in Berlin?"), "tools": [WEATHER_TOOL],
                             "chat_template_kwargs": {"enable_thinking": True}})
    kinds = [kind(c) for c in events]
    assert kinds.index("reasoning") < kinds.index("tool_first")
    assert json.loads(tool_calls_of(events)[0]["arguments"]) == {"city": "Berlin"}


def test_tool_result_is_answered_in_prose(client):
    messages = [
        *user("Weather in Paris?"),
        {"role": "assistant", "content": None, "tool_calls": [{
            "id": "call_1", "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": '{"temperature": 15}'},
    ]
    response = client.post("/chat/completions", json={"messages": messages,
                                                       "tools": [WEATHER_TOOL]})
    choice = response.json()["choices"][0]
    assert choice["finish_reason"] == "stop" and "tool_calls" not in choice["message"]
    text = choice["message"]["content"]
    assert "**get_weather** (city: Paris) returned:" in text
    assert '> {"temperature": 15}' in text and "- **temperature**: 15" in text


def test_string_scalars_and_degraded_parser():
    config = SimulatorConfig(string_scalars=True)
    with running_simulator(config) as sim:
        body = {"messages": user("Convert 3 USD to JPY"), "tools": [CONVERT_TOOL]}
        reply = httpx.post(f"{sim.base_url}/chat/completions", json=body).json()
        arguments = json.loads(reply["choices"][0]["message"]["tool_calls"][0]["function"][
            "arguments"])
        assert arguments == {"amount": "3", "from_currency": "USD", "to_currency": "JPY",
                             "round": "false"}
    with running_simulator(SimulatorConfig(degraded_tools=True)) as sim:
        body = {"messages": user("weather in Oslo"), "tools": [WEATHER_TOOL]}
        reply = httpx.post(f"{sim.base_url}/chat/completions", json=body).json()["choices"][0]
        assert reply["finish_reason"] == "stop" and "tool_calls" not in reply["message"]
        assert reply["message"]["content"] == (
            '<|tool_call>call:get_weather{city:<|"|>Oslo<|"|>}<tool_call|>')
