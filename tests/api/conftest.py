"""API test fixtures: a loopback replay server, and the recorded vLLM captures."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from api_fixture_server import FixtureServer


@pytest.fixture(scope="session")
def _session_server() -> Iterator[FixtureServer]:
    server = FixtureServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server(_session_server: FixtureServer) -> Iterator[FixtureServer]:
    """The loopback server, with no routes and no recorded requests."""
    _session_server.reset()
    yield _session_server
    _session_server.reset()


@pytest.fixture
def refused_url() -> Iterator[str]:
    """An address where nothing listens: a bound port that never listens refuses."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()
