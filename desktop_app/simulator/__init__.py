"""A local stand-in for vLLM serving Gemma 4: same wire protocol, scripted answers, faults.

For tests, demo mode and benchmarks. It imports nothing from the rest of desktop_app: it is a
peer, like a real server.
"""

from __future__ import annotations

from .app import ReceivedRequest, Simulator
from .config import Fault, SimulatorConfig
from .runner import RunningSimulator, running_simulator, start_simulator_thread

__all__ = [
    "Fault",
    "ReceivedRequest",
    "RunningSimulator",
    "Simulator",
    "SimulatorConfig",
    "running_simulator",
    "start_simulator_thread",
]
