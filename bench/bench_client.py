"""Client overhead of `gemma-desk ask`, measured against a bare httpx loop on the same stream.

Run from the repository root:  .venv/bin/python bench/bench_client.py [--tokens N] [--rounds R]

1. Byte-compiles the `desktop_app` package (as installing it does), so that `ask` loads
   bytecode just as httpx does, even where PYTHONDONTWRITEBYTECODE is set.
2. Starts the simulator at full speed in a subprocess on a free port.
3. Alternates R rounds of subprocesses, each timed end to end (Python start-up included in
   all of them, so they compare like with like), wall time and CPU time (user + system of
   that subprocess alone):
     bare       a minimal script: one httpx.Client streaming POST of the same request body,
                iterating lines until `data: [DONE]`;
     bare, no CA the same with verify=False, so that it reads no CA bundle, as `ask` does not
                for an http:// server (for reference);
     bare+json  the same loop that also json.loads every chunk and joins the content: the
                least any client that reads the reply must do (for reference);
     ask        `gemma-desk ask --json "write N tokens"`;
     asyncio    the desktop app's asyncio `VLLMClient` streaming the same reply (reference).
   Plus the start-up alone: `import httpx` against `import desktop_app.cli.ask`.
   One unmeasured warm-up round runs first.
4. Captures the bytes of one N-token stream into memory and times, in this process, the
   client's own per-chunk work over them (`ChatStream.events`: SSE decoding -> parse_chunk
   (a ChunkDelta) -> StreamEvent.fold into the Accumulator), whole and stage by stage.

Prints a table and a last line `RESULT ratio=<median ask / median bare> events_per_s=<...>`.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import resource
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
from desktop_app.api import chunks as chunks_module
from desktop_app.api.chat_stream import ChatStream

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

# The bare loop without reading a CA bundle (verify=False makes an empty TLS context): for
# reference, as `ask` reads its bundle only when it meets an https:// server.
BARE_NO_CA_SCRIPT = BARE_SCRIPT.replace(
    "httpx.Client(timeout=None)", "httpx.Client(timeout=None, verify=False)"
)

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

# The desktop app's client (asyncio, httpx.AsyncClient) on the same reply, for reference.
ASYNC_SCRIPT = """
import asyncio, sys
from desktop_app.api import ChatRequest, Message, VLLMClient
base_url, prompt = sys.argv[1], sys.argv[2]
async def main():
    events = 0
    async with VLLMClient(base_url) as client:
        request = ChatRequest(model=None, messages=(Message.user(prompt),))
        async for event in client.stream(request):
            events += 1
    print(events)
asyncio.run(main())
"""

ASK = "gemma-desk ask --json"
BARE = "bare httpx loop"
BARE_JSON = "bare httpx + json.loads (ref.)"

Timing = tuple[float, float]  # wall seconds, CPU seconds (user + system)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMMA_", "HEXGRID_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def precompile() -> None:
    """Byte-compile desktop_app, as an install does, so that no run pays for compiling it."""
    if not compileall.compile_dir(ROOT / "desktop_app", quiet=1):
        raise SystemExit("desktop_app did not byte-compile")


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


def timed(argv: list[str]) -> tuple[Timing, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=_env(), cwd=ROOT)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"{argv[1:4]} failed with status {done.returncode}:\n{done.stderr}")
    return (elapsed, cpu), done.stdout


def bare_runner(script: str, url: str, body: bytes, tokens: int) -> Callable[[], Timing]:
    def run() -> Timing:
        timing, out = timed([sys.executable, "-c", script, url, body.decode()])
        if int(out) < tokens:
            raise SystemExit(f"a bare client read only {out.strip()} events, expected {tokens}+")
        return timing

    return run


# `python -m desktop_app` as if orjson were not installed (for --no-orjson).
WITHOUT_ORJSON = (
    "import sys; sys.modules['orjson'] = None\n"
    "from desktop_app.__main__ import main\n"
    "sys.exit(main(sys.argv[1:]))"
)


def ask_runner(base_url: str, tokens: int, orjson: bool = True) -> Callable[[], Timing]:
    start = ["-m", "desktop_app"] if orjson else ["-c", WITHOUT_ORJSON]
    argv = [sys.executable, *start, "ask", "--base-url", base_url, "--json"]

    def run() -> Timing:
        timing, out = timed([*argv, f"write {tokens} tokens"])
        usage = json.loads(out)["usage"] or {}
        if usage.get("completion_tokens") != tokens:
            raise SystemExit(f"ask got {usage.get('completion_tokens')} tokens, not {tokens}")
        return timing

    return run


def async_runner(base_url: str, tokens: int, orjson: bool = True) -> Callable[[], Timing]:
    script = ASYNC_SCRIPT if orjson else "import sys; sys.modules['orjson'] = None" + ASYNC_SCRIPT
    argv = [sys.executable, "-c", script, base_url, f"write {tokens} tokens"]

    def run() -> Timing:
        timing, out = timed(argv)
        if int(out) < tokens:
            raise SystemExit(f"the asyncio client read only {out.strip()} events")
        return timing

    return run


def import_runner(module: str) -> Callable[[], Timing]:
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
    """What the client does per network chunk, minus the network: returns the events."""
    stream = ChatStream(None)
    events = 0
    for chunk in chunks:
        for _event in stream.events(chunk):
            events += 1
    stream.end()
    stream.accumulator.result()
    return events


def decode_public(chunks: list[bytes]) -> None:
    """The same through the public one-object-per-step API: feed -> parse_chunk -> fold."""
    decoder = SSEDecoder()
    accumulator = Accumulator()
    for chunk in chunks:
        for sse in decoder.feed(chunk):
            if sse.data == "[DONE]":
                break
            StreamEvent.fold(accumulator, parse_chunk(sse.data))
    decoder.flush()
    accumulator.result()


def best_of(repeats: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def stages(chunks: list[bytes], repeats: int) -> dict[str, float]:
    """Best time of each stage alone over the same input, and two references."""
    data = [d for d in _feed_all(chunks) if d != "[DONE]"]
    deltas = [parse_chunk(d) for d in data]
    fast_loads = chunks_module._orjson_loads

    def fold_all() -> None:
        accumulator = Accumulator()
        for one in deltas:
            StreamEvent.fold(accumulator, one)
        accumulator.result()

    by_stage = {
        "SSEDecoder.feed_data": best_of(repeats, lambda: _feed_all(chunks)),
        "parse_chunk": best_of(repeats, lambda: [parse_chunk(d) for d in data]),
    }
    if fast_loads is not None:
        by_stage["  of which orjson.loads"] = best_of(
            repeats, lambda: [fast_loads(d) for d in data]
        )
    by_stage["StreamEvent.fold"] = best_of(repeats, fold_all)
    by_stage["(ref.) json.loads"] = best_of(repeats, lambda: [json.loads(d) for d in data])
    by_stage["(ref.) feed -> parse_chunk -> fold"] = best_of(repeats, lambda: decode_public(chunks))
    return by_stage


def _feed_all(chunks: list[bytes]) -> list[str]:
    decoder = SSEDecoder()
    return [d for chunk in chunks for d in decoder.feed_data(chunk)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=20000, help="tokens per reply")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds of each client")
    parser.add_argument(
        "--no-orjson",
        action="store_true",
        help="measure the client as if orjson were not installed (JSON by the json module)",
    )
    args = parser.parse_args(argv)
    if args.tokens < 1 or args.rounds < 1:
        parser.error("--tokens and --rounds must be at least 1")

    precompile()
    if args.no_orjson:
        chunks_module._orjson_loads = None  # this process's in-process stages
    body = request_body(args.tokens)
    load = os.getloadavg()[0]
    with simulator() as base_url:
        url = base_url.rstrip("/") + "/chat/completions"
        runners = {
            BARE: bare_runner(BARE_SCRIPT, url, body, args.tokens),
            "bare httpx loop, no CA bundle (ref.)": bare_runner(
                BARE_NO_CA_SCRIPT, url, body, args.tokens
            ),
            BARE_JSON: bare_runner(BARE_JSON_SCRIPT, url, body, args.tokens),
            ASK: ask_runner(base_url, args.tokens, orjson=not args.no_orjson),
            "VLLMClient, asyncio (ref.)": async_runner(
                base_url, args.tokens, orjson=not args.no_orjson
            ),
            "start-up: import httpx": import_runner("httpx"),
            "start-up: import desktop_app.cli.ask": import_runner("desktop_app.cli.ask"),
        }
        times: dict[str, list[Timing]] = {name: [] for name in runners}
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

    wall = {name: statistics.median(w for w, _ in t) for name, t in times.items()}
    cpu = {name: statistics.median(c for _, c in t) for name, t in times.items()}
    ratio = wall[ASK] / wall[BARE]
    rate = events / seconds
    verdict = "within" if ratio <= TARGET_RATIO else "ABOVE"
    print(
        f"{args.tokens} tokens per reply, {args.rounds} rounds, Python {sys.version.split()[0]}, "
        f"JSON by {'orjson' if chunks_module._orjson_loads else 'json'}, "
        f"load average {load:.2f} at the start"
    )
    print(f"{'subprocess, timed end to end':36} {'best':>8} {'median':>8} {'CPU med':>8}")
    for name, t in times.items():
        best = min(w for w, _ in t)
        print(f"{name:36} {best:7.3f}s {wall[name]:7.3f}s {cpu[name]:7.3f}s")
    print(f"ratio ask/bare (medians): {ratio:.3f}  ({verdict} the {TARGET_RATIO:.2f} target)")
    print(f"ratio ask/bare+json (medians, reference): {wall[ASK] / wall[BARE_JSON]:.3f}")
    print(f"ratio ask/bare in CPU time (medians, reference): {cpu[ASK] / cpu[BARE]:.3f}")
    print(
        f"decoder+accumulator in-process: {events} events, "
        f"{sum(map(len, chunks)) / 1e6:.1f} MB in {seconds * 1000:.1f} ms "
        f"-> {rate:,.0f} events/s"
    )
    for stage, spent in by_stage.items():
        print(f"  {stage:36} {spent * 1000:7.1f} ms  ({spent / events * 1e6:.2f} us/event)")
    print(f"RESULT ratio={ratio:.3f} events_per_s={rate:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
