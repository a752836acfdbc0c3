"""Reading the hand-written MCP server form: round trips of args, env and headers, and the
messages for fields that cannot be used."""

from __future__ import annotations

from desktop_app.core.mcp.config import McpServerConfig
from desktop_app.core.mcp.server_form import ServerFields, read_fields


def test_a_config_survives_the_form_both_ways():
    config = McpServerConfig(
        name="files", command="npx", args=["-y", "a b", "it's"],
        env={"TOKEN": "x=y", "EMPTY": ""}, cwd="",
    )
    back, problem = read_fields(ServerFields.of(config), [config], editing=config.id)
    assert problem == "" and back is not None
    assert (back.id, back.args, back.env) == (config.id, config.args, config.env)
    http = McpServerConfig(name="web", transport="http", url="https://h.example/mcp",
                           headers={"Authorization": "Bearer a:b"})
    back, problem = read_fields(ServerFields.of(http), [], editing=http.id)
    assert back is not None and back.headers == http.headers and back.url == http.url


def test_fields_that_cannot_be_used_say_why():
    def why(**kw) -> str:
        config, problem = read_fields(ServerFields(name="s", **kw), [])
        assert config is None
        return problem

    assert "Enter the command" in why(command="  ")
    assert "cannot be read" in why(command="x", args='"open quote')
    assert "Environment line 2" in why(command="x", env="A=1\nno equals sign")
    assert "http:// or https://" in why(transport="http", url="localhost:8000/mcp")
    assert "cannot be read" in why(transport="http", url="http://h:port/mcp")
    assert "spaces" in why(transport="http", url="http://h/a b")
    _, problem = read_fields(ServerFields(name="bad name!", command="x"), [])
    assert "may use only letters" in problem
