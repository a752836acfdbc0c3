"""`gemma-desk ask`: one chat turn from a shell or a script, the reply streamed to stdout.

Exit status: 0 the reply arrived; 2 bad usage; 3 the server answered with an error (or with a
reply that could not be read); 4 the server could not be reached or the connection failed;
130 interrupted (Ctrl-C). Whatever had arrived before a failure stays printed.

Only the standard library, httpx and the parts of `desktop_app.api` it uses are imported up
front (never Qt, nor asyncio: the call is made with the blocking `SyncVLLMClient`), so the
command starts quickly; Pillow is loaded only when a local image is attached.
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import closing

import httpx

from desktop_app.api import (
    Accumulator,
    AuthenticationError,
    ChatRequest,
    Completion,
    ConnectTimeout,
    GemmaAPIError,
    NotFoundError,
    ReadTimeout,
    ServerError,
    ServerUnreachable,
    StreamError,
    SyncVLLMClient,
    TLSError,
    TransportError,
)
from desktop_app.cli.ask_plan import (  # noqa: F401 - re-exported: the command line
    DEFAULT_KEY_ENV,
    EXIT_USAGE,
    PROG,
    Plan,
    UsageError,
    build_params,
    build_parser,
    image_url,
    load_tools,
    make_plan,
    parse_param,
    tool_choice,
)

EXIT_OK = 0
EXIT_SERVER = 3
EXIT_TRANSPORT = 4
EXIT_INTERRUPTED = 130


class Printer:
    """Writes the reply as it comes: content to stdout, reasoning to stderr, nothing in --json."""

    def __init__(self, quiet: bool, logprobs: bool = False) -> None:
        self.quiet = quiet
        self.logprobs = logprobs  # --logprobs: the JSON object always has the "logprobs" key
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
            self._print_json(completion, self.logprobs)
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
            self._print_json(
                partial or self.snapshot() or Accumulator().result(), self.logprobs
            )
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
    def _print_json(completion: Completion, asked_logprobs: bool = False) -> None:
        out = completion.to_json_dict()
        if asked_logprobs and "logprobs" not in out:
            out["logprobs"] = None  # asked for, but the server sent none
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def _readable_arguments(arguments: str) -> str:
    """The arguments as one line of JSON; left as they came when they are not JSON."""
    try:
        return json.dumps(json.loads(arguments), ensure_ascii=False)
    except ValueError:
        return arguments


def _count_tokens(plan: Plan) -> None:
    """`--count-tokens`: the prompt's size by the server's tokenizer; no chat request."""
    with _client(plan) as client:
        counted = client.count_tokens(plan.request)
    if plan.json:
        shown = {"prompt_tokens": counted.prompt_tokens, "max_model_len": counted.max_model_len}
        sys.stdout.write(json.dumps(shown) + "\n")
    else:
        limit = f" of {counted.max_model_len:,}" if counted.max_model_len else ""
        sys.stdout.write(f"{counted.prompt_tokens:,} prompt tokens{limit}\n")
    sys.stdout.flush()


def _client(plan: Plan) -> SyncVLLMClient:
    timeout = httpx.Timeout(plan.timeout) if plan.timeout else None
    # --timeout bounds the whole call too, however slowly the server drips its reply.
    return SyncVLLMClient(plan.base_url, plan.api_key, timeout=timeout, deadline=plan.timeout)


def _run(plan: Plan, printer: Printer) -> Completion:
    with _client(plan) as client:
        if plan.request.stream:
            return printer.stream(client, plan.request)
        return client.complete(plan.request)


def _describe(exc: GemmaAPIError, plan: Plan) -> tuple[int, str]:
    return describe_failure(exc, plan.api_key_env)


def describe_failure(exc: GemmaAPIError, api_key_env: str) -> tuple[int, str]:
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
        message += f"\n  (this command reads the key from ${api_key_env}; see --api-key-env)"
    elif isinstance(exc, ReadTimeout | ConnectTimeout):
        message += "\n  (--timeout SECONDS sets how long this command waits)"
    elif isinstance(exc, ServerError) and "--max-logprobs" in message:
        message += "\n  (--logprobs K sets how many alternatives this command asks for)"
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
    printer = Printer(quiet=plan.json, logprobs=plan.request.top_logprobs is not None)
    if plan.count_tokens:
        try:
            _count_tokens(plan)
        except GemmaAPIError as exc:
            status, message = _describe(exc, plan)
            sys.stderr.write(f"{PROG}: {message}\n")
            return status
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED
        return EXIT_OK
    if plan.mcp_config:
        from desktop_app.cli.ask_tools import run_with_tools

        try:
            return run_with_tools(plan, printer, _describe)
        except KeyboardInterrupt:
            sys.stderr.write(f"{PROG}: interrupted\n")
            return EXIT_INTERRUPTED
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
