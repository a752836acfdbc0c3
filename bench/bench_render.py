"""Main-thread stalls while large replies are shown in the real chat view.

Run: .venv/bin/python bench/bench_render.py [--src PATH] [--rounds 1]

Each case puts a reply into a ChatView (offscreen, 1000x800) the way the window does, and a
5 ms timer probe (stall_probe.py) measures how late the event loop gets, until the view is
idle again. "open" cases show a finished reply at once (as when a chat is opened from
history); "stream" cases grow the reply a chunk per event-loop turn and refresh the view
each time (as the chat controller does while a reply arrives). The idle row is the probe
with nothing to do. `--src` renders with another checkout's desktop_app (e.g. a worktree
of an older commit) for a before/after comparison on the same machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from stall_probe import StallProbe, percentile

ROOT = Path(__file__).resolve().parent.parent


def table(rows: int) -> str:
    head = "| # | name | value | note |\n|---|---|---|---|\n"
    return head + "".join(f"| {i} | item {i} | {i * 7} | some words |\n" for i in range(rows))


def listing(items: int) -> str:
    return "".join(f"- item number {i} with a few words\n" for i in range(items))


def long_line(chars: int) -> str:
    # No space: nothing to break the line at, the costliest case for text layout.
    return ("0123456789abcdef" * (chars // 16 + 1))[:chars]


def big_reply(size: int) -> str:
    para = "A paragraph of an answer with **bold**, `code` and words. " * 6 + "\n\n"
    code = "```python\n" + "def f(x):\n    return x * 2\n" * 20 + "```\n\n"
    unit = para * 4 + code
    return (unit * (size // len(unit) + 1))[:size]


CASES: list[tuple[str, str, Callable[[], str], int]] = [
    # name, mode, text, stream chunk (characters per update)
    ("table 10,000 rows, open", "open", lambda: table(10_000), 0),
    ("list 10,000 items, open", "open", lambda: listing(10_000), 0),
    ("line 200,000 chars, open", "open", lambda: long_line(200_000), 0),
    ("table 2,000 rows, stream", "stream", lambda: table(2_000), 400),
    ("reply 10 MB, stream", "stream", lambda: big_reply(10_000_000), 8_000),
]


def chunks(text: str, size: int) -> Iterator[str]:
    for end in range(size, len(text) + size, size):
        yield text[: min(end, len(text))]


def run_case(app, mode: str, text: str, chunk: int) -> tuple[list[float], float]:
    from desktop_app.core.chat.conversation import ChatMessage, Conversation, MessageStatus
    from desktop_app.ui.chat.chat_view import ChatView

    view = ChatView()
    view.resize(1000, 800)
    view.show()
    app.processEvents()
    conv = Conversation(messages=[ChatMessage("user", "Show me a lot of output")])
    view.set_conversation(conv)
    app.processEvents()
    probe = StallProbe(precise=True)
    probe.start()
    start = time.perf_counter()
    reply = ChatMessage("assistant", "", status=MessageStatus.STREAMING)
    conv.messages.append(reply)
    if mode == "open":
        reply.content = text
        reply.status = MessageStatus.COMPLETE
        view.add_message(reply)
    else:
        view.add_message(reply)
        for part in chunks(text, chunk):
            reply.content = part
            view.update_message(reply.id)
            app.processEvents()
        reply.status = MessageStatus.COMPLETE
        view.update_message(reply.id)
    widget = view.widget_for(reply.id)
    # Settle: until the view has no rendering left and a few probe ticks passed quietly.
    settle = time.perf_counter() + 0.1
    while time.perf_counter() < settle or getattr(widget.text, "is_rendering", lambda: 0)():
        app.processEvents()
        time.sleep(0.001)
    total = time.perf_counter() - start
    stalls = probe.stop()
    view.close()
    view.deleteLater()
    app.processEvents()
    return stalls, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--src", default=str(ROOT), help="checkout whose desktop_app renders")
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    sys.path.insert(0, str(Path(args.src).resolve()))
    from PySide6.QtWidgets import QApplication

    import desktop_app

    app = QApplication.instance() or QApplication([])
    print(f"rendering with {Path(desktop_app.__file__).parent}")
    # As the app runs: garbage collected from the event loop, pygments loaded off-thread.
    from desktop_app.app.gc_guard import MainThreadCollector
    from desktop_app.ui.chat.code_block import warm_up_highlighter

    collector = MainThreadCollector(app)
    warm_up_highlighter()
    idle = StallProbe(precise=True)
    idle.start()
    end = time.perf_counter() + 0.5
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)
    base = idle.stop()
    print(f"{'case':30s} {'p99 ms':>8s} {'max ms':>8s} {'total s':>8s}")
    print(f"{'idle probe':30s} {percentile(base, 0.99):8.1f} {max(base):8.1f}")
    worst = 0.0
    for name, mode, make, chunk in CASES:
        text = make()
        for _ in range(args.rounds):
            stalls, total = run_case(app, mode, text, chunk)
            worst = max(worst, max(stalls or [0.0]))
            print(
                f"{name:30s} {percentile(stalls, 0.99):8.1f} {max(stalls or [0.0]):8.1f}"
                f" {total:8.2f}",
                flush=True,
            )
    print(f"RESULT worst_stall_ms={worst:.1f}   (target: every case max <= 50)")
    del collector


if __name__ == "__main__":
    main()
