"""The PyInstaller bundle: built with packaging/build-linux.sh, then started headless.

Slow (about half a minute to build); deselect with `-m "not bundle"`. Skipped where PyInstaller
is not installed or the platform is not Linux. Also checks the desktop integration files.
"""

from __future__ import annotations

import ast
import os
import shutil
import struct
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop_app import __version__

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
LINUX = ROOT / "resources" / "linux"
ICONS = ROOT / "resources" / "icons"
APP_ID = "io.github.gemmadesk.GemmaDesk"
BUILD_TIMEOUT = 540
RUN_TIMEOUT = 120
# Measured at 158 MB; a bundle far above that has picked up something heavy (QML, WebEngine).
MAX_BUNDLE_MB = 230

# "bundle" is to be registered under [tool.pytest.ini_options] markers; until it is, making the
# mark must not trip the suite's filterwarnings = error.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
    bundle_mark = pytest.mark.bundle


@dataclass(frozen=True)
class Build:
    bundle: Path  # dist/gemma-desk
    workdir: Path  # PyInstaller's work folder for the spec
    log: str

    @property
    def exe(self) -> Path:
        return self.bundle / "gemma-desk"

    @property
    def internal(self) -> Path:
        return self.bundle / "_internal"


def _run(args: list[str], tmp: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GEMMA_DESK_DATA_DIR=str(tmp / "data"))
    return subprocess.run(
        args, capture_output=True, text=True, timeout=timeout, env=env, cwd=tmp, check=False
    )


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    if not sys.platform.startswith("linux"):
        pytest.skip("packaging/build-linux.sh builds the Linux bundle only")
    pytest.importorskip("PyInstaller", reason="PyInstaller is not installed")
    tmp = tmp_path_factory.mktemp("bundle")
    env = dict(
        os.environ,
        PYTHON=sys.executable,
        # PyInstaller's cache of analysed binaries stays private to this build.
        PYINSTALLER_CONFIG_DIR=str(tmp / "pyinstaller-config"),
    )
    done = subprocess.run(
        ["bash", str(PACKAGING / "build-linux.sh"), "--dist", str(tmp / "dist"),
         "--work", str(tmp / "work")],
        capture_output=True, text=True, timeout=BUILD_TIMEOUT, env=env, cwd=ROOT, check=False,
    )  # fmt: skip
    log = done.stdout + done.stderr
    assert done.returncode == 0, f"build-linux.sh failed:\n{log[-6000:]}"
    built = Build(bundle=tmp / "dist" / "gemma-desk", workdir=tmp / "work" / "gemma-desk", log=log)
    assert built.exe.is_file(), log[-3000:]
    return built


def _bundled_modules(workdir: Path) -> set[str]:
    toc = ast.literal_eval((workdir / "PYZ-00.toc").read_text(encoding="utf-8"))
    return {entry[0] for entry in toc[1]}


def _bundle_size_mb(bundle: Path) -> float:
    return sum(p.lstat().st_size for p in bundle.rglob("*") if p.is_file()) / 1e6


@bundle_mark
@pytest.mark.timeout(600)
class TestBundle:
    def test_smoke_test_passes(self, build: Build, tmp_path: Path) -> None:
        done = _run([str(build.exe), "--smoke-test"], tmp_path, RUN_TIMEOUT)
        output = done.stdout + done.stderr
        assert done.returncode == 0, output
        assert any(line.startswith("smoke-test: ok") for line in done.stdout.splitlines()), output

    def test_smoke_test_script_passes(self, build: Build, tmp_path: Path) -> None:
        done = _run(["bash", str(PACKAGING / "smoke-test.sh"), str(build.bundle)], tmp_path, 180)
        output = done.stdout + done.stderr
        assert done.returncode == 0, output
        assert "smoke-test: ok" in done.stdout, output

    def test_help_and_version(self, build: Build, tmp_path: Path) -> None:
        done = _run([str(build.exe), "--help"], tmp_path, RUN_TIMEOUT)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "--smoke-test" in done.stdout
        done = _run([str(build.exe), "--version"], tmp_path, RUN_TIMEOUT)
        assert done.returncode == 0, done.stdout + done.stderr
        assert __version__ in done.stdout

    def test_every_app_module_is_bundled(self, build: Build) -> None:
        bundled = _bundled_modules(build.workdir)
        sources = (ROOT / "desktop_app").rglob("*.py")
        expected = {
            ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            for p in sources
            if "__pycache__" not in p.parts
        }
        assert expected - bundled == set()
        assert "desktop_app.resources" in bundled

    def test_keyring_backends_are_bundled(self, build: Build) -> None:
        bundled = _bundled_modules(build.workdir)
        for backend in ("SecretService", "macOS", "Windows", "chainer", "fail"):
            assert f"keyring.backends.{backend}" in bundled
        assert {"secretstorage", "jeepney"} <= bundled
        # keyring finds its backends through the entry points in its own metadata.
        entry_points = list(build.internal.glob("keyring-*.dist-info/entry_points.txt"))
        assert entry_points, "keyring's dist-info is missing: no backend would be found"
        assert "SecretService" in entry_points[0].read_text(encoding="utf-8")
        # A plain-text keyring must never ship.
        assert not any(m == "keyrings" or m.startswith("keyrings.") for m in bundled)

    def test_resources_are_bundled(self, build: Build) -> None:
        resources = build.internal / "desktop_app" / "resources"
        for size in (16, 32, 48, 256, 512):
            assert (resources / "icons" / f"gemma-desk-{size}.png").is_file()
        for name in ("LICENSE", "THIRD_PARTY_LICENSES.md", "LGPL-3.0.txt", "GPL-3.0.txt"):
            assert (resources / "licenses" / name).is_file()
        notice = resources / "licenses" / "NATIVE_LIBRARIES.md"
        assert notice.is_file()
        assert "libxcb" in notice.read_text(encoding="utf-8")
        assert (resources / "linux" / f"{APP_ID}.desktop").is_file()

    def test_unused_heavy_parts_are_left_out(self, build: Build) -> None:
        names = {p.name for p in build.internal.rglob("*")}
        for unwanted in ("libQt6Qml.so.6", "libQt6Quick.so.6", "libqgtk3.so", "libgtk-3.so.0",
                         "libreadline.so.8"):  # fmt: skip
            assert unwanted not in names
        # QtNetwork carries the local socket that keeps one app per data folder.
        for wanted in ("libqxcb.so", "libqwayland.so", "libqoffscreen.so", "libqsvg.so",
                       "libQt6Network.so.6"):  # fmt: skip
            assert wanted in names
        size = _bundle_size_mb(build.bundle)
        assert size < MAX_BUNDLE_MB, f"the bundle grew to {size:.0f} MB"

    def test_every_bundled_package_has_a_license_notice(self, build: Build) -> None:
        done = subprocess.run(
            [sys.executable, str(PACKAGING / "third_party_licenses.py"), "bundled",
             str(build.workdir)],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr


# Desktop integration files: quick, so not marked "bundle".


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


@pytest.mark.parametrize("size", [16, 24, 32, 48, 64, 128, 256, 512])
def test_icon_png_sizes(size: int) -> None:
    assert _png_size(ICONS / f"gemma-desk-{size}.png") == (size, size)


def test_desktop_entry_matches_the_app() -> None:
    text = (LINUX / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    entries = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    assert entries["Exec"].split()[0] == "gemma-desk"
    assert entries["Icon"] == APP_ID
    assert entries["StartupWMClass"] == APP_ID
    assert entries["Categories"] == "Development;Utility;"
    # The app passes the same id to QGuiApplication.setDesktopFileName().
    sources = (p.read_text(encoding="utf-8") for p in (ROOT / "desktop_app").rglob("*.py"))
    assert any(f'"{APP_ID}"' in text for text in sources)


def test_metainfo_names_the_release_and_licenses() -> None:
    text = (LINUX / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    assert f"<id>{APP_ID}</id>" in text
    assert "<project_license>Apache-2.0</project_license>" in text
    assert "<metadata_license>CC0-1.0</metadata_license>" in text
    assert f'<release version="{__version__}"' in text
    assert f"{APP_ID}.desktop</launchable>" in text


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils")
def test_desktop_entry_validates() -> None:
    done = subprocess.run(
        ["desktop-file-validate", str(LINUX / f"{APP_ID}.desktop")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    # Hints (such as two main categories) are fine; errors and warnings are not.
    problems = [line for line in done.stdout.splitlines() if ": hint:" not in line]
    assert done.returncode == 0 and not problems, done.stdout + done.stderr


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream is not installed")
def test_metainfo_validates() -> None:
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(LINUX / f"{APP_ID}.metainfo.xml")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
