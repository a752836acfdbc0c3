"""`gemma-desk ask --mcp-config` as a real subprocess: the simulator calls a tool of a real
MCP server (tests/mcp_server.py), the result goes back, and the loop ends with a reply."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from desktop_app.simulator import SimulatorConfig, running_simulator
from tests.e2e.test_ask import ask

SERVER = str(Path(__file__).resolve().parents[1] / "mcp_server.py")


@pytest.fixture
def sim():
    with running_simulator(SimulatorConfig(tokens_per_second=None)) as running:
        yield running


def config_file(tmp_path: Path, mode: str = "normal") -> str:
    path = tmp_path / "mcp.json"
    servers = {"local": {"command": sys.executable, "args": [SERVER, "--mode", mode]}}
    path.write_text(json.dumps({"mcpServers": servers}), encoding="utf-8")
    return str(path)


def test_allow_runs_the_tool_and_json_has_the_rounds(sim, tmp_path):
    done = ask(
        "What is the weather in Paris?",
        "--mcp-config", config_file(tmp_path),
        "--tool-policy", "allow",
        "--json",
        base_url=sim.base_url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert len(data["rounds"]) == 1
    call = data["rounds"][0]["tool_calls"][0]
    assert call["function"]["name"] == "get_weather"
    result = data["rounds"][0]["results"][0]
    assert json.loads(result["content"])["source"] == "mcp" and not result["is_error"]
    assert data["content"] and not data["tool_calls"]


def test_deny_answers_every_call_as_rejected(sim, tmp_path):
    done = ask(
        "What is the weather in Paris?",
        "--mcp-config", config_file(tmp_path),
        "--tool-policy", "deny",
        "--json",
        base_url=sim.base_url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)["rounds"][0]["results"][0]
    assert result["is_error"] and "rejected" in result["content"]


def test_ask_is_refused_without_a_terminal(sim, tmp_path):
    done = ask(
        "What is the weather in Paris?",
        "--mcp-config", config_file(tmp_path),
        base_url=sim.base_url,
    )  # fmt: skip
    assert done.returncode == 2
    assert "needs a terminal" in done.stderr


def test_a_server_that_does_not_start_is_exit_4_with_its_stderr(sim, tmp_path):
    done = ask(
        "What is the weather in Paris?",
        "--mcp-config", config_file(tmp_path, "exit"),
        "--tool-policy", "allow",
        base_url=sim.base_url,
    )  # fmt: skip
    assert done.returncode == 4
    assert "cannot start: missing configuration" in done.stderr
