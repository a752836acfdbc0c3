"""The token view: 20,000 tokens streamed with top_logprobs 5 into the real window, view on.

Measures, in one run: main-thread stalls (a 5 ms timer probe) with the token view on and, as
the baseline, the same reply without logprobs (text view), each with the largest stall in the
half second after the reply ended (work left for later must not stall the window then); and
the memory a reply's token data keeps (tracemalloc), per token per alternative, against a list
of the parsed dicts.

Run: .venv/bin/python bench/bench_tokens.py [--tokens 20000] [--alternatives 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GEMMA_DESK_DATA_DIR", tempfile.mkdtemp(prefix="gd-bench-"))

from bench_window import start_simulator
from stall_probe import StallProbe, percentile

ROOT = Path(__file__).resolve().parent.parent
AFTER_SECONDS = 0.5
sys.path.insert(0, str(ROOT))


def window_run(app, base_url: str, prompt: str, alternatives: int | None) -> dict[str, float]:
    from desktop_app.app.gc_guard import MainThreadCollector
    from desktop_app.app.qt_loop import QtAsyncLoop
    from desktop_app.app.services import AppServices
    from desktop_app.core.session.profiles import ServerProfile
    from desktop_app.core.session.secrets import SecretStore
    from desktop_app.core.settings import Settings
    from desktop_app.ui.window.main_window import MainWindow

    result: dict[str, float] = {}

    async def run() -> None:
        collector = MainThreadCollector(app)
        state = AppServices(secrets=SecretStore(service="gemma-desk-bench"), settings=Settings())
        state.session.use(ServerProfile(name="bench", base_url=base_url))
        window = MainWindow(state)
        window.resize(1440, 900)
        window.show()
        collector.settle()
        while not state.session.models:
            await asyncio.sleep(0.01)
        state.tokens.set_asking(alternatives)
        # A person turns the token view on and then types: the app may use that moment (it
        # loads the chart's library then).
        await asyncio.sleep(0.3)
        chat = state.chat
        probe = StallProbe()
        done = asyncio.get_running_loop().create_future()
        chat.replyFinished.connect(lambda *_: done.done() or done.set_result(None))
        probe.start()
        start = time.perf_counter()
        chat.send(prompt)
        await done
        total = time.perf_counter() - start
        stalls = list(probe.stalls)
        # And the half second after: work left for later must not stall the window then.
        await asyncio.sleep(AFTER_SECONDS)
        after = probe.stop()[len(stalls):]
        reply = chat.current.messages[-1]
        widget = window.chat_view.widget_for(reply.id)
        shown = widget.token_panel.view.count() if widget.token_panel is not None else 0
        result.update(
            total=total, p50=statistics.median(stalls), p99=percentile(stalls, 0.99),
            max=max(stalls), after=max(after, default=0.0),
            tokens=len(reply.tokens) if reply.tokens else 0, shown=shown,
            status=0 if reply.status == "complete" else 1,
        )
        window.close()
        await state.aclose()
        collector.stop()

    with asyncio.Runner(loop_factory=lambda: QtAsyncLoop(app)) as runner:
        runner.run(run())
    return result


def memory(tokens: int, alternatives: int) -> dict[str, float]:
    """Bytes kept per token per alternative: the TokenLog, and the parsed JSON for comparison."""
    import random

    from desktop_app.api.logprobs import TokenLog, parse_logprobs
    from desktop_app.simulator.answers import markdown_answer  # noqa: F401 - warm imports
    from desktop_app.simulator.chunks import logprob_entry, with_alternatives
    from desktop_app.simulator.longform import long_reply_tokens

    pieces = long_reply_tokens(tokens, random.Random(1))
    wire = [json.dumps({"content": [with_alternatives(logprob_entry(p), alternatives)]})
            for p in pieces]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    log = TokenLog()
    for text in wire:
        log.extend(parse_logprobs(json.loads(text)))
    gc.collect()
    kept_log = tracemalloc.get_traced_memory()[0] - before
    before = tracemalloc.get_traced_memory()[0]
    dicts = [json.loads(text)["content"][0] for text in wire]
    kept_dicts = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(log) == len(dicts) == tokens
    unit = tokens * alternatives
    return {"log": kept_log / unit, "dicts": kept_dicts / unit}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tokens", type=int, default=20000)
    ap.add_argument("--alternatives", type=int, default=5)
    args = ap.parse_args()
    mem = memory(args.tokens, args.alternatives)
    print(f"token data: {mem['log']:.1f} bytes per token per alternative kept "
          f"(parsed JSON dicts: {mem['dicts']:.1f}; target <= 200)")
    from desktop_app.app.startup import create_application

    app = create_application()
    proc, url = start_simulator()
    try:
        prompt = f"write {args.tokens} tokens"
        base = window_run(app, url, prompt, None)
        view = window_run(app, url, prompt, args.alternatives)
    finally:
        proc.terminate()
        proc.wait()
    for name, r in (("text view, no logprobs", base), ("token view, top 5", view)):
        print(f"{name:24s} total {r['total']:.2f} s  stalls p50/p99/max "
              f"{r['p50']:.1f}/{r['p99']:.1f}/{r['max']:.1f} ms  tokens {r['tokens']:.0f} "
              f"shown {r['shown']:.0f}  status {r['status']:.0f}  "
              f"after it: max {r['after']:.1f} ms")
    print(f"token view / text view: total {view['total'] / base['total']:.2f}x, "
          f"p99 {view['p99']:.1f} ms (target <= 16), max {view['max']:.1f} ms (target <= 50)")


if __name__ == "__main__":
    main()
