"""Where the project's README is for Help > README: the repository's file, or the copy of it
that an installed package carries in its metadata."""

from __future__ import annotations

import logging
from importlib import metadata
from pathlib import Path

from desktop_app.core.files.atomic_write import write_atomically
from desktop_app.core.files.paths import data_dir

log = logging.getLogger(__name__)
DIST_NAME = "gemma-desk"


def repository_readme() -> Path | None:
    """README.md beside the package (a checkout, or an editable install of one)."""
    path = Path(__file__).resolve().parents[2] / "README.md"
    return path if path.is_file() else None


def readme_path() -> tuple[Path | None, str]:
    """The README to open and, when there is none, why (said to the person as it is)."""
    path = repository_readme()
    if path is not None:
        return path, ""
    try:
        text = metadata.metadata(DIST_NAME).json.get("description")  # the README's text
    except metadata.PackageNotFoundError:
        text = None
    if not isinstance(text, str) or not text.strip():
        return None, "This copy of Gemma Desk carries no README (neither a file nor package data)."
    copy = data_dir() / "README.md"
    try:
        write_atomically(copy, text)
    except OSError as exc:
        log.error("README copy not written to %s: %s", copy, exc)
        return None, f"The README could not be written to {copy} ({exc.strerror or exc})."
    return copy, ""
