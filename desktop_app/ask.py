"""`gemma-desk ask`: one chat turn from a shell or a script, the reply streamed to stdout.

Exit status: 0 the reply arrived; 2 bad usage; 3 the server answered with an error (or with a
reply that could not be read); 4 the server could not be reached or the connection failed;
130 interrupted (Ctrl-C). Whatever had arrived before a failure stays printed.

Only the standard library, httpx and the parts of `desktop_app.api` it uses are imported up
front (never Qt, nor asyncio: the call is made with the blocking `SyncVLLMClient`), so the
command starts quickly; Pillow is loaded only when a local image is attached.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import sys
from contextlib import closing
from dataclasses import fields
from pathlib import Path
from typing import Any

import httpx

from desktop_app.api import (
    Accumulator,
    AuthenticationError,
    ChatRequest,
    Completion,
    ConnectTimeout,
    GemmaAPIError,
    Message,
    NamedToolChoice,
    NotFoundError,
    ReadTimeout,
    SamplingParams,
    ServerError,
    ServerUnreachable,
    StreamError,
    SyncVLLMClient,
    TLSError,
    ToolDefinition,
    TransportError,
    split_base_url,
)

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_SERVER = 3
EXIT_TRANSPORT = 4
EXIT_INTERRUPTED = 130

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
    add("--json", action="store_true", help="print one JSON object at the end instead")
    add("--timeout", metavar="SECONDS", type=_positive_float, help="network timeout")
    return parser


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


def load_tools(path: str) -> tuple[ToolDefinition, ...]:
    where = f"--tools {path}"
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{where}: cannot read it ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{where}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
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
    __slots__ = ("api_key", "api_key_env", "base_url", "json", "request", "timeout")

    def __init__(
        self,
        base_url: str,
        api_key_env: str,
        api_key: str | None,
        timeout: float | None,
        request: ChatRequest,
        json: bool,
    ) -> None:
        self.base_url = base_url
        self.api_key_env = api_key_env
        self.api_key = api_key
        self.timeout = timeout
        self.request = request
        self.json = json


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
    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    sampling, extra = build_params(args.param)
    tools = load_tools(args.tools) if args.tools else ()
    choice = tool_choice(args.tool_choice, tools)
    images = tuple(image_url(spec) for spec in args.image)
    messages = (Message.user(prompt, images=images),)
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
    )
    return Plan(base_url, key_env, api_key, args.timeout, request, args.json)


# ---- running it ------------------------------------------------------------------------------


class Printer:
    """Writes the reply as it comes: content to stdout, reasoning to stderr, nothing in --json."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.accumulator: Accumulator | None = None  # the stream's, for a partial reply
        self._out_tail = ""  # the last character written to stdout
        self._err_tail = "\n"  # the last character of reasoning written to stderr

    def reasoning(self, text: str) -> None:
        sys.stderr.write(text)
        sys.stderr.flush()
        self._err_tail = text[-1]

    def content(self, text: str) -> None:
        if self._err_tail != "\n":  # end the thinking's line before the answer starts
            self.reasoning("\n")
        sys.stdout.write(text)
        sys.stdout.flush()
        self._out_tail = text[-1]

    def stream(self, client: SyncVLLMClient, request: ChatRequest) -> Completion:
        if self.quiet:
            # Nothing is written per chunk: the reply is only collected (no event per chunk),
            # into an accumulator kept here for a partial reply.
            self.accumulator = Accumulator()
            return client.collect(request, self.accumulator)
        with closing(client.stream(request)) as stream:
            for event in stream:
                self.accumulator = event.accumulator
                if text := event.reasoning_delta:
                    self.reasoning(text)
                if text := event.content_delta:
                    self.content(text)
        # A stream that ended cleanly without a single chunk is an empty reply.
        return (self.accumulator or Accumulator()).result()

    def finish(self, completion: Completion, *, streamed: bool) -> None:
        """After a reply: the JSON object, or what streaming did not show, then a newline."""
        if self.quiet:
            self._print_json(completion)
            return
        if not streamed:
            if completion.reasoning:
                self.reasoning(completion.reasoning)
            if completion.content:
                self.content(completion.content)
        for call in completion.tool_calls:
            if self._out_tail not in ("", "\n"):
                self.content("\n")
            self.content(f"tool call: {call.name} {_readable_arguments(call.arguments)}\n")
        if self._out_tail != "\n":
            self.content("\n")
        self._end_reasoning()
        if completion.finish_reason == "length":
            self.note("the reply was cut short: it reached max_tokens")

    def abort(self, partial: Completion | None) -> None:
        """After a failure: keep what arrived (ending its line), or print it as JSON."""
        if self.quiet:
            self._print_json(partial or self.snapshot() or Accumulator().result())
            return
        if self._out_tail not in ("", "\n"):
            self.content("\n")
        self._end_reasoning()

    def snapshot(self) -> Completion | None:
        return self.accumulator.snapshot() if self.accumulator is not None else None

    def note(self, text: str) -> None:
        self._end_reasoning()
        sys.stderr.write(f"{PROG}: {text}\n")
        sys.stderr.flush()

    def _end_reasoning(self) -> None:
        if self._err_tail != "\n":
            self.reasoning("\n")

    @staticmethod
    def _print_json(completion: Completion) -> None:
        sys.stdout.write(json.dumps(completion.to_json_dict(), ensure_ascii=False) + "\n")
        sys.stdout.flush()


def _readable_arguments(arguments: str) -> str:
    """The arguments as one line of JSON; left as they came when they are not JSON."""
    try:
        return json.dumps(json.loads(arguments), ensure_ascii=False)
    except ValueError:
        return arguments


def _run(plan: Plan, printer: Printer) -> Completion:
    timeout = httpx.Timeout(plan.timeout) if plan.timeout else None
    with SyncVLLMClient(plan.base_url, plan.api_key, timeout=timeout) as client:
        if plan.request.stream:
            return printer.stream(client, plan.request)
        return client.complete(plan.request)


def _describe(exc: GemmaAPIError, plan: Plan) -> tuple[int, str]:
    """The exit status for ``exc`` and the line that says which failure it was, and why."""
    message = exc.user_message or str(exc)
    if isinstance(exc, ServerUnreachable | ConnectTimeout | TLSError):
        status, what = EXIT_TRANSPORT, "could not reach the server"
    elif isinstance(exc, TransportError):
        status, what = EXIT_TRANSPORT, "the connection failed"
    elif isinstance(exc, StreamError):
        status, what = EXIT_SERVER, "the server reported an error in the middle of the reply"
    elif isinstance(exc, ServerError):
        status, what = EXIT_SERVER, "the server answered with an error"
        if f"HTTP {exc.status}" not in message:
            what += f" (HTTP {exc.status})"
    else:
        status, what = EXIT_SERVER, "the server's reply could not be read"
    if isinstance(exc, ServerError) and exc.server_message not in message:
        message += f"\n  server said: {exc.server_message}"
    # The client's advice names the desktop app's settings; say where this command takes them.
    if isinstance(exc, AuthenticationError):
        message += f"\n  (this command reads the key from ${plan.api_key_env}; see --api-key-env)"
    elif isinstance(exc, ReadTimeout | ConnectTimeout):
        message += "\n  (--timeout SECONDS sets how long this command waits)"
    elif isinstance(exc, NotFoundError):
        message += "\n  (--model or $GEMMA_MODEL names the model; --base-url the server)"
    return status, f"{what}: {message}"


def main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on bad usage, 0 after --help
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        plan = make_plan(args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    printer = Printer(quiet=plan.json)
    try:
        try:
            completion = _run(plan, printer)
        except GemmaAPIError as exc:
            status, message = _describe(exc, plan)
            printer.abort(exc.partial)
            sys.stderr.write(f"{PROG}: {message}\n")
            return status
        except KeyboardInterrupt:
            printer.abort(printer.snapshot())
            sys.stderr.write(f"{PROG}: interrupted\n")
            return EXIT_INTERRUPTED
        printer.finish(completion, streamed=plan.request.stream)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); stop quietly, as other shell tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return EXIT_OK
