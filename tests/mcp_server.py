"""A small MCP server for the tests, written with the official SDK (stdio or Streamable HTTP).

    python tests/mcp_server.py [--mode normal|exit|garbage|hang|flood] [--http PORT]

It prints ``pid <n>`` to stderr first, so a test can check the process is gone afterwards.
The modes are the bad servers: ``exit`` dies at once, ``garbage`` writes non-JSON lines to
stdout before serving, ``hang`` never reads its input, ``flood`` writes megabytes to stderr.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import time

from mcp.server.mcpserver import MCPServer
from mcp_types import AudioContent, CallToolResult, ImageContent, TextContent
from pydantic import BaseModel

# A 1x1 PNG: the smallest real image a tool can return.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

server = MCPServer("test-tools")


@server.tool(description="Adds two integers.")
def add(a: int, b: int) -> int:
    return a + b


@server.tool(description="Echoes the text back.")
def echo(text: str) -> str:
    return text


@server.tool(description="Gets the current weather for a city.")
def get_weather(city: str) -> dict:
    _note("get_weather", city)
    if city == "Atlantis":
        raise ValueError("No weather station in Atlantis.")
    return {"city": city, "temperature": 21, "unit": "celsius", "source": "mcp"}


class Forecast(BaseModel):
    """The structured result of ``forecast``: the SDK lists its schema as the outputSchema."""

    city: str
    high: int
    rain: bool = False


@server.tool(description="Gets tomorrow's forecast for a city.")
def forecast(city: str) -> Forecast:
    return Forecast(city=city, high=18, rain=city == "Brest")


@server.tool(description="Sleeps for the given number of seconds, then answers.")
def slow(seconds: float) -> str:
    _note("slow", seconds)
    time.sleep(seconds)
    return f"slept {seconds}"


def _note(tool: str, value: object) -> None:
    """Appends a line to $MCP_TEST_CALLS (when set), so a test can see which tools ran."""
    path = os.environ.get("MCP_TEST_CALLS")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"{tool} {value}\n")


@server.tool(description="Always fails with the given message.")
def fail(message: str) -> str:
    raise ValueError(message)


@server.tool(description="Returns a tiny PNG image.")
def pixel() -> CallToolResult:
    data = base64.b64encode(PIXEL).decode()
    return CallToolResult(
        content=[
            TextContent(text="one pixel"),
            ImageContent(data=data, mime_type="image/png"),
        ]
    )


@server.tool(description="Returns a text of the given size in megabytes.")
def big(megabytes: float) -> str:
    return "x" * int(megabytes * 1024 * 1024)


@server.tool(description="Returns an audio clip (a content type the app does not pass on).")
def sound() -> CallToolResult:
    return CallToolResult(content=[AudioContent(data="AAAA", mime_type="audio/wav")])


@server.tool(description="Kills the server process in the middle of the call.")
def die() -> str:
    sys.stderr.write("dying now\n")
    sys.stderr.flush()
    os._exit(3)


@server.tool(description="The server's process id.")
def pid() -> int:
    return os.getpid()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", default="normal")
    parser.add_argument("--http", type=int, default=0)
    args = parser.parse_args()
    sys.stderr.write(f"pid {os.getpid()}\n")
    sys.stderr.flush()
    if args.mode == "exit":
        sys.stderr.write("cannot start: missing configuration\n")
        sys.exit(2)
    if args.mode == "hang":
        while True:
            time.sleep(60)
    if args.mode == "garbage":
        sys.stdout.write("this is not JSON-RPC\n{broken\n")
        sys.stdout.flush()
    if args.mode == "flood":
        line = "noise " * 20 + "\n"
        for _ in range(40_000):  # about 5 MB
            sys.stderr.write(line)
        sys.stderr.write("flood done\n")
        sys.stderr.flush()
    if args.http:
        server.run("streamable-http", host="127.0.0.1", port=args.http)
    else:
        server.run("stdio")


if __name__ == "__main__":
    main()
