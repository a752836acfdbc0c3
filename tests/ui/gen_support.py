"""Helpers for the generation-controls window tests: find controls, send, read requests."""

from __future__ import annotations

from PySide6.QtWidgets import QDockWidget, QWidget
from window_support import send, wait_reply_done

from desktop_app.core.params.extra_body import SAMPLING_FIELDS


def controls(window):
    return window.generation_controls


def control(window, name: str) -> QWidget:
    """The widget in the Parameters dock whose accessible name is ``name`` (exactly one)."""
    dock = window.findChild(QDockWidget, "parametersDock")
    found = [w for w in dock.findChildren(QWidget) if w.accessibleName() == name]
    assert len(found) == 1, (name, found)
    return found[0]






def chat_requests(sim) -> list:
    return [r for r in sim.simulator.requests if r.path.endswith("/chat/completions")]


def last_body(sim) -> dict:
    return chat_requests(sim)[-1].body


def sampling_sent(body: dict) -> dict:
    return {k: v for k, v in body.items() if k in SAMPLING_FIELDS}


def ask(qtbot, window, sim, text: str = "Tell me about rivers") -> dict:
    """Sends ``text``, waits for the reply, returns the request body the server got."""
    before = len(chat_requests(sim))
    send(qtbot, window, text)
    wait_reply_done(qtbot, window)
    assert len(chat_requests(sim)) == before + 1
    return last_body(sim)
