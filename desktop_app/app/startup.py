"""Start-up: one QApplication, one qasync loop, the app services and the main window."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from desktop_app import APP_NAME, __version__
from desktop_app.app.gc_guard import MainThreadCollector

if TYPE_CHECKING:
    import asyncio

    from desktop_app.app.services import AppServices
    from desktop_app.app.single_instance import InstanceGuard
    from desktop_app.core.session.profiles import ServerProfile
    from desktop_app.simulator import RunningSimulator
    from desktop_app.ui.window.main_window import MainWindow

# Start-up order: the window is built and shown first, with only Qt and the widgets
# imported; the client, keyring, history and panels are loaded right after, while the
# window is already on screen.

DESKTOP_ID = "io.github.gemmadesk.GemmaDesk"
log = logging.getLogger(__name__)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="gemma-desk", description="Chat with Gemma 4 on vLLM.")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in simulator even when a server is configured",
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="open the window against the simulator, check it works, exit",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    # For bench/bench_window.py: print when the window is shown and when it is ready, then exit.
    parser.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    parser.epilog = "Also: gemma-desk ask --help (one question from the command line)."
    return parser.parse_args(argv)


def setup_logging(read_only: str | None = None) -> None:
    """Logs to the data folder's log file; to stderr in a read-only session or when the file
    cannot be opened."""
    from desktop_app.core.files.paths import log_dir
    from desktop_app.core.files.private_log import PrivateLogHandler

    handler: logging.Handler
    try:
        if read_only:
            raise PermissionError(read_only)
        handler = PrivateLogHandler(
            log_dir() / "gemma-desk.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # httpx logs each request line at INFO; URLs of private servers stay out of the log.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def claim_data_folder() -> tuple[InstanceGuard, str | None] | None:
    """Takes the data folder for this process. Returns the guard and why the session is
    read-only (None when it is not), or None when a running Gemma Desk took over."""
    from desktop_app.app.single_instance import Claim, InstanceGuard
    from desktop_app.core.files.paths import data_dir

    folder = data_dir()
    guard = InstanceGuard(folder)
    claim = guard.claim()
    if claim is Claim.HANDED_OVER:
        print(
            f"{APP_NAME} is already running with the data folder {folder}; "
            "its window was brought to the front.",
            flush=True,
        )
        return None
    if claim is Claim.READ_ONLY:
        return guard, guard.reason
    return guard, None


def prepare_data_folder() -> str | None:
    """Why the data folder cannot be written (None when it can); when it can, takes other
    users' access off what older versions left readable."""
    from desktop_app.core.files.data_folder import write_problem
    from desktop_app.core.files.file_modes import make_private
    from desktop_app.core.files.paths import data_dir

    folder = data_dir()
    problem = write_problem(folder)
    if problem is None:
        make_private(folder)
    return problem


def bring_to_front(window: MainWindow) -> None:
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()


def app_icon() -> QIcon:
    from desktop_app.core.resources import resource_path

    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        path = resource_path("icons", f"gemma-desk-{size}.png")
        if path.is_file():
            icon.addFile(str(path))
    return icon


def create_application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Gemma Desk")
    app.setDesktopFileName(DESKTOP_ID)
    # The app ends when run_window's future resolves, after clients are closed; Qt quitting by
    # itself on the last window would stop the loop mid-cleanup.
    app.setQuitOnLastWindowClosed(False)
    from desktop_app.ui.common.theme import apply_theme

    apply_theme(app)
    return app


def start_demo_server() -> ServerProfile:
    """Starts the built-in simulator on a free loopback port and returns its profile."""
    from desktop_app.core.session.profiles import ServerProfile
    from desktop_app.simulator import SimulatorConfig, start_simulator_thread

    running = start_simulator_thread(SimulatorConfig(tokens_per_second=60.0), port=0)
    _demo_servers.append(running)
    return ServerProfile(
        name="Demo server (built-in simulator)", base_url=running.base_url, is_demo=True
    )


_demo_servers: list[RunningSimulator] = []


def stop_demo_servers() -> None:
    while _demo_servers:
        _demo_servers.pop().stop()


def show_window() -> MainWindow:
    """Builds the window (widgets only) and puts it on screen."""
    from desktop_app.ui.window.main_window import MainWindow

    window = MainWindow()
    window.show()
    QApplication.processEvents()
    return window


async def run_window(
    args: argparse.Namespace, window: MainWindow, read_only: str | None = None
) -> int:
    import asyncio

    from desktop_app.app.services import AppServices

    app = running_app()
    collector = MainThreadCollector(app)
    services = AppServices(read_only=read_only)
    for notice in services.notices:
        log.warning("%s", notice)
    services.start(start_demo_server, force_demo=args.demo or args.smoke_test)
    window.attach(services)
    from desktop_app.ui.chat.code_block import warm_up_highlighter

    warm_up_highlighter()
    collector.settle()
    closed: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def finish() -> None:
        if not closed.done():
            closed.set_result(0)

    app.lastWindowClosed.connect(finish)
    app.aboutToQuit.connect(finish)
    _stop_on_signals(window)
    log.info("window ready (%s)", f"read-only: {read_only}" if read_only else "saving")
    if args.smoke_test or args.startup_probe:
        services.runner.start("smoke-test", _smoke(services, window, closed, args.startup_probe))
    try:
        return await closed
    finally:
        await services.aclose()
        collector.stop()


def running_app() -> QApplication:
    """The process's QApplication, which create_application made before anything else."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("create_application() must run before the window starts")
    return app


def _stop_on_signals(window: MainWindow) -> None:
    """SIGINT/SIGTERM close the window like the user would, so the app ends cleanly."""
    import signal

    # qasync does not read asyncio's signal wake-up pipe, so plain handlers are used.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: QTimer.singleShot(0, window.close))
    # Python runs signal handlers only between bytecodes: a slow idle timer gives it the chance
    # while Qt waits in C++.
    wake = QTimer(window)
    wake.timeout.connect(lambda: None)
    wake.start(250)


async def _smoke(
    services: AppServices, window: MainWindow, closed: asyncio.Future[int], probe: bool
) -> None:
    """Waits until the window is shown and the server's models are listed, then exits."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while loop.time() < deadline:
        if window.isVisible() and services.session.models:
            print(f"smoke-test: conversations: {window.conversation_list.count()}", flush=True)
            if window.notice_banner.isVisible():
                for line in window.notice_banner.text().splitlines():
                    if line.strip():
                        print(f"smoke-test: notice: {line}", flush=True)
            if probe:
                print(f"ready {time.monotonic()}", flush=True)
            else:
                print(f"smoke-test: ok ({len(services.session.models)} model(s))", flush=True)
            closed.set_result(0)
            return
        await asyncio.sleep(0.05)
    print(f"smoke-test: failed: {services.session.error or 'no models listed in 30 s'}", flush=True)
    closed.set_result(1)


NO_DISPLAY = (
    "No display found: Gemma Desk needs a graphical session (DISPLAY or WAYLAND_DISPLAY is not "
    "set). To run it on a machine without a screen, start it under a virtual display: "
    "`bash scripts/start --headless` (or `xvfb-run -a gemma-desk`)."
)


def no_display() -> bool:
    """True on Linux with no X11 or Wayland display and no Qt platform chosen by hand (Qt
    would abort there with a misleading hint about xcb libraries)."""
    import os

    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if no_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 1
    app = create_application()
    # Before any window: a second start on the same data folder hands over and leaves.
    claimed = claim_data_folder()
    if claimed is None:
        return 0
    guard, read_only = claimed
    window = show_window()
    guard.activated.connect(lambda: bring_to_front(window))
    if args.startup_probe:
        print(f"shown {time.monotonic()}", flush=True)
    guard.listen()
    # What the first frame does not need comes after it.
    read_only = read_only or prepare_data_folder()
    setup_logging(read_only)
    app.setWindowIcon(app_icon())
    window.setWindowIcon(app.windowIcon())
    import asyncio

    from desktop_app.app.qt_loop import QtAsyncLoop

    code = 1
    try:
        with asyncio.Runner(loop_factory=lambda: QtAsyncLoop(app)) as runner:
            code = runner.run(run_window(args, window, read_only))
    except RuntimeError as exc:
        # Qt quit underneath the loop (the session or display went away): nothing to save here
        # that the history has not already written.
        log.warning("event loop ended early: %s", exc)
    finally:
        stop_demo_servers()
        guard.release()
    QTimer.singleShot(0, app.quit)
    return code
