"""The real app started as a process: headless, on its own data folder, no keyring."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = [sys.executable, "-m", "desktop_app"]
_OUR_ENV = ("GEMMA_BASE_URL", "GEMMA_MODEL", "HEXGRID_API_KEY", "GEMMA_DESK_DATA_DIR")
NOTICE = "smoke-test: notice: "
TIMEOUT = 90


def app_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a start on ``data_dir``: offscreen, the keyring's fail backend (so
    nothing is shared through a keyring), none of the user's server variables."""
    env = {k: v for k, v in os.environ.items() if k not in _OUR_ENV}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        GEMMA_DESK_DATA_DIR=str(data_dir),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    env.update(extra)
    return env


def run_app(
    data_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    prefix: Sequence[str] = (),
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Runs the app to its end (``--smoke-test`` by default) and returns what it printed."""
    return subprocess.run(
        [*prefix, *APP, *(args or ("--smoke-test",))],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env or app_env(data_dir),
        cwd=ROOT,
        timeout=TIMEOUT,
        preexec_fn=preexec_fn,
        check=False,
    )


def start_app(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Starts the app and returns once its window is ready (its log says so)."""
    log = data_dir / "logs" / "gemma-desk.log"
    proc = subprocess.Popen(
        [*APP, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or app_env(data_dir),
        cwd=ROOT,
    )
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if log.is_file() and "window ready" in log.read_text(encoding="utf-8"):
            return proc
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"the app ended early ({proc.returncode}):\n{out}\n{err}")
        time.sleep(0.05)  # polling a file another process writes; no signal to wait on
    proc.kill()
    raise AssertionError("the app did not get ready in time")


def notices(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The lines of the window's notice banner, as the smoke test printed them."""
    return [line[len(NOTICE) :] for line in result.stdout.splitlines() if line.startswith(NOTICE)]


def smoke_ok(result: subprocess.CompletedProcess[str]) -> bool:
    return result.returncode == 0 and "smoke-test: ok" in result.stdout
