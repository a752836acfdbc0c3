"""Endpoints, auth, request recording and validation beyond the captured cases."""

from __future__ import annotations

import httpx
import pytest
from sim_support import user

from desktop_app.simulator import Fault, SimulatorConfig, running_simulator


def test_health_version_models(client, sim):
    assert httpx.get(f"{sim.root_url}/health").content == b""
    assert httpx.get(f"{sim.root_url}/version").json() == {"version": "0.32.0"}
    card = client.get("/models").json()["data"][0]
    assert card["id"] == "google/gemma-4-31B-it"
    assert card["max_model_len"] == 32768
    assert card["permission"][0]["id"].startswith("modelperm-")


def test_unknown_path_and_method(client):
    assert client.get("/nothing").json() == {"detail": "Not Found"}
    response = client.post("/models", json={})
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}


def test_auth_only_on_v1_paths():
    with running_simulator(SimulatorConfig(api_key="sekret")) as sim:
        chat = {"messages": user("Hi")}
        missing = httpx.post(f"{sim.base_url}/chat/completions", json=chat)
        assert (missing.status_code, missing.json()) == (401, {"error": "Unauthorized"})
        assert "vary" not in missing.headers
        wrong = httpx.get(f"{sim.base_url}/models", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        basic = httpx.get(f"{sim.base_url}/models", headers={"Authorization": "Basic sekret"})
        assert basic.status_code == 401
        for scheme in ("Bearer", "bearer", "BEARER"):
            ok = httpx.get(f"{sim.base_url}/models", headers={"Authorization": f"{scheme} sekret"})
            assert ok.status_code == 200
        assert httpx.get(f"{sim.base_url}/unknown").status_code == 401
        for path in ("/health", "/version"):
            assert httpx.get(sim.root_url + path).status_code == 200
        tokenized = httpx.post(f"{sim.root_url}/tokenize", json={"prompt": "Hello there"})
        assert tokenized.status_code == 200
        assert httpx.options(f"{sim.base_url}/models").status_code != 401


def test_requests_are_recorded(client, sim):
    body = {"model": "google/gemma-4-31B-it", "messages": user("Hi"), "temperature": 0.5}
    client.post("/chat/completions", json=body, headers={"X-Trace": "abc"})
    client.get("/models")
    recorded = sim.simulator.requests
    assert [(r.method, r.path) for r in recorded] == [
        ("POST", "/v1/chat/completions"), ("GET", "/v1/models")]
    first = recorded[0]
    assert first.body == body
    assert first.headers["x-trace"] == "abc"
    assert first.headers["content-type"] == "application/json"
    assert first.raw.startswith(b"{")
    assert recorded[1].body is None
    assert sim.simulator.chat_requests() == [first]
    listed = httpx.get(f"{sim.root_url}/simulator/requests").json()
    assert listed["requests"][0]["body"] == body


def test_tokenize_counts_match_usage(client, sim):
    messages = [{"role": "system", "content": "Be brief."}, *user("Tell me about tokenizers")]
    count = httpx.post(f"{sim.root_url}/tokenize", json={"messages": messages}).json()["count"]
    usage = client.post("/chat/completions", json={"messages": messages}).json()["usage"]
    assert usage["prompt_tokens"] == count
    strs = httpx.post(f"{sim.root_url}/tokenize",
                      json={"prompt": "Hello world", "return_token_strs": True}).json()
    assert strs["token_strs"] == ["<bos>", "Hello", " world"]
    assert strs["count"] == 3 and len(strs["tokens"]) == 3


BAD_FIELDS = [
    ({"temperature": 2.5}, "temperature", "temperature must be in [0, 2], got 2.5."),
    ({"top_p": 0}, "top_p", "top_p must be in (0, 1], got 0.0."),
    ({"top_k": -2}, "top_k", "top_k must be 0 (disable), or at least 1, got -2."),
    ({"min_p": 1.5}, "min_p", "min_p must be in [0, 1], got 1.5."),
    ({"repetition_penalty": 0}, "repetition_penalty",
     "repetition_penalty must be greater than zero, got 0.0."),
    ({"presence_penalty": 3}, "presence_penalty", "presence_penalty must be in [-2, 2], got 3.0."),
    ({"frequency_penalty": -2.5}, "frequency_penalty",
     "frequency_penalty must be in [-2, 2], got -2.5."),
    ({"max_completion_tokens": 0}, "max_tokens", "max_tokens must be at least 1, got 0."),
    ({"stop": ["ok", ""]}, "stop", "stop cannot contain an empty string."),
    ({"tools": []}, "tools", "`tools` must not be an empty array."),
    ({"tool_choice": "sometimes", "tools": [{"type": "function",
      "function": {"name": "f", "description": "d"}}]}, "tool_choice", "Invalid value"),
]


@pytest.mark.parametrize(("extra", "param", "message"), BAD_FIELDS)
def test_sampling_ranges(client, extra, param, message):
    response = client.post("/chat/completions", json={"messages": user("Hi"), **extra})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "BadRequestError"
    assert error["param"] == param
    assert error["message"].startswith(message)
    assert error["code"] == 400


def test_limits_accepted_at_the_edges(client):
    body = {"messages": user("Hi"), "temperature": 2, "top_p": 1, "top_k": -1, "min_p": 0,
            "presence_penalty": -2, "frequency_penalty": 2, "seed": 2**63 - 1, "max_tokens": 1}
    assert client.post("/chat/completions", json=body).status_code == 200


def test_pydantic_style_type_errors(client):
    response = client.post("/chat/completions",
                           json={"messages": user("Hi"), "temperature": "hot", "seed": 2**64})
    error = response.json()["error"]
    # Reported in ChatCompletionRequest's field order: seed is declared before temperature.
    assert (response.status_code, error["type"], error["param"]) == (
        400, "Bad Request", "body.seed")
    assert error["message"].startswith("2 validation errors:\n  {'type': 'less_than_equal'")
    assert "{'type': 'float_parsing', 'loc': 'body.temperature'" in error["message"]
    response = client.post("/chat/completions", json=[1, 2])
    assert response.json()["error"]["param"] == "body"


def test_prompt_plus_max_tokens_over_context():
    with running_simulator(SimulatorConfig(max_model_len=100)) as sim:
        response = httpx.post(f"{sim.base_url}/chat/completions",
                              json={"messages": user("Hi"), "max_tokens": 95})
        error = response.json()["error"]
        assert response.status_code == 400
        assert error["message"].startswith("'max_tokens' or 'max_completion_tokens' is too large")
        ok = httpx.post(f"{sim.base_url}/chat/completions",
                        json={"messages": user("write 500 tokens")})
        assert ok.json()["choices"][0]["finish_reason"] == "length"
        assert ok.json()["usage"]["total_tokens"] == 100


def test_faults_endpoint(sim):
    url = f"{sim.root_url}/simulator/faults"
    assert httpx.post(url, json={"http_status": 503}).json() == {"queued": 1}
    bad = httpx.post(url, json={"explode": True})
    assert bad.status_code == 400 and "explode" in bad.json()["error"]["message"]
    assert httpx.delete(url).json() == {"queued": 0}
    sim.simulator.inject(Fault(http_status=500))
    assert sim.simulator.pending_faults == 1
