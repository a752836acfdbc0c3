"""Shared simulators: a default one and one configured like the server of the captures."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from desktop_app.simulator import RunningSimulator, SimulatorConfig, running_simulator

CAPTURE_KEY = "testkey"


@pytest.fixture(scope="session")
def _default_sim() -> Iterator[RunningSimulator]:
    with running_simulator() as running:
        yield running


@pytest.fixture(scope="session")
def _capture_sim() -> Iterator[RunningSimulator]:
    with running_simulator(SimulatorConfig(api_key=CAPTURE_KEY, max_model_len=512)) as running:
        yield running


@pytest.fixture
def sim(_default_sim: RunningSimulator) -> RunningSimulator:
    """The default simulator, with no queued faults or recorded requests."""
    _default_sim.simulator.reset()
    return _default_sim


@pytest.fixture
def capture_sim(_capture_sim: RunningSimulator) -> RunningSimulator:
    _capture_sim.simulator.reset()
    return _capture_sim


@pytest.fixture(scope="session")
def _default_client(_default_sim: RunningSimulator) -> Iterator[httpx.Client]:
    # One client per session: creating an httpx.Client (its SSL context) costs ~40 ms.
    with httpx.Client(base_url=_default_sim.base_url, timeout=10) as c:
        yield c


@pytest.fixture(scope="session")
def _capture_client(_capture_sim: RunningSimulator) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {CAPTURE_KEY}"}
    with httpx.Client(base_url=_capture_sim.root_url, timeout=10, headers=headers) as c:
        yield c


@pytest.fixture
def client(sim: RunningSimulator, _default_client: httpx.Client) -> httpx.Client:
    """A client of the default simulator (base URL ends in /v1)."""
    return _default_client


@pytest.fixture
def capture_client(capture_sim: RunningSimulator, _capture_client: httpx.Client) -> httpx.Client:
    """A client of the capture-like simulator (root URL, key sent)."""
    return _capture_client
