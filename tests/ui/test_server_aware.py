"""The window's server-aware parts, against the simulator: the context meter as a person
types, the capability advice, the load gauge and the busy-server word."""

from __future__ import annotations

import re

import httpx
import pytest
from PySide6.QtCore import Qt
from window_support import send, wait_reply_done

from desktop_app.simulator import Fault, SimulatorConfig

COUNTED = re.compile(r"^[\d,]+( \+ [\d,]+)? / [\d,]+$")


def _tokenize_calls(sim) -> int:
    return sum(1 for r in sim.simulator.requests if r.path == "/tokenize")


def _meter(window) -> str:
    return window.server_feature.row.label.text()


@pytest.fixture
def server_checks() -> bool:
    return True


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(max_model_len=8192)


def test_meter_counts_what_send_would_send_as_you_type(qtbot, window, sim):
    qtbot.waitUntil(lambda: bool(COUNTED.match(_meter(window))), timeout=10_000)
    before = _tokenize_calls(sim)
    text = "How long is this prompt, in tokens?"
    window.composer.edit.setFocus()
    qtbot.keyClicks(window.composer.edit, text)
    messages = [{"role": "user", "content": text}]
    expected = httpx.post(f"{sim.root_url}/tokenize", json={"messages": messages}).json()
    qtbot.waitUntil(lambda: _meter(window) == f"{expected['count']:,} / 8,192", timeout=10_000)
    # Debounced: one count for the whole burst of keys (plus the one made just above).
    assert _tokenize_calls(sim) - before <= 3 < len(text)


def test_meter_reserves_max_tokens_and_clamps_it_before_sending(qtbot, window, sim):
    window.services.params.set_field("max_tokens", 8180)
    window.composer.edit.setFocus()
    qtbot.keyClicks(window.composer.edit, "Say something brief about rivers and stones")
    qtbot.waitUntil(lambda: _meter(window).endswith(" + 8,180 / 8,192"), timeout=10_000)
    warning = window.server_feature.row.warning
    assert warning.isVisible() and "will be lowered" in warning.text()
    prompt = int(_meter(window).split(" + ")[0].replace(",", ""))
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    reply = wait_reply_done(qtbot, window)
    assert reply.error is None
    sent = sim.simulator.chat_requests()[-1].body
    assert sent is not None and sent["max_tokens"] == 8192 - prompt


@pytest.mark.parametrize("sim_config", [SimulatorConfig(max_model_len=64)])
def test_meter_warns_when_the_prompt_cannot_fit(qtbot, window, sim):
    window.composer.edit.setFocus()
    qtbot.keyClicks(window.composer.edit, "word " * 80)
    warning = window.server_feature.row.warning
    qtbot.waitUntil(lambda: warning.isVisible() and "will not fit" in warning.text(),
                    timeout=10_000)
    assert "branch from an earlier message" in warning.text()


@pytest.mark.parametrize("sim_config", [SimulatorConfig(tokenize_route=False)])
def test_meter_says_unknown_without_tokenize_and_chat_still_works(qtbot, window, sim):
    window.composer.edit.setFocus()
    qtbot.keyClicks(window.composer.edit, "Hello")
    qtbot.waitUntil(lambda: _meter(window) == "Context: unknown", timeout=10_000)
    send(qtbot, window, "Hello there")
    assert wait_reply_done(qtbot, window).content


@pytest.mark.parametrize("sim_config", [SimulatorConfig(tokenize_delay=30)])
def test_a_hung_tokenize_never_holds_up_typing_or_sending(qtbot, window, sim):
    edit = window.composer.edit
    edit.setFocus()
    qtbot.keyClicks(edit, "first")
    qtbot.waitUntil(lambda: _tokenize_calls(sim) >= 1, timeout=10_000)
    qtbot.keyClicks(edit, " and more")
    assert window.composer.text() == "first and more"
    assert _meter(window).startswith("Context:") or _meter(window).endswith("…")
    send(qtbot, window, "Hi while counting")
    assert wait_reply_done(qtbot, window).content


@pytest.mark.parametrize(
    "sim_config", [SimulatorConfig(vision=False, tool_parser=False, reasoning_parser=False)]
)
def test_probe_results_shape_the_image_button_tools_dock_and_thinking(qtbot, window, sim):
    feature = window.server_feature
    button = window.composer.attach_button
    qtbot.waitUntil(lambda: not button.isEnabled(), timeout=10_000)
    assert "text-only" in button.toolTip()
    assert "Tool parser no" in feature.facts_label.text()
    assert "Tool parser: no" in feature.facts_label.toolTip()
    assert "--enable-auto-tool-choice" in feature.tools_note.text()
    # A thinking reply without a reasoning field teaches that no reasoning parser is on.
    window.services.params.set_thinking(True)
    send(qtbot, window, "Why is the sky blue?")
    wait_reply_done(qtbot, window)
    qtbot.waitUntil(lambda: "--reasoning-parser" in feature.thinking_note.text(),
                    timeout=10_000)
    assert not feature.thinking_note.isHidden()


def test_load_gauge_reads_metrics(qtbot, window, sim):
    gauge = window.server_feature.gauge
    qtbot.waitUntil(lambda: "running" in gauge.text(), timeout=10_000)
    sim.simulator.load.waiting = 2
    window.services.load.poll()
    qtbot.waitUntil(lambda: "2 waiting" in gauge.text(), timeout=10_000)
    window.hide()
    assert not window.services.load._timer.isActive()


@pytest.mark.parametrize("sim_config", [SimulatorConfig(metrics_route=False)])
def test_gauge_stops_where_there_is_no_metrics(qtbot, window, sim):
    load = window.services.load
    qtbot.waitUntil(lambda: load.absent, timeout=10_000)
    assert not load._timer.isActive()
    assert window.server_feature.gauge.isHidden()


def test_a_late_first_token_with_requests_waiting_says_the_server_is_busy(qtbot, window, sim):
    sim.simulator.load.waiting = 3
    sim.simulator.inject(Fault(first_byte_delay=6))
    said: list[str] = []  # the status bar's messages (a later one may replace it at once)
    window.statusBar().messageChanged.connect(said.append)
    send(qtbot, window, "Hello")
    qtbot.waitUntil(lambda: any("server is busy" in m for m in said), timeout=10_000)
    assert "3 request(s) are waiting" in window.server_feature.row.warning.text()
    # ...and the reply itself says so while it waits.
    reply = window.services.chat.current.messages[-1]
    details = window.chat_view.widget_for(reply.id).details
    assert details.isVisible() and "server is busy" in details.text()
    wait_reply_done(qtbot, window)


def test_meter_counts_the_tools_send_adds_to_the_conversation(qtbot, window, sim):
    """Send adds the MCP servers' tools to the conversation's own: the count includes them."""
    from desktop_app.api import ToolDefinition
    from desktop_app.core.server.meter import ContextMeter

    services = window.services
    tool = ToolDefinition(
        name="files_read", description="Read a file.", parameters={"type": "object"}
    )
    meter = ContextMeter(
        services.session, services.runner, lambda: services.chat.current,
        extra_tools=lambda conv: [tool],
    )  # fmt: skip
    meter.draft_changed("How big is this?")
    qtbot.waitUntil(
        lambda: any(
            r.path == "/tokenize" and "files_read" in str((r.body or {}).get("tools"))
            for r in sim.simulator.requests
        ),
        timeout=10_000,
    )
