"""`gemma-desk compare` run as a real subprocess against the simulator on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from desktop_app.simulator import Fault, SimulatorConfig, running_simulator
from tests.e2e.test_ask import ROOT, _env

COMPARE = [sys.executable, "-m", "desktop_app", "compare"]
CELL_KEYS = {
    "params", "seed", "prompt", "content", "reasoning", "tool_calls", "finish_reason",
    "usage", "ttft_s", "total_s", "error",
}  # fmt: skip


def compare(*args: str, base_url: str | None) -> subprocess.CompletedProcess[str]:
    argv = [*COMPARE, *(["--base-url", base_url] if base_url else []), *args]
    return subprocess.run(
        argv, capture_output=True, text=True, encoding="utf-8", env=_env(), cwd=ROOT, timeout=60
    )


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    # A paced server, so cells overlap in time and the bound on them can be seen.
    with running_simulator(SimulatorConfig(tokens_per_second=400)) as running:
        yield running


@contextmanager
def track_most_running(simulator: Any) -> Iterator[list[int]]:
    """The largest number of chat requests the server streamed at once (its own count)."""
    load = simulator.load
    seen = [0]
    start = load.start

    def counting_start(tokens: int) -> None:
        start(tokens)
        seen[0] = max(seen[0], load.running)

    load.start = counting_start
    try:
        yield seen
    finally:
        load.start = start


@pytest.fixture
def most_running(sim: Any) -> Iterator[list[int]]:
    with track_most_running(sim.simulator) as seen:
        yield seen


def cells(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout + result.stderr
    return json.loads(lines[0])["cells"]


def test_sets_times_seeds_each_reach_the_server_with_their_values(sim):
    before = len(sim.simulator.requests)
    result = compare(
        "--set", "temperature=0.2", "--set", "temperature=1.0,top_p=0.9",
        "--seeds", "1,2", "--json", "tell me about owls", base_url=sim.base_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    got = cells(result)
    assert [set(c) for c in got] == [CELL_KEYS] * 4
    assert [(c["params"].get("temperature"), c["params"].get("top_p"), c["seed"]) for c in got] == [
        (0.2, None, 1), (0.2, None, 2), (1.0, 0.9, 1), (1.0, 0.9, 2),
    ]  # fmt: skip
    sent = sorted(
        (r.body.get("temperature"), r.body.get("top_p"), r.body.get("seed"))
        for r in sim.simulator.requests[before:]
        if r.path.endswith("/chat/completions")
    )
    assert sent == sorted([(0.2, None, 1), (0.2, None, 2), (1.0, 0.9, 1), (1.0, 0.9, 2)])
    # The simulator's reply follows the seed: other seeds, other replies; same seed, same.
    assert got[0]["content"] != got[1]["content"]
    assert got[0]["content"] == got[2]["content"]
    for cell in got:
        assert cell["error"] is None and cell["finish_reason"] == "stop"
        assert cell["usage"]["completion_tokens"] > 0
        assert 0 < cell["ttft_s"] <= cell["total_s"]
        assert cell["prompt"] == "tell me about owls"


def test_concurrency_bounds_the_streams_the_server_sees(sim, most_running):
    result = compare(
        "--seeds", "1,2,3,4,5", "--concurrency", "2", "--json", "write 200 tokens",
        base_url=sim.base_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(cells(result)) == 5
    assert most_running[0] == 2


def test_default_concurrency_runs_four_at_once(sim, most_running):
    result = compare("--seeds", "1,2,3,4,5,6", "--json", "write 300 tokens", base_url=sim.base_url)
    assert result.returncode == 0, result.stderr
    assert most_running[0] == 4


def test_thinking_both_sends_off_and_on(sim):
    before = len(sim.simulator.requests)
    result = compare("--thinking-both", "--json", "why is the sky blue", base_url=sim.base_url)
    assert result.returncode == 0, result.stderr
    got = cells(result)
    assert [bool(c["reasoning"]) for c in got] == [False, True]
    kwargs = sorted(
        r.body["chat_template_kwargs"]["enable_thinking"] for r in sim.simulator.requests[before:]
    )
    assert kwargs == [False, True]


def test_a_refused_cell_carries_its_error_and_the_others_complete(sim):
    body = {"error": {"message": "top_k must be -1", "type": "BadRequestError", "code": 400}}
    sim.simulator.inject(Fault(http_status=400, http_body=json.dumps(body)))
    result = compare(
        "--seeds", "1,2,3", "--concurrency", "1", "--json", "Hi", base_url=sim.base_url
    )  # fmt: skip
    assert result.returncode == 3
    got = cells(result)
    failed = [c for c in got if c["error"]]
    assert len(failed) == 1 and "top_k must be -1" in failed[0]["error"]
    assert all(c["content"] and c["finish_reason"] == "stop" for c in got if not c["error"])
    assert "top_k must be -1" in result.stderr


def test_a_dropped_stream_is_exit_4_and_keeps_its_text(sim):
    sim.simulator.inject(Fault(drop_after_tokens=5))
    result = compare("--seeds", "1,2", "--concurrency", "1", "--json", "write 60 tokens",
                     base_url=sim.base_url)  # fmt: skip
    assert result.returncode == 4
    got = cells(result)
    assert got[0]["error"] and got[0]["content"], "what arrived before the drop stays"
    assert got[1]["error"] is None and got[1]["content"]


def test_server_down_is_exit_4():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = compare("--json", "Hi", base_url=f"http://127.0.0.1:{port}/v1")
    assert result.returncode == 4
    assert all(c["error"] for c in cells(result))


def test_prompt_file_runs_every_prompt_under_every_set_with_checks(sim, tmp_path: Path):
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text(
        json.dumps({"prompt": "tell me about owls", "contains": "owls", "regex": "^## "}) + "\n"
        + json.dumps({"prompt": "Hi", "contains": "zebra"}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    result = compare(
        "--set", "temperature=0", "--set", "temperature=1", "--prompts", str(prompts), "--json",
        base_url=sim.base_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    got = cells(result)
    assert [(c["prompt"], c["params"]["temperature"]) for c in got] == [
        ("tell me about owls", 0), ("tell me about owls", 1), ("Hi", 0), ("Hi", 1),
    ]  # fmt: skip
    assert [c["checks"] for c in got] == [
        {"contains": True, "regex": True}, {"contains": True, "regex": True},
        {"contains": False}, {"contains": False},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--set", "temperature=9", "Hi"], "--set: temperature must be between 0 and 2"),
        (["--set", "model=x", "Hi"], "--set model: use --model"),
        (["--seeds", "1,x", "Hi"], "--seeds expects whole numbers"),
        (["--concurrency", "0", "Hi"], "--concurrency must be at least 1"),
        (["--json"], "no prompt"),
        (["--prompts", "/nonexistent/p.json", "--json"], "no such file"),
    ],
)
def test_bad_usage_is_exit_2_before_anything_is_sent(sim, args, needle):
    before = len(sim.simulator.requests)
    result = compare(*args, base_url=sim.base_url)
    assert result.returncode == 2
    assert needle in result.stderr
    assert len(sim.simulator.requests) == before
