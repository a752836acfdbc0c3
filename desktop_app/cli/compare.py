"""`gemma-desk compare`: one prompt (or a prompt set) under several settings at once, as JSON.

The cells stream concurrently through the same code as the window's Compare view
(`core.compare.cells`). Exit status: 0 every cell completed; 2 bad usage; 3 a cell got an
error from the server; 4 a cell could not reach the server; 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from dataclasses import replace

import httpx

from desktop_app.api import GemmaAPIError, VLLMClient
from desktop_app.cli.ask import EXIT_INTERRUPTED, EXIT_OK, describe_failure
from desktop_app.cli.ask_plan import EXIT_USAGE, Plan, UsageError, build_params, make_plan
from desktop_app.core.compare.cells import DEFAULT_CONCURRENCY, CellResult, run_cells
from desktop_app.core.compare.export import FORMATS, render, to_json
from desktop_app.core.compare.prompts import PromptItem, PromptSetError, load_prompt_set
from desktop_app.core.compare.results import ResultSheet, sheet_of
from desktop_app.core.compare.spec import ColumnSpec, sweep

PROG = "gemma-desk compare"

# A comma starts a new pair only where KEY= follows, so `stop=["a","b"]` stays one value.
_PAIR_SPLIT = re.compile(r",(?=\s*[A-Za-z_][\w.\-]*\s*=)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        allow_abbrev=False,
        description="Send one prompt under several settings at once; print every reply.",
        epilog=(
            "Exit status: 0 every cell completed, 2 bad usage, 3 a cell got a server error, "
            "4 the server could not be reached, 130 interrupted."
        ),
    )
    add = parser.add_argument
    add("prompt", metavar="PROMPT", nargs="?", help="the user message ('-' reads standard input)")
    add("--base-url", help="server URL, e.g. http://host:8000/v1 (default: $GEMMA_BASE_URL)")
    add("--model", help="model name (default: $GEMMA_MODEL, else the server's own model)")
    add("--api-key-env", metavar="NAME", help="environment variable holding the API key")
    add("--system", metavar="TEXT", help="a system message sent before the prompt")
    add(
        "--param",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="a request field every cell gets, as for ask (repeatable)",
    )
    add(
        "--set",
        metavar="KEY=VALUE[,KEY=VALUE...]",
        dest="sets",
        action="append",
        default=[],
        help="one column's settings, parsed and checked as ask --param (repeatable)",
    )
    add("--seeds", metavar="N,N,...", help="run every set once with each seed")
    add("--thinking", action=argparse.BooleanOptionalAction, default=None)
    add("--thinking-both", action="store_true", help="run every set with thinking off and on")
    add(
        "--concurrency",
        metavar="N",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help=f"at most N cells stream at once (default {DEFAULT_CONCURRENCY})",
    )
    add("--prompts", metavar="FILE", help="a JSON array or JSONL file of prompts (with checks)")
    add("--json", action="store_true", help="print one JSON object with every cell")
    add(
        "--format",
        choices=("text", *FORMATS),
        help="text (default), json (as --json), markdown or csv: the Compare window's export",
    )
    add("--timeout", metavar="SECONDS", type=float, help="network timeout")
    return parser


def parse_set(text: str) -> ColumnSpec:
    pairs = [p.strip() for p in _PAIR_SPLIT.split(text) if p.strip()]
    if not pairs:
        raise UsageError(f"--set expects KEY=VALUE pairs, got {text!r}")
    try:
        sampling, extra = build_params(pairs)
    except UsageError as exc:
        raise UsageError(str(exc).replace("--param", "--set")) from None
    return ColumnSpec(sampling=sampling, extra_body=extra)


def parse_seeds(text: str | None) -> list[int]:
    if text is None:
        return []
    seeds = []
    for part in text.split(","):
        try:
            seeds.append(int(part.strip()))
        except ValueError:
            raise UsageError(
                f"--seeds expects whole numbers separated by commas: {part!r}"
            ) from None
    return seeds


def _ask_args(args: argparse.Namespace, prompt: str) -> argparse.Namespace:
    """The options ask's planner reads, so the server, key and --param go through its checks."""
    return argparse.Namespace(
        prompt=prompt, base_url=args.base_url, model=args.model, api_key_env=args.api_key_env,
        system=args.system, param=args.param, thinking=args.thinking, stream=True, image=[],
        tools=None, tool_choice=None, mcp_config=None, tool_policy="allow", max_rounds=0,
        json=True, count_tokens=False, logprobs=None, timeout=args.timeout,
    )  # fmt: skip


def main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        items = _prompts(args)
        plan = make_plan(_ask_args(args, items[0].prompt))
        if args.concurrency < 1:
            raise UsageError("--concurrency must be at least 1")
        bases = [parse_set(text) for text in args.sets] or [ColumnSpec()]
        specs = sweep(bases, seeds=parse_seeds(args.seeds), thinking_both=args.thinking_both)
    except (UsageError, PromptSetError) as exc:
        parser.print_usage(sys.stderr)
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return EXIT_USAGE
    try:
        cells = asyncio.run(_run(plan, items, specs, args.concurrency))
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return EXIT_INTERRUPTED
    sheet = sheet_of(items, [s.title() for s in specs], [s.params() for s in specs], cells)
    return _report(sheet, cells, "json" if args.json else args.format or "text", plan.api_key_env)


def _prompts(args: argparse.Namespace) -> list[PromptItem]:
    if args.prompts:
        if args.prompt is not None:
            raise UsageError("give either PROMPT or --prompts FILE, not both")
        return load_prompt_set(args.prompts)
    if args.prompt is None:
        raise UsageError("no prompt: give PROMPT or --prompts FILE")
    return [PromptItem(sys.stdin.read() if args.prompt == "-" else args.prompt)]


async def _run(
    plan: Plan, items: list[PromptItem], specs: list[ColumnSpec], concurrency: int
) -> list[CellResult]:
    timeout = httpx.Timeout(plan.timeout) if plan.timeout else None
    async with VLLMClient(plan.base_url, plan.api_key, timeout=timeout) as client:
        jobs = []
        for item in items:
            messages = (
                *plan.request.messages[:-1],
                replace(plan.request.messages[-1], content=item.prompt),
            )
            base = replace(plan.request, messages=messages)
            for spec in specs:
                request = spec.apply(base)
                cell = CellResult(
                    params=request.sampling.to_wire() | dict(spec.extra_body),
                    seed=request.sampling.seed,
                    prompt=item.prompt,
                )
                jobs.append((client, request, cell))
        return await run_cells(jobs, concurrency)


def _report(sheet: ResultSheet, cells: list[CellResult], fmt: str, key_env: str) -> int:
    status = EXIT_OK
    for number, cell in enumerate(cells, start=1):
        if isinstance(cell.exception, GemmaAPIError):
            cell_status, message = describe_failure(cell.exception, key_env)
            status = max(status, cell_status)
            sys.stderr.write(f"{PROG}: cell {number}: {message}\n")
    if fmt == "json":
        sys.stdout.write(json.dumps(to_json(sheet), ensure_ascii=False) + "\n")
    elif fmt != "text":
        sys.stdout.write(render(sheet, fmt))
    else:
        for number, shown in enumerate(to_json(sheet)["cells"], start=1):
            head = ", ".join(f"{k}={v}" for k, v in shown["params"].items()) or "server defaults"
            sys.stdout.write(f"== cell {number}: {head} ==\n{shown['content']}\n")
            if shown.get("checks"):
                marks = " ".join(
                    f"{k}:{'pass' if v else 'FAIL'}" for k, v in shown["checks"].items()
                )
                sys.stdout.write(f"-- checks: {marks}\n")
    sys.stdout.flush()
    return status
