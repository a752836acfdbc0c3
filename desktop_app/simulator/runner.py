"""Serving a Simulator with uvicorn, in a background thread or in the foreground."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import uvicorn

from .app import Simulator
from .config import SimulatorConfig

_STARTUP_TIMEOUT = 10.0


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # An explicit IPPROTO_TCP lets asyncio set TCP_NODELAY on accepted connections; without it
    # every response written in two parts waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _server(simulator: Simulator, host: str, port: int) -> uvicorn.Server:
    config = uvicorn.Config(
        simulator.app, host=host, port=port, log_config=None, access_log=False,
        lifespan="off", timeout_graceful_shutdown=2, log_level="warning",
    )
    return uvicorn.Server(config)


@dataclass
class RunningSimulator:
    """A simulator being served on 127.0.0.1 in a background thread."""

    simulator: Simulator
    host: str
    port: int
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/v1"

    def stop(self) -> None:
        """Shut the server down and wait for its thread."""
        self._server.should_exit = True
        self._thread.join(timeout=_STARTUP_TIMEOUT)


def start_simulator_thread(config: SimulatorConfig | None = None, port: int = 0,
                           host: str = "127.0.0.1") -> RunningSimulator:
    """Serve a new Simulator in a daemon thread; returns once it accepts connections."""
    simulator = Simulator(config)
    sock = _bind(host, port)
    actual_port = sock.getsockname()[1]
    server = _server(simulator, host, actual_port)
    failure: list[BaseException] = []

    def serve() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported to the starting thread
            failure.append(exc)
        finally:
            sock.close()

    thread = threading.Thread(target=serve, name=f"gemma-desk-simulator-{actual_port}",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + _STARTUP_TIMEOUT
    while not server.started:
        if failure or not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(timeout=_STARTUP_TIMEOUT)
            raise RuntimeError("simulator failed to start") from (failure[0] if failure else None)
        time.sleep(0.005)
    return RunningSimulator(simulator, host, actual_port, server, thread)


@contextlib.contextmanager
def running_simulator(config: SimulatorConfig | None = None, port: int = 0
                      ) -> Iterator[RunningSimulator]:
    """`with running_simulator() as sim: httpx.get(sim.base_url + "/models")`."""
    running = start_simulator_thread(config, port)
    try:
        yield running
    finally:
        running.stop()


def serve_forever(config: SimulatorConfig, host: str, port: int) -> None:
    """Run in the foreground until interrupted, announcing the URL once it accepts."""
    simulator = Simulator(config)
    sock = _bind(host, port)
    actual_port = sock.getsockname()[1]
    server = _server(simulator, host, actual_port)

    async def main() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.005)
        if server.started:
            shown = f"[{host}]" if ":" in host else host
            print(f"Gemma Desk simulator listening on http://{shown}:{actual_port}/v1",
                  flush=True)
        await task

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # uvicorn handles SIGTERM like Ctrl+C, then re-raises it once it has shut down; exit 0.
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
    sys.stdout.flush()
