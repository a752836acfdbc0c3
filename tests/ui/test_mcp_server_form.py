"""Adding, editing and removing an MCP server by hand in the Tools dock, typed key by key:
clear messages for what cannot be used, secrets in the keyring only, and the added server
starts and lists its tools."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop_app.core.mcp.connection import ServerState
from desktop_app.ui.mcp.panel import McpPanel

SERVER = str(Path(__file__).resolve().parent.parent / "mcp_server.py")


@pytest.fixture
def panel(window) -> McpPanel:
    window.tools_dock.show()
    found = window.findChild(McpPanel, "mcpPanel")
    assert found is not None
    return found


def click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_into(widget, text: str) -> None:
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(widget, Qt.Key.Key_Delete)
    QTest.keyClicks(widget, text)


def saved_settings(window) -> str:
    return json.dumps(window.services.settings.extra.get("mcp"))


def test_a_stdio_server_added_by_hand_starts_and_keeps_its_env_in_the_keyring(
    qtbot, window, secrets, panel
):
    click(panel.add_button)
    form = panel.form
    assert form is not None and form.isVisible()
    click(form.save_button)
    assert form.error.isVisible() and "Give the server a name" in form.error.text()
    type_into(form.name, "local")
    click(form.save_button)
    assert "Enter the command" in form.error.text()
    assert form.isVisible() and form.name.text() == "local"  # nothing typed is lost
    type_into(form.command, sys.executable)
    type_into(form.args, shlex.join([SERVER]))
    type_into(form.cwd, "/no/such/folder")
    type_into(form.env, "GEMMA_FORM_TOKEN=s3cret-env-value")
    click(form.save_button)
    assert "working folder “/no/such/folder” does not exist" in form.error.text()
    type_into(form.cwd, str(Path(SERVER).parent))
    click(form.save_button)
    qtbot.waitUntil(lambda: panel.form is None, timeout=5_000)
    assert "Added MCP server local" in panel.status.text()
    mcp = window.services.mcp
    [server] = mcp.servers
    assert server.args == [SERVER] and server.env == {"GEMMA_FORM_TOKEN": "s3cret-env-value"}
    assert "s3cret-env-value" not in saved_settings(window)
    account = f"mcp-server:{server.id}"
    qtbot.waitUntil(lambda: "s3cret-env-value" in (secrets.get(account) or ""), timeout=5_000)
    # The new server is selected: Start runs it and its tools appear under it.
    assert panel.selected_server() == server.id
    click(panel.start_button)
    qtbot.waitUntil(
        lambda: server.id in mcp.connections
        and mcp.connections[server.id].state == ServerState.READY,
        timeout=30_000,
    )
    qtbot.waitUntil(lambda: panel.tree.topLevelItem(0).childCount() >= 5, timeout=5_000)
    assert "get_weather" in {t.name for t in mcp.tools()}


def test_an_http_server_checks_its_url_and_keeps_password_and_headers_secret(
    qtbot, window, secrets, panel
):
    click(panel.add_button)
    form = panel.form
    type_into(form.name, "remote")
    form.transport.setFocus()
    QTest.keyClick(form.transport, Qt.Key.Key_Down)  # stdio -> Streamable HTTP
    assert form.transport.currentData() == "http" and form.url.isVisible()
    click(form.save_button)
    assert "Enter the server's URL" in form.error.text()
    type_into(form.url, "ftp://example.com/mcp")
    click(form.save_button)
    assert "should start with http:// or https://" in form.error.text()
    type_into(form.url, "http://:8000/mcp")
    click(form.save_button)
    assert "no host name" in form.error.text()
    type_into(form.url, "http://user:pa55word@127.0.0.1:9/mcp")
    type_into(form.headers, "Authorization Bearer tok")
    click(form.save_button)
    assert "Header line 1 should look like “Name: value”" in form.error.text()
    type_into(form.headers, "Authorization: Bearer header-tok")
    click(form.save_button)
    qtbot.waitUntil(lambda: panel.form is None, timeout=5_000)
    [server] = window.services.mcp.servers
    assert server.transport == "http" and server.headers == {"Authorization": "Bearer header-tok"}
    stored = saved_settings(window)
    assert "pa55word" not in stored and "header-tok" not in stored and "127.0.0.1" not in stored
    account = f"mcp-server:{server.id}"
    qtbot.waitUntil(lambda: "pa55word" in (secrets.get(account) or ""), timeout=5_000)
    assert "header-tok" in secrets.get(account)


def test_editing_keeps_the_server_and_remove_forgets_it_and_its_secrets(
    qtbot, window, secrets, panel
):
    click(panel.add_button)
    form = panel.form
    type_into(form.name, "first")
    type_into(form.command, sys.executable)
    type_into(form.env, "TOKEN=one")
    click(form.save_button)
    qtbot.waitUntil(lambda: panel.form is None, timeout=5_000)
    click(panel.add_button)
    type_into(panel.form.name, "second")
    type_into(panel.form.command, "uvx")
    click(panel.form.save_button)
    qtbot.waitUntil(lambda: panel.form is None, timeout=5_000)
    mcp = window.services.mcp
    first = mcp.servers[0]
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    click(panel.edit_button)
    form = panel.form
    assert form.windowTitle() == "Edit MCP server"
    assert form.name.text() == "first" and form.env.toPlainText() == "TOKEN=one"
    type_into(form.name, "second")
    click(form.save_button)
    assert "already a server named “second”" in form.error.text()
    type_into(form.name, "renamed")
    type_into(form.args, "--mode 'two words'")
    type_into(form.env, "TOKEN=two")
    click(form.save_button)
    qtbot.waitUntil(lambda: panel.form is None, timeout=5_000)
    assert [s.name for s in mcp.servers] == ["renamed", "second"]
    edited = mcp.servers[0]
    assert edited.id == first.id and edited.args == ["--mode", "two words"]
    account = f"mcp-server:{first.id}"
    qtbot.waitUntil(lambda: '"TOKEN": "two"' in (secrets.get(account) or ""), timeout=5_000)
    assert panel.selected_server() == first.id
    click(panel.remove_button)
    assert [s.name for s in mcp.servers] == ["second"]
    assert panel.tree.topLevelItemCount() == 1
    qtbot.waitUntil(lambda: secrets.get(account) is None, timeout=5_000)


def test_a_server_removed_right_after_it_was_added_leaves_no_keyring_write_behind(
    qtbot, window, secrets
):
    """The keyring write of the add and the delete of the remove are both carried out, in
    order; neither is dropped half-made (a dropped write warned "never awaited")."""
    mcp = window.services.mcp
    mcp.import_text(json.dumps({"mcpServers": {"quick": {"command": "uvx", "env": {"K": "v"}}}}))
    [server] = mcp.servers
    mcp.remove_server(server.id)
    runner = window.services.runner
    qtbot.waitUntil(lambda: not any("secret" in t.get_name() for t in runner.tasks()),
                    timeout=5_000)
    assert secrets.get(f"mcp-server:{server.id}") is None
