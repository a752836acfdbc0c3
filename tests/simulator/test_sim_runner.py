"""Starting and stopping the simulator: thread, context manager, command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from desktop_app.simulator import SimulatorConfig, running_simulator, start_simulator_thread

ROOT = Path(__file__).resolve().parents[2]


def test_context_manager_cleans_up():
    before = set(threading.enumerate())
    with running_simulator(SimulatorConfig(model="google/gemma-4-E4B-it")) as sim:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", sim.base_url)
        assert sim.base_url == f"{sim.root_url}/v1" and sim.port > 0
        models = httpx.get(f"{sim.base_url}/models").json()
        assert models["data"][0]["id"] == "google/gemma-4-E4B-it"
    assert set(threading.enumerate()) == before
    try:
        httpx.get(f"{sim.root_url}/health", timeout=1)
    except httpx.ConnectError:
        pass
    else:
        raise AssertionError("the port is still served after exit")


def test_thread_for_demo_mode():
    running = start_simulator_thread()
    try:
        assert httpx.get(f"{running.root_url}/health").status_code == 200
    finally:
        running.stop()
    assert not running._thread.is_alive()


def test_command_line_serves_until_terminated():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_app.simulator", "--port", "0", "--api-key", "k",
         "--tokens-per-second", "500"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        match = re.fullmatch(r"Gemma Desk simulator listening on (http://127\.0\.0\.1:(\d+)/v1)",
                             line)
        assert match, line
        base_url = match.group(1)
        assert httpx.get(f"{base_url}/models").status_code == 401
        reply = httpx.post(f"{base_url}/chat/completions", headers={"Authorization": "Bearer k"},
                           json={"messages": [{"role": "user", "content": "Hi"}]})
        assert reply.json()["choices"][0]["finish_reason"] == "stop"
        fault = httpx.post(base_url.removesuffix("/v1") + "/simulator/faults",
                           json={"http_status": 503})
        assert fault.json() == {"queued": 1}
        failed = httpx.post(f"{base_url}/chat/completions", headers={"Authorization": "Bearer k"},
                            json={"messages": [{"role": "user", "content": "Hi"}]})
        assert failed.status_code == 503
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
