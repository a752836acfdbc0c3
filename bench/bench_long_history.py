"""Opening and scrolling 1,000- and 10,000-message conversations in the real window.

Run: .venv/bin/python bench/bench_long_history.py [--sizes 1000,10000] [--rounds 3] [--steps 300]
For each size, against baselines measured in the same run: time from opening to the first
painted frame vs opening a 10-message conversation (and how much of it is the history read
alone), and main-thread stalls (5 ms timer probe) while scrolling up --steps wheel-sized steps
of 240 px and back down, then jumping to the first message (Home) and back (End), vs the same
scrolling in a bare QScrollArea of 2,000 word-wrapped labels.
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
os.environ["GEMMA_DESK_DATA_DIR"] = tempfile.mkdtemp(prefix="gd-bench-long-history-")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_history import make_history, open_window
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QVBoxLayout, QWidget
from stall_probe import StallProbe, percentile

from desktop_app.app.qt_loop import QtAsyncLoop
from desktop_app.app.startup import create_application
from desktop_app.core.history.storage import HistoryStore

STEP_PX = 240
FRAME_S = 0.016


async def scroll_steps(bar, steps: int, before_step=None) -> None:
    """Up `steps` steps (or to the top), then down to the bottom, a step per frame."""
    for _ in range(steps):
        if before_step is not None and not before_step("up"):
            break
        bar.setValue(max(bar.minimum(), bar.value() - STEP_PX))
        await asyncio.sleep(FRAME_S)
    for _ in range(steps * 4):
        if before_step is not None and not before_step("down"):
            break
        if before_step is None and bar.value() >= bar.maximum():
            break
        bar.setValue(min(bar.maximum(), bar.value() + STEP_PX))
        await asyncio.sleep(FRAME_S)


def edge_check(view):
    """Whether scrolling up (or down) can still go on: the bar is not at its end, or the
    chat view has more messages to build beyond it."""
    bar = view.verticalScrollBar()
    total = len(view._conversation.messages)

    def more(direction: str) -> bool:
        first, end = view.built_range()
        if direction == "up":
            return bar.value() > bar.minimum() or first > 0
        return bar.value() < bar.maximum() or end < total

    return more


async def probed(work) -> list[float]:
    probe = StallProbe()
    probe.start()
    await work()
    return probe.stop()


def stats(xs: list[float]) -> str:
    return f"p99/max {percentile(xs, 0.99):5.1f} / {max(xs or [0.0]):5.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=300)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    ids = {n: make_history(n)[0] for n in sizes}
    short_id = make_history(10)[0]
    app = create_application()
    lines: list[str] = []
    result: list[str] = []

    async def run() -> None:
        state, window, collector = await open_window()
        view = window.chat_view

        async def open_conv(conv_id: str) -> float:
            state.chat.select(short_id if conv_id != short_id else ids[sizes[0]])
            await asyncio.sleep(0.1)
            state.chat.list.forget_loaded(conv_id)  # read again, as at start
            start = time.perf_counter()
            state.chat.select(conv_id)
            QApplication.processEvents()  # pending layout, then a paint of the chat area
            view.grab()
            return time.perf_counter() - start

        def read_only(conv_id: str) -> float:
            with HistoryStore() as store:
                start = time.perf_counter()
                store.load_conversation(conv_id)
                return time.perf_counter() - start

        # The baseline: the same scrolling in a bare scroll area of labels.
        bare = QScrollArea()
        bare.setWidgetResizable(True)
        body = QWidget()
        lay = QVBoxLayout(body)
        for i in range(2000):
            label = QLabel(f"Label {i}: " + "a few words that wrap in a narrow column " * 3)
            label.setWordWrap(True)
            lay.addWidget(label)
        bare.setWidget(body)
        bare.resize(900, 700)
        bare.show()
        await asyncio.sleep(0.2)
        bare_bar = bare.verticalScrollBar()
        bare_bar.setValue(bare_bar.maximum())
        await asyncio.sleep(0.1)
        bare_stalls = await probed(lambda: scroll_steps(bare_bar, args.steps))
        bare.close()
        lines.append(f"bare QScrollArea of 2,000 labels, scroll   stall {stats(bare_stalls)}")

        for n in sizes:
            short = [await open_conv(short_id) for _ in range(args.rounds)]
            long = [await open_conv(ids[n]) for _ in range(args.rounds)]
            reads = [read_only(ids[n]) for _ in range(args.rounds)]
            s_ms = statistics.median(short) * 1000
            l_ms = statistics.median(long) * 1000
            r_ms = statistics.median(reads) * 1000
            lines.append(
                f"{n:>6} messages: open to first paint {l_ms:6.1f} ms (all runs "
                + ", ".join(f"{x * 1000:.0f}" for x in long)
                + f"), of which history read {r_ms:.1f} ms; 10 messages {s_ms:.1f} ms; "
                f"ratio {l_ms / s_ms:.2f}"
            )
            await asyncio.sleep(0.3)
            scroll = await probed(
                lambda: scroll_steps(view.verticalScrollBar(), args.steps, edge_check(view))
            )

            async def jumps() -> None:
                for _ in range(3):
                    view.setFocus()
                    view.scroll_to_start()
                    await asyncio.sleep(0.2)
                    view.scroll_to_end()
                    await asyncio.sleep(0.2)

            jump = await probed(jumps)
            built = len(view.message_widgets())
            lines.append(
                f"{n:>6} messages: scroll {args.steps} steps up and back  stall {stats(scroll)}"
                f"  ({built} widgets built at the end)"
            )
            lines.append(f"{n:>6} messages: Home/End jumps x3             stall {stats(jump)}")
            result.append(
                f"open{n}_ms={l_ms:.1f} read{n}_ms={r_ms:.1f} open{n}_ratio={l_ms / s_ms:.2f} "
                f"scroll{n}_max_ms={max(scroll):.1f} jump{n}_max_ms={max(jump):.1f}"
            )
        window.close()
        await state.aclose()
        collector.stop()

    with asyncio.Runner(loop_factory=lambda: QtAsyncLoop(app)) as runner:
        runner.run(run())
    QApplication.processEvents()
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    for line in lines:
        print(line)
    print("RESULT " + " ".join(result))


if __name__ == "__main__":
    main()
