"""Opening and scrolling a 1,000-message conversation in the real window.

Run: .venv/bin/python bench/bench_history.py [--messages 1000] [--rounds 3]
Prints, against baselines measured in the same run: time to first paint when opening the long
conversation vs an empty one, and main-thread stalls (a 5 ms timer probe) while scrolling the
long conversation from the bottom to the top and back, vs the probe with the window idle.
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

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["GEMMA_DESK_DATA_DIR"] = tempfile.mkdtemp(prefix="gd-bench-history-")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication
from stall_probe import StallProbe

from desktop_app.app.gc_guard import MainThreadCollector
from desktop_app.app.qt_loop import QtAsyncLoop
from desktop_app.app.services import AppServices
from desktop_app.app.startup import create_application
from desktop_app.core.chat.conversation import ChatMessage, Conversation
from desktop_app.core.history.storage import HistoryStore
from desktop_app.core.session.secrets import SecretStore
from desktop_app.core.settings import Settings
from desktop_app.ui.window.main_window import MainWindow

ANSWER = """## Point {i}

Here is **answer {i}** with `inline code`, a list and a short code block:

- first item of {i}
- second item with a [link](https://example.org/{i})

```python
def f_{i}(x):
    return x * {i}
```
"""


def make_history(n: int) -> tuple[str, str]:
    long = Conversation(title=f"{n} messages")
    for i in range(n // 2):
        long.messages.append(ChatMessage(role="user", content=f"Question number {i}?"))
        long.messages.append(ChatMessage(role="assistant", content=ANSWER.format(i=i)))
    empty = Conversation(title="empty")
    empty.messages.append(ChatMessage(role="user", content="hi"))
    with HistoryStore() as store:
        store.save_conversation(long)
        store.save_conversation(empty)
    return long.id, empty.id


async def open_window() -> tuple[AppServices, MainWindow, MainThreadCollector]:
    """The real window on the bench's history, garbage collected as the app runs it."""
    collector = MainThreadCollector()
    state = AppServices(secrets=SecretStore(service="gemma-desk-bench"), settings=Settings())
    state.start()
    window = MainWindow(state)
    window.resize(1200, 800)
    window.show()
    collector.settle()
    await asyncio.sleep(0.2)
    return state, window, collector


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    long_id, empty_id = make_history(args.messages)
    app = create_application()
    results: dict[str, list[float]] = {"open_long": [], "open_empty": []}
    stalls: dict[str, list[float]] = {"idle": [], "scroll": []}

    async def run() -> None:
        state, window, collector = await open_window()

        async def open_conv(conv_id: str) -> float:
            state.chat.select(empty_id if conv_id != empty_id else long_id)
            await asyncio.sleep(0.05)
            state.chat.list.forget_loaded(conv_id)  # read again, as at start
            start = time.perf_counter()
            state.chat.select(conv_id)
            # The first frame: pending layout work, then a paint of the chat area.
            QApplication.processEvents()
            window.chat_view.grab()
            return time.perf_counter() - start

        for _ in range(args.rounds):
            results["open_empty"].append(await open_conv(empty_id))
            results["open_long"].append(await open_conv(long_id))

        async def probe(seconds: float | None, scroller=None) -> list[float]:
            timer = StallProbe()
            timer.start()
            if scroller is None:
                await asyncio.sleep(seconds or 1.0)
            else:
                await scroller()
            return timer.stop()

        async def scroll_through() -> None:
            bar = window.chat_view.verticalScrollBar()
            # up to the top (older pages are built on the way), then down to the bottom
            view = window.chat_view
            while bar.value() > bar.minimum() or view._first_built > 0:
                before = (bar.value(), view._first_built)
                bar.setValue(max(bar.minimum(), bar.value() - 240))
                await asyncio.sleep(0.016)
                if (bar.value(), view._first_built) == before:
                    raise SystemExit("scrolling up stopped loading earlier messages")
            # down again: the view builds the newer messages it dropped on the way up
            while bar.value() < bar.maximum() or view.built_range()[1] < args.messages:
                bar.setValue(min(bar.maximum(), bar.value() + 240))
                await asyncio.sleep(0.016)

        stalls["idle"] = await probe(1.0)
        state.chat.list.forget_loaded(long_id)
        state.chat.select(empty_id)
        state.chat.select(long_id)
        await asyncio.sleep(0.2)
        stalls["scroll"] = await probe(None, scroll_through)
        built = len(window.chat_view.message_widgets())
        print(f"scrolled through {args.messages} messages, {built} widgets built at the end")
        window.close()
        await state.aclose()
        collector.stop()

    with asyncio.Runner(loop_factory=lambda: QtAsyncLoop(app)) as runner:
        runner.run(run())
    QApplication.processEvents()

    long_ms = statistics.median(results["open_long"]) * 1000
    empty_ms = statistics.median(results["open_empty"]) * 1000
    idle = sorted(stalls["idle"])
    scroll = sorted(stalls["scroll"])

    def pct(xs: list[float], q: float) -> float:
        return xs[min(len(xs) - 1, int(len(xs) * q))]

    print(
        f"open to first paint: {args.messages} messages {long_ms:.1f} ms, "
        f"short conversation {empty_ms:.1f} ms, ratio {long_ms / empty_ms:.2f}"
    )
    print(
        f"main-thread stall while idle   p50/p99/max {pct(idle, 0.5):.1f} / "
        f"{pct(idle, 0.99):.1f} / {idle[-1]:.1f} ms"
    )
    print(
        f"main-thread stall while scrolling p50/p99/max {pct(scroll, 0.5):.1f} / "
        f"{pct(scroll, 0.99):.1f} / {scroll[-1]:.1f} ms  (target max <= 50)"
    )
    print(
        f"RESULT open_ratio={long_ms / empty_ms:.2f} scroll_p99_ms={pct(scroll, 0.99):.1f} "
        f"scroll_max_ms={scroll[-1]:.1f}"
    )


if __name__ == "__main__":
    main()
