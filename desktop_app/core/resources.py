"""Finding files shipped in resources/, installed or not."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """The path of a shipped resource file, e.g. resource_path("tools", "weather.json")."""
    base = resources.files("desktop_app.resources")
    return Path(str(base.joinpath(*parts)))
