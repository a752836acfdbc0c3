"""Server profiles: names and choices in settings, URL and API key in the keyring."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from desktop_app.core.chat.conversation import new_id
from desktop_app.core.session.secrets import SecretStore
from desktop_app.core.settings import ProfileSettings, Settings


@dataclass
class ServerProfile:
    """One server the app can talk to. `api_key` is never written anywhere but the keyring."""

    name: str
    base_url: str = ""
    model: str = ""
    api_key: str = field(default="", repr=False)
    ca_bundle: str = ""
    is_demo: bool = False
    id: str = field(default_factory=new_id)

    def url_problem(self) -> str | None:
        return validate_base_url(self.base_url)

    def transport_warning(self) -> str | None:
        """A warning when the key would cross the network unencrypted."""
        parts = urlsplit(self.base_url)
        if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
            return (
                f"{parts.hostname} is reached over plain http://: the API key and every message "
                "travel unencrypted. Use https:// unless this network is private and trusted."
            )
        return None


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def validate_base_url(url: str) -> str | None:
    """None when `url` can serve as a base URL, else what is wrong in plain words."""
    url = url.strip()
    if not url:
        return "Enter the server's address, for example http://127.0.0.1:8000/v1."
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "The address must start with http:// or https://."
    if not parts.hostname:
        return "The address has no host name."
    try:
        _ = parts.port
    except ValueError:
        return "The port in the address is not a number between 0 and 65535."
    return None


def _url_account(profile_id: str) -> str:
    return f"profile:{profile_id}:base_url"


def _key_account(profile_id: str) -> str:
    return f"profile:{profile_id}:api_key"


class ProfileStore:
    """Loads and saves profiles across the settings file and the keyring."""

    def __init__(self, settings: Settings, secrets: SecretStore) -> None:
        self.settings = settings
        self.secrets = secrets
        # profile id -> (url, key, model) from the environment, for profiles stored empty.
        self._env_fill: dict[str, tuple[str, str, str]] = {}

    def profiles(self) -> list[ServerProfile]:
        return [self._materialise(p) for p in self.settings.profiles]

    def get(self, profile_id: str) -> ServerProfile | None:
        for p in self.settings.profiles:
            if p.id == profile_id:
                return self._materialise(p)
        return None

    def active(self) -> ServerProfile | None:
        if self.settings.active_profile:
            found = self.get(self.settings.active_profile)
            if found:
                return found
        return self._materialise(self.settings.profiles[0]) if self.settings.profiles else None

    def set_active(self, profile_id: str) -> None:
        self.settings.active_profile = profile_id
        self.settings.save()

    def save(self, profile: ServerProfile) -> bool:
        """Saves a profile; returns False when secrets are kept for this session only."""
        durable = self.secrets.set(_url_account(profile.id), profile.base_url.strip())
        durable = self.secrets.set(_key_account(profile.id), profile.api_key) and durable
        self._list(profile)
        self.settings.save()
        return durable

    async def asave(self, profile: ServerProfile) -> bool:
        """``save`` while the window runs: the keyring writes happen on the keyring thread.
        The profile is listed (and reads back) at once; the settings file is written after
        the keyring, as ``save`` does, so a crash in between leaves no profile without its
        address."""
        url = self.secrets.aset(_url_account(profile.id), profile.base_url.strip())
        key = self.secrets.aset(_key_account(profile.id), profile.api_key)
        self._list(profile)
        durable = await url
        durable = await key and durable
        self.settings.save()
        return durable

    def _list(self, profile: ServerProfile) -> None:
        stored = ProfileSettings(
            name=profile.name, model=profile.model, ca_bundle=profile.ca_bundle, id=profile.id
        )
        for i, p in enumerate(self.settings.profiles):
            if p.id == profile.id:
                self.settings.profiles[i] = stored
                break
        else:
            self.settings.profiles.append(stored)

    def delete(self, profile_id: str) -> None:
        self.secrets.delete(_url_account(profile_id))
        self.secrets.delete(_key_account(profile_id))
        self._unlist(profile_id)

    async def adelete(self, profile_id: str) -> None:
        """``delete`` while the window runs: the keyring calls happen on the keyring thread."""
        url = self.secrets.adelete(_url_account(profile_id))
        key = self.secrets.adelete(_key_account(profile_id))
        await url
        await key
        self._unlist(profile_id)

    def _unlist(self, profile_id: str) -> None:
        self.settings.profiles = [p for p in self.settings.profiles if p.id != profile_id]
        if self.settings.active_profile == profile_id:
            self.settings.active_profile = None
        self.settings.save()

    async def aload(self) -> None:
        """Reads every profile's secrets on the keyring thread, so that listing profiles
        later (the Servers dialog) reads from memory."""
        for p in list(self.settings.profiles):
            await self.aget(p.id)

    async def aget(self, profile_id: str) -> ServerProfile | None:
        """``get`` with any keyring read on the keyring thread."""
        await self.secrets.aget(_url_account(profile_id))
        await self.secrets.aget(_key_account(profile_id))
        return self.get(profile_id)

    def prefill_from_env(self, env: Mapping[str, str] | None = None) -> ServerProfile | None:
        """Makes GEMMA_BASE_URL / GEMMA_MODEL / HEXGRID_API_KEY usable, on every run.

        On first run they become a profile. Later, a profile with no address stored (no
        keyring: secrets were kept for one session only) takes them again for this session,
        so the environment works whether or not a keyring remembers. A stored address is
        never overridden. Returns the profile made or filled, if any.
        """
        env = os.environ if env is None else env
        url = env.get("GEMMA_BASE_URL", "").strip()
        if not url:
            return None
        key = env.get("HEXGRID_API_KEY", "")
        if not self.settings.profiles:
            profile = ServerProfile(
                name="From environment", base_url=url, model=env.get("GEMMA_MODEL", ""),
                api_key=key,
            )  # fmt: skip
            self.save(profile)
            self.set_active(profile.id)
            return profile
        active = self.active()
        if active is None or active.base_url:
            return None
        # Only for this session: a keyring that works would have kept the address.
        self._env_fill[active.id] = (url, key, env.get("GEMMA_MODEL", ""))
        return self.get(active.id)

    def _materialise(self, stored: ProfileSettings) -> ServerProfile:
        base_url = self.secrets.get(_url_account(stored.id)) or ""
        api_key = self.secrets.get(_key_account(stored.id)) or ""
        model = stored.model
        fill = self._env_fill.get(stored.id)
        if fill and not base_url:
            # The environment's key goes with its address; a stored key never leaves for it.
            base_url, api_key = fill[0], fill[1]
            model = model or fill[2]
        return ServerProfile(
            name=stored.name,
            base_url=base_url,
            model=model,
            api_key=api_key,
            ca_bundle=stored.ca_bundle,
            id=stored.id,
        )
