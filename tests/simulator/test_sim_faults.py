"""Fault injection (delays, stalls, drops, in-band errors, bad events, HTTP errors), disconnects."""

from __future__ import annotations

import itertools
import json
import time

import httpx
import pytest
from sim_support import chunks, sse_data, user, wait_until

from desktop_app.simulator import Fault, SimulatorConfig, running_simulator

LONG = {"messages": user("write 200 tokens"), "stream": True}


def timed_lines(client: httpx.Client, body: dict) -> list[tuple[float, str]]:
    """`data:` payloads with their arrival time since the request was sent."""
    started = time.perf_counter()
    out = []
    with client.stream("POST", "/chat/completions", json=body) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                out.append((time.perf_counter() - started, line[len("data: "):]))
    return out


def test_first_byte_delay(client, sim):
    sim.simulator.inject(Fault(first_byte_delay=0.3))
    started = time.perf_counter()
    with client.stream("POST", "/chat/completions", json=LONG) as response:
        headers_at = time.perf_counter() - started
        response.read()
    assert headers_at >= 0.3
    started = time.perf_counter()
    assert client.post("/chat/completions", json={"messages": user("Hi")}).status_code == 200
    assert time.perf_counter() - started < 0.3  # used once


def test_first_byte_delay_non_streaming(client, sim):
    sim.simulator.inject(Fault(first_byte_delay=0.2))
    started = time.perf_counter()
    client.post("/chat/completions", json={"messages": user("Hi")})
    assert time.perf_counter() - started >= 0.2


def test_stall(client, sim):
    sim.simulator.inject(Fault(stall_after_tokens=3, stall_seconds=0.3))
    lines = timed_lines(client, LONG)
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(lines)]
    stall_at = gaps.index(max(gaps))
    assert max(gaps) >= 0.28
    assert stall_at == 3  # role chunk, then three tokens, then the pause
    assert lines[-1][1] == "[DONE]"


def test_drop_mid_stream(client, sim):
    sim.simulator.inject(Fault(drop_after_tokens=5))
    received = []
    with (pytest.raises(httpx.RemoteProtocolError),
          client.stream("POST", "/chat/completions", json=LONG) as response):
        for line in response.iter_lines():
            if line.startswith("data: "):
                received.append(line)
    assert len(received) == 6  # role + five tokens
    assert "data: [DONE]" not in received
    assert sim.simulator.disconnects == 0


def test_stream_error_in_band(client, sim):
    sim.simulator.inject(Fault(stream_error_after_tokens=2, stream_error_message="boom"))
    response = client.post("/chat/completions", json=LONG)
    assert response.status_code == 200
    payloads = sse_data(response.text)
    assert len(payloads) == 1 + 2 + 2
    assert payloads[-2] == ('{"error": {"message": "boom", "type": "InternalServerError", '
                            '"param": null, "code": 500}}')
    assert payloads[-1] == "[DONE]"


def test_malformed_event(client, sim):
    sim.simulator.inject(Fault(malformed_after_tokens=4))
    payloads = sse_data(client.post("/chat/completions", json=LONG).text)
    broken = []
    for payload in payloads[:-1]:
        try:
            json.loads(payload)
        except ValueError:
            broken.append(payload)
    assert len(broken) == 1 and payloads.index(broken[0]) == 5
    assert payloads[-1] == "[DONE]"


def test_fault_beyond_the_reply_fires_before_finish(client, sim):
    sim.simulator.inject(Fault(stream_error_after_tokens=10_000))
    payloads = sse_data(client.post("/chat/completions",
                                    json={"messages": user("Hi"), "stream": True}).text)
    assert payloads[-2].startswith('{"error": ')
    assert all('"finish_reason":"stop"' not in p for p in payloads)


@pytest.mark.parametrize(("status", "body", "expected"), [
    (503, None, {"error": {"message": "Request queue full.", "type": "Service Unavailable",
                           "param": None, "code": 503}}),
    (500, {"error": {"message": "x", "type": "InternalServerError", "param": None, "code": 500}},
     {"error": {"message": "x", "type": "InternalServerError", "param": None, "code": 500}}),
    (401, None, {"error": "Unauthorized"}),
    (429, b'{"detail": "slow down"}', {"detail": "slow down"}),
])
def test_http_status(client, sim, status, body, expected):
    sim.simulator.inject(Fault(http_status=status, http_body=body))
    response = client.post("/chat/completions", json=LONG)
    assert response.status_code == status
    assert response.json() == expected
    assert client.post("/chat/completions", json=LONG).status_code == 200


def test_http_status_with_text_body(client, sim):
    sim.simulator.inject(Fault(http_status=502, http_body=b"<html>Bad gateway</html>"))
    response = client.post("/chat/completions", json={"messages": user("Hi")})
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "<html>Bad gateway</html>"


def test_faults_are_fifo_and_single_use(client, sim):
    sim.simulator.inject(Fault(http_status=500))
    sim.simulator.inject(Fault(http_status=503))
    statuses = [client.post("/chat/completions", json={"messages": user("Hi")}).status_code
                for _ in range(3)]
    assert statuses == [500, 503, 200]
    client.get("/models")  # only chat completions consume faults


def test_faults_reach_a_simulator_over_http(client, sim):
    httpx.post(f"{sim.root_url}/simulator/faults",
               json={"stream_error_after_tokens": 1, "stream_error_message": "remote"})
    payloads = sse_data(client.post("/chat/completions", json=LONG).text)
    assert json.loads(payloads[-2])["error"]["message"] == "remote"


def test_non_streaming_faults(client, sim):
    body = {"messages": user("Explain DNS")}
    sim.simulator.inject(Fault(drop_after_tokens=1))
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/chat/completions", json=body)
    sim.simulator.inject(Fault(stream_error_after_tokens=1))
    response = client.post("/chat/completions", json=body)
    assert response.status_code == 500
    assert response.json()["error"]["type"] == "InternalServerError"
    sim.simulator.inject(Fault(malformed_after_tokens=1))
    with pytest.raises(ValueError):
        json.loads(client.post("/chat/completions", json=body).content)


def test_client_disconnect_stops_generation():
    with running_simulator(SimulatorConfig(tokens_per_second=100)) as running:
        with httpx.Client(base_url=running.base_url, timeout=10) as client:
            with client.stream("POST", "/chat/completions", json=LONG) as response:
                for count, _ in enumerate(response.iter_lines()):
                    if count > 4:
                        break
            wait_until(lambda: running.simulator.disconnects == 1, timeout=2)
            # The server is still healthy and a finished stream is not a disconnect.
            events = chunks(client.post("/chat/completions", json={
                "messages": user("Hi"), "stream": True}).text)
            assert events[-1]["choices"][0]["finish_reason"] == "stop"
        assert running.simulator.disconnects == 1
