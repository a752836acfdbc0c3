"""Client overhead of `gemma-desk ask`, measured against a bare httpx loop on the same stream.

Run from the repository root:  .venv/bin/python bench/bench_client.py [--tokens N] [--rounds R]

1. Starts the simulator at full speed in a subprocess on a free port.
2. Alternates R rounds of subprocesses, each timed end to end (Python start-up included in
   all of them, so they compare like with like):
     bare       a minimal script: one httpx.Client streaming POST of the same request body,
                iterating lines until `data: [DONE]`;
     bare+json  the same loop that also json.loads every chunk and joins the content: the
                least any client that reads the reply must do (for reference);
     ask        `gemma-desk ask --json "write N tokens"`.
   Plus the start-up alone: `import httpx` against `import desktop_app.ask`.
   One unmeasured warm-up round runs first.
3. Captures the bytes of one N-token stream into memory and times, in this process, the
   client's decoding pipeline over them: SSEDecoder -> parse_chunk -> Accumulator, whole and
   stage by stage.

Prints a table and a last line `RESULT ratio=<median ask / median bare> events_per_s=<...>`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from desktop_app.api import (
    Accumulator,
    ChatRequest,
    Message,
    SSEDecoder,
    StreamEvent,
    parse_chunk,
)

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.10

# The bare client: as little as a program can do and still read the whole stream.
BARE_SCRIPT = """
import sys, httpx
url, body = sys.argv[1], sys.argv[2].encode()
events = 0
with httpx.Client(timeout=None) as client:
    with client.stream("POST", url, content=body,
                       headers={"content-type": "application/json"}) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line == "data: [DONE]":
                break
            if line.startswith("data:"):
                events += 1
print(events)
"""

# The bare loop plus what reading the reply cannot skip: parse each chunk, keep the text.
BARE_JSON_SCRIPT = """
import json, sys, httpx
url, body = sys.argv[1], sys.argv[2].encode()
events, text = 0, []
with httpx.Client(timeout=None) as client:
    with client.stream("POST", url, content=body,
                       headers={"content-type": "application/json"}) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line == "data: [DONE]":
                break
            if line.startswith("data:"):
                events += 1
                for choice in json.loads(line[5:])["choices"]:
                    text.append(choice["delta"].get("content") or "")
content = "".join(text)
print(events)
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMMA_", "HEXGRID_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@contextmanager
def simulator() -> Iterator[str]:
    """The simulator at full speed in its own process; yields its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_app.simulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(),
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # the simulator announces its URL once it accepts
        found = re.search(r"listening on (http://\S+)", line)
        if not found:
            rest = line + (proc.stdout.read() if proc.poll() is not None else "")
            raise SystemExit(f"the simulator did not start:\n{rest}")
        yield found.group(1)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def request_body(tokens: int) -> bytes:
    """The exact body `ask` sends for the prompt (no model: the server's own applies)."""
    request = ChatRequest(model=None, messages=(Message.user(f"write {tokens} tokens"),))
    return json.dumps(request.to_wire()).encode()


def timed(argv: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=_env(), cwd=ROOT)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv[1:4]} failed with status {done.returncode}:\n{done.stderr}")
    return elapsed, done.stdout


def bare_runner(script: str, url: str, body: bytes, tokens: int) -> Callable[[], float]:
    def run() -> float:
        elapsed, out = timed([sys.executable, "-c", script, url, body.decode()])
        if int(out) < tokens:
            raise SystemExit(f"a bare client read only {out.strip()} events, expected {tokens}+")
        return elapsed

    return run


def ask_runner(base_url: str, tokens: int) -> Callable[[], float]:
    argv = [sys.executable, "-m", "desktop_app", "ask", "--base-url", base_url, "--json"]

    def run() -> float:
        elapsed, out = timed([*argv, f"write {tokens} tokens"])
        usage = json.loads(out)["usage"] or {}
        if usage.get("completion_tokens") != tokens:
            raise SystemExit(f"ask got {usage.get('completion_tokens')} tokens, not {tokens}")
        return elapsed

    return run


def import_runner(module: str) -> Callable[[], float]:
    return lambda: timed([sys.executable, "-c", f"import {module}"])[0]


def capture(url: str, body: bytes) -> list[bytes]:
    """The raw bytes of one stream, in the chunks the network delivered them."""
    with (
        httpx.Client(timeout=None) as client,
        client.stream(
            "POST", url, content=body, headers={"content-type": "application/json"}
        ) as response,
    ):
        response.raise_for_status()
        return list(response.iter_raw())


def decode_all(chunks: list[bytes]) -> int:
    """What the client does per chunk, minus the network: returns the number of events."""
    decoder = SSEDecoder()
    accumulator = Accumulator()
    events = 0
    for chunk in chunks:
        for sse in decoder.feed(chunk):
            if sse.data == "[DONE]":
                break
            StreamEvent.fold(accumulator, parse_chunk(sse.data))
            events += 1
    decoder.flush()
    accumulator.result()
    return events


def best_of(repeats: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def stages(chunks: list[bytes], repeats: int) -> dict[str, float]:
    """Best time of each stage alone over the same input (json.loads for scale)."""
    decoder = SSEDecoder()
    data = [e.data for chunk in chunks for e in decoder.feed(chunk) if e.data != "[DONE]"]
    deltas = [parse_chunk(d) for d in data]

    def fold_all() -> None:
        accumulator = Accumulator()
        for delta in deltas:
            StreamEvent.fold(accumulator, delta)
        accumulator.result()

    return {
        "SSEDecoder.feed": best_of(repeats, lambda: [SSEDecoder().feed(c) for c in chunks]),
        "parse_chunk": best_of(repeats, lambda: [parse_chunk(d) for d in data]),
        "  of which json.loads": best_of(repeats, lambda: [json.loads(d) for d in data]),
        "StreamEvent.fold": best_of(repeats, fold_all),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=20000, help="tokens per reply")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds of each client")
    args = parser.parse_args(argv)
    if args.tokens < 1 or args.rounds < 1:
        parser.error("--tokens and --rounds must be at least 1")

    body = request_body(args.tokens)
    with simulator() as base_url:
        url = base_url.rstrip("/") + "/chat/completions"
        runners = {
            "bare httpx loop": bare_runner(BARE_SCRIPT, url, body, args.tokens),
            "bare httpx + json.loads (ref.)": bare_runner(BARE_JSON_SCRIPT, url, body, args.tokens),
            "gemma-desk ask --json": ask_runner(base_url, args.tokens),
            "start-up: import httpx": import_runner("httpx"),
            "start-up: import desktop_app.ask": import_runner("desktop_app.ask"),
        }
        times: dict[str, list[float]] = {name: [] for name in runners}
        for run in runners.values():  # warm-up: disk cache, the simulator's first reply
            run()
        for _ in range(args.rounds):  # interleaved, so drift on the machine hits all alike
            for name, run in runners.items():
                times[name].append(run())
        chunks = capture(url, body)
    repeats = max(3, args.rounds)
    seconds = best_of(repeats, lambda: decode_all(chunks))
    events = decode_all(chunks)
    by_stage = stages(chunks, repeats)

    median = {name: statistics.median(t) for name, t in times.items()}
    ratio = median["gemma-desk ask --json"] / median["bare httpx loop"]
    rate = events / seconds
    verdict = "within" if ratio <= TARGET_RATIO else "ABOVE"
    print(f"{args.tokens} tokens per reply, {args.rounds} rounds, Python {sys.version.split()[0]}")
    print(f"{'subprocess, timed end to end':36} {'best':>8} {'median':>8}")
    for name, t in times.items():
        print(f"{name:36} {min(t):7.3f}s {median[name]:7.3f}s")
    print(f"ratio ask/bare (medians): {ratio:.3f}  ({verdict} the {TARGET_RATIO:.2f} target)")
    parsing = median["gemma-desk ask --json"] / median["bare httpx + json.loads (ref.)"]
    print(f"ratio ask/bare+json (medians, reference): {parsing:.3f}")
    print(
        f"decoder+accumulator in-process: {events} events, "
        f"{sum(map(len, chunks)) / 1e6:.1f} MB in {seconds * 1000:.1f} ms "
        f"-> {rate:,.0f} events/s"
    )
    for stage, spent in by_stage.items():
        print(f"  {stage:34} {spent * 1000:7.1f} ms  ({spent / events * 1e6:.2f} us/event)")
    print(f"RESULT ratio={ratio:.3f} events_per_s={rate:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
