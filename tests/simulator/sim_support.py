"""Helpers for the simulator tests: JSON shapes, SSE parsing, captures, test images."""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
}
CONVERT_TOOL = {
    "type": "function",
    "function": {
        "name": "convert_currency",
        "description": "Convert an amount between currencies",
        "parameters": {
            "type": "object",
            "properties": {
                "amount": {"type": "number"},
                "from_currency": {"type": "string"},
                "to_currency": {"type": "string"},
                "round": {"type": "boolean"},
            },
            "required": ["amount", "from_currency", "to_currency", "round"],
        },
    },
}


def shape(value: Any) -> Any:
    """The structure of a JSON value: keys in order, value types; lists by their first item."""
    if isinstance(value, dict):
        return {"{}": [(k, shape(v)) for k, v in value.items()]}
    if isinstance(value, list):
        return ["[]", shape(value[0])] if value else ["[]"]
    if value is None:
        return "null"
    return type(value).__name__


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def sse_data(text: str) -> list[str]:
    """The payloads of the `data:` lines of an SSE body (framing checked on the way)."""
    assert text.endswith("\n\n"), "an SSE body ends with a blank line"
    events = text.split("\n\n")[:-1]
    payloads = []
    for event in events:
        assert event.startswith("data: "), event
        payloads.append(event[len("data: "):])
    return payloads


def chunks(text: str) -> list[dict[str, Any]]:
    """Decoded chunks of an SSE body that ends with `data: [DONE]`."""
    payloads = sse_data(text)
    assert payloads[-1] == "[DONE]"
    return [json.loads(p) for p in payloads[:-1]]


def stream(client: httpx.Client, body: dict[str, Any], path: str = "/chat/completions"
           ) -> list[dict[str, Any]]:
    response = client.post(path, json={**body, "stream": True})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    return chunks(response.text)


def kind(chunk: dict[str, Any]) -> str:
    """A label for a chunk: role, content, reasoning, tool_first, tool_args, finish:..., usage."""
    if not chunk["choices"]:
        return "usage"
    choice = chunk["choices"][0]
    delta = choice["delta"]
    if choice["finish_reason"] is not None:
        return "finish:" + ",".join(delta)
    if "role" in delta:
        return "role"
    if "tool_calls" in delta:
        return "tool_first" if "id" in delta["tool_calls"][0] else "tool_args"
    return ",".join(delta) or "empty"


def content_of(chunk_list: list[dict[str, Any]], field: str = "content") -> str:
    return "".join(c["choices"][0]["delta"].get(field) or "" for c in chunk_list if c["choices"])


def tool_calls_of(chunk_list: list[dict[str, Any]]) -> dict[int, dict[str, str]]:
    """Tool-call deltas merged by index."""
    calls: dict[int, dict[str, str]] = {}
    for chunk in chunk_list:
        for choice in chunk["choices"]:
            for delta in choice["delta"].get("tool_calls", []):
                call = calls.setdefault(delta["index"], {"id": "", "name": "", "arguments": ""})
                call["id"] += delta.get("id", "")
                call["name"] += delta.get("function", {}).get("name", "")
                call["arguments"] += delta.get("function", {}).get("arguments", "")
    return calls


def capture(captures_dir: Path, name: str) -> tuple[int, list[str], bytes]:
    """(status, header names in order, body) of a recorded response."""
    head = (captures_dir / f"{name}.headers").read_text().splitlines()
    status = int(head[0].split()[1])
    names = [line.split(":", 1)[0].lower() for line in head[1:] if ":" in line]
    return status, names, (captures_dir / f"{name}.body").read_bytes()


def header_names(response: httpx.Response) -> list[str]:
    return [name.decode().lower() for name, _ in response.headers.raw]


def data_url(fmt: str, size: tuple[int, int]) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    mime = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "BMP": "bmp"}[fmt]
    return f"data:image/{mime};base64,{base64.b64encode(buffer.getvalue()).decode()}"


def image_message(text: str, urls: list[str]) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = [{"type": "text", "text": text}]
    parts += [{"type": "image_url", "image_url": {"url": url}} for url in urls]
    return [{"role": "user", "content": parts}]


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll a condition that another thread makes true."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)
