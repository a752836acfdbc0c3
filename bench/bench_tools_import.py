"""Main-thread stalls while a big tools file (~6.7 MB) is imported into the real window.

Run: .venv/bin/python bench/bench_tools_import.py [--tools 2650] [--src PATH]
Prints the stall p99/max of a 5 ms timer probe (stall_probe.py) from the click on Import
until the tools are listed, against the probe with the window idle (target max <= 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GEMMA_DESK_DATA_DIR", tempfile.mkdtemp(prefix="gd-bench-tools-"))

from stall_probe import StallProbe, percentile

ROOT = Path(__file__).resolve().parent.parent


def write_tools(path: Path, n: int) -> int:
    props = {
        f"field_{k}": {"type": "string", "description": f"Field {k} of the record " * 4}
        for k in range(12)
    }
    tools = [
        {
            "type": "function",
            "function": {
                "name": f"tool_{i}",
                "description": f"Tool number {i}: looks a record up and answers with it.",
                "parameters": {"type": "object", "properties": props, "required": ["field_0"]},
            },
        }
        for i in range(n)
    ]
    path.write_text(json.dumps(tools, indent=2))
    return path.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tools", type=int, default=2650, help="2,650 tools make ~6.7 MB")
    ap.add_argument("--src", default=str(ROOT), help="checkout whose desktop_app runs")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(args.src).resolve()))
    from desktop_app.app.qt_loop import QtAsyncLoop
    from desktop_app.app.services import AppServices
    from desktop_app.app.startup import create_application
    from desktop_app.core.session.secrets import SecretStore
    from desktop_app.core.settings import Settings
    from desktop_app.ui.window.main_window import MainWindow

    app = create_application()
    path = Path(tempfile.mkdtemp()) / "tools.json"
    size = write_tools(path, args.tools)

    async def run() -> None:
        state = AppServices(secrets=SecretStore(service="gemma-desk-bench"), settings=Settings())
        window = MainWindow(state)
        window.resize(1200, 800)
        window.show()
        panel = window.tools_panel
        await asyncio.sleep(0.3)
        idle = StallProbe(precise=True)
        idle.start()
        await asyncio.sleep(0.5)
        base = idle.stop()
        probe = StallProbe(precise=True)
        probe.start()
        start = time.perf_counter()
        panel.import_file(path)  # what the Import… button does once a file is chosen
        while getattr(panel, "importing", lambda: False)() or panel.list.count() < args.tools:
            await asyncio.sleep(0.005)
        total = time.perf_counter() - start
        await asyncio.sleep(0.1)
        stalls = probe.stop()
        print(f"{args.tools} tools, {size / 1e6:.1f} MB: listed after {total:.2f} s")
        print(f"  idle probe      p99/max {percentile(base, 0.99):6.1f} / {max(base):6.1f} ms")
        print(f"  during import   p99/max {percentile(stalls, 0.99):6.1f} / {max(stalls):6.1f} ms")
        print(f"RESULT import_stall_max_ms={max(stalls):.1f}   (target <= 50)")
        window.close()
        await state.aclose()

    with asyncio.Runner(loop_factory=lambda: QtAsyncLoop(app)) as runner:
        runner.run(run())


if __name__ == "__main__":
    main()
