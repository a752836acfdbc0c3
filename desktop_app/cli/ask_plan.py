"""`gemma-desk ask`'s command line: its options, and turning them into a request plan."""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

from desktop_app.api import (
    ChatRequest,
    Message,
    NamedToolChoice,
    SamplingParams,
    ToolDefinition,
    split_base_url,
)

EXIT_USAGE = 2

PROG = "gemma-desk ask"
DEFAULT_KEY_ENV = "HEXGRID_API_KEY"

# --param keys that ChatRequest builds itself; each has its own option.
_RESERVED_PARAMS = {
    "model": "--model",
    "messages": "PROMPT and --system",
    "stream": "--no-stream",
    "tools": "--tools",
    "tool_choice": "--tool-choice",
}


class UsageError(Exception):
    """The command line asks for something impossible; reported on stderr, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        allow_abbrev=False,
        description="Send one prompt to a vLLM server and stream the reply to stdout.",
        epilog=(
            "Exit status: 0 success, 2 bad usage, 3 the server answered with an error, "
            "4 the server could not be reached or the connection failed, 130 interrupted."
        ),
    )
    add = parser.add_argument
    add("prompt", metavar="PROMPT", help="the user message ('-' reads it from standard input)")
    add("--base-url", help="server URL, e.g. http://host:8000/v1 (default: $GEMMA_BASE_URL)")
    add("--model", help="model name (default: $GEMMA_MODEL, else the server's own model)")
    add(
        "--api-key-env",
        metavar="NAME",
        help=f"environment variable holding the API key (default: {DEFAULT_KEY_ENV})",
    )
    add("--system", metavar="TEXT", help="a system message sent before the prompt")
    add(
        "--param",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="a request field; VALUE is JSON when it parses, else a string (repeatable)",
    )
    add(
        "--thinking",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="ask the model to think first, or not (default: the server's choice)",
    )
    add("--no-stream", dest="stream", action="store_false", help="wait for the whole reply")
    add(
        "--image",
        metavar="PATH_OR_URL",
        action="append",
        default=[],
        help="attach an image file or an http(s) URL (repeatable)",
    )
    add("--tools", metavar="FILE", help="a JSON file holding an OpenAI tools array")
    add("--tool-choice", metavar="auto|none|required|NAME", help="how the model may use tools")
    add(
        "--mcp-config",
        metavar="FILE",
        help="an mcpServers JSON file (as Claude Desktop uses): its tools are offered and run",
    )
    add(
        "--tool-policy",
        choices=("ask", "allow", "deny"),
        default="ask",
        help="with --mcp-config: ask on the terminal before each call (default), allow all, "
        "or deny all (answered as rejected)",
    )
    add(
        "--max-rounds",
        metavar="N",
        type=int,
        default=5,
        help="with --mcp-config: at most N rounds of tool calls (default 5)",
    )
    add("--json", action="store_true", help="print one JSON object at the end instead")
    add(
        "--count-tokens",
        action="store_true",
        help="only count the prompt tokens this request would use (POST /tokenize); "
        "nothing is sent to /chat/completions",
    )
    add(
        "--logprobs",
        metavar="K",
        type=_logprobs_count,
        help="with --json: each token's logprob and its K most likely alternatives "
        "(the server allows up to its --max-logprobs, 20 by default)",
    )
    add("--timeout", metavar="SECONDS", type=_positive_float, help="network timeout")
    return parser


def _logprobs_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


# ---- turning options into a request ---------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(name)  # NaN/Infinity are not JSON numbers: keep such a value as a string


def parse_param(item: str) -> tuple[str, Any]:
    key, sep, raw = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UsageError(f"--param expects KEY=VALUE, got {item!r}")
    try:
        value = json.loads(raw, parse_constant=_reject_constant)
    except ValueError:
        value = raw
    except RecursionError:
        raise UsageError(f"--param {key}: the JSON value is nested too deeply") from None
    return key, value


def build_params(items: list[str]) -> tuple[SamplingParams, dict[str, Any]]:
    """Known sampling fields go to SamplingParams (range-checked), every other key to the body."""
    known = {f.name for f in fields(SamplingParams)}
    sampling: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for item in items:
        key, value = parse_param(item)
        if key in _RESERVED_PARAMS:
            raise UsageError(f"--param {key}: use {_RESERVED_PARAMS[key]} instead")
        (sampling if key in known else extra)[key] = value
    stop = sampling.get("stop")
    if isinstance(stop, str):  # --param stop=END means one stop string
        sampling["stop"] = (stop,)
    elif isinstance(stop, list):
        sampling["stop"] = tuple(stop)
    params = SamplingParams(**sampling)
    problems = params.validate()
    if problems:
        raise UsageError("--param: " + "; ".join(problems))
    return params, extra


def image_url(spec: str) -> str:
    """An http(s) or data: URL passes through; a local file becomes a base64 data: URL."""
    if spec.lower().startswith(("http://", "https://", "data:")):
        return spec
    path = Path(spec).expanduser()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"--image {spec}: no such file") from None
    except OSError as exc:
        raise UsageError(f"--image {spec}: cannot read it ({exc.strerror or exc})") from None
    from PIL import Image  # only here: it is slow to import and most runs attach nothing

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            image.verify()
    except Exception:  # Pillow raises many kinds for a file that is not an image
        raise UsageError(f"--image {spec}: not an image file Pillow can read") from None
    mime = Image.MIME.get(kind.upper()) or f"image/{kind.lower()}"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


# How deep a tools file may nest arrays and objects. Real schemas use a handful of levels;
# the limit keeps parsing, checking and sending it far from Python's recursion limit.
MAX_TOOLS_DEPTH = 64


def _depth_over(value: Any, limit: int) -> bool:
    """Whether ``value`` nests arrays/objects more than ``limit`` levels (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in item)
    return False


def load_tools(path: str) -> tuple[ToolDefinition, ...]:
    where = f"--tools {path}"
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{where}: cannot read it ({exc})") from None
    deep = False
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{where}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        data, deep = None, True  # nested past what the parser follows: reported just below
    if deep or _depth_over(data, MAX_TOOLS_DEPTH):
        raise UsageError(
            f"{where}: nested more than {MAX_TOOLS_DEPTH} levels deep; a tool's JSON Schema "
            "needs far fewer"
        )
    if not isinstance(data, list) or not data:
        raise UsageError(f"{where}: expected a non-empty JSON array of tool definitions")
    tools: list[ToolDefinition] = []
    for number, item in enumerate(data, start=1):
        try:
            tools.append(ToolDefinition.from_wire(item))
        except (TypeError, ValueError) as exc:
            raise UsageError(f"{where}: tool {number}: {exc}") from None
    names = [tool.name for tool in tools]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise UsageError(f"{where}: tool names must be unique; repeated: {', '.join(duplicates)}")
    return tuple(tools)


def tool_choice(choice: str | None, tools: tuple[ToolDefinition, ...]) -> Any:
    if choice is None:
        return None
    if choice in ("auto", "none", "required"):
        if choice == "required" and not tools:
            raise UsageError("--tool-choice required needs --tools")
        return choice
    names = [tool.name for tool in tools]
    if choice not in names:
        offered = ", ".join(names) if names else "none (no --tools given)"
        raise UsageError(f"--tool-choice {choice}: no such tool; offered: {offered}")
    return NamedToolChoice(choice)


class Plan:
    """Everything one run needs, checked before anything goes on the wire."""

    # A plain class: a dataclass would cost start-up time for nothing used here.
    __slots__ = (
        "api_key",
        "api_key_env",
        "base_url",
        "count_tokens",
        "json",
        "max_rounds",
        "mcp_config",
        "request",
        "timeout",
        "tool_policy",
    )

    def __init__(
        self,
        base_url: str,
        api_key_env: str,
        api_key: str | None,
        timeout: float | None,
        request: ChatRequest,
        json: bool,
        count_tokens: bool = False,
    ) -> None:
        self.base_url = base_url
        self.api_key_env = api_key_env
        self.api_key = api_key
        self.timeout = timeout
        self.request = request
        self.json = json
        self.count_tokens = count_tokens
        self.mcp_config: str | None = None  # an mcpServers file: real tools are run
        self.tool_policy = "ask"
        self.max_rounds = 5


def make_plan(args: argparse.Namespace) -> Plan:
    base_url = args.base_url or os.environ.get("GEMMA_BASE_URL") or ""
    if not base_url:
        raise UsageError("no server given: set GEMMA_BASE_URL or pass --base-url")
    try:
        split_base_url(base_url)
    except ValueError as exc:
        raise UsageError(f"--base-url: {exc}") from None
    key_env = args.api_key_env or DEFAULT_KEY_ENV
    api_key = os.environ.get(key_env) or None
    if api_key is None and args.api_key_env:
        sys.stderr.write(f"{PROG}: warning: ${key_env} is not set; sending no API key\n")
    if args.logprobs is not None and not args.json:
        raise UsageError("--logprobs needs --json: the tokens are part of the JSON object")
    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    sampling, extra = build_params(args.param)
    tools = load_tools(args.tools) if args.tools else ()
    choice = tool_choice(args.tool_choice, tools)
    images = tuple(image_url(spec) for spec in args.image)
    messages: tuple[Message, ...] = (Message.user(prompt, images=images),)
    if args.system:
        messages = (Message.system(args.system), *messages)
    request = ChatRequest(
        model=args.model or os.environ.get("GEMMA_MODEL") or None,
        messages=messages,
        sampling=sampling,
        tools=tools,
        tool_choice=choice,
        enable_thinking=args.thinking,
        stream=args.stream,
        extra_body=extra,
        top_logprobs=args.logprobs,
    )
    plan = Plan(base_url, key_env, api_key, args.timeout, request, args.json, args.count_tokens)
    if args.max_rounds < 0:
        raise UsageError("--max-rounds must be 0 or more")
    plan.mcp_config = args.mcp_config
    plan.tool_policy = args.tool_policy
    plan.max_rounds = args.max_rounds
    if plan.mcp_config and plan.tool_policy == "ask" and not sys.stdin.isatty():
        raise UsageError(
            "--tool-policy ask needs a terminal to ask on; use --tool-policy allow or deny"
        )
    return plan


# ---- running it ------------------------------------------------------------------------------
