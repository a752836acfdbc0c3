"""How MCP tools are named and described to the model: a name another server or a chat tool
already uses gets its server's name in front, and every schema is checked like a hand-written
tool's. Plain Python, shared by the window and `gemma-desk ask`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from desktop_app.api import ToolDefinition
from desktop_app.core.tools.workbench import check_tool_source

_WIRE_CHARS = re.compile(r"[^A-Za-z0-9_.\-]")


@dataclass(frozen=True)
class McpTool:
    """One tool of one server as offered: ``wire_name`` is what the model sees."""

    server_id: str
    server_name: str
    name: str  # the server's own name for it
    wire_name: str
    definition: ToolDefinition | None  # None when its schema is not usable
    problem: str = ""  # why it is not offered (bad schema), or ''

    @property
    def key(self) -> str:
        return f"{self.server_id}/{self.name}"


def name_tools(
    listed: Iterable[tuple[str, str, dict[str, Any]]], taken: Sequence[str] = ()
) -> list[McpTool]:
    """(server id, server name, tool as listed) -> tools named for the wire: a name two
    servers share, one a chat tool uses (``taken``), or one with characters a tool name may
    not have, becomes ``<server>_<tool>``."""
    raw = list(listed)
    counts: dict[str, int] = {}
    for _i, _n, tool in raw:
        name = str(tool.get("name") or "")
        counts[name] = counts.get(name, 0) + 1
    taken_set = set(taken)
    out = []
    for server_id, server_name, tool in raw:
        name = str(tool.get("name") or "")
        wire = _WIRE_CHARS.sub("_", name)[:64]
        if counts[name] > 1 or wire in taken_set or wire != name:
            wire = _WIRE_CHARS.sub("_", f"{server_name}_{name}")[:64]
        definition, problem = _definition(wire, server_name, tool)
        out.append(McpTool(server_id, server_name, name, wire, definition, problem))
    return out


def public_tool(tool: Any) -> dict[str, Any]:
    return {
        "name": tool.name,
        "description": tool.description or "",
        "title": getattr(tool, "title", None) or "",
        "input_schema": tool.input_schema,
        "output_schema": getattr(tool, "output_schema", None),
    }


def _definition(
    wire: str, server: str, tool: dict[str, Any]
) -> tuple[ToolDefinition | None, str]:
    """The OpenAI tool of an MCP tool, checked like a hand-written one."""
    description = str(tool.get("description") or tool.get("title") or "").strip()
    if not description:
        # vLLM's Gemma 4 template needs one; say at least where the tool comes from.
        description = f"{tool.get('name')} (a tool of the MCP server {server})"
    schema = tool.get("input_schema")
    if not isinstance(schema, dict):
        schema = {"type": "object", "properties": {}}
    source = json.dumps({"name": wire, "description": description, "parameters": schema})
    check = check_tool_source(source)
    if check.ok and check.definition is not None:
        return replace(check.definition, result_schema=_result_schema(tool)), ""
    first = check.errors[0].describe() if check.errors else "its definition is not usable"
    return None, f"Not offered: its input schema is not valid ({first})."


def _result_schema(tool: dict[str, Any]) -> dict[str, Any] | None:
    """The tool's outputSchema when it is a usable JSON Schema; a broken one only costs the
    result form (the result is then edited as text), never the tool."""
    schema = tool.get("output_schema")
    if not isinstance(schema, dict):
        return None
    from jsonschema import Draft202012Validator

    valid = Draft202012Validator(Draft202012Validator.META_SCHEMA).is_valid(schema)
    return schema if valid else None
