"""Call arguments in a form made from the tool's JSON Schema, typed key by key: required
marks, defaults, descriptions, a JSON field for nested values, switching to raw JSON and back
without losing a value, and invalid input that says why and blocks Run."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from desktop_app.api import ToolDefinition
from desktop_app.ui.tools.arguments_editor import ArgumentsEditor
from tests.ui.test_mcp_window import first_card, mcp_panel  # noqa: F401 - the fixture
from tests.ui.tools_support import send, wait_idle

BOOKING = ToolDefinition(
    name="book_table",
    parameters={
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "Where to eat"},
            "people": {"type": "integer", "minimum": 1},
            "budget": {"type": "number", "default": 50},
            "outdoor": {"type": "boolean"},
            "meal": {"enum": ["lunch", "dinner"], "default": "dinner"},
            "notes": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["city", "people"],
    },
)


@pytest.fixture
def editor(qtbot) -> ArgumentsEditor:
    widget = ArgumentsEditor()
    qtbot.addWidget(widget)
    widget.set_call(BOOKING, '{"city": "Oslo", "people": 2}')
    widget.show()
    return widget


def field(editor: ArgumentsEditor, name: str):
    found = editor.form.findChild(QWidget, f"schemaField_{name}")
    assert isinstance(found, QLineEdit | QComboBox)
    return found


def retype(widget, text: str) -> None:
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(widget, Qt.Key.Key_Delete)
    QTest.keyClicks(widget, text)


def click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_the_form_shows_marks_defaults_descriptions_and_the_call_values(editor):
    assert editor.in_form()
    labels = {label.text() for label in editor.form.findChildren(QLabel)}
    assert {"city *", "people *", "budget", "outdoor", "meal", "notes"} <= labels
    assert field(editor, "city").text() == "Oslo" and field(editor, "people").text() == "2"
    assert field(editor, "city").toolTip() == "Where to eat (required)"
    assert field(editor, "budget").placeholderText() == "default: 50"
    assert field(editor, "meal").currentText() == "(not set) (default \"dinner\")"
    assert field(editor, "notes").placeholderText() == "JSON"
    # Unchanged, the call's own text is what runs.
    assert editor.text() == '{"city": "Oslo", "people": 2}' and editor.problem() == ""


def test_typed_values_survive_switching_to_json_and_back(editor):
    retype(field(editor, "people"), "4")
    retype(field(editor, "budget"), "72.5")
    outdoor = field(editor, "outdoor")
    outdoor.setFocus()
    QTest.keyClick(outdoor, Qt.Key.Key_Down)  # (not set) -> true
    meal = field(editor, "meal")
    meal.setFocus()
    QTest.keyClick(meal, Qt.Key.Key_Down)  # (not set) -> lunch
    retype(field(editor, "notes"), '["window seat"]')
    click(editor.json_button)
    assert not editor.in_form()
    expected = {"city": "Oslo", "people": 4, "budget": 72.5, "outdoor": True, "meal": "lunch",
                "notes": ["window seat"]}
    assert json.loads(editor.raw.toPlainText()) == expected
    editor.raw.setFocus()
    QTest.keyClick(editor.raw, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    for _ in range(2):  # drop the closing "\n}" and add a key the schema does not name
        QTest.keyClick(editor.raw, Qt.Key.Key_Backspace)
    QTest.keyClicks(editor.raw, ', "vip": true}')
    click(editor.form_button)
    assert editor.in_form()
    assert field(editor, "budget").text() == "72.5"
    assert field(editor, "meal").currentText() == "lunch"
    assert "vip" in editor.form.note.text()  # kept, and said so
    assert json.loads(editor.text()) == {**expected, "vip": True}


def test_invalid_input_says_why_and_keeps_the_mode(editor):
    retype(field(editor, "people"), "two")
    assert "people: “two” is not a whole number." in editor.message.text()
    assert editor.message.isVisible()
    click(editor.json_button)
    assert editor.in_form() and "Fix the field first" in editor.message.text()
    retype(field(editor, "people"), "0")
    assert "0 is less than the minimum of 1" in editor.problem()  # jsonschema's words
    retype(field(editor, "people"), "")
    assert "'people' is a required property" in editor.problem()
    retype(field(editor, "people"), "3")
    click(editor.json_button)
    retype(editor.raw, '{"city": "Oslo", ')
    assert "not valid JSON" in editor.problem()
    click(editor.form_button)
    assert not editor.in_form() and "cannot be read" in editor.message.text()
    retype(editor.raw, '{"city": 7, "people": 1}')
    click(editor.form_button)
    assert not editor.in_form() and "“city” holds a value the form cannot show" in (
        editor.message.text()
    )


def test_the_call_card_edits_arguments_in_the_form_and_blocks_run_until_valid(
    qtbot, window, sim, mcp_panel  # noqa: F811 - the fixture
):
    send(qtbot, window, "What is the weather in Paris?")
    msg = wait_idle(qtbot, window, 2)
    view, card = first_card(window, msg)
    editor = card.mcp.editor
    assert editor.in_form() and field(editor, "city").text() == "Paris"
    retype(field(editor, "city"), "")
    assert not card.mcp.run_button.isEnabled()
    assert "'city' is a required property" in editor.message.text()
    assert "'city' is a required property" in card.mcp.run_button.toolTip()
    QTest.keyClicks(field(editor, "city"), "Lyon")
    assert card.mcp.run_button.isEnabled()
    click(card.mcp.run_button)
    qtbot.waitUntil(lambda: view.send_results.isEnabled(), timeout=20_000)
    assert "edited arguments" in card.mcp.status.text()
    answer = window.services.tools.answer(msg.tool_calls[0].id)
    assert answer is not None and json.loads(answer.text)["city"] == "Lyon"


def test_a_call_the_form_cannot_hold_opens_as_json_and_says_why(editor):
    editor.set_call(BOOKING, '{"city": ["a", "b"], "people": 1}')
    assert not editor.in_form()
    assert "“city” holds a value the form cannot show" in editor.message.text()
    assert "is not of type 'string'" in editor.message.text()
