"""The request inspector in the real window: what went over the wire, 20,000 events, and the
cURL / Python / JSON copies run for real, without the API key unless asked."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys

import pytest
from gen_support import ask, controls, wait_reply_done
from PIL import Image
from PySide6.QtWidgets import QDockWidget

from desktop_app.core.chat.conversation import Attachment
from desktop_app.simulator import Fault, SimulatorConfig

KEY = "sk-inspector-7d3f0a9c41"


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(tokens_per_second=None, api_key=KEY)


@pytest.fixture
def profile_key() -> str:
    """The shared window's profile carries the key this module's simulator requires."""
    return KEY


def inspect_last(window):
    reply = window.services.chat.current.messages[-1]
    window.chat_view.widget_for(reply.id).action_buttons["inspect"].click()
    return controls(window).inspector


def shell_env(sim, with_key: bool = True) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "GEMMA_BASE_URL": sim.base_url}
    env["GEMMA_MODEL"] = sim.simulator.config.model
    if with_key:
        env["HEXGRID_API_KEY"] = KEY
    return env


def streamed_content(output: str) -> str:
    text = []
    for line in output.splitlines():
        if line.startswith("data: {"):
            for choice in json.loads(line[6:])["choices"]:
                text.append(choice["delta"].get("content") or "")
    return "".join(text)


def test_inspector_shows_request_response_and_timed_events(qtbot, window, sim):
    ask(qtbot, window, sim, "Hello there")
    inspector = inspect_last(window)
    dock = window.findChild(QDockWidget, "inspector")
    assert dock.isVisible()
    trace = inspector.trace()
    assert trace is window.services.chat.traces[window.services.chat.current.messages[-1].id]
    summary = inspector.summary.text()
    assert "HTTP 200" in summary and "first token" in summary and "—" not in summary
    request = inspector.request_view.toPlainText()
    assert '"messages"' in request and "Bearer ***" in request
    assert json.loads(request[request.index("\n\n") + 2 :]) == trace.request_json
    assert "content-type: text/event-stream" in inspector.response_view.toPlainText().lower()
    model = inspector.model
    assert model.rowCount() == len(trace.events) > 3
    assert model.index(model.rowCount() - 1, 4).data() == "[DONE]"
    first = model.first_token_row()
    assert first is not None and "first token" in model.index(first, 3).data()
    assert model.index(first, 1).data().endswith(" ms")
    # Selecting an event shows its full data; the filter narrows the table.
    inspector.table.selectRow(first)
    assert '"choices"' in inspector.detail.toPlainText()
    inspector.filter.setText("[DONE]")
    assert inspector.proxy.rowCount() == 1
    toggle = next(a for a in window.view_menu.actions() if "inspector" in a.text().lower())
    toggle.trigger()
    assert not dock.isVisible()


def test_inspector_holds_a_20000_token_stream(qtbot, window, sim):
    controls(window).inspector_dock.show()
    chat = window.services.chat
    window.composer.set_text("write 20000 tokens")
    window.composer.send_button.click()
    reply = wait_reply_done(qtbot, window, timeout=120_000)
    inspector = controls(window).inspector
    assert inspector.message_id == reply.id  # it followed the new reply live
    trace = chat.traces[reply.id]
    qtbot.waitUntil(lambda: inspector.model.rowCount() == len(trace.events), timeout=10_000)
    assert inspector.model.rowCount() >= 20_000
    assert inspector.tabs.tabText(0) == f"Events ({len(trace.events):,})"
    inspector.table.scrollToBottom()
    last = inspector.model.index(inspector.model.rowCount() - 1, 4)
    assert last.data() == "[DONE]"


def test_copy_as_curl_runs_in_a_shell_and_returns_the_same_reply(qtbot, window, sim, qapp):
    controls(window).params.set_field("seed", 2024)  # the simulator repeats a seeded reply
    ask(qtbot, window, sim, "Explain how tides work")
    reply = window.services.chat.current.messages[-1]
    inspector = inspect_last(window)
    inspector.curl_button.click()
    script = qapp.clipboard().text()
    assert KEY not in script and "$HEXGRID_API_KEY" in script
    done = subprocess.run(
        ["bash", "-c", script],
        env=shell_env(sim),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert streamed_content(done.stdout) == reply.content
    assert "Copied cURL" in inspector.copy_note.text()


def test_copy_as_python_runs_and_returns_the_same_reply(qtbot, window, sim, qapp):
    controls(window).params.set_field("seed", 77)
    ask(qtbot, window, sim, "Compare rivers and lakes")
    reply = window.services.chat.current.messages[-1]
    inspector = inspect_last(window)
    inspector.python_button.click()
    script = qapp.clipboard().text()
    assert KEY not in script
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=shell_env(sim),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip("\n") == reply.content


def test_the_key_is_in_no_copy_unless_asked(qtbot, window, sim, qapp):
    ask(qtbot, window, sim, "Hi")
    inspector = inspect_last(window)
    copies = {}
    for kind, button in (
        ("curl", inspector.curl_button),
        ("python", inspector.python_button),
        ("json", inspector.json_button),
    ):
        button.click()
        copies[kind] = qapp.clipboard().text()
    shown = [
        inspector.request_view.toPlainText(),
        inspector.response_view.toPlainText(),
        inspector.summary.text(),
        *(inspector.model.raw(r) for r in range(inspector.model.rowCount())),
    ]
    for text in [*copies.values(), *shown]:
        assert text and KEY not in text
    assert json.loads(copies["json"]) == inspector.trace().request_json

    inspector.include_key.setChecked(True)
    inspector.curl_button.click()
    with_key = qapp.clipboard().text()
    assert f"Bearer {KEY}" in with_key
    assert "WITH your API key" in inspector.copy_note.text()
    done = subprocess.run(
        ["bash", "-c", with_key],
        env=shell_env(sim, with_key=False),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and streamed_content(done.stdout)
    inspector.python_button.click()
    assert KEY in qapp.clipboard().text()
    inspector.json_button.click()
    assert KEY not in qapp.clipboard().text()


def png_data_url() -> tuple[str, int]:
    image = Image.effect_noise((120, 120), 80).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    raw = buf.getvalue()
    return "data:image/png;base64," + base64.b64encode(raw).decode(), len(raw)


def test_images_are_shown_abbreviated_but_copied_whole(qtbot, window, sim, qapp):
    url, size = png_data_url()
    chat = window.services.chat
    assert chat.send("What is in this picture?", [Attachment(url=url, mime="image/png")])
    wait_reply_done(qtbot, window)
    inspector = inspect_last(window)
    request = inspector.request_view.toPlainText()
    assert url not in request
    assert f"data:image/png;base64,iVBOR… ({round(size / 1024)} KB)" in request
    inspector.json_button.click()
    assert url in qapp.clipboard().text()


def test_a_failed_request_shows_status_and_server_body(qtbot, window, sim):
    sim.simulator.inject(
        Fault(http_status=400, http_body={"error": {"message": "bad top_k", "code": 400}})
    )
    window.composer.set_text("This will fail")
    window.composer.send_button.click()
    reply = wait_reply_done(qtbot, window)
    assert reply.error is not None
    inspector = inspect_last(window)
    assert "HTTP 400" in inspector.summary.text()
    response = inspector.response_view.toPlainText()
    assert "bad top_k" in response and "Error:" in response
    assert inspector.model.rowCount() == 0
    assert '"This will fail"' in inspector.request_view.toPlainText()
    assert KEY not in response


def test_an_error_inside_the_stream_is_an_event(qtbot, window, sim):
    sim.simulator.inject(Fault(stream_error_after_tokens=5, stream_error_message="engine died"))
    window.composer.set_text("Tell me a long story")
    window.composer.send_button.click()
    reply = wait_reply_done(qtbot, window)
    assert reply.error is not None and reply.content
    inspector = inspect_last(window)
    kinds = [inspector.model.summary(r)[0] for r in range(inspector.model.rowCount())]
    assert kinds[-1] == "error"  # the client stops reading at the error
    assert "engine died" in inspector.response_view.toPlainText()


def test_a_non_streamed_reply_is_shown_indented(qtbot, window, sim):
    from gen_support import control
    from PySide6.QtCore import Qt

    stream = control(window, "stream")
    qtbot.mouseClick(stream, Qt.MouseButton.LeftButton, pos=stream.rect().center())
    qtbot.waitUntil(lambda: not stream.isChecked())
    ask(qtbot, window, sim, "Hello without streaming")
    inspector = inspect_last(window)
    response = inspector.response_view.toPlainText()
    body = response[response.index("\n{") + 1 :]
    assert json.loads(body)["choices"][0]["message"]["content"]
    assert '\n  "choices": [' in body  # one key per line, not one long line
