"""A client that goes away mid-stream (Stop in the app) is normal: no error, no traceback."""

from __future__ import annotations

import logging

import httpx
from sim_support import user, wait_until

from desktop_app.simulator import SimulatorConfig, running_simulator

LONG = {"messages": user("write 400 tokens"), "stream": True}


def test_disconnect_mid_stream_logs_no_error(caplog):
    caplog.set_level(logging.DEBUG)
    with running_simulator(SimulatorConfig(tokens_per_second=60)) as running:
        state = running._server.server_state
        with httpx.Client(base_url=running.base_url, timeout=10) as client:
            with client.stream("POST", "/chat/completions", json=LONG) as response:
                for count, _ in enumerate(response.iter_lines()):
                    if count > 4:
                        break
            wait_until(lambda: running.simulator.disconnects == 1, timeout=5)
            # The request's task has ended: whatever it was going to log is logged.
            wait_until(lambda: not state.tasks, timeout=5)
            # Still serving.
            ok = client.post("/chat/completions", json={"messages": user("Hi")})
            assert ok.status_code == 200
    bad = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert bad == [], [r.getMessage() for r in bad]
    said = [r for r in caplog.records if "disconnect" in r.getMessage().lower()]
    assert len(said) <= 1 and all(r.levelno == logging.INFO for r in said)
