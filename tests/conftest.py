"""Suite-wide set-up: headless Qt, a private data folder, the recorded vLLM captures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "tests" / "fixtures" / "vllm-0.32-captures"


@pytest.fixture(scope="session")
def captures_dir() -> Path:
    """The folder of raw responses recorded from a real vLLM server."""
    if not CAPTURES.is_dir():
        pytest.fail(f"recorded vLLM captures not found at {CAPTURES}")
    return CAPTURES


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test writes into its own data folder, never the user's."""
    monkeypatch.setenv("GEMMA_DESK_DATA_DIR", str(tmp_path_factory.mktemp("data")))
