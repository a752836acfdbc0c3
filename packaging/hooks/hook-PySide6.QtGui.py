"""PySide6.QtGui, as PyInstaller's own hook collects it, minus the Qt plugins a desktop chat app
never loads but whose dependencies would be dragged into the bundle.

This file replaces PyInstaller's built-in hook of the same name (hooks in `hookspath` win).
"""

from pathlib import PurePath

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

# Plugin file names (without the platform's prefix/suffix) left out of the bundle, and why.
UNWANTED_PLUGINS = {
    # The GTK3 platform theme links the whole system GTK 3 stack (GTK, GDK, Cairo, Pango, ATK:
    # ~20 MB); bundled copies of those clash with the user's own GTK modules and themes. Qt falls
    # back to its xdg-desktop-portal theme and its own widgets.
    "qgtk3",
    # Embedded-device platforms (no window system): EGLFS with KMS, the Linux framebuffer,
    # Vulkan KHR display, minimal EGL, and VNC (which also needs QtNetwork).
    "qeglfs",
    "qlinuxfb",
    "qvkkhrdisplay",
    "qminimalegl",
    "qvnc",
    # TUIO touch over UDP: needs QtNetwork and is meant for kiosks and multi-touch tables.
    "qtuiotouchplugin",
    # Qt's on-screen keyboard (PySide6-Addons, installed for Qt Charts, brings it): a QML
    # input method that would drag QtQml and QtQuick (tens of MB) into the bundle. The
    # system's input methods (ibus, compose) stay.
    "qtvirtualkeyboardplugin",
}
UNWANTED_PLUGIN_DIRS = {"egldeviceintegrations"}


def _wanted(src: str) -> bool:
    path = PurePath(src)
    stem = path.name.split(".")[0].removeprefix("lib")
    return stem not in UNWANTED_PLUGINS and not UNWANTED_PLUGIN_DIRS.intersection(path.parts)


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [(src, dest) for src, dest in binaries if _wanted(src)]
