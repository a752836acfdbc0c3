"""The servers a person works with: connecting at start, testing, saving, switching, deleting."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Coroutine
from typing import Any

from desktop_app.core.session.profiles import ProfileStore, ServerProfile
from desktop_app.core.session.server import ConnectionReport, ServerSession, probe
from desktop_app.core.settings import Settings
from desktop_app.core.tasks import TaskRunner


class Servers:
    """What the Servers & settings dialog asks for, on the profiles and the live session.

    Saving, deleting and switching touch the keyring, which can be slow (a Secret Service
    waking up): they run as tasks whose keyring calls happen on the keyring thread, in the
    order they were asked for, so the window keeps painting meanwhile.
    """

    def __init__(
        self,
        profiles: ProfileStore,
        session: ServerSession,
        settings: Settings,
        runner: TaskRunner,
    ) -> None:
        self.profiles = profiles
        self.session = session
        self.settings = settings
        self.runner = runner
        self.demo_profile: ServerProfile | None = None
        self._start_demo: Callable[[], ServerProfile] | None = None
        self._jobs = itertools.count()
        session.set_stall_limit(settings.stall_seconds)

    def _start(self, what: str, coro: Coroutine[Any, Any, None]) -> None:
        # A name of its own per job: a second save must not cancel the first one.
        self.runner.start(f"servers-{what}-{next(self._jobs)}", coro)

    def connect_first(
        self, start_demo: Callable[[], ServerProfile] | None = None, force_demo: bool = False
    ) -> None:
        """Connects to the saved (or environment) profile; with none, to the demo server."""
        self.profiles.prefill_from_env()
        self._start_demo = start_demo
        active = None if force_demo else self.profiles.active()
        if active is not None:
            self.session.use(active)
        elif start_demo is not None:
            self.demo_profile = start_demo()
            self.session.use(self.demo_profile)
        # The other profiles' secrets are read now, off the Qt thread, so that opening the
        # Servers dialog later reads them from memory.
        self._start("load", self.profiles.aload())

    @property
    def can_use_demo(self) -> bool:
        return self.demo_profile is not None or self._start_demo is not None

    def use_demo(self) -> None:
        """Back to the built-in simulator (started now if it was not) for this run; saved
        profiles stay as they are."""
        if self.demo_profile is None:
            if self._start_demo is None:
                return
            self.demo_profile = self._start_demo()
        self.session.use(self.demo_profile)

    def test_connection(
        self, profile: ServerProfile, done: Callable[[ConnectionReport], None]
    ) -> None:
        """Asks `profile`'s server for its version and models; `done` gets the report."""

        async def run() -> None:
            done(await probe(profile))

        self.runner.start("test-connection", run())

    def save_profile(
        self, profile: ServerProfile, done: Callable[[bool], None] | None = None
    ) -> None:
        """Saves `profile` (reconnecting if it is the active one); `done` gets False when
        its secrets are kept for this session only."""

        async def run() -> None:
            durable = await self.profiles.asave(profile)
            if self.session.profile and self.session.profile.id == profile.id:
                self.session.use(profile)
            if done is not None:
                done(durable)

        self._start("save", run())

    def delete_profile(self, profile_id: str) -> None:
        async def run() -> None:
            await self.profiles.adelete(profile_id)
            if self.session.profile and self.session.profile.id == profile_id:
                fallback = await self._active() or self.demo_profile
                if fallback is not None:
                    self.session.use(fallback)

        self._start("delete", run())

    def activate_profile(self, profile_id: str) -> None:
        async def run() -> None:
            # After the keyring calls asked for before (a save, then "Use this server").
            await self.profiles.secrets.settled()
            profile = await self.profiles.aget(profile_id)
            if profile is None:
                return
            self.profiles.set_active(profile_id)
            self.session.use(profile)

        self._start("activate", run())

    async def _active(self) -> ServerProfile | None:
        active = self.profiles.settings.active_profile
        if active and (found := await self.profiles.aget(active)):
            return found
        first = self.profiles.settings.profiles[:1]
        return await self.profiles.aget(first[0].id) if first else None

    def set_stall_limit(self, seconds: int) -> None:
        """Keeps the stall limit in the settings and applies it to the replies to come."""
        self.settings.stall_seconds = seconds
        self.settings.save()
        self.session.set_stall_limit(self.settings.stall_seconds)
