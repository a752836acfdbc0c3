"""Light helpers about image files and URLs that need no image library (start-up path)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from desktop_app.core.human import human_size

if TYPE_CHECKING:
    from desktop_app.core.chat.conversation import Attachment

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")



def is_remote_url(text: str) -> bool:
    return text[:8].lower().startswith(("http://", "https://"))


def looks_like_image_url(text: str) -> bool:
    """An http(s) URL whose path ends like an image file (for pasted or dropped text)."""
    text = text.strip()
    if not is_remote_url(text) or any(c.isspace() for c in text):
        return False
    return urlsplit(text).path.lower().endswith(IMAGE_SUFFIXES)


def describe_attachment(att: Attachment) -> str:
    """ "2048×1365 · JPEG · 412 KB", or the host for an image sent as a link."""
    if not att.url.startswith("data:"):
        return f"link · {urlsplit(att.url).netloc}"
    bits = []
    if att.width and att.height:
        bits.append(f"{att.width}×{att.height}")
    if att.mime:
        bits.append(att.mime.removeprefix("image/").upper())
    if att.byte_size is not None:
        bits.append(human_size(att.byte_size))
    return " · ".join(bits)
