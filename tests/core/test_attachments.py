"""Image encoding for attachments: formats, EXIF orientation, downscaling, limits, bad input."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from desktop_app.core import attachments as att_mod
from desktop_app.core.attach_tray import ImagePrefs, images_in_next_request
from desktop_app.core.attachments import (
    AttachmentError,
    decode_data_url,
    looks_like_image_url,
    prepare_bytes,
    prepare_file,
    prepare_pixels,
    remote_attachment,
    thumbnail_for_url,
)
from desktop_app.core.conversation import (
    Attachment,
    ChatMessage,
    Conversation,
    ErrorInfo,
    MessageStatus,
)
from desktop_app.core.settings import Settings


def encoded(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def sent_image(prepared) -> Image.Image:
    img = Image.open(io.BytesIO(decode_data_url(prepared.attachment.url)))
    img.load()
    return img


def two_halves(size=(400, 200)) -> Image.Image:
    """Left half red, right half blue (as stored)."""
    img = Image.new("RGB", size, (0, 0, 255))
    ImageDraw.Draw(img).rectangle((0, 0, size[0] // 2 - 1, size[1]), fill=(255, 0, 0))
    return img


def near(pixel, color, tol=40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(pixel[:3], color, strict=True))


def test_exif_orientation_arrives_upright_and_metadata_is_stripped():
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: displayed turned 90° clockwise
    exif[0x010F] = "TestCam"  # camera make, must not travel to the server
    data = encoded(two_halves(), "JPEG", quality=95, exif=exif.tobytes())
    prepared = prepare_bytes(data, "phone.jpg")
    att = prepared.attachment
    assert (att.width, att.height) == (200, 400)  # portrait, as the phone showed it
    img = sent_image(prepared)
    assert img.size == (200, 400)
    assert near(img.getpixel((100, 20)), (255, 0, 0))  # stored left is now the top
    assert near(img.getpixel((100, 380)), (0, 0, 255))
    assert not dict(img.getexif())
    assert att.mime == "image/jpeg" and att.url.startswith("data:image/jpeg;base64,")
    assert att.byte_size == len(decode_data_url(att.url))
    assert (prepared.source_width, prepared.source_height) == (400, 200)


@pytest.mark.parametrize(("orientation", "top_color"), [(3, (0, 0, 255)), (8, (0, 0, 255))])
def test_other_orientations(orientation, top_color):
    exif = Image.Exif()
    exif[0x0112] = orientation
    prepared = prepare_bytes(encoded(two_halves(), "JPEG", exif=exif.tobytes()), "p.jpg")
    img = sent_image(prepared)
    if orientation == 3:  # upside down: the right (blue) half ends up on the left
        assert img.size == (400, 200) and near(img.getpixel((20, 100)), top_color)
    else:  # turned the other way: stored right is the top
        assert img.size == (200, 400) and near(img.getpixel((100, 20)), top_color)


def test_transparent_png_stays_png_with_alpha():
    img = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse((50, 50, 250, 150), fill=(0, 200, 0, 255))
    prepared = prepare_bytes(encoded(img, "PNG"), "logo.png")
    assert prepared.attachment.mime == "image/png"
    out = sent_image(prepared)
    assert out.mode == "RGBA"
    assert out.getpixel((5, 5))[3] == 0 and out.getpixel((150, 100))[3] == 255


def test_opaque_screenshot_png_stays_png_and_photo_png_becomes_jpeg():
    shot = Image.new("RGB", (1280, 720), "white")
    draw = ImageDraw.Draw(shot)
    for i in range(30):
        draw.text((10, 10 + 22 * i), f"line {i}: sharp text must stay sharp", fill="black")
    assert prepare_bytes(encoded(shot, "PNG"), "shot.png").attachment.mime == "image/png"
    noise = Image.effect_noise((2000, 1500), 80).convert("RGB")
    photo = prepare_bytes(encoded(noise, "PNG"), "photo.png")
    assert photo.attachment.mime == "image/jpeg"  # as PNG it would be several MB


def test_downscale_to_longest_side_keeps_aspect():
    data = encoded(Image.new("RGB", (3000, 1000), "gray"), "JPEG")
    att = prepare_bytes(data, "wide.jpg").attachment
    assert (att.width, att.height) == (2048, 683)
    small = prepare_bytes(data, "wide.jpg", max_side=512).attachment
    assert (small.width, small.height) == (512, 171)
    assert sent_image(prepare_bytes(data, "w.jpg", max_side=512)).size == (512, 171)


def test_small_images_are_not_upscaled():
    att = prepare_bytes(encoded(Image.new("RGB", (64, 48), "red"), "PNG"), "tiny.png").attachment
    assert (att.width, att.height) == (64, 48)


def test_gif_first_frame_webp_and_bmp():
    frames = [Image.new("RGB", (80, 60), c) for c in ("red", "lime", "blue")]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    gif = prepare_bytes(buf.getvalue(), "anim.gif")
    assert near(sent_image(gif).getpixel((40, 30)), (255, 0, 0))
    assert gif.source_format == "GIF"
    webp = prepare_bytes(encoded(Image.new("RGB", (90, 70), "blue"), "WEBP"), "a.webp")
    assert (webp.attachment.width, webp.source_format) == (90, "WebP")
    bmp = prepare_bytes(encoded(Image.new("RGB", (50, 40), "lime"), "BMP"), "b.bmp")
    assert bmp.attachment.mime == "image/png" and bmp.source_format == "BMP"


def test_grayscale_and_cmyk_sources():
    gray = prepare_bytes(encoded(Image.new("L", (40, 40), 128), "JPEG"), "g.jpg")
    assert sent_image(gray).mode == "L"
    cmyk = prepare_bytes(encoded(Image.new("CMYK", (40, 40), (0, 255, 255, 0)), "JPEG"), "c.jpg")
    assert sent_image(cmyk).mode == "RGB"


def test_not_an_image(tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, not a picture")
    with pytest.raises(AttachmentError) as err:
        prepare_file(path)
    assert "notes.txt" in str(err.value) and "PNG, JPEG, WebP, GIF or BMP" in str(err.value)


def test_unsupported_format_names_it():
    data = encoded(Image.new("RGB", (10, 10)), "TIFF")
    with pytest.raises(AttachmentError, match="TIFF image, which is not supported"):
        prepare_bytes(data, "scan.tiff")


def test_damaged_jpeg_and_empty_and_missing(tmp_path: Path):
    data = encoded(Image.effect_noise((400, 400), 50).convert("RGB"), "JPEG")
    with pytest.raises(AttachmentError, match=r"could not be decoded|damaged|could not be read"):
        prepare_bytes(data[: len(data) // 3], "cut.jpg")
    with pytest.raises(AttachmentError, match="empty"):
        prepare_bytes(b"", "zero.png")
    with pytest.raises(AttachmentError, match=r"Could not read “gone\.png”"):
        prepare_file(tmp_path / "gone.png")
    with pytest.raises(AttachmentError, match="folder"):
        prepare_file(tmp_path)


def test_size_and_pixel_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "big.png"
    path.write_bytes(encoded(Image.new("RGB", (200, 200), "red"), "PNG"))
    monkeypatch.setattr(att_mod, "MAX_FILE_BYTES", 100)
    with pytest.raises(AttachmentError, match=r"big\.png” is .*up to 100 B"):
        prepare_file(path)
    monkeypatch.setattr(att_mod, "MAX_FILE_BYTES", 50 * 1024 * 1024)
    monkeypatch.setattr(att_mod, "MAX_PIXELS", 10_000)
    with pytest.raises(AttachmentError, match="200×200 pixels"):
        prepare_file(path)


def test_pixels_from_a_clipboard_layout():
    # Two pixels in Qt's ARGB32 memory order on little-endian machines: B, G, R, A.
    raw = bytes([0, 0, 255, 255, 255, 0, 0, 255])
    out = sent_image(prepare_pixels(raw, 2, 1, "BGRA", "Pasted image.png"))
    assert out.getpixel((0, 0))[:3] == (255, 0, 0) and out.getpixel((1, 0))[:3] == (0, 0, 255)
    with pytest.raises(AttachmentError):
        prepare_pixels(b"\x00" * 3, 2, 1, "BGRA", "short")


def test_urls_and_thumbnails():
    assert looks_like_image_url("https://example.com/a/cat.JPG")
    assert looks_like_image_url("http://h/x.webp?w=2")
    assert not looks_like_image_url("https://example.com/page")
    assert not looks_like_image_url("see https://example.com/cat.png")
    att = remote_attachment("https://example.com/pics/my%20cat.png")
    assert (att.url, att.name, att.mime) == ("https://example.com/pics/my%20cat.png",
                                            "my cat.png", "image/png")
    with pytest.raises(AttachmentError):
        remote_attachment("ftp://example.com/cat.png")
    prepared = prepare_bytes(encoded(Image.new("RGB", (1000, 500), "red"), "PNG"), "r.png")
    thumb = Image.open(io.BytesIO(thumbnail_for_url(prepared.attachment.url)))
    assert max(thumb.size) == att_mod.THUMB_SIDE
    assert thumbnail_for_url("https://example.com/cat.png") is None
    with pytest.raises(AttachmentError):
        decode_data_url("data:image/png;base64,@@@")
    bogus = "data:image/png;base64," + base64.b64encode(b"nope").decode()
    with pytest.raises(AttachmentError):
        thumbnail_for_url(bogus)


def test_prefs_read_clamped_and_stored():
    settings = Settings()
    assert ImagePrefs.from_settings(settings) == ImagePrefs(4, 2048)
    settings.extra["images"] = {"limit": "seven", "max_side": 99999}
    assert ImagePrefs.from_settings(settings) == ImagePrefs(4, 8192)
    ImagePrefs(2, 1024).store(settings)
    assert ImagePrefs.from_settings(settings) == ImagePrefs(2, 1024)


def test_images_in_next_request_counts_history_but_not_a_failed_turn():
    img = Attachment(url="data:image/png;base64,AA==")
    conv = Conversation()
    conv.messages += [
        ChatMessage(role="user", content="a", images=[img, img]),
        ChatMessage(role="assistant", content="ok"),
        ChatMessage(role="user", content="b", images=[img]),
    ]
    assert images_in_next_request(conv) == 3
    conv.messages.append(
        ChatMessage(role="assistant", status=MessageStatus.ERROR, error=ErrorInfo("t", "m"))
    )
    assert images_in_next_request(conv) == 2  # the failed turn is replaced by the next send
