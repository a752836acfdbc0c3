"""Numbers as a person reads them: byte sizes."""

from __future__ import annotations


def human_size(n_bytes: int | None) -> str:
    """E.g. "812 B", "123 KB", "4.2 MB" (1 KB = 1024 bytes); "" for an unknown size."""
    if n_bytes is None:
        return ""
    if n_bytes < 1024:
        return f"{n_bytes} B"
    if n_bytes < 1024 * 1024:
        return f"{round(n_bytes / 1024)} KB"
    return f"{n_bytes / (1024 * 1024):.1f} MB"
