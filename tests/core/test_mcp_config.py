"""MCP settings: the mcpServers JSON of other apps, secrets kept out of the settings file,
tool names that clash, and schemas that are not valid JSON Schema."""

from __future__ import annotations

import json

import pytest

from desktop_app.core.mcp.config import McpConfigError, McpServerConfig, parse_mcp_servers
from desktop_app.core.mcp.naming import name_tools

CLAUDE_DESKTOP = {
    "mcpServers": {
        "files": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
            "env": {"API_TOKEN": "sk-secret-env"},
        },
        "remote": {
            "type": "http",
            "url": "https://user:pw@example.com/mcp?token=sk-url",
            "headers": {"Authorization": "Bearer sk-header"},
        },
        "old": {"type": "sse", "url": "https://example.com/sse"},
        "broken": {"args": ["x"]},
    }
}


def test_reads_the_claude_desktop_file_and_says_what_it_skipped():
    servers, skipped = parse_mcp_servers(json.dumps(CLAUDE_DESKTOP))
    by_name = {s.name: s for s in servers}
    assert set(by_name) == {"files", "remote"}
    files = by_name["files"]
    assert files.transport == "stdio" and files.command == "npx"
    assert files.args[-1] == "/tmp" and files.env == {"API_TOKEN": "sk-secret-env"}
    remote = by_name["remote"]
    assert remote.transport == "http" and remote.headers["Authorization"] == "Bearer sk-header"
    assert any("SSE" in s for s in skipped)
    assert any("“broken” has neither" in s for s in skipped)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"servers": 3}', "No “mcpServers”"),
    ],
)
def test_a_file_that_is_not_an_mcp_configuration_is_a_clear_error(text, expected):
    with pytest.raises(McpConfigError, match=expected):
        parse_mcp_servers(text)


def test_the_settings_part_holds_no_secret_and_the_keyring_part_restores_them():
    servers, _ = parse_mcp_servers(json.dumps(CLAUDE_DESKTOP))
    for server in servers:
        public = json.dumps(server.public_part())
        for secret in ("sk-secret-env", "sk-url", "sk-header", "pw@"):
            assert secret not in public
        again = McpServerConfig.from_parts(json.loads(public), server.secret_part())
        assert again == server


def tool(name: str, schema: object = None, description: str = "Does it.") -> dict:
    return {
        "name": name,
        "description": description,
        "input_schema": schema if schema is not None else {"type": "object", "properties": {}},
    }


def test_clashing_names_get_their_server_name_in_front():
    listed = [
        ("a", "alpha", tool("search")),
        ("b", "beta", tool("search")),
        ("a", "alpha", tool("get_weather")),
        ("b", "beta", tool("fetch page")),
    ]
    named = {(t.server_name, t.name): t.wire_name for t in name_tools(listed, ["get_weather"])}
    assert named == {
        ("alpha", "search"): "alpha_search",
        ("beta", "search"): "beta_search",
        ("alpha", "get_weather"): "alpha_get_weather",  # a chat tool has that name
        ("beta", "fetch page"): "beta_fetch_page",  # a space is not allowed in a tool name
    }


def test_a_tool_whose_schema_is_not_json_schema_is_not_offered_and_says_why():
    bad = name_tools([("a", "alpha", tool("odd", {"type": "object", "properties": 5}))])[0]
    assert bad.definition is None and "not valid" in bad.problem
    plain = name_tools([("a", "alpha", tool("plain", description=""))])[0]
    assert plain.definition is not None and "alpha" in plain.definition.description
