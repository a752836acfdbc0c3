"""The servers a person works with: connecting at start, testing, saving, switching, deleting."""

from __future__ import annotations

from collections.abc import Callable

from desktop_app.core.session.profiles import ProfileStore, ServerProfile
from desktop_app.core.session.server import ConnectionReport, ServerSession, probe
from desktop_app.core.settings import Settings
from desktop_app.core.tasks import TaskRunner


class Servers:
    """What the Servers & settings dialog asks for, on the profiles and the live session."""

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
        session.set_stall_limit(settings.stall_seconds)

    def connect_first(
        self, start_demo: Callable[[], ServerProfile] | None = None, force_demo: bool = False
    ) -> None:
        """Connects to the saved (or environment) profile; with none, to the demo server."""
        self.profiles.prefill_from_env()
        active = None if force_demo else self.profiles.active()
        if active is not None:
            self.session.use(active)
        elif start_demo is not None:
            self.demo_profile = start_demo()
            self.session.use(self.demo_profile)

    def test_connection(
        self, profile: ServerProfile, done: Callable[[ConnectionReport], None]
    ) -> None:
        """Asks `profile`'s server for its version and models; `done` gets the report."""

        async def run() -> None:
            done(await probe(profile))

        self.runner.start("test-connection", run())

    def save_profile(self, profile: ServerProfile) -> bool:
        """Saves `profile` (reconnecting if it is the active one); False if not durable."""
        durable = self.profiles.save(profile)
        if self.session.profile and self.session.profile.id == profile.id:
            self.session.use(profile)
        return durable

    def delete_profile(self, profile_id: str) -> None:
        self.profiles.delete(profile_id)
        if self.session.profile and self.session.profile.id == profile_id:
            fallback = self.profiles.active() or self.demo_profile
            if fallback is not None:
                self.session.use(fallback)

    def activate_profile(self, profile_id: str) -> None:
        profile = self.profiles.get(profile_id)
        if profile is None:
            return
        self.profiles.set_active(profile_id)
        self.session.use(profile)

    def set_stall_limit(self, seconds: int) -> None:
        """Keeps the stall limit in the settings and applies it to the replies to come."""
        self.settings.stall_seconds = seconds
        self.settings.save()
        self.session.set_stall_limit(self.settings.stall_seconds)
