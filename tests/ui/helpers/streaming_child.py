"""A child process: the real window streams a long reply and reports its progress.

Run as `python streaming_child.py BASE_URL PROMPT`; prints `progress N` (characters shown) as
the reply grows, until the parent kills it.
"""

from __future__ import annotations

import asyncio
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop_app.app.qt_loop import QtAsyncLoop
from desktop_app.app.services import AppServices
from desktop_app.app.startup import create_application
from desktop_app.core.session.profiles import ServerProfile
from desktop_app.ui.window.main_window import MainWindow


async def main(base_url: str, prompt: str) -> None:
    state = AppServices()
    state.start()
    state.session.use(ServerProfile(name="sim", base_url=base_url))
    window = MainWindow(state)
    window.show()
    while not state.session.models:
        await asyncio.sleep(0.02)

    def report(_conv: str, mid: str) -> None:
        msg = state.chat.current.find(mid)
        print(f"progress {len(msg.content)}", flush=True)

    state.chat.messageChanged.connect(report)
    state.chat.send("An earlier question")
    while state.chat.busy or len(state.chat.current.messages) < 2:
        await asyncio.sleep(0.02)
    print("earlier done", flush=True)
    state.chat.send(prompt)
    await asyncio.sleep(3600)


if __name__ == "__main__":
    app = create_application()
    with asyncio.Runner(loop_factory=lambda: QtAsyncLoop(app)) as runner:
        runner.run(main(sys.argv[1], sys.argv[2]))
