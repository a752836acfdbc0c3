"""Light helpers about image files and URLs that need no image library (start-up path)."""

from __future__ import annotations

from urllib.parse import urlsplit

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")


def human_size(n: int | None) -> str:
    if n is None:
        return ""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def is_remote_url(text: str) -> bool:
    return text[:8].lower().startswith(("http://", "https://"))


def looks_like_image_url(text: str) -> bool:
    """An http(s) URL whose path ends like an image file (for pasted or dropped text)."""
    text = text.strip()
    if not is_remote_url(text) or any(c.isspace() for c in text):
        return False
    return urlsplit(text).path.lower().endswith(IMAGE_SUFFIXES)
