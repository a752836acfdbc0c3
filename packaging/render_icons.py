"""Renders the application icon SVG to the PNG, ICO and ICNS files the desktop and bundles use.

Run from the repository root after editing resources/icons/gemma-desk.svg:

    .venv/bin/python packaging/render_icons.py

The PNGs (16-512 px) are drawn by Qt's own SVG renderer, offscreen, so what ships is exactly what
Qt shows at run time; the Windows .ico and macOS .icns are packed from those PNGs with Pillow.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "gemma-desk.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# Windows shows at most 256 px from an .ico; macOS wants these sizes in an .icns.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512)


def png_name(size: int) -> str:
    return f"gemma-desk-{size}.png"


def render_pngs(svg: Path, out_dir: Path, sizes: tuple[int, ...]) -> list[Path]:
    """Draws `svg` at each size onto a transparent image and saves it as PNG."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"not a valid SVG for Qt: {svg}")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        path = out_dir / png_name(size)
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"could not write {path}")
        written.append(path)
    return written


def pack_platform_icons(out_dir: Path) -> list[Path]:
    """Packs the rendered PNGs into gemma-desk.ico (Windows) and gemma-desk.icns (macOS)."""
    from PIL import Image

    def load(size: int) -> Image.Image:
        return Image.open(out_dir / png_name(size)).convert("RGBA")

    ico = out_dir / "gemma-desk.ico"
    largest, *rest = (load(s) for s in reversed(ICO_SIZES))
    largest.save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=rest)

    icns = out_dir / "gemma-desk.icns"
    largest, *rest = (load(s) for s in reversed(ICNS_SIZES))
    largest.save(icns, format="ICNS", append_images=rest)
    return [ico, icns]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=SVG, help="source SVG (default: %(default)s)")
    parser.add_argument(
        "--out", type=Path, default=ICONS, help="output folder (default: %(default)s)"
    )
    parser.add_argument(
        "--no-platform-icons", action="store_true", help="write the PNGs only, no .ico/.icns"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    written = render_pngs(args.svg, args.out, SIZES)
    if not args.no_platform_icons:
        written += pack_platform_icons(args.out)
    for path in written:
        print(f"{path.stat().st_size:>8}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
