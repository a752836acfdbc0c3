"""Per-reply provenance: Details shows what produced a reply, "Reuse these settings" loads it
into the panel, and regenerating with the same seed repeats the reply."""

from __future__ import annotations

from gen_support import ask, control, controls, last_body, sampling_sent, wait_reply_done
from PySide6.QtWidgets import QDialog, QLabel, QPlainTextEdit

from desktop_app.core.chat.provenance import NOT_SENT


def details_of(window, message_id: str) -> QDialog:
    window.chat_view.widget_for(message_id).action_buttons["details"].click()
    dialog = controls(window).details
    assert dialog is not None and dialog.isVisible() and dialog.message_id == message_id
    return dialog


def shown_values(dialog: QDialog) -> dict[str, str]:
    labels = [w for w in dialog.findChildren(QLabel) if w.objectName() == "detailValue"]
    return dict(label.accessibleName().split(": ", 1) for label in labels)


def configure(window) -> None:
    panel = controls(window).panel
    panel.reset_all.click()
    control(window, "temperature").setValue(0.4)
    controls(window).params.set_field("seed", 11)
    control(window, "enable_thinking").click()
    panel.extra.setPlainText('{"min_tokens": 3}')


def test_details_show_what_produced_the_reply(qtbot, window, sim):
    configure(window)
    body = ask(qtbot, window, sim, "Why is the sea salty?")
    reply = window.services.chat.current.messages[-1]
    info = reply.reply
    assert info.params == sampling_sent(body) == {"temperature": 0.4, "seed": 11}
    assert info.enable_thinking is True and info.extra_body == {"min_tokens": 3}
    trace = window.services.chat.traces[reply.id]
    assert info.request_id and info.request_id in trace.events[0][1]

    values = shown_values(details_of(window, reply.id))
    assert values["Model"] == sim.simulator.config.model
    assert values["Server"] == f"vLLM {sim.simulator.config.version}"
    assert values["temperature"] == "0.4" and values["seed"] == "11"
    assert values["top_p"] == NOT_SENT and values["stop"] == NOT_SENT
    assert values["enable_thinking"] == "on"
    assert values["Finish reason"] == "stop"
    assert values["Request id"] == info.request_id
    assert values["First token"].endswith(("ms", " s"))
    extra = controls(window).details.findChild(QPlainTextEdit, "detailsExtraBody")
    assert '"min_tokens": 3' in extra.toPlainText()


def test_reuse_these_settings_loads_them_into_the_panel(qtbot, window, sim):
    configure(window)
    ask(qtbot, window, sim, "Name three rivers")
    reply = window.services.chat.current.messages[-1]
    panel = controls(window).panel
    panel.reset_all.click()
    panel.extra.setPlainText("")
    control(window, "top_k").setValue(5)
    assert controls(window).params.settings.sampling.temperature is None

    dialog = details_of(window, reply.id)
    dialog.reuse_button.click()
    assert "Loaded into the Parameters panel" in dialog.note.text()
    assert control(window, "temperature").value() == 0.4
    assert control(window, "seed").text() == "11"
    assert control(window, "top_k").value() != 5 and panel.fields["top_k"].value() is None
    assert control(window, "enable_thinking").isChecked()
    assert panel.extra.toPlainText().replace(" ", "").replace("\n", "") == '{"min_tokens":3}'
    body = ask(qtbot, window, sim, "And three lakes")
    assert sampling_sent(body) == {"temperature": 0.4, "seed": 11}
    assert body["min_tokens"] == 3 and body["chat_template_kwargs"] == {"enable_thinking": True}


def test_regenerate_with_the_same_seed_reproduces_the_reply(qtbot, window, sim):
    controls(window).params.set_field("seed", 31337)
    first = ask(qtbot, window, sim, "Tell me about volcanoes")
    chat = window.services.chat
    original = chat.current.messages[-1]
    window.chat_view.widget_for(original.id).action_buttons["regenerate"].click()
    qtbot.waitUntil(lambda: chat.current.messages[-1].id != original.id, timeout=5_000)
    again = wait_reply_done(qtbot, window)
    assert last_body(sim)["seed"] == 31337 and last_body(sim) == first
    assert again.content == original.content and again.content
    assert again.reply.params == original.reply.params


def test_inspect_from_details_opens_that_reply(qtbot, window, sim):
    ask(qtbot, window, sim, "First")
    first = window.services.chat.current.messages[-1]
    ask(qtbot, window, sim, "Second")
    dialog = details_of(window, first.id)
    dialog.inspect_button.click()
    inspector = controls(window).inspector
    assert inspector.message_id == first.id and not inspector.follow.isChecked()
    assert inspector.trace().request_json["messages"][-1]["content"] == "First"
