
"""The request inspector under a long stream: does following 20,000 events slow the window?

Run: .venv/bin/python bench/bench_inspector.py [--tokens 20000] [--rounds 3]
Streams the same reply into the real window with the Inspector dock hidden (baseline) and
shown while it follows the reply live, and prints the ratios; then the cost of opening the
inspector on a finished 20,000-event reply against a 100-event one. Absolute times on this
machine are noisy, so only ratios measured in the same run are printed as results.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from stall_probe import StallProbe

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GEMMA_DESK_DATA_DIR", tempfile.mkdtemp(prefix="gd-bench-"))

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_window import start_simulator  # noqa: E402


async def stream_once(window, state, prompt: str, inspector_shown: bool) -> dict[str, float]:
    """One reply; returns wall time and main-thread stalls (lateness of a 5 ms timer)."""

    controls = window.generation_controls
    controls.inspector_dock.setVisible(inspector_shown)
    controls.inspector.follow.setChecked(True)
    chat = state.chat
    probe = StallProbe()
    done = asyncio.get_running_loop().create_future()

    def finished(*_args: object) -> None:
        if not done.done():
            done.set_result(None)

    chat.replyFinished.connect(finished)
    chat.new_conversation()
    probe.start()
    start = time.perf_counter()
    chat.send(prompt)
    await done
    total = time.perf_counter() - start
    probe.stop()
    chat.replyFinished.disconnect(finished)
    if inspector_shown:
        # Let the inspector's live refresh catch up before the next round starts.
        while controls.inspector.model.rowCount() < len(
            chat.traces[chat.current.messages[-1].id].events
        ):
            await asyncio.sleep(0.01)
    gaps = sorted(probe.stalls)
    return {
        "total": total,
        "p99": gaps[max(0, int(len(gaps) * 0.99) - 1)] if gaps else 0.0,
        "max": gaps[-1] if gaps else 0.0,
    }


def open_cost(window, message_id: str, repeat: int = 5) -> float:
    """Median seconds to show a finished reply in the inspector, painted."""
    from PySide6.QtWidgets import QApplication

    inspector = window.generation_controls.inspector
    times = []
    for _ in range(repeat):
        inspector.show_message(None)
        QApplication.processEvents()
        start = time.perf_counter()
        inspector.show_message(message_id)
        inspector.repaint()
        QApplication.processEvents()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(base_url: str, tokens: int, rounds: int) -> None:
    from desktop_app.app.qt_loop import QtAsyncLoop
    from desktop_app.app.services import AppServices
    from desktop_app.app.startup import create_application
    from desktop_app.core.session.profiles import ServerProfile
    from desktop_app.core.session.secrets import SecretStore
    from desktop_app.core.settings import Settings
    from desktop_app.ui.window.main_window import MainWindow

    app = create_application()
    prompt = f"write {tokens} tokens"

    async def main() -> None:
        state = AppServices(secrets=SecretStore(service="gemma-desk-bench"), settings=Settings())
        state.session.use(ServerProfile(name="bench", base_url=base_url))
        window = MainWindow(state)
        window.resize(1200, 800)
        window.show()
        while not state.session.models:
            await asyncio.sleep(0.01)
        await stream_once(window, state, prompt, False)  # warm-up
        hidden, shown = [], []
        for _ in range(rounds):
            hidden.append(await stream_once(window, state, prompt, False))
            shown.append(await stream_once(window, state, prompt, True))
        big = state.chat.current.messages[-1].id
        await stream_once(window, state, "write 100 tokens", True)
        small = state.chat.current.messages[-1].id
        window.generation_controls.inspector_dock.show()
        big_open, small_open = open_cost(window, big), open_cost(window, small)
        rows = len(state.chat.traces[big].events)

        def med(runs: list[dict[str, float]], key: str) -> float:
            return statistics.median(r[key] for r in runs)

        ratio = med(shown, "total") / med(hidden, "total")
        print(f"stream {tokens} tokens into the window, {rounds} rounds each:")
        print(
            f"  inspector hidden  {med(hidden, 'total'):.2f} s, stall p99/max "
            f"{max(r['p99'] for r in hidden):.1f} / {max(r['max'] for r in hidden):.1f} ms"
        )
        print(
            f"  inspector live    {med(shown, 'total'):.2f} s, stall p99/max "
            f"{max(r['p99'] for r in shown):.1f} / {max(r['max'] for r in shown):.1f} ms"
        )
        print(f"  ratio live/hidden {ratio:.2f}   (target <= 1.15)")
        print(
            f"open a finished reply: {rows:,} events {big_open * 1000:.1f} ms, "
            f"~100 events {small_open * 1000:.1f} ms"
        )
        print(f"  ratio {big_open / small_open:.2f}   (target <= 3: not proportional to the rows)")
        print(
            f"RESULT live_ratio={ratio:.2f} "
            f"live_stall_max_ms={max(r['max'] for r in shown):.1f} "
            f"open_ratio={big_open / small_open:.2f}"
        )
        window.close()
        await state.aclose()

    with asyncio.Runner(loop_factory=lambda: QtAsyncLoop(app)) as runner:
        runner.run(main())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tokens", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    proc, base_url = start_simulator()
    try:
        run(base_url, args.tokens, args.rounds)
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
