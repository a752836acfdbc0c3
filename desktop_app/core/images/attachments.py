"""Turning image files, bytes, pixels and URLs into attachments a vLLM server accepts.

Everything here is plain, blocking Python (Pillow): callers run it on a worker thread.
Images are decoded, turned upright after their EXIF orientation, downscaled to a longest
side, stripped of metadata (camera GPS tags never leave the machine) and re-encoded as a
base64 ``data:`` URL: JPEG for photos, PNG when there is transparency or the source was
lossless (screenshots keep sharp text) and the PNG stays reasonably small.
"""

from __future__ import annotations

import base64
import binascii
import io
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import Image, UnidentifiedImageError

from desktop_app.api import GemmaAPIError
from desktop_app.core.chat.conversation import Attachment
from desktop_app.core.human import human_size
from desktop_app.core.images.urls import (  # noqa: F401 - re-exported
    IMAGE_SUFFIXES,
    is_remote_url,
    looks_like_image_url,
)

DEFAULT_MAX_SIDE = 2048  # Gemma 4's largest image budget (1120 soft tokens) gains nothing above
MIN_MAX_SIDE = 256
MAX_FILE_BYTES = 50 * 1024 * 1024
# Pillow's own decompression-bomb threshold: beyond it Pillow warns (or refuses), so a
# 24-megapixel phone photo passes with room to spare and a pixel bomb does not.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
PNG_MAX_BYTES = 2 * 1024 * 1024  # a lossless source larger than this as PNG goes as JPEG
JPEG_QUALITY = 90
THUMB_SIDE = 256

FORMAT_NAMES = {
    "PNG": "PNG",
    "JPEG": "JPEG",
    "MPO": "JPEG",
    "WEBP": "WebP",
    "GIF": "GIF",
    "BMP": "BMP",
}
SUPPORTED_TEXT = "PNG, JPEG, WebP, GIF or BMP"
_LOSSY = {"JPEG", "MPO"}

# EXIF orientation tag (0x0112) values and the transpose that makes the pixels upright.
_ORIENT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class AttachmentError(GemmaAPIError):
    """An image could not be attached; the message says why and what to do instead."""


@dataclass(frozen=True)
class Prepared:
    """An encoded attachment, a small preview of it, and what the source was."""

    attachment: Attachment
    thumbnail: bytes  # PNG or JPEG, longest side THUMB_SIDE, for the UI
    source_format: str = ""
    source_width: int = 0
    source_height: int = 0
    source_bytes: int = 0


def remote_attachment(url: str) -> Attachment:
    """An http(s) image URL goes to the server as it is; the server fetches it."""
    url = url.strip()
    if not is_remote_url(url):
        raise AttachmentError(f"“{url[:80]}” is not an http(s) address.")
    path = urlsplit(url).path
    name = unquote(path.rsplit("/", 1)[-1]) or urlsplit(url).netloc
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    mime = {"jpg": "image/jpeg", "jpeg": "image/jpeg"}.get(ext, f"image/{ext}" if ext else "")
    return Attachment(url=url, mime=mime, name=name)


def prepare_file(path: str | Path, max_side: int = DEFAULT_MAX_SIDE) -> Prepared:
    """Reads and encodes an image file; AttachmentError says what is wrong with it."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise AttachmentError(f"“{name}” is a folder. Attach image files from inside it.")
        if size > MAX_FILE_BYTES:
            raise AttachmentError(
                f"“{name}” is {human_size(size)}; images up to {human_size(MAX_FILE_BYTES)} can "
                "be attached. Save a smaller copy and attach that."
            )
        data = path.read_bytes()
    except AttachmentError:
        raise
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise AttachmentError(
            f"Could not read “{name}”: {reason}. Check that the file exists and can be opened."
        ) from exc
    return prepare_bytes(data, name, max_side)


def prepare_data_url(
    url: str, name: str = "Dropped image", max_side: int = DEFAULT_MAX_SIDE
) -> Prepared:
    return prepare_bytes(decode_data_url(url), name, max_side)


def decode_data_url(url: str) -> bytes:
    header, comma, payload = url.partition(",")
    if not comma or not header.lower().startswith("data:") or ";base64" not in header.lower():
        raise AttachmentError("The image data could not be read (not a base64 data: URL).")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AttachmentError("The image data could not be read (broken base64).") from exc


def prepare_bytes(data: bytes, name: str, max_side: int = DEFAULT_MAX_SIDE) -> Prepared:
    """Decodes encoded image bytes (a file's content, clipboard PNG data) and re-encodes them."""
    if not data:
        raise AttachmentError(f"“{name}” is empty (0 bytes), so there is no image to attach.")
    if len(data) > MAX_FILE_BYTES:
        raise AttachmentError(
            f"“{name}” is {human_size(len(data))}; images up to {human_size(MAX_FILE_BYTES)} "
            "can be attached. Save a smaller copy and attach that."
        )
    img = _open(data, name)
    out = img
    try:
        fmt = img.format or ""
        if fmt not in FORMAT_NAMES:
            raise AttachmentError(
                f"“{name}” is a {fmt or 'kind of'} image, which is not supported here. "
                f"Attach a {SUPPORTED_TEXT} file, or convert it to PNG or JPEG first."
            )
        width, height = img.size
        orientation = _orientation(img)
        target = _target_size(width, height, max_side)
        if fmt in _LOSSY and target != (width, height):
            # Decode a JPEG at 1/2, 1/4 or 1/8 scale straight away: a 24 MP photo then
            # costs a fraction of the time and memory of a full decode.
            img.draft("RGB" if img.mode in ("RGB", "YCbCr") else None, target)
        try:
            img.load()
        except (OSError, SyntaxError, ValueError) as exc:
            raise AttachmentError(
                f"“{name}” looks like a {FORMAT_NAMES[fmt]} image but could not be decoded "
                f"({exc}). The file may be damaged or incomplete."
            ) from exc
        out = _normalise_mode(img)
        if out.size != target:
            out = out.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
        if orientation in _ORIENT:
            out = out.transpose(_ORIENT[orientation])
    finally:
        if out is not img:  # the source is done with; `out` may still be the same object
            img.close()
    encoded, mime = _encode(out, lossless_source=fmt not in _LOSSY)
    attachment = Attachment(
        url=f"data:{mime};base64,{base64.b64encode(encoded).decode('ascii')}",
        mime=mime,
        width=out.width,
        height=out.height,
        name=name,
        byte_size=len(encoded),
    )
    return Prepared(attachment, make_thumbnail(out), FORMAT_NAMES[fmt], width, height, len(data))


def prepare_pixels(
    raw: bytes, width: int, height: int, raw_mode: str, name: str, max_side: int = DEFAULT_MAX_SIDE
) -> Prepared:
    """Encodes raw pixels (a clipboard image with no encoded form), e.g. raw_mode "BGRA"."""
    mode = "RGBA" if "A" in raw_mode.upper() else "RGB"
    try:
        img = Image.frombuffer(mode, (width, height), raw, "raw", raw_mode, 0, 1)
    except (ValueError, SystemError) as exc:
        raise AttachmentError(f"The pasted image could not be read ({exc}).") from exc
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=1)  # lossless hand-over; prepare_bytes re-encodes
    return prepare_bytes(buf.getvalue(), name, max_side)


def thumbnail_for_url(url: str) -> bytes | None:
    """A preview for an attachment made earlier (e.g. a saved conversation); None if remote."""
    if not url.startswith("data:"):
        return None
    img = _open(decode_data_url(url), "image")
    try:
        img.draft("RGB" if img.mode in ("RGB", "YCbCr") else None, (THUMB_SIDE, THUMB_SIDE))
        img.load()
        return make_thumbnail(_normalise_mode(img))
    except (OSError, SyntaxError, ValueError) as exc:
        raise AttachmentError(f"The image could not be decoded ({exc}).") from exc
    finally:
        img.close()


def make_thumbnail(img: Image.Image) -> bytes:
    thumb = img.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    if thumb.mode in ("RGBA", "LA"):
        thumb.save(buf, "PNG", compress_level=1)
    else:
        thumb.save(buf, "JPEG", quality=85)
    return buf.getvalue()


# -- helpers -------------------------------------------------------------------------------
def _open(data: bytes, name: str) -> Image.Image:
    try:
        img = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as exc:
        raise AttachmentError(
            f"“{name}” is not an image that can be read. Attach a {SUPPORTED_TEXT} file."
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise AttachmentError(
            f"“{name}” has too many pixels; up to {MAX_PIXELS / 1e6:.0f} megapixels can be "
            "attached. Save a smaller copy and attach that."
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise AttachmentError(f"“{name}” could not be read as an image ({exc}).") from exc
    w, h = img.size
    if w * h > MAX_PIXELS:
        img.close()
        raise AttachmentError(
            f"“{name}” is {w}×{h} pixels ({w * h / 1e6:.0f} megapixels); up to "
            f"{MAX_PIXELS / 1e6:.0f} megapixels can be attached. Save a smaller copy."
        )
    if w == 0 or h == 0:
        img.close()
        raise AttachmentError(f"“{name}” has no pixels ({w}×{h}).")
    return img


def _orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(0x0112, 1)
    except (OSError, SyntaxError, ValueError):
        return 1  # unreadable EXIF: keep the pixels as stored
    return value if isinstance(value, int) else 1


def _target_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    longest = max(width, height)
    if max_side <= 0 or longest <= max_side:
        return width, height
    scale = max_side / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def _normalise_mode(img: Image.Image) -> Image.Image:
    """RGB, RGBA, L or LA; alpha only when some pixel is actually see-through."""
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    elif img.mode in ("PA", "RGBa", "La"):
        img = img.convert("RGBA")
    elif img.mode in ("I;16", "I;16B", "I;16L", "I"):
        img = img.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif img.mode not in ("RGB", "RGBA", "L", "LA"):
        img = img.convert("RGB")
    if img.mode in ("RGBA", "LA"):
        lo, _hi = img.getchannel("A").getextrema()
        if lo == 255:
            img = img.convert("RGB" if img.mode == "RGBA" else "L")
    return img


def _encode(img: Image.Image, lossless_source: bool) -> tuple[bytes, str]:
    buf = io.BytesIO()
    if img.mode in ("RGBA", "LA"):
        img.save(buf, "PNG")
        return buf.getvalue(), "image/png"
    if lossless_source:
        img.save(buf, "PNG")
        if buf.tell() <= PNG_MAX_BYTES:
            return buf.getvalue(), "image/png"
        buf = io.BytesIO()  # a photo saved as PNG: JPEG is a fraction of the size
    img.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=False)
    return buf.getvalue(), "image/jpeg"
