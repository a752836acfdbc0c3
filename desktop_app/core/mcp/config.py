"""MCP server settings: what a server is, the `mcpServers` JSON others use, and its checks.

A server is either a local program spoken to over stdio (command, args, env, working folder)
or a Streamable HTTP endpoint (URL, headers). Environment values, the URL and header values
often carry tokens, so `secret_part` splits them off for the keyring and `public_part` is what
the settings file may hold.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

Transport = Literal["stdio", "http"]
_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")


@dataclass
class McpServerConfig:
    """One MCP server as the user set it up."""

    name: str
    transport: Transport = "stdio"
    command: str = ""
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cwd: str = ""
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    enabled: bool = True
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def problem(self) -> str:
        """Why this server cannot be started as set up, or ''."""
        if not _NAME.match(self.name):
            return (
                f"The server name “{self.name}” may use only letters, digits, “_” and “-” "
                "(at most 40): it becomes part of its tools' names."
            )
        if self.transport == "stdio" and not self.command.strip():
            return f"Server “{self.name}” has no command to start."
        if self.transport == "http" and not re.match(r"^https?://", self.url.strip()):
            return f"Server “{self.name}” needs an http:// or https:// URL."
        return ""

    def public_part(self) -> dict[str, Any]:
        """What the settings file holds: never an environment value, a URL or a header."""
        return {
            "id": self.id,
            "name": self.name,
            "transport": self.transport,
            "command": self.command,
            "args": list(self.args),
            "cwd": self.cwd,
            "enabled": self.enabled,
            # The names only, so the settings show what the keyring must supply.
            "env_names": sorted(self.env),
            "header_names": sorted(self.headers),
        }

    def secret_part(self) -> str:
        """The keyring's part, as one JSON text."""
        return json.dumps({"env": self.env, "url": self.url, "headers": self.headers})

    @classmethod
    def from_parts(cls, public: dict[str, Any], secret: str | None) -> McpServerConfig:
        """Rebuilds a server from the settings entry and the keyring text (None: missing)."""
        hidden: dict[str, Any] = {}
        if secret:
            try:
                loaded = json.loads(secret)
            except ValueError:
                loaded = {}
            hidden = loaded if isinstance(loaded, dict) else {}
        transport = public.get("transport")
        return cls(
            name=str(public.get("name") or "server"),
            transport="http" if transport == "http" else "stdio",
            command=str(public.get("command") or ""),
            args=[str(a) for a in public.get("args") or [] if isinstance(a, str | int | float)],
            env=_str_dict(hidden.get("env")),
            cwd=str(public.get("cwd") or ""),
            url=str(hidden.get("url") or ""),
            headers=_str_dict(hidden.get("headers")),
            enabled=public.get("enabled") is not False,
            id=str(public.get("id") or uuid.uuid4().hex[:12]),
        )


def _str_dict(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str | int | float | bool)}


class McpConfigError(ValueError):
    """An `mcpServers` file that cannot be read; the message says where and what to do."""


def parse_mcp_servers(text: str) -> tuple[list[McpServerConfig], list[str]]:
    """Reads the `mcpServers` JSON of Claude Desktop and others.

    Returns the servers and a note per entry that was skipped (with why). Raises
    McpConfigError when the text is not such a file at all.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise McpConfigError(f"The MCP configuration is not valid JSON: {exc}.") from None
    if not isinstance(data, dict):
        raise McpConfigError("The MCP configuration should be a JSON object with “mcpServers”.")
    servers = data.get("mcpServers", data.get("servers"))
    if not isinstance(servers, dict):
        raise McpConfigError(
            "No “mcpServers” object found: the file should look like "
            '{"mcpServers": {"name": {"command": "…", "args": […]}}}.'
        )
    found: list[McpServerConfig] = []
    skipped: list[str] = []
    for name, entry in servers.items():
        if not isinstance(entry, dict):
            skipped.append(f"“{name}” is not an object.")
            continue
        config, why = _server_from_entry(str(name), entry)
        if config is None:
            skipped.append(why)
            continue
        problem = config.problem()
        if problem:
            skipped.append(problem)
            continue
        found.append(config)
    return found, skipped


def _server_from_entry(name: str, entry: dict[str, Any]) -> tuple[McpServerConfig | None, str]:
    kind = str(entry.get("type") or entry.get("transport") or "")
    url = entry.get("url") or entry.get("serverUrl")
    if isinstance(url, str) and url:
        if kind in ("sse",):
            return None, f"“{name}” uses the old SSE transport; only Streamable HTTP is supported."
        return (
            McpServerConfig(
                name=name, transport="http", url=url, headers=_str_dict(entry.get("headers"))
            ),
            "",
        )
    command = entry.get("command")
    if not isinstance(command, str) or not command.strip():
        return None, f"“{name}” has neither a “command” nor a “url”."
    args = entry.get("args") or []
    if not isinstance(args, list) or not all(isinstance(a, str | int | float) for a in args):
        return None, f"“{name}”: “args” should be a list of strings."
    cwd = entry.get("cwd") or ""
    return (
        McpServerConfig(
            name=name,
            command=command,
            args=[str(a) for a in args],
            env=_str_dict(entry.get("env")),
            cwd=cwd if isinstance(cwd, str) else "",
        ),
        "",
    )
