"""Started with no display, the app says so and how to run headless, instead of a Qt abort."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_display_is_said_in_words(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env["GEMMA_DESK_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "No display found" in done.stderr
    assert "scripts/start --headless" in done.stderr
    assert "xcb" not in done.stderr  # not Qt's misleading plugin hint
