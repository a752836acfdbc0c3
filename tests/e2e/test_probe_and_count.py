"""`gemma-desk probe` and `gemma-desk ask --count-tokens`, run as real subprocesses against
the simulator on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_ask import ROOT, WEATHER_TOOL, _env, _json, ask

from desktop_app.simulator import SimulatorConfig, running_simulator

PROBE = [sys.executable, "-m", "desktop_app", "probe"]


def probe(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PROBE, *args], capture_output=True, text=True, encoding="utf-8",
        env=env if env is not None else _env(), cwd=ROOT, timeout=60,
    )  # fmt: skip


def test_probe_json_is_exactly_the_documented_object():
    with running_simulator(SimulatorConfig(max_model_len=8192)) as sim:
        result = probe("--base-url", sim.base_url, "--json")
    assert result.returncode == 0, result.stderr
    assert _json(result) == {
        "version": "0.32.0",
        "models": [{"id": "google/gemma-4-31B-it", "max_model_len": 8192}],
        "tool_parser": True, "reasoning_parser": None, "vision": True, "audio": False,
    }


def test_probe_of_a_server_without_parsers_or_vision_in_words():
    config = SimulatorConfig(tool_parser=False, vision=False)
    with running_simulator(config) as sim:
        result = probe("--base-url", sim.base_url)
        generated = sim.simulator.load.generation_tokens_total
    assert result.returncode == 0, result.stderr
    assert "tool parser: no" in result.stdout and "images: no" in result.stdout
    assert "reasoning parser: unknown" in result.stdout
    assert generated == 0


def test_probe_with_a_wrong_key_is_exit_3():
    with running_simulator(SimulatorConfig(api_key="right")) as sim:
        result = probe("--base-url", sim.base_url, "--json", "--api-key-env", "PROBE_KEY",
                       env=_env(PROBE_KEY="wrong"))
    assert result.returncode == 3
    assert result.stdout == ""
    assert "$PROBE_KEY" in result.stderr and "wrong" not in result.stderr


def test_probe_of_nothing_listening_is_exit_4(tmp_path: Path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        result = probe("--base-url", url, "--json")
    assert result.returncode == 4
    assert "could not reach the server" in result.stderr


def test_probe_without_a_server_is_usage():
    assert probe("--json").returncode == 2


@pytest.fixture(scope="module")
def counting_sim() -> Any:
    with running_simulator(SimulatorConfig(max_model_len=4096)) as running:
        yield running


def test_count_tokens_sends_nothing_to_chat(counting_sim: Any, tmp_path: Path):
    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps([WEATHER_TOOL]), encoding="utf-8")
    before = len(counting_sim.simulator.requests)
    result = ask("--count-tokens", "--json", "--tools", str(tools), "--thinking",
                 "--system", "Be brief.", "How warm is Paris?", base_url=counting_sim.base_url)
    assert result.returncode == 0, result.stderr
    sent = counting_sim.simulator.requests[before:]
    assert [r.path for r in sent] == ["/tokenize"]
    body = sent[0].body
    assert body is not None and body["chat_template_kwargs"] == {"enable_thinking": True}
    assert [m["role"] for m in body["messages"]] == ["system", "user"] and body["tools"]
    counted = _json(result)
    assert set(counted) == {"prompt_tokens", "max_model_len"}
    assert counted["max_model_len"] == 4096
    # The count is the prompt the same request really uses.
    real = ask("--json", "--tools", str(tools), "--thinking", "--system", "Be brief.",
               "How warm is Paris?", base_url=counting_sim.base_url)
    assert _json(real)["usage"]["prompt_tokens"] == counted["prompt_tokens"]


def test_count_tokens_where_tokenize_is_missing_is_exit_3():
    with running_simulator(SimulatorConfig(tokenize_route=False)) as sim:
        result = ask("--count-tokens", "Hi", base_url=sim.base_url)
    assert result.returncode == 3
    assert "404" in result.stderr
