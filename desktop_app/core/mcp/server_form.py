"""An MCP server typed by hand: the form's fields read into a server config, with clear
messages for what cannot be used, and a config written back into fields for editing."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from desktop_app.core.mcp.config import McpServerConfig, Transport


@dataclass
class ServerFields:
    """The form as text: args as a shell-like line, env as KEY=value lines, headers as
    Name: value lines."""

    name: str = ""
    transport: Transport = "stdio"
    command: str = ""
    args: str = ""
    env: str = ""
    cwd: str = ""
    url: str = ""
    headers: str = ""
    problems: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, config: McpServerConfig) -> ServerFields:
        return cls(
            name=config.name,
            transport=config.transport,
            command=config.command,
            args=shlex.join(config.args),
            env="\n".join(f"{k}={v}" for k, v in config.env.items()),
            cwd=config.cwd,
            url=config.url,
            headers="\n".join(f"{k}: {v}" for k, v in config.headers.items()),
        )


def read_fields(
    fields: ServerFields, existing: list[McpServerConfig], editing: str | None = None
) -> tuple[McpServerConfig | None, str]:
    """The config the fields describe (keeping ``editing``'s id), or None and why not.
    ``existing`` are the servers already set up: a second server of the same name is refused."""
    name = fields.name.strip()
    if not name:
        return None, "Give the server a name (letters, digits, “_” and “-”)."
    clash = next((s for s in existing if s.name == name and s.id != editing), None)
    if clash is not None:
        return None, f"There is already a server named “{name}”: choose another name."
    config = McpServerConfig(name=name, transport=fields.transport)
    if editing is not None:
        config.id = editing
    if fields.transport == "stdio":
        problem = _read_stdio(fields, config)
    else:
        problem = _read_http(fields, config)
    problem = problem or config.problem()
    return (None, problem) if problem else (config, "")


def _read_stdio(fields: ServerFields, config: McpServerConfig) -> str:
    config.command = fields.command.strip()
    if not config.command:
        return "Enter the command that starts the server (e.g. npx, uvx or a program's path)."
    try:
        config.args = shlex.split(fields.args)
    except ValueError as exc:
        return f"The arguments cannot be read: {exc} (close the quote, or escape it with \\)."
    env, problem = _pairs(fields.env, "=", "Environment", "KEY=value")
    if problem:
        return problem
    config.env = env
    cwd = fields.cwd.strip()
    if cwd and not Path(cwd).expanduser().is_dir():
        return f"The working folder “{cwd}” does not exist: choose a folder, or leave it empty."
    config.cwd = cwd
    return ""


def _read_http(fields: ServerFields, config: McpServerConfig) -> str:
    url = fields.url.strip()
    if not url:
        return "Enter the server's URL (e.g. http://127.0.0.1:8000/mcp)."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        return f"The URL “{url}” cannot be read: {exc}."
    if parts.scheme not in ("http", "https"):
        return f"The URL should start with http:// or https:// (not “{parts.scheme}:”)."
    if not parts.hostname:
        return "The URL has no host name: write it as http://host:port/path."
    if any(c.isspace() for c in url):
        return "The URL contains spaces: remove them or write them as %20."
    config.url = url
    headers, problem = _pairs(fields.headers, ":", "Header", "Name: value")
    if problem:
        return problem
    config.headers = headers
    return ""


def _pairs(text: str, sep: str, what: str, shape: str) -> tuple[dict[str, str], str]:
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, found, value = line.partition(sep)
        key = key.strip()
        if not found or not key or any(c.isspace() for c in key):
            return {}, f"{what} line {number} should look like “{shape}”."
        out[key] = value.strip() if sep == ":" else value
    return out, ""
