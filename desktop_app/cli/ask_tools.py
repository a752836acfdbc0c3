"""`gemma-desk ask --mcp-config FILE`: the MCP servers' tools go with the request, calls are
run (or asked about, or denied) and answered, and the loop goes on until a reply has no tool
calls or the round limit is reached. The servers are stopped before the command exits.

Imported only when --mcp-config is given, so plain `ask` keeps its quick start.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from desktop_app.api import (
    ChatRequest,
    Completion,
    GemmaAPIError,
    Message,
    SyncVLLMClient,
    ToolCall,
)
from desktop_app.cli.ask_plan import EXIT_USAGE, PROG, Plan
from desktop_app.core.mcp.config import McpConfigError, parse_mcp_servers
from desktop_app.core.mcp.connection import McpCallError, McpConnection, McpServerError
from desktop_app.core.mcp.naming import McpTool, name_tools, public_tool
from desktop_app.core.mcp.results import REJECTED_RESULT, ToolOutcome, failure, outcome_of

EXIT_TOOL_SERVER = 4
CALL_TIMEOUT = 120.0

Describe = Callable[[GemmaAPIError, Plan], tuple[int, str]]


def run_with_tools(plan: Plan, printer: Any, describe: Describe) -> int:
    """Runs the plan with the tools of ``plan.mcp_config``; returns the exit status."""
    assert plan.mcp_config is not None
    try:
        text = Path(plan.mcp_config).read_text(encoding="utf-8")
        servers, skipped = parse_mcp_servers(text)
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(EXIT_USAGE, f"--mcp-config: cannot read {plan.mcp_config}: {exc}")
    except McpConfigError as exc:
        return _fail(EXIT_USAGE, f"--mcp-config: {exc}")
    for note in skipped:
        sys.stderr.write(f"{PROG}: --mcp-config: skipped {note}\n")
    if not servers:
        return _fail(EXIT_USAGE, "--mcp-config: the file names no usable MCP server")
    connections = [McpConnection(c) for c in servers]
    return asyncio.run(_run(plan, printer, describe, connections))


def _fail(status: int, message: str) -> int:
    sys.stderr.write(f"{PROG}: {message}\n")
    return status


async def _run(
    plan: Plan, printer: Any, describe: Describe, connections: list[McpConnection]
) -> int:
    try:
        for conn in connections:
            try:
                await conn.start()
            except McpServerError as exc:
                return _fail(EXIT_TOOL_SERVER, f"an MCP server did not start: {exc}")
        listed = [
            (conn.config.id, conn.config.name, public_tool(t))
            for conn in connections
            for t in conn.tools
        ]
        tools = name_tools(listed, [t.name for t in plan.request.tools])
        for tool in tools:
            if tool.problem:
                sys.stderr.write(f"{PROG}: MCP tool {tool.name} of {tool.server_name}: "
                                 f"{tool.problem}\n")
        by_wire = {t.wire_name: t for t in tools if t.definition is not None}
        by_server = {conn.config.id: conn for conn in connections}
        offered = tuple(t.definition for t in by_wire.values() if t.definition is not None)
        return await _loop(plan, printer, describe, by_wire, by_server, offered)
    finally:
        await asyncio.gather(*(c.stop() for c in connections), return_exceptions=True)


async def _loop(
    plan: Plan,
    printer: Any,
    describe: Describe,
    by_wire: dict[str, McpTool],
    by_server: dict[str, McpConnection],
    offered: tuple[Any, ...],
) -> int:
    messages = list(plan.request.messages)
    rounds: list[dict[str, Any]] = []
    completion: Completion | None = None
    for round_number in range(plan.max_rounds + 1):
        request = replace(
            plan.request, messages=tuple(messages), tools=(*plan.request.tools, *offered)
        )
        try:
            completion = await asyncio.to_thread(_complete, plan, request, printer)
        except GemmaAPIError as exc:
            status, message = describe(exc, plan)
            printer.abort(exc.partial)
            sys.stderr.write(f"{PROG}: {message}\n")
            return status
        if not completion.tool_calls or round_number == plan.max_rounds:
            break
        if not plan.json:
            printer.finish(completion, streamed=request.stream)
        messages.append(
            Message.assistant(completion.content or None, tool_calls=tuple(completion.tool_calls))
        )
        results = []
        for call in completion.tool_calls:
            outcome = await _answer(call, plan, by_wire, by_server)
            messages.append(Message.tool(call.id, outcome.content(), name=call.name))
            results.append(
                {
                    "tool_call_id": call.id,
                    "name": call.name,
                    "content": outcome.content(),
                    "is_error": outcome.is_error,
                }
            )
            if not plan.json:
                mark = "error" if outcome.is_error else "result"
                sys.stderr.write(f"{PROG}: {call.name} {mark}: {_short(outcome.content())}\n")
        rounds.append(
            {"tool_calls": [c.to_wire() for c in completion.tool_calls], "results": results}
        )
    assert completion is not None
    if plan.json:
        data = completion.to_json_dict()
        data["rounds"] = rounds
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        printer.finish(completion, streamed=plan.request.stream)
        if completion.tool_calls:
            printer.note(f"stopped after {plan.max_rounds} rounds of tool calls (--max-rounds)")
    return 0


def _complete(plan: Plan, request: ChatRequest, printer: Any) -> Completion:
    with SyncVLLMClient(plan.base_url, plan.api_key, deadline=plan.timeout) as client:
        if request.stream and not plan.json:
            return printer.stream(client, request)
        return client.complete(request)


async def _answer(
    call: ToolCall, plan: Plan, by_wire: dict[str, McpTool], by_server: dict[str, McpConnection]
) -> ToolOutcome:
    tool = by_wire.get(call.name)
    if tool is None:
        return failure(f"There is no tool named “{call.name}”.")
    if plan.tool_policy == "deny":
        return ToolOutcome(REJECTED_RESULT, True)
    try:
        arguments = json.loads(call.arguments or "{}")
    except ValueError as exc:
        return failure(f"The arguments are not valid JSON: {exc}.")
    if not isinstance(arguments, dict):
        return failure("The arguments should be a JSON object.")
    if plan.tool_policy == "ask":
        allowed = await asyncio.to_thread(_ask, call)
        if not allowed:
            return ToolOutcome(REJECTED_RESULT, True)
    conn = by_server[tool.server_id]
    try:
        result = await conn.call(tool.name, arguments, plan.timeout or CALL_TIMEOUT)
    except (McpCallError, McpServerError) as exc:
        return failure(str(exc))
    return outcome_of(result)


def _ask(call: ToolCall) -> bool:
    sys.stderr.write(f"{PROG}: run {call.name} {_short(call.arguments)}? [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


def _short(text: str, limit: int = 300) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[:limit] + "…"
