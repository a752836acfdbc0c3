"""Window tests: a running qasync loop, a simulator on loopback, the real main window."""

from __future__ import annotations

import asyncio
import gc
import sys
import time
import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from desktop_app.app.qt_loop import QtAsyncLoop
from desktop_app.app.services import AppServices
from desktop_app.core.session.profiles import ServerProfile
from desktop_app.core.session.secrets import SecretStore
from desktop_app.core.settings import Settings
from desktop_app.simulator import SimulatorConfig, running_simulator


@pytest.fixture(scope="session", autouse=True)
def _collect_on_main_thread() -> Iterator[None]:
    """Garbage is collected on the Qt thread only, as the app does (see gc_guard)."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[QtAsyncLoop]:
    """A qasync loop that is current and running while the test drives Qt with qtbot."""
    loop = QtAsyncLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    old_hooks = sys.get_asyncgen_hooks()
    sys.set_asyncgen_hooks(
        firstiter=loop._asyncgen_firstiter_hook, finalizer=loop._asyncgen_finalizer_hook
    )
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        pending.append(loop.create_task(loop.shutdown_asyncgens()))
        deadline = time.monotonic() + 10
        while any(not t.done() for t in pending) and time.monotonic() < deadline:
            qapp.processEvents()
        sys.set_asyncgen_hooks(*old_hooks)
        asyncio.events._set_running_loop(None)
        # The loop was never started by run_forever, so it is marked stopped by hand: stop()
        # would call QApplication.exit() and break every later qtbot wait (docs/qt-notes.md §4).
        loop._QEventLoop__is_running = False
        loop.close()
        asyncio.set_event_loop(None)
        gc.collect()


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(tokens_per_second=None)


@pytest.fixture
def sim(sim_config: SimulatorConfig):
    with running_simulator(sim_config) as running:
        yield running


@pytest.fixture
def secrets() -> Iterator[SecretStore]:
    """The real keyring (Secret Service in CI) under a service name private to this test."""
    store = SecretStore(service=f"gemma-desk-test-{uuid.uuid4().hex[:8]}")
    yield store
    for p in list(store._session):
        store.delete(p)


@pytest.fixture
def profile_key() -> str:
    """The API key of the simulator's profile (a module whose simulator wants one overrides it)."""
    return ""


@pytest.fixture
def server_checks() -> bool:
    """Whether the window counts, probes and polls the server between requests (the tests of
    those features turn it on; elsewhere the simulator sees only the requests a test makes)."""
    return False


@pytest.fixture
def state(
    qtbot, qloop: QtAsyncLoop, secrets: SecretStore, sim, profile_key: str, server_checks: bool
) -> Iterator[AppServices]:
    st = AppServices(secrets=secrets, settings=Settings(), server_checks=server_checks)
    profile = ServerProfile(name="Simulator", base_url=sim.base_url, api_key=profile_key)
    st.profiles.save(profile)
    st.profiles.set_active(profile.id)
    st.start()
    yield st
    for p in st.profiles.profiles():
        st.profiles.delete(p.id)
    closing = qloop.create_task(st.aclose())
    qtbot.waitUntil(closing.done, timeout=10_000)


@pytest.fixture
def window(qtbot, state: AppServices):
    from desktop_app.ui.window.main_window import MainWindow

    win = MainWindow(state)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: bool(state.session.models), timeout=10_000)
    yield win
    state.chat.stop()
    win.close()
