"""Streaming into the real window: overhead, main-thread stalls, per-token cost, cold start.

Baselines, each reading the same `write N tokens` reply in the same run: a bare httpx reader
that parses nothing (the ratio's target), a bare asyncio httpx reader that parses every
chunk and joins the text, and the app's own client (`VLLMClient.follow`) with no window.

Run: .venv/bin/python bench/bench_window.py [--tokens 20000] [--rounds 3]
Prints ratios against baselines measured in the same run (absolute times are noisy here).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GEMMA_DESK_DATA_DIR", tempfile.mkdtemp(prefix="gd-bench-"))

import httpx
from stall_probe import StallProbe

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

try:
    from orjson import loads as _loads
except ImportError:
    from json import loads as _loads


def start_simulator(*options: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_app.simulator", "--port", "0", *options],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    line = proc.stdout.readline()
    url = line.strip().rsplit(" ", 1)[-1]
    if not url.startswith("http"):
        proc.kill()
        raise SystemExit(f"simulator did not start: {line!r}")
    return proc, url


def bare_reader(base_url: str, prompt: str) -> tuple[float, float]:
    body = {
        "messages": [{"role": "user", "content": prompt}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    start, cpu = time.perf_counter(), time.thread_time()
    with (
        httpx.Client(timeout=120) as client,
        client.stream("POST", f"{base_url}/chat/completions", json=body) as resp,
    ):
        for line in resp.iter_lines():
            if line == "data: [DONE]":
                break
    return time.perf_counter() - start, time.thread_time() - cpu


async def _parsing_reader(base_url: str, prompt: str) -> tuple[float, float]:
    body = {
        "messages": [{"role": "user", "content": prompt}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    text: list[str] = []
    start, cpu = time.perf_counter(), time.thread_time()
    async with (
        httpx.AsyncClient(timeout=120) as client,
        client.stream("POST", f"{base_url}/chat/completions", json=body) as resp,
    ):
        async for line in resp.aiter_lines():
            if line == "data: [DONE]":
                break
            if line.startswith("data:"):
                for choice in _loads(line[5:])["choices"]:
                    text.append(choice["delta"].get("content") or "")
    "".join(text)
    return time.perf_counter() - start, time.thread_time() - cpu


def parsing_reader(base_url: str, prompt: str) -> tuple[float, float]:
    """A bare asyncio httpx reader that also parses every chunk and joins the text: the
    least any client that shows the reply must do (reference)."""
    return asyncio.run(_parsing_reader(base_url, prompt))


async def _client_reader(base_url: str, prompt: str) -> tuple[float, float]:
    from desktop_app.api import ChatRequest, Message, VLLMClient

    start, cpu = time.perf_counter(), time.thread_time()
    async with VLLMClient(base_url) as client:
        request = ChatRequest(model=None, messages=(Message.user(prompt),))
        last = None
        async for accumulator in client.follow(request):
            last = accumulator
        assert last is not None and last.result().content
    return time.perf_counter() - start, time.thread_time() - cpu


def client_reader(base_url: str, prompt: str) -> tuple[float, float]:
    """The app's own client following the reply, with no window (reference)."""
    return asyncio.run(_client_reader(base_url, prompt))


def window_run(base_url: str, prompt: str, tokens: int) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    from desktop_app.app.gc_guard import MainThreadCollector
    from desktop_app.app.qt_loop import QtAsyncLoop
    from desktop_app.app.services import AppServices
    from desktop_app.app.startup import create_application
    from desktop_app.core.session.profiles import ServerProfile
    from desktop_app.core.session.secrets import SecretStore
    from desktop_app.core.settings import Settings
    from desktop_app.ui.window.main_window import MainWindow

    app = create_application()
    result: dict[str, float] = {}

    async def run() -> None:
        # As app/startup.py does: cyclic GC runs from the Qt loop, and what exists after
        # start-up is frozen out of full collections.
        collector = MainThreadCollector(app)
        state = AppServices(secrets=SecretStore(service="gemma-desk-bench"), settings=Settings())
        state.session.use(ServerProfile(name="bench", base_url=base_url))
        window = MainWindow(state)
        from desktop_app.ui.chat.code_block import warm_up_highlighter

        warm_up_highlighter()  # as the app does after start-up
        window.resize(1200, 800)
        window.show()
        collector.settle()
        while not state.session.models:
            await asyncio.sleep(0.01)
        chat = state.chat
        # Probe: a 5 ms timer; any lateness beyond its period is a main-thread stall.
        probe = StallProbe()
        marks: list[tuple[int, float]] = []
        done = asyncio.get_running_loop().create_future()

        def on_changed(_c: str, mid: str) -> None:
            msg = chat.current.find(mid)
            marks.append((len(msg.content), time.perf_counter()))

        chat.messageChanged.connect(on_changed)
        chat.replyFinished.connect(lambda *_: done.done() or done.set_result(None))
        probe.start()
        start, cpu = time.perf_counter(), time.thread_time()
        chat.send(prompt)
        await done
        total = time.perf_counter() - start
        cpu = time.thread_time() - cpu
        probe.stop()
        reply = chat.current.messages[-1]
        usage = reply.reply.usage
        n_tokens = usage.completion_tokens if usage else tokens
        # token index ~ proportional to characters received (the stream's tokens are similar)
        chars = len(reply.content)

        def time_at(frac: float) -> float:
            """When the reply reached `frac` of its length, interpolated between repaints."""
            target = chars * frac
            prev_n, prev_t = 0, start
            for n, t in marks:
                if n >= target:
                    if n == prev_n:
                        return t
                    return prev_t + (t - prev_t) * (target - prev_n) / (n - prev_n)
                prev_n, prev_t = n, t
            return marks[-1][1]

        k = 1000 / n_tokens
        first = time_at(k + 100 / n_tokens) - time_at(100 / n_tokens)
        lastk = time_at(1.0) - time_at(1 - k)
        slow = [(round(t - start, 3), round(g, 1)) for t, g in probe.marks if g > 30]
        if slow:
            print("  stalls over 30 ms at (s after send, ms):", slow)
        gaps_sorted = sorted(probe.stalls)
        result.update(
            total=total,
            cpu=cpu,
            stall_p50=statistics.median(gaps_sorted),
            stall_p99=gaps_sorted[int(len(gaps_sorted) * 0.99) - 1],
            stall_max=gaps_sorted[-1],
            per_token_ratio=lastk / first if first > 0 else float("nan"),
            tokens=n_tokens,
            status=0 if reply.status == "complete" else 1,
        )
        window.close()
        await state.aclose()
        collector.stop()

    with asyncio.Runner(loop_factory=lambda: QtAsyncLoop(app)) as runner:
        runner.run(run())
    QApplication.processEvents()
    return result


BARE_WINDOW = """
import time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1180, 780); w.show()
app.processEvents()
print("shown", time.monotonic(), flush=True)
"""

# The real command, against the built-in simulator; it prints when its window is shown and
# when it is ready (history restored, server connected, models listed), then exits.
APP_COMMAND = [sys.executable, "-m", "desktop_app", "--demo", "--startup-probe"]


def cold_start(cmd: list[str]) -> dict[str, float]:
    env = dict(os.environ, GEMMA_DESK_DATA_DIR=tempfile.mkdtemp(prefix="gd-cold-"))
    t0 = time.monotonic()
    out = subprocess.run(
        cmd, capture_output=True, text=True, cwd=ROOT, env=env, check=True, timeout=120
    )
    marks = {}
    for line in out.stdout.splitlines():
        name, _, value = line.partition(" ")
        if name in ("shown", "ready"):
            marks[name] = float(value) - t0
    return marks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tokens", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    proc, base_url = start_simulator()
    prompt = f"write {args.tokens} tokens"
    try:
        bare_reader(base_url, prompt)  # warm-up
        parsing_reader(base_url, prompt)
        client_reader(base_url, prompt)
        bare, parsing, client = [], [], []
        for _ in range(args.rounds):  # interleaved, so drift hits all alike
            bare.append(bare_reader(base_url, prompt))
            parsing.append(parsing_reader(base_url, prompt))
            client.append(client_reader(base_url, prompt))
        runs = [window_run(base_url, prompt, args.tokens) for _ in range(args.rounds)]
    finally:
        proc.terminate()
        proc.wait(10)
    bare_med = statistics.median(w for w, _ in bare)
    parsing_med = statistics.median(w for w, _ in parsing)
    client_med = statistics.median(w for w, _ in client)
    bare_cpu = statistics.median(c for _, c in bare)
    parsing_cpu = statistics.median(c for _, c in parsing)
    win_cpu = statistics.median(r["cpu"] for r in runs)
    win_med = statistics.median(r["total"] for r in runs)
    p50 = statistics.median(r["stall_p50"] for r in runs)
    p99 = max(r["stall_p99"] for r in runs)
    mx = max(r["stall_max"] for r in runs)
    per_tok = statistics.median(r["per_token_ratio"] for r in runs)
    bare_runs, app_runs = [], []
    for _ in range(args.rounds + 2):  # interleaved, so drift hits both alike
        bare_runs.append(cold_start([sys.executable, "-c", BARE_WINDOW])["shown"])
        app_runs.append(cold_start(APP_COMMAND))
    bare_cold = statistics.median(bare_runs)
    app_cold = statistics.median(r["shown"] for r in app_runs)
    app_ready = statistics.median(r["ready"] for r in app_runs)
    print(
        f"stream {args.tokens} tokens: bare httpx {bare_med:.3f} s, bare httpx + parse "
        f"{parsing_med:.3f} s, app client alone {client_med:.3f} s, window {win_med:.3f} s"
    )
    print(f"  ratio window/bare          {win_med / bare_med:.2f}   (target <= 1.3)")
    print(f"  ratio window/bare+parse    {win_med / parsing_med:.2f}   (reference)")
    print(f"  ratio window/client alone  {win_med / client_med:.2f}   (reference)")
    print(
        f"  main-thread CPU: bare {bare_cpu:.3f} s, bare + parse {parsing_cpu:.3f} s, window "
        f"{win_cpu:.3f} s; ratio window/bare {win_cpu / bare_cpu:.2f}, window/bare+parse "
        f"{win_cpu / parsing_cpu:.2f}   (reference: less sensitive to other load)"
    )
    print(
        f"  main-thread stall p50/p99/max  {p50:.1f} / {p99:.1f} / {mx:.1f} ms"
        "   (targets p99 <= 16, max <= 50)"
    )
    print(f"  per-token cost last 1k / first 1k  {per_tok:.2f}   (target <= 1.5)")
    print(
        f"cold start to window shown: bare PySide6 {bare_cold:.2f} s, app {app_cold:.2f} s"
        f" (connected and ready: {app_ready:.2f} s)"
    )
    print(f"  ratio app/bare             {app_cold / bare_cold:.2f}   (target <= 1.5)")
    print(
        f"RESULT ratio={win_med / bare_med:.2f} ratio_parse={win_med / parsing_med:.2f} "
        f"stall_p99_ms={p99:.1f} stall_max_ms={mx:.1f} "
        f"per_token={per_tok:.2f} cold_start_ratio={app_cold / bare_cold:.2f}"
    )


if __name__ == "__main__":
    main()
