"""The Parameters dock in the real window: each control changes exactly its field in the
request the simulator receives, unset fields are absent, bad input cannot get through."""

from __future__ import annotations

import pytest
from gen_support import ask, chat_requests, control, controls, sampling_sent, send
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLineEdit

from desktop_app.core.params.extra_body import SAMPLING_FIELDS
from desktop_app.core.params.presets import DETERMINISTIC, GEMMA_RECOMMENDED

NUMBERS = {
    "temperature": 0.7,
    "top_p": 0.5,
    "top_k": 40,
    "min_p": 0.1,
    "repetition_penalty": 1.1,
    "presence_penalty": 0.5,
    "frequency_penalty": -0.5,
    "max_tokens": 50,
}


def reset_all(window) -> None:
    controls(window).panel.reset_all.click()


def test_controls_are_named_after_vllm_fields_and_dock_toggles(window):
    dock = window.findChild(QDockWidget, "parametersDock")
    assert dock is not None and dock.isVisible()
    for name in (*SAMPLING_FIELDS, "enable_thinking", "stream", "include_usage", "extra_body"):
        assert control(window, name).isEnabled(), name
    toggle = next(a for a in window.view_menu.actions() if "Parameters" in a.text())
    toggle.trigger()
    assert not dock.isVisible()
    toggle.trigger()
    assert dock.isVisible()


def test_new_chat_starts_from_the_default_preset(qtbot, window, sim):
    body = ask(qtbot, window, sim)
    assert sampling_sent(body) == {"temperature": 1.0, "top_p": 0.95, "top_k": 64}
    assert controls(window).panel.presets.selected() == GEMMA_RECOMMENDED


def test_each_number_control_changes_exactly_its_field(qtbot, window, sim):
    reset_all(window)
    for name, value in NUMBERS.items():
        control(window, name).setValue(value)
        body = ask(qtbot, window, sim, f"Say something about {name}")
        assert sampling_sent(body) == {name: value}, name
        controls(window).panel.fields[name].reset.click()
    assert sampling_sent(ask(qtbot, window, sim)) == {}


def test_slider_moves_the_value_it_sends(qtbot, window, sim):
    reset_all(window)
    field = controls(window).panel.fields["temperature"]
    field.slider.setValue(field.slider.maximum())
    assert control(window, "temperature").value() == 2.0
    assert sampling_sent(ask(qtbot, window, sim)) == {"temperature": 2.0}


def test_seed_and_stop_controls(qtbot, window, sim):
    reset_all(window)
    seed = control(window, "seed")
    qtbot.keyClicks(seed, "1234")
    stop = control(window, "stop")
    qtbot.keyClicks(stop, "\\n\\nZZZ")
    qtbot.keyClick(stop, Qt.Key.Key_Return)
    qtbot.keyClicks(stop, "END")
    qtbot.keyClick(stop, Qt.Key.Key_Return)
    body = ask(qtbot, window, sim)
    assert sampling_sent(body) == {"seed": 1234, "stop": ["\n\nZZZ", "END"]}
    # An empty stop sequence is refused with a note, not sent.
    qtbot.keyClick(stop, Qt.Key.Key_Return)
    panel = controls(window).panel
    assert panel.stop.note.isVisible() and "empty" in panel.stop.note.text()
    panel.stop.list.setCurrentRow(0)
    qtbot.keyClick(panel.stop.list, Qt.Key.Key_Delete)
    panel.fields["seed"].reset.click()
    assert sampling_sent(ask(qtbot, window, sim)) == {"stop": ["END"]}


def test_thinking_stream_and_usage_switches(qtbot, window, sim):
    reset_all(window)
    body = ask(qtbot, window, sim)
    assert "chat_template_kwargs" not in body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    thinking = control(window, "enable_thinking")
    thinking.click()
    body = ask(qtbot, window, sim)
    assert body["chat_template_kwargs"] == {"enable_thinking": True}
    assert window.services.chat.current.messages[-1].reasoning
    thinking.click()
    assert ask(qtbot, window, sim)["chat_template_kwargs"] == {"enable_thinking": False}
    control(window, "include_usage").click()
    body = ask(qtbot, window, sim)
    assert "stream_options" not in body and body["stream"] is True
    control(window, "stream").click()
    assert not control(window, "include_usage").isEnabled()
    body = ask(qtbot, window, sim)
    assert body["stream"] is False and "stream_options" not in body
    assert window.services.chat.current.messages[-1].content
    assert sampling_sent(body) == {}


def test_out_of_range_input_is_impossible(qtbot, window):
    reset_all(window)
    params = controls(window).params
    temperature = control(window, "temperature")
    temperature.setValue(5)
    assert temperature.value() == 2.0 and params.value("temperature") == 2.0
    temperature.lineEdit().selectAll()
    qtbot.keyClicks(temperature, "9")  # refused by the spin box's validator
    assert params.value("temperature") <= 2.0
    control(window, "top_p").setValue(0)  # 0 is not allowed: the field becomes unset
    assert params.value("top_p") is None
    control(window, "top_k").setValue(-5)
    assert params.value("top_k") is None
    control(window, "presence_penalty").setValue(7)
    assert params.value("presence_penalty") == 2.0
    control(window, "max_tokens").setValue(0)
    assert params.value("max_tokens") is None
    seed: QLineEdit = control(window, "seed")
    qtbot.keyClicks(seed, "9" * 25 + "x")
    assert params.value("seed") == int("9" * 18)  # the 19th nine would pass 2**63 - 1
    assert params.settings.sampling.validate() == []


def test_invalid_extra_body_blocks_send_with_a_message(qtbot, window, sim):
    panel = controls(window).panel
    before = len(chat_requests(sim))
    panel.extra.setPlainText('{"response_format": {"type": "json_object"},}')
    assert not window.composer.send_button.isEnabled()
    assert "Not valid JSON" in panel.extra_error.text() and panel.extra_error.isVisible()
    assert "extra body" in window.composer.send_button.toolTip()
    send(qtbot, window, "This must not be sent")
    assert len(chat_requests(sim)) == before
    assert window.composer.text() == "This must not be sent"  # nothing typed is lost

    panel.extra.setPlainText('{"temperature": 0.1}')
    assert not window.composer.send_button.isEnabled()
    assert "temperature has its own control" in panel.extra_error.text()

    # Another conversation is not blocked; coming back shows the draft and blocks again.
    window.services.chat.new_conversation()
    assert window.composer.send_button.isEnabled() and panel.extra.toPlainText() == ""
    window.services.chat.select(window.services.chat.conversations[1].id)
    assert panel.extra.toPlainText() == '{"temperature": 0.1}'
    assert not window.composer.send_button.isEnabled()

    panel.extra.setPlainText('{"min_tokens": 5, "response_format": {"type": "json_object"}}')
    assert window.composer.send_button.isEnabled() and not panel.extra_error.isVisible()
    window.composer.clear()
    body = ask(qtbot, window, sim, "Give me JSON")
    assert body["min_tokens"] == 5 and body["response_format"] == {"type": "json_object"}


def test_presets_round_trip_through_export_and_import(qtbot, window, sim, tmp_path):
    panel = controls(window).panel
    bar = panel.presets
    reset_all(window)
    control(window, "temperature").setValue(0.35)
    control(window, "min_p").setValue(0.2)
    panel.extra.setPlainText('{"min_tokens": 2}')
    assert bar.selected() is None  # custom settings
    assert bar.save_as("Careful")
    assert bar.selected() == "Careful"
    path = tmp_path / "presets.json"
    assert bar.export_to(path)
    assert bar.delete(confirm=False)
    assert window.services.presets.get("Careful") is None
    assert bar.import_from(path)
    assert "Imported 1 preset" in bar.note.text()
    # Apply another preset, then the imported one, from the picker.
    bar.combo.activated.emit(bar.combo.findData(DETERMINISTIC))
    assert control(window, "temperature").value() == 0.0
    bar.combo.activated.emit(bar.combo.findData("Careful"))
    body = ask(qtbot, window, sim)
    assert sampling_sent(body) == {"temperature": 0.35, "min_p": 0.2}
    assert body["min_tokens"] == 2
    # A bad file is refused with a reason.
    bad = tmp_path / "bad.json"
    bad.write_text('{"presets": [{"name": "Hot", "sampling": {"temperature": 3}}]}')
    assert not bar.import_from(bad)
    assert "between 0 and 2" in bar.note.text()


def test_default_preset_for_new_chats_and_panel_follows_conversation(qtbot, window, sim):
    bar = controls(window).panel.presets
    bar.combo.activated.emit(bar.combo.findData(DETERMINISTIC))
    assert bar.set_default()
    first = window.services.chat.current.id
    control(window, "temperature").setValue(0.3)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert control(window, "temperature").value() == 0.0
    assert control(window, "seed").text() == "42"
    body = ask(qtbot, window, sim)
    assert sampling_sent(body) == {"temperature": 0.0, "seed": 42}
    window.services.chat.select(first)
    assert control(window, "temperature").value() == pytest.approx(0.3)


def test_changes_while_streaming_apply_to_the_next_request(qtbot, window, sim):
    sim.simulator.config.tokens_per_second = 60
    chat = window.services.chat
    send(qtbot, window, "write 300 tokens")
    qtbot.waitUntil(lambda: chat.busy and bool(chat.current.messages[-1].content), timeout=10_000)
    panel = controls(window).panel
    assert panel.busy_note.isVisible()
    control(window, "temperature").setValue(0.2)
    chat.stop()
    qtbot.waitUntil(lambda: not chat.busy, timeout=10_000)
    assert chat_requests(sim)[-1].body["temperature"] == 1.0  # already sent
    sim.simulator.config.tokens_per_second = None
    assert ask(qtbot, window, sim)["temperature"] == 0.2
    assert not panel.busy_note.isVisible()
