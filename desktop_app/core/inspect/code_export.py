"""A recorded request as code to run elsewhere: cURL, Python (httpx) or plain JSON.

The forms follow the API docs users already have: the server, model and key come from
``$GEMMA_BASE_URL``, ``$GEMMA_MODEL`` and ``$HEXGRID_API_KEY``. The key is written into the
code only when the caller passes it, which the UI does only on the user's explicit request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

BASE_URL_VAR = "GEMMA_BASE_URL"
MODEL_VAR = "GEMMA_MODEL"
KEY_VAR = "HEXGRID_API_KEY"

# Linux refuses a single command-line argument over 128 KiB (MAX_ARG_STRLEN), which a
# request with an image easily exceeds; such bodies go through a here-document instead.
MAX_INLINE_BODY = 96 * 1024

# A value no JSON encoder can produce from real text: a NUL escape inside the model field.
_SENTINEL = "\x00model\x00"
_SENTINEL_JSON = json.dumps(_SENTINEL)


def to_json(body: Mapping[str, Any]) -> str:
    """The request body exactly as sent, indented."""
    return json.dumps(body, indent=2, ensure_ascii=False)


def shell_quote(text: str) -> str:
    """POSIX single quoting: nothing inside is expanded; a ' becomes '\\''."""
    return "'" + text.replace("'", "'\\''") + "'"


def _body_with_model_first(body: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """The body with ``model`` (if sent) moved first and replaced by the sentinel."""
    if "model" not in body:
        return dict(body), False
    rest = {k: v for k, v in body.items() if k != "model"}
    return {"model": _SENTINEL, **rest}, True


def _json_halves(body: Mapping[str, Any]) -> tuple[str, str | None]:
    """The indented body split where the model name goes (second half None: no model)."""
    ordered, has_model = _body_with_model_first(body)
    text = json.dumps(ordered, indent=2, ensure_ascii=False)
    if not has_model:
        return text, None
    before, after = text.split(_SENTINEL_JSON, 1)
    return before + '"', '"' + after


def _auth_header(api_key: str | None) -> str:
    if api_key:
        return shell_quote(f"Authorization: Bearer {api_key}")
    return f'"Authorization: Bearer ${KEY_VAR}"'


def to_curl(body: Mapping[str, Any], api_key: str | None = None) -> str:
    """A cURL command that sends ``body`` again, safe to paste into bash or zsh."""
    # -sS: no progress meter mixed into the output, but errors still shown.
    lines = [
        f'curl -sS "${BASE_URL_VAR}/chat/completions"',
        f"  -H {_auth_header(api_key)}",
        '  -H "Content-Type: application/json"',
    ]
    if body.get("stream"):
        lines.append("  -N")  # no buffering: each event is printed as it arrives
    before, after = _json_halves(body)
    size = len(before.encode()) + len((after or "").encode())
    if size <= MAX_INLINE_BODY:
        data = shell_quote(before)
        if after is not None:
            data += f'"${MODEL_VAR}"' + shell_quote(after)
        lines.append(f"  -d {data}")
        return " \\\n".join(lines)
    lines.append("  --data-binary @- <<JSON")
    heredoc = _heredoc_escape(before)
    if after is not None:
        heredoc += f"${MODEL_VAR}" + _heredoc_escape(after)
    return " \\\n".join(lines) + "\n" + heredoc + "\nJSON"


def _heredoc_escape(text: str) -> str:
    # In an unquoted here-document only \, $ and ` are special; every indented JSON line
    # starts with a space or a bracket, so no line can equal the "JSON" delimiter.
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")


def to_python(body: Mapping[str, Any], api_key: str | None = None) -> str:
    """A self-contained Python script (httpx) that sends ``body`` and prints the reply."""
    payload = dict(body)
    if "model" in body:
        rest = {k: v for k, v in body.items() if k != "model"}
        payload = {"model": _Code(f"os.environ[{MODEL_VAR!r}]"), **rest}
    literal = python_literal(payload)
    if api_key:
        auth = f"headers = {{'Authorization': {('Bearer ' + api_key)!r}}}"
    else:
        auth = (
            f"key = os.environ.get({KEY_VAR!r})\n"
            "headers = {'Authorization': f'Bearer {key}'} if key else {}"
        )
    head = (
        '"""Sends the request Gemma Desk recorded and prints the reply."""\n\n'
        "import json\nimport os\nimport sys\n\nimport httpx\n\n"
        f"url = os.environ[{BASE_URL_VAR!r}].rstrip('/') + '/chat/completions'\n"
        f"{auth}\n"
        f"body = {literal}\n\n"
    )
    return head + (_STREAM_TAIL if body.get("stream") else _PLAIN_TAIL)


def python_literal(value: Any, level: int = 0, width: int = 88) -> str:
    """A JSON value as Python source, laid out like black would: short containers on one
    line, longer ones one item per line with a trailing comma."""
    flat = repr(value) if not isinstance(value, dict | list) else _flat(value)
    if not isinstance(value, dict | list) or len(flat) + 4 * level <= width:
        return flat
    pad = "    " * (level + 1)
    if isinstance(value, dict):
        items = [f"{pad}{k!r}: {python_literal(v, level + 1, width)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + "\n" + "    " * level + "}"
    items = [f"{pad}{python_literal(v, level + 1, width)}," for v in value]
    return "[\n" + "\n".join(items) + "\n" + "    " * level + "]"


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_flat(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    return repr(value)


class _Code:
    """An expression written into generated code as is (its repr is the code)."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __repr__(self) -> str:
        return self.code


_STREAM_TAIL = """\
calls = {}  # tool calls by index, their arguments arriving in pieces
with httpx.stream('POST', url, headers=headers, json=body, timeout=None) as response:
    if response.is_error:
        response.read()
        sys.exit(f'HTTP {response.status_code}: {response.text}')
    for line in response.iter_lines():
        if not line.startswith('data:'):
            continue
        data = line[len('data:'):].strip()
        if data == '[DONE]':
            break
        chunk = json.loads(data)
        if 'error' in chunk:
            sys.exit(f"stream error: {chunk['error']}")
        for choice in chunk.get('choices', []):
            delta = choice.get('delta', {})
            if delta.get('reasoning'):
                print(delta['reasoning'], end='', file=sys.stderr, flush=True)
            if delta.get('content'):
                print(delta['content'], end='', flush=True)
            for part in delta.get('tool_calls') or []:
                call = calls.setdefault(part.get('index', 0), {'name': '', 'arguments': ''})
                function = part.get('function') or {}
                call['id'] = part.get('id') or call.get('id')
                call['name'] += function.get('name') or ''
                call['arguments'] += function.get('arguments') or ''
print()
for _, call in sorted(calls.items()):
    print(f"tool call {call['name']}({call['arguments']})  id={call.get('id')}")
"""

_PLAIN_TAIL = """\
response = httpx.post(url, headers=headers, json=body, timeout=None)
if response.is_error:
    sys.exit(f'HTTP {response.status_code}: {response.text}')
message = response.json()['choices'][0]['message']
if message.get('reasoning'):
    print(message['reasoning'], file=sys.stderr)
print(message.get('content') or '')
for call in message.get('tool_calls') or []:
    function = call['function']
    print(f"tool call {function['name']}({function['arguments']})  id={call.get('id')}")
"""
