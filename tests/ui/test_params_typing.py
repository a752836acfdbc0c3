"""Typing into the Parameters dock with real key events sends exactly what was typed; the
wheel scrolls the dock instead of changing a field; max_tokens follows the model's context."""

from __future__ import annotations

import pytest
from gen_support import ask, control, controls, sampling_sent
from PySide6.QtCore import QLocale, QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QScrollArea, QWidget

from desktop_app.simulator import SimulatorConfig

CTRL = Qt.KeyboardModifier.ControlModifier

# Typed text -> the value the request must carry, for every numeric field.
TYPED = {
    "temperature": ("0.3", 0.3),
    "top_p": ("0.8", 0.8),
    "top_k": ("40", 40),
    "min_p": (".05", 0.05),
    "repetition_penalty": ("1.25", 1.25),
    "presence_penalty": ("-0.5", -0.5),
    "frequency_penalty": ("1.1", 1.1),
    "max_tokens": ("300", 300),
    "seed": ("1234", 1234),
}


def edit_of(window, name: str) -> QWidget:
    """The line edit a person types into (the spin box's own, or the seed's)."""
    widget = control(window, name)
    return widget.lineEdit() if hasattr(widget, "lineEdit") else widget


def focus(qtbot, widget: QWidget) -> None:
    widget.window().activateWindow()
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(widget.hasFocus)


def type_into(qtbot, window, name: str, text: str, commit=Qt.Key.Key_Return) -> None:
    """Select all, type ``text``, then commit with Enter (or Tab)."""
    edit = edit_of(window, name)
    focus(qtbot, edit)
    qtbot.keyClick(edit, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(edit, text)
    if commit is not None:
        qtbot.keyClick(edit, commit)


def sent_value(window, name: str):
    """What core's GenerationParams holds for ``name``: the value the next request sends."""
    return controls(window).params.settings.sampling.to_wire().get(name)


def reset_all(window) -> None:
    controls(window).panel.reset_all.click()


def test_values_typed_into_unset_fields_reach_the_request(qtbot, window, sim):
    reset_all(window)
    for name, (text, value) in TYPED.items():
        assert controls(window).panel.fields[name].value() is None, name
        type_into(qtbot, window, name, text)
        assert sent_value(window, name) == value, name
    body = ask(qtbot, window, sim)
    assert sampling_sent(body) == {name: value for name, (_t, value) in TYPED.items()}


def test_values_typed_over_set_fields_with_tab_to_commit(qtbot, window, sim):
    reset_all(window)
    panel = controls(window).panel
    for name in TYPED:
        if name != "seed":
            panel.fields[name].send.click()  # switched on: shows the server's default
    retyped = {
        "temperature": ("1.1", 1.1),
        "top_p": ("0.25", 0.25),
        "top_k": ("7", 7),
        "min_p": ("0.333", 0.333),
        "repetition_penalty": ("1.1", 1.1),
        "presence_penalty": ("-1.95", -1.95),
        "frequency_penalty": ("-2", -2.0),
        "max_tokens": ("77", 77),
    }
    for name, (text, value) in retyped.items():
        type_into(qtbot, window, name, text, commit=Qt.Key.Key_Tab)
        assert sent_value(window, name) == value, name
    body = ask(qtbot, window, sim)
    assert sampling_sent(body) == {name: value for name, (_t, value) in retyped.items()}


def test_every_keystroke_is_the_value_without_committing(qtbot, window):
    """The request may go out while the cursor is still in the field (Ctrl+Enter)."""
    reset_all(window)
    for name, text, value in (
        ("temperature", "0.3", 0.3),
        ("repetition_penalty", "1.1", 1.1),
        ("top_p", "0.8", 0.8),
    ):
        type_into(qtbot, window, name, text, commit=None)
        assert edit_of(window, name).text() == text  # not rewritten under the cursor
        assert sent_value(window, name) == value, name


def test_typing_after_the_default_word_replaces_it(qtbot, window):
    reset_all(window)
    edit = edit_of(window, "temperature")
    assert edit.text() == "default"
    focus(qtbot, edit)
    qtbot.keyClick(edit, Qt.Key.Key_End)
    qtbot.keyClicks(edit, "0.3")
    assert edit.text() == "0.3" and sent_value(window, "temperature") == 0.3
    # Deleting part of the word clears the field: unset.
    reset_all(window)
    qtbot.keyClick(edit, Qt.Key.Key_End)
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert edit.text() == "default" and sent_value(window, "temperature") is None


def test_paste_from_the_clipboard(qtbot, window, sim):
    reset_all(window)
    clipboard = QGuiApplication.clipboard()
    for name, text, value in (
        ("temperature", "0.3", 0.3),
        ("top_p", " 0.8 ", 0.8),
        ("repetition_penalty", "1.25", 1.25),
        ("max_tokens", "512", 512),
    ):
        clipboard.setText(text)
        edit = edit_of(window, name)
        focus(qtbot, edit)
        qtbot.keyClick(edit, Qt.Key.Key_A, CTRL)
        qtbot.keyClick(edit, Qt.Key.Key_V, CTRL)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
        assert sent_value(window, name) == value, name
    assert sampling_sent(ask(qtbot, window, sim)) == {
        "temperature": 0.3,
        "top_p": 0.8,
        "repetition_penalty": 1.25,
        "max_tokens": 512,
    }


def test_arrow_keys_step_from_the_typed_value(qtbot, window):
    reset_all(window)
    field = controls(window).panel.fields["temperature"]
    edit = edit_of(window, "temperature")
    focus(qtbot, edit)
    qtbot.keyClick(edit, Qt.Key.Key_Up)  # from "default": the server's own default
    assert sent_value(window, "temperature") == 1.0
    type_into(qtbot, window, "temperature", "0.33")
    qtbot.keyClick(edit, Qt.Key.Key_Up)
    assert sent_value(window, "temperature") == 0.38
    assert edit.text() == "0.38" and field.value() == 0.38
    qtbot.keyClick(edit, Qt.Key.Key_PageUp)  # ten steps
    assert sent_value(window, "temperature") == 0.88
    type_into(qtbot, window, "temperature", "0.03")
    qtbot.keyClick(edit, Qt.Key.Key_Down)  # below 0: unset, never a negative number shown
    assert sent_value(window, "temperature") is None and edit.text() == "default"
    type_into(qtbot, window, "top_k", "2")
    top_k = edit_of(window, "top_k")
    for expected in (1, 0, -1, None):
        qtbot.keyClick(top_k, Qt.Key.Key_Down)
        assert sent_value(window, "top_k") == expected
    type_into(qtbot, window, "max_tokens", "100")
    qtbot.keyClick(edit_of(window, "max_tokens"), Qt.Key.Key_PageDown)
    assert sent_value(window, "max_tokens") == 90


def test_slider_spin_box_send_box_and_reset_agree(qtbot, window):
    reset_all(window)
    field = controls(window).panel.fields["repetition_penalty"]
    type_into(qtbot, window, "repetition_penalty", "1.1")
    assert field.slider.value() == 110
    focus(qtbot, field.slider)
    qtbot.keyClick(field.slider, Qt.Key.Key_Right)
    assert sent_value(window, "repetition_penalty") == 1.15
    assert field.spin.text() == "1.15" and field.send.isChecked()
    field.reset.click()
    assert sent_value(window, "repetition_penalty") is None
    assert field.spin.text() == "default" and not field.send.isChecked()
    field.send.click()
    assert sent_value(window, "repetition_penalty") == 1.0 and field.spin.text() == "1.00"


def test_a_value_vllm_refuses_is_not_applied_and_says_why(qtbot, window, sim):
    reset_all(window)
    panel = controls(window).panel
    type_into(qtbot, window, "top_p", "0.9")
    for name, text, kept in (
        ("top_p", "1.5", 0.9),
        ("top_p", "0", 0.9),
        ("temperature", "-0.03", None),
        ("top_k", "-2", None),
        ("max_tokens", "2.5", None),
        ("min_p", "0.1234567", None),
    ):
        type_into(qtbot, window, name, text)
        field = panel.fields[name]
        assert sent_value(window, name) == kept, (name, text)
        assert field.note.isVisible() and text in field.note.text(), (name, field.note.text())
        assert field.spin.text() == ("default" if kept is None else f"{kept:.2f}")
    # An arrow key on text that is not a value goes back to the value before the edit.
    type_into(qtbot, window, "top_p", "1.7", commit=None)
    qtbot.keyClick(edit_of(window, "top_p"), Qt.Key.Key_Up)
    assert sent_value(window, "top_p") == 0.9 and "1.7" in panel.fields["top_p"].note.text()
    type_into(qtbot, window, "top_p", "0.7")
    assert not panel.fields["top_p"].note.isVisible()
    assert sampling_sent(ask(qtbot, window, sim)) == {"top_p": 0.7}


@pytest.fixture
def german():
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    yield
    QLocale.setDefault(before)


def test_german_locale_takes_a_comma_and_a_point(german, qtbot, window, sim):
    reset_all(window)
    type_into(qtbot, window, "temperature", "0,3")
    type_into(qtbot, window, "repetition_penalty", "1.1")
    type_into(qtbot, window, "frequency_penalty", "-1,25")
    type_into(qtbot, window, "max_tokens", "1.024")  # grouped thousands in German
    assert edit_of(window, "temperature").text() == "0,30"
    assert edit_of(window, "repetition_penalty").text() == "1,10"
    assert sampling_sent(ask(qtbot, window, sim)) == {
        "temperature": 0.3,
        "repetition_penalty": 1.1,
        "frequency_penalty": -1.25,
        "max_tokens": 1024,
    }


# -- the wheel ------------------------------------------------------------------------------


def scroll_bar(window):
    scroll = window.findChild(QScrollArea, "parametersScroll")
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0, "the panel must be taller than the dock for this test"
    bar.setValue(0)
    return bar


def wheel(widget: QWidget, notches: int = -1) -> None:
    """A real wheel event over the middle of ``widget`` (negative: scroll down)."""
    local = QPointF(widget.rect().center())
    event = QWheelEvent(
        local,
        QPointF(widget.mapToGlobal(local.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_wheel_over_fields_scrolls_the_panel(qtbot, window):
    window.resize(900, 480)
    reset_all(window)
    panel = controls(window).panel
    composer = window.composer.edit
    focus(qtbot, composer)
    type_into(qtbot, window, "presence_penalty", "0.5")
    focus(qtbot, composer)
    bar = scroll_bar(window)
    for name in ("frequency_penalty", "presence_penalty", "top_k", "max_tokens"):
        field = panel.fields[name]
        before = field.value()
        for target in (field.spin, field.slider):
            bar.setValue(0)
            wheel(target)
            assert bar.value() > 0, (name, target)
            assert field.value() == before and sent_value(window, name) == before, name
    combo = panel.presets.combo
    assert isinstance(combo, QComboBox)
    selected = combo.currentIndex()
    bar.setValue(0)
    wheel(combo)
    assert bar.value() > 0 and combo.currentIndex() == selected
    assert sent_value(window, "presence_penalty") == 0.5


def test_wheel_changes_a_focused_field_but_never_switches_one_on(qtbot, window):
    window.resize(900, 480)
    reset_all(window)
    field = controls(window).panel.fields["frequency_penalty"]
    focus(qtbot, field.spin.lineEdit())
    bar = scroll_bar(window)
    wheel(field.spin, notches=1)
    assert sent_value(window, "frequency_penalty") is None and field.spin.text() == "default"
    type_into(qtbot, window, "frequency_penalty", "0.5", commit=None)
    bar.setValue(0)
    wheel(field.spin, notches=1)
    assert sent_value(window, "frequency_penalty") == 0.6
    assert bar.value() == 0  # the focused field took it


# -- max_tokens and the model's context --------------------------------------------------


@pytest.mark.parametrize("sim_config", [SimulatorConfig(tokens_per_second=None, max_model_len=512)])
def test_max_tokens_follows_a_small_context(qtbot, window, sim):
    reset_all(window)
    field = controls(window).panel.fields["max_tokens"]
    qtbot.waitUntil(lambda: field.slider.maximum() == 512)
    field.send.click()
    start = sent_value(window, "max_tokens")
    assert start is not None and start <= 256
    body = ask(qtbot, window, sim, "hi")
    assert body["max_tokens"] == start
    assert window.services.chat.current.messages[-1].error is None
    type_into(qtbot, window, "max_tokens", "1000")
    assert sent_value(window, "max_tokens") == start
    assert "512" in field.note.text() and field.note.isVisible()
    edit = edit_of(window, "max_tokens")
    type_into(qtbot, window, "max_tokens", "505")
    qtbot.keyClick(edit, Qt.Key.Key_PageUp)
    assert sent_value(window, "max_tokens") == 512  # stepping stops at the context
    field.slider.setValue(field.slider.maximum())
    assert sent_value(window, "max_tokens") == 512


def test_max_tokens_keeps_1024_on_a_large_context(qtbot, window, sim):
    reset_all(window)
    field = controls(window).panel.fields["max_tokens"]
    assert field.slider.maximum() == sim.simulator.config.max_model_len
    field.send.click()
    assert sent_value(window, "max_tokens") == 1024


def test_values_loaded_from_a_preset_show_every_digit_they_send(qtbot, window, sim, tmp_path):
    """A preset may hold more decimals than a field shows by default, or more than the
    panel's own ceiling: the field shows the value as sent, and keeps it."""
    path = tmp_path / "presets.json"
    path.write_text(
        '{"presets": [{"name": "Fine", "sampling":'
        ' {"temperature": 0.333, "repetition_penalty": 12.5, "top_p": 0.125}}]}'
    )
    bar = controls(window).panel.presets
    assert bar.import_from(path)
    bar.combo.activated.emit(bar.combo.findData("Fine"))
    assert edit_of(window, "temperature").text() == "0.333"
    assert edit_of(window, "repetition_penalty").text() == "12.50"
    assert edit_of(window, "top_p").text() == "0.125"
    # Touching another field leaves them as they are.
    type_into(qtbot, window, "min_p", "0.1")
    assert sampling_sent(ask(qtbot, window, sim)) == {
        "temperature": 0.333,
        "repetition_penalty": 12.5,
        "top_p": 0.125,
        "min_p": 0.1,
    }


def test_seed_takes_plain_digits_only(qtbot, window, sim):
    reset_all(window)
    seed = edit_of(window, "seed")
    for pasted in ("1_000", "\u0661\u0662", " 7"):  # Python's int() would take each of these
        QGuiApplication.clipboard().setText(pasted)
        focus(qtbot, seed)
        qtbot.keyClick(seed, Qt.Key.Key_A, CTRL)
        qtbot.keyClick(seed, Qt.Key.Key_V, CTRL)
        assert seed.text() in ("", pasted.strip()) and "_" not in seed.text(), pasted
        value = sent_value(window, "seed")
        assert value is None or str(value) == seed.text(), pasted
    type_into(qtbot, window, "seed", "-42")
    assert sampling_sent(ask(qtbot, window, sim)) == {"seed": -42}


def test_every_unset_field_shows_default_and_is_not_marked(window):
    """A field left unset reads "default" and is not flagged as an edit in progress (a field
    valid only above 0, like repetition_penalty, once showed an empty box in red)."""
    panel = controls(window).panel
    panel.reset_all.click()
    unset = [n for n in TYPED if n != "seed" and panel.params.value(n) is None]
    assert "repetition_penalty" in unset
    for name in unset:
        spin = window.findChild(QWidget, f"param_{name}")
        assert spin.text() == "default", name
        assert not spin.property("pending"), name
