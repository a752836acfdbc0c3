"""Copy as cURL / Python / JSON, run for real against the simulator; data: URL abbreviation."""

from __future__ import annotations

import base64
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from desktop_app.core.human import human_size
from desktop_app.core.inspect.code_export import MAX_INLINE_BODY, to_curl, to_json, to_python
from desktop_app.core.inspect.wire_display import (
    abbreviate_data_urls,
    abbreviate_text,
    summarize_event,
)
from desktop_app.simulator import SimulatorConfig, running_simulator

KEY = "sk-test-4f1c9e2b7a"
TRICKY = "It's $HOME and `uname` \\n \"quoted\" — ünïcödé\nsecond line; echo pwned'"


@pytest.fixture(scope="module")
def sim():
    with running_simulator(SimulatorConfig(api_key=KEY, tokens_per_second=None)) as running:
        yield running


def env_for(sim, key: str | None = KEY) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "HEXGRID_API_KEY"}
    env.update(GEMMA_BASE_URL=sim.base_url, GEMMA_MODEL=sim.simulator.config.model)
    if key is not None:
        env["HEXGRID_API_KEY"] = key
    return env


def body(text: str = TRICKY, stream: bool = True, **extra) -> dict:
    out = {
        "messages": [{"role": "user", "content": text}],
        "model": "the-model-the-app-used",
        "seed": 5,
        "stop": ["'", "$X"],
        "stream": stream,
    }
    if stream:
        out["stream_options"] = {"include_usage": True}
    out.update(extra)
    return out


def sse_content(output: str) -> str:
    parts = []
    for line in output.splitlines():
        if line.startswith("data:") and line.strip() != "data: [DONE]":
            chunk = json.loads(line[5:])
            for choice in chunk.get("choices", []):
                parts.append(choice["delta"].get("content") or "")
    return "".join(parts)


def run_bash(script: str, env: dict[str, str], tmp_path: Path | None = None) -> str:
    """Runs ``script`` with ``bash -c``, or from a file when it is too long to be an argument
    (as it is when pasted into a terminal)."""
    args = ["bash", "-c", script]
    if tmp_path is not None:
        path = tmp_path / "request.sh"
        path.write_text(script, encoding="utf-8")
        args = ["bash", str(path)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def expected_body(sent: dict, sim) -> dict:
    return {**sent, "model": sim.simulator.config.model}


def test_curl_sends_exactly_the_recorded_body(sim):
    sent = body()
    script = to_curl(sent)
    assert KEY not in script
    assert script.startswith('curl -sS "$GEMMA_BASE_URL/chat/completions"')
    assert '-H "Authorization: Bearer $HEXGRID_API_KEY"' in script
    assert '"model": "\'"$GEMMA_MODEL"\'"' in script
    out = run_bash(script, env_for(sim))
    assert sim.simulator.requests[-1].body == expected_body(sent, sim)
    assert sse_content(out)


def test_curl_with_the_key_written_in_needs_no_key_variable(sim):
    sent = body(stream=False)
    script = to_curl(sent, api_key=KEY)
    assert f"'Authorization: Bearer {KEY}'" in script
    out = run_bash(script, env_for(sim, key=None))
    assert json.loads(out)["choices"][0]["message"]["content"]
    assert sim.simulator.requests[-1].body == expected_body(sent, sim)


def png_data_url(side: int) -> str:
    rng = random.Random(1)
    image = Image.frombytes(
        "RGB", (side, side), bytes(rng.randrange(256) for _ in range(side**2 * 3))
    )
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_large_bodies_go_through_a_here_document(sim, tmp_path: Path):
    url = png_data_url(200)  # about 160 KB of base64: too long for one argument
    content = [
        {"type": "image_url", "image_url": {"url": url}},
        {"type": "text", "text": TRICKY},
    ]
    sent = body(stream=False)
    sent["messages"][0]["content"] = content
    script = to_curl(sent)
    assert len(script) > MAX_INLINE_BODY and "<<JSON" in script
    out = run_bash(script, env_for(sim), tmp_path)
    assert "PNG" in json.loads(out)["choices"][0]["message"]["content"]
    assert sim.simulator.requests[-1].body == expected_body(sent, sim)


@pytest.mark.parametrize("stream", [True, False])
def test_python_script_sends_the_body_and_prints_the_reply(sim, stream: bool):
    sent = body(stream=stream)
    script = to_python(sent)
    assert KEY not in script
    compile(script, "<export>", "exec")
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env_for(sim),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert sim.simulator.requests[-1].body == expected_body(sent, sim)
    # Same seed and messages: the simulator repeats itself, so the reply can be compared.
    plain = {k: v for k, v in sent.items() if k != "stream_options"} | {"stream": False}
    reference = run_bash(to_curl(plain), env_for(sim))
    assert done.stdout.rstrip("\n") == json.loads(reference)["choices"][0]["message"]["content"]


def test_python_with_key_and_json_copy():
    sent = body()
    assert repr("Bearer " + KEY) in to_python(sent, api_key=KEY)
    assert json.loads(to_json(sent)) == sent


def test_data_urls_are_abbreviated_not_copied():
    url = png_data_url(64)
    payload = {"messages": [{"content": [{"image_url": {"url": url}}, {"text": "hi"}]}]}
    short = abbreviate_data_urls(payload)
    shown = short["messages"][0]["content"][0]["image_url"]["url"]
    size = len(base64.b64decode(url.split(",", 1)[1]))
    assert shown == f"data:image/png;base64,iVBOR… ({human_size(size)})"
    assert payload["messages"][0]["content"][0]["image_url"]["url"] == url  # not mutated
    assert short["messages"][0]["content"][1] == {"text": "hi"}
    assert abbreviate_text(f'"url": "{url}"') == f'"url": "{shown}"'
    assert abbreviate_text("data:image/png;base64,AAAA") == "data:image/png;base64,AAAA"
    assert human_size(123 * 1024) == "123 KB" and human_size(3 * 1024**2) == "3.0 MB"


def test_event_summaries():
    assert summarize_event("[DONE]") == ("done", "[DONE]")
    assert summarize_event('{"choices":[{"delta":{"content":"Hi"}}]}') == ("content", '"Hi"')
    kind, text = summarize_event('{"choices":[{"delta":{},"finish_reason":"stop"}]}')
    assert kind == "finish" and "stop" in text
    kind, text = summarize_event('{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":9}}')
    assert kind == "usage" and "9 out" in text
    assert summarize_event('{"error":{"message":"boom"}}') == ("error", "boom")
    assert summarize_event("{oops")[0] == "invalid"


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


@pytest.mark.parametrize("stream", [True, False])
def test_curl_prints_the_reply_without_a_progress_meter(sim, stream: bool):
    script = to_curl(body(stream=stream))
    assert ("\n  -N" in script) == stream
    done = subprocess.run(
        ["bash", "-c", script], env=env_for(sim), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert done.stderr == ""  # curl's meter would land here when the output is piped
    assert done.stdout


@pytest.mark.parametrize("stream", [True, False])
def test_python_export_of_a_tool_request_runs_and_shows_the_calls(sim, stream: bool):
    sent = body("What is the weather in Rome?", stream=stream)
    sent.update(tools=[WEATHER_TOOL], tool_choice="required")
    script = to_python(sent)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env_for(sim), capture_output=True, text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert sim.simulator.requests[-1].body == expected_body(sent, sim)
    assert "tool call get_weather(" in done.stdout
    assert '"city"' in done.stdout and "Rome" in done.stdout
    # The tool's answer goes back in the next request, tool message and all.
    call_id = done.stdout.split("id=")[1].split()[0]
    follow = body("What is the weather in Rome?", stream=stream)
    follow["messages"] += [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "content": '{"temperature": 21}'},
    ]
    follow.update(tools=[WEATHER_TOOL], tool_choice="auto")
    done = subprocess.run(
        [sys.executable, "-c", to_python(follow)], env=env_for(sim), capture_output=True,
        text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert sim.simulator.requests[-1].body == expected_body(follow, sim)
    assert done.stdout.strip()
