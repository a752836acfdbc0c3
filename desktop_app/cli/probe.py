"""`gemma-desk probe`: what a server can do (version, models, parsers, media), for scripts.

Exit status: 0 the server answered (any fact it could not tell is null); 2 bad usage; 3 the
server answered with an error (a wrong key, most often); 4 it could not be reached.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import httpx

from desktop_app.api import GemmaAPIError, ServerFacts, SyncVLLMClient, split_base_url
from desktop_app.cli.ask import EXIT_INTERRUPTED, EXIT_OK, describe_failure
from desktop_app.cli.ask_plan import DEFAULT_KEY_ENV, EXIT_USAGE, _positive_float

PROG = "gemma-desk probe"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        allow_abbrev=False,
        description="Ask a vLLM server what it can do, without generating anything.",
        epilog="Exit status: 0 success, 2 bad usage, 3 the server answered with an error, "
        "4 the server could not be reached.",
    )
    add = parser.add_argument
    add("--base-url", help="server URL, e.g. http://host:8000/v1 (default: $GEMMA_BASE_URL)")
    add("--model", help="model to check (default: $GEMMA_MODEL, else the first served)")
    add(
        "--api-key-env",
        metavar="NAME",
        help=f"environment variable holding the API key (default: {DEFAULT_KEY_ENV})",
    )
    add("--json", action="store_true", help="print one JSON object")
    add("--timeout", metavar="SECONDS", type=_positive_float, help="network timeout per call")
    return parser


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _print(facts: ServerFacts, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(facts.to_json()) + "\n")
        return
    lines = [f"version: {facts.version or 'unknown'}"]
    for model in facts.models:
        context = f"{model.max_model_len:,}" if model.max_model_len else "unknown"
        lines.append(f"model: {model.id} (context {context} tokens)")
    lines += [
        f"tool parser: {_yes_no(facts.tool_parser)}",
        f"reasoning parser: {_yes_no(facts.reasoning_parser)}",
        f"images: {_yes_no(facts.vision)}",
        f"audio: {_yes_no(facts.audio)}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


def main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    base_url = args.base_url or os.environ.get("GEMMA_BASE_URL") or ""
    problem = "no server given: set GEMMA_BASE_URL or pass --base-url" if not base_url else ""
    if base_url:
        try:
            split_base_url(base_url)
        except ValueError as exc:
            problem = f"--base-url: {exc}"
    if problem:
        parser.print_usage(sys.stderr)
        sys.stderr.write(f"{PROG}: error: {problem}\n")
        return EXIT_USAGE
    key_env = args.api_key_env or DEFAULT_KEY_ENV
    api_key = os.environ.get(key_env) or None
    model = args.model or os.environ.get("GEMMA_MODEL") or None
    timeout = httpx.Timeout(args.timeout) if args.timeout else None
    try:
        with SyncVLLMClient(base_url, api_key, timeout=timeout, deadline=args.timeout) as client:
            facts = client.probe(model)
    except GemmaAPIError as exc:
        status, message = describe_failure(exc, key_env)
        sys.stderr.write(f"{PROG}: {message}\n")
        return status
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    _print(facts, args.json)
    return EXIT_OK
