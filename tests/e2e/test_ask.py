"""`gemma-desk ask` run as a real subprocess against the simulator on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from desktop_app.simulator import Fault, SimulatorConfig, running_simulator

ASK = [sys.executable, "-m", "desktop_app", "ask"]
ROOT = Path(__file__).resolve().parents[2]
_OUR_ENV = ("GEMMA_BASE_URL", "GEMMA_MODEL", "HEXGRID_API_KEY")

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _OUR_ENV}
    env.update(extra)
    return env


def ask(
    *args: str, base_url: str | None = None, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    argv = [*ASK, *args]
    if base_url is not None:
        argv[len(ASK) : len(ASK)] = ["--base-url", base_url]
    return subprocess.run(
        argv,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env if env is not None else _env(),
        cwd=ROOT,
        timeout=60,
    )


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    with running_simulator() as running:
        yield running


@pytest.fixture
def run(sim: Any):
    """`ask` against the shared simulator; returns (result, body of the request it sent)."""

    def _run(*args: str, **kwargs: Any) -> tuple[subprocess.CompletedProcess[str], Any]:
        before = len(sim.simulator.requests)
        result = ask(*args, base_url=sim.base_url, **kwargs)
        sent = sim.simulator.requests[before:]
        body = sent[-1].body if sent else None
        return result, body

    return _run


def _json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


@pytest.fixture
def tools_file(tmp_path: Path) -> Path:
    path = tmp_path / "tools.json"
    path.write_text(json.dumps([WEATHER_TOOL]), encoding="utf-8")
    return path


# ---- replies -----------------------------------------------------------------------------------


def test_plain_reply_streams_content_to_stdout(run):
    result, body = run("Say hello in five words")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert result.stdout.endswith("\n")
    assert result.stderr == ""
    assert body["stream"] is True
    assert body["messages"] == [{"role": "user", "content": "Say hello in five words"}]
    # Neither --model nor GEMMA_MODEL: the server's own model applies.
    assert "model" not in body
    assert "chat_template_kwargs" not in body


def test_json_has_exactly_the_documented_keys(run):
    result, _ = run("--json", "Say hello")
    assert result.returncode == 0, result.stderr
    reply = _json(result)
    assert set(reply) == {"content", "reasoning", "tool_calls", "finish_reason", "usage"}
    assert reply["content"]
    assert reply["tool_calls"] == []
    assert reply["finish_reason"] == "stop"
    assert reply["usage"]["completion_tokens"] > 0


def test_plain_output_is_the_json_content(run):
    result, _ = run("--param", "seed=3", "write 12 tokens")
    json_result, _ = run("--json", "--param", "seed=3", "write 12 tokens")
    assert result.stdout == _json(json_result)["content"] + "\n"


def test_system_message_model_and_env_defaults(sim):
    env = _env(GEMMA_BASE_URL=sim.base_url, GEMMA_MODEL="google/gemma-4-31B-it")
    before = len(sim.simulator.requests)
    result = ask("--system", "Be brief.", "Hi", env=env)
    assert result.returncode == 0, result.stderr
    body = sim.simulator.requests[before].body
    assert body["model"] == "google/gemma-4-31B-it"
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}


def test_prompt_from_stdin(run):
    result, body = run("-", stdin="Hello from a pipe")
    assert result.returncode == 0, result.stderr
    assert body["messages"][-1]["content"] == "Hello from a pipe"


def test_thinking_goes_to_stderr_and_into_json(run):
    result, body = run("--thinking", "Why is the sky blue?")
    assert result.returncode == 0, result.stderr
    assert body["chat_template_kwargs"] == {"enable_thinking": True}
    assert result.stderr.strip(), "the reasoning should be on stderr"
    assert result.stdout.strip()
    assert result.stderr.strip() not in result.stdout

    result, _ = run("--json", "--thinking", "Why is the sky blue?")
    reply = _json(result)
    assert reply["reasoning"] and reply["content"]


def test_no_thinking_is_sent_as_false(run):
    result, body = run("--no-thinking", "Hi")
    assert result.returncode == 0, result.stderr
    assert body["chat_template_kwargs"] == {"enable_thinking": False}


def test_no_stream(run):
    result, body = run("--no-stream", "Say hello")
    assert result.returncode == 0, result.stderr
    assert body["stream"] is False and "stream_options" not in body
    assert result.stdout.strip()

    result, _ = run("--no-stream", "--json", "Say hello")
    assert _json(result)["finish_reason"] == "stop"


# ---- tools ------------------------------------------------------------------------------------


def test_one_tool_call(run, tools_file):
    result, body = run("--tools", str(tools_file), "What is the weather in Paris?")
    assert result.returncode == 0, result.stderr
    assert body["tools"] == [WEATHER_TOOL]
    lines = [line for line in result.stdout.splitlines() if line.startswith("tool call:")]
    assert len(lines) == 1
    assert "get_weather" in lines[0] and "Paris" in lines[0]

    result, _ = run("--json", "--tools", str(tools_file), "What is the weather in Paris?")
    reply = _json(result)
    assert reply["finish_reason"] == "tool_calls"
    (call,) = reply["tool_calls"]
    assert call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}


def test_two_parallel_tool_calls(run, tools_file):
    prompt = "What is the weather in Paris and Tokyo?"
    result, _ = run("--json", "--tools", str(tools_file), prompt)
    assert result.returncode == 0, result.stderr
    calls = _json(result)["tool_calls"]
    assert len(calls) == 2
    cities = {json.loads(c["function"]["arguments"])["city"] for c in calls}
    assert cities == {"Paris", "Tokyo"}

    result, _ = run("--tools", str(tools_file), prompt)
    assert sum(line.startswith("tool call:") for line in result.stdout.splitlines()) == 2


def test_tool_choice_by_name(run, tools_file):
    result, body = run("--tools", str(tools_file), "--tool-choice", "get_weather", "Paris?")
    assert result.returncode == 0, result.stderr
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}


# ---- images -----------------------------------------------------------------------------------


def test_local_png_is_sent_as_data_url(run, tmp_path):
    path = tmp_path / "red.png"
    Image.new("RGB", (64, 48), "red").save(path)
    result, body = run("--json", "--image", str(path), "Describe this image")
    assert result.returncode == 0, result.stderr
    parts = body["messages"][-1]["content"]
    urls = [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]
    assert len(urls) == 1 and urls[0].startswith("data:image/png;base64,")
    content = _json(result)["content"]
    assert "64" in content and "48" in content
    assert "PNG" in content.upper()


def test_mime_type_comes_from_the_bytes_not_the_name(run, tmp_path):
    path = tmp_path / "photo.png"  # a JPEG under a misleading name
    Image.new("RGB", (8, 8), "blue").save(path, format="JPEG")
    result, body = run("--image", str(path), "Describe this image")
    assert result.returncode == 0, result.stderr
    url = body["messages"][-1]["content"][0]["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")


def test_http_image_url_passes_through(run):
    url = "https://example.com/cat.jpg"
    result, body = run("--image", url, "Describe this image")
    assert result.returncode == 0, result.stderr
    assert body["messages"][-1]["content"][0] == {"type": "image_url", "image_url": {"url": url}}


# ---- parameters -------------------------------------------------------------------------------


def test_same_seed_same_output(run):
    first, _ = run("--param", "seed=42", "--param", "temperature=1", "write 40 tokens")
    second, _ = run("--param", "seed=42", "--param", "temperature=1", "write 40 tokens")
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout and first.stdout.strip()


def test_max_tokens_gives_finish_reason_length(run):
    result, body = run("--json", "--param", "max_tokens=5", "write 50 tokens")
    assert result.returncode == 0, result.stderr
    assert body["max_tokens"] == 5
    reply = _json(result)
    assert reply["finish_reason"] == "length"
    assert reply["usage"]["completion_tokens"] == 5

    result, _ = run("--param", "max_tokens=5", "write 50 tokens")
    assert result.returncode == 0
    assert "max_tokens" in result.stderr


def test_known_and_unknown_params_reach_the_server(run):
    result, body = run(
        "--param", "top_k=40",
        "--param", "stop=[\"END\"]",
        "--param", "priority_hint={\"a\": [1, true, null]}",
        "--param", "cache_salt=abc",
        "--param", "include_stop_str_in_output=false",
        "Hi",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert body["top_k"] == 40
    assert body["stop"] == ["END"]
    assert body["priority_hint"] == {"a": [1, True, None]}
    assert body["cache_salt"] == "abc"
    assert body["include_stop_str_in_output"] is False


def test_out_of_range_param_is_a_usage_error_before_sending(run):
    result, body = run("--param", "temperature=5", "Hi")
    assert result.returncode == 2
    assert "temperature" in result.stderr and "between 0 and 2" in result.stderr
    assert body is None


# ---- server errors: exit 3 ----------------------------------------------------------------------


def test_wrong_api_key_is_exit_3():
    with running_simulator(SimulatorConfig(api_key="right-key")) as running:
        good = ask("Hi", base_url=running.base_url, env=_env(HEXGRID_API_KEY="right-key"))
        assert good.returncode == 0, good.stderr
        assert running.simulator.requests[-1].headers["authorization"] == "Bearer right-key"
        other = ask(
            "--api-key-env", "MY_KEY", "Hi", base_url=running.base_url,
            env=_env(MY_KEY="right-key"),
        )  # fmt: skip
        assert other.returncode == 0, other.stderr

        bad = ask("Hi", base_url=running.base_url, env=_env(HEXGRID_API_KEY="wrong"))
        assert bad.returncode == 3
        assert "401" in bad.stderr
        assert "HEXGRID_API_KEY" in bad.stderr  # says where this command reads the key
        assert "right-key" not in bad.stderr + bad.stdout

        unset = ask("--api-key-env", "UNSET_KEY", "Hi", base_url=running.base_url)
        assert unset.returncode == 3
        assert "UNSET_KEY is not set" in unset.stderr


def test_server_rejects_request_is_exit_3(run, sim):
    body = {"error": {"message": "temperature must be in [0, 2]", "type": "BadRequestError",
                      "param": "temperature", "code": 400}}  # fmt: skip
    sim.simulator.inject(Fault(http_status=400, http_body=json.dumps(body)))
    result, _ = run("Hi")
    assert result.returncode == 3
    assert "400" in result.stderr
    assert "temperature must be in [0, 2]" in result.stderr
    assert result.stdout == ""


def test_in_stream_error_keeps_partial_text(run, sim):
    sim.simulator.inject(Fault(stream_error_after_tokens=5, stream_error_message="engine died"))
    result, _ = run("--param", "seed=1", "write 50 tokens")
    assert result.returncode == 3
    assert "engine died" in result.stderr
    assert "in the middle of the reply" in result.stderr
    assert result.stdout.strip(), "the text that arrived must stay printed"

    sim.simulator.inject(Fault(stream_error_after_tokens=5, stream_error_message="engine died"))
    result, _ = run("--json", "--param", "seed=1", "write 50 tokens")
    assert result.returncode == 3
    assert _json(result)["content"].strip()
    assert "engine died" in result.stderr


def test_malformed_chunk_is_exit_3(run, sim):
    sim.simulator.inject(Fault(malformed_after_tokens=3))
    result, _ = run("write 30 tokens")
    assert result.returncode == 3
    assert "ask:" in result.stderr


# ---- transport errors: exit 4 -------------------------------------------------------------------


def test_connection_dropped_mid_stream_is_exit_4(run, sim):
    sim.simulator.inject(Fault(drop_after_tokens=5))
    result, _ = run("write 50 tokens")
    assert result.returncode == 4
    assert result.stdout.strip(), "the text that arrived must stay printed"
    assert "ask:" in result.stderr


def test_connection_refused_is_exit_4():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = ask("Hi", base_url=f"http://127.0.0.1:{port}/v1")
    assert result.returncode == 4
    assert "ask:" in result.stderr and result.stdout == ""


def test_read_timeout_is_exit_4(run, sim):
    sim.simulator.inject(Fault(first_byte_delay=3))
    result, _ = run("--timeout", "0.3", "Hi")
    assert result.returncode == 4
    assert "ask:" in result.stderr


# ---- Ctrl-C -------------------------------------------------------------------------------------


def test_ctrl_c_exits_130_and_keeps_partial_output(sim):
    sim.simulator.inject(Fault(stall_after_tokens=5, stall_seconds=20))
    proc = subprocess.Popen(
        [*ASK, "--base-url", sim.base_url, "write 50 tokens"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd=ROOT,
    )  # fmt: skip
    try:
        first = proc.stdout.read(1)  # blocks until the reply has started
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130, err
    assert (first + rest).strip()
    assert b"interrupted" in err


def test_ctrl_c_with_json_still_prints_the_object(sim):
    sim.simulator.inject(Fault(stall_after_tokens=5, stall_seconds=20))
    before = len(sim.simulator.requests)
    proc = subprocess.Popen(
        [*ASK, "--base-url", sim.base_url, "--json", "write 50 tokens"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=ROOT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while len(sim.simulator.requests) == before and time.monotonic() < deadline:
            time.sleep(0.02)  # poll until the request is on the server, stalled
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130, err
    assert set(json.loads(out)) == {"content", "reasoning", "tool_calls", "finish_reason", "usage"}


# ---- bad usage: exit 2 --------------------------------------------------------------------------


def test_no_prompt(run):
    result, body = run()
    assert result.returncode == 2 and "PROMPT" in result.stderr.upper()
    assert body is None


def test_no_base_url():
    result = ask("Hi")
    assert result.returncode == 2
    assert "GEMMA_BASE_URL" in result.stderr and "--base-url" in result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--param", "temperature"], "KEY=VALUE"),
        (["--param", "=3"], "KEY=VALUE"),
        (["--param", "top_k=lots"], "top_k"),
        (["--param", "stream=false"], "--no-stream"),
        (["--timeout", "-1"], "--timeout"),
        (["--tool-choice", "get_weather"], "get_weather"),
        (["--image", "/no/such/picture.png"], "no such file"),
        (["--bogus"], "--bogus"),
    ],
)
def test_bad_usage(run, args, needle):
    result, body = run(*args, "Hi")
    assert result.returncode == 2, result.stderr
    assert needle in result.stderr
    assert body is None


def test_file_that_is_not_an_image(run, tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("just text", encoding="utf-8")
    result, body = run("--image", str(path), "Hi")
    assert result.returncode == 2
    assert "not an image" in result.stderr
    assert body is None


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("[{", "not valid JSON"),
        ('{"type": "function"}', "array"),
        ("[]", "array"),
        ('[{"type": "function", "function": {"description": "x"}}]', "name"),
        (json.dumps([WEATHER_TOOL, WEATHER_TOOL]), "unique"),
    ],
)
def test_invalid_tools_file(run, tmp_path, content, needle):
    path = tmp_path / "tools.json"
    path.write_text(content, encoding="utf-8")
    result, body = run("--tools", str(path), "Hi")
    assert result.returncode == 2
    assert needle in result.stderr
    assert body is None


def test_missing_tools_file(run, tmp_path):
    result, _ = run("--tools", str(tmp_path / "nope.json"), "Hi")
    assert result.returncode == 2 and "no such file" in result.stderr


def test_ask_does_not_import_qt():
    code = (
        "import desktop_app.cli.ask, sys; "
        "assert not any(m.startswith('PySide6') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)
