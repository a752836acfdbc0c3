"""Tool results typed on the call card in a form made from the tool's result schema (an MCP
tool's outputSchema, or a hand-written tool's "result_schema"), or as raw JSON; a result that
does not match the schema says why and blocks Send results. Real keys in the real window."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox

from tests.ui.test_arguments_form import click, field, retype
from tests.ui.test_mcp_window import first_card, mcp_panel  # noqa: F401 - the fixture
from tests.ui.tools_support import add_tool, chat_requests, send, turn_view, wait_idle


def test_an_mcp_result_is_typed_in_the_form_of_its_output_schema(
    qtbot, window, sim, mcp_panel  # noqa: F811 - the fixture
):
    send(qtbot, window, "Use the forecast tool for Brest.")
    msg = wait_idle(qtbot, window, 2)
    assert msg.tool_calls[0].name == "forecast"
    # The output schema shapes the form, and never goes over the wire.
    offered = {t["function"]["name"]: t for t in chat_requests(sim)[0]["tools"]}
    assert "result_schema" not in json.dumps(offered["forecast"])
    assert "output_schema" not in json.dumps(offered["forecast"])
    view, card = first_card(window, msg)
    editor = card.result_editor
    assert editor is not None and editor.isVisible() and not card.result.isVisible()
    assert editor.in_form()
    retype(field(editor, "city"), "Brest")
    retype(field(editor, "high"), "warm")
    qtbot.waitUntil(lambda: editor.message.isVisible())
    assert "whole number" in editor.message.text()
    assert not view.send_results.isEnabled()  # "high" is required and not a whole number
    assert "high" in view.send_results.toolTip()
    retype(field(editor, "high"), "18")
    rain = field(editor, "rain")
    assert isinstance(rain, QComboBox)
    rain.setFocus()
    QTest.keyClick(rain, Qt.Key.Key_Down)  # (not set) -> true
    qtbot.waitUntil(view.send_results.isEnabled)
    assert not editor.message.isVisible()
    # The same value as raw JSON, then back to the form without losing it.
    click(editor.json_button)
    assert json.loads(editor.raw.toPlainText()) == {"city": "Brest", "high": 18, "rain": True}
    click(editor.form_button)
    assert editor.in_form() and field(editor, "high").text() == "18"
    # Nothing ran: the result is the one typed.
    assert window.services.mcp_calls.state(msg.tool_calls[0].id) is None
    click(view.send_results)
    wait_idle(qtbot, window, 4)
    result = window.services.chat.current.messages[2]
    assert result.role == "tool"
    assert json.loads(result.content) == {"city": "Brest", "high": 18, "rain": True}


def test_raw_json_that_breaks_the_output_schema_blocks_send_and_says_why(
    qtbot, window, sim, mcp_panel  # noqa: F811 - the fixture
):
    send(qtbot, window, "Use the forecast tool for Brest.")
    msg = wait_idle(qtbot, window, 2)
    view, card = first_card(window, msg)
    editor = card.result_editor
    click(editor.json_button)
    editor.raw.setFocus()
    QTest.keyClick(editor.raw, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor.raw, '{"city": "Brest", "high": "warm"}')
    qtbot.waitUntil(lambda: "'warm' is not of type 'integer'" in editor.message.text())
    assert editor.message.isVisible()
    assert not view.send_results.isEnabled()
    assert "result schema" in view.send_results.toolTip()
    # Switching to the form keeps the raw text: the form cannot hold a string in "high".
    click(editor.form_button)
    assert not editor.in_form() and "high" in editor.message.text()
    QTest.keyClick(editor.raw, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor.raw, '{"city": "Brest", "high": 12}')
    qtbot.waitUntil(view.send_results.isEnabled)
    click(view.send_results)
    wait_idle(qtbot, window, 4)
    content = window.services.chat.current.messages[2].content
    assert json.loads(content) == {"city": "Brest", "high": 12}


def test_a_run_result_is_sent_as_the_server_gave_it(
    qtbot, window, sim, mcp_panel  # noqa: F811 - the fixture
):
    send(qtbot, window, "Use the forecast tool for Brest.")
    msg = wait_idle(qtbot, window, 2)
    view, card = first_card(window, msg)
    click(card.mcp.run_button)
    qtbot.waitUntil(view.send_results.isEnabled, timeout=20_000)
    editor = card.result_editor
    assert editor.in_form() and field(editor, "high").text() == "18"
    assert not editor.message.isVisible()
    click(view.send_results)
    wait_idle(qtbot, window, 4)
    content = window.services.chat.current.messages[2].content
    assert json.loads(content) == {"city": "Brest", "high": 18, "rain": True}


STOCK = {
    "name": "stock_level",
    "description": "How many items of a product are in stock.",
    "parameters": {
        "type": "object",
        "properties": {"product": {"type": "string"}},
        "required": ["product"],
    },
    "result_schema": {
        "type": "object",
        "properties": {"product": {"type": "string"}, "count": {"type": "integer"}},
        "required": ["product", "count"],
    },
}


def test_a_hand_written_mock_is_checked_against_its_result_schema(qtbot, window, sim):
    window.tools_dock.show()
    add_tool(window, STOCK, mock='{"product": "{{arguments.product}}", "count": "many"}')
    send(qtbot, window, "Call stock_level for the product lamp.")
    msg = wait_idle(qtbot, window, 2)
    assert msg.tool_calls and msg.tool_calls[0].name == "stock_level"
    sent = chat_requests(sim)[0]["tools"]
    assert [t["function"] for t in sent] == [
        {k: v for k, v in STOCK.items() if k != "result_schema"}
    ]
    view = turn_view(window, msg.id)
    card = view.cards[0]
    editor = card.result_editor
    assert editor is not None and editor.in_form()
    click(card.mock_button)
    qtbot.waitUntil(lambda: "'many' is not of type 'integer'" in editor.message.text())
    assert not editor.in_form()  # the form cannot hold a string where a count goes
    assert not view.send_results.isEnabled()
    click(editor.form_button)  # still cannot: the JSON stays, and says why
    assert not editor.in_form()
    editor.raw.setFocus()
    QTest.keyClick(editor.raw, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor.raw, '{"product": "lamp", "count": 3}')
    qtbot.waitUntil(view.send_results.isEnabled)
    click(editor.form_button)
    assert editor.in_form() and field(editor, "count").text() == "3"
    click(view.send_results)
    wait_idle(qtbot, window, 4)
    content = window.services.chat.current.messages[2].content
    assert json.loads(content) == {"product": "lamp", "count": 3}


def test_a_tool_without_a_result_schema_keeps_the_text_box(
    qtbot, window, sim, mcp_panel  # noqa: F811 - the fixture
):
    send(qtbot, window, "What is the weather in Paris?")
    msg = wait_idle(qtbot, window, 2)
    view, card = first_card(window, msg)
    assert card.result.isVisible()
    assert card.result_editor is None or not card.result_editor.isVisible()
    card.result.setFocus()
    QTest.keyClicks(card.result, "sunny")
    qtbot.waitUntil(view.send_results.isEnabled)
