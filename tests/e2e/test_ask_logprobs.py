"""`gemma-desk ask --logprobs K --json`: the tokens of the reply, streamed or not, and refusals."""

from __future__ import annotations

import json

import pytest
from test_ask import ask, run, sim  # noqa: F401 - the shared simulator fixtures

from desktop_app.simulator import SimulatorConfig, running_simulator

KEYS = {"token", "logprob", "bytes", "top_logprobs"}


@pytest.mark.parametrize("stream", [True, False])
def test_logprobs_list_in_reply_order(run, stream: bool) -> None:  # noqa: F811
    args = ["--json", "--logprobs", "3", "--param", "seed=2", "Explain how DNS works"]
    result, body = run(*args if stream else ["--no-stream", *args])
    assert result.returncode == 0, result.stderr
    assert (body["logprobs"], body["top_logprobs"], body["stream"]) == (True, 3, stream)
    out = json.loads(result.stdout)
    tokens = out["logprobs"]
    assert tokens and all(set(t) == KEYS for t in tokens)
    assert "".join(bytes(t["bytes"]).decode() for t in tokens) == out["content"]
    assert "".join(t["token"] for t in tokens) == out["content"]
    for token in tokens:
        assert isinstance(token["logprob"], float) and token["logprob"] < 0
        assert len(token["top_logprobs"]) == 3
        assert all(set(a) == {"token", "logprob", "bytes"} for a in token["top_logprobs"])


def test_same_tokens_streamed_or_not(run) -> None:  # noqa: F811
    args = ("--json", "--logprobs", "2", "--param", "seed=5", "write 30 tokens")
    streamed, _ = run(*args)
    whole, _ = run("--no-stream", *args)
    assert json.loads(streamed.stdout)["logprobs"] == json.loads(whole.stdout)["logprobs"]


def test_without_logprobs_the_key_is_absent(run) -> None:  # noqa: F811
    result, body = run("--json", "Say hello")
    assert "logprobs" not in json.loads(result.stdout) and "logprobs" not in body


def test_a_refused_count_names_the_server_setting() -> None:
    with running_simulator(SimulatorConfig(max_logprobs=5)) as small:
        result = ask("--json", "--logprobs", "8", "Hi", base_url=small.base_url)
    assert result.returncode == 3
    assert "greater than max allowed: 5" in result.stderr
    assert "at most 5" in result.stderr and "--max-logprobs" in result.stderr
    assert "--logprobs K" in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--logprobs", "3", "Hi"], "--logprobs needs --json"),
        (["--json", "--logprobs", "-1", "Hi"], "must be 0 or more"),
        (["--json", "--logprobs", "many", "Hi"], "not a whole number"),
    ],
)
def test_bad_usage(run, args: list[str], words: str) -> None:  # noqa: F811
    result, body = run(*args)
    assert result.returncode == 2 and words in result.stderr and body is None
