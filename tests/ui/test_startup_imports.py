"""The first frame needs only Qt and the window's own widgets: the client, the history,
images and highlighting load after it (a type import once put httpx before the first frame)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LATER = ("httpx", "sqlite3", "PIL", "pygments", "keyring", "desktop_app.api", "PySide6.QtCharts")


def test_the_window_module_loads_nothing_the_first_frame_does_not_need():
    code = (
        "import sys, desktop_app.ui.window.main_window; "
        f"print([m for m in {LATER!r} if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
