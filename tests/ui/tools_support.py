"""Helpers shared by the tools workbench window tests."""

from __future__ import annotations

from window_support import send  # noqa: F401 - re-exported for the tests

from desktop_app.core.chat.conversation import ChatMessage


def wait_idle(qtbot, window, n_messages: int, timeout: int = 15_000) -> ChatMessage:
    """Waits until the conversation has ``n_messages`` and no reply runs; the last one."""
    chat = window.services.chat
    qtbot.waitUntil(
        lambda: not chat.busy and len(chat.current.messages) == n_messages, timeout=timeout
    )
    return chat.current.messages[-1]


def add_sample(window, name: str = "get_weather.json") -> None:
    window.tools_panel.add_sample(name)


def chat_requests(sim) -> list[dict]:
    return [r.body for r in sim.simulator.requests if r.path.endswith("/chat/completions")]


def turn_view(window, message_id: str):
    widget = window.chat_view.widget_for(message_id)
    assert widget is not None
    return widget.tool_view


def add_tool(window, source: dict, mock: str = "", auto: bool = False) -> None:
    """Adds a tool through the panel's editor, as a user pasting JSON would."""
    import json

    panel = window.tools_panel
    panel.add_blank()
    panel.editor.source.setPlainText(json.dumps(source, indent=2))
    if mock:
        panel.editor.mock.setPlainText(mock)
    if auto:
        panel.editor.auto_answer.setChecked(True)


def import_tools_file(qtbot, window, path, timeout: int = 20_000) -> bool:
    """Imports `path` through the panel and waits until the import ends; True if it added."""
    panel = window.tools_panel
    with qtbot.waitSignal(panel.importFinished, timeout=timeout) as blocker:
        panel.import_file(path)
    return blocker.args[0]
