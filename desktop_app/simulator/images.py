"""Image inputs: checking `data:` URLs, decoding them with Pillow, describing what arrived."""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from .errors import ApiError, bad_request

_FORMAT_NAMES = {"WEBP": "WebP", "MPO": "JPEG"}


@dataclass(frozen=True)
class ImageInfo:
    """What the simulator learnt about one image part."""

    url: str
    remote: bool
    format: str | None = None
    width: int = 0
    height: int = 0

    def describe(self) -> str:
        if self.remote:
            shown = self.url if len(self.url) <= 60 else self.url[:57] + "..."
            return f"remote image ({shown}), not downloaded"
        shape = "square"
        if self.width > self.height:
            shape = "landscape"
        elif self.width < self.height:
            shape = "portrait"
        return f"{self.format}, {self.width}×{self.height} pixels ({shape})"


def _decode_data_url(url: str) -> ImageInfo:
    header, comma, payload = url[len("data:") :].partition(",")
    if not comma:
        raise bad_request("Invalid data URL: missing ',' between the media type and the data.")
    if not header.lower().endswith(";base64"):
        raise bad_request("Only base64 data URLs are supported for now.")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad_request(f"Invalid base64 data in image data URL: {exc}") from exc
    try:
        with Image.open(io.BytesIO(raw)) as img:
            fmt = img.format or "unknown"
            width, height = img.size
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise bad_request(f"Failed to decode the image in a data: URL: {exc}") from exc
    return ImageInfo(url="", remote=False, format=_FORMAT_NAMES.get(fmt, fmt), width=width,
                     height=height)


def inspect_image(url: str) -> ImageInfo:
    """Check one image URL the way vLLM's media loader would; raise ApiError on bad input."""
    lowered = url[:16].lower()
    if lowered.startswith("data:"):
        return _decode_data_url(url)
    if lowered.startswith(("http://", "https://")):
        return ImageInfo(url=url, remote=True)
    if lowered.startswith("file:"):
        raise bad_request("Cannot load local files without `--allowed-local-media-path`.")
    raise ApiError(400, "The URL must be either a HTTP, data or file URL.")


def describe_images(images: list[ImageInfo]) -> str:
    """A markdown paragraph saying which images arrived."""
    if len(images) == 1:
        return f"I received 1 image: {images[0].describe()}."
    lines = [f"I received {len(images)} images:", ""]
    lines += [f"{i}. {image.describe()}" for i, image in enumerate(images, 1)]
    return "\n".join(lines)
